package dev.deckhand.protocol.message;

import tools.jackson.databind.JsonNode;

/**
 * Strict field access for hand-validated request bodies. Failures are IllegalArgumentExceptions,
 * which Jackson wraps and {@link dev.deckhand.protocol.SyncJson} reports as BAD_REQUEST.
 */
public final class MessageFields {

    private MessageFields() {
    }

    public static String requiredString(JsonNode object, String key) {
        JsonNode value = object.get(key);
        if (value == null || !value.isString()) {
            throw new IllegalArgumentException("'" + key + "' must be a string");
        }
        return value.stringValue();
    }

    public static String optionalString(JsonNode object, String key, String fallback) {
        JsonNode value = object.get(key);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isString()) {
            throw new IllegalArgumentException("'" + key + "' must be a string");
        }
        return value.stringValue();
    }

    public static int requiredInt(JsonNode object, String key) {
        JsonNode value = object.get(key);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new IllegalArgumentException("'" + key + "' must be a 32-bit integer");
        }
        return value.intValue();
    }

    /** A strict integer argument: a JSON integer that fits in 32 bits. */
    public static int requiredInt32(JsonNode object, String key) {
        JsonNode n = object.path(key);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new IllegalArgumentException("'" + key + "' must be an integer");
        }
        long value = n.asLong();
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + key + "' is out of range: " + value);
        }
        return (int) value;
    }

    public static boolean requiredBoolean(JsonNode object, String key) {
        JsonNode n = object.path(key);
        if (!n.isBoolean()) {
            throw new IllegalArgumentException("'" + key + "' must be true or false");
        }
        return n.asBoolean();
    }

    /**
     * An integer inside synced data, read as Anki's clients write them: a JSON integer, a number
     * with a fraction (truncated towards zero, as SQLite's integer columns would), or a numeric
     * string. Anything else, or a value outside 64 bits, is refused.
     */
    public static long lenientLong(JsonNode n, String what) {
        if (n == null || n.isMissingNode() || n.isNull()) {
            throw new IllegalArgumentException(what + " is missing");
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return n.asLong();
        }
        if (n.isNumber()) {
            double d = n.asDouble();
            if (Double.isFinite(d) && Math.abs(d) < 9.0e18) {
                return (long) d;
            }
        }
        if (n.isString()) {
            try {
                return Long.parseLong(n.asString().trim());
            } catch (NumberFormatException ignored) {
                // falls through to the error below
            }
        }
        throw new IllegalArgumentException(what + " must be an integer, not " + n);
    }
}
