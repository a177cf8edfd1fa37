package dev.deckhand.gateway.distributed;

import dev.deckhand.gateway.SyncGatewayApplication;
import dev.deckhand.gateway.SyncGatewayConfiguration;
import dev.deckhand.gateway.http.SyncRequestHandler;
import dev.deckhand.gateway.http.TwoClientsAtOnceContract;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.testsupport.RawSyncClient;
import dev.deckhand.testsupport.ShiftedClock;
import dev.deckhand.testsupport.TestDatabase;
import dev.deckhand.testsupport.TestPostgres;
import dev.deckhand.testsupport.TestRedis;
import dev.deckhand.worker.SyncWorkerApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two clients at once through two gateways and a worker, with the sessions in Redis: the first
 * device's requests alternate between the gateways, and the second device uses the other one, so
 * every decision is made by a gateway that did not make the one before.
 */
class TwoClientsAtOnceThroughRedisTest extends TwoClientsAtOnceContract {

    static final ShiftedClock clock = new ShiftedClock();
    static TestDatabase db;
    static ConfigurableApplicationContext worker;
    static ConfigurableApplicationContext gatewayA;
    static ConfigurableApplicationContext gatewayB;

    @BeforeAll
    static void start() {
        db = TestPostgres.newDatabase();
        Map<String, Object> shared = new HashMap<>(db.springProperties());
        shared.put("server.address", "127.0.0.1");
        shared.put("server.port", "0");
        shared.put("deckhand.worker.token", "two-at-once");
        worker = new SpringApplicationBuilder(SyncWorkerApplication.class).run(DistributedWiringTest.args(shared));

        Map<String, Object> gateway = new HashMap<>(shared);
        gateway.put("deckhand.worker.url", "http://127.0.0.1:" + DistributedWiringTest.port(worker));
        gateway.put("deckhand.sessions.store", "redis");
        gateway.put("deckhand.redis.key-prefix", TestRedis.newKeyPrefix());
        gateway.put("spring.data.redis.url", TestRedis.endpoint().url());
        gatewayA = gateway(gateway);
        gatewayB = gateway(gateway);
    }

    /** A gateway whose sessions are timed by the test's clock, which both gateways share. */
    static ConfigurableApplicationContext gateway(Map<String, Object> properties) {
        return new SpringApplicationBuilder(SyncGatewayApplication.class)
                .initializers(ctx -> ctx.getBeanFactory().registerSingleton(SyncGatewayConfiguration.SESSION_CLOCK, clock))
                .run(DistributedWiringTest.args(properties));
    }

    @AfterAll
    static void stop() {
        for (ConfigurableApplicationContext c : new ConfigurableApplicationContext[] {gatewayA, gatewayB, worker}) {
            if (c != null && c.isActive()) {
                c.close();
            }
        }
    }

    @Override
    protected RawSyncClient gateway(int i) {
        return DistributedWiringTest.client(List.of(gatewayA, gatewayB).get(i));
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
        return gatewayA.getBean(AccountService.class).addUser(name, password).block().id();
    }

    @Override
    protected Duration takeoverAfter() {
        Duration a = gatewayA.getBean(SyncRequestHandler.class).takeoverAfter();
        assertThat(gatewayB.getBean(SyncRequestHandler.class).takeoverAfter()).isEqualTo(a);
        // the default, which the tests move the clock past
        assertThat(a).isEqualTo(Duration.ofSeconds(15));
        return a;
    }
}
