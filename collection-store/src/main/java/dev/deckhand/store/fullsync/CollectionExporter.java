package dev.deckhand.store.fullsync;

import dev.deckhand.store.collection.CollectionHeader;
import dev.deckhand.store.collection.BulkTable;
import dev.deckhand.store.collection.Column;
import dev.deckhand.store.sql.SqlFile;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;

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

    private static final String SET_EXPORT_USER = SqlFile.load(CollectionExporter.class, "set-export-user");
    private static final String COPY_OUT_NOTES = SqlFile.load(CollectionExporter.class, "copy-out-notes");
    private static final String COPY_OUT_CARDS = SqlFile.load(CollectionExporter.class, "copy-out-cards");
    private static final String COPY_OUT_REVLOG = SqlFile.load(CollectionExporter.class, "copy-out-revlog");
    private static final String COPY_OUT_GRAVES = SqlFile.load(CollectionExporter.class, "copy-out-graves");
    private static final String SELECT_NOTETYPES_JSON = SqlFile.load(CollectionExporter.class, "select-notetypes-json");
    private static final String SELECT_DECKS_JSON = SqlFile.load(CollectionExporter.class, "select-decks-json");
    private static final String SELECT_DECK_CONFIGS_JSON = SqlFile.load(CollectionExporter.class, "select-deck-configs-json");
    private static final String SELECT_CONFIG_JSON = SqlFile.load(CollectionExporter.class, "select-config-json");
    private static final String SELECT_TAGS_USN = SqlFile.load(CollectionExporter.class, "select-tags-usn");

    private final DataSource postgres;

    /** @param postgres the JDBC pool ({@link dev.deckhand.store.JdbcPoolConfiguration}) */
    public CollectionExporter(DataSource postgres) {
        this.postgres = postgres;
    }

    /** Writes the user's collection, with this header, to {@code file} (which must not exist). */
    public void export(long userId, CollectionHeader header, Path file) {
        try (Connection db = postgres.getConnection()) {
            db.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            db.setReadOnly(true);
            db.setAutoCommit(false);
            setExportUser(db, userId);
            Schema11Writer writer = Schema11Writer.create(file);
            try {
                writer.header(header, configJson(db, userId), objectMap(db, SELECT_NOTETYPES_JSON, userId),
                        objectMap(db, SELECT_DECKS_JSON, userId), objectMap(db, SELECT_DECK_CONFIGS_JSON, userId),
                        tagJson(db, userId));
                for (BulkTable table : BulkTable.values()) {
                    copyRows(db, table, writer);
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

    /** The user the COPY statements read, for the rest of this transaction. */
    private static void setExportUser(Connection db, long userId) throws SQLException {
        try (PreparedStatement s = db.prepareStatement(SET_EXPORT_USER)) {
            s.setString(1, Long.toString(userId));
            s.executeQuery().close();
        }
    }

    private static String copyOut(BulkTable table) {
        return switch (table) {
            case NOTES -> COPY_OUT_NOTES;
            case CARDS -> COPY_OUT_CARDS;
            case REVLOG -> COPY_OUT_REVLOG;
            case GRAVES -> COPY_OUT_GRAVES;
        };
    }

    /**
     * Streams one table of the export user from PostgreSQL into the file. Reading (COPY out,
     * parsing) and writing (SQLite inserts) take about as long as each other, so they run on two
     * threads, handing over batches through a short queue.
     */
    private static void copyRows(Connection db, BulkTable table, Schema11Writer writer) throws SQLException {
        List<Column> columns = table.columns();
        CopyOut copy = db.unwrap(PGConnection.class).getCopyAPI().copyOut(copyOut(table));
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
                batch.add(parse(line, columns));
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

    /** One row of COPY text: tab-separated, backslash-escaped, a value of each column's Java type. */
    private static Object[] parse(byte[] line, List<Column> columns) {
        Object[] row = new Object[columns.size()];
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
            row[column] = switch (columns.get(column).type()) {
                case INT64 -> Long.parseLong(text);
                case INT32 -> Integer.parseInt(text);
                case INT16 -> Short.parseShort(text);
                case BYTES -> HEX.parseHex(text, 2, text.length()); // "\x..." once unescaped
                case TEXT -> text;
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

    /** A JSON map of id to object, from {@code select} (id and JSON text of each object). */
    private static String objectMap(Connection db, String select, long userId) throws SQLException {
        return jsonObject(db, select, userId,
                (rs, json) -> json.append('"').append(rs.getLong(1)).append("\":").append(rs.getString(2)));
    }

    private static String configJson(Connection db, long userId) throws SQLException {
        return jsonObject(db, SELECT_CONFIG_JSON, userId,
                (rs, json) -> json.append(quoted(rs.getString(1))).append(':').append(rs.getString(2)));
    }

    private static String tagJson(Connection db, long userId) throws SQLException {
        return jsonObject(db, SELECT_TAGS_USN, userId,
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
