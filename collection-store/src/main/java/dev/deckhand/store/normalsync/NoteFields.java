package dev.deckhand.store.normalsync;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two columns a note derives from its fields, which clients leave empty in normal sync:
 * the sort field (HTML stripped, media names kept) and the checksum of the first field.
 */
public final class NoteFields {

    private static final Pattern MEDIA_TAG = Pattern.compile(
            "<(?:img|audio|video|object|source)\\b[^>]*?\\b(?:src|data)\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s>]+))[^>]*>",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern COMMENTS_AND_BLOCKS = Pattern.compile(
            "<!--.*?-->|<style\\b.*?</style>|<script\\b.*?</script>", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern TAG = Pattern.compile("<.*?>", Pattern.DOTALL);
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);");

    private NoteFields() {}

    /** Field text without HTML, keeping the names of media files it references. */
    public static String stripHtml(String field) {
        String text = MEDIA_TAG.matcher(field).replaceAll(m -> Matcher.quoteReplacement(" " + firstNonNull(m) + " "));
        text = COMMENTS_AND_BLOCKS.matcher(text).replaceAll("");
        text = TAG.matcher(text).replaceAll("");
        return text.indexOf('&') >= 0 ? decodeEntities(text) : text;
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

    private static String firstNonNull(java.util.regex.MatchResult m) {
        for (int g = 1; g <= m.groupCount(); g++) {
            if (m.group(g) != null) {
                return m.group(g);
            }
        }
        return "";
    }

    /** Numeric entities and the common named ones; anything unknown is left as written. */
    private static String decodeEntities(String text) {
        String decoded = ENTITY.matcher(text).replaceAll(m -> {
            String e = m.group(1);
            String out;
            if (e.startsWith("#x") || e.startsWith("#X")) {
                out = codePoint(e.substring(2), 16, m.group());
            } else if (e.startsWith("#")) {
                out = codePoint(e.substring(1), 10, m.group());
            } else {
                out = switch (e) {
                    case "amp" -> "&";
                    case "lt" -> "<";
                    case "gt" -> ">";
                    case "quot" -> "\"";
                    case "apos" -> "'";
                    case "nbsp" -> "\u00a0";
                    default -> m.group();
                };
            }
            return Matcher.quoteReplacement(out);
        });
        return decoded.replace('\u00a0', ' ');
    }

    private static String codePoint(String digits, int radix, String original) {
        try {
            int cp = Integer.parseInt(digits, radix);
            return Character.isValidCodePoint(cp) ? new String(Character.toChars(cp)) : original;
        } catch (NumberFormatException e) {
            return original;
        }
    }
}
