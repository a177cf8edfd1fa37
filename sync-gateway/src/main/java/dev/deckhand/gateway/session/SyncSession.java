package dev.deckhand.gateway.session;

import java.time.Instant;

/** The one normal sync a user may have open, identified by the client's session key. */
public record SyncSession(long userId, String sessionKey, Instant startedAt) {}
