package dev.deckhand.gateway.distributed;

import dev.deckhand.gateway.SyncGatewayApplication;
import dev.deckhand.gateway.http.SyncRequestHandler;
import dev.deckhand.gateway.session.SyncSession;
import dev.deckhand.gateway.session.SyncSessionStore;
import dev.deckhand.protocol.AnkiHeaders;
import dev.deckhand.protocol.SyncHeader;
import dev.deckhand.protocol.ZstdFraming;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.testsupport.RawSyncClient;
import dev.deckhand.testsupport.TestDatabase;
import dev.deckhand.testsupport.TestPostgres;
import dev.deckhand.testsupport.TestRedis;
import dev.deckhand.store.collection.CollectionWriter;
import dev.deckhand.store.fullsync.FullSyncStore;
import dev.deckhand.store.fullsync.CollectionExporter;
import dev.deckhand.store.fullsync.FullSyncService;
import dev.deckhand.store.media.MediaIndexStore;
import dev.deckhand.worker.SyncWorker;
import dev.deckhand.worker.SyncWorkerApplication;
import dev.deckhand.worker.fullsync.FullSyncFiles;
import dev.deckhand.worker.http.RemoteSyncWorker;
import dev.deckhand.worker.local.LocalSyncWorker;
import dev.deckhand.worker.normalsync.IdleSyncSweeper;
import dev.deckhand.worker.normalsync.NormalSync;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The distributed wiring: two gateways and a worker as separate Spring applications sharing one
 * PostgreSQL and one Redis, gateways calling the worker over HTTP with a shared token.
 */
class DistributedWiringTest {

    static final String TOKEN = "worker-secret";
    /** Not the default of 5 minutes, to see that the setting is used. */
    static final Duration SESSION_TTL = Duration.ofMinutes(3);
    static ConfigurableApplicationContext worker;
    static ConfigurableApplicationContext gatewayA;
    static ConfigurableApplicationContext gatewayB;
    static String redisPrefix;

    @BeforeAll
    static void start() {
        TestDatabase db = TestPostgres.newDatabase();
        Map<String, Object> shared = new HashMap<>(db.springProperties());
        shared.put("server.address", "127.0.0.1");
        shared.put("server.port", "0");
        shared.put("deckhand.worker.token", TOKEN);
        worker = new SpringApplicationBuilder(SyncWorkerApplication.class).run(args(shared));

        Map<String, Object> gateway = new HashMap<>(shared);
        gateway.put("deckhand.worker.url", "http://127.0.0.1:" + port(worker));
        gateway.put("deckhand.sessions.store", "redis");
        gateway.put("deckhand.sessions.ttl", SESSION_TTL.toString());
        redisPrefix = TestRedis.newKeyPrefix();
        gateway.put("deckhand.redis.key-prefix", redisPrefix);
        gateway.put("spring.data.redis.url", TestRedis.endpoint().url());
        gatewayA = new SpringApplicationBuilder(SyncGatewayApplication.class).run(args(gateway));
        gatewayB = new SpringApplicationBuilder(SyncGatewayApplication.class).run(args(gateway));
        gatewayA.getBean(AccountService.class).addUser("alice", "pw").block();
    }

    @AfterAll
    static void stop() {
        for (ConfigurableApplicationContext c : new ConfigurableApplicationContext[] {gatewayA, gatewayB, worker}) {
            if (c != null && c.isActive()) {
                c.close();
            }
        }
    }

    /** As command-line arguments, which outrank the applications' own defaults (e.g. their ports). */
    static String[] args(Map<String, Object> properties) {
        return properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    static RawSyncClient client(ConfigurableApplicationContext gateway) {
        return new RawSyncClient("http://127.0.0.1:" + port(gateway) + "/");
    }

    @Test
    void aKeyFromOneGatewayWorksOnTheOtherAndMetaComesFromTheWorker() {
        RawSyncClient.Response login = client(gatewayA).call("sync/hostKey", "", "{\"u\":\"alice\",\"p\":\"pw\"}");
        assertThat(login.status()).isEqualTo(200);
        String key = login.payload().replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");

        RawSyncClient.Response meta = client(gatewayB).call("sync/meta", key, "{\"v\":11,\"cv\":\"anki,2.1.66\"}");
        assertThat(meta.status()).isEqualTo(200);
        assertThat(meta.payload()).contains("\"usn\":0", "\"empty\":true", "\"media_usn\":0", "\"hostNum\":0");

        // a protocol refusal made by the worker keeps its status through the gateway
        RawSyncClient.Response tooOld = client(gatewayB).call("sync/meta", key, "{\"v\":7,\"cv\":\"ancient\"}");
        assertThat(tooOld.status()).isEqualTo(501);
        assertThat(tooOld.text()).contains("version 7");

        assertThat(client(worker).get("actuator/prometheus").text())
                .as("the worker itself served meta")
                .contains("http_server_requests_seconds_count{")
                .contains("uri=\"/internal/worker/meta\"");
    }

    @Test
    void sessionsAreSharedThroughRedis() {
        long userId = gatewayA.getBean(AccountService.class).listUsers()
                .filter(u -> u.username().equals("alice")).single().block().id();
        SyncSessionStore a = gatewayA.getBean(SyncSessionStore.class);
        SyncSessionStore b = gatewayB.getBean(SyncSessionStore.class);
        Instant now = Instant.now();
        assertThat(a.replace(a.read(userId).block(), new SyncSession(userId, "s1", now, now, null), Duration.ofMinutes(1))
                .block()).isTrue();
        assertThat(b.find(userId).block()).isNotNull().extracting(SyncSession::sessionKey).isEqualTo("s1");

        // another client's meta is refused on either gateway while that sync is active...
        String key = gatewayA.getBean(AccountService.class).login("alice", "pw").block();
        assertThat(client(gatewayB).call("sync/meta", key, "{\"v\":11,\"cv\":\"x\"}").status()).isEqualTo(409);
        assertThat(a.find(userId).block()).isNotNull();
        // ...and once it has been idle for takeover-after, meta begins a new sync and ends it
        Instant idle = now.minus(gatewayB.getBean(SyncRequestHandler.class).takeoverAfter()).minusSeconds(1);
        assertThat(b.replace(b.read(userId).block(), new SyncSession(userId, "s1", idle, idle, null), Duration.ofMinutes(1))
                .block()).isTrue();
        assertThat(client(gatewayB).call("sync/meta", key, "{\"v\":11,\"cv\":\"x\"}").status()).isEqualTo(200);
        assertThat(a.find(userId).blockOptional()).isEmpty();
    }

    @Test
    void fullUploadAndDownloadStreamThroughTheWorker(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        gatewayA.getBean(AccountService.class).addUser("bob", "pw").block();
        String key = gatewayA.getBean(AccountService.class).login("bob", "pw").block();
        byte[] collection = dev.deckhand.store.fullsync.LegacyCollectionFixture.bytes(dir, "bob", 20);

        RawSyncClient.Response upload = client(gatewayA).callWithBytes("sync/upload", key, collection);
        assertThat(upload.status()).isEqualTo(200);
        assertThat(upload.payload()).isEqualTo("OK");
        assertThat(client(gatewayB).call("sync/meta", key, "{\"v\":11,\"cv\":\"x\"}").payload())
                .contains("\"mod\":1700000000020", "\"empty\":false");

        RawSyncClient.Response download = client(gatewayB).call("sync/download", key, "{}");
        assertThat(download.status()).isEqualTo(200);
        java.nio.file.Path file = java.nio.file.Files.write(dir.resolve("downloaded.anki2"), download.payloadBytes());
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
             java.sql.ResultSet rs = c.createStatement().executeQuery("select count(*) from notes")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(20);
        }
        // a corrupt upload is refused in the worker and the answer travels back unchanged
        assertThat(client(gatewayB).callWithBytes("sync/upload", key, new byte[] {1, 2, 3}).payload())
                .isEqualTo("Your upload was corrupt. Please use Check Database, or restore from backup.");
    }

    @Test
    void gatewaysAnswerHealthChecksAndPeopleAsTheAllInOneServerDoes() {
        RawSyncClient.Response health = client(gatewayA).get("health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).isEmpty();
        RawSyncClient.Response page = client(gatewayB).get("");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(page.text()).contains("Deckhand sync server is running", "http://127.0.0.1:" + port(gatewayB) + "/");
        // a worker serves gateways only: it has its probes, not these
        assertThat(client(worker).get("health").status()).isEqualTo(404);
        assertThat(client(worker).get("").status()).isEqualTo(404);
    }

    @Test
    void theWorkerRefusesCallsWithoutTheToken() {
        RawSyncClient.Response r = client(worker).post("internal/worker/meta",
                Map.of("content-type", "application/json"),
                "{\"userId\":1,\"request\":{\"v\":11,\"cv\":\"x\"}}".getBytes());
        assertThat(r.status()).isEqualTo(401);
    }

    @Test
    void aSessionInRedisOfAnotherFormatVersionIsNoSessionAndTheClientStartsAgain(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        AccountService accounts = gatewayA.getBean(AccountService.class);
        long userId = accounts.addUser("carol", "pw").block().id();
        String key = accounts.login("carol", "pw").block();
        assertThat(client(gatewayA).callWithBytes("sync/upload", key,
                dev.deckhand.store.fullsync.LegacyCollectionFixture.bytes(dir, "carol", 2)).payload()).isEqualTo("OK");
        String start = "{\"minUsn\":5,\"lnewer\":true,\"graves\":null}";
        assertThat(step(gatewayA, key, "c1", "start", start).status()).isEqualTo(200);

        ReactiveStringRedisTemplate redis = gatewayA.getBean(ReactiveStringRedisTemplate.class);
        String sessionKey = redisPrefix + "user:" + userId + ":sync-session";
        String stored = redis.opsForValue().get(sessionKey).block();
        assertThat(stored).startsWith("{\"v\":2,");
        assertThat(gatewayA.getBean(SyncRequestHandler.class).sessionTtl()).isEqualTo(SESSION_TTL);
        assertThat(redis.getExpire(sessionKey).block()).isBetween(SESSION_TTL.minusSeconds(10), SESSION_TTL);
        // as a gateway of a later release would have written it
        redis.opsForValue().set(sessionKey, stored.replace("{\"v\":2,", "{\"v\":3,"), Duration.ofMinutes(1)).block();
        RawSyncClient.Response next = step(gatewayB, key, "c1", "applyChanges",
                "{\"changes\":{\"models\":[],\"decks\":[[],[]],\"tags\":[]}}");
        assertThat(next.status()).as(next.text()).isEqualTo(409);

        assertThat(step(gatewayB, key, "c2", "start", start).status()).as("the client starts again").isEqualTo(200);
        assertThat(redis.opsForValue().get(sessionKey).block()).startsWith("{\"v\":2,").contains("\"sessionKey\":\"c2\"");
        assertThat(step(gatewayA, key, "c2", "abort", "{}").status()).isEqualTo(200);
    }

    static RawSyncClient.Response step(ConfigurableApplicationContext gateway, String hostKey, String sessionKey,
                                       String method, String json) {
        return client(gateway).post("sync/" + method,
                Map.of(AnkiHeaders.SYNC, new SyncHeader(11, hostKey, "anki,2.1.66", sessionKey).toJson()),
                ZstdFraming.compress(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** What only a process that executes sync operations has. */
    static final List<Class<?>> WORKER_BEANS = List.of(LocalSyncWorker.class, NormalSync.class, IdleSyncSweeper.class,
            FullSyncFiles.class, FullSyncService.class, FullSyncStore.class, CollectionExporter.class, CollectionWriter.class,
            MediaIndexStore.class);

    @Test
    void eachProcessHasOnlyTheBeansItUses() {
        for (ConfigurableApplicationContext gateway : List.of(gatewayA, gatewayB)) {
            for (Class<?> type : WORKER_BEANS) {
                assertThat(gateway.getBeanNamesForType(type)).as("a remote-mode gateway has no " + type.getSimpleName()).isEmpty();
            }
            assertThat(gateway.getBean(SyncWorker.class)).isInstanceOf(RemoteSyncWorker.class);
            assertThat(deckhandBeanTypes(gateway)).as("nothing of the worker but its client")
                    .filteredOn(name -> name.startsWith("dev.deckhand.worker."))
                    .containsExactly(RemoteSyncWorker.class.getName());
        }
        for (Class<?> type : WORKER_BEANS) {
            assertThat(worker.getBeanNamesForType(type)).as("the worker has one " + type.getSimpleName()).hasSize(1);
        }
        assertThat(worker.getBean(SyncWorker.class)).isInstanceOf(LocalSyncWorker.class);
        // workers authenticate no clients and keep no sessions: the gateway does
        assertThat(worker.getBeanNamesForType(AccountService.class)).isEmpty();
        assertThat(worker.getBeanNamesForType(SyncSessionStore.class)).isEmpty();
    }

    /** The classes of the context's own beans (those in dev.deckhand), by name. */
    static List<String> deckhandBeanTypes(ConfigurableApplicationContext context) {
        return Arrays.stream(context.getBeanDefinitionNames())
                .map(context::getType)
                .filter(type -> type != null && type.getName().startsWith("dev.deckhand."))
                .map(Class::getName)
                .toList();
    }
}
