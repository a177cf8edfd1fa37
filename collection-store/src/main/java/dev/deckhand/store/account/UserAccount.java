package dev.deckhand.store.account;

import java.time.Instant;

/** A user as the admin tools list it. */
public record UserAccount(long id, String tenant, String username, Instant createdAt, long hostKeys) {}
