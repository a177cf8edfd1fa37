package dev.deckhand.compat.normalsync;

import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.testsupport.TestDatabase;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The server's side of a user's collection, read straight from its PostgreSQL database. */
record ServerTables(TestDatabase database) {

    /** Live tables and the columns their rows are ordered by. */
    private static final Map<String, String> LIVE_TABLES = new LinkedHashMap<>();

    static {
        LIVE_TABLES.put("collections", "user_id");
        LIVE_TABLES.put("notes", "id");
        LIVE_TABLES.put("cards", "id");
        LIVE_TABLES.put("revlog", "id");
        LIVE_TABLES.put("graves", "oid, type");
        LIVE_TABLES.put("decks", "id");
        LIVE_TABLES.put("deck_configs", "id");
        LIVE_TABLES.put("notetypes", "id");
        LIVE_TABLES.put("tags", "tag");
        LIVE_TABLES.put("config", "key");
    }

    /**
     * What a client's own rows look like on the server and in its SQLite file, table by table:
     * the same columns, usn left out (a finished sync changes it), in the same order.
     */
    private static final List<String[]> CONTENT = List.of(
            new String[] {
                "select id, guid, mod, btrim(tags), convert_from(flds, 'UTF8') from notes where user_id = ? order by id",
                "select id, guid, mod, trim(tags), flds from notes order by id"},
            new String[] {
                "select id, nid, did, ord, mod, type, queue, due, ivl, factor, reps, lapses, \"left\", odue, odid,"
                        + " flags, data from cards where user_id = ? order by id",
                "select id, nid, did, ord, mod, type, queue, due, ivl, factor, reps, lapses, left, odue, odid,"
                        + " flags, data from cards order by id"},
            new String[] {
                "select id, cid, ease, ivl, last_ivl, factor, time, type from revlog where user_id = ? order by id",
                "select id, cid, ease, ivl, lastIvl, factor, time, type from revlog order by id"},
            new String[] {
                "select id, name from decks where user_id = ? order by id",
                "select id, replace(name, char(31), '::') from decks order by id"});

    /**
     * Every row of the user's live tables as text. Left out: {@code collections.sync_epoch}, the
     * fencing counter every {@code start} advances even for a sync that never finishes; it is
     * bookkeeping, not collection data.
     */
    List<String> liveRows(long userId) {
        List<String> rows = new ArrayList<>();
        try (Connection c = connect()) {
            for (Map.Entry<String, String> table : LIVE_TABLES.entrySet()) {
                try (PreparedStatement s = c.prepareStatement(
                        "select * from " + table.getKey() + " where user_id = ? order by " + table.getValue())) {
                    s.setLong(1, userId);
                    try (ResultSet r = s.executeQuery()) {
                        ResultSetMetaData meta = r.getMetaData();
                        while (r.next()) {
                            StringBuilder row = new StringBuilder(table.getKey());
                            for (int i = 1; i <= meta.getColumnCount(); i++) {
                                String column = meta.getColumnName(i);
                                if (column.equals("sync_epoch")) {
                                    continue;
                                }
                                Object value = r.getObject(i);
                                row.append(' ').append(column).append('=')
                                        .append(value instanceof byte[] bytes ? HexFormat.of().formatHex(bytes) : value);
                            }
                            rows.add(row.toString());
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    /** The user's notes, cards, review log and deck names, comparable with {@link #contentOf(AnkiDevice)}. */
    List<String> content(long userId) {
        List<String> rows = new ArrayList<>();
        try (Connection c = connect()) {
            for (String[] table : CONTENT) {
                try (PreparedStatement s = c.prepareStatement(table[0])) {
                    s.setLong(1, userId);
                    try (ResultSet r = s.executeQuery()) {
                        int columns = r.getMetaData().getColumnCount();
                        while (r.next()) {
                            List<Object> row = new ArrayList<>();
                            for (int i = 1; i <= columns; i++) {
                                row.add(r.getObject(i));
                            }
                            rows.add(line(row));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    /** The same picture of a device's own collection file. */
    static List<String> contentOf(AnkiDevice device) {
        List<String> rows = new ArrayList<>();
        for (String[] table : CONTENT) {
            device.query(table[1]).forEach(row -> rows.add(line(row)));
        }
        return rows;
    }

    /** Numbers as integers where they are whole: SQLite, the client's JSON and JDBC type them differently. */
    private static String line(List<Object> row) {
        StringBuilder line = new StringBuilder();
        for (Object value : row) {
            if (value instanceof Number n && new BigDecimal(n.toString()).stripTrailingZeros().scale() <= 0) {
                value = new BigDecimal(n.toString()).toBigInteger();
            }
            line.append(line.isEmpty() ? "" : " | ").append(value);
        }
        return line.toString();
    }

    long stagedRows(long userId) {
        try (Connection c = connect();
                PreparedStatement s = c.prepareStatement("""
                        select (select count(*) from sync_staged_graves where user_id = ?)
                             + (select count(*) from sync_staged_changes where user_id = ?)
                             + (select count(*) from sync_staged_rows where user_id = ?)""")) {
            for (int i = 1; i <= 3; i++) {
                s.setLong(i, userId);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    long count(long userId, String table) {
        try (Connection c = connect();
                PreparedStatement s = c.prepareStatement("select count(*) from " + table + " where user_id = ?")) {
            s.setLong(1, userId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until no other session of this database runs a statement or holds a transaction open:
     * whatever a killed server process had under way has been committed or rolled back.
     */
    void awaitIdle(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        List<String> busy = List.of();
        try (Connection c = connect();
                PreparedStatement s = c.prepareStatement("""
                        select pid || ' ' || state || ': ' || query from pg_stat_activity
                        where datname = current_database() and pid <> pg_backend_pid()
                          and backend_type = 'client backend' and state <> 'idle'""")) {
            while (System.nanoTime() < deadline) {
                busy = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        busy.add(r.getString(1));
                    }
                }
                if (busy.isEmpty()) {
                    return;
                }
                Thread.sleep(20);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        throw new AssertionError("sessions still busy after " + limit + ": " + busy);
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
    }

    /** The first few rows only one side has, for failure messages. */
    static String rowDiff(List<String> before, List<String> after) {
        List<String> gone = new ArrayList<>(before);
        gone.removeAll(after);
        List<String> added = new ArrayList<>(after);
        added.removeAll(before);
        return "gone " + gone.subList(0, Math.min(5, gone.size())) + " (" + gone.size() + "), new "
                + added.subList(0, Math.min(5, added.size())) + " (" + added.size() + ")";
    }
}
