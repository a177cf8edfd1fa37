package dev.deckhand.loadtests;

import dev.deckhand.server.DeckhandServer;
import dev.deckhand.server.config.ServerSettings;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.testsupport.RawSyncClient;
import dev.deckhand.testsupport.TestDatabase;
import dev.deckhand.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A typical daily sync (about 200 reviews and 20 new notes on a 10 000-note collection) by 16
 * users at once, through the all-in-one server over HTTP, next to a baseline measured in the same
 * run: the same row writes done directly with JDBC, one transaction per sync, at the same
 * concurrency. Writes {@code target/benchmarks/normal-sync.md}.
 *
 * <p>{@code ./mvnw -B -pl load-tests -am verify -Dtest=NormalSyncBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Ddeckhand.benchmark=true} (docs/benchmarks.md).
 */
@EnabledIfSystemProperty(named = "deckhand.benchmark", matches = "true",
        disabledReason = "a benchmark, not a test: run it with -Ddeckhand.benchmark=true (docs/benchmarks.md)")
class NormalSyncBenchmark {

    static final int USERS = Integer.getInteger("deckhand.benchmark.users", 16);
    static final int SYNCS_PER_USER = Integer.getInteger("deckhand.benchmark.syncs", 13);
    static final int NOTES = 10_000;
    static final int REVIEWS = 200;
    static final int NEW_NOTES = 20;
    static final long BASE = 1_600_000_000_000L;
    static final List<String> STEPS = List.of("meta", "start", "applyChanges", "chunk", "applyChunk", "sanityCheck2", "finish");

    private final Map<String, List<Double>> stepMillis = new ConcurrentHashMap<>();
    private final List<Double> syncMillis = Collections.synchronizedList(new ArrayList<>());
    private final List<Double> rawMillis = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong ids = new AtomicLong(1_700_000_000_000L);

    @Test
    void dailySyncs() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "benchmarks"));
        TestDatabase db = TestPostgres.newDatabase();
        Path collection = work.resolve("daily-" + NOTES + ".anki2");
        Files.deleteIfExists(collection);
        SyntheticCollection.write(collection, NOTES, 120, 3);
        byte[] file = Files.readAllBytes(collection);

        try (DeckhandServer server = DeckhandServer.start(ServerSettings.fromEnvironment(Map.of(
                "SYNC_HOST", "127.0.0.1", "SYNC_PORT", "0", "SYNC_BASE", work.resolve("daily-server").toAbsolutePath().toString(),
                "DATABASE_URL", db.jdbcUrl())))) {
            String base = "http://127.0.0.1:" + server.port() + "/";
            AccountService accounts = server.context().getBean(AccountService.class);
            List<String> keys = new ArrayList<>();
            for (int u = 0; u < USERS; u++) {
                accounts.addUser("daily" + u, "pw").block();
                String key = accounts.login("daily" + u, "pw").block();
                RawSyncClient client = new RawSyncClient(base);
                assertThat(client.callWithBytes("sync/upload", key, file).payload()).isEqualTo("OK");
                keys.add(key);
            }
            // a warm-up sync per user, not counted
            runAll(keys, base, 1, false);
            stepMillis.clear();
            syncMillis.clear();
            long t0 = System.nanoTime();
            runAll(keys, base, SYNCS_PER_USER, true);
            double seconds = (System.nanoTime() - t0) / 1e9;

            long r0 = System.nanoTime();
            rawBaseline(db, accounts);
            double rawSeconds = (System.nanoTime() - r0) / 1e9;

            List<String> report = new ArrayList<>();
            report.add("# Normal sync benchmark\n");
            report.add(String.format(Locale.ROOT, "%d users at once, %d syncs each (%d in all), each sync: %d reviews "
                            + "(revlog rows and card updates) and %d new notes with 2 cards, on a %,d-note collection; "
                            + "%d cores; PostgreSQL %s:%d.\n", USERS, SYNCS_PER_USER, USERS * SYNCS_PER_USER, REVIEWS, NEW_NOTES,
                    NOTES, Runtime.getRuntime().availableProcessors(), db.host(), db.port()));
            report.add("| step | p50 | p99 |");
            report.add("|---|---|---|");
            for (String step : STEPS) {
                List<Double> m = stepMillis.getOrDefault(step, List.of());
                report.add(String.format(Locale.ROOT, "| %s | %.1f ms | %.1f ms |", step, percentile(m, 50), percentile(m, 99)));
            }
            report.add(String.format(Locale.ROOT, "| **whole sync** | **%.1f ms** | **%.1f ms** |",
                    percentile(syncMillis, 50), percentile(syncMillis, 99)));
            report.add("");
            report.add(String.format(Locale.ROOT, "Throughput: %.1f complete syncs/s (%d syncs in %.1f s).\n",
                    syncMillis.size() / seconds, syncMillis.size(), seconds));
            report.add(String.format(Locale.ROOT, "Baseline, same concurrency: the same row writes straight into PostgreSQL with JDBC, "
                            + "one transaction per sync: p50 %.1f ms, p99 %.1f ms, %.1f syncs/s. Ratio of p50: %.1f×.\n",
                    percentile(rawMillis, 50), percentile(rawMillis, 99), rawMillis.size() / rawSeconds,
                    percentile(syncMillis, 50) / percentile(rawMillis, 50)));
            String text = String.join("\n", report) + "\n";
            Files.writeString(work.resolve("normal-sync.md"), text);
            System.out.println(text);
        }
    }

    private void runAll(List<String> keys, String base, int syncs, boolean record) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(USERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int u = 0; u < keys.size(); u++) {
                String key = keys.get(u);
                done.add(pool.submit(() -> {
                    RawSyncClient client = new RawSyncClient(base);
                    long[] counts = countsOf(client, key);
                    for (int i = 0; i < syncs; i++) {
                        dailySync(client, key, counts, record);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    /**
     * What the client's counts are at the start: a dry run of a sync whose sanity check fails
     * shows the server's counts, and the abort that follows leaves nothing behind.
     */
    private long[] countsOf(RawSyncClient client, String key) {
        String meta = step(client, key, "meta", "{\"v\":11,\"cv\":\"benchmark\"}", false);
        int usn = Integer.parseInt(meta.replaceAll(".*\"usn\":(\\d+).*", "$1"));
        step(client, key, "start", "{\"minUsn\":" + usn + ",\"lnewer\":false,\"graves\":null}", false);
        String answer = step(client, key, "sanityCheck2", "{\"client\":[[0,0,0],0,0,0,0,0,0,0]}", false);
        step(client, key, "abort", "{}", false);
        String[] s = answer.replaceAll(".*\"s\":\\[\\[0,0,0\\],([0-9,]+)\\].*", "$1").split(",");
        long[] counts = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            counts[i] = Long.parseLong(s[i]);
        }
        return counts; // cards, notes, revlog, graves (0), notetypes, decks, deck configs
    }

    /** One client's sync, as a v11 client sends it, with its day's reviews and notes. */
    private void dailySync(RawSyncClient client, String key, long[] counts, boolean record) {
        long start = System.nanoTime();
        String meta = step(client, key, "meta", "{\"v\":11,\"cv\":\"benchmark\"}", record);
        int usn = Integer.parseInt(meta.replaceAll(".*\"usn\":(\\d+).*", "$1"));
        step(client, key, "start", "{\"minUsn\":" + usn + ",\"lnewer\":false,\"graves\":null}", record);
        step(client, key, "applyChanges", "{\"changes\":{\"models\":[],\"decks\":[[],[]],\"tags\":[]}}", record);
        while (!step(client, key, "chunk", "{\"_pad\":null}", record).contains("\"done\":true")) {
            // the server has nothing new for a device that synced last, but the client asks anyway
        }
        long now = System.currentTimeMillis() / 1000;
        StringBuilder revlog = new StringBuilder();
        StringBuilder cards = new StringBuilder();
        for (int r = 0; r < REVIEWS; r++) {
            long card = (BASE + (ids.incrementAndGet() % NOTES)) * 2;
            comma(revlog).append('[').append(ids.incrementAndGet()).append(',').append(card).append(',').append(usn)
                    .append(",3,10,5,2500,6000,1]");
            comma(cards).append('[').append(card).append(',').append(card / 2).append(",1,0,").append(now).append(',').append(usn)
                    .append(",2,2,400,10,2500,8,1,0,0,0,0,\"{}\"]");
        }
        StringBuilder notes = new StringBuilder();
        for (int n = 0; n < NEW_NOTES; n++) {
            long nid = ids.incrementAndGet();
            comma(notes).append('[').append(nid).append(",\"b").append(nid).append("\",1600000000001,").append(now).append(',')
                    .append(usn).append(",\"\",\"front ").append(nid).append("\\u001fback\",\"\",\"\",0,\"\"]");
            for (int ord = 0; ord < 2; ord++) {
                comma(cards).append('[').append(ids.incrementAndGet()).append(',').append(nid).append(",1,").append(ord).append(',')
                        .append(now).append(',').append(usn).append(",0,0,").append(n).append(",0,0,0,0,0,0,0,0,\"{}\"]");
            }
        }
        step(client, key, "applyChunk", "{\"chunk\":{\"done\":true,\"revlog\":[" + revlog + "],\"cards\":[" + cards
                + "],\"notes\":[" + notes + "]}}", record);
        counts[0] += 2L * NEW_NOTES;
        counts[1] += NEW_NOTES;
        counts[2] += REVIEWS;
        String check = step(client, key, "sanityCheck2", String.format(Locale.ROOT,
                "{\"client\":[[0,0,0],%d,%d,%d,0,%d,%d,%d]}", counts[0], counts[1], counts[2], counts[4], counts[5], counts[6]), record);
        assertThat(check).contains("\"status\":\"ok\"");
        step(client, key, "finish", "{\"_pad\":null}", record);
        if (record) {
            syncMillis.add((System.nanoTime() - start) / 1e6);
        }
    }

    private String step(RawSyncClient client, String key, String method, String json, boolean record) {
        long t = System.nanoTime();
        RawSyncClient.Response r = client.call("sync/" + method, key, json);
        if (r.status() != 200) {
            throw new AssertionError(method + " answered " + r.status() + ": " + r.text());
        }
        String payload = r.payload();
        if (record) {
            stepMillis.computeIfAbsent(method, k -> Collections.synchronizedList(new ArrayList<>())).add((System.nanoTime() - t) / 1e6);
        }
        return payload;
    }

    /** The same writes as one daily sync, done directly: the floor for what a sync must cost. */
    private void rawBaseline(TestDatabase db, AccountService accounts) throws Exception {
        List<Long> users = accounts.listUsers().map(u -> u.id()).collectList().block();
        ExecutorService pool = Executors.newFixedThreadPool(USERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (long user : users) {
                done.add(pool.submit(() -> {
                    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
                        c.setAutoCommit(false);
                        for (int i = 0; i < SYNCS_PER_USER; i++) {
                            long t = System.nanoTime();
                            rawSync(c, user);
                            c.commit();
                            rawMillis.add((System.nanoTime() - t) / 1e6);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private void rawSync(Connection c, long user) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        try (PreparedStatement revlog = c.prepareStatement(
                "insert into revlog (user_id, id, cid, usn, ease, ivl, last_ivl, factor, time, type) values (?, ?, ?, 1, 3, 10, 5, 2500, 6000, 1)");
             PreparedStatement card = c.prepareStatement(
                     "update cards set mod = ?, usn = 1, type = 2, queue = 2, due = 400, ivl = 10, reps = 8 where user_id = ? and id = ?");
             PreparedStatement note = c.prepareStatement("insert into notes (user_id, id, guid, mid, mod, usn, tags, flds, sfld,"
                     + " sfld_kind, csum, flags, data) values (?, ?, ?, 1600000000001, ?, 1, '', ?, 'front', 3, 1, 0, '')");
             PreparedStatement newCard = c.prepareStatement("insert into cards (user_id, id, nid, did, ord, mod, usn, type, queue,"
                     + " due, ivl, factor, reps, lapses, \"left\", odue, odid, flags, data) values (?, ?, ?, 1, ?, ?, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '{}')")) {
            for (int r = 0; r < REVIEWS; r++) {
                long cid = (BASE + (ids.incrementAndGet() % NOTES)) * 2;
                revlog.setLong(1, user);
                revlog.setLong(2, ids.incrementAndGet());
                revlog.setLong(3, cid);
                revlog.addBatch();
                card.setLong(1, now);
                card.setLong(2, user);
                card.setLong(3, cid);
                card.addBatch();
            }
            for (int n = 0; n < NEW_NOTES; n++) {
                long nid = ids.incrementAndGet();
                note.setLong(1, user);
                note.setLong(2, nid);
                note.setString(3, "r" + nid);
                note.setLong(4, now);
                note.setBytes(5, ("front " + nid + "\u001fback").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                note.addBatch();
                for (int ord = 0; ord < 2; ord++) {
                    newCard.setLong(1, user);
                    newCard.setLong(2, ids.incrementAndGet());
                    newCard.setLong(3, nid);
                    newCard.setInt(4, ord);
                    newCard.setLong(5, now);
                    newCard.addBatch();
                }
            }
            revlog.executeBatch();
            card.executeBatch();
            note.executeBatch();
            newCard.executeBatch();
        }
    }

    private static StringBuilder comma(StringBuilder s) {
        return s.isEmpty() ? s : s.append(',');
    }

    private static double percentile(List<Double> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
