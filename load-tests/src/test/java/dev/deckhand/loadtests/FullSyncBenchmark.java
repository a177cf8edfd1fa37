package dev.deckhand.loadtests;

import dev.deckhand.protocol.AnkiHeaders;
import dev.deckhand.protocol.SyncHeader;
import dev.deckhand.protocol.ZstdFraming;
import dev.deckhand.server.DeckhandServer;
import dev.deckhand.server.config.ServerSettings;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.testsupport.RawSyncClient;
import dev.deckhand.testsupport.TestDatabase;
import dev.deckhand.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Full sync against the same PostgreSQL as a raw-COPY baseline, measured in the same run:
 * upload ingest vs COPY of the same rows in, download build vs COPY of the same rows out, and
 * the heap during uploads of two sizes. Writes {@code target/benchmarks/full-sync.md}.
 *
 * <p>{@code ./mvnw -B -pl load-tests -am verify -Dtest=FullSyncBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Ddeckhand.benchmark=true} (see docs/benchmarks.md).
 */
@EnabledIfSystemProperty(named = "deckhand.benchmark", matches = "true",
        disabledReason = "a benchmark, not a test: run it with -Ddeckhand.benchmark=true (docs/benchmarks.md)")
class FullSyncBenchmark {

    static final int NOTES = Integer.getInteger("deckhand.benchmark.notes", 100_000);
    static final int RUNS = 3;

    @Test
    void fullSync() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "benchmarks"));
        TestDatabase db = TestPostgres.newDatabase();
        List<String> report = new ArrayList<>();
        report.add("# Full sync benchmark\n");
        report.add("PostgreSQL: " + db.host() + ":" + db.port() + "; " + Runtime.getRuntime().availableProcessors()
                + " cores; JVM max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB; " + RUNS + " runs each, median.\n");

        Path collection = work.resolve("bench-" + NOTES + ".anki2");
        Files.deleteIfExists(collection);
        SyntheticCollection.Counts counts = SyntheticCollection.write(collection, NOTES, 120, 7);
        Path compressed = compress(collection);
        report.add(String.format(Locale.ROOT, "Collection: %,d notes, %,d cards, %,d revlog rows; file %.1f MiB, %.1f MiB as sent (zstd).\n",
                counts.notes(), counts.cards(), counts.revlog(), mib(Files.size(collection)), mib(Files.size(compressed))));

        try (DeckhandServer server = DeckhandServer.start(ServerSettings.fromEnvironment(Map.of(
                "SYNC_HOST", "127.0.0.1", "SYNC_PORT", "0", "SYNC_BASE", work.resolve("server").toAbsolutePath().toString(),
                "MAX_SYNC_PAYLOAD_MEGS", "300", "DATABASE_URL", db.jdbcUrl())));
             Connection pg = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
            String base = "http://127.0.0.1:" + server.port() + "/";
            AccountService accounts = server.context().getBean(AccountService.class);
            accounts.addUser("bench", "pw").block();
            String key = accounts.login("bench", "pw").block();
            long benchUser = accounts.listUsers().filter(u -> u.username().equals("bench")).single().block().id();
            CopyManager copy = pg.unwrap(PGConnection.class).getCopyAPI();
            Map<String, byte[]> copyText = copyText(collection, 1_000_000_000L);

            List<Double> ingest = new ArrayList<>();
            List<Double> rawIn = new ArrayList<>();
            List<Double> build = new ArrayList<>();
            List<Double> rawOut = new ArrayList<>();
            for (int run = 0; run < RUNS; run++) {
                long t0 = System.nanoTime();
                assertThat(upload(base, key, compressed)).isEqualTo("OK");
                ingest.add(seconds(t0));

                pg.setAutoCommit(false);
                long t1 = System.nanoTime();
                for (Map.Entry<String, byte[]> table : copyText.entrySet()) {
                    copy.copyIn("copy " + table.getKey() + " from stdin", new ByteArrayInputStream(table.getValue()));
                }
                pg.commit();
                rawIn.add(seconds(t1));
                try (Statement s = pg.createStatement()) {
                    for (String t : List.of("notes", "cards", "revlog")) {
                        s.execute("delete from " + t + " where user_id = 1000000000");
                    }
                }
                pg.commit();
                pg.setAutoCommit(true);

                long t2 = System.nanoTime();
                long downloaded = download(base, key);
                build.add(seconds(t2));
                assertThat(downloaded).isPositive();

                long t3 = System.nanoTime();
                for (String select : List.of(
                        "select id, guid, mid, mod, usn, tags, flds, sfld, sfld_kind, csum, flags, data from notes",
                        "select id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses, \"left\", odue, odid, flags, data from cards",
                        "select id, cid, usn, ease, ivl, last_ivl, factor, time, type from revlog")) {
                    copy.copyOut("copy (" + select + " where user_id = " + benchUser + ") to stdout", OutputStream.nullOutputStream());
                }
                rawOut.add(seconds(t3));
            }
            report.add("| step | Deckhand | raw COPY baseline | ratio |");
            report.add("|---|---|---|---|");
            report.add(row("upload: ingest into PostgreSQL (HTTP, checks, conversion, COPY)", median(ingest), median(rawIn)));
            report.add(row("download: build the schema-11 file and send it (HTTP)", median(build), median(rawOut)));
            report.add("");
            report.add("Runs (s): ingest " + ingest + ", raw COPY in " + rawIn + ", build " + build + ", raw COPY out " + rawOut + "\n");

            report.add("| upload size (as sent) | file | peak heap used, all pools | peak old generation |");
            report.add("|---|---|---|---|");
            for (int fieldBytes : new int[] {650, 1800}) {
                Path big = work.resolve("heap-" + fieldBytes + ".anki2");
                Files.deleteIfExists(big);
                SyntheticCollection.write(big, NOTES, fieldBytes, 11);
                Path bigCompressed = compress(big);
                long[] peaks = peakHeapDuring(() -> assertThat(upload(base, key, bigCompressed)).isEqualTo("OK"));
                report.add(String.format(Locale.ROOT, "| %.1f MiB | %.1f MiB | %.0f MiB | %.0f MiB |",
                        mib(Files.size(bigCompressed)), mib(Files.size(big)), mib(peaks[0]), mib(peaks[1])));
            }
        }
        String text = String.join("\n", report) + "\n";
        Files.writeString(work.resolve("full-sync.md"), text);
        System.out.println(text);
    }

    private static Path compress(Path file) throws IOException {
        Path out = file.resolveSibling(file.getFileName() + ".zst");
        try (InputStream in = Files.newInputStream(file); OutputStream z = ZstdFraming.compressing(Files.newOutputStream(out))) {
            in.transferTo(z);
        }
        return out;
    }

    private static String upload(String base, String key, Path compressed) throws Exception {
        HttpResponse<byte[]> r = http().send(request(base + "sync/upload", key)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> {
                    try {
                        return Files.newInputStream(compressed);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })).build(), HttpResponse.BodyHandlers.ofByteArray());
        return new String(ZstdFraming.decompress(r.body(), 1 << 20), StandardCharsets.UTF_8);
    }

    private static long download(String base, String key) throws Exception {
        HttpResponse<InputStream> r = http().send(request(base + "sync/download", key)
                .POST(HttpRequest.BodyPublishers.ofByteArray(ZstdFraming.compress("{}".getBytes(StandardCharsets.UTF_8)))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        try (InputStream in = ZstdFraming.decompressing(r.body(), Long.MAX_VALUE)) {
            return in.transferTo(OutputStream.nullOutputStream());
        }
    }

    private static HttpClient http() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    private static HttpRequest.Builder request(String url, String key) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10))
                .header(AnkiHeaders.SYNC, new SyncHeader(11, key, "benchmark", "b").toJson());
    }

    /** The same rows as our COPY sends them, for the baseline, under another user id. */
    private static Map<String, byte[]> copyText(Path collection, long userId) throws Exception {
        Map<String, byte[]> out = new java.util.LinkedHashMap<>();
        HexFormat hex = HexFormat.of();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + collection); Statement s = c.createStatement()) {
            StringBuilder b = new StringBuilder();
            try (ResultSet rs = s.executeQuery("select id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data from notes")) {
                while (rs.next()) {
                    b.append(userId).append('\t').append(rs.getLong(1)).append('\t').append(rs.getString(2)).append('\t')
                            .append(rs.getLong(3)).append('\t').append(rs.getLong(4)).append('\t').append(rs.getLong(5)).append('\t')
                            .append(rs.getString(6)).append("\t\\\\x").append(hex.formatHex(rs.getBytes(7))).append('\t')
                            .append(rs.getString(8)).append("\t3\t").append(rs.getLong(9)).append('\t').append(rs.getLong(10))
                            .append('\t').append(rs.getString(11)).append('\n');
                }
            }
            out.put("notes (user_id, id, guid, mid, mod, usn, tags, flds, sfld, sfld_kind, csum, flags, data)",
                    b.toString().getBytes(StandardCharsets.UTF_8));
            out.put("cards (user_id, id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses, \"left\", odue, odid, flags, data)",
                    numbers(s, "select id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses, left, odue, odid, flags, data from cards", 17, userId));
            out.put("revlog (user_id, id, cid, usn, ease, ivl, last_ivl, factor, time, type)",
                    numbers(s, "select * from revlog", 9, userId));
        }
        return out;
    }

    private static byte[] numbers(Statement s, String sql, int numericColumns, long userId) throws Exception {
        StringBuilder b = new StringBuilder();
        try (ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                b.append(userId);
                for (int i = 1; i <= columns; i++) {
                    b.append('\t').append(i <= numericColumns ? Long.toString(rs.getLong(i)) : rs.getString(i));
                }
                b.append('\n');
            }
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    interface Action {
        void run() throws Exception;
    }

    /** Peak heap while {@code action} runs: all heap pools, and the old generation alone. */
    private static long[] peakHeapDuring(Action action) throws Exception {
        System.gc();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        action.run();
        long all = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        long old = heap.stream().filter(p -> p.getName().contains("Old")).mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        return new long[] {all, old};
    }

    private static String row(String step, double ours, double baseline) {
        return String.format(Locale.ROOT, "| %s | %.2f s | %.2f s | %.2f× |", step, ours, baseline, ours / baseline);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }
}
