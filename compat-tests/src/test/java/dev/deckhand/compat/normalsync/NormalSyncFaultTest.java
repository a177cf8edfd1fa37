package dev.deckhand.compat.normalsync;

import anki.notes.Note;
import dev.deckhand.ankiclient.AnkiClientException;
import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.SyncCredentials;
import dev.deckhand.ankiclient.SyncRequired;
import dev.deckhand.compat.collection.CollectionDigest;
import dev.deckhand.compat.collection.VariedCollection;
import dev.deckhand.protocol.ZstdFraming;
import dev.deckhand.server.DeckhandServer;
import dev.deckhand.server.config.ServerSettings;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.testsupport.TestDatabase;
import dev.deckhand.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Normal syncs that break off: the real client talks to the server through {@link FaultProxy},
 * which can break the first request of one step in three ways. Whatever step breaks, the
 * server's collection must stay as it was (nothing staged may become visible), the staged rows
 * must go, and the client's next sync must be an ordinary normal sync that converges. Then two
 * devices sync against each other at the same moment, over and over, and nothing may be lost.
 *
 */
class NormalSyncFaultTest {

    private static final String PASSWORD = "pw";
    private static final List<String> STEPS =
            List.of("start", "applyGraves", "applyChanges", "chunk", "applyChunk", "sanityCheck2", "finish");
    /** As the issue asks; a round takes about 0.3 s on two cores. */
    private static final int RACE_ROUNDS = 100;
    /** Anki stores modification times in seconds, and on a tie each side keeps its own version. */
    private static final long SAME_SECOND_GUARD_MILLIS = 1_100;

    static DeckhandServer server;
    static TestDatabase database;
    static FaultProxy proxy;
    static String endpoint;
    static Path base;

    @TempDir
    Path devices;

    /** How the proxy breaks the armed step, and what the client then reports. */
    enum Fault {
        /** Answers 500 itself; the server never sees the request. The client rolls back and sends abort. */
        ANSWER_500(AnkiClientException.Kind.SERVER_ERROR),
        /** The server handles the request, but its answer is lost: the client vanishes after it. */
        DROP_RESPONSE(AnkiClientException.Kind.NETWORK),
        /** The request is lost and the connection closed: the client vanishes before it. */
        DROP_REQUEST(AnkiClientException.Kind.NETWORK);

        final AnkiClientException.Kind clientSees;

        Fault(AnkiClientException.Kind clientSees) {
            this.clientSees = clientSees;
        }
    }

    @BeforeAll
    static void start() throws IOException {
        database = TestPostgres.newDatabase();
        base = Path.of("target", "normal-sync-fault").toAbsolutePath();
        server = DeckhandServer.start(ServerSettings.fromEnvironment(Map.of(
                "SYNC_HOST", "127.0.0.1", "SYNC_PORT", "0",
                "SYNC_BASE", base.toString(),
                "DATABASE_URL", database.jdbcUrl())));
        proxy = FaultProxy.start(server.port());
        endpoint = "http://127.0.0.1:" + proxy.port() + "/";
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static Stream<Arguments> stepsAndFaults() {
        return STEPS.stream().flatMap(step -> Stream.of(Fault.values()).map(fault -> Arguments.of(step, fault)));
    }

    @ParameterizedTest(name = "{1} at {0}")
    @MethodSource("stepsAndFaults")
    void aSyncBrokenOffAtAnyStepLeavesTheServerAsItWasAndTheNextSyncConverges(String step, Fault fault) {
        String user = "fault-" + step + "-" + fault.name().toLowerCase(Locale.ROOT).replace('_', '-');
        long userId = server.context().getBean(AccountService.class).addUser(user, PASSWORD).block().id();
        long seed = STEPS.indexOf(step) * 10L + fault.ordinal();
        try (AnkiDevice a = AnkiDevice.open(devices.resolve("a")); AnkiDevice b = AnkiDevice.open(devices.resolve("b"))) {
            VariedCollection.populate(a, 20, seed);
            DevicesInSync inSync = DevicesInSync.of(a, b, endpoint, user, PASSWORD);
            SyncCredentials authA = inSync.authA();
            SyncCredentials authB = inSync.authB();

            // news on the server that A has not seen, so that start sends graves and chunk sends rows
            b.addBasicNote("from B at " + step, "B's answer");
            long deletedOnB = b.queryLong("select min(id) from notes");
            b.call(() -> b.backend().removeNotes(List.of(deletedOnB), List.of()));
            assertThat(b.syncCollection(authB).required()).isEqualTo(SyncRequired.NO_CHANGES);
            // A's changes include two deleted notes, so its sync sends applyGraves
            VariedCollection.Mutation mutation = VariedCollection.mutate(a, seed + 1_000);

            List<String> before = serverRows(userId);
            int mark = proxy.mark();
            proxy.arm(step, fault);
            AnkiClientException failure = catchThrowableOfType(AnkiClientException.class, () -> a.syncCollection(authA));
            List<String> seen = proxy.methodsSince(mark);
            assertThat(failure).as("A's sync should fail; requests: %s", seen).isNotNull();
            assertThat(proxy.fired()).as("the fault was never triggered; requests: %s", seen).isTrue();
            assertThat(failure.kind()).as("%s", failure).isEqualTo(fault.clientSees);
            // the client rolls back and says so, whether or not its abort reaches the server
            assertThat(seen).as("requests").contains(step).last().isEqualTo("abort");

            List<String> after = serverRows(userId);
            if (fault == Fault.DROP_RESPONSE && step.equals("finish")) {
                // the server committed and only the answer was lost: the next sync must still converge
                assertThat(after).as("finish committed on the server").isNotEqualTo(before);
            } else {
                assertThat(after).as("the server's collection changed: %s", rowDiff(before, after)).isEqualTo(before);
            }
            if (fault == Fault.ANSWER_500) {
                assertThat(stagedRows(userId)).as("staged rows after the client's abort").isZero();
            } else if (step.equals("sanityCheck2")) {
                // the client's abort was lost too: everything it sent is still staged, unseen
                assertThat(stagedRows(userId)).as("staged rows of the abandoned sync").isPositive();
            }

            proxy.disarm();
            mark = proxy.mark();
            assertThat(a.syncCollection(authA).required()).as("A's next sync").isEqualTo(SyncRequired.NO_CHANGES);
            assertThat(proxy.methodsSince(mark)).as("A's next sync is a normal one")
                    .contains("start", "applyChunk", "finish")
                    .doesNotContain("upload", "download", "abort");
            assertThat(stagedRows(userId)).as("staged rows after a successful sync").isZero();
            // the comparison above would have seen A's changes: here they are
            assertThat(serverRows(userId)).as("after A's successful sync").isNotEqualTo(before);

            assertThat(b.syncCollection(authB).required()).as("B's sync").isEqualTo(SyncRequired.NO_CHANGES);
            CollectionDigest onA = CollectionDigest.of(a);
            CollectionDigest onB = CollectionDigest.of(b);
            assertThat(onA.sha256()).as("%s", CollectionDigest.diff(onA, onB)).isEqualTo(onB.sha256());
            Set<String> guidsOnB = new LinkedHashSet<>(strings(b.query("select guid from notes")));
            assertThat(guidsOnB).as("notes A added").containsAll(mutation.addedNoteGuids());
            assertThat(guidsOnB).as("notes A deleted").doesNotContainAnyElementsOf(mutation.deletedNoteGuids());
            assertThat(b.queryLong("select count() from notes where id = ?", deletedOnB)).isZero();
        } finally {
            proxy.disarm();
        }
    }

    /**
     * Two devices change something and sync at the same moment, round after round. The server may
     * turn either away ("only one copy of Anki can sync at once"); the device then syncs again.
     * Each device edits, flags and deletes only notes it added, never one it changed within the
     * same second, so that the protocol's tie rule cannot decide anything: the end state is
     * fully determined, and every change must reach both devices.
     */
    @Test
    void twoDevicesSyncingAtTheSameTimeLoseNothing() throws Exception {
        race("race");
    }

    /**
     * The same race, but the proxy loses every {@code abort}: a device turned away simply vanishes,
     * and the next {@code meta} or {@code start} ends what it left open.
     */
    @Test
    void twoDevicesSyncingAtTheSameTimeLoseNothingWhenTheirAbortsAreLost() throws Exception {
        proxy.dropAborts(true);
        try {
            race("race-no-aborts");
        } finally {
            proxy.dropAborts(false);
        }
    }

    private void race(String user) throws Exception {
        long userId = server.context().getBean(AccountService.class).addUser(user, PASSWORD).block().id();
        Map<Long, String> expected = new ConcurrentHashMap<>();
        long started = System.nanoTime();
        try (AnkiDevice a = AnkiDevice.open(devices.resolve("a")); AnkiDevice b = AnkiDevice.open(devices.resolve("b"));
                ExecutorService threadA = Executors.newSingleThreadExecutor();
                ExecutorService threadB = Executors.newSingleThreadExecutor()) {
            Racer ra = new Racer("A", a, expected);
            Racer rb = new Racer("B", b, expected);
            for (int i = 0; i < 3; i++) {
                ra.add(0);
            }
            ra.auth = a.login(endpoint, user, PASSWORD);
            assertThat(a.syncCollection(ra.auth).required()).isEqualTo(SyncRequired.FULL_UPLOAD);
            a.fullUpload(ra.auth);
            rb.auth = b.login(endpoint, user, PASSWORD);
            assertThat(b.syncCollection(rb.auth).required()).isEqualTo(SyncRequired.FULL_DOWNLOAD);
            b.fullDownload(rb.auth);

            int mark = proxy.mark();
            try {
                for (int round = 1; round <= RACE_ROUNDS; round++) {
                    int r = round;
                    // Note and card ids are the client's clock in ms: two devices adding at the same
                    // millisecond would make the same id, so the devices change things one after
                    // the other, and only sync at once.
                    threadA.submit(() -> ra.change(r)).get(30, TimeUnit.SECONDS);
                    Thread.sleep(3);
                    threadB.submit(() -> rb.change(r)).get(30, TimeUnit.SECONDS);
                    CyclicBarrier bothReady = new CyclicBarrier(2);
                    Future<?> fa = threadA.submit(() -> ra.syncAtOnce(r, bothReady));
                    Future<?> fb = threadB.submit(() -> rb.syncAtOnce(r, bothReady));
                    fa.get(120, TimeUnit.SECONDS);
                    fb.get(120, TimeUnit.SECONDS);
                }
            } finally {
                // what each device asked and the server answered, to read when this fails
                Files.createDirectories(base);
                Files.write(base.resolve(user + "-requests.log"), proxy.exchangesSince(mark));
            }
            List<String> raceRequests = proxy.methodsSince(mark);
            assertThat(ra.conflicts + rb.conflicts).as("syncs turned away: did the devices race at all?").isPositive();

            // each normal sync moves the server's mod, so A, B, A brings both up to date
            ra.syncUntilAccepted(RACE_ROUNDS + 1);
            rb.syncUntilAccepted(RACE_ROUNDS + 1);
            ra.syncUntilAccepted(RACE_ROUNDS + 1);

            for (Racer racer : List.of(ra, rb)) {
                Map<Long, String> notes = new TreeMap<>();
                for (List<Object> row : racer.device.query("select id, flds from notes")) {
                    notes.put(((Number) row.get(0)).longValue(), (String) row.get(1));
                }
                assertThat(notes).as("notes on %s", racer.name).isEqualTo(new TreeMap<>(expected));
            }
            CollectionDigest onA = CollectionDigest.of(a);
            CollectionDigest onB = CollectionDigest.of(b);
            assertThat(onA.sha256()).as("%s", CollectionDigest.diff(onA, onB)).isEqualTo(onB.sha256());
            assertThat(stagedRows(userId)).as("staged rows after the race").isZero();

            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            // the client's native library owns stdout, so the figures go to a file for the record
            Files.createDirectories(base);
            Files.writeString(base.resolve(user + "-summary.txt"), String.format(Locale.ROOT,
                    "rounds %d, %d s; attempts refused with 409: A %d, B %d; requests %d (start %d, finish %d, abort %d);"
                            + " notes at the end %d%n",
                    RACE_ROUNDS, seconds, ra.conflicts, rb.conflicts, raceRequests.size(),
                    Collections.frequency(raceRequests, "start"), Collections.frequency(raceRequests, "finish"),
                    Collections.frequency(raceRequests, "abort"), expected.size()));
        }
    }

    /**
     * An {@code abort} from another client ends the user's open sync, whatever its session key (as
     * in Anki's server). In the race above the other device sends it after it was itself turned
     * away with 409. Arriving while a step of the open sync is running, it must end that sync
     * cleanly: the sync's next step answers 409 and nothing of it is committed, or, if too late,
     * the sync completes whole. Either way the device's next sync is a normal one and converges.
     */
    @ParameterizedTest(name = "another client's abort during {0}")
    @ValueSource(strings = {"sanityCheck2", "finish"})
    void anAbortFromAnotherClientWhileAStepRunsEndsTheSyncWhole(String step) throws Exception {
        String user = "abort-during-" + step.toLowerCase(Locale.ROOT);
        long userId = server.context().getBean(AccountService.class).addUser(user, PASSWORD).block().id();
        try (AnkiDevice a = AnkiDevice.open(devices.resolve("a")); AnkiDevice b = AnkiDevice.open(devices.resolve("b"))) {
            for (int i = 0; i < 3; i++) {
                a.addBasicNote("first " + i, "back");
            }
            DevicesInSync inSync = DevicesInSync.of(a, b, endpoint, user, PASSWORD);
            SyncCredentials authA = inSync.authA();
            SyncCredentials authB = inSync.authB();

            // one note with a thousand new tags: merging the tags one by one keeps the step busy
            // for a while before it reads the staged note and card
            a.call(() -> {
                long basic = a.backend().getNotetypeIdByName("Basic");
                Note.Builder note = a.backend().newNote(basic).toBuilder().setFields(0, "tagged").setFields(1, "back");
                for (int i = 0; i < 1_000; i++) {
                    note.addTags("many::t" + i);
                }
                return a.backend().addNote(note.build(), a.backend().defaultDeckForNotetype(basic));
            });
            List<String> before = serverRows(userId);

            CompletableFuture<Void> aborted =
                    proxy.afterForwarding(step, 50, () -> assertThat(abortAs(authB.hostKey(), "other")).isEqualTo(200));
            AnkiClientException failure = catchThrowableOfType(AnkiClientException.class, () -> a.syncCollection(authA));
            aborted.get(30, TimeUnit.SECONDS);
            if (failure != null) {
                assertThat(failure.kind()).as("%s", failure).isEqualTo(AnkiClientException.Kind.CONFLICT);
                assertThat(serverRows(userId)).as("an aborted sync changed the server: %s",
                        rowDiff(before, serverRows(userId))).isEqualTo(before);
            } else {
                assertThat(serverCount(userId, "notes")).as("notes on the server after A's sync succeeded")
                        .isEqualTo(a.noteCount());
            }
            assertThat(a.syncCollection(authA).required()).as("A's next sync").isEqualTo(SyncRequired.NO_CHANGES);
            assertThat(b.syncCollection(authB).required()).as("B's sync").isEqualTo(SyncRequired.NO_CHANGES);
            assertThat(b.noteCount()).isEqualTo(a.noteCount());
            CollectionDigest onA = CollectionDigest.of(a);
            CollectionDigest onB = CollectionDigest.of(b);
            assertThat(onA.sha256()).as("%s", CollectionDigest.diff(onA, onB)).isEqualTo(onB.sha256());
        }
    }

    /**
     * A normal sync in which the client sends hundreds of rows. Merging them once hung for good
     * past about 30 staged rows (fixed in 7266c8b); the fault tests above send fewer.
     */
    @Test
    void aNormalSyncSendingHundredsOfRowsCompletes() {
        String user = "many-rows";
        long userId = server.context().getBean(AccountService.class).addUser(user, PASSWORD).block().id();
        try (AnkiDevice a = AnkiDevice.open(devices.resolve("a"))) {
            a.addBasicNote("first", "back");
            SyncCredentials auth = a.login(endpoint, user, PASSWORD);
            assertThat(a.syncCollection(auth).required()).isEqualTo(SyncRequired.FULL_UPLOAD);
            a.fullUpload(auth);
            a.inTransaction(() -> {
                for (int i = 0; i < 300; i++) {
                    a.addBasicNote("new " + i, "back " + i);
                }
                return null;
            });
            assertThat(a.syncCollection(auth).required()).isEqualTo(SyncRequired.NO_CHANGES);
            assertThat(serverCount(userId, "notes")).isEqualTo(301);
            assertThat(serverCount(userId, "cards")).isEqualTo(301);
            assertThat(stagedRows(userId)).isZero();
        }
    }

    /** What a client sends after a failed step: {@code abort}, here straight to the server. */
    static int abortAs(String hostKey, String sessionKey) {
        String header = "{\"v\":11,\"k\":\"" + hostKey + "\",\"c\":\"2.1.66,70506aeb,linux\",\"s\":\"" + sessionKey + "\"}";
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/sync/abort"))
                .header("anki-sync", header)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(
                        ZstdFraming.compress("{}".getBytes(StandardCharsets.UTF_8))))
                .build();
        try (HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).build()) {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static long serverCount(long userId, String table) {
        try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
                PreparedStatement s = c.prepareStatement("select count(*) from " + table + " where user_id = ?")) {
            s.setLong(1, userId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One device in the race, and the notes it owns. */
    private static final class Racer {
        final String name;
        final AnkiDevice device;
        final Map<Long, String> expected;
        /** Own notes, least recently changed first, with when they were last changed (ms). */
        final Deque<long[]> owned = new ArrayDeque<>();
        SyncCredentials auth;
        int conflicts;

        Racer(String name, AnkiDevice device, Map<Long, String> expected) {
            this.name = name;
            this.device = device;
            this.expected = expected;
        }

        Void syncAtOnce(int round, CyclicBarrier bothReady) throws Exception {
            try {
                bothReady.await(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                bothReady.reset();
                throw e;
            }
            syncUntilAccepted(round);
            return null;
        }

        long add(int round) {
            String front = name + " adds in round " + round;
            String back = "back " + round;
            long id = device.addBasicNote(front, back);
            expected.put(id, front + "\u001f" + back);
            owned.addLast(new long[] {id, System.currentTimeMillis()});
            return id;
        }

        /** A new note, an edit and a flag on an older one, and every tenth round a deletion. */
        void change(int round) {
            add(round);
            long[] oldest = owned.peekFirst();
            if (oldest != null && System.currentTimeMillis() - oldest[1] >= SAME_SECOND_GUARD_MILLIS) {
                owned.removeFirst();
                long id = oldest[0];
                if (round % 10 == 0) {
                    device.call(() -> device.backend().removeNotes(List.of(id), List.of()));
                    expected.remove(id);
                    return;
                }
                device.call(() -> {
                    Note note = device.backend().getNote(id);
                    Note edited = note.toBuilder().setFields(1, name + " edits in round " + round).build();
                    device.backend().updateNotes(List.of(edited), false);
                    List<Long> cards = new ArrayList<>();
                    for (List<Object> row : device.query("select id from cards where nid = ?", id)) {
                        cards.add(((Number) row.get(0)).longValue());
                    }
                    device.backend().setFlag(cards, 1 + round % 7);
                    return null;
                });
                expected.put(id, String.join("\u001f", device.call(() -> device.backend().getNote(id).getFieldsList())));
                owned.addLast(new long[] {id, System.currentTimeMillis()});
            }
        }

        /** Syncs until the server accepts; only the "another device is syncing" refusal is expected. */
        void syncUntilAccepted(int round) {
            for (int attempt = 1; ; attempt++) {
                try {
                    SyncRequired required = device.syncCollection(auth).required();
                    assertThat(required).as("%s in round %d, attempt %d", name, round, attempt)
                            .isEqualTo(SyncRequired.NO_CHANGES);
                    return;
                } catch (AnkiClientException e) {
                    if (e.kind() != AnkiClientException.Kind.CONFLICT || attempt >= 200) {
                        throw new AssertionError(name + " in round " + round + ", attempt " + attempt + ": " + e, e);
                    }
                    conflicts++;
                    sleepQuietly(ThreadLocalRandom.current().nextInt(300));
                }
            }
        }
    }

    // ---- the server's side, read directly ----------------------------------------------------

    /** Live tables and the columns their rows are ordered by. */
    private static final Map<String, String> LIVE_TABLES = new LinkedHashMap<>();

    static {
        LIVE_TABLES.put("collections", "user_id");
        LIVE_TABLES.put("notes", "id");
        LIVE_TABLES.put("cards", "id");
        LIVE_TABLES.put("revlog", "id");
        LIVE_TABLES.put("graves", "oid, type");
        LIVE_TABLES.put("decks", "id");
        LIVE_TABLES.put("deck_configs", "id");
        LIVE_TABLES.put("notetypes", "id");
        LIVE_TABLES.put("tags", "tag");
        LIVE_TABLES.put("config", "key");
    }

    /**
     * Every row of the user's live tables as text. Left out: {@code collections.sync_epoch}, the
     * fencing counter every {@code start} advances even for a sync that never finishes; it is
     * bookkeeping, not collection data.
     */
    static List<String> serverRows(long userId) {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
            for (Map.Entry<String, String> table : LIVE_TABLES.entrySet()) {
                try (PreparedStatement s = c.prepareStatement(
                        "select * from " + table.getKey() + " where user_id = ? order by " + table.getValue())) {
                    s.setLong(1, userId);
                    try (ResultSet r = s.executeQuery()) {
                        ResultSetMetaData meta = r.getMetaData();
                        while (r.next()) {
                            StringBuilder row = new StringBuilder(table.getKey());
                            for (int i = 1; i <= meta.getColumnCount(); i++) {
                                String column = meta.getColumnName(i);
                                if (column.equals("sync_epoch")) {
                                    continue;
                                }
                                Object value = r.getObject(i);
                                row.append(' ').append(column).append('=')
                                        .append(value instanceof byte[] bytes ? HexFormat.of().formatHex(bytes) : value);
                            }
                            rows.add(row.toString());
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    static long stagedRows(long userId) {
        try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
                PreparedStatement s = c.prepareStatement("""
                        select (select count(*) from sync_staged_graves where user_id = ?)
                             + (select count(*) from sync_staged_changes where user_id = ?)
                             + (select count(*) from sync_staged_rows where user_id = ?)""")) {
            for (int i = 1; i <= 3; i++) {
                s.setLong(i, userId);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String rowDiff(List<String> before, List<String> after) {
        List<String> gone = new ArrayList<>(before);
        gone.removeAll(after);
        List<String> added = new ArrayList<>(after);
        added.removeAll(before);
        return "gone " + gone.subList(0, Math.min(5, gone.size())) + " (" + gone.size() + "), new "
                + added.subList(0, Math.min(5, added.size())) + " (" + added.size() + ")";
    }

    private static List<String> strings(List<List<Object>> rows) {
        return rows.stream().map(r -> (String) r.get(0)).toList();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- the proxy ---------------------------------------------------------------------------

    /**
     * An HTTP/1.1 proxy between the client and the server that can break one step of a sync. It
     * passes requests and answers on as they are (status, headers such as
     * {@code anki-original-size}, bodies streamed in their own framing), leaving out hop-by-hop
     * headers, and serves one request per connection, so a broken connection takes nothing
     * else with it.
     */
    static final class FaultProxy implements AutoCloseable {

        enum Action { FORWARDED, ANSWERED_500, RESPONSE_DROPPED, REQUEST_DROPPED }

        /** One request as the proxy saw it; {@code status} is the server's answer, 0 if none came. */
        static final class Exchange {
            final long atMillis = System.currentTimeMillis();
            final String method;
            final Action action;
            final String syncHeader;
            volatile int status;
            volatile long answeredMillis;
            /** The answer's JSON, kept for sanityCheck2 only: its counts explain a "bad". */
            volatile String answer = "";

            Exchange(String method, Action action, String syncHeader) {
                this.method = method;
                this.action = action;
                this.syncHeader = syncHeader;
            }

            String method() {
                return method;
            }

            @Override
            public String toString() {
                return atMillis + " " + method + " " + action + " " + status + " answered " + answeredMillis + " "
                        + syncHeader + " " + answer;
            }
        }

        private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
                "proxy-authenticate", "proxy-authorization", "te", "trailer", "upgrade", "host");

        private final ServerSocket listener;
        private final int upstreamPort;
        private final ExecutorService connections = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fault-proxy");
            t.setDaemon(true);
            return t;
        });
        private final List<Exchange> log = Collections.synchronizedList(new ArrayList<>());
        private String armedMethod;
        private Fault armedFault;
        private boolean fired;
        private boolean dropNextAbort;
        private boolean dropAborts;
        private String hookMethod;
        private long hookDelayMillis;
        private Runnable hookAction;
        private CompletableFuture<Void> hookDone;

        private FaultProxy(ServerSocket listener, int upstreamPort) {
            this.listener = listener;
            this.upstreamPort = upstreamPort;
        }

        static FaultProxy start(int upstreamPort) throws IOException {
            FaultProxy proxy = new FaultProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), upstreamPort);
            proxy.connections.execute(proxy::acceptLoop);
            return proxy;
        }

        int port() {
            return listener.getLocalPort();
        }

        synchronized void arm(String method, Fault fault) {
            armedMethod = method;
            armedFault = fault;
            fired = false;
            dropNextAbort = false;
        }

        /**
         * Runs {@code action} once, {@code delayMillis} after the next request of {@code method} has
         * been passed on in full, while the server works on it.
         */
        synchronized CompletableFuture<Void> afterForwarding(String method, long delayMillis, Runnable action) {
            hookMethod = method;
            hookDelayMillis = delayMillis;
            hookAction = action;
            hookDone = new CompletableFuture<>();
            return hookDone;
        }

        private synchronized void runHook(String method) {
            if (hookAction != null && method.equals(hookMethod)) {
                Runnable action = hookAction;
                CompletableFuture<Void> done = hookDone;
                hookAction = null;
                CompletableFuture.runAsync(action, CompletableFuture.delayedExecutor(
                                hookDelayMillis, TimeUnit.MILLISECONDS))
                        .whenComplete((ok, failure) -> {
                            if (failure == null) {
                                done.complete(null);
                            } else {
                                done.completeExceptionally(failure);
                            }
                        });
            }
        }

        synchronized void disarm() {
            armedMethod = null;
            armedFault = null;
            dropNextAbort = false;
        }

        synchronized void dropAborts(boolean drop) {
            dropAborts = drop;
        }

        synchronized boolean fired() {
            return fired;
        }

        int mark() {
            return log.size();
        }

        List<String> exchangesSince(int mark) {
            synchronized (log) {
                return log.subList(mark, log.size()).stream().map(Exchange::toString).toList();
            }
        }

        List<String> methodsSince(int mark) {
            synchronized (log) {
                return log.subList(mark, log.size()).stream().map(Exchange::method).toList();
            }
        }

        /**
         * Breaks the first request of the armed method. After a lost request or answer the client's
         * abort is lost as well: from the server's view the client vanished mid-sync.
         */
        private synchronized Exchange decide(String method, String syncHeader) {
            Action action = Action.FORWARDED;
            if (!fired && method.equals(armedMethod)) {
                fired = true;
                dropNextAbort = armedFault != Fault.ANSWER_500;
                action = switch (armedFault) {
                    case ANSWER_500 -> Action.ANSWERED_500;
                    case DROP_RESPONSE -> Action.RESPONSE_DROPPED;
                    case DROP_REQUEST -> Action.REQUEST_DROPPED;
                };
            } else if ((dropNextAbort || dropAborts) && method.equals("abort")) {
                dropNextAbort = false;
                action = Action.REQUEST_DROPPED;
            }
            Exchange exchange = new Exchange(method, action, syncHeader);
            log.add(exchange);
            return exchange;
        }

        private void acceptLoop() {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    connections.execute(() -> serve(client));
                } catch (IOException e) {
                    if (!listener.isClosed()) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }

        private void serve(Socket client) {
            try (client) {
                InputStream fromClient = new BufferedInputStream(client.getInputStream());
                OutputStream toClient = new BufferedOutputStream(client.getOutputStream());
                Head request = Head.read(fromClient);
                if (request == null) {
                    return;
                }
                String target = request.startLine().split(" ")[1];
                String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
                Exchange exchange = decide(path.substring(path.lastIndexOf('/') + 1), request.header("anki-sync"));
                Action action = exchange.action;
                if (action == Action.ANSWERED_500 || action == Action.REQUEST_DROPPED) {
                    // read all of it first: the client reads an answer only once it has sent everything
                    request.copyBody(fromClient, OutputStream.nullOutputStream(), false);
                    if (action == Action.ANSWERED_500) {
                        byte[] text = "fault injected by the test proxy\n".getBytes(StandardCharsets.US_ASCII);
                        toClient.write(("HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
                                + "Content-Length: " + text.length + "\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        toClient.write(text);
                        toClient.flush();
                    }
                    return;
                }
                try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
                    InputStream fromServer = new BufferedInputStream(upstream.getInputStream());
                    OutputStream toServer = new BufferedOutputStream(upstream.getOutputStream());
                    request.writeForwarded(toServer, "127.0.0.1:" + upstreamPort);
                    request.copyBody(fromClient, toServer, false);
                    toServer.flush();
                    runHook(exchange.method);
                    Head response = Head.read(fromServer);
                    if (response == null) {
                        throw new EOFException("the server closed the connection without an answer");
                    }
                    exchange.status = Integer.parseInt(response.startLine().split(" ")[1]);
                    if (action == Action.RESPONSE_DROPPED) {
                        // the server has done its part; the client hears nothing
                        response.copyBody(fromServer, OutputStream.nullOutputStream(), true);
                        return;
                    }
                    response.writeForwarded(toClient, null);
                    if (exchange.method.equals("sanityCheck2") && exchange.status == 200) {
                        ByteArrayOutputStream body = new ByteArrayOutputStream();
                        response.copyBody(fromServer, body, true);
                        body.writeTo(toClient);
                        exchange.answer = new String(ZstdFraming.decompress(body.toByteArray(), 1 << 20), StandardCharsets.UTF_8);
                    } else {
                        response.copyBody(fromServer, toClient, true);
                    }
                    toClient.flush();
                    exchange.answeredMillis = System.currentTimeMillis();
                }
            } catch (IOException e) {
                // a connection the client or the server gave up on; the sync itself reports it
            }
        }

        @Override
        public void close() {
            try {
                listener.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            connections.shutdownNow();
        }

        /** A request or response head: the start line and the headers, in order. */
        record Head(String startLine, List<String[]> headers) {

            static Head read(InputStream in) throws IOException {
                String start = readLine(in);
                if (start == null) {
                    return null;
                }
                List<String[]> headers = new ArrayList<>();
                for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                    int colon = line.indexOf(':');
                    headers.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
                }
                return new Head(start, headers);
            }

            String header(String name) {
                return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst().orElse(null);
            }

            /** Writes this head without hop-by-hop headers; each connection carries one exchange. */
            void writeForwarded(OutputStream out, String host) throws IOException {
                Set<String> dropped = new HashSet<>(HOP_BY_HOP);
                String connection = header("connection");
                if (connection != null) {
                    for (String token : connection.split(",")) {
                        dropped.add(token.trim().toLowerCase(Locale.ROOT));
                    }
                }
                StringBuilder head = new StringBuilder(startLine).append("\r\n");
                if (host != null) {
                    head.append("Host: ").append(host).append("\r\n");
                }
                for (String[] h : headers) {
                    if (!dropped.contains(h[0].toLowerCase(Locale.ROOT))) {
                        head.append(h[0]).append(": ").append(h[1]).append("\r\n");
                    }
                }
                head.append("Connection: close\r\n\r\n");
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            }

            /** Copies the body in its own framing; without one, a response runs to the end of the stream. */
            void copyBody(InputStream in, OutputStream out, boolean response) throws IOException {
                String encoding = header("transfer-encoding");
                String length = header("content-length");
                if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
                    copyChunked(in, out);
                } else if (length != null) {
                    copyExactly(in, out, Long.parseLong(length.trim()));
                } else if (response && !startLine.contains(" 204 ") && !startLine.contains(" 304 ")) {
                    in.transferTo(out);
                }
            }

            private static void copyChunked(InputStream in, OutputStream out) throws IOException {
                while (true) {
                    String sizeLine = readLine(in);
                    if (sizeLine == null) {
                        throw new EOFException("chunked body ended early");
                    }
                    writeLine(out, sizeLine);
                    String size = sizeLine.contains(";") ? sizeLine.substring(0, sizeLine.indexOf(';')) : sizeLine;
                    long n = Long.parseLong(size.trim(), 16);
                    if (n == 0) {
                        for (String trailer = readLine(in); ; trailer = readLine(in)) {
                            if (trailer == null) {
                                throw new EOFException("chunked body ended early");
                            }
                            writeLine(out, trailer);
                            if (trailer.isEmpty()) {
                                return;
                            }
                        }
                    }
                    copyExactly(in, out, n);
                    if (readLine(in) == null) {
                        throw new EOFException("chunked body ended early");
                    }
                    writeLine(out, "");
                }
            }

            private static void copyExactly(InputStream in, OutputStream out, long n) throws IOException {
                byte[] buffer = new byte[64 * 1024];
                while (n > 0) {
                    int read = in.read(buffer, 0, (int) Math.min(buffer.length, n));
                    if (read < 0) {
                        throw new EOFException("body ended early");
                    }
                    out.write(buffer, 0, read);
                    n -= read;
                }
            }

            /** A line without its CRLF, or null at the end of the stream before any byte. */
            private static String readLine(InputStream in) throws IOException {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                while (true) {
                    int b = in.read();
                    if (b < 0) {
                        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
                    }
                    if (b == '\n') {
                        String text = line.toString(StandardCharsets.ISO_8859_1);
                        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
                    }
                    line.write(b);
                }
            }

            private static void writeLine(OutputStream out, String line) throws IOException {
                out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
        }
    }
}
