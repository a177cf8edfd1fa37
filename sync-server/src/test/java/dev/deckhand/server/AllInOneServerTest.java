package dev.deckhand.server;

import dev.deckhand.media.blob.MediaBlobStore;
import dev.deckhand.protocol.AnkiHeaders;
import dev.deckhand.protocol.SyncHeader;
import dev.deckhand.protocol.ZstdFraming;
import dev.deckhand.server.config.ServerSettings;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.store.fullsync.CollectionExporter;
import dev.deckhand.store.fullsync.FullSyncService;
import dev.deckhand.store.media.MediaIndexStore;
import dev.deckhand.testsupport.RawSyncClient;
import dev.deckhand.testsupport.TestDatabase;
import dev.deckhand.testsupport.TestPostgres;
import dev.deckhand.worker.SyncWorker;
import dev.deckhand.worker.http.RemoteSyncWorker;
import dev.deckhand.worker.local.LocalSyncWorker;
import dev.deckhand.worker.normalsync.IdleSyncSweeper;
import dev.deckhand.worker.normalsync.NormalSync;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The all-in-one server over HTTP with hand-made requests: login and meta, metrics, probes, the
 * health check and the page at {@code /}, and every kind of bad input, each of which must get the
 * protocol's status and change nothing.
 */
class AllInOneServerTest {

    static TestDatabase db;
    static DeckhandServer server;
    static RawSyncClient client;

    @BeforeAll
    static void start() {
        db = TestPostgres.newDatabase();
        server = DeckhandServer.start(ServerSettings.fromEnvironment(Map.of(
                "SYNC_HOST", "127.0.0.1",
                "SYNC_PORT", "0",
                "SYNC_BASE", Path.of("target", "all-in-one-test").toAbsolutePath().toString(),
                "SYNC_USER1", "alice:wonder:land",
                "MAX_SYNC_PAYLOAD_MEGS", "1",
                "DATABASE_URL", db.jdbcUrl())));
        client = new RawSyncClient("http://127.0.0.1:" + server.port() + "/");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String login() {
        RawSyncClient.Response r = client.call("sync/hostKey", "", "{\"u\":\"alice\",\"p\":\"wonder:land\"}");
        assertThat(r.status()).isEqualTo(200);
        String payload = r.payload();
        assertThat(payload).matches("\\{\"key\":\"[0-9]+\\.[0-9a-f]{40}\"}");
        return payload.substring(8, payload.length() - 2);
    }

    @Test
    void loginAndMetaOfAnAccountWithoutCollection() {
        String key = login();
        RawSyncClient.Response meta = client.call("sync/meta", key, "{\"v\":11,\"cv\":\"anki,2.1.66 (70506aeb),lin:debian:12\"}");
        assertThat(meta.status()).isEqualTo(200);
        String json = meta.payload();
        assertThat(json).contains("\"mod\":0", "\"scm\":0", "\"usn\":0", "\"msg\":\"\"", "\"cont\":true",
                "\"hostNum\":0", "\"empty\":true", "\"media_usn\":0");
        long ts = Long.parseLong(json.replaceAll(".*\"ts\":(\\d+).*", "$1"));
        assertThat(ts).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(5L));
        // served under a path prefix too, as behind a reverse proxy
        assertThat(client.call("anki/sync/meta", key, "{\"v\":11,\"cv\":\"x\"}").status()).isEqualTo(200);
    }

    @Test
    void theOneProcessRunsTheWorkItselfAndServesMedia() {
        assertThat(server.context().getBean(SyncWorker.class)).isInstanceOf(LocalSyncWorker.class);
        assertThat(server.context().getBeanNamesForType(RemoteSyncWorker.class)).isEmpty();
        for (Class<?> type : List.of(AccountService.class, NormalSync.class, IdleSyncSweeper.class, FullSyncService.class,
                CollectionExporter.class, MediaIndexStore.class, MediaBlobStore.class)) {
            assertThat(server.context().getBeanNamesForType(type)).as(type.getSimpleName()).hasSize(1);
        }
    }

    @Test
    void mediaBeginAnswersWithTheMediaUsn() {
        String key = login();
        RawSyncClient.Response r = client.call("msync/begin", key, "{\"v\":\"anki,2.1.66 (70506aeb),lin:debian:12\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.payload()).isEqualTo("{\"data\":{\"usn\":0,\"sk\":\"" + key + "\"},\"err\":\"\"}");
        assertThat(client.call("msync/begin", key, "{\"v\":\"\"}").status()).isEqualTo(400);
        assertThat(client.call("msync/begin", "0.0000000000000000000000000000000000000000", "{\"v\":\"x\"}").status()).isEqualTo(403);
    }

    @Test
    void wrongCredentialsAre403AndIssueNoKey() {
        long keys = count("host_keys");
        assertThat(client.call("sync/hostKey", "", "{\"u\":\"alice\",\"p\":\"wonder\"}").status()).isEqualTo(403);
        assertThat(client.call("sync/hostKey", "", "{\"u\":\"mallory\",\"p\":\"wonder:land\"}").status()).isEqualTo(403);
        assertThat(client.call("sync/meta", "1.0123456789012345678901234567890123456789", "{\"v\":11,\"cv\":\"x\"}").status()).isEqualTo(403);
        assertThat(client.call("sync/meta", "", "{\"v\":11,\"cv\":\"x\"}").status()).isEqualTo(403);
        assertThat(count("host_keys")).isEqualTo(keys);
    }

    @Test
    void badFramingGets400WithAMessageAndChangesNothing() {
        long keys = count("host_keys");
        byte[] login = ZstdFraming.compress("{\"u\":\"alice\",\"p\":\"wonder:land\"}".getBytes(StandardCharsets.UTF_8));

        RawSyncClient.Response missing = client.post("sync/hostKey", Map.of(), login);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.text()).contains("missing anki-sync header");

        for (String garbled : new String[] {"not json", "{\"v\":11}", "{\"v\":\"11\",\"k\":\"\",\"c\":\"\",\"s\":\"\"}", "[]", ""}) {
            RawSyncClient.Response r = client.post("sync/hostKey", Map.of(AnkiHeaders.SYNC, garbled), login);
            assertThat(r.status()).as(garbled).isEqualTo(400);
            assertThat(r.text()).as(garbled).contains("sync header");
        }

        RawSyncClient.Response notZstd = client.post("sync/hostKey", v11(""), "{\"u\":\"alice\",\"p\":\"wonder:land\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(notZstd.status()).isEqualTo(400);
        assertThat(notZstd.text()).contains("zstd");

        byte[] truncated = java.util.Arrays.copyOf(login, login.length - 3);
        assertThat(client.post("sync/hostKey", v11(""), truncated).status()).isEqualTo(400);

        RawSyncClient.Response notJson = client.call("sync/hostKey", "", "u=alice&p=wonder:land");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.text()).contains("JSON");
        assertThat(client.call("sync/hostKey", "", "{\"u\":\"alice\"}").status()).isEqualTo(400);
        assertThat(client.call("sync/hostKey", "", "null").status()).isEqualTo(400);
        assertThat(client.call("sync/hostKey", "", "{\"u\":\"alice\",\"p\":\"wonder:land\"} trailing").status()).isEqualTo(400);

        assertThat(count("host_keys")).isEqualTo(keys);
    }

    @Test
    void unsupportedVersionsAreRefused() {
        String key = login();
        byte[] meta = ZstdFraming.compress("{\"v\":11,\"cv\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        for (int v : new int[] {7, 12, -1}) {
            RawSyncClient.Response r = client.post("sync/meta",
                    Map.of(AnkiHeaders.SYNC, new SyncHeader(v, key, "c", "s").toJson()), meta);
            assertThat(r.status()).as("header v=" + v).isEqualTo(400);
            assertThat(r.text()).contains("unsupported sync version");
        }
        // the version in meta's body decides whether a client is too old (or too new) to sync
        for (int v : new int[] {7, 12}) {
            RawSyncClient.Response r = client.call("sync/meta", key, "{\"v\":" + v + ",\"cv\":\"x\"}");
            assertThat(r.status()).as("meta v=" + v).isEqualTo(501);
            assertThat(r.text()).contains("version " + v);
        }
    }

    @Test
    void unknownMethodsAndLegacyClientsGetClearAnswers() {
        String key = login();
        RawSyncClient.Response unknown = client.call("sync/dropTables", key, "{}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.text()).contains("unknown sync method 'dropTables'");
        assertThat(client.call("msync/dropTables", key, "{}").status()).isEqualTo(404);
        assertThat(client.get("sync/meta").status()).isEqualTo(404);

        RawSyncClient.Response legacy = client.post("sync/meta",
                Map.of("content-type", "multipart/form-data; boundary=xyz"), "--xyz--\r\n".getBytes(StandardCharsets.UTF_8));
        assertThat(legacy.status()).isEqualTo(501);
        assertThat(legacy.text()).contains("legacy");
    }

    @Test
    void oversizedBodiesAndZstdBombsAreRefused() {
        long keys = count("host_keys");
        // 1.5 MiB of incompressible bytes: over MAX_SYNC_PAYLOAD_MEGS=1 as sent
        byte[] noise = new byte[3 * 512 * 1024];
        new Random(7).nextBytes(noise);
        RawSyncClient.Response big = client.post("sync/hostKey", v11(""), ZstdFraming.compress(noise));
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.text()).contains("exceeds");

        // a few KiB that unpack to 8 MiB: over 3 x 1 MiB once decompressed
        byte[] bomb = ZstdFraming.compress(("{\"u\":\"alice\",\"p\":\"" + " ".repeat(8 << 20) + "\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(bomb.length).isLessThan(64 * 1024);
        RawSyncClient.Response exploded = client.post("sync/hostKey", v11(""), bomb);
        assertThat(exploded.status()).isEqualTo(413);
        assertThat(exploded.text()).contains("decompressed");
        assertThat(count("host_keys")).isEqualTo(keys);
        // and the server still serves
        assertThat(login()).isNotBlank();
    }

    @Test
    void normalSyncStepsNeedTheirSession() {
        String key = login();
        RawSyncClient.Response noSkey = client.post("sync/start",
                Map.of(AnkiHeaders.SYNC, new SyncHeader(11, key, "c", "").toJson()),
                ZstdFraming.compress("{\"minUsn\":0,\"lnewer\":true,\"graves\":null}".getBytes(StandardCharsets.UTF_8)));
        assertThat(noSkey.status()).isEqualTo(400);
        assertThat(noSkey.text()).contains("missing skey");
        // alice has no collection yet, so there is nothing to sync incrementally with
        RawSyncClient.Response start = client.call("sync/start", key, "{\"minUsn\":0,\"lnewer\":true,\"graves\":null}");
        assertThat(start.status()).isEqualTo(400);
        assertThat(start.text()).contains("full sync");
        for (String step : new String[] {"applyGraves", "applyChanges", "chunk", "applyChunk", "sanityCheck2", "finish"}) {
            RawSyncClient.Response r = client.call("sync/" + step, key, "{}");
            assertThat(r.status()).as(step).isEqualTo(409);
        }
        assertThat(client.call("sync/abort", key, "{}").payload()).isEqualTo("null");
    }

    @Test
    void probesAndMetrics() {
        login();
        client.call("sync/hostKey", "", "{\"u\":\"alice\",\"p\":\"nope\"}");
        assertThat(client.get("actuator/health/liveness").status()).isEqualTo(200);
        assertThat(client.get("actuator/health/readiness").status()).isEqualTo(200);
        RawSyncClient.Response metrics = client.get("actuator/prometheus");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.text())
                .containsPattern("deckhand_sync_requests_seconds_count\\{[^}]*method=\"hostKey\"[^}]*outcome=\"ok\"[^}]*} [1-9]")
                .containsPattern("deckhand_sync_requests_seconds_count\\{[^}]*method=\"hostKey\"[^}]*outcome=\"403\"[^}]*} [1-9]");
    }

    @Test
    void healthChecksAsAnkisServerHasThemAndAPageForPeople() {
        // what Anki's own server answers container health checks: 200, nothing in the body
        RawSyncClient.Response health = client.get("health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).isEmpty();
        // it follows the liveness state, as the liveness probe does
        AvailabilityChangeEvent.publish(server.context(), LivenessState.BROKEN);
        try {
            assertThat(client.get("health").status()).isEqualTo(503);
        } finally {
            AvailabilityChangeEvent.publish(server.context(), LivenessState.CORRECT);
        }
        assertThat(client.get("health").status()).isEqualTo(200);

        RawSyncClient.Response page = client.get("");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(page.header("x-content-type-options")).contains("nosniff");
        assertThat(page.text()).contains("Deckhand sync server is running", "Preferences > Syncing > Self-hosted sync server",
                "http://127.0.0.1:" + server.port() + "/");
        // those two paths only
        assertThat(client.get("health/x").status()).isEqualTo(404);
        assertThat(client.get("index.html").status()).isEqualTo(404);
    }

    private static Map<String, String> v11(String key) {
        return Map.of(AnkiHeaders.SYNC, new SyncHeader(11, key, "c", "s").toJson());
    }

    static long count(String table) {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             ResultSet rs = c.createStatement().executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
