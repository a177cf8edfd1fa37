package dev.deckhand.store.fullsync;

/** A deck, deck config or note type: the columns we query by, and its legacy JSON. */
public record StoredObject(long id, String name, long mtime, int usn, String json) {}
