package dev.deckhand.store.collection;

/**
 * The {@code col} row's scalar columns.
 *
 * @param crt creation time, seconds
 * @param mod modification time, ms
 * @param scm schema modification time, ms
 * @param ls  last sync, ms
 * @param ver schema version of the file it came from
 */
public record CollectionHeader(long crt, long mod, long scm, int usn, long ls, int ver) {}
