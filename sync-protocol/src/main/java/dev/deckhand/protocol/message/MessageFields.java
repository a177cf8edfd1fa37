package dev.deckhand.protocol.message;

import tools.jackson.databind.JsonNode;

/**
 * Strict field access for hand-validated request bodies. Failures are IllegalArgumentExceptions,
 * which Jackson wraps and {@link dev.deckhand.protocol.SyncJson} reports as BAD_REQUEST.
 */
final class MessageFields {

    private MessageFields() {
    }

    static String requiredString(JsonNode object, String key) {
        JsonNode value = object.get(key);
        if (value == null || !value.isString()) {
            throw new IllegalArgumentException("'" + key + "' must be a string");
        }
        return value.stringValue();
    }

    static String optionalString(JsonNode object, String key, String fallback) {
        JsonNode value = object.get(key);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isString()) {
            throw new IllegalArgumentException("'" + key + "' must be a string");
        }
        return value.stringValue();
    }

    static int requiredInt(JsonNode object, String key) {
        JsonNode value = object.get(key);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new IllegalArgumentException("'" + key + "' must be a 32-bit integer");
        }
        return value.intValue();
    }
}
