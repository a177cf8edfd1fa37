package dev.deckhand.store.account;

/**
 * A user that {@link AccountService#deleteUser} removed from PostgreSQL: its ids, under which
 * its media blobs are still stored until they are deleted too.
 */
public record DeletedUser(long userId, long tenantId, String username) {}
