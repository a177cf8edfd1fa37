package dev.deckhand.protocol.message;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import tools.jackson.databind.JsonNode;

/**
 * Body of {@code /sync/meta}: {@code {"v":11,"cv":"anki,25.09.2 (3890e12c),win:10"}}.
 *
 * @param v  protocol version of the client; required integer. Not range-checked here: a value
 *           outside 8..11 is answered with 501 (client too old) by the handler, not 400.
 * @param cv long client version, informational; {@code ""} when absent or {@code null}
 */
@JsonPropertyOrder({"v", "cv"})
public record MetaRequest(int v, String cv) {

    public MetaRequest {
        Objects.requireNonNull(cv, "cv");
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static MetaRequest fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("meta body must be a JSON object");
        }
        int version = MessageFields.requiredInt(node, "v");
        return new MetaRequest(version, MessageFields.optionalString(node, "cv", ""));
    }
}
