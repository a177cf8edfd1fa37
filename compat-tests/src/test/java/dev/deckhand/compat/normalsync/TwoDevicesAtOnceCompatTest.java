package dev.deckhand.compat.normalsync;

import dev.deckhand.ankiclient.AnkiClientException;
import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.AnkiRelease;
import dev.deckhand.ankiclient.SyncCredentials;
import dev.deckhand.ankiclient.SyncRequired;
import dev.deckhand.compat.TestServers;
import dev.deckhand.compat.collection.CollectionDigest;
import dev.deckhand.compat.collection.Expectation;
import dev.deckhand.compat.collection.VariedCollection;
import dev.deckhand.compat.collection.VariedCollection.Mutation;
import dev.deckhand.compat.normalsync.DistributedNormalSyncCompatTest.RoundRobinProxy;
import dev.deckhand.gateway.SyncGatewayApplication;
import dev.deckhand.server.DeckhandServer;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.testsupport.TestDatabase;
import dev.deckhand.testsupport.TestPostgres;
import dev.deckhand.testsupport.TestRedis;
import dev.deckhand.worker.SyncWorkerApplication;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real devices that each made changes press Sync at the same moment, round after round
 * (docs/architecture.md, "Two devices at once"). In every round at least one of them completes
 * its sync; the other may be told that another device is syncing (409, at {@code meta} or
 * {@code start} only: a sync that got going is never disturbed), and neither is ever forced into
 * a full sync. Then both sync again, one after the other, and must be equal, with every change
 * that the other device did not also touch there as made. On the all-in-one server with a 26.x and
 * a 2.1.66 device, and through two gateways and two workers behind a round-robin proxy (sessions
 * in Redis) with two 2.1.66 devices and with two 26.x devices.
 */
class TwoDevicesAtOnceCompatTest {

    static final int ROUNDS = 20;
    /** Modification times are whole seconds, and on a tie each side keeps its own version. */
    static final long SAME_SECOND_GUARD_MILLIS = 1_100;
    /** Where a device may be turned away: before its sync has begun. */
    static final Set<String> REFUSABLE = Set.of("meta", "start");

    @TempDir
    Path devices;

    @ParameterizedTest(name = "{0}, A {1}, B {2}")
    @CsvSource({
            "all-in-one, ANKI_26_09_3, ANKI_2_1_66",
            "distributed, ANKI_2_1_66, ANKI_2_1_66",
            "distributed, ANKI_26_09_3, ANKI_26_09_3",
    })
    void inEveryRoundAtLeastOneDeviceCompletesAndBothThenConverge(String wiring, AnkiRelease releaseA,
                                                                  AnkiRelease releaseB) throws Exception {
        Path logs = Path.of("target", "two-devices-at-once").toAbsolutePath();
        Files.createDirectories(logs);
        try (Wiring server = wiring.equals("all-in-one") ? Wiring.allInOne() : Wiring.distributed();
                AnkiDevice a = AnkiDevice.open(devices.resolve("a"), releaseA);
                AnkiDevice b = AnkiDevice.open(devices.resolve("b"), releaseB);
                ExecutorService threadA = Executors.newSingleThreadExecutor();
                ExecutorService threadB = Executors.newSingleThreadExecutor()) {
            server.addUser("racer", "pw");
            VariedCollection.populate(a, 20, 7);
            DevicesInSync pair = DevicesInSync.of(a, b, server.endpoint(), "racer", "pw");
            Device da = new Device("A", a, pair.authA(), threadA);
            Device db = new Device("B", b, pair.authB(), threadB);
            int raceStart = server.proxy.forwarded.size();
            AnkiRelease keptByBoth = CollectionDigest.keptByBoth(a, b);

            List<String> rounds = new ArrayList<>();
            Map<String, Integer> tally = new TreeMap<>();
            for (int round = 1; round <= ROUNDS; round++) {
                // one device's changes a second apart from the other's, so that no tie decides anything
                Thread.sleep(SAME_SECOND_GUARD_MILLIS);
                long seed = round;
                Mutation onA = da.run(() -> VariedCollection.mutate(a, 1_000 + seed));
                Thread.sleep(SAME_SECOND_GUARD_MILLIS);
                Mutation onB = db.run(() -> VariedCollection.mutate(b, 2_000 + seed));

                CyclicBarrier bothReady = new CyclicBarrier(2);
                Future<Outcome> fa = da.thread.submit(() -> da.syncAtOnce(bothReady));
                Future<Outcome> fb = db.thread.submit(() -> db.syncAtOnce(bothReady));
                Outcome oa = fa.get(120, TimeUnit.SECONDS);
                Outcome ob = fb.get(120, TimeUnit.SECONDS);
                String line = String.format(Locale.ROOT, "round %d: A %s, B %s", round, oa, ob);
                rounds.add(line);
                tally.merge(oa.completed && ob.completed ? "both completed"
                        : oa.completed ? "A completed, B refused" : ob.completed ? "B completed, A refused" : "neither", 1, Integer::sum);
                assertThat(oa.completed || ob.completed).as("%s: someone must complete", line).isTrue();

                // the one turned away syncs first, then the other picks up its changes
                for (Device d : oa.completed ? List.of(db, da) : List.of(da, db)) {
                    assertThat(d.run(() -> d.device.syncCollection(d.auth).required()))
                            .as("%s, then %s syncs again", line, d.name).isEqualTo(SyncRequired.NO_CHANGES);
                }
                CollectionDigest onDeviceA = da.run(() -> CollectionDigest.of(a, keptByBoth));
                CollectionDigest onDeviceB = db.run(() -> CollectionDigest.of(b, keptByBoth));
                assertThat(onDeviceA.sha256()).as("%s: %s", line, CollectionDigest.diff(onDeviceA, onDeviceB))
                        .isEqualTo(onDeviceB.sha256());
                List<Expectation> fromA = onA.independentOf(onB);
                List<Expectation> fromB = onB.independentOf(onA);
                assertThat(Mutation.unmet(fromA, onDeviceB)).as("%s: A's changes on B", line).isEmpty();
                assertThat(Mutation.unmet(fromB, onDeviceA)).as("%s: B's changes on A", line).isEmpty();
            }

            List<RoundRobinProxy.Forwarded> race = server.proxy.forwarded.subList(raceStart, server.proxy.forwarded.size());
            Map<String, Integer> refusedAt = new TreeMap<>();
            race.stream().filter(f -> f.status() == 409).forEach(f -> refusedAt.merge(f.method(), 1, Integer::sum));
            String label = wiring + ", A " + releaseA.version() + ", B " + releaseB.version();
            Files.write(logs.resolve(wiring + "-" + releaseA.version() + "-" + releaseB.version() + ".txt"),
                    concat(rounds, List.of(String.format(Locale.ROOT,
                    "%s, %d rounds: %s; 409s by method %s; requests %d (aborts %d)", label, ROUNDS, tally, refusedAt,
                    race.size(), race.stream().filter(f -> f.method().equals("abort")).count()))));
            assertThat(server.proxy.failures).as("requests the proxy could not forward").isEmpty();
            assertThat(refusedAt.keySet()).as("409s by method: %s", refusedAt).isSubsetOf(REFUSABLE);
            assertThat(tally.getOrDefault("both completed", 0)).as("did the devices race at all? %s", tally).isLessThan(ROUNDS);
        }
    }

    /** How a device's sync at the same moment as the other's went. */
    record Outcome(boolean completed, String detail) {
        @Override
        public String toString() {
            return completed ? "completed" : "refused (" + detail + ")";
        }
    }

    /** A device, used from its own thread only, as the client's backend is by the app. */
    record Device(String name, AnkiDevice device, SyncCredentials auth, ExecutorService thread) {

        <T> T run(java.util.concurrent.Callable<T> action) throws Exception {
            return thread.submit(action).get(120, TimeUnit.SECONDS);
        }

        /** Called on its own thread: waits for the other device, then syncs once. */
        Outcome syncAtOnce(CyclicBarrier bothReady) throws Exception {
            bothReady.await(60, TimeUnit.SECONDS);
            try {
                SyncRequired required = device.syncCollection(auth).required();
                // a normal sync is carried out inside the call; anything else would be a full sync
                assertThat(required).as("%s's sync", name).isEqualTo(SyncRequired.NO_CHANGES);
                return new Outcome(true, "");
            } catch (AnkiClientException e) {
                assertThat(e.kind()).as("%s was refused with %s", name, e).isEqualTo(AnkiClientException.Kind.CONFLICT);
                return new Outcome(false, e.kind().name());
            }
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The server side, with a recording proxy in front of it that the devices talk to. */
    static final class Wiring implements AutoCloseable {
        final RoundRobinProxy proxy;
        private final AccountService accounts;
        private final List<AutoCloseable> parts;

        private Wiring(RoundRobinProxy proxy, AccountService accounts, List<AutoCloseable> parts) {
            this.proxy = proxy;
            this.accounts = accounts;
            this.parts = parts;
        }

        static Wiring allInOne() throws Exception {
            DeckhandServer server = TestServers.allInOne("two-devices-at-once", Map.of());
            RoundRobinProxy proxy = new RoundRobinProxy(List.of(URI.create(TestServers.endpoint(server))), List.of());
            return new Wiring(proxy, server.context().getBean(AccountService.class), List.of(proxy, server));
        }

        /** Two gateways, each with its own worker, behind a round-robin proxy: consecutive requests alternate. */
        static Wiring distributed() throws Exception {
            TestDatabase db = TestPostgres.newDatabase();
            Map<String, Object> shared = new HashMap<>(db.springProperties());
            shared.put("server.address", "127.0.0.1");
            shared.put("server.port", "0");
            shared.put("deckhand.worker.token", "two-devices-at-once");
            String keyPrefix = TestRedis.newKeyPrefix();
            List<AutoCloseable> parts = new ArrayList<>();
            List<URI> gateways = new ArrayList<>();
            ConfigurableApplicationContext first = null;
            for (int i = 0; i < 2; i++) {
                ConfigurableApplicationContext worker = new SpringApplicationBuilder(SyncWorkerApplication.class)
                        .run(DistributedNormalSyncCompatTest.args(shared));
                parts.add(worker);
                Map<String, Object> gateway = new HashMap<>(shared);
                gateway.put("deckhand.worker.url", DistributedNormalSyncCompatTest.baseUrl(worker));
                gateway.put("deckhand.sessions.store", "redis");
                gateway.put("deckhand.redis.key-prefix", keyPrefix);
                gateway.put("spring.data.redis.url", TestRedis.endpoint().url());
                ConfigurableApplicationContext g = new SpringApplicationBuilder(SyncGatewayApplication.class)
                        .run(DistributedNormalSyncCompatTest.args(gateway));
                parts.add(0, g);
                gateways.add(URI.create(DistributedNormalSyncCompatTest.baseUrl(g)));
                first = first == null ? g : first;
            }
            RoundRobinProxy proxy = new RoundRobinProxy(gateways, List.of());
            parts.add(0, proxy);
            return new Wiring(proxy, first.getBean(AccountService.class), parts);
        }

        String endpoint() {
            return "http://127.0.0.1:" + proxy.port() + "/";
        }

        void addUser(String name, String password) {
            accounts.addUser(name, password).block();
        }

        @Override
        public void close() throws Exception {
            for (AutoCloseable part : parts) {
                part.close();
            }
        }
    }
}
