package dev.deckhand.gateway.session;

import dev.deckhand.worker.normalsync.SyncState;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The one normal sync a user may have open, identified by the client's session key, with what
 * its next step needs to know.
 *
 * @param startedAt when its {@code start} arrived; with the key, it tells this sync from a later
 *                  one of the same client
 * @param activeAt  when a step of it last arrived or completed; another client may take over only
 *                  once this is long enough ago ({@link SessionRule})
 * @param state     {@code null} until its {@code start} has completed
 */
public record SyncSession(long userId, String sessionKey, Instant startedAt, Instant activeAt, SyncState state) {

    public SyncSession {
        Objects.requireNonNull(sessionKey, "sessionKey");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(activeAt, "activeAt");
    }

    /** A session whose {@code start} has just arrived. */
    public static SyncSession opened(long userId, String sessionKey, Instant now) {
        return new SyncSession(userId, sessionKey, now, now, null);
    }

    public SyncSession activeAt(Instant now) {
        return new SyncSession(userId, sessionKey, startedAt, now, state);
    }

    public SyncSession withState(SyncState next, Instant now) {
        return new SyncSession(userId, sessionKey, startedAt, now, next);
    }

    /** The same sync: the same client's session, opened by the same {@code start}. */
    public boolean sameSync(SyncSession other) {
        return sessionKey.equals(other.sessionKey) && startedAt.equals(other.startedAt);
    }

    /** Whether it had a step in flight, or one completed, less than {@code takeoverAfter} before {@code now}. */
    public boolean isActive(Instant now, Duration takeoverAfter) {
        return now.isBefore(activeAt.plus(takeoverAfter));
    }
}
