package dev.deckhand.compat.media;

import com.google.protobuf.ByteString;
import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.SyncCredentials;
import dev.deckhand.ankiclient.SyncRequired;
import dev.deckhand.compat.TestServers;
import dev.deckhand.server.DeckhandServer;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.store.media.MediaIndexStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real Anki clients (2.1.66) sharing media through the all-in-one server, whose blob store is
 * the local file system: additions of every kind, deletions on either side, the media sanity
 * check, and a last sync that moves nothing.
 */
class MediaSyncCompatTest {

    static final String USER = "media";
    static final String PASSWORD = "pw";

    static DeckhandServer server;
    static String endpoint;
    static long userId;

    @TempDir
    Path devices;

    @BeforeAll
    static void start() {
        server = TestServers.allInOne("media-sync-compat", Map.of());
        endpoint = TestServers.endpoint(server);
        userId = server.context().getBean(AccountService.class).addUser(USER, PASSWORD).block().id();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void mediaAddedAndDeletedOnEitherDeviceReachesTheOther() throws IOException {
        try (AnkiDevice a = AnkiDevice.open(devices.resolve("a")); AnkiDevice b = AnkiDevice.open(devices.resolve("b"))) {
            Random random = new Random(42);
            Map<String, byte[]> added = new TreeMap<>();
            added.put("café ☕.jpg", bytes(random, 30_000));
            added.put("日本語の音声 (1).mp3", bytes(random, 12_345));
            added.put("émoji 🎲 Ωmega.png", bytes(random, 777));
            added.put("large video.mp4", bytes(random, 20 * 1024 * 1024));
            for (int i = 0; i < 1000; i++) {
                added.put(String.format("small-%04d.svg", i), bytes(random, 200 + random.nextInt(3000)));
            }
            a.call(() -> {
                for (Map.Entry<String, byte[]> file : added.entrySet()) {
                    String stored = a.backend().addMediaFile(file.getKey(), ByteString.copyFrom(file.getValue()));
                    assertThat(stored).as("the client keeps the name").isEqualTo(file.getKey());
                }
                return null;
            });
            // the client never uploads an empty file (the protocol's rule), so it stays on A alone
            Files.write(media(a).resolve("empty.txt"), new byte[0]);
            a.addBasicNote("<img src=\"café ☕.jpg\"> [sound:日本語の音声 (1).mp3]", "<img src=\"émoji 🎲 Ωmega.png\">");
            a.addBasicNote("[sound:large video.mp4]", "<img src=\"small-0001.svg\"><img src=\"empty.txt\">");

            SyncCredentials authA = a.login(endpoint, USER, PASSWORD);
            assertThat(a.syncCollection(authA).required()).isEqualTo(SyncRequired.FULL_UPLOAD);
            a.fullUpload(authA);
            a.syncMedia(authA);
            assertThat(serverLiveFiles()).as("files on the server").isEqualTo(added.size());

            SyncCredentials authB = b.login(endpoint, USER, PASSWORD);
            assertThat(b.syncCollection(authB).required()).isEqualTo(SyncRequired.FULL_DOWNLOAD);
            b.fullDownload(authB);
            b.syncMedia(authB);
            Map<String, String> onA = sha1s(media(a));
            Map<String, String> onB = sha1s(media(b));
            assertThat(onA).containsKey("empty.txt");
            onA.remove("empty.txt");
            assertThat(onB).as("B's media folder").isEqualTo(onA);
            assertThat(onB).hasSize(added.size());
            for (Map.Entry<String, byte[]> file : added.entrySet()) {
                assertThat(onB.get(file.getKey())).as(file.getKey()).isEqualTo(sha1(file.getValue()));
            }

            // deletions on either side, and an addition on B
            a.call(() -> {
                a.backend().trashMediaFiles(List.of("café ☕.jpg", "small-0007.svg"));
                return null;
            });
            b.call(() -> {
                b.backend().trashMediaFiles(List.of("large video.mp4"));
                b.backend().addMediaFile("from B ✓.txt", ByteString.copyFromUtf8("written on B"));
                return null;
            });
            a.syncMedia(authA);
            b.syncMedia(authB);
            a.syncMedia(authA);
            onA = sha1s(media(a));
            onA.remove("empty.txt");
            onB = sha1s(media(b));
            assertThat(onB).as("B's media after deletions").isEqualTo(onA);
            assertThat(onA).doesNotContainKeys("café ☕.jpg", "small-0007.svg", "large video.mp4")
                    .containsEntry("from B ✓.txt", sha1("written on B".getBytes()));
            assertThat(onA).hasSize(added.size() - 3 + 1);
            // what the client counts in mediaSanity is what the server counts
            assertThat(serverLiveFiles()).isEqualTo(onA.size());

            // nothing changed since: a sync asks for nothing and sends nothing
            long transfers = requests("uploadChanges") + requests("downloadFiles") + requests("mediaChanges");
            a.syncMedia(authA);
            b.syncMedia(authB);
            assertThat(requests("uploadChanges") + requests("downloadFiles") + requests("mediaChanges"))
                    .as("media requests other than begin after nothing changed").isEqualTo(transfers);
            assertThat(requests("mediaSanity")).as("sanity checks, each answered OK or the sync would fail").isPositive();
        }
    }

    private static long serverLiveFiles() {
        return server.context().getBean(MediaIndexStore.class).liveFileCount(userId).block();
    }

    private static long requests(String method) {
        Timer timer = server.context().getBean(MeterRegistry.class).find("deckhand.media.requests")
                .tag("method", method).tag("outcome", "ok").timer();
        return timer == null ? 0 : timer.count();
    }

    private static Path media(AnkiDevice device) {
        return device.folder().resolve("collection.media");
    }

    private static Map<String, String> sha1s(Path folder) {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(folder)) {
            list.filter(Files::isRegularFile).forEach(f -> {
                try {
                    files.put(f.getFileName().toString(), sha1(Files.readAllBytes(f)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static byte[] bytes(Random random, int size) {
        byte[] data = new byte[size];
        random.nextBytes(data);
        return data;
    }

    static String sha1(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
