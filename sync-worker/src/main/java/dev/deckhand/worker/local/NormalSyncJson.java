package dev.deckhand.worker.local;

import dev.deckhand.protocol.SyncProtocolException;
import tools.jackson.databind.JsonNode;

/** Reading the few scalar arguments of normal-sync requests, with the protocol's errors. */
final class NormalSyncJson {

    private NormalSyncJson() {}

    static long integer(JsonNode request, String key) {
        JsonNode n = request.path(key);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw SyncProtocolException.badRequest("'" + key + "' must be an integer");
        }
        return n.asLong();
    }

    static int int32(JsonNode request, String key) {
        long value = integer(request, key);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw SyncProtocolException.badRequest("'" + key + "' is out of range: " + value);
        }
        return (int) value;
    }

    static boolean bool(JsonNode request, String key) {
        JsonNode n = request.path(key);
        if (!n.isBoolean()) {
            throw SyncProtocolException.badRequest("'" + key + "' must be true or false");
        }
        return n.asBoolean();
    }
}
