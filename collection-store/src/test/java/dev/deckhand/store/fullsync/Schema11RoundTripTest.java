package dev.deckhand.store.fullsync;

import dev.deckhand.store.collection.CollectionHeader;
import dev.deckhand.store.StoreTestApplication;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.store.collection.BulkTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A schema-11 file (what legacy clients upload) goes into PostgreSQL and comes back out
 * unchanged, including the awkward values: text that only bytes can carry, sfld storage
 * classes, duplicate graves, unknown JSON keys and exact number text. Bad files change nothing.
 */
@SpringBootTest(classes = StoreTestApplication.class)
class Schema11RoundTripTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        StoreTestApplication.freshDatabase(registry);
    }

    @Autowired
    FullSyncService fullSync;
    @Autowired
    AccountService accounts;
    @Autowired
    DatabaseClient db;

    @TempDir
    Path dir;

    static final String MODELS = "{\"1700000000001\":{\"id\":1700000000001,\"name\":\"Basic\",\"type\":0,\"mod\":5,\"usn\":3,"
            + "\"sortf\":0,\"did\":null,\"tmpls\":[{\"name\":\"Card 1\",\"ord\":0,\"qfmt\":\"{{Front}}\",\"afmt\":\"{{Back}}\"}],"
            + "\"flds\":[{\"name\":\"Front\",\"ord\":0},{\"name\":\"Back\",\"ord\":1}],\"css\":\"\",\"futureKey\":{\"x\":[1.30,2e5]},"
            + "\"bigId\":9223372036854775807}}";
    static final String DECKS = "{\"1\":{\"id\":1,\"name\":\"Default\",\"mod\":0,\"usn\":0,\"conf\":1,\"dyn\":0,\"collapsed\":false},"
            + "\"1700000000100\":{\"id\":1700000000100,\"name\":\"Lang::Français\",\"mod\":9,\"usn\":2,\"conf\":1,\"dyn\":0,\"collapsed\":true}}";
    static final String DCONF = "{\"1\":{\"id\":1,\"name\":\"Default\",\"mod\":0,\"usn\":0,\"new\":{\"perDay\":20,\"delays\":[1.0,10.0]}}}";
    static final String CONF = "{\"schedVer\":2,\"sched2021\":true,\"curDeck\":1,\"nothing\":null,\"nested\":{\"a\":[1,\"b\"]}}";
    static final String TAGS = "{\"verbs\":4,\"日本語::漢字\":0}";

    private Path legacyFile(String name, byte[] firstFlds) {
        Path file = dir.resolve(name);
        try (Schema11Writer w = Schema11Writer.create(file)) {
            w.header(new CollectionHeader(1_600_000_000L, 1_700_000_000_123L, 1_690_000_000_000L, 7, 1_700_000_000_000L, 11),
                    CONF, MODELS, DECKS, DCONF, TAGS);
            w.rows(BulkTable.NOTES, List.of(
                    new Object[] {1700000000200L, "guid\\1", 1700000000001L, 100L, 3, " verbs 日本語::漢字 ", firstFlds,
                            "42", (short) 1, 2840236005L, 0L, ""},
                    new Object[] {1700000000201L, "g2", 1700000000001L, 101L, 4, "", "1.5\u001fback".getBytes(StandardCharsets.UTF_8),
                            "1.5", (short) 2, 1L, 0L, ""},
                    new Object[] {1700000000202L, "g3", 1700000000001L, 102L, 5, "", "front\tline\nnext\\\u001fb".getBytes(StandardCharsets.UTF_8),
                            "front\tline\nnext\\", (short) 3, 2L, 0L, "legacy"}));
            w.rows(BulkTable.CARDS, List.<Object[]>of(
                    new Object[] {1700000000300L, 1700000000200L, 1700000000100L, 0L, 100L, 3, 2L, 2L, 19000L, 30L, 2500L,
                            5L, 1L, 0L, 0L, 0L, 3L, "{\"cd\":\"{\\\"x\\\":1}\",\"s\":1.2345}"}));
            w.rows(BulkTable.REVLOG, List.<Object[]>of(
                    new Object[] {1700000000400L, 1700000000300L, 3, 3L, 30L, -600L, 2500L, 6000L, 1L}));
            w.rows(BulkTable.GRAVES, List.of(new Object[] {1699999999999L, 1, 2}, new Object[] {1699999999999L, 1, 3},
                    new Object[] {1699999999998L, 0, 2}));
        }
        return file;
    }

    @Test
    void aLegacyCollectionComesBackAsItWent() throws Exception {
        long user = userId("round-trip");
        byte[] flds = "caf\u00e9 <b>bold</b>\u001f\uD83D\uDE00 back".getBytes(StandardCharsets.UTF_8);
        Path in = legacyFile("in.anki2", flds);
        fullSync.upload(user, in).block();

        Path out = dir.resolve("out.anki2");
        fullSync.download(user, out).block();

        for (String table : List.of("notes", "cards", "revlog")) {
            // for notes also the storage class of sfld, which Anki sorts by
            String sql = table.equals("notes") ? "select *, typeof(sfld) from notes" : "select * from " + table;
            assertThat(dump(out, sql, table)).as(table).hasSizeGreaterThan(0).isEqualTo(dump(in, sql, table));
        }
        assertThat(dump(out, "select oid, type from graves order by oid, type", "graves"))
                .as("duplicate graves collapse to one").containsExactly("1699999999998|0", "1699999999999|1");
        assertThat(dump(out, "select hex(flds) from notes where id = 1700000000200", "flds"))
                .containsExactly(java.util.HexFormat.of().withUpperCase().formatHex(flds));

        List<String> col = dump(out, "select crt, mod, scm, usn, ls, ver, dty from col", "col");
        assertThat(col).hasSize(1);
        String[] c = col.get(0).split("\\|");
        assertThat(c[0]).isEqualTo("1600000000");
        assertThat(Long.parseLong(c[1])).as("download sets mod to now").isGreaterThan(1_700_000_000_123L);
        assertThat(c[2]).isEqualTo("1690000000000");
        assertThat(c[3]).as("download advances usn").isEqualTo("8");
        assertThat(c[5]).isEqualTo("11");
        // JSON objects survive key by key, numbers with their exact text
        assertThat(single(out, "select models from col")).contains("\"futureKey\":{\"x\":[1.30,2E+5]}", "\"bigId\":9223372036854775807");
        assertThat(single(out, "select decks from col")).contains("\"Lang::Français\"");
        assertThat(single(out, "select conf from col")).contains("\"nothing\":null", "\"nested\":{\"a\":[1,\"b\"]}");
        assertThat(single(out, "select tags from col")).contains("\"verbs\":4", "\"日本語::漢字\":0");
        assertThat(single(out, "select typeof(conf) || typeof(models) || typeof(decks) from col")).isEqualTo("texttexttext");
        assertThat(single(out, "pragma integrity_check")).isEqualTo("ok");
        assertThat(single(out, "pragma journal_mode")).isEqualTo("delete");
    }

    @Test
    void badFilesAreRefusedAndChangeNothing() throws Exception {
        long user = userId("refusals");
        fullSync.upload(user, legacyFile("good.anki2", "a\u001fb".getBytes(StandardCharsets.UTF_8))).block();
        String before = digest(user);

        Path notSqlite = Files.writeString(dir.resolve("text.anki2"), "this is not a database");
        Path empty = Files.write(dir.resolve("empty.anki2"), new byte[0]);
        Path notCollection = dir.resolve("other.anki2");
        execute(notCollection, "create table things (id integer primary key)");
        Path truncated = dir.resolve("truncated.anki2");
        byte[] whole = Files.readAllBytes(legacyFile("whole.anki2", "a\u001fb".getBytes(StandardCharsets.UTF_8)));
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        Path missingNotetype = legacyFile("missing-notetype.anki2", "a\u001fb".getBytes(StandardCharsets.UTF_8));
        execute(missingNotetype, "update notes set mid = 42 where id = 1700000000201");
        Path orphanCard = legacyFile("orphan-card.anki2", "a\u001fb".getBytes(StandardCharsets.UTF_8));
        execute(orphanCard, "delete from notes where id = 1700000000200");
        Path badJson = legacyFile("bad-json.anki2", "a\u001fb".getBytes(StandardCharsets.UTF_8));
        execute(badJson, "update col set models = '{not json'");
        Path futureSchema = legacyFile("v19.anki2", "a\u001fb".getBytes(StandardCharsets.UTF_8));
        execute(futureSchema, "update col set ver = 19");
        Path nulInTags = legacyFile("nul.anki2", "a\u001fb".getBytes(StandardCharsets.UTF_8));
        execute(nulInTags, "update notes set tags = ' a' || char(0) || 'b ' where id = 1700000000201");

        for (Path bad : List.of(notSqlite, empty, notCollection, truncated, missingNotetype, orphanCard, badJson,
                futureSchema, nulInTags)) {
            assertThatThrownBy(() -> fullSync.upload(user, bad).block()).as(bad.getFileName().toString())
                    .isInstanceOf(CorruptCollectionException.class);
            assertThat(digest(user)).as("after " + bad.getFileName()).isEqualTo(before);
        }
    }

    @Test
    void anAccountWithoutACollectionDownloadsANewOne() throws Exception {
        long user = userId("newcomer");
        Path out = dir.resolve("new.anki2");
        fullSync.download(user, out).block();
        assertThat(single(out, "pragma integrity_check")).isEqualTo("ok");
        assertThat(single(out, "select count(*) from notes")).isEqualTo("0");
        assertThat(single(out, "select decks from col")).contains("\"Default\"");
        assertThat(single(out, "select models from col")).contains("\"Basic\"");
        assertThat(single(out, "select conf from col")).contains("\"schedVer\":2");
        // what was sent is now the account's collection, so the next meta agrees with the client
        String[] col = dump(out, "select mod, scm, usn from col", "col").get(0).split("\\|");
        String stored = db.sql("select mod || '|' || scm || '|' || usn as h from collections where user_id = :id")
                .bind("id", user).map(r -> r.get("h", String.class)).one().block();
        assertThat(stored).isEqualTo(String.join("|", col));
    }

    private long userId(String name) {
        accounts.addUser(name, "pw").block();
        return accounts.listUsers().filter(u -> u.username().equals(name)).single().block().id();
    }

    /** Every stored value of the user's collection, as text. */
    private String digest(long user) {
        StringBuilder all = new StringBuilder();
        for (String table : List.of("collections", "notes", "cards", "revlog", "graves", "decks", "deck_configs",
                "notetypes", "tags", "config")) {
            all.append(table).append(':').append(db.sql("select string_agg(t::text, ';' order by t::text) as rows from "
                            + table + " t where user_id = :id").bind("id", user)
                    .map(r -> String.valueOf(r.get("rows", String.class))).one().block()).append('\n');
        }
        return all.toString();
    }

    private static List<String> dump(Path file, String sql, String what) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql + (sql.contains("order by") || sql.startsWith("select hex") ? "" : " order by 1"))) {
            List<String> rows = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> v = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    v.add(rs.getString(i));
                }
                rows.add(String.join("|", v));
            }
            return rows;
        }
    }

    private static String single(Path file, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void execute(Path file, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
