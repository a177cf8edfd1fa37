package dev.deckhand.gateway.session;

import java.util.Optional;

/**
 * What a {@link SyncSessionStore} held for one user when it was read: the session, if there was
 * one this release can read, and the stored value itself, which
 * {@link SyncSessionStore#replace} compares with.
 */
public final class StoredSession {

    private final long userId;
    private final SyncSession session;
    /** The store's own form of what it held; {@code null} if nothing. */
    final Object version;

    StoredSession(long userId, SyncSession session, Object version) {
        this.userId = userId;
        this.session = session;
        this.version = version;
    }

    public long userId() {
        return userId;
    }

    /** {@code next}, which a store may put in place of what was read only if it is the same user's. */
    SyncSession sameUser(SyncSession next) {
        if (next.userId() != userId) {
            throw new IllegalArgumentException("a session of user " + next.userId() + " in place of user " + userId + "'s");
        }
        return next;
    }

    /** Empty if the user has no session, or one this release cannot read. */
    public Optional<SyncSession> session() {
        return Optional.ofNullable(session);
    }
}
