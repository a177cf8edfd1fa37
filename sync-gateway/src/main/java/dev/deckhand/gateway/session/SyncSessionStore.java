package dev.deckhand.gateway.session;

import reactor.core.publisher.Mono;

import java.time.Duration;

/**
 * Where open sync sessions live between requests, so that any gateway replica can serve the
 * next step: Redis in the distributed wiring, this process's memory in the all-in-one server.
 * Sessions expire by themselves; an abandoned one must not lock a user out for long. Changes
 * are compare-and-set ({@link #replace}), so that gateways deciding at the same moment about one
 * user never both win ({@link SessionRule} makes the decisions).
 */
public interface SyncSessionStore {

    /** What the store holds for the user now; never empty. */
    Mono<StoredSession> read(long userId);

    /**
     * Stores {@code next} as the user's only session for {@code ttl}, or removes the user's session
     * when {@code next} is {@code null}, but only if the store still holds exactly what {@code seen}
     * saw. False, and nothing changed, if anything wrote or removed it since.
     */
    Mono<Boolean> replace(StoredSession seen, SyncSession next, Duration ttl);

    /** The user's open session, if any. */
    default Mono<SyncSession> find(long userId) {
        return read(userId).mapNotNull(stored -> stored.session().orElse(null));
    }
}
