package dev.deckhand.compat.conversion;

import static org.assertj.core.api.Assertions.assertThat;

import anki.decks.DeckNameId;
import com.ibm.icu.lang.UCharacter;
import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.store.fullsync.sqlite.Unicase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.Collation;

/**
 * {@link Unicase} against the real client (Anki 2.1.66's Rust backend): the client builds the
 * {@code unicase} b-trees of a collection file with names chosen to stress the collation, and
 * decides itself which names are duplicates. Our collation must agree with both: the file passes
 * {@code PRAGMA integrity_check}, SQLite sorting with our collation reproduces the client's
 * b-tree order, and our equality is the client's.
 */
class UnicaseOracleTest {

    private static final String SEPARATOR = "\u001f";

    /**
     * In this order; later case variants of earlier names are duplicates for the client. The
     * client stores names in NFC, so the Kelvin sign arrives as "K" and U+1FD3 as U+0390.
     */
    private static final List<String> NAMES = List.of(
            "\uFB03", "FFI", "iff", "ffz", "h", "\uFB00x",
            "\u00DF", "SS", "\u1E9E", "\u00DFa", "ssb", "st", "Stra\u00DFe", "STRASSE",
            "\u0130", "i", "I", "\u0131", "j", "i\u0307",
            "\u01C5", "\u01C6", "DZ", "dz\u030C",
            "\u0390", "\u1FD3", "\u03B9", "\u03C3\u03C2", "\u03A3\u03A3",
            "\u212Aelvin", "kelvin", "\u212Ab",
            "\uAB70", "\u13A0", "\u13A1", "\u13F8",
            "\uD83D\uDE00", "\uD83D\uDE01", "\uFF5A", "\uFF3A", "\uD801\uDC00", "\uD801\uDC28", "\uFFFD",
            "a", "B", "_", "Z", "Mixed", "mIXED",
            "Parent::\uFB03", "parent::IFF", "Parent::child", "PARENT::CHILD2");

    @Test
    void clientBuiltUnicaseIndexesAgreeWithOurCollation(@TempDir Path folder) throws Exception {
        Path device = folder.resolve("device");
        Map<String, String> deckNameByInput = new LinkedHashMap<>();
        try (AnkiDevice anki = AnkiDevice.open(device)) {
            long firstNote = anki.addBasicNote("tags in one call", "");
            long secondNote = anki.addBasicNote("tags one by one", "");
            List<Long> deckIds = new ArrayList<>();
            for (String name : NAMES) {
                deckIds.add(anki.call(() -> anki.backend()
                        .addDeck(anki.backend().newDeck().toBuilder().setName(name).build())
                        .getId()));
            }
            Map<Long, String> names = new LinkedHashMap<>();
            for (DeckNameId deck : anki.call(() -> anki.backend().getDeckNames(false, false))) {
                names.put(deck.getId(), deck.getName());
            }
            for (int i = 0; i < NAMES.size(); i++) {
                deckNameByInput.put(NAMES.get(i), names.get(deckIds.get(i)));
            }
            // Tags: deduplicated in memory within one call, looked up in the table across calls.
            anki.call(() -> anki.backend().addNoteTags(List.of(firstNote), String.join(" ", NAMES)));
            for (String name : NAMES) {
                anki.call(() -> anki.backend().addNoteTags(List.of(secondNote), name));
            }
        }

        Path collection = device.resolve("collection.anki2");
        List<String> tagTreeOrder;
        List<String> deckIndexOrder;
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + collection)) {
            Unicase.register(connection);
            assertThat(column(connection, "pragma integrity_check")).containsExactly("ok");

            // The WITHOUT ROWID table is scanned in key order: the client's order.
            tagTreeOrder = column(connection, "select tag from tags");
            // An index scan of idx_decks_name: the client's order too.
            assertThat(column(connection, "explain query plan select name from decks order by name"))
                    .anySatisfy(step -> assertThat(step).contains("idx_decks_name"));
            deckIndexOrder = column(connection, "select name from decks order by name");

            // SQLite's sorter with our collation (the expression defeats the index) agrees.
            assertThat(column(connection, "select tag from tags order by (tag || '') collate unicase"))
                    .containsExactlyElementsOf(tagTreeOrder);
            assertThat(column(connection, "select name from decks order by (name || '') collate unicase"))
                    .containsExactlyElementsOf(deckIndexOrder);
            writeReport(tagTreeOrder, deckIndexOrder);
        }

        // The client's order is strictly increasing under Unicase.compare, so Java sorting agrees.
        assertStrictlyIncreasing(tagTreeOrder);
        assertStrictlyIncreasing(deckIndexOrder);
        List<String> sortedTags = new ArrayList<>(tagTreeOrder);
        sortedTags.sort(Unicase::compare);
        assertThat(sortedTags).containsExactlyElementsOf(tagTreeOrder);

        // The client's notion of "the same name" is ours.
        List<String> seen = new ArrayList<>();
        for (String input : NAMES) {
            String nfc = Normalizer.normalize(input, Normalizer.Form.NFC);
            boolean duplicate = seen.stream().anyMatch(earlier -> Unicase.compare(earlier, nfc) == 0);
            seen.add(nfc);
            String deckName = deckNameByInput.get(input);
            if (duplicate) {
                // The client appends "+" until the name is free.
                assertThat(deckName).as("deck %s", input).endsWith("+");
                assertThat(Unicase.compare(deckName.replaceAll("\\++$", ""), nfc)).as("deck %s", input).isZero();
            } else {
                assertThat(deckName).as("deck %s", input).doesNotEndWith("+");
                assertThat(Unicase.compare(deckName, nfc)).as("deck %s", input).isZero();
            }
            assertThat(tagTreeOrder).as("tag %s", input).anySatisfy(tag -> assertThat(Unicase.compare(tag, nfc)).isZero());
        }
        List<String> distinctInputs = new ArrayList<>();
        for (String nfc : seen) {
            if (distinctInputs.stream().noneMatch(kept -> Unicase.compare(kept, nfc) == 0)) {
                distinctInputs.add(nfc);
            }
        }
        assertThat(tagTreeOrder).hasSameSizeAs(distinctInputs);
        assertThat(deckIndexOrder).contains("Kelvin", "\u0390", "Parent" + SEPARATOR + "\uFB03");

        // Near misses under the same name: the client's file then looks corrupt.
        for (Map.Entry<String, BiFunction<String, String, Integer>> nearMiss : nearMisses().entrySet()) {
            try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + collection)) {
                BiFunction<String, String, Integer> comparison = nearMiss.getValue();
                Collation.create(connection, "unicase", new Collation() {
                    @Override
                    protected int xCompare(String a, String b) {
                        return comparison.apply(a, b);
                    }
                });
                assertThat(column(connection, "pragma integrity_check")).as(nearMiss.getKey()).doesNotContain("ok");
            }
        }
    }

    private static Map<String, BiFunction<String, String, Integer>> nearMisses() {
        Map<String, BiFunction<String, String, Integer>> nearMisses = new LinkedHashMap<>();
        nearMisses.put("String.compareTo", String::compareTo);
        nearMisses.put("full folding without the three-code-point quirk",
                (a, b) -> Arrays.compare(folded(a, false), folded(b, false)));
        nearMisses.put("right folding, compared by UTF-16 unit", (a, b) -> {
            int[] x = folded(a, true);
            int[] y = folded(b, true);
            return new String(x, 0, x.length).compareTo(new String(y, 0, y.length));
        });
        nearMisses.put("toLowerCase(Locale.ROOT)", (a, b) -> Arrays.compare(
                a.toLowerCase(Locale.ROOT).codePoints().toArray(), b.toLowerCase(Locale.ROOT).codePoints().toArray()));
        return nearMisses;
    }

    private static int[] folded(String s, boolean quirk) {
        return s.codePoints().flatMap(c -> {
            int[] f = UCharacter.foldCase(new String(Character.toChars(c)), true).codePoints().toArray();
            return Arrays.stream(quirk && f.length == 3 ? new int[] {f[2], f[0], f[1]} : f);
        }).toArray();
    }

    private static void assertStrictlyIncreasing(List<String> names) {
        for (int i = 1; i < names.size(); i++) {
            assertThat(Unicase.compare(names.get(i - 1), names.get(i)))
                    .as("%s before %s", names.get(i - 1), names.get(i))
                    .isNegative();
        }
    }

    /** The orders found, for a human reading the build (the client owns stdout). */
    private static void writeReport(List<String> tags, List<String> decks) throws IOException {
        Path report = Path.of("target", "unicase-oracle", "orders.txt");
        Files.createDirectories(report.getParent());
        List<String> lines = new ArrayList<>();
        lines.add("tags (client's b-tree order):");
        tags.forEach(tag -> lines.add("  " + codePoints(tag)));
        lines.add("decks (client's idx_decks_name order):");
        decks.forEach(deck -> lines.add("  " + codePoints(deck)));
        Files.write(report, lines, StandardCharsets.UTF_8);
    }

    private static String codePoints(String s) {
        StringBuilder out = new StringBuilder(s.replace(SEPARATOR, "::")).append("  [");
        s.codePoints().forEach(c -> out.append(String.format(" U+%04X", c)));
        return out.append(" ]").toString();
    }

    private static List<String> column(Connection connection, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            int column = sql.startsWith("explain query plan") ? 4 : 1;
            while (rows.next()) {
                values.add(rows.getString(column));
            }
        }
        return values;
    }
}
