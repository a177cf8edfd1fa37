package dev.deckhand.store.collection;

/**
 * One column of a bulk table, defined once for every place that moves its values.
 *
 * @param name   the PostgreSQL column (and its name in {@code .sql} files)
 * @param sqlite how a client's SQLite file is read for it (schemas 11 and 18 agree)
 * @param type   its Java type on our side
 * @param min    the smallest value clients read it into without failing (Anki's Rust types)
 * @param max    the largest such value
 * @param onWire whether normal sync carries it in the table's row tuples
 * @param input  how a value a client sends in a row tuple is taken
 * @param fileColumn the column of a client's file (schemas 11 and 18) that holds it; null when
 *               the file has none and the value is derived ({@code sfld_kind}, the storage
 *               class of {@code sfld})
 */
public record Column(String name, String sqlite, ValueType type, long min, long max, boolean onWire, Input input,
                     String fileColumn) {

    /** How normal sync takes a client's value for this column. */
    public enum Input {
        /** Of the column's type (numbers may be floats or numeric strings) and within its range, or the row is refused. */
        CHECKED,
        /** Anything: the server computes the value itself, and sends it as an empty string. */
        COMPUTED,
        /** Anything: a value of the wrong type becomes 0 or "" when merged, as Anki's server does. */
        LENIENT
    }

    static Column of(String name, String sqlite, ValueType type) {
        return new Column(name, sqlite, type, type.min, type.max, true, Input.CHECKED, name);
    }

    /** A number that clients read into a narrower type than ours, e.g. a u16 kept as a bigint. */
    static Column ranged(String name, String sqlite, long min, long max) {
        return new Column(name, sqlite, ValueType.INT64, min, max, true, Input.CHECKED, name);
    }

    /** Stored and written to files, but not part of normal sync's tuples. */
    Column offWire() {
        return new Column(name, sqlite, type, min, max, false, input, fileColumn);
    }

    Column input(Input how) {
        return new Column(name, sqlite, type, min, max, onWire, how, fileColumn);
    }

    /** Named differently in a client's file. */
    Column namedInFile(String column) {
        return new Column(name, sqlite, type, min, max, onWire, input, column);
    }

    /** Not a column of a client's file: derived from another one when read, folded into it when written. */
    Column notInFile() {
        return new Column(name, sqlite, type, min, max, onWire, input, null);
    }

    /** Whether a client's file has a column for it (see {@link #fileColumn}). */
    public boolean inFile() {
        return fileColumn != null;
    }

    public boolean inRange(long value) {
        return value >= min && value <= max;
    }
}
