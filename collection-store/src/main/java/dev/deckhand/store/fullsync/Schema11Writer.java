package dev.deckhand.store.fullsync;

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

    /** The bulk tables: which PostgreSQL columns feed which schema-11 insert, in order. */
    public enum Table {
        NOTES("id, guid, mid, mod, usn, tags, flds, sfld, sfld_kind, csum, flags, data", "LSLLISBSHLLS", "id",
                // flds arrives as raw bytes: the cast stores them as TEXT without re-encoding
                "insert into notes values (?, ?, ?, ?, ?, ?, cast(? as text), ?, ?, ?, ?)"),
        CARDS("id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses, \"left\", odue, odid, flags, data",
                "LLLLLILLLLLLLLLLLS", "id",
                "insert into cards values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        REVLOG("id, cid, usn, ease, ivl, last_ivl, factor, time, type", "LLILLLLLL", "id",
                "insert into revlog values (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        GRAVES("usn, oid, type", "ILI", "oid, type",
                "insert into graves values (?, ?, ?)");

        final String postgresColumns;
        /** Java type of each column: L long, I int, H short, S text, B bytes. */
        final String postgresTypes;
        final String postgresOrder;
        final String insert;

        Table(String postgresColumns, String postgresTypes, String postgresOrder, String insert) {
            this.postgresColumns = postgresColumns;
            this.postgresTypes = postgresTypes;
            this.postgresOrder = postgresOrder;
            this.insert = insert;
        }
    }

    private static final String SCHEMA = """
            create table col (id integer primary key, crt integer not null, mod integer not null,
              scm integer not null, ver integer not null, dty integer not null, usn integer not null,
              ls integer not null, conf text not null, models text not null, decks text not null,
              dconf text not null, tags text not null);
            create table notes (id integer primary key, guid text not null, mid integer not null,
              mod integer not null, usn integer not null, tags text not null, flds text not null,
              sfld integer not null, csum integer not null, flags integer not null, data text not null);
            create table cards (id integer primary key, nid integer not null, did integer not null,
              ord integer not null, mod integer not null, usn integer not null, type integer not null,
              queue integer not null, due integer not null, ivl integer not null, factor integer not null,
              reps integer not null, lapses integer not null, left integer not null, odue integer not null,
              odid integer not null, flags integer not null, data text not null);
            create table revlog (id integer primary key, cid integer not null, usn integer not null,
              ease integer not null, ivl integer not null, lastIvl integer not null, factor integer not null,
              time integer not null, type integer not null);
            create table graves (usn integer not null, oid integer not null, type integer not null);
            """;

    // built once the rows are in: faster than keeping them up to date row by row
    private static final String INDEXES = """
            create index ix_notes_usn on notes (usn);
            create index ix_cards_usn on cards (usn);
            create index ix_revlog_usn on revlog (usn);
            create index ix_cards_nid on cards (nid);
            create index ix_cards_sched on cards (did, queue, due);
            create index ix_revlog_cid on revlog (cid);
            create index ix_notes_csum on notes (csum);
            """;

    private final Connection db;

    private Schema11Writer(Connection db) {
        this.db = db;
    }

    /** Starts a new file; {@code file} must not exist yet. */
    public static Schema11Writer create(Path file) {
        try {
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                s.execute("pragma page_size = 4096");
                // a throwaway file until it is finished: no journal, no fsync while filling it
                s.execute("pragma journal_mode = off");
                s.execute("pragma synchronous = off");
                s.executeUpdate("pragma encoding = 'UTF-8'");
                executeAll(s, SCHEMA);
            }
            db.setAutoCommit(false);
            return new Schema11Writer(db);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a collection file at " + file + ": " + e.getMessage(), e);
        }
    }

    /** The {@code col} row; each JSON argument is a JSON object as text. */
    public void header(CollectionHeader h, String conf, String models, String decks, String dconf, String tags) {
        try (PreparedStatement s = db.prepareStatement("insert into col values (1, ?, ?, ?, 11, 0, ?, ?, ?, ?, ?, ?, ?)")) {
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

    /** Rows in the column order and types of {@link Table#postgresColumns}. */
    public void rows(Table table, List<Object[]> rows) {
        try (PreparedStatement s = db.prepareStatement(table.insert)) {
            for (Object[] row : rows) {
                if (table == Table.NOTES) {
                    bindNote(s, row);
                } else {
                    for (int i = 0; i < row.length; i++) {
                        s.setObject(i + 1, row[i]);
                    }
                }
                s.addBatch();
            }
            s.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write " + table + " rows: " + e.getMessage(), e);
        }
    }

    /** Finishes the file: committed, in rollback-journal mode, every connection closed. */
    @Override
    public void close() {
        try {
            db.commit();
            db.setAutoCommit(true);
            try (Statement s = db.createStatement()) {
                executeAll(s, INDEXES);
                s.execute("pragma journal_mode = delete");
            }
            db.close();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot finish the collection file: " + e.getMessage(), e);
        }
    }

    private static void executeAll(Statement s, String statements) throws SQLException {
        for (String sql : statements.split(";")) {
            if (!sql.isBlank()) {
                s.execute(sql);
            }
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

    // id, guid, mid, mod, usn, tags, flds, sfld, sfld_kind, csum, flags, data
    private static void bindNote(PreparedStatement s, Object[] row) throws SQLException {
        s.setLong(1, (Long) row[0]);
        s.setString(2, (String) row[1]);
        s.setLong(3, (Long) row[2]);
        s.setLong(4, (Long) row[3]);
        s.setInt(5, (Integer) row[4]);
        s.setString(6, (String) row[5]);
        s.setBytes(7, bytes(row[6]));
        String sfld = (String) row[7];
        // give sfld back its storage class; text that looked numeric was stored as a number
        switch (((Number) row[8]).intValue()) {
            case 1 -> s.setLong(8, Long.parseLong(sfld));
            case 2 -> s.setDouble(8, Double.parseDouble(sfld));
            default -> s.setString(8, sfld);
        }
        s.setLong(9, (Long) row[9]);
        s.setLong(10, (Long) row[10]);
        s.setString(11, (String) row[11]);
    }

    private static byte[] bytes(Object value) {
        if (value instanceof byte[] b) {
            return b;
        }
        if (value instanceof java.nio.ByteBuffer buffer) {
            byte[] b = new byte[buffer.remaining()];
            buffer.get(b);
            return b;
        }
        throw new IllegalStateException("flds came back as " + value.getClass());
    }
}
