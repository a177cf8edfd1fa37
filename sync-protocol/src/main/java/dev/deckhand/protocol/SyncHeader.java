package dev.deckhand.protocol;

import java.math.BigInteger;
import java.util.Objects;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code anki-sync} request header of protocol v11: {@code {"v":11,"k":"<host key>","c":"<client>","s":"<session>"}}.
 *
 * @param version       sync protocol version ({@code v}), {@value #MIN_VERSION}..{@value #MAX_VERSION} once parsed
 * @param hostKey       host key ({@code k}); empty on {@code hostKey} requests
 * @param clientVersion short client version ({@code c}), informational
 * @param sessionKey    client-chosen session key ({@code s}); may be empty
 */
public record SyncHeader(int version, String hostKey, String clientVersion, String sessionKey) {

    public static final int MIN_VERSION = 8;
    public static final int MAX_VERSION = 11;
    /** Header values longer than this are rejected before parsing; real ones are well under 200 bytes. */
    public static final int MAX_HEADER_LENGTH = 8 * 1024;

    public SyncHeader {
        Objects.requireNonNull(hostKey, "hostKey");
        Objects.requireNonNull(clientVersion, "clientVersion");
        Objects.requireNonNull(sessionKey, "sessionKey");
    }

    /**
     * Parses and validates a header value. All four keys are required (like the official server);
     * unknown extra keys are ignored.
     *
     * @throws SyncProtocolException BAD_REQUEST "bad sync header: ..." for anything malformed, or
     *                               BAD_REQUEST "unsupported sync version N" for {@code v} outside 8..11
     */
    public static SyncHeader parse(String headerValue) {
        if (headerValue == null) {
            throw bad("missing");
        }
        if (headerValue.length() > MAX_HEADER_LENGTH) {
            throw bad("longer than " + MAX_HEADER_LENGTH + " characters");
        }
        JsonNode root;
        try {
            root = SyncJson.mapper().readTree(headerValue);
        } catch (JacksonException e) {
            throw new SyncProtocolException(SyncErrorKind.BAD_REQUEST,
                    "bad sync header: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw bad("not a JSON object");
        }
        JsonNode v = root.get("v");
        if (v == null || !v.isIntegralNumber()) {
            throw bad("'v' must be an integer");
        }
        String k = requireString(root, "k");
        String c = requireString(root, "c");
        String s = requireString(root, "s");
        BigInteger version = v.bigIntegerValue();
        if (version.compareTo(BigInteger.valueOf(MIN_VERSION)) < 0
                || version.compareTo(BigInteger.valueOf(MAX_VERSION)) > 0) {
            throw SyncProtocolException.badRequest("unsupported sync version " + version);
        }
        return new SyncHeader(version.intValueExact(), k, c, s);
    }

    /** Compact JSON in the order real clients send it, e.g. {@code {"v":11,"k":"","c":"2.1.66,70506aeb,linux","s":"cZuO7O"}}. */
    public String toJson() {
        ObjectNode node = SyncJson.mapper().createObjectNode();
        node.put("v", version);
        node.put("k", hostKey);
        node.put("c", clientVersion);
        node.put("s", sessionKey);
        return SyncJson.mapper().writeValueAsString(node);
    }

    /** Whether the response must be zstd-framed with {@code anki-original-size} (v11) or sent raw (older). */
    public boolean compressedResponses() {
        return version >= 11;
    }

    // The host key is a long-lived credential; keep it out of logs.
    @Override
    public String toString() {
        return "SyncHeader[version=" + version + ", hostKey=" + (hostKey.isEmpty() ? "" : "***")
                + ", clientVersion=" + clientVersion + ", sessionKey=" + sessionKey + "]";
    }

    private static String requireString(JsonNode root, String key) {
        JsonNode value = root.get(key);
        if (value == null || !value.isString()) {
            throw bad("'" + key + "' must be a string");
        }
        return value.stringValue();
    }

    private static SyncProtocolException bad(String detail) {
        return SyncProtocolException.badRequest("bad sync header: " + detail);
    }
}
