package dev.deckhand.server;

import dev.deckhand.protocol.AnkiHeaders;
import dev.deckhand.protocol.SyncHeader;
import dev.deckhand.protocol.ZstdFraming;
import dev.deckhand.server.config.ServerSettings;
import dev.deckhand.store.fullsync.LegacyCollectionFixture;
import dev.deckhand.testsupport.RawSyncClient;
import dev.deckhand.testsupport.TestDatabase;
import dev.deckhand.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Full upload and download over HTTP with hand-made requests, above all the hostile ones:
 * each refused upload must leave the stored collection exactly as it was.
 */
class FullSyncHttpTest {

    static TestDatabase db;
    static DeckhandServer server;
    static RawSyncClient client;
    static String key;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        db = TestPostgres.newDatabase();
        server = DeckhandServer.start(ServerSettings.fromEnvironment(Map.of(
                "SYNC_HOST", "127.0.0.1", "SYNC_PORT", "0",
                "SYNC_BASE", Path.of("target", "full-sync-http").toAbsolutePath().toString(),
                "SYNC_USER1", "alice:pw",
                "MAX_SYNC_PAYLOAD_MEGS", "1",
                "DATABASE_URL", db.jdbcUrl())));
        client = new RawSyncClient("http://127.0.0.1:" + server.port() + "/");
        key = client.call("sync/hostKey", "", "{\"u\":\"alice\",\"p\":\"pw\"}").payload().replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
        assertThat(upload(collectionFile("first", 3))).isEqualTo("OK");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static byte[] collectionFile(String name, int notes) {
        return LegacyCollectionFixture.bytes(dir, name, notes);
    }

    static String upload(byte[] collection) {
        RawSyncClient.Response r = client.callWithBytes("sync/upload", key, collection);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.payload();
    }

    @Test
    void uploadThenMetaThenDownload() throws Exception {
        assertThat(upload(collectionFile("second", 5))).isEqualTo("OK");
        String meta = client.call("sync/meta", key, "{\"v\":11,\"cv\":\"x\"}").payload();
        assertThat(meta).contains("\"mod\":1700000000005", "\"scm\":1690000000000", "\"usn\":5", "\"empty\":false");

        RawSyncClient.Response download = client.call("sync/download", key, "{\"_pad\":null}");
        assertThat(download.status()).isEqualTo(200);
        Path file = Files.write(dir.resolve("downloaded.anki2"), download.payloadBytes());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            assertThat(query(c, "pragma integrity_check")).isEqualTo("ok");
            assertThat(query(c, "select count(*) from notes")).isEqualTo("5");
            assertThat(query(c, "select usn from col")).isEqualTo("6");
        }
        assertThat(client.call("sync/meta", key, "{\"v\":11,\"cv\":\"x\"}").payload()).contains("\"usn\":6");
    }

    @Test
    void hostileUploadsAreRefusedAndChangeNothing() {
        String before = digest();
        byte[] valid = collectionFile("valid", 2);

        // truncated zstd: a protocol error
        byte[] compressed = ZstdFraming.compress(valid);
        RawSyncClient.Response truncated = client.post("sync/upload", v11(),
                java.util.Arrays.copyOf(compressed, compressed.length / 2));
        assertThat(truncated.status()).isEqualTo(400);
        assertThat(truncated.text()).contains("zstd");

        // not SQLite, and SQLite that is not a collection: Anki's words for a corrupt upload
        assertThat(upload("not a database at all".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("Your upload was corrupt. Please use Check Database, or restore from backup.");
        assertThat(upload(java.util.Arrays.copyOf(valid, valid.length - 1000)))
                .isEqualTo("Your upload was corrupt. Please use Check Database, or restore from backup.");

        // over MAX_SYNC_PAYLOAD_MEGS=1 as sent: 1.5 MiB that does not compress
        byte[] noise = new byte[3 * 512 * 1024];
        new Random(1).nextBytes(noise);
        RawSyncClient.Response big = client.post("sync/upload", v11(), ZstdFraming.compress(noise));
        assertThat(big.status()).isEqualTo(200);
        assertThat(big.payload()).isEqualTo("collection exceeds size limit");

        // a few KiB that unpack past 3 MiB
        byte[] bomb = ZstdFraming.compress(new byte[8 << 20]);
        assertThat(bomb.length).isLessThan(64 * 1024);
        assertThat(upload(new byte[0])).isEqualTo("Your upload was corrupt. Please use Check Database, or restore from backup.");
        RawSyncClient.Response exploded = client.post("sync/upload", v11(), bomb);
        assertThat(exploded.payload()).isEqualTo("collection exceeds size limit");

        assertThat(digest()).isEqualTo(before);
        assertThat(upload(valid)).as("the server still takes good uploads").isEqualTo("OK");
    }

    @Test
    void aHugeUploadIsRefusedWithoutBeingHeld() {
        String before = digest();
        // a valid zstd frame of 256 MiB of noise, made while sent, against a 1 MiB limit
        java.util.concurrent.atomic.AtomicLong pulled = new java.util.concurrent.atomic.AtomicLong();
        System.gc();
        List<java.lang.management.MemoryPoolMXBean> oldGen = java.lang.management.ManagementFactory.getMemoryPoolMXBeans()
                .stream().filter(p -> p.getType() == java.lang.management.MemoryType.HEAP && p.getName().contains("Old"))
                .toList();
        oldGen.forEach(java.lang.management.MemoryPoolMXBean::resetPeakUsage);
        long oldBefore = oldGen.stream().mapToLong(p -> p.getUsage().getUsed()).sum();

        RawSyncClient.Response r = client.post("sync/upload", v11(), () -> new RawBlockZstdFrame(256L << 20, pulled));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.payload()).isEqualTo("collection exceeds size limit");
        assertThat(digest()).isEqualTo(before);
        // anything held for the length of the request would have been promoted to the old generation
        long oldPeakGrowth = oldGen.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum() - oldBefore;
        assertThat(pulled.get()).isGreaterThan(256L << 20);
        assertThat(oldPeakGrowth).as("old-generation growth while 256 MiB went by").isLessThan(64L << 20);
        assertThat(client.call("sync/meta", key, "{\"v\":11,\"cv\":\"x\"}").status()).isEqualTo(200);
    }

    @Test
    void theHandMadeFrameIsValidZstd() throws IOException {
        byte[] frame = new RawBlockZstdFrame(300_000, new java.util.concurrent.atomic.AtomicLong()).readAllBytes();
        assertThat(ZstdFraming.decompress(frame, 1 << 20)).hasSize(300_000);
    }

    /**
     * One zstd frame made of stored ("raw") blocks of random bytes: valid, incompressible, and
     * produced as it is read, so its size costs no memory.
     */
    static final class RawBlockZstdFrame extends java.io.InputStream {

        private static final int BLOCK = 128 * 1024;
        private final long payload;
        private final java.util.concurrent.atomic.AtomicLong pulled;
        private final Random random = new Random(2);
        private final java.nio.ByteBuffer pending = java.nio.ByteBuffer.allocate(BLOCK + 3);
        private long produced;

        RawBlockZstdFrame(long payload, java.util.concurrent.atomic.AtomicLong pulled) {
            this.payload = payload;
            this.pulled = pulled;
            // magic, frame header: no content size, no checksum; window 2 MiB
            pending.put(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0x00, 0x58}).flip();
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (!pending.hasRemaining()) {
                if (produced >= payload) {
                    return -1;
                }
                int size = (int) Math.min(BLOCK, payload - produced);
                produced += size;
                int header = (size << 3) | (produced >= payload ? 1 : 0); // raw block, last flag
                byte[] data = new byte[size];
                random.nextBytes(data);
                pending.clear();
                pending.put((byte) header).put((byte) (header >>> 8)).put((byte) (header >>> 16)).put(data).flip();
            }
            int n = Math.min(len, pending.remaining());
            pending.get(b, off, n);
            pulled.addAndGet(n);
            return n;
        }
    }

    private static Map<String, String> v11() {
        return Map.of(AnkiHeaders.SYNC, new SyncHeader(11, key, "c", "s").toJson());
    }

    static String digest() {
        StringBuilder all = new StringBuilder();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
            for (String table : List.of("collections", "notes", "cards", "revlog", "graves", "decks", "deck_configs",
                    "notetypes", "tags", "config")) {
                all.append(query(c, "select string_agg(t::text, ';' order by t::text) from " + table + " t")).append('\n');
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return all.toString();
    }

    static String query(Connection c, String sql) throws java.sql.SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
