package dev.deckhand.gateway.session;

import dev.deckhand.protocol.internal.VersionedJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Mono;

import java.time.Duration;

/**
 * Sessions in Redis, one key per user ({@code <prefix>user:<id>:sync-session}), with Redis'
 * own expiry, so gateways share them and a dead gateway leaves nothing behind for long. Values
 * are versioned JSON ({@link SessionJson}). A value this release cannot read (another release's
 * format during a rolling upgrade, or anything else) counts as no session, so the step gets 409
 * and the client starts again; it is logged and left alone, for a gateway that can read it.
 */
public final class RedisSyncSessionStore implements SyncSessionStore {

    private static final Logger log = LoggerFactory.getLogger(RedisSyncSessionStore.class);

    private final ReactiveStringRedisTemplate redis;
    private final String keyPrefix;

    public RedisSyncSessionStore(ReactiveStringRedisTemplate redis, String keyPrefix) {
        this.redis = redis;
        this.keyPrefix = keyPrefix;
    }

    @Override
    public Mono<SyncSession> find(long userId) {
        return redis.opsForValue().get(key(userId)).flatMap(json -> {
            try {
                SyncSession session = SessionJson.read(json);
                if (session.userId() != userId) {
                    throw new VersionedJson.FormatException("it names user " + session.userId());
                }
                return Mono.just(session);
            } catch (VersionedJson.FormatException e) {
                log.warn("the sync session of user {} in Redis is not in session format version {}, so it counts as none: {}",
                        userId, SessionJson.VERSION, e.getMessage());
                return Mono.empty();
            }
        });
    }

    @Override
    public Mono<Void> save(SyncSession session, Duration ttl) {
        return redis.opsForValue().set(key(session.userId()), SessionJson.write(session), ttl).then();
    }

    @Override
    public Mono<Boolean> remove(long userId) {
        return redis.delete(key(userId)).map(n -> n > 0);
    }

    String key(long userId) {
        return keyPrefix + "user:" + userId + ":sync-session";
    }
}
