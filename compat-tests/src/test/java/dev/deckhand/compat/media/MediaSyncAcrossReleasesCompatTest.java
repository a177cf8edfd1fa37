package dev.deckhand.compat.media;

import com.google.protobuf.ByteString;
import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.AnkiRelease;
import dev.deckhand.ankiclient.SyncCredentials;
import dev.deckhand.ankiclient.SyncRequired;
import dev.deckhand.compat.TestServers;
import dev.deckhand.server.DeckhandServer;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.store.media.MediaIndexStore;
import dev.deckhand.testsupport.Sha1;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Media between an Anki 2.1.66 device and Anki 26.x devices. 26.x differs where media is
 * concerned: after a collection sync it starts the media sync without {@code /msync/begin} (a
 * media sync started on its own still begins with it); it saves new names in lowercase
 * (2.1.66 keeps the case), so one batch can delete {@code Photo.JPG} and add {@code photo.jpg};
 * and its Check Media renames a file whose name differs from another's only by case. Names are
 * compared exactly on the server, so each of these arrives as made on every device.
 */
class MediaSyncAcrossReleasesCompatTest {

    static DeckhandServer server;
    static long userId;

    @TempDir
    Path devices;

    @BeforeAll
    static void start() {
        server = TestServers.allInOne("media-across-releases-compat", Map.of());
        userId = server.context().getBean(AccountService.class).addUser("media", "pw").block().id();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void caseOnlyRenamesAndLowercaseNamesReachEveryDevice() throws Exception {
        String endpoint = TestServers.endpoint(server);
        byte[] photo = "the old photo".getBytes(StandardCharsets.UTF_8);
        byte[] newPhoto = "a new photo under the same name".getBytes(StandardCharsets.UTF_8);
        try (AnkiDevice older = AnkiDevice.open(devices.resolve("older"), AnkiRelease.ANKI_2_1_66);
             AnkiDevice newer = AnkiDevice.open(devices.resolve("newer"), AnkiRelease.ANKI_26_09_3)) {
            older.call(() -> {
                assertThat(older.backend().addMediaFile("Photo.JPG", ByteString.copyFrom(photo)))
                        .as("2.1.66 keeps the case").isEqualTo("Photo.JPG");
                older.backend().addMediaFile("Ünïcödé ✓.png", ByteString.copyFromUtf8("unicode"));
                return null;
            });
            older.addBasicNote("<img src=\"Photo.JPG\">", "<img src=\"Ünïcödé ✓.png\">");
            SyncCredentials authOlder = older.login(endpoint, "media", "pw");
            assertThat(older.syncCollection(authOlder).required()).isEqualTo(SyncRequired.FULL_UPLOAD);
            older.fullUpload(authOlder);
            older.syncMedia(authOlder);

            SyncCredentials authNewer = newer.login(endpoint, "media", "pw");
            assertThat(newer.syncCollection(authNewer).required()).isEqualTo(SyncRequired.FULL_DOWNLOAD);
            newer.fullDownload(authNewer);
            // as desktop 26.x syncs with media on: the media sync starts from meta's media usn
            long begins = requests("begin");
            long changes = requests("mediaChanges");
            newer.syncCollectionAndMedia(authNewer);
            assertThat(requests("mediaChanges")).as("26.x asked for changes").isGreaterThan(changes);
            assertThat(requests("begin")).as("26.x starts without /msync/begin").isEqualTo(begins);
            assertThat(sha1s(newer)).isEqualTo(sha1s(older));

            // on 26.x: a new file for the same name is saved under the lowercase name, and the
            // old one is deleted; one media sync carries both
            newer.call(() -> {
                assertThat(newer.backend().addMediaFile("Photo.JPG", ByteString.copyFrom(newPhoto)))
                        .as("26.x saves new names in lowercase").isEqualTo("photo.jpg");
                newer.backend().trashMediaFiles(List.of("Photo.JPG"));
                return null;
            });
            long uploads = requests("uploadChanges");
            newer.syncMedia(authNewer);
            assertThat(requests("uploadChanges")).as("one batch").isEqualTo(uploads + 1);
            older.syncMedia(authOlder);
            assertThat(sha1s(older)).as("the old device after the rename")
                    .doesNotContainKey("Photo.JPG")
                    .containsEntry("photo.jpg", Sha1.hex(newPhoto))
                    .isEqualTo(sha1s(newer));

            // on 2.1.66 (which keeps case): two names that differ only by case; 26.x's Check
            // Media renames one of them and syncs the rename
            older.call(() -> {
                older.backend().addMediaFile("Notes.TXT", ByteString.copyFromUtf8("upper"));
                older.backend().addMediaFile("notes.txt", ByteString.copyFromUtf8("lower"));
                return null;
            });
            older.syncMedia(authOlder);
            newer.syncMedia(authNewer);
            assertThat(sha1s(newer)).containsKeys("Notes.TXT", "notes.txt");
            newer.call(newer.backend()::checkMedia);
            Map<String, String> afterCheck = sha1s(newer);
            assertThat(afterCheck).as("26.x's Check Media renamed the upper-case duplicate")
                    .doesNotContainKey("Notes.TXT")
                    .containsEntry("notes.txt", Sha1.hex("lower".getBytes(StandardCharsets.UTF_8)))
                    .containsValue(Sha1.hex("upper".getBytes(StandardCharsets.UTF_8)));
            newer.syncMedia(authNewer);
            older.syncMedia(authOlder);
            assertThat(sha1s(older)).as("the old device after Check Media's rename").isEqualTo(afterCheck);
            assertThat(liveFilesOnServer()).isEqualTo(afterCheck.size());
        }

        // and a second 26.x device gets exactly that
        try (AnkiDevice another = AnkiDevice.open(devices.resolve("another"), AnkiRelease.ANKI_26_09_3)) {
            SyncCredentials auth = another.login(endpoint, "media", "pw");
            another.fullDownload(auth);
            another.syncMedia(auth);
            try (AnkiDevice newer = AnkiDevice.open(devices.resolve("newer"), AnkiRelease.ANKI_26_09_3)) {
                assertThat(sha1s(another)).isEqualTo(sha1s(newer));
            }
        }
    }

    private static long liveFilesOnServer() {
        return server.context().getBean(MediaIndexStore.class).liveFileCount(userId).block();
    }

    private static long requests(String method) {
        Timer timer = server.context().getBean(MeterRegistry.class).find("deckhand.media.requests")
                .tag("method", method).tag("outcome", "ok").timer();
        return timer == null ? 0 : timer.count();
    }

    private static Map<String, String> sha1s(AnkiDevice device) {
        return Sha1.ofFilesIn(device.folder().resolve("collection.media"));
    }
}
