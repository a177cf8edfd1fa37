package dev.deckhand.store.fullsync;

import dev.deckhand.store.collection.CollectionHeader;
import dev.deckhand.store.collection.BulkTable;
import dev.deckhand.store.collection.Column;
import dev.deckhand.store.fullsync.legacy.Schema18Json;
import dev.deckhand.store.fullsync.sqlite.Unicase;
import dev.deckhand.store.sql.SqlFile;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A collection file a client uploaded, opened and checked the way Anki's server checks one:
 * it must be SQLite, pass {@code PRAGMA integrity_check} (with Anki's {@code unicase}
 * collation), have a {@code col} row of a schema we read (11 or 18), and be consistent enough
 * to use: every note's note type and every card's note must exist.
 *
 * <p>Blocking (JDBC); one thread at a time. The file's folder must be writable, since an
 * uploaded file is in WAL mode and SQLite makes its side files next to it.
 */
public final class UploadedCollection implements AutoCloseable {

    private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    // the bulk tables, each read in the order and with the expressions of BulkTable's columns
    private static final String SELECT_NOTES = SqlFile.load(UploadedCollection.class, "select-uploaded-notes");
    private static final String SELECT_CARDS = SqlFile.load(UploadedCollection.class, "select-uploaded-cards");
    private static final String SELECT_REVLOG = SqlFile.load(UploadedCollection.class, "select-uploaded-revlog");
    private static final String SELECT_GRAVES = SqlFile.load(UploadedCollection.class, "select-uploaded-graves");

    private static final String CHECK_INTEGRITY = SqlFile.load(UploadedCollection.class, "check-uploaded-integrity");
    private static final String SELECT_HEADER = SqlFile.load(UploadedCollection.class, "select-uploaded-header");
    private static final String SELECT_NOTE_TYPES_OF_NOTES =
            SqlFile.load(UploadedCollection.class, "select-note-types-of-uploaded-notes");
    private static final String SELECT_ORPHAN_CARD = SqlFile.load(UploadedCollection.class, "select-uploaded-orphan-card");

    // schema 11: the small objects are JSON in the col row
    private static final String SELECT_COL_CONF = SqlFile.load(UploadedCollection.class, "select-uploaded-col-conf");
    private static final String SELECT_COL_MODELS = SqlFile.load(UploadedCollection.class, "select-uploaded-col-models");
    private static final String SELECT_COL_DECKS = SqlFile.load(UploadedCollection.class, "select-uploaded-col-decks");
    private static final String SELECT_COL_DCONF = SqlFile.load(UploadedCollection.class, "select-uploaded-col-dconf");
    private static final String SELECT_COL_TAGS = SqlFile.load(UploadedCollection.class, "select-uploaded-col-tags");

    // schema 18: the small objects are rows with protobuf blobs
    private static final String SELECT_DECKS_18 = SqlFile.load(UploadedCollection.class, "select-uploaded-decks-18");
    private static final String SELECT_DECK_CONFIGS_18 = SqlFile.load(UploadedCollection.class, "select-uploaded-deck-configs-18");
    private static final String SELECT_NOTETYPES_18 = SqlFile.load(UploadedCollection.class, "select-uploaded-notetypes-18");
    private static final String SELECT_FIELDS_18 = SqlFile.load(UploadedCollection.class, "select-uploaded-fields-18");
    private static final String SELECT_TEMPLATES_18 = SqlFile.load(UploadedCollection.class, "select-uploaded-templates-18");
    private static final String SELECT_TAGS_18 = SqlFile.load(UploadedCollection.class, "select-uploaded-tags-18");
    private static final String SELECT_CONFIG_18 = SqlFile.load(UploadedCollection.class, "select-uploaded-config-18");

    /** The note's sort field, whose text depends on its storage class ({@link #SORT_FIELD_KIND}). */
    private static final Column SORT_FIELD = BulkTable.NOTES.column("sfld");
    private static final Column SORT_FIELD_KIND = BulkTable.NOTES.column("sfld_kind");

    private final Connection db;
    private final CollectionHeader header;
    private List<StoredObject> notetypes;

    private UploadedCollection(Connection db, CollectionHeader header) {
        this.db = db;
        this.header = header;
    }

    public static UploadedCollection open(Path file) {
        requireSqliteHeader(file);
        Connection db = null;
        try {
            db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            Unicase.register(db);
            requireIntact(db);
            UploadedCollection collection = new UploadedCollection(db, readHeader(db));
            collection.requireConsistent();
            return collection;
        } catch (SQLException e) {
            closeQuietly(db);
            throw new CorruptCollectionException("cannot read the file as a collection: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(db);
            throw e;
        }
    }

    public CollectionHeader header() {
        return header;
    }

    public List<StoredObject> decks() {
        return header.ver() == 18 ? query(SELECT_DECKS_18, rs ->
                new StoredObject(rs.getLong(1), rs.getString(2).replace("\u001f", "::"), rs.getLong(3), rs.getInt(4),
                        Schema18Json.deck(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getInt(4),
                                bytes(rs, 5), bytes(rs, 6))))
                : legacyObjects(SELECT_COL_DECKS, "decks", false);
    }

    public List<StoredObject> deckConfigs() {
        return header.ver() == 18 ? query(SELECT_DECK_CONFIGS_18, rs ->
                new StoredObject(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getInt(4),
                        Schema18Json.deckConfig(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getInt(4), bytes(rs, 5))))
                : legacyObjects(SELECT_COL_DCONF, "dconf", true);
    }

    public List<StoredObject> notetypes() {
        if (notetypes == null) {
            notetypes = header.ver() == 18 ? schema18Notetypes() : legacyObjects(SELECT_COL_MODELS, "models", false);
        }
        return notetypes;
    }

    private List<StoredObject> schema18Notetypes() {
        Map<Long, List<Schema18Json.Field>> fields = new HashMap<>();
        for (Owned<Schema18Json.Field> f : query(SELECT_FIELDS_18, rs -> new Owned<>(
                rs.getLong(1), new Schema18Json.Field(rs.getInt(2), rs.getString(3), bytes(rs, 4))))) {
            fields.computeIfAbsent(f.notetypeId(), k -> new ArrayList<>()).add(f.part());
        }
        Map<Long, List<Schema18Json.Template>> templates = new HashMap<>();
        for (Owned<Schema18Json.Template> t : query(SELECT_TEMPLATES_18,
                rs -> new Owned<>(rs.getLong(1), new Schema18Json.Template(rs.getInt(2), rs.getString(3), rs.getLong(4),
                        rs.getInt(5), bytes(rs, 6))))) {
            templates.computeIfAbsent(t.notetypeId(), k -> new ArrayList<>()).add(t.part());
        }
        return query(SELECT_NOTETYPES_18, rs -> new StoredObject(
                rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getInt(4),
                Schema18Json.notetype(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getInt(4), bytes(rs, 5),
                        fields.getOrDefault(rs.getLong(1), List.of()), templates.getOrDefault(rs.getLong(1), List.of()))));
    }

    public List<StoredTag> tags() {
        if (header.ver() == 18) {
            return query(SELECT_TAGS_18,
                    rs -> new StoredTag(rs.getString(1), rs.getInt(2), rs.getInt(3) != 0));
        }
        List<StoredTag> tags = new ArrayList<>();
        legacyColumn(SELECT_COL_TAGS, "tags").properties().forEach(e -> {
            if (!e.getValue().isIntegralNumber()) {
                throw new CorruptCollectionException("tag '" + e.getKey() + "' has a usn that is not an integer");
            }
            tags.add(new StoredTag(e.getKey(), e.getValue().asInt(), false));
        });
        return tags;
    }

    /** Config entries; a usn of -1 (clients do not reset config before uploading) becomes the collection's. */
    public List<StoredConfig> config() {
        if (header.ver() == 18) {
            return query(SELECT_CONFIG_18, rs -> new StoredConfig(rs.getString(1),
                    rs.getInt(2) < 0 ? header.usn() : rs.getInt(2), rs.getLong(3),
                    LegacyJsonText.write(LegacyJsonText.parse(bytes(rs, 4), "config value " + rs.getString(1)))));
        }
        List<StoredConfig> config = new ArrayList<>();
        legacyColumn(SELECT_COL_CONF, "conf").properties().forEach(e ->
                config.add(new StoredConfig(e.getKey(), 0, 0, LegacyJsonText.write(e.getValue()))));
        return config;
    }

    /** Reads one bulk table; the caller pulls rows in COPY text form and closes it. */
    public RowSource rows(BulkTable table, long userId) {
        try {
            Statement statement = db.createStatement();
            statement.setFetchSize(1000);
            return new RowSource(table, statement, statement.executeQuery(select(table)), userId);
        } catch (SQLException e) {
            throw new CorruptCollectionException("cannot read " + table + ": " + e.getMessage(), e);
        }
    }

    private static String select(BulkTable table) {
        return switch (table) {
            case NOTES -> SELECT_NOTES;
            case CARDS -> SELECT_CARDS;
            case REVLOG -> SELECT_REVLOG;
            case GRAVES -> SELECT_GRAVES;
        };
    }

    /** A cursor over one table that writes each row, as COPY text, into a {@link CopyText}. */
    public static final class RowSource implements AutoCloseable {

        private final BulkTable table;
        private final List<Column> columns;
        /** The result column of the sort field's storage class (notes only). */
        private final int sortFieldKindAt;
        private final Statement statement;
        private final ResultSet rs;
        private final long userId;

        private RowSource(BulkTable table, Statement statement, ResultSet rs, long userId) {
            this.table = table;
            this.columns = table.columns();
            this.sortFieldKindAt = columns.indexOf(SORT_FIELD_KIND) + 1;
            this.statement = statement;
            this.rs = rs;
            this.userId = userId;
        }

        /** Fills {@code out} up to its flush size; false when the table has no more rows. */
        boolean fill(CopyText out) {
            try {
                while (!out.full()) {
                    if (!rs.next()) {
                        return false;
                    }
                    out.number(userId);
                    for (int i = 0; i < columns.size(); i++) {
                        write(columns.get(i), i + 1, out);
                    }
                    out.endRow();
                }
                return true;
            } catch (SQLException e) {
                throw new CorruptCollectionException("cannot read " + table + ": " + e.getMessage(), e);
            }
        }

        /** The current row's value of {@code column}, read from result column {@code at}. */
        private void write(Column column, int at, CopyText out) throws SQLException {
            if (column == SORT_FIELD) {
                // the text of a number as Java writes it: SQLite's own text for a REAL drops digits
                out.text(switch (sortFieldClass()) {
                    case INTEGER -> Long.toString(rs.getLong(at));
                    case REAL -> Double.toString(rs.getDouble(at));
                    case TEXT -> nonNullText(rs.getString(at));
                });
            } else if (column == SORT_FIELD_KIND) {
                out.number(sortFieldClass().code);
            } else {
                switch (column.type()) {
                    case INT64, INT32, INT16 -> out.number(rs.getLong(at));
                    case TEXT -> out.text(nonNullText(rs.getString(at)));
                    case BYTES -> out.bytes(nonNull(rs.getBytes(at)));
                }
            }
        }

        private SortFieldClass sortFieldClass() throws SQLException {
            return SortFieldClass.ofSqliteType(rs.getString(sortFieldKindAt));
        }

        @Override
        public void close() {
            try {
                statement.close();
            } catch (SQLException ignored) {
                // nothing was written through it
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(db);
    }

    private static void requireSqliteHeader(Path file) {
        byte[] head = new byte[SQLITE_MAGIC.length];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, head.length) < head.length || !Arrays.equals(head, SQLITE_MAGIC)) {
                throw new CorruptCollectionException("not an SQLite file");
            }
        } catch (IOException e) {
            throw new CorruptCollectionException("cannot read the upload: " + e.getMessage(), e);
        }
    }

    private static void requireIntact(Connection db) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(CHECK_INTEGRITY)) {
            while (rs.next()) {
                problems.add(rs.getString(1));
            }
        }
        if (!problems.equals(List.of("ok"))) {
            throw new CorruptCollectionException("integrity check failed: "
                    + String.join("; ", problems.subList(0, Math.min(5, problems.size()))));
        }
    }

    private static CollectionHeader readHeader(Connection db) throws SQLException {
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery(SELECT_HEADER)) {
            if (!rs.next()) {
                throw new CorruptCollectionException("the col table has no row");
            }
            CollectionHeader header = new CollectionHeader(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getInt(4),
                    rs.getLong(5), rs.getInt(6));
            if (header.ver() != 11 && header.ver() != 18) {
                throw new CorruptCollectionException("collection schema version " + header.ver()
                        + " is not supported (11 and 18 are)");
            }
            return header;
        } catch (SQLException e) {
            if (e.getMessage() != null && e.getMessage().contains("no such table")) {
                throw new CorruptCollectionException("not an Anki collection: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    private void requireConsistent() {
        Set<Long> notetypeIds = new HashSet<>();
        for (StoredObject n : notetypes()) {
            notetypeIds.add(n.id());
        }
        for (Long mid : query(SELECT_NOTE_TYPES_OF_NOTES, rs -> rs.getLong(1))) {
            if (!notetypeIds.contains(mid)) {
                throw new CorruptCollectionException("a note uses note type " + mid + ", which the collection lacks");
            }
        }
        List<Long> orphans = query(SELECT_ORPHAN_CARD, rs -> rs.getLong(1));
        if (!orphans.isEmpty()) {
            throw new CorruptCollectionException("card " + orphans.get(0) + " belongs to no note");
        }
    }

    /** One JSON column of the col row, read by {@code select}. */
    private JsonNode legacyColumn(String select, String column) {
        String text = query(select, rs -> rs.getString(1)).get(0);
        JsonNode node = LegacyJsonText.parse(text == null ? "" : text, "col." + column);
        if (!node.isObject()) {
            throw new CorruptCollectionException("col." + column + " is not a JSON object");
        }
        return node;
    }

    /** Schema 11 keeps each kind of object in one JSON map of id to object. */
    private List<StoredObject> legacyObjects(String select, String column, boolean keyIsId) {
        List<StoredObject> objects = new ArrayList<>();
        legacyColumn(select, column).properties().forEach(e -> {
            JsonNode o = e.getValue();
            if (!o.isObject() || !o.path("name").isString()) {
                throw new CorruptCollectionException("col." + column + " entry " + e.getKey() + " is not a named object");
            }
            long id;
            try {
                id = keyIsId ? Long.parseLong(e.getKey()) : Long.parseLong(o.path("id").asString(e.getKey()));
            } catch (NumberFormatException notAnId) {
                throw new CorruptCollectionException("col." + column + " entry " + e.getKey() + " has no numeric id");
            }
            if (keyIsId && o instanceof tools.jackson.databind.node.ObjectNode writable) {
                writable.put("id", id); // as Anki does: the map key wins
            }
            objects.add(new StoredObject(id, o.path("name").asString(), o.path("mod").asLong(0),
                    o.path("usn").asInt(0), LegacyJsonText.write(o)));
        });
        return objects;
    }

    /** A field or template row with the note type it belongs to. */
    private record Owned<T>(long notetypeId, T part) {}

    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, RowMapper<T> mapper) {
        try (PreparedStatement s = db.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
            return out;
        } catch (SQLException e) {
            throw new CorruptCollectionException("cannot read the collection (" + sql + "): " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new CorruptCollectionException("unreadable object in the collection: " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(ResultSet rs, int column) throws SQLException {
        return nonNull(rs.getBytes(column));
    }

    private static byte[] nonNull(byte[] b) {
        return b == null ? new byte[0] : b;
    }

    private static String nonNullText(String s) {
        return s == null ? "" : s;
    }

    private static void closeQuietly(Connection db) {
        if (db != null) {
            try {
                db.close();
            } catch (SQLException ignored) {
                // read-only use; nothing to lose
            }
        }
    }
}
