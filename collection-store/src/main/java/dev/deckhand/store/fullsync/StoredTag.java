package dev.deckhand.store.fullsync;

public record StoredTag(String tag, int usn, boolean collapsed) {}
