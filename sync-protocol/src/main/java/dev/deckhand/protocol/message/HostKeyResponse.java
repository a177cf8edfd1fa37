package dev.deckhand.protocol.message;

import java.util.Objects;

/** Answer to {@code /sync/hostKey}: {@code {"key":"<host key>"}}. The key is opaque to clients. */
public record HostKeyResponse(String key) {

    public HostKeyResponse {
        Objects.requireNonNull(key, "key");
    }

    // The key is a bearer credential.
    @Override
    public String toString() {
        return "HostKeyResponse[key=***]";
    }
}
