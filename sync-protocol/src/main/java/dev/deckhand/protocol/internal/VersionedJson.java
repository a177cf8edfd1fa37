package dev.deckhand.protocol.internal;

import tools.jackson.core.JacksonException;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;

/**
 * JSON of Deckhand's own formats between its processes: the calls between gateways and workers,
 * and sync sessions in Redis. Unlike {@link dev.deckhand.protocol.SyncJson}, which is lenient as
 * Anki's clients are, these are read strictly, so that a process of one release never misreads
 * what a process of another wrote during a rolling upgrade:
 *
 * <ul>
 *   <li>every document is a JSON object whose field {@value #VERSION_FIELD} is its format
 *       version, checked before anything else is read: a missing or other version is refused;</li>
 *   <li>then unknown fields, missing fields, {@code null} for a number or a boolean, numbers for
 *       enums or with fractions where integers belong, strings for numbers, repeated keys and
 *       anything after the document are refused too.</li>
 * </ul>
 * Every refusal is a {@link FormatException} naming what was wrong.
 */
public final class VersionedJson {

    public static final String VERSION_FIELD = "v";

    private static final JsonMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(JsonWriteFeature.WRITE_NUMBERS_AS_STRINGS)
            .build();

    private VersionedJson() {
    }

    /** A document that is not of the expected format and version. */
    public static final class FormatException extends RuntimeException {
        public FormatException(String message) {
            super(message);
        }

        FormatException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Writes a document; its type must have an {@code int v} component holding its version. */
    public static byte[] write(Object document) {
        return STRICT.writeValueAsBytes(document);
    }

    /** {@link #write(Object)} as text, e.g. for Redis. */
    public static String writeString(Object document) {
        return new String(write(document), StandardCharsets.UTF_8);
    }

    /** Reads a document of format {@code version}, or throws {@link FormatException}. */
    public static <T> T read(byte[] json, int version, Class<T> type) {
        return read(json, version, STRICT.constructType(type));
    }

    /** Generic variant of {@link #read(byte[], int, Class)}, e.g. for an envelope of some payload. */
    public static <T> T read(byte[] json, int version, TypeReference<T> type) {
        return read(json, version, STRICT.getTypeFactory().constructType(type));
    }

    /** {@link #read(byte[], int, Class)} of text. */
    public static <T> T read(String json, int version, Class<T> type) {
        return read(json == null ? null : json.getBytes(StandardCharsets.UTF_8), version, type);
    }

    private static <T> T read(byte[] json, int version, JavaType type) {
        JsonNode document = versioned(json, version);
        try {
            return STRICT.treeToValue(document, type);
        } catch (JacksonException e) {
            String path = e.getPathReference();
            throw new FormatException("not a valid version " + version + " document: " + e.getOriginalMessage()
                    + (path == null || path.isEmpty() ? "" : " (at " + path + ")"), e);
        }
    }

    /** The document as a tree, once its version is known to be {@code version}. */
    private static JsonNode versioned(byte[] json, int version) {
        if (json == null || json.length == 0) {
            throw new FormatException("empty document");
        }
        JsonNode document;
        try {
            document = STRICT.readTree(json);
        } catch (JacksonException e) {
            throw new FormatException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (document == null || !document.isObject()) {
            throw new FormatException("not a JSON object");
        }
        JsonNode v = document.get(VERSION_FIELD);
        if (v == null || v.isNull()) {
            throw new FormatException("no format version (field \"" + VERSION_FIELD + "\"); expected version " + version);
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new FormatException("format version " + v + " is not a number; expected version " + version);
        }
        if (v.intValue() != version) {
            throw new FormatException("format version " + v.intValue() + " is not supported; expected version " + version);
        }
        return document;
    }
}
