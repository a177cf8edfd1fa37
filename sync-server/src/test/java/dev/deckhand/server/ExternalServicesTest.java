package dev.deckhand.server;

import dev.deckhand.gateway.session.RedisSyncSessionStore;
import dev.deckhand.gateway.session.SyncSessionStore;
import dev.deckhand.server.config.ServerSettings;
import dev.deckhand.testsupport.RawSyncClient;
import dev.deckhand.testsupport.TestPostgres;
import dev.deckhand.testsupport.TestRedis;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The all-in-one process pointed at an external PostgreSQL and Redis instead of its embedded defaults. */
class ExternalServicesTest {

    @Test
    void usesTheConfiguredDatabaseAndRedis() {
        Path base = Path.of("target", "external-services").toAbsolutePath();
        try (DeckhandServer server = DeckhandServer.start(ServerSettings.fromEnvironment(Map.of(
                "SYNC_HOST", "127.0.0.1",
                "SYNC_PORT", "0",
                "SYNC_BASE", base.toString(),
                "SYNC_USER1", "user:pass",
                "DATABASE_URL", TestPostgres.newDatabase().jdbcUrl(),
                "REDIS_URL", TestRedis.endpoint().url())))) {
            assertThat(server.context().getBean(SyncSessionStore.class)).isInstanceOf(RedisSyncSessionStore.class);
            RawSyncClient client = new RawSyncClient("http://127.0.0.1:" + server.port() + "/");
            RawSyncClient.Response login = client.call("sync/hostKey", "", "{\"u\":\"user\",\"p\":\"pass\"}");
            assertThat(login.status()).isEqualTo(200);
            String key = login.payload().replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
            assertThat(client.call("sync/meta", key, "{\"v\":11,\"cv\":\"x\"}").status()).isEqualTo(200);
            assertThat(client.get("actuator/health/readiness").status()).isEqualTo(200);
        }
        assertThat(base.resolve("postgres")).as("no embedded cluster was made").doesNotExist();
    }
}
