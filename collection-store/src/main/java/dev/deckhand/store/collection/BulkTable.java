package dev.deckhand.store.collection;

import java.util.List;

import static dev.deckhand.store.collection.Column.Input.COMPUTED;
import static dev.deckhand.store.collection.Column.Input.LENIENT;
import static dev.deckhand.store.collection.Column.of;
import static dev.deckhand.store.collection.Column.ranged;
import static dev.deckhand.store.collection.ValueType.BYTES;
import static dev.deckhand.store.collection.ValueType.INT16;
import static dev.deckhand.store.collection.ValueType.INT32;
import static dev.deckhand.store.collection.ValueType.INT64;
import static dev.deckhand.store.collection.ValueType.TEXT;

/**
 * The row-per-object tables of a collection (besides {@code user_id}, which leads every one of
 * them in PostgreSQL), defined once: the migration, COPY in and out, the schema-11 writer, normal
 * sync's chunks, staging and merge all follow this column order, and
 * {@code BulkTableShapeTest} holds the migration and the {@code .sql} files to it.
 */
public enum BulkTable {

    NOTES("notes", "note", List.of(
            of("id", "id", INT64),
            of("guid", "guid", TEXT),
            of("mid", "cast(mid as integer)", INT64),
            of("mod", "cast(mod as integer)", INT64),
            of("usn", "cast(usn as integer)", INT32),
            of("tags", "tags", TEXT),
            of("flds", "flds", BYTES),
            // the sort field keeps its SQLite storage class: SQLite's own text for a REAL drops digits
            of("sfld", "sfld", TEXT).input(COMPUTED),
            of("sfld_kind", "typeof(sfld)", INT16).offWire().notInFile(),
            of("csum", "cast(csum as integer)", INT64).input(COMPUTED),
            of("flags", "cast(flags as integer)", INT64).input(LENIENT),
            of("data", "data", TEXT).input(LENIENT))),

    CARDS("cards", "card", List.of(
            of("id", "id", INT64),
            of("nid", "cast(nid as integer)", INT64),
            of("did", "cast(did as integer)", INT64),
            ranged("ord", "cast(ord as integer)", 0, 0xFFFF),
            of("mod", "cast(mod as integer)", INT64),
            of("usn", "cast(usn as integer)", INT32),
            ranged("type", "cast(type as integer)", 0, 3),
            ranged("queue", "cast(queue as integer)", -3, 4),
            ranged("due", "cast(due as integer)", Integer.MIN_VALUE, Integer.MAX_VALUE),
            ranged("ivl", "cast(ivl as integer)", 0, 0xFFFF_FFFFL),
            ranged("factor", "cast(factor as integer)", 0, 0xFFFF),
            ranged("reps", "cast(reps as integer)", 0, 0xFFFF_FFFFL),
            ranged("lapses", "cast(lapses as integer)", 0, 0xFFFF_FFFFL),
            ranged("left", "cast(left as integer)", 0, 0xFFFF_FFFFL),
            ranged("odue", "cast(odue as integer)", Integer.MIN_VALUE, Integer.MAX_VALUE),
            of("odid", "cast(odid as integer)", INT64),
            ranged("flags", "cast(flags as integer)", 0, 0xFF),
            of("data", "data", TEXT))),

    REVLOG("revlog", "revlog", List.of(
            of("id", "id", INT64),
            of("cid", "cast(cid as integer)", INT64),
            of("usn", "cast(usn as integer)", INT32),
            ranged("ease", "cast(ease as integer)", 0, 0xFF),
            ranged("ivl", "cast(ivl as integer)", Integer.MIN_VALUE, Integer.MAX_VALUE),
            ranged("last_ivl", "cast(lastIvl as integer)", Integer.MIN_VALUE, Integer.MAX_VALUE).namedInFile("lastIvl"),
            ranged("factor", "cast(factor as integer)", 0, 0xFFFF_FFFFL),
            ranged("time", "cast(time as integer)", 0, 0xFFFF_FFFFL),
            ranged("type", "cast(type as integer)", 0, 0xFF))),

    GRAVES("graves", "grave", List.of(
            of("oid", "oid", INT64),
            of("type", "type", INT32),
            of("usn", "usn", INT32)));

    private final String tableName;
    private final String rowName;
    private final List<Column> columns;

    BulkTable(String tableName, String rowName, List<Column> columns) {
        this.tableName = tableName;
        this.rowName = rowName;
        this.columns = columns;
    }

    /** What one row is called in messages for people: "note", "card", ... */
    public String rowName() {
        return rowName;
    }

    /** The PostgreSQL table (and the SQLite one). */
    public String tableName() {
        return tableName;
    }

    /** Every column after {@code user_id}, in order. */
    public List<Column> columns() {
        return columns;
    }

    /** The columns normal sync's row tuples carry, in tuple order. */
    public List<Column> wireColumns() {
        return columns.stream().filter(Column::onWire).toList();
    }

    /** The column of this name. */
    public Column column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(tableName + " has no column " + name));
    }
}
