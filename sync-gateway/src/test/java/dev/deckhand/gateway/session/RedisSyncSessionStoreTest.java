package dev.deckhand.gateway.session;

import dev.deckhand.testsupport.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Against a real Redis: the one in TEST_REDIS_URL, or an embedded one. */
class RedisSyncSessionStoreTest extends SyncSessionStoreContract {

    static LettuceConnectionFactory connections;
    static ReactiveStringRedisTemplate redis;
    static RedisSyncSessionStore store;

    @BeforeAll
    static void connect() {
        TestRedis.Endpoint endpoint = TestRedis.endpoint();
        connections = new LettuceConnectionFactory(endpoint.host(), endpoint.port());
        connections.afterPropertiesSet();
        connections.start();
        redis = new ReactiveStringRedisTemplate(connections);
        store = new RedisSyncSessionStore(redis, TestRedis.newKeyPrefix());
    }

    @AfterAll
    static void disconnect() {
        connections.destroy();
    }

    @Override
    SyncSessionStore store() {
        return store;
    }

    @Override
    void letExpire(long userId, Duration ttl) {
        // Redis keeps the clock: check the expiry it was given, then wait it out
        Duration left = redis.getExpire(store.key(userId)).block();
        assertThat(left).isPositive().isLessThanOrEqualTo(ttl);
        try {
            Thread.sleep(ttl.toMillis() + 200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void keysStartWithTheUserAndCarryAnExpiry() {
        store.save(new SyncSession(77, "k", Instant.now(), null), Duration.ofMinutes(3)).block();
        String key = store.key(77);
        assertThat(key).endsWith("user:77:sync-session");
        assertThat(redis.getExpire(key).block()).isBetween(Duration.ofMinutes(2), Duration.ofMinutes(3));
        store.remove(77).block();
    }
}
