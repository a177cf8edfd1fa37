package dev.deckhand.store.collection;

/**
 * A note as a writer gives it: the sort field and checksum are computed from {@code fields}
 * when it is stored, and the usn is the server's.
 *
 * @param fields the fields joined by U+001F, as the {@code flds} column holds them
 */
public record NoteRow(long id, String guid, long notetypeId, long mod, String tags, String fields, long flags, String data) {}
