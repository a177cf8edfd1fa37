package dev.deckhand.gateway.session;

import dev.deckhand.protocol.SyncJson;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Sessions in Redis, one key per user ({@code <prefix>user:<id>:sync-session}), with Redis'
 * own expiry, so gateways share them and a dead gateway leaves nothing behind for long.
 */
public final class RedisSyncSessionStore implements SyncSessionStore {

    private final ReactiveStringRedisTemplate redis;
    private final String keyPrefix;

    public RedisSyncSessionStore(ReactiveStringRedisTemplate redis, String keyPrefix) {
        this.redis = redis;
        this.keyPrefix = keyPrefix;
    }

    @Override
    public Mono<SyncSession> find(long userId) {
        return redis.opsForValue().get(key(userId))
                .map(json -> SyncJson.read(json.getBytes(StandardCharsets.UTF_8), SyncSession.class));
    }

    @Override
    public Mono<Void> save(SyncSession session, Duration ttl) {
        String json = new String(SyncJson.write(session), StandardCharsets.UTF_8);
        return redis.opsForValue().set(key(session.userId()), json, ttl).then();
    }

    @Override
    public Mono<Boolean> remove(long userId) {
        return redis.delete(key(userId)).map(n -> n > 0);
    }

    String key(long userId) {
        return keyPrefix + "user:" + userId + ":sync-session";
    }
}
