package dev.deckhand.compat.media;

import com.google.protobuf.ByteString;
import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.SyncCredentials;
import dev.deckhand.ankiclient.SyncRequired;
import dev.deckhand.compat.TestServers;
import dev.deckhand.server.DeckhandServer;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.store.media.MediaIndexStore;
import dev.deckhand.testsupport.Sha1;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real Anki clients (2.1.66) sharing media through the all-in-one server: additions of every
 * kind, deletions on either side, the media sanity check, and a last sync that moves nothing. It
 * runs once with the media bytes in a local folder and once in S3 (S3Mock, in a child JVM), and
 * each time checks from outside the server that the store holds exactly one blob per distinct
 * content the user has, under the user's prefix.
 */
class MediaSyncCompatTest {

    static final String USER = "media";
    static final String PASSWORD = "pw";
    static final String S3_BUCKET = "deckhand-media";
    static final String S3_PREFIX = "compat/media";

    enum Store { FILESYSTEM, S3 }

    @TempDir
    Path devices;

    /** SYNC_BASE: fresh each run, so the folder store holds only this run's blobs. */
    @TempDir
    Path base;

    private DeckhandServer server;
    private long userId;

    @ParameterizedTest(name = "media bytes on {0}")
    @EnumSource
    void mediaAddedAndDeletedOnEitherDeviceReachesTheOther(Store store) throws Exception {
        try (StoreView view = store == Store.S3 ? new S3View(S3MockProcess.start("media-sync-compat", S3_BUCKET))
                : new FolderView(base.resolve("media"))) {
            server = TestServers.allInOne("media-sync-compat", Map.of("SYNC_BASE", base.toString()), view.springProperties());
            try {
                userId = server.context().getBean(AccountService.class).addUser(USER, PASSWORD).block().id();
                scenario(view);
                if (store == Store.S3) {
                    assertThat(base.resolve("media")).as("SYNC_BASE/media with the S3 store").doesNotExist();
                }
            } finally {
                server.close();
            }
        }
    }

    private void scenario(StoreView view) throws Exception {
        try (AnkiDevice a = AnkiDevice.open(devices.resolve("a")); AnkiDevice b = AnkiDevice.open(devices.resolve("b"))) {
            Random random = new Random(42);
            Map<String, byte[]> added = new TreeMap<>();
            added.put("café ☕.jpg", bytes(random, 30_000));
            // same bytes under another name: one blob, which must outlive the deletion of either name
            added.put("café ☕ (copy).jpg", added.get("café ☕.jpg"));
            added.put("日本語の音声 (1).mp3", bytes(random, 12_345));
            added.put("émoji 🎲 Ωmega.png", bytes(random, 777));
            // above the S3 store's multipart threshold (16 MiB)
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

            SyncCredentials authA = a.login(endpoint(), USER, PASSWORD);
            assertThat(a.syncCollection(authA).required()).isEqualTo(SyncRequired.FULL_UPLOAD);
            a.fullUpload(authA);
            a.syncMedia(authA);
            assertThat(serverLiveFiles()).as("files on the server").isEqualTo(added.size());
            long tenantId = server.context().getBean(AccountService.class).authenticate(authA.hostKey()).block().tenantId();
            Set<String> contents = new TreeSet<>();
            added.values().forEach(data -> contents.add(Sha1.hex(data)));
            assertThat(contents).hasSize(added.size() - 1);
            assertThat(view.blobs()).as("blobs in the store after A's upload").isEqualTo(blobPaths(tenantId, contents));

            SyncCredentials authB = b.login(endpoint(), USER, PASSWORD);
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
                assertThat(onB.get(file.getKey())).as(file.getKey()).isEqualTo(Sha1.hex(file.getValue()));
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
                    .containsEntry("from B ✓.txt", Sha1.hex("written on B".getBytes(StandardCharsets.UTF_8)))
                    .containsEntry("café ☕ (copy).jpg", Sha1.hex(added.get("café ☕.jpg")));
            assertThat(onA).hasSize(added.size() - 3 + 1);
            // what the client counts in mediaSanity is what the server counts
            assertThat(serverLiveFiles()).isEqualTo(onA.size());
            // the deleted contents' blobs are gone; the shared one stays for its other name
            assertThat(view.blobs()).as("blobs in the store after the deletions")
                    .isEqualTo(blobPaths(tenantId, new TreeSet<>(onA.values())));
            String fromB = blobPaths(tenantId, Set.of(onA.get("from B ✓.txt"))).first();
            assertThat(view.read(fromB)).as("B's file as stored").isEqualTo("written on B".getBytes(StandardCharsets.UTF_8));

            // nothing changed since: a sync asks for nothing and sends nothing
            long transfers = requests("uploadChanges") + requests("downloadFiles") + requests("mediaChanges");
            a.syncMedia(authA);
            b.syncMedia(authB);
            assertThat(requests("uploadChanges") + requests("downloadFiles") + requests("mediaChanges"))
                    .as("media requests other than begin after nothing changed").isEqualTo(transfers);
            assertThat(requests("mediaSanity")).as("sanity checks, each answered OK or the sync would fail").isPositive();
        }
    }

    /** {@code t<tenant>/u<user>/<sha1>} for each content: where the store must keep it. */
    private TreeSet<String> blobPaths(long tenantId, Set<String> sha1s) {
        TreeSet<String> paths = new TreeSet<>();
        sha1s.forEach(sha1 -> paths.add("t" + tenantId + "/u" + userId + "/" + sha1));
        return paths;
    }

    /** The server's blob store as seen from outside the server. */
    private interface StoreView extends AutoCloseable {

        /** What points the server at this store (none for the folder, its default). */
        Map<String, String> springProperties();

        /** Every blob kept, as its path below the store's root or prefix. */
        Set<String> blobs() throws Exception;

        byte[] read(String blob) throws Exception;
    }

    private record FolderView(Path root) implements StoreView {

        @Override
        public Map<String, String> springProperties() {
            return Map.of();
        }

        @Override
        public Set<String> blobs() throws IOException {
            try (Stream<Path> files = Files.walk(root)) {
                return files.filter(Files::isRegularFile)
                        .map(f -> root.relativize(f).toString().replace(File.separatorChar, '/'))
                        .collect(Collectors.toCollection(TreeSet::new));
            }
        }

        @Override
        public byte[] read(String blob) throws IOException {
            return Files.readAllBytes(root.resolve(blob));
        }

        @Override
        public void close() {}
    }

    private record S3View(S3MockProcess s3) implements StoreView {

        @Override
        public Map<String, String> springProperties() {
            return s3.springProperties(S3_PREFIX);
        }

        /** All keys in the bucket, so that one outside the prefix would show up too. */
        @Override
        public Set<String> blobs() throws Exception {
            Set<String> blobs = new TreeSet<>();
            for (String key : s3.keys("")) {
                blobs.add(key.startsWith(S3_PREFIX + "/") ? key.substring(S3_PREFIX.length() + 1) : "outside the prefix: " + key);
            }
            return blobs;
        }

        @Override
        public byte[] read(String blob) throws Exception {
            return s3.object(S3_PREFIX + "/" + blob);
        }

        @Override
        public void close() throws Exception {
            s3.close();
        }
    }

    private long serverLiveFiles() {
        return server.context().getBean(MediaIndexStore.class).liveFileCount(userId).block();
    }

    private long requests(String method) {
        Timer timer = server.context().getBean(MeterRegistry.class).find("deckhand.media.requests")
                .tag("method", method).tag("outcome", "ok").timer();
        return timer == null ? 0 : timer.count();
    }

    private String endpoint() {
        return TestServers.endpoint(server);
    }

    private static Path media(AnkiDevice device) {
        return device.folder().resolve("collection.media");
    }

    private static Map<String, String> sha1s(Path folder) {
        return Sha1.ofFilesIn(folder);
    }

    private static byte[] bytes(Random random, int size) {
        byte[] data = new byte[size];
        random.nextBytes(data);
        return data;
    }
}
