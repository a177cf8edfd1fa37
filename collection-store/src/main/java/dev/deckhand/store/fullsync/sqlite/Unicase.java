package dev.deckhand.store.fullsync.sqlite;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UProperty;
import com.ibm.icu.util.VersionInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import org.sqlite.Collation;
import org.sqlite.SQLiteConnection;

/**
 * The {@code unicase} SQLite collation of Anki collection files (schema 14 and later), ordering
 * exactly as Anki does: Anki registers {@code UniCase::new(a).cmp(&UniCase::new(b))} of the Rust
 * crate {@code unicase} 2.6.0, and SQLite's {@code PRAGMA integrity_check} reports corruption on
 * a client's file if a connection orders names even slightly differently.
 *
 * <p>The crate's order:
 * <ul>
 *   <li>Both strings pure ASCII: compare the ASCII-lowercased bytes.
 *   <li>Otherwise: replace every character by its full case folding (CaseFolding.txt statuses
 *       C and F, never T, as of Unicode 12.1, from which the crate's tables were generated in
 *       2019) and compare the resulting sequences lexicographically by code point (not by UTF-16
 *       unit). No normalization, no locale.
 *   <li>Quirk: the crate's {@code Fold::Three(one, two, three)} iterator yields {@code three}
 *       first and then becomes {@code Fold::Two(one, two)}, so a character folding to three code
 *       points takes part in the comparison as (third, first, second). U+FB03 "ﬃ" folds to
 *       "ffi" but compares as "iff"; U+0390 "ΐ" compares as U+0301 U+03B9 U+0308. The b-trees of
 *       real client files are ordered that way, so this class reproduces it.
 * </ul>
 * The ASCII case needs no separate path: full folding maps an ASCII character to its ASCII
 * lowercase, so the Unicode rule gives the same answer on ASCII input.
 *
 * <p>Folding data comes from ICU4J 65.1 (Unicode 12.1): its full default folding of each single
 * code point, which was checked to equal the crate's table for every scalar value.
 *
 * <p>Strings read from SQLite never hold lone surrogates; if a caller passes one, it compares as
 * the code point of that unit. Invalid UTF-8 in a file is decoded by sqlite-jdbc before this class
 * sees it, not necessarily into the same U+FFFD sequence as Rust's {@code from_utf8_lossy} in
 * Anki's rusqlite; Anki itself only writes valid UTF-8.
 */
public final class Unicase {

    /** The collation name Anki's schema declares. */
    public static final String COLLATION_NAME = "unicase";

    private Unicase() {
    }

    /** Anki's unicase order: negative, zero or positive. */
    public static int compare(String a, String b) {
        int lengthA = a.length();
        int lengthB = b.length();
        int indexA = 0;
        int indexB = 0;
        // The rest of a multi-code-point folding, still to be compared, on either side.
        int[] pendingA = null;
        int pendingIndexA = 0;
        int[] pendingB = null;
        int pendingIndexB = 0;
        while (true) {
            if (pendingA == null && pendingB == null && indexA < lengthA && indexB < lengthB) {
                char x = a.charAt(indexA);
                char y = b.charAt(indexB);
                if ((x | y) < 0x80) {
                    // Fast path, no table and no allocation for ASCII.
                    indexA++;
                    indexB++;
                    if (x != y) {
                        int foldedX = asciiLower(x);
                        int foldedY = asciiLower(y);
                        if (foldedX != foldedY) {
                            return foldedX < foldedY ? -1 : 1;
                        }
                    }
                    continue;
                }
                if (x == y && !Character.isSurrogate(x)) {
                    // The same character folds the same way: skips shared prefixes such as
                    // "Parent\u001f" in deck names cheaply.
                    indexA++;
                    indexB++;
                    continue;
                }
            }

            int foldedA;
            if (pendingA != null) {
                foldedA = pendingA[pendingIndexA++];
                if (pendingIndexA == pendingA.length) {
                    pendingA = null;
                }
            } else if (indexA < lengthA) {
                int codePoint = a.codePointAt(indexA);
                indexA += Character.charCount(codePoint);
                int folding = Folding.of(codePoint);
                if (folding >= 0) {
                    foldedA = folding;
                } else {
                    pendingA = Folding.MULTI[~folding];
                    foldedA = pendingA[0];
                    pendingIndexA = 1;
                }
            } else {
                foldedA = -1;
            }

            int foldedB;
            if (pendingB != null) {
                foldedB = pendingB[pendingIndexB++];
                if (pendingIndexB == pendingB.length) {
                    pendingB = null;
                }
            } else if (indexB < lengthB) {
                int codePoint = b.codePointAt(indexB);
                indexB += Character.charCount(codePoint);
                int folding = Folding.of(codePoint);
                if (folding >= 0) {
                    foldedB = folding;
                } else {
                    pendingB = Folding.MULTI[~folding];
                    foldedB = pendingB[0];
                    pendingIndexB = 1;
                }
            } else {
                foldedB = -1;
            }

            if (foldedA != foldedB) {
                // -1 marks the end of a side: a proper prefix sorts first.
                return foldedA < foldedB ? -1 : 1;
            }
            if (foldedA < 0) {
                return 0;
            }
        }
    }

    /**
     * Registers the collation under the name "unicase" on this sqlite-jdbc connection. SQLite
     * keeps collations per connection, so call this on every connection before touching the
     * schema-18 tables.
     */
    public static void register(Connection connection) throws SQLException {
        // Collation.create insists on the driver's own class, not on a pool's proxy.
        Connection sqlite = connection instanceof SQLiteConnection || !connection.isWrapperFor(SQLiteConnection.class)
                ? connection
                : connection.unwrap(SQLiteConnection.class);
        // A fresh instance per connection: Collation.create stores the connection in it.
        Collation.create(sqlite, COLLATION_NAME, new Collation() {
            @Override
            protected int xCompare(String a, String b) {
                return compare(a == null ? "" : a, b == null ? "" : b);
            }
        });
    }

    private static int asciiLower(char c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    /** Folded form of one code point, built once from ICU4J. */
    static final class Folding {

        /** Per 256-code-point block; null for blocks in which every code point folds to itself. */
        private static final int[][] BLOCKS = new int[(Character.MAX_CODE_POINT + 1) >>> 8][];

        private static final VersionInfo UNICODE_12_1 = VersionInfo.getInstance(12, 1);

        /** Multi-code-point foldings, already in the crate's comparison order. */
        static final int[][] MULTI;

        static {
            int[][] multi = new int[256][];
            int multiCount = 0;
            for (int codePoint = 0; codePoint <= Character.MAX_CODE_POINT; codePoint++) {
                // Case_Sensitive covers every source of a case mapping, folding included; it
                // cuts the start-up cost from ~240 ms to ~30 ms (a test checks nothing is lost).
                if (!UCharacter.hasBinaryProperty(codePoint, UProperty.CASE_SENSITIVE)) {
                    continue;
                }
                // The crate only knows Unicode 12.1: characters a newer ICU may add fold to
                // themselves in Anki (foldings of older characters are stable).
                if (UCharacter.getAge(codePoint).compareTo(UNICODE_12_1) > 0) {
                    continue;
                }
                String original = new String(Character.toChars(codePoint));
                // FOLD_CASE_DEFAULT: mappings C and F (full folding); T (Turkic) excluded.
                String folded = UCharacter.foldCase(original, UCharacter.FOLD_CASE_DEFAULT);
                if (folded.equals(original)) {
                    continue;
                }
                int[] codePoints = folded.codePoints().toArray();
                int value;
                if (codePoints.length == 1) {
                    value = codePoints[0];
                } else {
                    if (codePoints.length == 3) {
                        // unicase 2.6.0 yields a three-code-point folding as (third, first, second).
                        codePoints = new int[] {codePoints[2], codePoints[0], codePoints[1]};
                    } else if (codePoints.length != 2) {
                        throw new IllegalStateException("unexpected case folding of U+"
                                + Integer.toHexString(codePoint) + ": " + codePoints.length + " code points");
                    }
                    if (multiCount == multi.length) {
                        multi = Arrays.copyOf(multi, multiCount * 2);
                    }
                    multi[multiCount] = codePoints;
                    value = ~multiCount;
                    multiCount++;
                }
                int[] block = BLOCKS[codePoint >>> 8];
                if (block == null) {
                    block = new int[256];
                    int first = codePoint & ~0xFF;
                    for (int i = 0; i < 256; i++) {
                        block[i] = first + i;
                    }
                    BLOCKS[codePoint >>> 8] = block;
                }
                block[codePoint & 0xFF] = value;
            }
            MULTI = Arrays.copyOf(multi, multiCount);
        }

        private Folding() {
        }

        /** The single folded code point, or {@code ~i} for {@code MULTI[i]}. */
        static int of(int codePoint) {
            int[] block = BLOCKS[codePoint >>> 8];
            return block == null ? codePoint : block[codePoint & 0xFF];
        }

        /** The code points the crate compares for this one (for tests). */
        static int[] sequence(int codePoint) {
            int value = of(codePoint);
            return value >= 0 ? new int[] {value} : MULTI[~value].clone();
        }
    }
}
