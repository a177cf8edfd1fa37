package dev.deckhand.gateway.session;

import dev.deckhand.testsupport.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import dev.deckhand.worker.normalsync.ChunkTable;
import dev.deckhand.worker.normalsync.SyncState;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

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
        put(new SyncSession(77, "k", Instant.now(), Instant.now(), null), Duration.ofMinutes(3));
        String key = store.key(77);
        assertThat(key).endsWith("user:77:sync-session");
        assertThat(redis.getExpire(key).block()).isBetween(Duration.ofMinutes(2), Duration.ofMinutes(3));
        redis.delete(key).block();
    }

    static final String V2 = "{\"v\":2,\"userId\":%d,\"sessionKey\":\"abc\",\"startedAt\":\"2026-11-23T06:00:00.123456Z\","
            + "\"activeAt\":\"2026-11-23T06:00:04.500Z\","
            + "\"state\":{\"epoch\":3,\"serverUsn\":57,\"minUsn\":55,\"lnewer\":true,\"chunkTable\":\"CARDS\",\"chunkAfterId\":1234}}";

    @Test
    void aSessionIsStoredAsVersionTwoJson() {
        long user = 3_000_000 + (long) (Math.random() * 1_000_000);
        SyncSession session = new SyncSession(user, "abc", Instant.parse("2026-11-23T06:00:00.123456Z"),
                Instant.parse("2026-11-23T06:00:04.5Z"), new SyncState(3, 57, 55, true, ChunkTable.CARDS, 1234));
        put(session, Duration.ofMinutes(1));
        assertThat(redis.opsForValue().get(store.key(user)).block()).isEqualTo(V2.formatted(user));

        // and that text, written by any gateway of this format, reads back as the same session
        redis.opsForValue().set(store.key(user), V2.formatted(user), Duration.ofMinutes(1)).block();
        assertThat(store.find(user).block()).isEqualTo(session);
        put(new SyncSession(user, "abc", session.startedAt(), session.activeAt(), null), Duration.ofMinutes(1));
        assertThat(redis.opsForValue().get(store.key(user)).block()).contains("\"state\":null");
        assertThat(store.find(user).block().state()).isNull();
        redis.delete(store.key(user)).block();
    }

    @Test
    void aSessionOfAnotherVersionOrShapeCountsAsNoneAndIsLeftForWhoeverCanReadIt() {
        long user = 4_000_000 + (long) (Math.random() * 1_000_000);
        String v2 = V2.formatted(user);
        for (String other : List.of(
                v2.replace("\"v\":2", "\"v\":3"),                                   // a newer release's session
                v2.replace("\"v\":2", "\"v\":1").replace(",\"activeAt\":\"2026-11-23T06:00:04.500Z\"", ""), // an older release's
                v2.replace("{\"v\":2,", "{"),                                          // one from before versions
                v2.replace("\"chunkAfterId\":1234", "\"chunkAfterId\":1234,\"next\":5"), // a field we do not know
                v2.replace(",\"sessionKey\":\"abc\"", ""),                              // a field missing
                v2.replace("\"2026-11-23T06:00:04.500Z\"", "\"soon\""),                  // not an instant
                v2.replace("\"CARDS\"", "\"MEDIA\""),                                    // a chunk table we do not know
                v2.replace("\"CARDS\"", "1"),                                            // the old numeric code
                v2.replace("\"userId\":" + user, "\"userId\":" + (user + 1)),               // someone else's
                "not json")) {
            redis.opsForValue().set(store.key(user), other, Duration.ofMinutes(1)).block();
            assertThat(store.find(user).blockOptional()).as(other).isEmpty();
            assertThat(redis.opsForValue().get(store.key(user)).block()).as("left alone").isEqualTo(other);
            // a gateway that read it as none may replace exactly that value, and only that
            StoredSession seen = store.read(user).block();
            redis.opsForValue().set(store.key(user), other + " ", Duration.ofMinutes(1)).block();
            assertThat(store.replace(seen, new SyncSession(user, "new", Instant.now(), Instant.now(), null),
                    Duration.ofMinutes(1)).block()).as(other).isFalse();
            assertThat(redis.opsForValue().get(store.key(user)).block()).isEqualTo(other + " ");
        }
        redis.delete(store.key(user)).block();
    }
}
