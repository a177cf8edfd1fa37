package dev.deckhand.store.fullsync;

/**
 * The SQLite storage class of a note's sort field, kept beside it as {@code notes.sfld_kind}:
 * Anki sorts by it, and SQLite's own text for a REAL drops digits, so the field is stored as
 * Java's text of the number and given its class back when a file is written.
 */
enum SortFieldClass {
    INTEGER(1),
    REAL(2),
    TEXT(3);

    /** The value of {@code sfld_kind}. */
    final int code;

    SortFieldClass(int code) {
        this.code = code;
    }

    /** From SQLite's {@code typeof(sfld)}; anything but a number counts as text. */
    static SortFieldClass ofSqliteType(String type) {
        return switch (type) {
            case "integer" -> INTEGER;
            case "real" -> REAL;
            default -> TEXT;
        };
    }

    /** From {@code sfld_kind}; an unknown code counts as text. */
    static SortFieldClass ofCode(int code) {
        return switch (code) {
            case 1 -> INTEGER;
            case 2 -> REAL;
            default -> TEXT;
        };
    }
}
