package dev.deckhand.gateway.session;

import dev.deckhand.worker.normalsync.SyncState;

import java.time.Instant;

/**
 * The one normal sync a user may have open, identified by the client's session key, with what
 * its next step needs to know.
 */
public record SyncSession(long userId, String sessionKey, Instant startedAt, SyncState state) {

    public SyncSession withState(SyncState next) {
        return new SyncSession(userId, sessionKey, startedAt, next);
    }
}
