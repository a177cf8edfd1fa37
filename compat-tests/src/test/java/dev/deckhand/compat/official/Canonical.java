package dev.deckhand.compat.official;

import dev.deckhand.protocol.SyncJson;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** JSON written with every object's keys sorted, so that two servers' answers compare as text. */
final class Canonical {

    private Canonical() {}

    static String json(JsonNode node) {
        return SyncJson.mapper().writeValueAsString(sorted(node));
    }

    private static JsonNode sorted(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(object.properties());
            fields.sort(Map.Entry.comparingByKey());
            ObjectNode out = SyncJson.mapper().createObjectNode();
            fields.forEach(f -> out.set(f.getKey(), sorted(f.getValue())));
            return out;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode out = SyncJson.mapper().createArrayNode();
            array.forEach(item -> out.add(sorted(item)));
            return out;
        }
        return node;
    }
}
