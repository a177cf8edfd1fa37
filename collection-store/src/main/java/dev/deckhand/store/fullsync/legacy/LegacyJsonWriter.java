package dev.deckhand.store.fullsync.legacy;

import dev.deckhand.protocol.SyncJson;
import java.io.StringWriter;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.FloatNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Compact JSON text for the trees {@link Schema18Json} builds, and parsing of the {@code other}
 * blobs.
 *
 * <p>Proto floats are put into the tree as {@link FloatNode}s and written with {@link F32Text}
 * (Jackson would print {@code 1.0E-4}); NaN and infinities become {@code null}, as in serde_json.
 * Numbers read from {@code other} keep their text (BigDecimal/BigInteger), since that JSON came
 * from a client and is passed through.
 */
final class LegacyJsonWriter {

    static final JsonMapper MAPPER = SyncJson.mapper().rebuild()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            // serde_json escapes control characters with lower-case hex
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .build();

    private LegacyJsonWriter() {
    }

    static String write(JsonNode root) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = MAPPER.createGenerator(out)) {
            write(g, root);
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, JsonNode node) {
        if (node instanceof FloatNode f) {
            float v = f.floatValue();
            if (Float.isFinite(v)) {
                g.writeNumber(F32Text.format(v));
            } else {
                g.writeNull();
            }
        } else if (node instanceof ObjectNode o) {
            g.writeStartObject();
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                g.writeName(e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (node instanceof ArrayNode a) {
            g.writeStartArray();
            for (JsonNode element : a) {
                write(g, element);
            }
            g.writeEndArray();
        } else {
            g.writeTree(node);
        }
    }

    /**
     * The {@code other} bytes as a JSON object. Like Anki, anything that is not a JSON object
     * (invalid UTF-8 or JSON, an array...) counts as no extra keys.
     */
    static ObjectNode parseOther(byte[] other) {
        if (other == null || other.length == 0) {
            return MAPPER.createObjectNode();
        }
        try {
            JsonNode node = MAPPER.readTree(other);
            if (node instanceof ObjectNode o) {
                return o;
            }
        } catch (JacksonException e) {
            // fall through: treated as empty, as the client does
        }
        return MAPPER.createObjectNode();
    }
}
