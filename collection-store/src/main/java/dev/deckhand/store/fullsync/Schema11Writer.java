package dev.deckhand.store.fullsync;

import dev.deckhand.store.collection.CollectionHeader;
import dev.deckhand.store.collection.BulkTable;
import dev.deckhand.store.collection.Column;
import dev.deckhand.store.collection.ValueType;
import dev.deckhand.store.sql.SqlFile;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Writes a collection file in Anki's schema 11, the layout every client can open: it upgrades
 * the file itself, so we need neither protobuf nor the unicase collation to produce it. The
 * finished file is self-contained (rollback journal, not WAL) once {@link #close()} returns.
 */
public final class Schema11Writer implements AutoCloseable {

    private static final List<String> PREPARE_FILE = List.of(
            SqlFile.load(Schema11Writer.class, "set-schema11-page-size"),
            SqlFile.load(Schema11Writer.class, "turn-off-schema11-journal"),
            SqlFile.load(Schema11Writer.class, "turn-off-schema11-fsync"),
            SqlFile.load(Schema11Writer.class, "set-schema11-encoding"));

    private static final List<String> CREATE_TABLES = List.of(
            SqlFile.load(Schema11Writer.class, "create-schema11-col"),
            SqlFile.load(Schema11Writer.class, "create-schema11-notes"),
            SqlFile.load(Schema11Writer.class, "create-schema11-cards"),
            SqlFile.load(Schema11Writer.class, "create-schema11-revlog"),
            SqlFile.load(Schema11Writer.class, "create-schema11-graves"));

    // built once the rows are in: faster than keeping them up to date row by row
    private static final List<String> CREATE_INDEXES = List.of(
            SqlFile.load(Schema11Writer.class, "create-schema11-index-notes-usn"),
            SqlFile.load(Schema11Writer.class, "create-schema11-index-cards-usn"),
            SqlFile.load(Schema11Writer.class, "create-schema11-index-revlog-usn"),
            SqlFile.load(Schema11Writer.class, "create-schema11-index-cards-nid"),
            SqlFile.load(Schema11Writer.class, "create-schema11-index-cards-sched"),
            SqlFile.load(Schema11Writer.class, "create-schema11-index-revlog-cid"),
            SqlFile.load(Schema11Writer.class, "create-schema11-index-notes-csum"));

    private static final String USE_ROLLBACK_JOURNAL = SqlFile.load(Schema11Writer.class, "use-schema11-rollback-journal");

    private static final String INSERT_COL = SqlFile.load(Schema11Writer.class, "insert-schema11-col");
    private static final String INSERT_NOTES = SqlFile.load(Schema11Writer.class, "insert-schema11-notes");
    private static final String INSERT_CARDS = SqlFile.load(Schema11Writer.class, "insert-schema11-cards");
    private static final String INSERT_REVLOG = SqlFile.load(Schema11Writer.class, "insert-schema11-revlog");
    private static final String INSERT_GRAVES = SqlFile.load(Schema11Writer.class, "insert-schema11-graves");

    /** The note's sort field, bound as the storage class that {@link #SORT_FIELD_KIND} records. */
    private static final Column SORT_FIELD = BulkTable.NOTES.column("sfld");
    private static final Column SORT_FIELD_KIND = BulkTable.NOTES.column("sfld_kind");

    private final Connection db;

    private Schema11Writer(Connection db) {
        this.db = db;
    }

    /** Starts a new file; {@code file} must not exist yet. */
    public static Schema11Writer create(Path file) {
        try {
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                // a throwaway file until it is finished: no journal, no fsync while filling it
                for (String pragma : PREPARE_FILE) {
                    s.execute(pragma);
                }
                for (String table : CREATE_TABLES) {
                    s.execute(table);
                }
            }
            db.setAutoCommit(false);
            return new Schema11Writer(db);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a collection file at " + file + ": " + e.getMessage(), e);
        }
    }

    /** The {@code col} row; each JSON argument is a JSON object as text. */
    public void header(CollectionHeader h, String conf, String models, String decks, String dconf, String tags) {
        try (PreparedStatement s = db.prepareStatement(INSERT_COL)) {
            s.setLong(1, h.crt());
            s.setLong(2, h.mod());
            s.setLong(3, h.scm());
            s.setInt(4, h.usn());
            s.setLong(5, h.ls());
            s.setString(6, conf);
            s.setString(7, models);
            s.setString(8, decks);
            s.setString(9, dconf);
            s.setString(10, tags);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write the col row: " + e.getMessage(), e);
        }
    }

    /**
     * Rows of a bulk table, each value in the order and of the Java type of the table's columns
     * ({@link BulkTable#columns()}: {@code Long}, {@code Integer}, {@code Short}, {@code String},
     * {@code byte[]}). Columns without a file column ({@code sfld_kind}) are not written as such.
     */
    public void rows(BulkTable table, List<Object[]> rows) {
        List<Column> columns = table.columns();
        int sortFieldKindAt = columns.indexOf(SORT_FIELD_KIND);
        try (PreparedStatement s = db.prepareStatement(insert(table))) {
            for (Object[] row : rows) {
                int parameter = 0;
                for (int i = 0; i < columns.size(); i++) {
                    Column column = columns.get(i);
                    if (!column.inFile()) {
                        continue;
                    }
                    parameter++;
                    if (column == SORT_FIELD) {
                        bindSortField(s, parameter, (String) row[i], SortFieldClass.ofCode(((Number) row[sortFieldKindAt]).intValue()));
                    } else if (column.type() == ValueType.BYTES) {
                        s.setBytes(parameter, (byte[]) row[i]);
                    } else {
                        s.setObject(parameter, row[i]);
                    }
                }
                s.addBatch();
            }
            s.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write " + table + " rows: " + e.getMessage(), e);
        }
    }

    private static String insert(BulkTable table) {
        return switch (table) {
            case NOTES -> INSERT_NOTES;
            case CARDS -> INSERT_CARDS;
            case REVLOG -> INSERT_REVLOG;
            case GRAVES -> INSERT_GRAVES;
        };
    }

    /** Gives the sort field back its storage class; text that looked numeric was stored as a number. */
    private static void bindSortField(PreparedStatement s, int parameter, String sfld, SortFieldClass kind) throws SQLException {
        switch (kind) {
            case INTEGER -> s.setLong(parameter, Long.parseLong(sfld));
            case REAL -> s.setDouble(parameter, Double.parseDouble(sfld));
            case TEXT -> s.setString(parameter, sfld);
        }
    }

    /** Finishes the file: committed, in rollback-journal mode, every connection closed. */
    @Override
    public void close() {
        try {
            db.commit();
            db.setAutoCommit(true);
            try (Statement s = db.createStatement()) {
                for (String index : CREATE_INDEXES) {
                    s.execute(index);
                }
                s.execute(USE_ROLLBACK_JOURNAL);
            }
            db.close();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot finish the collection file: " + e.getMessage(), e);
        }
    }

    /** Gives up on the file; the caller deletes it. */
    public void abandon() {
        try {
            db.close();
        } catch (SQLException ignored) {
            // the file is discarded anyway
        }
    }
}
