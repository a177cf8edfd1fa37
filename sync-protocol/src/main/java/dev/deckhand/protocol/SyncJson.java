package dev.deckhand.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON configuration used for sync payloads.
 *
 * <ul>
 *   <li>trailing tokens after the value are an error (a body is exactly one JSON value);</li>
 *   <li>unknown properties are ignored (clients of different versions add fields);</li>
 *   <li>numbers are written as JSON numbers (ids and millisecond timestamps are 64-bit).</li>
 * </ul>
 * Every read failure becomes {@link SyncProtocolException} BAD_REQUEST
 * ("malformed JSON body: ..."), which is what clients expect for a body they got wrong.
 */
public final class SyncJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // trees keep every float exactly (integers are exact anyway): note types and decks pass through unchanged
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(JsonWriteFeature.WRITE_NUMBERS_AS_STRINGS)
            .build();

    private SyncJson() {
    }

    /** The shared, immutable mapper; derive a copy with {@code rebuild()} if you need other settings. */
    public static JsonMapper mapper() {
        return MAPPER;
    }

    /**
     * Reads one JSON value of {@code type}. Never returns {@code null}: an empty body or the
     * JSON literal {@code null} is rejected like any other malformed body.
     */
    public static <T> T read(byte[] json, Class<T> type) {
        Objects.requireNonNull(type, "type");
        return read(json, MAPPER.constructType(type), type.getSimpleName());
    }

    /** Generic variant of {@link #read(byte[], Class)}, e.g. for {@code List<Long>}. */
    public static <T> T read(byte[] json, TypeReference<T> type) {
        Objects.requireNonNull(type, "type");
        return read(json, MAPPER.getTypeFactory().constructType(type), type.getType().getTypeName());
    }

    private static <T> T read(byte[] json, JavaType type, String typeName) {
        requireContent(json);
        T value;
        try {
            value = MAPPER.readValue(json, type);
        } catch (JacksonException e) {
            throw malformed(e);
        }
        return requireNonNullValue(value, typeName);
    }

    /**
     * Streaming variant of {@link #read(byte[], Class)}, typically over
     * {@link ZstdFraming#decompressing(InputStream, long)}. A {@link SyncProtocolException} raised by
     * the stream (payload too large, corrupt zstd) is passed through unchanged, and I/O errors of
     * the stream surface as {@link IOException}. Does not close {@code json}.
     */
    public static <T> T read(InputStream json, Class<T> type) throws IOException {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(type, "type");
        T value;
        try {
            value = MAPPER.readerFor(type)
                    .without(StreamReadFeature.AUTO_CLOSE_SOURCE)
                    .readValue(json);
        } catch (JacksonIOException e) {
            SyncProtocolException protocol = findProtocolCause(e);
            if (protocol != null) {
                throw protocol;
            }
            throw e.getCause();
        } catch (JacksonException e) {
            throw malformed(e);
        }
        return requireNonNullValue(value, type.getSimpleName());
    }

    /** Serialises {@code value} as compact UTF-8 JSON. */
    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JacksonException e) {
            // Our own response objects failed to serialise: a server bug, not the client's fault.
            throw new SyncProtocolException(SyncErrorKind.SERVER_ERROR,
                    "cannot serialise " + (value == null ? "null" : value.getClass().getName())
                            + ": " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Validates the body of a method that takes no arguments ({@code chunk}, {@code finish},
     * {@code abort}, {@code download}). Clients send {@code {}} or {@code {"_pad":null}}, so any
     * JSON object is accepted and ignored, as is an empty (or all-whitespace) body; anything else
     * is BAD_REQUEST.
     */
    public static void requireObjectOrEmpty(byte[] body) {
        if (body == null || body.length == 0) {
            return;
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw malformed(e);
        }
        if (node == null || node.isMissingNode()) {
            return;
        }
        if (!node.isObject()) {
            throw SyncProtocolException.badRequest(
                    "malformed JSON body: expected a JSON object, got " + node.getNodeType());
        }
    }

    private static void requireContent(byte[] json) {
        if (json == null || json.length == 0) {
            throw SyncProtocolException.badRequest("malformed JSON body: empty body");
        }
    }

    private static <T> T requireNonNullValue(T value, String typeName) {
        if (value == null) {
            throw SyncProtocolException.badRequest(
                    "malformed JSON body: expected " + typeName + ", got null or nothing");
        }
        return value;
    }

    private static SyncProtocolException malformed(JacksonException e) {
        SyncProtocolException protocol = findProtocolCause(e);
        if (protocol != null) {
            return protocol;
        }
        String path = e.getPathReference();
        String where = path == null || path.isEmpty() ? "" : " (at " + path + ")";
        return new SyncProtocolException(SyncErrorKind.BAD_REQUEST,
                "malformed JSON body: " + e.getOriginalMessage() + where, e);
    }

    // A payload-size or zstd failure from the underlying stream may arrive wrapped by Jackson.
    private static SyncProtocolException findProtocolCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SyncProtocolException protocol) {
                return protocol;
            }
        }
        return null;
    }
}
