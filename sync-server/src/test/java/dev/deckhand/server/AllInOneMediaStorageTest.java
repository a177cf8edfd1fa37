package dev.deckhand.server;

import dev.deckhand.media.blob.BlobKey;
import dev.deckhand.media.blob.FilesystemBlobStore;
import dev.deckhand.media.blob.MediaBlobStore;
import dev.deckhand.media.cleanup.UnusedBlobSweeper;
import dev.deckhand.server.config.ServerSettings;
import dev.deckhand.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The all-in-one server keeps media bytes in SYNC_BASE/media unless Spring properties say otherwise. */
class AllInOneMediaStorageTest {

    @TempDir
    Path base;

    @Test
    void mediaBlobsLiveUnderSyncBase() throws Exception {
        try (DeckhandServer server = DeckhandServer.start(ServerSettings.fromEnvironment(Map.of(
                "SYNC_HOST", "127.0.0.1",
                "SYNC_PORT", "0",
                "SYNC_BASE", base.toString(),
                "DATABASE_URL", TestPostgres.newDatabase().jdbcUrl())))) {
            MediaBlobStore store = server.context().getBean(MediaBlobStore.class);
            assertThat(store).isInstanceOf(FilesystemBlobStore.class);
            Path file = Files.writeString(base.resolve("upload"), "media bytes");
            BlobKey key = new BlobKey(1, 5, "0123456789abcdef0123456789abcdef01234567");
            store.put(key, file).get();
            assertThat(base.resolve("media/t1/u5/" + key.sha1())).hasContent("media bytes");
            // and it sweeps unused ones, as a media service does
            assertThat(server.context().getBean(UnusedBlobSweeper.class).isRunning()).isTrue();
        }
    }

    @Test
    void springPropertiesGivenAtStartOverrideTheSettings() throws Exception {
        Path elsewhere = base.resolve("elsewhere");
        try (DeckhandServer server = DeckhandServer.start(ServerSettings.fromEnvironment(Map.of(
                "SYNC_HOST", "127.0.0.1",
                "SYNC_PORT", "0",
                "SYNC_BASE", base.toString(),
                "DATABASE_URL", TestPostgres.newDatabase().jdbcUrl())),
                Map.of("deckhand.media.filesystem.root", elsewhere.toString()))) {
            Path file = Files.writeString(base.resolve("upload"), "media bytes");
            BlobKey key = new BlobKey(1, 5, "0123456789abcdef0123456789abcdef01234567");
            server.context().getBean(MediaBlobStore.class).put(key, file).get();
            assertThat(elsewhere.resolve("t1/u5/" + key.sha1())).hasContent("media bytes");
            assertThat(base.resolve("media")).doesNotExist();
        }
    }
}
