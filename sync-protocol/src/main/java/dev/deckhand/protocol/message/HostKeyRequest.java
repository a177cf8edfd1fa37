package dev.deckhand.protocol.message;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import tools.jackson.databind.JsonNode;

/**
 * Body of {@code /sync/hostKey}: {@code {"u":"<username>","p":"<password>"}}.
 * Both keys are required strings; reading anything else fails with BAD_REQUEST.
 */
@JsonPropertyOrder({"u", "p"})
public record HostKeyRequest(String u, String p) {

    public HostKeyRequest {
        Objects.requireNonNull(u, "u");
        Objects.requireNonNull(p, "p");
    }

    // Reads through the tree so numbers or booleans are not silently coerced into credentials.
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static HostKeyRequest fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("hostKey body must be a JSON object");
        }
        return new HostKeyRequest(MessageFields.requiredString(node, "u"), MessageFields.requiredString(node, "p"));
    }

    // The password must never reach a log line.
    @Override
    public String toString() {
        return "HostKeyRequest[u=" + u + ", p=***]";
    }
}
