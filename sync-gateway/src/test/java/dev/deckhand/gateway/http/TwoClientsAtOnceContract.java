package dev.deckhand.gateway.http;

import dev.deckhand.protocol.AnkiHeaders;
import dev.deckhand.protocol.SyncHeader;
import dev.deckhand.protocol.ZstdFraming;
import dev.deckhand.store.fullsync.LegacyCollectionFixture;
import dev.deckhand.testsupport.PostgresWaits;
import dev.deckhand.testsupport.RawSyncClient;
import dev.deckhand.testsupport.ShiftedClock;
import dev.deckhand.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two clients of one account syncing at once, by hand over HTTP (docs/architecture.md, "Two
 * devices at once"): the first one's normal sync finishes undisturbed while a second one is
 * refused with 409, until the first has been idle for {@code takeover-after}; then the second
 * takes over, and the first's next step gets 409. Each device logs in on its own, as real ones
 * do; within one sync the client keeps its session key, and each sync takes a new one.
 * Implemented by the all-in-one server (sessions in memory) and by two gateways sharing Redis,
 * where the first device's requests alternate between the gateways.
 */
public abstract class TwoClientsAtOnceContract {

    /** The fixture collection: usn 5, note type 7 with two fields, deck 1. */
    static final int USN = 5;
    static final int FIXTURE_NOTES = 3;
    static final long NOTETYPE = 7;
    static final String EMPTY_CHANGES = "{\"changes\":{\"models\":[],\"decks\":[[],[]],\"tags\":[]}}";
    static final String NO_GRAVES = "{\"chunk\":{\"cards\":[],\"decks\":[],\"notes\":[]}}";
    static final String START = "{\"minUsn\":" + USN + ",\"lnewer\":true,\"graves\":null}";
    static final String META = "{\"v\":11,\"cv\":\"anki,2.1.66 (70506aeb),lin:debian:12\"}";
    private static final AtomicInteger USERS = new AtomicInteger();

    /** The gateways devices talk to: {@code 0} and {@code 1}, the same server when there is one. */
    protected abstract RawSyncClient gateway(int i);

    /** The clock the gateways' sessions are timed by. */
    protected abstract ShiftedClock sessionClock();

    protected abstract TestDatabase database();

    /** Adds an account; returns its user id. */
    protected abstract long addUser(String name, String password);

    /** {@code deckhand.sessions.takeover-after} as the gateways have it. */
    protected abstract Duration takeoverAfter();

    @TempDir
    Path dir;

    long userId;
    Device a;
    Device b;

    /** A fresh account with the fixture uploaded, and two devices logged in to it. */
    @BeforeEach
    void twoDevices() {
        String name = "two-at-once-" + USERS.incrementAndGet() + "-" + System.nanoTime();
        userId = addUser(name, "pw");
        a = new Device("A", login(name, 0), 0, true);
        b = new Device("B", login(name, 1), 1, false);
        byte[] fixture = LegacyCollectionFixture.bytes(dir, "fixture", FIXTURE_NOTES);
        RawSyncClient.Response upload = a.post("sync/upload", "up1", ZstdFraming.compress(fixture));
        assertThat(upload.status()).as(upload.text()).isEqualTo(200);
        assertThat(upload.payload()).isEqualTo("OK");
    }

    // ---- within takeover-after ------------------------------------------------------------

    @Test
    public void whileASyncIsActiveAnotherClientsMetaStartAndFullSyncsAre409AndTheSyncCompletesEveryStep() {
        assertThat(a.ok("meta", "a1", META)).contains("\"usn\":5");
        a.ok("start", "a1", START);
        b.refused("meta", "b1", META);
        // the real client sends abort after a failed start: with its own key, which is not the open sync's
        b.refused("start", "b1", START);
        assertThat(b.ok("abort", "b1", "{}")).isEqualTo("null");
        a.ok("applyGraves", "a1", NO_GRAVES);
        b.refused("meta", "b2", META);
        a.ok("applyChanges", "a1", EMPTY_CHANGES);
        // a full sync would replace the collection under the open sync
        RawSyncClient.Response upload = b.post("sync/upload", "b3",
                ZstdFraming.compress(LegacyCollectionFixture.bytes(dir, "b", 1)));
        assertThat(upload.status()).as(upload.text()).isEqualTo(409);
        assertThat(b.post("sync/download", "b4", zstd("{}")).status()).isEqualTo(409);
        a.chunksUntilDone("a1");
        long nid = 1_700_000_100_000L;
        a.ok("applyChunk", "a1", chunk(nid));
        b.refused("start", "b5", START);
        assertThat(a.ok("sanityCheck2", "a1", counts(FIXTURE_NOTES + 1))).contains("\"status\":\"ok\"");
        b.refused("meta", "b6", META);
        assertThat(a.ok("finish", "a1", "{}")).matches("[0-9]{13}");
        assertThat(liveNotes()).contains(nid);
        assertThat(usn()).isEqualTo(USN + 1);

        // finish freed the account at once
        assertThat(b.ok("meta", "b7", META)).contains("\"usn\":6");
        b.ok("start", "b7", "{\"minUsn\":" + USN + ",\"lnewer\":false,\"graves\":null}");
        b.ok("applyChanges", "b7", EMPTY_CHANGES);
        assertThat(b.ok("chunk", "b7", "{}")).contains("[" + nid + ",");
        b.ok("abort", "b7", "{}");
    }

    @Test
    public void anAbortWithAnotherSessionsKeyChangesNothing() {
        a.beginSync("a1");
        long nid = 1_700_000_200_000L;
        a.ok("applyChunk", "a1", chunk(nid));
        // from another device, and from this device's own cancel, which comes with a new key
        assertThat(b.ok("abort", "b1", "{}")).isEqualTo("null");
        assertThat(a.ok("abort", "a-cancel", "{}")).isEqualTo("null");
        assertThat(stagedRows()).as("what the sync staged").isPositive();
        assertThat(a.ok("sanityCheck2", "a1", counts(FIXTURE_NOTES + 1))).contains("\"status\":\"ok\"");
        a.ok("finish", "a1", "{}");
        assertThat(liveNotes()).contains(nid);
    }

    @Test
    public void anAbortWithTheSessionsOwnKeyEndsItAndFreesTheAccount() {
        a.beginSync("a1");
        long nid = 1_700_000_300_000L;
        a.ok("applyChunk", "a1", chunk(nid));
        assertThat(a.ok("abort", "a1", "{}")).isEqualTo("null");
        assertThat(stagedRows()).isZero();
        a.refused("sanityCheck2", "a1", counts(FIXTURE_NOTES + 1));
        a.refused("finish", "a1", "{}");
        assertThat(liveNotes()).doesNotContain(nid);
        // no need to wait: another client syncs at once
        b.ok("meta", "b1", META);
        b.syncsANote("b1", 1_700_000_350_000L);
    }

    @Test
    public void theOpenSessionsOwnClientIsNeverRefused() {
        a.beginSync("a1");
        // its own start again begins its sync anew, and so does its own meta
        a.ok("start", "a1", START);
        a.ok("meta", "a1", META);
        a.syncsANote("a1", 1_700_000_400_000L);
    }

    // ---- after takeover-after --------------------------------------------------------------

    @Test
    public void aSyncIdleForTheGracePeriodIsTakenOverByMetaAndItsNextStepIs409() {
        a.beginSync("a1");
        long mine = 1_700_000_500_000L;
        a.ok("applyChunk", "a1", chunk(mine));
        // refused until takeover-after has passed since the last step, and not a moment longer
        sessionClock().shift(takeoverAfter().minusSeconds(2));
        b.refused("meta", "b1", META);
        sessionClock().shift(Duration.ofSeconds(3));
        b.ok("meta", "b2", META);
        // the take-over fenced the old sync off and dropped what it staged
        assertThat(stagedRows()).isZero();
        a.refused("sanityCheck2", "a1", counts(FIXTURE_NOTES + 1));
        a.refused("finish", "a1", "{}");
        // its client's abort, with its own key, is no longer the open session's: nothing happens
        a.ok("abort", "a1", "{}");
        assertThat(liveNotes()).doesNotContain(mine);
        b.syncsANote("b2", 1_700_000_550_000L);
    }

    @Test
    public void aSyncIdleForTheGracePeriodIsTakenOverByStartWhichThenCompletes() {
        a.beginSync("a1");
        long first = 1_700_000_600_000L;
        long second = 1_700_000_650_000L;
        a.ok("applyChunk", "a1", chunk(first));
        sessionClock().shift(takeoverAfter().plusSeconds(1));
        b.beginSync("b1");
        a.refused("sanityCheck2", "a1", counts(FIXTURE_NOTES + 1));
        // the first device is now the other client: refused while B's sync is active
        a.refused("meta", "a2", META);
        a.refused("start", "a2", START);
        b.ok("applyChunk", "b1", chunk(second));
        assertThat(b.ok("sanityCheck2", "b1", counts(FIXTURE_NOTES + 1))).contains("\"status\":\"ok\"");
        b.ok("finish", "b1", "{}");
        assertThat(liveNotes()).contains(second).doesNotContain(first);
        assertThat(usn()).isEqualTo(USN + 1);
    }

    @Test
    public void aFullUploadAfterTheGracePeriodTakesOver() {
        a.beginSync("a1");
        a.ok("applyChunk", "a1", chunk(1_700_000_700_000L));
        sessionClock().shift(takeoverAfter().plusSeconds(1));
        RawSyncClient.Response upload = b.post("sync/upload", "b1",
                ZstdFraming.compress(LegacyCollectionFixture.bytes(dir, "b", 7)));
        assertThat(upload.status()).as(upload.text()).isEqualTo(200);
        a.refused("finish", "a1", "{}");
        assertThat(liveNotes()).hasSize(7);
    }

    // ---- a step in flight ---------------------------------------------------------------

    /**
     * The grace period runs from a step's arrival too, not only from the completion of the one
     * before: a step that is still running when the previous one is longer ago than
     * takeover-after keeps the account, and its sync completes.
     */
    @Test
    public void aStepInFlightKeepsTheAccount() throws Exception {
        a.beginSync("a1");
        long nid = 1_700_000_800_000L;
        try (HeldRow held = HeldRow.of(database(), userId, nid)) {
            sessionClock().shift(takeoverAfter().minusSeconds(2));
            CompletableFuture<RawSyncClient.Response> inFlight =
                    CompletableFuture.supplyAsync(() -> a.step("applyChunk", "a1", chunk(nid)));
            held.awaitWaiter();
            // now takeover-after has passed since chunk completed, but not since applyChunk arrived
            sessionClock().shift(Duration.ofSeconds(3));
            b.refused("meta", "b1", META);
            b.refused("start", "b1", START);
            held.release();
            RawSyncClient.Response staged = inFlight.get(30, TimeUnit.SECONDS);
            assertThat(staged.status()).as(staged.text()).isEqualTo(200);
        }
        assertThat(a.ok("sanityCheck2", "a1", counts(FIXTURE_NOTES + 1))).contains("\"status\":\"ok\"");
        a.ok("finish", "a1", "{}");
        assertThat(liveNotes()).contains(nid);
    }

    /** A step that outlives takeover-after may be overtaken: then it gets 409, and nothing of its sync is committed. */
    @Test
    public void aStepOvertakenWhileInFlightGets409AndCommitsNothing() throws Exception {
        a.beginSync("a1");
        long mine = 1_700_000_900_000L;
        long theirs = 1_700_000_950_000L;
        try (HeldRow held = HeldRow.of(database(), userId, mine)) {
            CompletableFuture<RawSyncClient.Response> inFlight =
                    CompletableFuture.supplyAsync(() -> a.step("applyChunk", "a1", chunk(mine)));
            held.awaitWaiter();
            sessionClock().shift(takeoverAfter().plusSeconds(1));
            b.beginSync("b1");
            held.release();
            RawSyncClient.Response overtaken = inFlight.get(30, TimeUnit.SECONDS);
            assertThat(overtaken.status()).as(overtaken.text()).isEqualTo(409);
        }
        a.refused("sanityCheck2", "a1", counts(FIXTURE_NOTES + 1));
        a.refused("finish", "a1", "{}");
        b.ok("applyChunk", "b1", chunk(theirs));
        assertThat(b.ok("sanityCheck2", "b1", counts(FIXTURE_NOTES + 1))).contains("\"status\":\"ok\"");
        b.ok("finish", "b1", "{}");
        assertThat(liveNotes()).contains(theirs).doesNotContain(mine);
    }

    // ---- helpers ---------------------------------------------------------------------------

    String login(String name, int gateway) {
        RawSyncClient.Response r = gateway(gateway).call("sync/hostKey", "", "{\"u\":\"" + name + "\",\"p\":\"pw\"}");
        assertThat(r.status()).isEqualTo(200);
        return r.payload().replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
    }

    /** One device: its own host key, and the gateway it uses (alternating, for the first device). */
    final class Device {
        final String name;
        final String hostKey;
        int next;
        final boolean alternate;

        Device(String name, String hostKey, int gateway, boolean alternate) {
            this.name = name;
            this.hostKey = hostKey;
            this.next = gateway;
            this.alternate = alternate;
        }

        RawSyncClient.Response post(String path, String sessionKey, byte[] body) {
            RawSyncClient client = gateway(next);
            if (alternate) {
                next = 1 - next;
            }
            return client.post(path, Map.of(AnkiHeaders.SYNC,
                    new SyncHeader(11, hostKey, "anki,2.1.66 (70506aeb),lin:debian:12", sessionKey).toJson()), body);
        }

        RawSyncClient.Response step(String method, String sessionKey, String json) {
            return post("sync/" + method, sessionKey, zstd(json));
        }

        String ok(String method, String sessionKey, String json) {
            RawSyncClient.Response r = step(method, sessionKey, json);
            assertThat(r.status()).as("%s's %s (%s): %s", name, method, sessionKey, r.text()).isEqualTo(200);
            return r.payload();
        }

        void refused(String method, String sessionKey, String json) {
            RawSyncClient.Response r = step(method, sessionKey, json);
            assertThat(r.status()).as("%s's %s (%s) got an answer", name, method, sessionKey).isEqualTo(409);
        }

        /** start, applyChanges and chunk until done: where a client begins sending its rows. */
        void beginSync(String sessionKey) {
            ok("start", sessionKey, START);
            ok("applyChanges", sessionKey, EMPTY_CHANGES);
            chunksUntilDone(sessionKey);
        }

        void chunksUntilDone(String sessionKey) {
            while (!ok("chunk", sessionKey, "{}").contains("\"done\":true")) {
                // more to come
            }
        }

        /** A whole sync from start that adds one note. */
        void syncsANote(String sessionKey, long nid) {
            int usn = usn();
            int notes = liveNotes().size();
            beginSync(sessionKey);
            ok("applyChunk", sessionKey, chunk(nid));
            assertThat(ok("sanityCheck2", sessionKey, counts(notes + 1))).contains("\"status\":\"ok\"");
            ok("finish", sessionKey, "{}");
            assertThat(usn()).isEqualTo(usn + 1);
            assertThat(liveNotes()).contains(nid);
        }
    }

    static byte[] zstd(String json) {
        return ZstdFraming.compress(json.getBytes(StandardCharsets.UTF_8));
    }

    /** One new note with a card in the Default deck, as a v11 client sends it. */
    static String chunk(long nid) {
        String note = "[" + nid + ",\"g" + nid + "\"," + NOTETYPE + ",1700000100," + USN + ",\"\",\"front\\u001fback\",\"\",\"\",0,\"\"]";
        String card = "[" + (nid + 1) + "," + nid + ",1,0,1700000100," + USN + ",0,0,9,0,0,0,0,0,0,0,0,\"{}\"]";
        return "{\"chunk\":{\"done\":true,\"notes\":[" + note + "],\"cards\":[" + card + "]}}";
    }

    /** sanityCheck2 with as many cards as notes, one note type, deck and deck config. */
    static String counts(long notes) {
        return "{\"client\":[[0,0,0]," + notes + "," + notes + ",0,0,1,1,1]}";
    }

    List<Long> liveNotes() {
        return longs("select id from notes where user_id = " + userId + " order by id");
    }

    int usn() {
        return longs("select usn from collections where user_id = " + userId).get(0).intValue();
    }

    long stagedRows() {
        return longs("select count(*) from sync_staged_rows where user_id = " + userId).get(0);
    }

    List<Long> longs(String sql) {
        TestDatabase db = database();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            List<Long> values = new java.util.ArrayList<>();
            while (rs.next()) {
                values.add(rs.getLong(1));
            }
            return values;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /**
     * Holds up the staging of one note: an uncommitted row with the key the note will be staged
     * under (the user's current epoch), so that the step's insert waits for this transaction.
     */
    static final class HeldRow implements AutoCloseable {

        private final TestDatabase db;
        private final Connection connection;
        private final int backend;

        private HeldRow(TestDatabase db, Connection connection, int backend) {
            this.db = db;
            this.connection = connection;
            this.backend = backend;
        }

        static HeldRow of(TestDatabase db, long userId, long noteId) throws SQLException {
            Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                int backend = PostgresWaits.backendPid(c);
                // kind 2 is a note (RowKind)
                s.executeUpdate("insert into sync_staged_rows (user_id, epoch, kind, id, tuple) select user_id, sync_epoch, 2, "
                        + noteId + ", 'held' from collections where user_id = " + userId);
                return new HeldRow(db, c, backend);
            }
        }

        /** Returns once another statement waits for this transaction: the step is under way. */
        void awaitWaiter() throws Exception {
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
                if (PostgresWaits.awaitWaiterOn(c, backend, Duration.ofSeconds(30))) {
                    return;
                }
            }
            throw new AssertionError("the step never waited for the held row");
        }

        void release() throws SQLException {
            if (!connection.isClosed()) {
                connection.rollback();
                connection.close();
            }
        }

        @Override
        public void close() throws SQLException {
            release();
        }
    }
}
