package dev.deckhand.store.fullsync;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reading and writing the legacy JSON we store. Numbers keep their exact text (floats as
 * BigDecimal, big integers as BigInteger), so a value passes through unchanged.
 */
public final class LegacyJsonText {

    public static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();

    private LegacyJsonText() {}

    public static JsonNode parse(String json, String what) {
        try {
            return MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new CorruptCollectionException(what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    static JsonNode parse(byte[] json, String what) {
        try {
            return MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new CorruptCollectionException(what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    public static String write(JsonNode node) {
        return MAPPER.writeValueAsString(node);
    }
}
