package dev.deckhand.store.fullsync;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Reads one user's collection out of PostgreSQL into a schema-11 file, from one consistent
 * snapshot. Blocking. It uses JDBC, not R2DBC, because only JDBC has {@code COPY ... TO
 * STDOUT}: reading the bulk tables as COPY text is several times faster than row by row, and
 * a download must be ready before the client's stall timeout (30 s) runs out.
 */
@Component
public class CollectionExporter {

    private static final int ROWS_PER_BATCH = 2000;
    private static final HexFormat HEX = HexFormat.of();

    private final PGSimpleDataSource postgres = new PGSimpleDataSource();

    /** The same database the migrations run against. */
    public CollectionExporter(@Value("${spring.flyway.url}") String jdbcUrl,
                              @Value("${spring.flyway.user:postgres}") String user,
                              @Value("${spring.flyway.password:}") String password) {
        postgres.setUrl(jdbcUrl);
        postgres.setUser(user);
        postgres.setPassword(password);
    }

    /** Writes the user's collection, with this header, to {@code file} (which must not exist). */
    public void export(long userId, CollectionHeader header, Path file) {
        try (Connection db = postgres.getConnection()) {
            db.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            db.setReadOnly(true);
            db.setAutoCommit(false);
            Schema11Writer writer = Schema11Writer.create(file);
            try {
                writer.header(header, configJson(db, userId), objectMap(db, "notetypes", userId),
                        objectMap(db, "decks", userId), objectMap(db, "deck_configs", userId), tagJson(db, userId));
                for (Schema11Writer.Table table : Schema11Writer.Table.values()) {
                    copyRows(db, table, userId, writer);
                }
                writer.close();
            } catch (RuntimeException | SQLException e) {
                writer.abandon();
                throw e;
            }
            db.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the collection of user " + userId + ": " + e.getMessage(), e);
        }
    }

    /**
     * Streams one table from PostgreSQL into the file. Reading (COPY out, parsing) and writing
     * (SQLite inserts) take about as long as each other, so they run on two threads, handing
     * over batches through a short queue.
     */
    private static void copyRows(Connection db, Schema11Writer.Table table, long userId, Schema11Writer writer)
            throws SQLException {
        CopyOut copy = db.unwrap(PGConnection.class).getCopyAPI().copyOut("copy (select " + table.postgresColumns
                + " from " + table.name().toLowerCase() + " where user_id = " + userId
                + " order by " + table.postgresOrder + ") to stdout");
        BlockingQueue<List<Object[]>> batches = new ArrayBlockingQueue<>(4);
        List<Object[]> end = List.of();
        Future<?> writing = WRITERS.submit(() -> {
            for (List<Object[]> batch = batches.take(); batch != end; batch = batches.take()) {
                writer.rows(table, batch);
            }
            return null;
        });
        try {
            List<Object[]> batch = new ArrayList<>(ROWS_PER_BATCH);
            byte[] line;
            while ((line = copy.readFromCopy()) != null) {
                batch.add(parse(line, table.postgresTypes));
                if (batch.size() == ROWS_PER_BATCH) {
                    put(batches, batch, writing);
                    batch = new ArrayList<>(ROWS_PER_BATCH);
                }
            }
            if (!batch.isEmpty()) {
                put(batches, batch, writing);
            }
            put(batches, end, writing);
            writing.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writing.cancel(true);
            throw new IllegalStateException("interrupted while writing " + table, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write " + table + ": " + e.getCause().getMessage(), e.getCause());
        } finally {
            writing.cancel(true);
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    private static final ExecutorService WRITERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "collection-export-writer");
        t.setDaemon(true);
        return t;
    });

    /** Hands a batch over, unless the writer has already failed (then its failure is reported). */
    private static void put(BlockingQueue<List<Object[]>> queue, List<Object[]> batch, Future<?> writing)
            throws InterruptedException, ExecutionException {
        while (!queue.offer(batch, 100, TimeUnit.MILLISECONDS)) {
            if (writing.isDone()) {
                writing.get();
                throw new IllegalStateException("the writer stopped early");
            }
        }
    }

    /** One row of COPY text: tab-separated, backslash-escaped; {@code types} gives each column's Java type. */
    static Object[] parse(byte[] line, String types) {
        Object[] row = new Object[types.length()];
        int start = 0;
        int end = line.length;
        if (end > 0 && line[end - 1] == '\n') {
            end--;
        }
        for (int column = 0; column < row.length; column++) {
            int stop = start;
            while (stop < end && line[stop] != '\t') {
                stop++;
            }
            String text = unescape(line, start, stop);
            row[column] = switch (types.charAt(column)) {
                case 'L' -> Long.parseLong(text);
                case 'I' -> Integer.parseInt(text);
                case 'H' -> Short.parseShort(text);
                case 'B' -> HEX.parseHex(text, 2, text.length()); // "\x..." once unescaped
                default -> text;
            };
            start = stop + 1;
        }
        return row;
    }

    private static String unescape(byte[] line, int from, int to) {
        int backslash = -1;
        for (int i = from; i < to; i++) {
            if (line[i] == '\\') {
                backslash = i;
                break;
            }
        }
        if (backslash < 0) {
            return new String(line, from, to - from, StandardCharsets.UTF_8);
        }
        byte[] out = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = line[i];
            if (b == '\\' && i + 1 < to) {
                byte e = line[++i];
                out[n++] = switch (e) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    case 'v' -> 0x0b;
                    default -> e;
                };
            } else {
                out[n++] = b;
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    private static String objectMap(Connection db, String table, long userId) throws SQLException {
        return jsonObject(db, "select id, json from " + table + " where user_id = ? order by id", userId,
                (rs, json) -> json.append('"').append(rs.getLong(1)).append("\":").append(rs.getString(2)));
    }

    private static String configJson(Connection db, long userId) throws SQLException {
        return jsonObject(db, "select key, value from config where user_id = ? order by key", userId,
                (rs, json) -> json.append(quoted(rs.getString(1))).append(':').append(rs.getString(2)));
    }

    private static String tagJson(Connection db, long userId) throws SQLException {
        return jsonObject(db, "select tag, usn from tags where user_id = ? order by tag", userId,
                (rs, json) -> json.append(quoted(rs.getString(1))).append(':').append(rs.getInt(2)));
    }

    private interface Member {
        void append(ResultSet rs, StringBuilder json) throws SQLException;
    }

    /** A JSON object with one member per row of {@code sql}; values are stored JSON text, not re-parsed. */
    private static String jsonObject(Connection db, String sql, long userId, Member member) throws SQLException {
        StringBuilder json = new StringBuilder("{");
        try (PreparedStatement s = db.prepareStatement(sql)) {
            s.setLong(1, userId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    if (json.length() > 1) {
                        json.append(',');
                    }
                    member.append(rs, json);
                }
            }
        }
        return json.append('}').toString();
    }

    private static String quoted(String key) {
        return LegacyJsonText.MAPPER.writeValueAsString(key);
    }
}
