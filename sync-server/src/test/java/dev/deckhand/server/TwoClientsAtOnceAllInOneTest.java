package dev.deckhand.server;

import dev.deckhand.gateway.SyncGatewayConfiguration;
import dev.deckhand.gateway.http.SyncRequestHandler;
import dev.deckhand.gateway.http.TwoClientsAtOnceContract;
import dev.deckhand.gateway.session.InMemorySyncSessionStore;
import dev.deckhand.gateway.session.SyncSessionStore;
import dev.deckhand.server.config.ServerSettings;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.testsupport.RawSyncClient;
import dev.deckhand.testsupport.ShiftedClock;
import dev.deckhand.testsupport.TestDatabase;
import dev.deckhand.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Two clients at once on the all-in-one server, whose sessions live in its memory. */
class TwoClientsAtOnceAllInOneTest extends TwoClientsAtOnceContract {

    static final ShiftedClock clock = new ShiftedClock();
    static TestDatabase db;
    static DeckhandServer server;
    static RawSyncClient client;

    @BeforeAll
    static void start() {
        db = TestPostgres.newDatabase();
        server = DeckhandServer.start(ServerSettings.fromEnvironment(Map.of(
                "SYNC_HOST", "127.0.0.1", "SYNC_PORT", "0",
                "SYNC_BASE", Path.of("target", "two-clients-at-once").toAbsolutePath().toString(),
                "DATABASE_URL", db.jdbcUrl())), Map.of(), Map.of(SyncGatewayConfiguration.SESSION_CLOCK, clock));
        assertThat(server.context().getBean(SyncSessionStore.class)).isInstanceOf(InMemorySyncSessionStore.class);
        client = new RawSyncClient("http://127.0.0.1:" + server.port() + "/");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected RawSyncClient gateway(int i) {
        return client;
    }

    @Override
    protected ShiftedClock sessionClock() {
        return clock;
    }

    @Override
    protected TestDatabase database() {
        return db;
    }

    @Override
    protected long addUser(String name, String password) {
        return server.context().getBean(AccountService.class).addUser(name, password).block().id();
    }

    @Override
    protected Duration takeoverAfter() {
        Duration d = server.context().getBean(SyncRequestHandler.class).takeoverAfter();
        assertThat(d).as("the default").isEqualTo(Duration.ofSeconds(15));
        return d;
    }
}
