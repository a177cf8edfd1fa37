package dev.deckhand.store.collection;

import dev.deckhand.store.StoreTestApplication;
import dev.deckhand.store.fullsync.CollectionExporter;
import dev.deckhand.store.fullsync.FullSyncStore;
import dev.deckhand.store.fullsync.Schema11Writer;
import dev.deckhand.store.fullsync.UploadedCollection;
import dev.deckhand.store.sql.SqlFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link BulkTable} is the one definition of the notes, cards, revlog and graves columns. Where
 * SQL must still spell them out, this holds it to that definition, so that a column added (or
 * moved) in one place only fails the build:
 *
 * <ul>
 *   <li>the tables the migrations make: {@code user_id}, then BulkTable's columns, in order, of
 *       the PostgreSQL type of each column's {@link ValueType};</li>
 *   <li>full sync's statements, found by name for each table: COPY in ({@code copy-in-<table>}:
 *       {@code user_id} and every column), COPY out ({@code copy-out-<table>}: every column), the
 *       upload's SQLite reads ({@code select-uploaded-<table>}: every column's {@code sqlite}
 *       expression) and the schema-11 inserts ({@code insert-schema11-<table>}: every column a
 *       client's file has, one placeholder each), and the schema-11 tables themselves;</li>
 *   <li>every other {@code .sql} file of collection-store, which must not COPY or insert a bulk
 *       table's rows, nor select two or more of its columns, without being one of those.</li>
 * </ul>
 */
@SpringBootTest(classes = StoreTestApplication.class)
class BulkTableShapeTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        StoreTestApplication.freshDatabase(registry);
    }

    private static final Map<ValueType, String> POSTGRES_TYPES = Map.of(
            ValueType.INT64, "bigint", ValueType.INT32, "integer", ValueType.INT16, "smallint",
            ValueType.TEXT, "text", ValueType.BYTES, "bytea");

    @Autowired
    DatabaseClient db;

    @TempDir
    Path dir;

    @Test
    void theMigratedTablesHaveTheUserAndBulkTablesColumnsInOrder() {
        for (BulkTable table : BulkTable.values()) {
            List<String> migrated = db.sql("""
                            select column_name || ' ' || data_type as c from information_schema.columns
                            where table_schema = current_schema() and table_name = :t order by ordinal_position""")
                    .bind("t", table.tableName()).map(r -> r.get("c", String.class)).all().collectList().block();
            List<String> expected = new ArrayList<>(List.of("user_id bigint"));
            table.columns().forEach(c -> expected.add(c.name() + " " + POSTGRES_TYPES.get(c.type())));
            assertThat(migrated).as(table.tableName()).isEqualTo(expected);
        }
    }

    @Test
    void copyInListsTheUserAndEveryColumn() {
        for (BulkTable table : BulkTable.values()) {
            String sql = SqlFile.load(FullSyncStore.class, "copy-in-" + table.tableName());
            Matcher m = Pattern.compile("copy (\\w+) \\(([^)]*)\\) from stdin").matcher(oneLine(sql));
            assertThat(m.matches()).as(sql).isTrue();
            assertThat(m.group(1)).isEqualTo(table.tableName());
            List<String> expected = new ArrayList<>(List.of("user_id"));
            expected.addAll(names(table.columns()));
            assertThat(items(m.group(2))).as("copy-in-" + table.tableName()).isEqualTo(expected);
        }
    }

    @Test
    void copyOutSelectsEveryColumnOfTheExportedUser() {
        for (BulkTable table : BulkTable.values()) {
            String sql = oneLine(SqlFile.load(CollectionExporter.class, "copy-out-" + table.tableName()));
            assertThat(sql).as("copy-out-" + table.tableName())
                    .startsWith("copy (select ")
                    .contains(" from " + table.tableName() + " where user_id = current_setting('deckhand.export_user')::bigint ")
                    .endsWith(") to stdout");
            assertThat(selectList(sql)).as("copy-out-" + table.tableName()).isEqualTo(names(table.columns()));
        }
    }

    @Test
    void theUploadIsReadWithEveryColumnsSqliteExpression() {
        for (BulkTable table : BulkTable.values()) {
            String sql = oneLine(SqlFile.load(UploadedCollection.class, "select-uploaded-" + table.tableName()));
            assertThat(selectList(sql)).as("select-uploaded-" + table.tableName())
                    .isEqualTo(table.columns().stream().map(Column::sqlite).toList());
            assertThat(sql).as("reads " + table.tableName()).matches(".* from (\\(.* from )?" + table.tableName() + "\\b.*");
        }
    }

    @Test
    void schema11InsertsWriteEveryFileColumnAndTheFileHasThem() throws SQLException {
        Path file = dir.resolve("empty.anki2");
        Schema11Writer.create(file).close();
        for (BulkTable table : BulkTable.values()) {
            List<String> fileColumns = table.columns().stream().filter(Column::inFile).map(Column::fileColumn).toList();
            String sql = oneLine(SqlFile.load(Schema11Writer.class, "insert-schema11-" + table.tableName()));
            Matcher m = Pattern.compile("insert into (\\w+) \\(([^)]*)\\) values \\((.*)\\)").matcher(sql);
            assertThat(m.matches()).as(sql).isTrue();
            assertThat(m.group(1)).isEqualTo(table.tableName());
            assertThat(items(m.group(2))).as("insert-schema11-" + table.tableName()).isEqualTo(fileColumns);
            List<String> values = items(m.group(3));
            assertThat(values).as("one placeholder per column").hasSameSizeAs(fileColumns)
                    .allMatch(v -> v.chars().filter(c -> c == '?').count() == 1);
            assertThat(sqliteColumns(file, table.tableName())).as("schema-11 " + table.tableName() + " (in Anki's order)")
                    .containsExactlyInAnyOrderElementsOf(fileColumns);
        }
    }

    /** The collection domain's own writes of bulk rows (every writer's notes, and graves). */
    private static final Map<String, BulkTable> DOMAIN_WRITES = Map.of(
            "upsert-notes", BulkTable.NOTES, "record-graves", BulkTable.GRAVES);

    @Test
    void theDomainsWritesListTheUserAndEveryColumn() {
        DOMAIN_WRITES.forEach((file, table) -> {
            String sql = oneLine(SqlFile.load(Notes.class, file));
            Matcher m = Pattern.compile("insert into (\\w+)(?: as \\w+)? \\(([^)]*)\\).*").matcher(sql);
            assertThat(m.matches()).as(sql).isTrue();
            assertThat(m.group(1)).isEqualTo(table.tableName());
            List<String> expected = new ArrayList<>(List.of("user_id"));
            expected.addAll(names(table.columns()));
            assertThat(items(m.group(2))).as(file).isEqualTo(expected);
        });
    }

    @Test
    void noOtherSqlFileListsABulkTablesColumns() throws IOException, URISyntaxException {
        Set<String> heldToBulkTable = new HashSet<>();
        for (BulkTable table : BulkTable.values()) {
            for (String role : List.of("copy-in-", "copy-out-", "select-uploaded-", "insert-schema11-")) {
                heldToBulkTable.add("fullsync/" + role + table.tableName() + ".sql");
            }
        }
        DOMAIN_WRITES.keySet().forEach(file -> heldToBulkTable.add("collection/" + file + ".sql"));
        // collection-store's own resources (test classes come first on the class path)
        Path root = Path.of(FullSyncStore.class.getResource("copy-in-notes.sql").toURI()).getParent().getParent();
        List<Path> files;
        try (Stream<Path> all = Files.walk(root)) {
            files = all.filter(p -> p.toString().endsWith(".sql")).toList();
        }
        assertThat(files).as("the check must see full sync's files").hasSizeGreaterThan(heldToBulkTable.size());
        for (Path file : files) {
            String relative = root.relativize(file).toString().replace('\\', '/');
            if (heldToBulkTable.contains(relative)) {
                continue;
            }
            String sql = oneLine(Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(line -> !line.strip().startsWith("--")).collect(Collectors.joining(" ")));
            for (BulkTable table : BulkTable.values()) {
                String t = table.tableName();
                assertThat(sql).as(relative + " copies or inserts " + t + " rows but is not held to BulkTable")
                        .doesNotContainPattern("(?i)\\bcopy\\s+(\\(\\s*select\\b.*\\bfrom\\s+)?" + t + "\\b")
                        .doesNotContainPattern("(?i)\\binsert\\s+into\\s+" + t + "\\b");
                if (sql.matches("(?is).*\\bfrom\\s+" + t + "\\b.*")) {
                    Set<String> known = new HashSet<>(names(table.columns()));
                    table.columns().forEach(c -> known.add(c.sqlite()));
                    long listed = selectList(sql).stream().filter(known::contains).count();
                    assertThat(listed).as(relative + " selects columns of " + t + " but is not held to BulkTable")
                            .isLessThan(2);
                }
            }
        }
    }

    // ---- reading statements ----------------------------------------------------------------

    /** The statement on one line, runs of white space as one space. */
    private static String oneLine(String sql) {
        return sql.strip().replaceAll("\\s+", " ").replace("( ", "(").replace(" )", ")");
    }

    /** The items of the first select's list: what comes before its {@code from}, split at top-level commas. */
    private static List<String> selectList(String sql) {
        Matcher select = Pattern.compile("(?i)\\bselect\\s+").matcher(sql);
        if (!select.find()) {
            return List.of();
        }
        int depth = 0;
        for (int i = select.end(); i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (depth == 0 && sql.regionMatches(true, i, " from ", 0, 6)) {
                return items(sql.substring(select.end(), i));
            }
        }
        return List.of();
    }

    /** Comma-separated items outside parentheses, trimmed, identifiers unquoted. */
    private static List<String> items(String list) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i <= list.length(); i++) {
            char c = i < list.length() ? list.charAt(i) : ',';
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(list.substring(start, i).strip().replace("\"", ""));
                start = i + 1;
            }
        }
        return out;
    }

    private static List<String> names(List<Column> columns) {
        return columns.stream().map(Column::name).toList();
    }

    private static List<String> sqliteColumns(Path file, String table) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("pragma table_info(" + table + ")")) {
            List<String> columns = new ArrayList<>();
            while (rs.next()) {
                columns.add(rs.getString("name"));
            }
            return columns;
        }
    }
}
