package dev.deckhand.media.sync;

import dev.deckhand.protocol.MediaLimits;
import dev.deckhand.protocol.SyncProtocolException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * The rules a media file name must keep to be stored: Anki's server rules (at most 255 bytes of
 * UTF-8, NFC, no path separator) and, since names reach other devices' file systems, none of
 * {@code .}, {@code ..}, {@code \}, NUL or other control characters. Names are compared exactly
 * as sent; storage never uses them as paths.
 */
public final class MediaNames {

    private MediaNames() {
    }

    /** Throws the protocol's bad-request error, naming the problem, if {@code name} breaks a rule. */
    public static void check(String name) {
        if (name == null || name.isEmpty()) {
            throw SyncProtocolException.badRequest("a media file name is empty");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MediaLimits.MAX_NAME_BYTES) {
            throw SyncProtocolException.badRequest("media file name is " + bytes + " bytes long; the limit is "
                    + MediaLimits.MAX_NAME_BYTES);
        }
        if (!Normalizer.isNormalized(name, Normalizer.Form.NFC)) {
            throw SyncProtocolException.badRequest("media file name is not in Unicode NFC: " + printable(name));
        }
        if (name.equals(".") || name.equals("..")) {
            throw SyncProtocolException.badRequest("media file name may not be '" + name + "'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\') {
                throw SyncProtocolException.badRequest("media file name contains a path separator: " + printable(name));
            }
            if (c < 0x20 || c == 0x7f) {
                throw SyncProtocolException.badRequest("media file name contains a control character: " + printable(name));
            }
        }
    }

    /** The name with control characters escaped, for messages and logs. */
    static String printable(String name) {
        StringBuilder out = new StringBuilder("'");
        name.codePoints().limit(300).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append('\'').toString();
    }
}
