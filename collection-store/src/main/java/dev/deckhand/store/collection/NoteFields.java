package dev.deckhand.store.collection;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;

/**
 * The two columns a note derives from its fields, which clients leave empty in normal sync:
 * the sort field (HTML stripped, media names kept) and the checksum of the first field.
 *
 * <p>{@link #stripHtml} is rslib's {@code strip_html_preserving_media_filenames}: media tags become
 * their file name ({@code HTML_MEDIA_TAGS} as of Anki 24.04/25.01, which 2.1.66 predates: see
 * {@link #replaceMediaTags}), then comments, style/script blocks and tags go ({@code HTML}), then
 * entities are decoded the way the {@code htmlescape} 0.3.1 crate does. The regexes are matched by
 * hand rather than with {@link java.util.regex}: Rust's regex engine never backtracks, and the
 * media-tag pattern would backtrack exponentially in Java on tags with many quoted attributes.
 *
 * <p>Longer than most files here on purpose: the hand-written matchers and the 252-entry entity
 * table are one algorithm that is checked as a whole against rslib (NoteFieldsTest and the
 * real-client oracle), and splitting it would scatter what has to be compared line by line.
 */
public final class NoteFields {

    private static final String[] MEDIA_TAG_NAMES = {"img", "audio", "video", "object", "source"};
    private static final String[] MEDIA_ATTRIBUTES = {"src", "data"};

    /** The 252 named entities of HTML 4 (Latin-1, symbols and Greek, special), as name and hex code point. */
    private static final Map<String, Integer> NAMED_ENTITIES = parseEntities("""
            quot 22 amp 26 lt 3C gt 3E nbsp A0 iexcl A1 cent A2 pound A3 curren A4 yen A5 brvbar A6 sect A7
            uml A8 copy A9 ordf AA laquo AB not AC shy AD reg AE macr AF deg B0 plusmn B1 sup2 B2 sup3 B3
            acute B4 micro B5 para B6 middot B7 cedil B8 sup1 B9 ordm BA raquo BB frac14 BC frac12 BD
            frac34 BE iquest BF Agrave C0 Aacute C1 Acirc C2 Atilde C3 Auml C4 Aring C5 AElig C6 Ccedil C7
            Egrave C8 Eacute C9 Ecirc CA Euml CB Igrave CC Iacute CD Icirc CE Iuml CF ETH D0 Ntilde D1
            Ograve D2 Oacute D3 Ocirc D4 Otilde D5 Ouml D6 times D7 Oslash D8 Ugrave D9 Uacute DA Ucirc DB
            Uuml DC Yacute DD THORN DE szlig DF agrave E0 aacute E1 acirc E2 atilde E3 auml E4 aring E5
            aelig E6 ccedil E7 egrave E8 eacute E9 ecirc EA euml EB igrave EC iacute ED icirc EE iuml EF
            eth F0 ntilde F1 ograve F2 oacute F3 ocirc F4 otilde F5 ouml F6 divide F7 oslash F8 ugrave F9
            uacute FA ucirc FB uuml FC yacute FD thorn FE yuml FF OElig 152 oelig 153 Scaron 160 scaron 161
            Yuml 178 fnof 192 circ 2C6 tilde 2DC Alpha 391 Beta 392 Gamma 393 Delta 394 Epsilon 395 Zeta 396
            Eta 397 Theta 398 Iota 399 Kappa 39A Lambda 39B Mu 39C Nu 39D Xi 39E Omicron 39F Pi 3A0 Rho 3A1
            Sigma 3A3 Tau 3A4 Upsilon 3A5 Phi 3A6 Chi 3A7 Psi 3A8 Omega 3A9 alpha 3B1 beta 3B2 gamma 3B3
            delta 3B4 epsilon 3B5 zeta 3B6 eta 3B7 theta 3B8 iota 3B9 kappa 3BA lambda 3BB mu 3BC nu 3BD
            xi 3BE omicron 3BF pi 3C0 rho 3C1 sigmaf 3C2 sigma 3C3 tau 3C4 upsilon 3C5 phi 3C6 chi 3C7
            psi 3C8 omega 3C9 thetasym 3D1 upsih 3D2 piv 3D6 ensp 2002 emsp 2003 thinsp 2009 zwnj 200C
            zwj 200D lrm 200E rlm 200F ndash 2013 mdash 2014 lsquo 2018 rsquo 2019 sbquo 201A ldquo 201C
            rdquo 201D bdquo 201E dagger 2020 Dagger 2021 bull 2022 hellip 2026 permil 2030 prime 2032
            Prime 2033 lsaquo 2039 rsaquo 203A oline 203E frasl 2044 euro 20AC image 2111 weierp 2118
            real 211C trade 2122 alefsym 2135 larr 2190 uarr 2191 rarr 2192 darr 2193 harr 2194 crarr 21B5
            lArr 21D0 uArr 21D1 rArr 21D2 dArr 21D3 hArr 21D4 forall 2200 part 2202 exist 2203 empty 2205
            nabla 2207 isin 2208 notin 2209 ni 220B prod 220F sum 2211 minus 2212 lowast 2217 radic 221A
            prop 221D infin 221E ang 2220 and 2227 or 2228 cap 2229 cup 222A int 222B there4 2234 sim 223C
            cong 2245 asymp 2248 ne 2260 equiv 2261 le 2264 ge 2265 sub 2282 sup 2283 nsub 2284 sube 2286
            supe 2287 oplus 2295 otimes 2297 perp 22A5 sdot 22C5 lceil 2308 rceil 2309 lfloor 230A
            rfloor 230B lang 2329 rang 232A loz 25CA spades 2660 clubs 2663 hearts 2665 diams 2666
            """);

    private NoteFields() {}

    /** Field text without HTML, keeping the names of media files it references. */
    public static String stripHtml(String field) {
        String text = removeTags(replaceMediaTags(field));
        if (text.indexOf('&') < 0) {
            return text;
        }
        String decoded = decodeEntities(text);
        // rslib keeps the text as it was when decoding fails, no-break spaces included
        return decoded == null ? text : decoded.replace('\u00a0', ' ');
    }

    /** The first 32 bits of the SHA-1 of the stripped first field, as Anki's duplicate check uses. */
    public static long checksum(String firstField) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(stripHtml(firstField).getBytes(StandardCharsets.UTF_8));
            return ((digest[0] & 0xffL) << 24) | ((digest[1] & 0xffL) << 16) | ((digest[2] & 0xffL) << 8) | (digest[3] & 0xffL);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }

    // ---- media tags ----------------------------------------------------------------------------

    /**
     * Replaces each media tag by {@code " " + file name + " "}, as rslib's {@code HTML_MEDIA_TAGS}
     * (Anki 25.01 and later) does. A tag is {@code <} + img|audio|video|object|source + a word
     * boundary, then one or more steps (lazily: fewest first), then {@code src=} or {@code data=}
     * right after a word boundary, then a value. A step is one character other than {@code >}
     * or, failing that, a whole non-empty quoted string (which may hold {@code >}). A value is
     * {@code "name"} or {@code 'name'} (non-empty) followed by anything up to a {@code >}, or else
     * an unquoted name: one or more characters up to the first space or {@code >}, with a
     * {@code >} somewhere after. So the first {@code src=} of a tag wins, even one inside a quoted
     * value, and quoted values are skipped only when a {@code >} would otherwise end the tag.
     * Anki 2.1.66 knew only img/audio/object, did not skip quoted {@code >} and took the last
     * {@code src}/{@code data} of a tag.
     */
    static String replaceMediaTags(String text) {
        MediaScan scan = null;
        StringBuilder out = null;
        int copied = 0;
        for (int lt = text.indexOf('<'); lt >= 0; lt = text.indexOf('<', lt + 1)) {
            int afterName = mediaTagNameEnd(text, lt + 1);
            if (afterName < 0) {
                continue;
            }
            if (scan == null) {
                scan = new MediaScan(text);
                out = new StringBuilder(text.length());
            }
            int attribute = scan.firstAttributeFrom(afterName);
            if (attribute < 0) {
                continue;
            }
            Value value = scan.valueAt(text.indexOf('=', attribute) + 1);
            out.append(text, copied, lt).append(' ').append(text, value.nameStart, value.nameEnd).append(' ');
            copied = value.end;
            lt = value.end - 1;
        }
        return out == null ? text : out.append(text, copied, text.length()).toString();
    }

    /** Where the tag name ends if one of the media tags starts at {@code i} and a word boundary follows, else -1. */
    private static int mediaTagNameEnd(String text, int i) {
        for (String name : MEDIA_TAG_NAMES) {
            if (startsWithWord(text, i, name)) {
                int end = i + name.length();
                return end == text.length() || !isWordChar(text.codePointAt(end)) ? end : -1;
            }
        }
        return -1;
    }

    private record Value(int nameStart, int nameEnd, int end) {}

    /**
     * Tables for one text, filled from the end: the next {@code >}, quote and space at or after
     * each position, and the first position at or after each one where a {@code src=}/{@code data=}
     * with a valid value is found when steps are tried in the regex's order. All of it is linear in
     * the text's length, as Rust's engine is.
     */
    private static final class MediaScan {
        private final String text;
        private final int[] nextGt;
        private final int[] nextDoubleQuote;
        private final int[] nextSingleQuote;
        private final int[] nextSpace;
        private final int[] firstAttribute;

        MediaScan(String text) {
            this.text = text;
            int n = text.length();
            nextGt = new int[n + 1];
            nextDoubleQuote = new int[n + 1];
            nextSingleQuote = new int[n + 1];
            nextSpace = new int[n + 1];
            firstAttribute = new int[n + 1];
            nextGt[n] = nextDoubleQuote[n] = nextSingleQuote[n] = nextSpace[n] = firstAttribute[n] = -1;
            for (int p = n - 1; p >= 0; p--) {
                char c = text.charAt(p);
                nextGt[p] = c == '>' ? p : nextGt[p + 1];
                nextDoubleQuote[p] = c == '"' ? p : nextDoubleQuote[p + 1];
                nextSingleQuote[p] = c == '\'' ? p : nextSingleQuote[p + 1];
                nextSpace[p] = c == ' ' ? p : nextSpace[p + 1];
                firstAttribute[p] = attributeAt(p) ? p : firstAfterStep(p);
            }
        }

        /** The first attribute found after at least one step from {@code p} (the regex requires one). */
        int firstAttributeFrom(int p) {
            return p < text.length() ? firstAfterStep(p) : -1;
        }

        /** A one-character step is tried before a quoted one, and everything it leads to first. */
        private int firstAfterStep(int p) {
            char c = text.charAt(p);
            if (c == '>') {
                return -1;
            }
            int found = firstAttribute[p + 1];
            if (found < 0 && (c == '"' || c == '\'')) {
                int close = closingQuote(c, p + 1);
                if (close > p + 1) {
                    found = firstAttribute[close + 1];
                }
            }
            return found;
        }

        private boolean attributeAt(int p) {
            if (p == 0 || isWordChar(text.codePointBefore(p))) {
                return false;
            }
            for (String attribute : MEDIA_ATTRIBUTES) {
                if (startsWithWord(text, p, attribute)) {
                    int eq = p + attribute.length();
                    return eq < text.length() && text.charAt(eq) == '=' && valueAt(eq + 1) != null;
                }
            }
            return false;
        }

        /** The value starting at {@code v}, trying double-quoted, single-quoted, then unquoted. */
        Value valueAt(int v) {
            if (v >= text.length()) {
                return null;
            }
            char c = text.charAt(v);
            if (c == '"' || c == '\'') {
                int close = closingQuote(c, v + 1);
                if (close > v + 1 && nextGt[close + 1] >= 0) {
                    return new Value(v + 1, close, nextGt[close + 1] + 1);
                }
            }
            // also the fallback for a quoted value with no '>' after it: the name then starts with the quote
            int gt = nextGt[v];
            if (gt <= v) {
                return null;
            }
            int space = nextSpace[v + 1];
            return new Value(v, space >= 0 && space < gt ? space : gt, gt + 1);
        }

        private int closingQuote(char quote, int from) {
            return quote == '"' ? nextDoubleQuote[from] : nextSingleQuote[from];
        }
    }

    // ---- other tags ----------------------------------------------------------------------------

    /**
     * rslib's {@code HTML}: at each {@code <}, the first of a comment up to the first
     * {@code -->}, a {@code <style…>} up to the first {@code </style>} after its {@code >} (no
     * word boundary: {@code <styles>} counts), the same for script, or else a tag up to the first
     * {@code >}, is removed. One pass, so a {@code <!--} inside a tag does not start a comment.
     */
    static String removeTags(String text) {
        StringBuilder out = null;
        int copied = 0;
        Finder commentEnd = new Finder(text, "-->");
        Finder styleEnd = new Finder(text, "</style>");
        Finder scriptEnd = new Finder(text, "</script>");
        for (int lt = text.indexOf('<'); lt >= 0; lt = text.indexOf('<', copied)) {
            int gt = text.indexOf('>', lt + 1);
            if (gt < 0) {
                // every alternative needs a '>' after the '<'
                break;
            }
            int end = gt + 1;
            int close;
            if (text.startsWith("<!--", lt)) {
                if ((close = commentEnd.from(lt + 4)) >= 0) {
                    end = close + 3;
                }
            } else if (startsWithWord(text, lt + 1, "style")) {
                if ((close = styleEnd.from(gt + 1)) >= 0) {
                    end = close + "</style>".length();
                }
            } else if (startsWithWord(text, lt + 1, "script")) {
                if ((close = scriptEnd.from(gt + 1)) >= 0) {
                    end = close + "</script>".length();
                }
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, copied, lt);
            copied = end;
        }
        return out == null ? text : out.append(text, copied, text.length()).toString();
    }

    /**
     * Finds a closing string case-insensitively. Searches only move forward, so the last answer
     * is reused while it still lies ahead: many unclosed blocks then cost one scan, not one each.
     */
    private static final class Finder {
        private final String text;
        private final String needle;
        private int searchedFrom = Integer.MAX_VALUE;
        private int found = -1;

        Finder(String text, String needle) {
            this.text = text;
            this.needle = needle;
        }

        int from(int i) {
            if (i >= searchedFrom && (found < 0 || found >= i)) {
                return found;
            }
            searchedFrom = i;
            found = -1;
            for (int p = i; p + needle.length() <= text.length(); p++) {
                if (startsWithWord(text, p, needle)) {
                    found = p;
                    break;
                }
            }
            return found;
        }
    }

    // ---- matching helpers ----------------------------------------------------------------------

    /** Whether {@code text} has {@code word} (lower-case ASCII) at {@code i}, case-insensitively as rslib's regexes. */
    private static boolean startsWithWord(String text, int i, String word) {
        if (i + word.length() > text.length()) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            if (!sameLetter(text.charAt(i + k), word.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Rust's {@code (?i)} uses Unicode simple case folding: besides ASCII case, U+017F (long s)
     * matches 's' (and U+212A, Kelvin, 'k', in no word used here), while dotted/dotless i do not
     * match 'i' (Java's UNICODE_CASE would say they do).
     */
    private static boolean sameLetter(char c, char lower) {
        return c == lower || (lower >= 'a' && lower <= 'z' && c == lower - ('a' - 'A')) || (lower == 's' && c == '\u017f');
    }

    /** Rust's Unicode {@code \w}, which its {@code \b} uses: alphabetic, marks, decimal digits, connectors, joiners. */
    private static boolean isWordChar(int cp) {
        if (Character.isAlphabetic(cp) || cp == 0x200c || cp == 0x200d) {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                    Character.DECIMAL_DIGIT_NUMBER, Character.CONNECTOR_PUNCTUATION -> true;
            default -> false;
        };
    }

    // ---- entities ------------------------------------------------------------------------------

    /**
     * htmlescape's {@code decode_html}, all or nothing: null if any '&' does not begin a valid
     * entity. After '&' comes '#' and decimal digits, or "#x" and hex digits (lower-case x
     * only, digits of either case), or a name: everything up to the next ';', looked up exactly
     * (case matters, {@code &apos;} is not HTML 4). The ';' is required; a code point must be a
     * Unicode scalar value (U+0000 included, surrogates and above U+10FFFF refused).
     */
    static String decodeEntities(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '&') {
                out.append(c);
                continue;
            }
            int semicolon = text.indexOf(';', i + 1);
            if (semicolon < 0) {
                return null;
            }
            int cp = semicolon > i + 1 && text.charAt(i + 1) == '#'
                    ? numericEntity(text, i + 2, semicolon)
                    : NAMED_ENTITIES.getOrDefault(text.substring(i + 1, semicolon), -1);
            if (cp < 0) {
                return null;
            }
            out.appendCodePoint(cp);
            i = semicolon;
        }
        return out.toString();
    }

    /** The code point of the digits in {@code [from, to)}, or -1. */
    private static int numericEntity(String text, int from, int to) {
        boolean hex = from < to && text.charAt(from) == 'x';
        int start = hex ? from + 1 : from;
        if (start == to) {
            return -1;
        }
        int value = 0;
        for (int k = start; k < to; k++) {
            int digit = asciiDigit(text.charAt(k), hex ? 16 : 10);
            if (digit < 0) {
                return -1;
            }
            value = value * (hex ? 16 : 10) + digit;
            if (value > Character.MAX_CODE_POINT) {
                return -1;
            }
        }
        return value >= Character.MIN_SURROGATE && value <= Character.MAX_SURROGATE ? -1 : value;
    }

    /** Only ASCII digits count (Character.digit would accept other scripts' digits). */
    private static int asciiDigit(char c, int radix) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (radix == 16 && c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (radix == 16 && c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static Map<String, Integer> parseEntities(String table) {
        String[] tokens = table.trim().split("\\s+");
        Map<String, Integer> entities = new HashMap<>(tokens.length);
        for (int t = 0; t < tokens.length; t += 2) {
            entities.put(tokens[t], Integer.parseInt(tokens[t + 1], 16));
        }
        return Map.copyOf(entities);
    }
}
