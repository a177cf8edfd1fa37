package dev.deckhand.compat.normalsync;

import dev.deckhand.ankiclient.AnkiClientException;
import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.SyncCredentials;
import dev.deckhand.ankiclient.SyncRequired;
import dev.deckhand.compat.collection.CollectionDigest;
import dev.deckhand.compat.collection.VariedCollection;
import dev.deckhand.compat.normalsync.FaultProxy.Point;
import dev.deckhand.gateway.SyncGatewayApplication;
import dev.deckhand.store.CollectionStoreConfiguration;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.testsupport.PostgresWaits;
import dev.deckhand.testsupport.TestDatabase;
import dev.deckhand.testsupport.TestPostgres;
import dev.deckhand.testsupport.TestRedis;
import dev.deckhand.worker.SyncWorkerApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Normal syncs whose server processes die. Gateways and workers run as JVMs of their own
 * ({@link ServerProcess}) on one PostgreSQL database and one Redis prefix, in pairs: gateway i
 * calls worker i. The client reaches one gateway through {@link FaultProxy}, which stands in
 * for a load balancer: it answers 502 when that gateway is gone, and its hooks kill, with
 * SIGKILL, the gateway or the worker serving a chosen step, either once the step's answer has
 * reached the client or while the step is being worked on.
 *
 * <p>Whatever dies, the server's collection must hold nothing of the broken sync (or, once
 * finish has committed, all of it), and the client's next sync, through the next pair, must be
 * an ordinary normal sync that converges with a second device. The killed process is started
 * again meanwhile, on the same port, and serves later cases.
 */
class DistributedKillTest {

    private static final String PASSWORD = "pw";
    private static final Duration SETTLE_WAIT = Duration.ofSeconds(30);
    /** The children's logs, and what each case saw. */
    private static final Path LOGS = Path.of("target", "distributed-kill").toAbsolutePath();
    /**
     * Gateway-worker pairs. A case kills a process of one pair and goes on with the next; with
     * three, the restarted process has the rest of that case and all of the next one to come up.
     */
    private static final int PAIRS = 3;
    /**
     * The gateways' {@code deckhand.sessions.takeover-after}, short: a client whose abort died with
     * the process keeps its own account this long, and the test waits it out before the next sync.
     */
    private static final Duration TAKEOVER_AFTER = Duration.ofSeconds(2);

    /** Which process of the serving pair is killed. */
    enum Victim { WORKER, GATEWAY }

    /** When it is killed. */
    enum Moment {
        /** Once the step's answer has reached the client: the client's next request finds it gone. */
        AFTER_ANSWER,
        /**
         * While it works on the step: the test holds a PostgreSQL lock the step needs, so the
         * step is provably under way, unanswered, when the process dies.
         */
        DURING
    }

    static TestDatabase database;
    static ServerTables tables;
    static ConfigurableApplicationContext store;
    static AccountService accounts;
    static final ServerProcess[] workers = new ServerProcess[PAIRS];
    static final ServerProcess[] gateways = new ServerProcess[PAIRS];
    static FaultProxy proxy;
    static String endpoint;
    static final List<String> outcomes = new ArrayList<>();
    /** The pair (gateway i, worker i) the client uses until a kill; after it, the next pair. */
    static int serving;

    @TempDir
    Path devices;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        database = TestPostgres.newDatabase();
        tables = new ServerTables(database);
        // migrates the database before the children start, and adds the test's accounts
        store = new SpringApplicationBuilder(StoreOnly.class).web(WebApplicationType.NONE).bannerMode(Banner.Mode.OFF)
                .properties(new HashMap<>(database.springProperties())).run();
        accounts = store.getBean(AccountService.class);

        Map<String, Object> shared = new HashMap<>(database.springProperties());
        shared.put("server.address", "127.0.0.1");
        shared.put("deckhand.worker.token", DistributedNormalSyncCompatTest.TOKEN);
        String keyPrefix = TestRedis.newKeyPrefix();
        Map<String, Object> trainingGateway = new HashMap<>(shared);
        trainingGateway.put("spring.data.redis.url", TestRedis.endpoint().url());
        ServerProcess.Jvm jvm = ServerProcess.Jvm.withAotCache(LOGS, SyncGatewayApplication.class, trainingGateway);
        int[] ports = freePorts(2 * PAIRS);
        for (int i = 0; i < PAIRS; i++) {
            workers[i] = ServerProcess.start("worker-" + (i + 1), jvm, SyncWorkerApplication.class, shared,
                    ports[2 * i], LOGS);
            Map<String, Object> gateway = new HashMap<>(shared);
            gateway.put("deckhand.worker.url", workers[i].baseUrl());
            gateway.put("deckhand.sessions.store", "redis");
            gateway.put("deckhand.sessions.takeover-after", TAKEOVER_AFTER.toString());
            gateway.put("deckhand.redis.key-prefix", keyPrefix);
            gateway.put("spring.data.redis.url", TestRedis.endpoint().url());
            gateways[i] = ServerProcess.start("gateway-" + (i + 1), jvm, SyncGatewayApplication.class, gateway,
                    ports[2 * i + 1], LOGS);
        }
        for (int i = 0; i < PAIRS; i++) {
            workers[i].awaitReady();
            gateways[i].awaitReady();
        }
        proxy = FaultProxy.start(gateways[0].port());
        endpoint = "http://127.0.0.1:" + proxy.port() + "/";
    }

    @AfterAll
    static void stop() throws IOException {
        Files.createDirectories(LOGS);
        Files.write(LOGS.resolve("outcomes.txt"), outcomes);
        if (proxy != null) {
            proxy.close();
        }
        for (int i = 0; i < PAIRS; i++) {
            for (ServerProcess process : new ServerProcess[] {workers[i], gateways[i]}) {
                if (process != null) {
                    process.close();
                }
            }
        }
        if (store != null) {
            store.close();
        }
    }

    static Stream<Arguments> kills() {
        return Stream.of(Moment.values()).flatMap(moment -> NormalSyncFaultTest.STEPS.stream().flatMap(step ->
                Stream.of(Victim.values()).map(victim -> Arguments.of(victim, moment, step))));
    }

    @ParameterizedTest(name = "{0} killed {1} {2}")
    @MethodSource("kills")
    void aSyncWhoseServerProcessIsKilledChangesNothingAndTheNextSyncIsANormalOne(Victim victim, Moment moment,
                                                                                   String step) throws Exception {
        String user = ("kill-" + victim + "-" + moment + "-" + step).toLowerCase(Locale.ROOT).replace('_', '-');
        long userId = accounts.addUser(user, PASSWORD).block().id();
        long seed = Math.abs((long) user.hashCode());
        int killed = serving;
        int survivor = (killed + 1) % PAIRS;
        ServerProcess target = victim == Victim.WORKER ? workers[killed] : gateways[killed];
        // the only case in which the client hears the sync's end: finish answered, then the process dies
        boolean finished = moment == Moment.AFTER_ANSWER && step.equals("finish");
        usePair(killed);
        try (AnkiDevice a = AnkiDevice.open(devices.resolve("a")); AnkiDevice b = AnkiDevice.open(devices.resolve("b"));
                StepLock lock = new StepLock(step)) {
            VariedCollection.populate(a, 20, seed);
            DevicesInSync inSync = DevicesInSync.of(a, b, endpoint, user, PASSWORD);
            SyncCredentials authA = inSync.authA();
            SyncCredentials authB = inSync.authB();
            VariedCollection.Mutation mutation = VariedCollection.mutate(a, seed + 1);
            List<String> before = tables.liveRows(userId);

            int mark = proxy.mark();
            CompletableFuture<Void> kill;
            if (moment == Moment.AFTER_ANSWER) {
                kill = proxy.at(Point.AFTER_ANSWERING, step, target::kill);
            } else {
                proxy.at(Point.BEFORE_FORWARDING, step, lock::take);
                kill = proxy.at(Point.AFTER_FORWARDING, step, () -> {
                    lock.awaitStepWaiting();
                    target.kill();
                    lock.close();
                });
            }
            AnkiClientException failure =
                    catchThrowableOfType(AnkiClientException.class, () -> a.syncCollection(authA));
            // the broken sync's last step came before this; its session may still hold the account
            long takeoverAt = System.nanoTime() + TAKEOVER_AFTER.toNanos();
            List<String> exchanges = proxy.exchangesSince(mark);
            assertThat(proxy.methodsSince(mark)).as("requests: %s", exchanges).contains(step);
            kill.get(60, TimeUnit.SECONDS);
            proxy.clearHooks();
            assertThat(target.isAlive()).as("%s after the kill", target).isFalse();
            // back up while the client goes on with the other pair
            target.startAgain();
            // what the killed process left running in PostgreSQL has ended either way
            tables.awaitIdle(SETTLE_WAIT);

            List<String> after = tables.liveRows(userId);
            // for the record: what the client saw, and whether the server changed
            outcomes.add(String.format(Locale.ROOT, "%s killed %s %s: client %s, server %s, requests %s",
                    victim, moment, step, failure == null ? "succeeded" : failure.kind(),
                    after.equals(before) ? "unchanged" : "changed", proxy.methodsSince(mark)));
            if (finished) {
                assertThat(failure).as("A's sync, whose finish was answered; requests: %s", exchanges).isNull();
                assertThat(tables.content(userId)).as("A's changes on the server").isEqualTo(ServerTables.contentOf(a));
            } else {
                assertThat(failure).as("A's sync should fail; requests: %s", exchanges).isNotNull();
                // the load balancer's 502, or the gateway's 500 for a worker it cannot reach
                assertThat(failure.kind()).as("%s; requests: %s", failure, exchanges)
                        .isEqualTo(AnkiClientException.Kind.SERVER_ERROR);
                assertThat(proxy.methodsSince(mark)).as("requests: %s", exchanges).last().isEqualTo("abort");
                boolean workerOutlivedGateway = victim == Victim.GATEWAY && moment == Moment.DURING;
                if (workerOutlivedGateway && step.equals("finish") && !after.equals(before)) {
                    // the worker outlived its gateway and may have finished the merge: then all of it
                    assertThat(tables.content(userId)).as("A's changes on the server, after a partial finish?")
                            .isEqualTo(ServerTables.contentOf(a));
                } else {
                    assertThat(after).as("the server's collection changed: %s", ServerTables.rowDiff(before, after))
                            .isEqualTo(before);
                }
            }

            usePair(survivor);
            serving = survivor;
            // A's abort went to the dead process: its broken sync keeps the account until takeover-after
            Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(takeoverAt - System.nanoTime())) + 100);
            mark = proxy.mark();
            assertThat(a.syncCollection(authA).required()).as("A's next sync").isEqualTo(SyncRequired.NO_CHANGES);
            List<String> next = proxy.methodsSince(mark);
            assertThat(next).as("A's next sync is a normal one").doesNotContain("upload", "download", "abort");
            if (!finished) {
                assertThat(next).as("A's next sync").contains("start", "applyChunk", "finish");
            }
            assertThat(tables.stagedRows(userId)).as("staged rows after A's next sync").isZero();
            assertThat(tables.content(userId)).as("A's changes on the server").isEqualTo(ServerTables.contentOf(a));
            assertThat(tables.liveRows(userId)).as("the server after A's next sync").isNotEqualTo(before);
            assertDevicesMeet(a, b, authB, mutation);
        } finally {
            proxy.clearHooks();
        }
    }

    /**
     * The process that served a step dies once its answer is out, and the load balancer sends the
     * rest of the sync to the other gateway and worker: the sync lives in Redis and PostgreSQL,
     * not in the process, so it completes.
     */
    @ParameterizedTest(name = "{0} killed after applyChanges, the rest of the sync elsewhere")
    @EnumSource(Victim.class)
    void aSyncGoesOnThroughTheOtherProcessesWhenTheOneServingItDiesBetweenSteps(Victim victim) throws Exception {
        String user = "failover-" + victim.name().toLowerCase(Locale.ROOT);
        long userId = accounts.addUser(user, PASSWORD).block().id();
        int killed = serving;
        int survivor = (killed + 1) % PAIRS;
        ServerProcess target = victim == Victim.WORKER ? workers[killed] : gateways[killed];
        // the sync begins on one pair and ends on the other: both must be up
        usePair(survivor);
        usePair(killed);
        try (AnkiDevice a = AnkiDevice.open(devices.resolve("a"));
                AnkiDevice b = AnkiDevice.open(devices.resolve("b"))) {
            VariedCollection.populate(a, 20, 7);
            DevicesInSync inSync = DevicesInSync.of(a, b, endpoint, user, PASSWORD);
            VariedCollection.Mutation mutation = VariedCollection.mutate(a, 8);

            int mark = proxy.mark();
            CompletableFuture<Void> kill = proxy.at(Point.AFTER_ANSWERING, "applyChanges", () -> {
                target.kill();
                proxy.upstream(gateways[survivor].port());
            });
            SyncRequired required = a.syncCollection(inSync.authA()).required();
            kill.get(60, TimeUnit.SECONDS);
            serving = survivor;
            target.startAgain();
            assertThat(required).as("A's sync; requests: %s", proxy.exchangesSince(mark))
                    .isEqualTo(SyncRequired.NO_CHANGES);
            assertThat(proxy.methodsSince(mark)).as("A's sync")
                    .contains("applyChanges", "chunk", "applyChunk", "sanityCheck2", "finish")
                    .doesNotContain("abort", "upload", "download");
            assertThat(tables.stagedRows(userId)).as("staged rows after A's sync").isZero();
            assertThat(tables.content(userId)).as("A's changes on the server").isEqualTo(ServerTables.contentOf(a));
            assertDevicesMeet(a, b, inSync.authB(), mutation);
        } finally {
            proxy.clearHooks();
        }
    }

    /** B syncs what A sent and ends equal to A. */
    private static void assertDevicesMeet(AnkiDevice a, AnkiDevice b, SyncCredentials authB,
                                          VariedCollection.Mutation mutation) {
        assertThat(b.syncCollection(authB).required()).as("B's sync").isEqualTo(SyncRequired.NO_CHANGES);
        CollectionDigest onA = CollectionDigest.of(a);
        CollectionDigest onB = CollectionDigest.of(b);
        assertThat(onA.sha256()).as("%s", CollectionDigest.diff(onA, onB)).isEqualTo(onB.sha256());
        Set<String> guidsOnB = new LinkedHashSet<>();
        b.query("select guid from notes").forEach(row -> guidsOnB.add((String) row.get(0)));
        assertThat(guidsOnB).as("notes A added").containsAll(mutation.addedNoteGuids());
        assertThat(guidsOnB).as("notes A deleted").doesNotContainAnyElementsOf(mutation.deletedNoteGuids());
    }

    /** Points the proxy at gateway {@code pair}, once it and its worker are up (a killed one is restarted). */
    private static void usePair(int pair) {
        for (ServerProcess process : List.of(workers[pair], gateways[pair])) {
            if (!process.isAlive()) {
                process.startAgain();
            }
        }
        workers[pair].awaitReady();
        gateways[pair].awaitReady();
        proxy.upstream(gateways[pair].port());
    }

    private static int[] freePorts(int count) throws IOException {
        // all held open together, so that no two are the same
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    /**
     * Holds one step of a sync in PostgreSQL, as late in its work as a table lock can: a SHARE lock
     * on the staging tables stops start after it took its epoch (at dropping older staged rows),
     * the staging steps at their insert, and finish at its very end, with everything merged
     * and the new usn written but not committed; an ACCESS EXCLUSIVE lock on the review log stops
     * chunk at its first read and sanityCheck2 halfway through its merge, after graves and
     * changes. Taken just before the step is passed on (the client sends one request at a time,
     * so nothing else of the sync runs meanwhile).
     */
    private static final class StepLock implements AutoCloseable {

        private final String step;
        private Connection connection;
        private int backend;

        StepLock(String step) {
            this.step = step;
        }

        synchronized void take() {
            try {
                connection = tables.connect();
                connection.setAutoCommit(false);
                backend = PostgresWaits.backendPid(connection);
                try (Statement s = connection.createStatement()) {
                    s.execute(step.equals("chunk") || step.equals("sanityCheck2")
                            ? "lock table revlog in access exclusive mode"
                            : "lock table sync_staged_graves, sync_staged_changes, sync_staged_rows in share mode");
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Returns once a statement of the step waits for this lock: the step is under way and unanswered. */
        void awaitStepWaiting() {
            try (Connection c = tables.connect()) {
                if (PostgresWaits.awaitWaiterOn(c, backend, SETTLE_WAIT)) {
                    return;
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            throw new AssertionError("no statement waited for the step's lock within " + SETTLE_WAIT);
        }

        @Override
        public synchronized void close() {
            if (connection != null) {
                try (Connection c = connection) {
                    c.rollback();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                } finally {
                    connection = null;
                }
            }
        }
    }

    /** The store alone, in the test JVM: it migrates the database and adds accounts. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(CollectionStoreConfiguration.class)
    static class StoreOnly {}
}
