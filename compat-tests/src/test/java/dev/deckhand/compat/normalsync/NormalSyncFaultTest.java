package dev.deckhand.compat.normalsync;

import anki.notes.Note;
import dev.deckhand.ankiclient.AnkiClientException;
import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.SyncCredentials;
import dev.deckhand.ankiclient.SyncRequired;
import dev.deckhand.compat.collection.CollectionDigest;
import dev.deckhand.compat.collection.VariedCollection;
import dev.deckhand.compat.normalsync.FaultProxy.Fault;
import dev.deckhand.gateway.SyncGatewayConfiguration;
import dev.deckhand.gateway.http.SyncRequestHandler;
import dev.deckhand.protocol.ZstdFraming;
import dev.deckhand.server.DeckhandServer;
import dev.deckhand.server.config.ServerSettings;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.testsupport.ShiftedClock;
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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
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
 * must go, and the client's next sync must be an ordinary normal sync that converges (once the
 * broken sync, if the server still holds it, has been idle for takeover-after). Then two devices
 * sync against each other at the same moment, over and over, and nothing may be lost.
 */
class NormalSyncFaultTest {

    private static final String PASSWORD = "pw";
    static final List<String> STEPS =
            List.of("start", "applyGraves", "applyChanges", "chunk", "applyChunk", "sanityCheck2", "finish");
    /** As the issue asks; a round takes about 0.3 s on two cores. */
    private static final int RACE_ROUNDS = 100;
    /** Anki stores modification times in seconds, and on a tie each side keeps its own version. */
    private static final long SAME_SECOND_GUARD_MILLIS = 1_100;

    static DeckhandServer server;
    /** The server's session clock, which a test moves on instead of waiting for takeover-after. */
    static final ShiftedClock sessionClock = new ShiftedClock();
    static TestDatabase database;
    static ServerTables tables;
    static FaultProxy proxy;
    static String endpoint;
    static Path base;

    @TempDir
    Path devices;

    @BeforeAll
    static void start() throws IOException {
        database = TestPostgres.newDatabase();
        tables = new ServerTables(database);
        base = Path.of("target", "normal-sync-fault").toAbsolutePath();
        server = DeckhandServer.start(ServerSettings.fromEnvironment(Map.of(
                "SYNC_HOST", "127.0.0.1", "SYNC_PORT", "0",
                "SYNC_BASE", base.toString(),
                "DATABASE_URL", database.jdbcUrl())), Map.of(), Map.of(SyncGatewayConfiguration.SESSION_CLOCK, sessionClock));
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

            List<String> before = tables.liveRows(userId);
            int mark = proxy.mark();
            proxy.arm(step, fault);
            AnkiClientException failure = catchThrowableOfType(AnkiClientException.class, () -> a.syncCollection(authA));
            List<String> seen = proxy.methodsSince(mark);
            assertThat(failure).as("A's sync should fail; requests: %s", seen).isNotNull();
            assertThat(proxy.fired()).as("the fault was never triggered; requests: %s", seen).isTrue();
            assertThat(failure.kind()).as("%s", failure).isEqualTo(fault.clientSees);
            // the client rolls back and says so, whether or not its abort reaches the server
            assertThat(seen).as("requests").contains(step).last().isEqualTo("abort");

            List<String> after = tables.liveRows(userId);
            if (fault == Fault.DROP_RESPONSE && step.equals("finish")) {
                // the server committed and only the answer was lost: the next sync must still converge
                assertThat(after).as("finish committed on the server").isNotEqualTo(before);
            } else {
                assertThat(after).as("the server's collection changed: %s", ServerTables.rowDiff(before, after))
                        .isEqualTo(before);
            }
            if (fault == Fault.ANSWER_500) {
                assertThat(tables.stagedRows(userId)).as("staged rows after the client's abort").isZero();
            } else if (step.equals("sanityCheck2")) {
                // the client's abort was lost too: everything it sent is still staged, unseen
                assertThat(tables.stagedRows(userId)).as("staged rows of the abandoned sync").isPositive();
            }

            proxy.disarm();
            // A vanished without an abort from a sync the server still holds (every fault but a 500,
            // unless the server never saw start or already finished): it keeps the account for
            // takeover-after, from A's next sync too, which cannot be told from another device's
            boolean held = fault != Fault.ANSWER_500 && !(fault == Fault.DROP_REQUEST && step.equals("start"))
                    && !(fault == Fault.DROP_RESPONSE && step.equals("finish"));
            if (held) {
                mark = proxy.mark();
                AnkiClientException refused = catchThrowableOfType(AnkiClientException.class, () -> a.syncCollection(authA));
                assertThat(refused).as("A's next sync at once; requests: %s", proxy.methodsSince(mark)).isNotNull();
                assertThat(refused.kind()).as("%s", refused).isEqualTo(AnkiClientException.Kind.CONFLICT);
                assertThat(proxy.methodsSince(mark)).as("refused at meta").containsExactly("meta");
                sessionClock.shift(takeoverAfter());
            }
            mark = proxy.mark();
            assertThat(a.syncCollection(authA).required()).as("A's next sync").isEqualTo(SyncRequired.NO_CHANGES);
            assertThat(proxy.methodsSince(mark)).as("A's next sync is a normal one")
                    .contains("start", "applyChunk", "finish")
                    .doesNotContain("upload", "download", "abort");
            assertThat(tables.stagedRows(userId)).as("staged rows after a successful sync").isZero();
            // the comparison above would have seen A's changes: here they are
            assertThat(tables.liveRows(userId)).as("after A's successful sync").isNotEqualTo(before);

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
     * The same race, but the proxy loses every {@code abort}. A device turned away at {@code meta}
     * or {@code start} has nothing open, so its lost abort leaves nothing behind: the other device's
     * sync, which that abort could once end, goes on either way.
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
            assertThat(tables.stagedRows(userId)).as("staged rows after the race").isZero();

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
     * An {@code abort} from another client (another session key) changes nothing: in the race
     * above the other device sends one after it was itself turned away with 409, and a user's
     * cancel comes with a new key too. Arriving while a step of the open sync is running, it must
     * leave that sync alone, which then completes whole.
     */
    @ParameterizedTest(name = "another client's abort during {0}")
    @ValueSource(strings = {"sanityCheck2", "finish"})
    void anAbortFromAnotherClientWhileAStepRunsLeavesTheSyncToComplete(String step) throws Exception {
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

            CompletableFuture<Void> aborted =
                    proxy.afterForwarding(step, 50, () -> assertThat(abortAs(authB.hostKey(), "other")).isEqualTo(200));
            assertThat(a.syncCollection(authA).required()).as("A's sync").isEqualTo(SyncRequired.NO_CHANGES);
            aborted.get(30, TimeUnit.SECONDS);
            assertThat(tables.count(userId, "notes")).as("notes on the server after A's sync").isEqualTo(a.noteCount());
            assertThat(tables.stagedRows(userId)).isZero();
            assertThat(b.syncCollection(authB).required()).as("B's sync").isEqualTo(SyncRequired.NO_CHANGES);
            assertThat(b.noteCount()).isEqualTo(a.noteCount());
            CollectionDigest onA = CollectionDigest.of(a);
            CollectionDigest onB = CollectionDigest.of(b);
            assertThat(onA.sha256()).as("%s", CollectionDigest.diff(onA, onB)).isEqualTo(onB.sha256());
        }
    }

    /**
     * The user cancels a running sync. The client then sends {@code abort} from a new client
     * object, with a new session key, which is not the open sync's and so changes nothing: the
     * cancelled sync keeps the account for takeover-after, from the user's other device too, and
     * then frees it. Nothing of it is committed, and the devices converge afterwards.
     */
    @Test
    void aSyncTheUserCancelsKeepsTheAccountUntilTakeoverAfter() throws Exception {
        String user = "cancelled";
        long userId = server.context().getBean(AccountService.class).addUser(user, PASSWORD).block().id();
        try (AnkiDevice a = AnkiDevice.open(devices.resolve("a")); AnkiDevice b = AnkiDevice.open(devices.resolve("b"))) {
            VariedCollection.populate(a, 20, 11);
            DevicesInSync inSync = DevicesInSync.of(a, b, endpoint, user, PASSWORD);
            VariedCollection.Mutation mutation = VariedCollection.mutate(a, 12);
            List<String> before = tables.liveRows(userId);

            int mark = proxy.mark();
            CompletableFuture<Void> cancelled = proxy.afterForwarding("applyChanges", 0, a::abortSync);
            AnkiClientException failure = catchThrowableOfType(AnkiClientException.class, () -> a.syncCollection(inSync.authA()));
            cancelled.get(30, TimeUnit.SECONDS);
            assertThat(failure).as("A's cancelled sync; requests: %s", proxy.exchangesSince(mark)).isNotNull();
            assertThat(failure.kind()).as("%s", failure).isEqualTo(AnkiClientException.Kind.INTERRUPTED);
            // the client sends its abort from a thread of its own
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!proxy.methodsSince(mark).contains("abort") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            List<String> syncKeys = proxy.sessionKeysSince(mark, "start");
            assertThat(syncKeys).hasSize(1);
            assertThat(proxy.sessionKeysSince(mark, "abort")).as("the abort's session key").hasSize(1)
                    .doesNotContain(syncKeys.get(0));
            assertThat(tables.liveRows(userId)).as("nothing of the cancelled sync").isEqualTo(before);

            mark = proxy.mark();
            AnkiClientException refused = catchThrowableOfType(AnkiClientException.class, () -> b.syncCollection(inSync.authB()));
            assertThat(refused).as("B at once; requests: %s", proxy.exchangesSince(mark)).isNotNull();
            assertThat(refused.kind()).as("%s", refused).isEqualTo(AnkiClientException.Kind.CONFLICT);

            sessionClock.shift(takeoverAfter());
            assertThat(b.syncCollection(inSync.authB()).required()).as("B after takeover-after").isEqualTo(SyncRequired.NO_CHANGES);
            assertThat(a.syncCollection(inSync.authA()).required()).as("A's next sync").isEqualTo(SyncRequired.NO_CHANGES);
            assertThat(b.syncCollection(inSync.authB()).required()).isEqualTo(SyncRequired.NO_CHANGES);
            assertThat(tables.stagedRows(userId)).isZero();
            CollectionDigest onA = CollectionDigest.of(a);
            CollectionDigest onB = CollectionDigest.of(b);
            assertThat(onA.sha256()).as("%s", CollectionDigest.diff(onA, onB)).isEqualTo(onB.sha256());
            assertThat(VariedCollection.Mutation.unmet(mutation.expectations(), onB)).as("A's changes on B").isEmpty();
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
            assertThat(tables.count(userId, "notes")).isEqualTo(301);
            assertThat(tables.count(userId, "cards")).isEqualTo(301);
            assertThat(tables.stagedRows(userId)).isZero();
        }
    }

    static Duration takeoverAfter() {
        return server.context().getBean(SyncRequestHandler.class).takeoverAfter();
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
}
