package dev.deckhand.store.collection;

/** What a grave records the deletion of; {@link #code} is the {@code type} stored in files and tables. */
public enum GraveKind {
    CARD(0, "cards"),
    NOTE(1, "notes"),
    DECK(2, "decks");

    public final int code;
    /** The key of this kind's id list in normal sync's graves object. */
    public final String wireKey;

    GraveKind(int code, String wireKey) {
        this.code = code;
        this.wireKey = wireKey;
    }

    public static GraveKind ofCode(int code) {
        for (GraveKind kind : values()) {
            if (kind.code == code) {
                return kind;
            }
        }
        throw new IllegalArgumentException("no grave kind " + code);
    }
}
