package dev.deckhand.store.collection;

/** The Java type a bulk column's value has on our side (COPY text, JDBC, R2DBC). */
public enum ValueType {
    INT64(Long.MIN_VALUE, Long.MAX_VALUE),
    INT32(Integer.MIN_VALUE, Integer.MAX_VALUE),
    INT16(Short.MIN_VALUE, Short.MAX_VALUE),
    TEXT(0, 0),
    /** Raw bytes ({@code notes.flds}: SQLite text may hold what PostgreSQL text cannot). */
    BYTES(0, 0);

    final long min;
    final long max;

    ValueType(long min, long max) {
        this.min = min;
        this.max = max;
    }

    public boolean numeric() {
        return this != TEXT && this != BYTES;
    }
}
