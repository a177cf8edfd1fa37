package dev.deckhand.gateway.session;

import dev.deckhand.protocol.internal.VersionedJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;

/**
 * Sessions in Redis, one key per user ({@code <prefix>user:<id>:sync-session}), with Redis'
 * own expiry, so gateways share them and a dead gateway leaves nothing behind for long. Values
 * are versioned JSON ({@link SessionJson}). A value this release cannot read (another release's
 * format during a rolling upgrade, or anything else) counts as no session, so the step gets 409
 * and the client starts again; it is logged and left alone, for a gateway that can read it.
 * {@link #replace} is one Lua script, which compares the value with the text read.
 */
public final class RedisSyncSessionStore implements SyncSessionStore {

    private static final Logger log = LoggerFactory.getLogger(RedisSyncSessionStore.class);
    private static final RedisScript<Long> REPLACE =
            RedisScript.of(new ClassPathResource("dev/deckhand/gateway/session/replace-session.lua"), Long.class);

    private final ReactiveStringRedisTemplate redis;
    private final String keyPrefix;

    public RedisSyncSessionStore(ReactiveStringRedisTemplate redis, String keyPrefix) {
        this.redis = redis;
        this.keyPrefix = keyPrefix;
    }

    @Override
    public Mono<StoredSession> read(long userId) {
        return redis.opsForValue().get(key(userId))
                .map(json -> new StoredSession(userId, readable(userId, json), json))
                .defaultIfEmpty(new StoredSession(userId, null, null));
    }

    private static SyncSession readable(long userId, String json) {
        try {
            SyncSession session = SessionJson.read(json);
            if (session.userId() != userId) {
                throw new VersionedJson.FormatException("it names user " + session.userId());
            }
            return session;
        } catch (VersionedJson.FormatException e) {
            log.warn("the sync session of user {} in Redis is not in session format version {}, so it counts as none: {}",
                    userId, SessionJson.VERSION, e.getMessage());
            return null;
        }
    }

    @Override
    public Mono<Boolean> replace(StoredSession seen, SyncSession next, Duration ttl) {
        String was = (String) seen.version;
        String now = next == null ? "" : SessionJson.write(seen.sameUser(next));
        return redis.execute(REPLACE, List.of(key(seen.userId())),
                        List.of(was == null ? "0" : "1", was == null ? "" : was, now, Long.toString(ttl.toMillis())))
                .next()
                .map(done -> done == 1L);
    }

    String key(long userId) {
        return keyPrefix + "user:" + userId + ":sync-session";
    }
}
