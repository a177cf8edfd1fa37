package dev.deckhand.store.collection;

/** What a grave records the deletion of; {@link #code} is the {@code type} stored in files and tables. */
public enum GraveKind {
    CARD(0),
    NOTE(1),
    DECK(2);

    public final int code;

    GraveKind(int code) {
        this.code = code;
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
