package dev.deckhand.gateway.session;

import reactor.core.publisher.Mono;

import java.time.Duration;

/**
 * Where open sync sessions live between requests, so that any gateway replica can serve the
 * next step: Redis in the distributed wiring, this process's memory in the all-in-one server.
 * Sessions expire by themselves; an abandoned one must not lock a user out for long.
 */
public interface SyncSessionStore {

    /** The user's open session, if any. */
    Mono<SyncSession> find(long userId);

    /** Stores the session as the user's only one, replacing any other, for {@code ttl}. */
    Mono<Void> save(SyncSession session, Duration ttl);

    /** Ends the user's session; true when there was one. */
    Mono<Boolean> remove(long userId);
}
