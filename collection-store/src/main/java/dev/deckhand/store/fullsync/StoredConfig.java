package dev.deckhand.store.fullsync;

/** One collection config entry; {@code value} is compact JSON text of any JSON value. */
public record StoredConfig(String key, int usn, long mtime, String value) {}
