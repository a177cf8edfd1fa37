package dev.deckhand.store.fullsync.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.util.VersionInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.Collation;

class UnicaseTest {

    /**
     * SHA-256 of unicase 2.6.0's own folding table: the crate (src/unicode/map.rs) compiled with
     * rustc, {@code lookup(c)} iterated for every char that does not fold to itself, one line
     * {@code "CP: F1 F2\n"} each (upper-case hex, no padding), in code point order. 1487 lines:
     * 1383 single, 88 double and 16 triple foldings, the triples already in the yielded
     * (third, first, second) order.
     */
    private static final String CRATE_TABLE_SHA256 =
            "a9e5929dbb1ed1f7284852e9833da5b859251d9079e46a843d2ce8136c616808";

    /** Names that are pairwise different under unicase and that each near-miss collation orders wrongly. */
    private static final List<String> TRICKY_NAMES = List.of(
            "a", "B", "_", "Z", "abc", "ABD",
            "\uFB03", "ffz", "h", "\uFB00x",
            "\u00DFa", "ssb", "st", "Stra\u00DFe",
            "\u0130", "i", "\u0131", "j",
            "\u01C5", "dz", "dzz",
            "\u0390", "\u03B9", "\u03C3\u03C2",
            "\u212Aa", "kb",
            "\uAB70", "\u13A1", "\u13F8",
            "\uD83D\uDE00", "\uFF5A", "\uD801\uDC00", "\uFFFD",
            "Deck\u001FChild", "Deck\u001Fchild2");

    @Test
    void asciiFoldsCaseAndComparesBytes() {
        assertThat(Unicase.compare("", "")).isZero();
        assertThat(Unicase.compare("Foo Bar", "fOO bAR")).isZero();
        assertThat(Unicase.compare("a", "B")).isNegative();   // bytes alone would say 'B' < 'a'
        assertThat(Unicase.compare("B", "a")).isPositive();
        assertThat(Unicase.compare("_", "A")).isNegative();   // '_' (0x5F) < 'a' (0x61), though 'A' < '_'
        assertThat(Unicase.compare("Z", "a")).isPositive();
        assertThat(Unicase.compare("abc", "ABCD")).isNegative();
        assertThat(Unicase.compare("ABCD", "abc")).isPositive();
        assertThat(Unicase.compare("", "a")).isNegative();
        assertThat(Unicase.compare("a\u001Fb", "A\u001FB")).isZero();
        // Full folding maps every ASCII character to its ASCII lowercase, so one path serves both.
        for (int c = 0; c < 0x80; c++) {
            int lower = c >= 'A' && c <= 'Z' ? c + 32 : c;
            assertThat(Unicase.Folding.sequence(c)).containsExactly(lower);
        }
    }

    @Test
    void sharpSFoldsToSs() {
        assertThat(Unicase.compare("\u00DF", "ss")).isZero();
        assertThat(Unicase.compare("\u1E9E", "ss")).isZero();      // capital sharp s: F mapping, not S
        assertThat(Unicase.compare("\u00DF", "\u1E9E")).isZero();
        assertThat(Unicase.compare("Ma\u00DFe", "MASSE")).isZero();
        assertThat(Unicase.compare("\u00DFa", "ssb")).isNegative(); // "ssa" < "ssb", though U+00DF > 's'
        assertThat(Unicase.compare("\u00DF", "st")).isNegative();
        assertThat(Unicase.compare("\u00DF", "s")).isPositive();
    }

    @Test
    void threeCodePointFoldingsCompareAsThirdFirstSecond() {
        // U+FB03 folds to "ffi" and unicase 2.6.0 yields it as "iff".
        assertThat(Unicase.Folding.sequence(0xFB03)).containsExactly('i', 'f', 'f');
        assertThat(Unicase.compare("\uFB03", "iff")).isZero();
        assertThat(Unicase.compare("\uFB03", "IFF")).isZero();
        assertThat(Unicase.compare("\uFB03", "ffi")).isPositive();
        assertThat(Unicase.compare("\uFB03", "h")).isPositive();
        assertThat(Unicase.compare("\uFB03", "ig")).isNegative();
        assertThat(Unicase.compare("x\uFB03y", "XIFFY")).isZero();
        // Two-code-point foldings keep their order.
        assertThat(Unicase.compare("\uFB00", "ff")).isZero();
        assertThat(Unicase.compare("\uFB00", "FF")).isZero();
    }

    @Test
    void dottedCapitalIFoldsToIAndCombiningDot() {
        assertThat(Unicase.Folding.sequence(0x130)).containsExactly('i', 0x307);  // F, not the Turkic T
        assertThat(Unicase.compare("\u0130", "i\u0307")).isZero();
        assertThat(Unicase.compare("\u0130", "I\u0307")).isZero();
        assertThat(Unicase.compare("\u0130", "i")).isPositive();
        assertThat(Unicase.compare("\u0130", "I")).isPositive();
        assertThat(Unicase.compare("\u0130", "j")).isNegative();
        assertThat(Unicase.compare("I", "\u0131")).isNegative();   // no Turkic mapping: I folds to i
        assertThat(Unicase.compare("\u0131", "i")).isPositive();   // dotless i folds to itself
    }

    @Test
    void titlecaseDigraphFoldsToLowercase() {
        assertThat(Unicase.compare("\u01C5", "\u01C6")).isZero();
        assertThat(Unicase.compare("\u01C4", "\u01C5")).isZero();
        assertThat(Unicase.compare("\u01C5", "dz\u030C")).isPositive();  // no normalization
        assertThat(Unicase.compare("\u01C5", "dz")).isPositive();
    }

    @Test
    void greekIotaWithDialytikaAndTonos() {
        // U+0390 folds to U+03B9 U+0308 U+0301 and is compared as U+0301 U+03B9 U+0308.
        assertThat(Unicase.Folding.sequence(0x390)).containsExactly(0x301, 0x3B9, 0x308);
        assertThat(Unicase.compare("\u0390", "\u0301\u03B9\u0308")).isZero();
        assertThat(Unicase.compare("\u0390", "\u03B9\u0308\u0301")).isNegative();
        assertThat(Unicase.compare("\u0390", "\u03B9")).isNegative();  // only because of the quirk
        assertThat(Unicase.compare("\u0390", "\u1FD3")).isZero();       // same folding
        assertThat(Unicase.compare("\u03C2", "\u03A3")).isZero();       // final sigma
        assertThat(Unicase.compare("\u03C3", "\u03C2")).isZero();
    }

    @Test
    void kelvinAndAngstromSigns() {
        assertThat(Unicase.compare("\u212A", "k")).isZero();
        assertThat(Unicase.compare("\u212A", "K")).isZero();
        assertThat(Unicase.compare("\u212Aelvin", "KELVIN")).isZero();
        assertThat(Unicase.compare("\u212Aa", "kb")).isNegative();
        assertThat(Unicase.compare("\u212B", "\u00E5")).isZero();
    }

    @Test
    void cherokeeLowercaseFoldsToUppercase() {
        // Cherokee is the exception: lowercase U+AB70.. folds to uppercase U+13A0.., U+13F8 to U+13F0.
        assertThat(Unicase.compare("\uAB70", "\u13A0")).isZero();
        assertThat(Unicase.compare("\u13F8", "\u13F0")).isZero();
        assertThat(Unicase.compare("\uAB70", "\u13A1")).isNegative();  // though U+AB70 > U+13A1
        assertThat(Unicase.compare("\u13A0", "\u13A0")).isZero();
    }

    @Test
    void supplementaryCharactersOrderByCodePointNotUtf16() {
        String grinning = "\uD83D\uDE00";       // U+1F600
        String fullwidthZ = "\uFF5A";           // U+FF5A
        assertThat(grinning.compareTo(fullwidthZ)).isNegative();    // UTF-16 units: 0xD83D < 0xFF5A
        assertThat(Unicase.compare(grinning, fullwidthZ)).isPositive();
        assertThat(Unicase.compare(grinning, "\uFFFD")).isPositive();
        assertThat(Unicase.compare(grinning, "\uE000")).isPositive();
        assertThat(Unicase.compare("a" + grinning, "A" + grinning)).isZero();
        assertThat(Unicase.compare(grinning, "\uD83D\uDE01")).isNegative();
        // Deseret has case: U+10400 folds to U+10428.
        assertThat(Unicase.compare("\uD801\uDC00", "\uD801\uDC28")).isZero();
        assertThat(Unicase.compare("\uD801\uDC00", "\uFFFD")).isPositive();
        // Fullwidth Latin folds too.
        assertThat(Unicase.compare("\uFF21", "\uFF41")).isZero();
    }

    @Test
    void caseVariantsAreEqual() {
        String[][] variants = {
                {"Stra\u00DFe \u00DCbung", "STRASSE \u00FCBUNG", "strasse \u00DCBUNG"},
                {"\u0395\u03BB\u03BB\u03B7\u03BD\u03B9\u03BA\u03AC", "\u0395\u039B\u039B\u0397\u039D\u0399\u039A\u0386"},
                {"\u041A\u0438\u0440\u0438\u043B\u043B\u0438\u0446\u0430", "\u043A\u0418\u0420\u0418\u041B\u041B\u0418\u0426\u0410"},
                {"\u0130stanbul", "i\u0307STANBUL"},
                {"\u01C4emal", "\u01C5EMAL", "\u01C6emal"},
                {"\uFB03x", "IFFX"},
        };
        for (String[] group : variants) {
            for (String a : group) {
                for (String b : group) {
                    assertThat(Unicase.compare(a, b)).as("%s vs %s", a, b).isZero();
                }
            }
        }
    }

    @Test
    void orderIsAntisymmetricAndTransitive() {
        List<String> names = new ArrayList<>(TRICKY_NAMES);
        names.addAll(List.of("\u00DF", "SS", "\u1E9E", "iff", "\u212A", "K", "\u13A0", "\u03A3\u03A3"));
        names.sort(Unicase::compare);
        for (int i = 0; i < names.size(); i++) {
            for (int j = 0; j < names.size(); j++) {
                String a = names.get(i);
                String b = names.get(j);
                int ab = Integer.signum(Unicase.compare(a, b));
                assertThat(ab).as("%s vs %s", a, b).isEqualTo(-Integer.signum(Unicase.compare(b, a)));
                if (i < j) {
                    assertThat(ab).as("sorted %s before %s", a, b).isLessThanOrEqualTo(0);
                }
                for (String c : names) {
                    if (ab <= 0 && Unicase.compare(b, c) <= 0) {
                        assertThat(Unicase.compare(a, c)).as("%s <= %s <= %s", a, b, c).isLessThanOrEqualTo(0);
                    }
                }
            }
        }
    }

    @Test
    void lazyComparisonAgreesWithComparingWholeFoldedSequences() {
        List<Integer> alphabet = new ArrayList<>();
        for (int c = 0x20; c < 0x7F; c++) {
            alphabet.add(c);
        }
        for (int c : new int[] {0xDF, 0x1E9E, 0xFB03, 0xFB00, 0xFB01, 0x130, 0x131, 0x307, 0x1C4, 0x1C5, 0x1C6,
                0x390, 0x1FD3, 0x3B9, 0x308, 0x301, 0x3C2, 0x3C3, 0x3A3, 0x345, 0x1FB7, 0x212A, 0x212B, 0xE5,
                0xAB70, 0x13A0, 0x13F8, 0x13F0, 0x1F600, 0x10400, 0x10428, 0xFF21, 0xFF41, 0xFFFD, 0xE000,
                0x149, 0x2BC, 0x6E, 0x1F, 0x0}) {
            alphabet.add(c);
            alphabet.add(c);
        }
        Random random = new Random(20190831);
        for (int i = 0; i < 200_000; i++) {
            String a = randomString(random, alphabet);
            String b = random.nextInt(3) == 0 ? flipCase(random, a) : randomString(random, alphabet);
            assertThat(Integer.signum(Unicase.compare(a, b)))
                    .as("%s vs %s", a, b)
                    .isEqualTo(Integer.signum(Arrays.compare(cratesSequence(a), cratesSequence(b))));
        }
    }

    @Test
    void foldingTableIsUnicase260s() throws Exception {
        StringBuilder dump = new StringBuilder();
        int entries = 0;
        for (int codePoint = 0; codePoint <= Character.MAX_CODE_POINT; codePoint++) {
            int[] sequence = Unicase.Folding.sequence(codePoint);
            if (sequence.length == 1 && sequence[0] == codePoint) {
                continue;
            }
            entries++;
            dump.append(Integer.toHexString(codePoint).toUpperCase(Locale.ROOT)).append(':');
            for (int folded : sequence) {
                dump.append(' ').append(Integer.toHexString(folded).toUpperCase(Locale.ROOT));
            }
            dump.append('\n');
        }
        assertThat(entries).isEqualTo(1487);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(dump.toString().getBytes(StandardCharsets.US_ASCII));
        assertThat(HexFormat.of().formatHex(digest)).isEqualTo(CRATE_TABLE_SHA256);
    }

    @Test
    void startupFilterLosesNoFoldingOfIcu() {
        // Folding's table skips code points without Case_Sensitive; check that against brute force.
        VersionInfo unicode121 = VersionInfo.getInstance(12, 1);
        for (int codePoint = 0; codePoint <= Character.MAX_CODE_POINT; codePoint++) {
            if (codePoint >= 0xD800 && codePoint <= 0xDFFF
                    || UCharacter.getAge(codePoint).compareTo(unicode121) > 0) {
                continue;
            }
            int[] expected = cratesFolding(codePoint);
            int[] actual = Unicase.Folding.sequence(codePoint);
            if (!Arrays.equals(expected, actual)) {
                assertThat(actual).as("U+%04X", codePoint).containsExactly(expected);
            }
        }
    }

    // ---- SQLite --------------------------------------------------------------------------------

    @Test
    void sqliteIntegrityCheckPassesWithThisCollationAndFailsWithNearMisses(@TempDir Path folder) throws Exception {
        String url = "jdbc:sqlite:" + folder.resolve("collation.db");
        try (Connection connection = DriverManager.getConnection(url)) {
            Unicase.register(connection);
            try (Statement statement = connection.createStatement()) {
                // The shapes of Anki's schema-18 tags and decks tables.
                statement.execute("create table tags (tag text not null primary key collate unicase,"
                        + " usn integer not null) without rowid");
                statement.execute("create table decks (id integer primary key not null,"
                        + " name text not null collate unicase)");
                statement.execute("create unique index idx_decks_name on decks (name)");
            }
            try (PreparedStatement tag = connection.prepareStatement("insert into tags values (?, 0)");
                    PreparedStatement deck = connection.prepareStatement("insert into decks (name) values (?)")) {
                for (String name : TRICKY_NAMES) {
                    tag.setString(1, name);
                    tag.executeUpdate();
                    deck.setString(1, name);
                    deck.executeUpdate();
                }
            }
            assertThat(integrityCheck(connection)).isEqualTo("ok");

            // The collation, not binary comparison, guards the unique keys.
            for (String duplicate : List.of("A", "STRASSE", "i\u0307", "\u01C6", "IFF", "\u13A0", "\uFF3A")) {
                assertThatThrownBy(() -> insert(connection, "insert into decks (name) values (?)", duplicate))
                        .as(duplicate).isInstanceOf(SQLException.class).hasMessageContaining("UNIQUE");
                assertThatThrownBy(() -> insert(connection, "insert into tags values (?, 0)", duplicate))
                        .as(duplicate).isInstanceOf(SQLException.class).hasMessageContaining("UNIQUE");
            }

            List<String> sorted = new ArrayList<>(TRICKY_NAMES);
            sorted.sort(Unicase::compare);
            assertThat(column(connection, "select tag from tags")).containsExactlyElementsOf(sorted);
            assertThat(column(connection, "select name from decks order by name")).containsExactlyElementsOf(sorted);
            assertThat(column(connection, "select tag from tags where tag = 'STRASSE'")).containsExactly("Stra\u00DFe");
        }

        // A "close enough" collation under the same name makes integrity_check report corruption.
        for (Map.Entry<String, BiFunction<String, String, Integer>> nearMiss : nearMisses().entrySet()) {
            try (Connection connection = DriverManager.getConnection(url)) {
                BiFunction<String, String, Integer> comparison = nearMiss.getValue();
                Collation.create(connection, "unicase", new Collation() {
                    @Override
                    protected int xCompare(String a, String b) {
                        return comparison.apply(a, b);
                    }
                });
                assertThat(integrityCheck(connection)).as(nearMiss.getKey()).isNotEqualTo("ok");
            }
        }

        // And with the real one again it is fine: the file was never damaged.
        try (Connection connection = DriverManager.getConnection(url)) {
            Unicase.register(connection);
            assertThat(integrityCheck(connection)).isEqualTo("ok");
        }
    }

    @Test
    void sqliteHandsSupplementaryCharactersThrough(@TempDir Path folder) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + folder.resolve("emoji.db"))) {
            Unicase.register(connection);
            assertThat(column(connection, "select x from (select '\uD83D\uDE00' as x union all select '\uFF5A'"
                    + " union all select 'a') order by x collate unicase"))
                    .containsExactly("a", "\uFF5A", "\uD83D\uDE00");
            assertThat(column(connection, "select 'ok' where '\u1E9E\u212A' = 'ssk' collate unicase"))
                    .containsExactly("ok");
        }
    }

    /** Collations that differ from unicase 2.6.0 only in one detail each. */
    static Map<String, BiFunction<String, String, Integer>> nearMisses() {
        Map<String, BiFunction<String, String, Integer>> nearMisses = new LinkedHashMap<>();
        nearMisses.put("String.compareTo", String::compareTo);
        nearMisses.put("full folding without the three-code-point quirk",
                (a, b) -> Arrays.compare(foldedSequence(a, false), foldedSequence(b, false)));
        nearMisses.put("right folding, compared by UTF-16 unit", (a, b) -> {
            int[] x = cratesSequence(a);
            int[] y = cratesSequence(b);
            return new String(x, 0, x.length).compareTo(new String(y, 0, y.length));
        });
        nearMisses.put("toLowerCase(Locale.ROOT)", (a, b) -> Arrays.compare(
                a.toLowerCase(Locale.ROOT).codePoints().toArray(), b.toLowerCase(Locale.ROOT).codePoints().toArray()));
        nearMisses.put("simple folding", (a, b) -> Arrays.compare(
                a.codePoints().map(c -> UCharacter.foldCase(c, true)).toArray(),
                b.codePoints().map(c -> UCharacter.foldCase(c, true)).toArray()));
        return nearMisses;
    }

    /** The code points unicase 2.6.0 compares, computed directly from ICU without Unicase's table. */
    static int[] cratesSequence(String s) {
        return foldedSequence(s, true);
    }

    private static int[] foldedSequence(String s, boolean quirk) {
        return s.codePoints()
                .flatMap(c -> Arrays.stream(quirk ? cratesFolding(c) : fullFolding(c)))
                .toArray();
    }

    private static int[] cratesFolding(int codePoint) {
        int[] folded = fullFolding(codePoint);
        return folded.length == 3 ? new int[] {folded[2], folded[0], folded[1]} : folded;
    }

    private static int[] fullFolding(int codePoint) {
        return UCharacter.foldCase(new String(Character.toChars(codePoint)), true).codePoints().toArray();
    }

    private static String randomString(Random random, List<Integer> alphabet) {
        StringBuilder s = new StringBuilder();
        int length = random.nextInt(8);
        for (int i = 0; i < length; i++) {
            s.appendCodePoint(alphabet.get(random.nextInt(alphabet.size())));
        }
        return s.toString();
    }

    private static String flipCase(Random random, String s) {
        StringBuilder flipped = new StringBuilder();
        s.codePoints().forEach(c -> {
            String one = new String(Character.toChars(c));
            flipped.append(switch (random.nextInt(3)) {
                case 0 -> UCharacter.toUpperCase(one);
                case 1 -> UCharacter.toLowerCase(one);
                default -> UCharacter.foldCase(one, true);
            });
        });
        return flipped.toString();
    }

    private static String integrityCheck(Connection connection) throws SQLException {
        return String.join("\n", column(connection, "pragma integrity_check"));
    }

    private static void insert(Connection connection, String sql, String value) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, value);
            statement.executeUpdate();
        }
    }

    private static List<String> column(Connection connection, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }
}
