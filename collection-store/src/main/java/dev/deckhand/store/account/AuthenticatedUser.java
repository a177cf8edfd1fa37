package dev.deckhand.store.account;

/** Who a valid host key belongs to. */
public record AuthenticatedUser(long userId, long tenantId, String username) {}
