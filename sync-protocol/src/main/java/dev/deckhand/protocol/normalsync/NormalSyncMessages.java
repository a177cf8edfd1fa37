package dev.deckhand.protocol.normalsync;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.deckhand.protocol.message.MessageFields;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The messages of a normal (incremental) sync, step by step, with their exact wire shapes. Read
 * them with {@link dev.deckhand.protocol.SyncJson#read(byte[], Class)}: a body of the wrong shape
 * is BAD_REQUEST. Note types, decks and deck configs stay JSON objects (their keys change with
 * every Anki release and must pass through unchanged); rows stay JSON arrays, checked against the
 * collection's row shapes by whoever stages them.
 */
public final class NormalSyncMessages {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private NormalSyncMessages() {}

    /** {@code start}: {@code {"minUsn":0,"lnewer":true,"graves":{...}|null}}. */
    public record StartRequest(int minUsn, boolean lnewer, Graves graves) {

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static StartRequest fromJson(JsonNode node) {
            return new StartRequest(MessageFields.requiredInt32(node, "minUsn"), MessageFields.requiredBoolean(node, "lnewer"),
                    Graves.fromJsonOrEmpty(node.path("graves")));
        }
    }

    /** {@code applyGraves}: {@code {"chunk":{"cards":[..],"notes":[..],"decks":[..]}}}. */
    public record ApplyGravesRequest(Graves chunk) {

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static ApplyGravesRequest fromJson(JsonNode node) {
            return new ApplyGravesRequest(Graves.fromJsonOrEmpty(node.path("chunk")));
        }
    }

    /**
     * Deleted object ids, by kind. The answer to {@code start} is the server's; {@code start} and
     * {@code applyGraves} carry the client's. Absent lists are empty.
     */
    public record Graves(List<Long> cards, List<Long> notes, List<Long> decks) {

        public static final Graves NONE = new Graves(List.of(), List.of(), List.of());

        public boolean isEmpty() {
            return cards.isEmpty() && notes.isEmpty() && decks.isEmpty();
        }

        static Graves fromJsonOrEmpty(JsonNode graves) {
            if (graves.isMissingNode() || graves.isNull()) {
                return NONE;
            }
            if (!graves.isObject()) {
                throw new IllegalArgumentException("graves must be an object of id lists");
            }
            return new Graves(ids(graves.path("cards")), ids(graves.path("notes")), ids(graves.path("decks")));
        }

        private static List<Long> ids(JsonNode ids) {
            if (ids.isMissingNode() || ids.isNull()) {
                return List.of();
            }
            if (!ids.isArray()) {
                throw new IllegalArgumentException("grave ids must be a list");
            }
            List<Long> out = new ArrayList<>(ids.size());
            for (JsonNode id : ids) {
                out.add(MessageFields.lenientLong(id, "grave id"));
            }
            return out;
        }

        @JsonValue
        JsonNode toJson() {
            ObjectNode out = NODES.objectNode();
            cards.forEach(out.putArray("cards")::add);
            decks.forEach(out.putArray("decks")::add);
            notes.forEach(out.putArray("notes")::add);
            return out;
        }
    }

    /** {@code applyChanges}: {@code {"changes":{...}}}. */
    public record ApplyChangesRequest(UnchunkedChanges changes) {

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static ApplyChangesRequest fromJson(JsonNode node) {
            JsonNode changes = node.path("changes");
            if (!changes.isObject()) {
                throw new IllegalArgumentException("applyChanges needs a changes object");
            }
            return new ApplyChangesRequest(UnchunkedChanges.fromJson(changes));
        }
    }

    /**
     * The small objects of a collection that changed since the other side's last sync, both ways
     * ({@code applyChanges}' argument and answer): note types ({@code models}), decks and deck
     * configs ({@code decks: [[decks], [configs]]}), tag names; from the side whose collection is
     * newer, also the whole config ({@code conf}) and the creation time ({@code crt}).
     *
     * @param config {@code null} when not sent
     * @param crt    {@code null} when not sent
     */
    public record UnchunkedChanges(List<ObjectNode> notetypes, List<ObjectNode> decks, List<ObjectNode> deckConfigs,
                                   List<String> tags, ObjectNode config, Long crt) {

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static UnchunkedChanges fromJson(JsonNode changes) {
            JsonNode config = changes.path("conf");
            JsonNode crt = changes.path("crt");
            return new UnchunkedChanges(objects(changes.path("models"), "notetypes"),
                    objects(changes.path("decks").path(0), "decks"), objects(changes.path("decks").path(1), "deck_configs"),
                    tags(changes.path("tags")), config.isObject() ? (ObjectNode) config : null,
                    crt.isMissingNode() ? null : MessageFields.lenientLong(crt, "crt"));
        }

        private static List<ObjectNode> objects(JsonNode list, String what) {
            if (list.isMissingNode() || list.isNull()) {
                return List.of();
            }
            if (!list.isArray()) {
                throw new IllegalArgumentException(what + " must be a list");
            }
            List<ObjectNode> out = new ArrayList<>(list.size());
            for (JsonNode o : list) {
                if (!o.isObject() || !o.path("name").isString()) {
                    throw new IllegalArgumentException(what + " entries must be named objects");
                }
                MessageFields.lenientLong(o.get("id"), what + " id");
                if (!o.path("mod").isMissingNode()) {
                    MessageFields.lenientLong(o.get("mod"), what + " mod");
                }
                out.add((ObjectNode) o);
            }
            return out;
        }

        private static List<String> tags(JsonNode list) {
            if (list.isMissingNode() || list.isNull()) {
                return List.of();
            }
            if (!list.isArray()) {
                throw new IllegalArgumentException("tags must be a list");
            }
            List<String> out = new ArrayList<>(list.size());
            for (JsonNode t : list) {
                if (!t.isString()) {
                    throw new IllegalArgumentException("tags must be strings");
                }
                out.add(t.asString());
            }
            return out;
        }

        @JsonValue
        public ObjectNode toJson() {
            ObjectNode out = NODES.objectNode();
            notetypes.forEach(out.putArray("models")::add);
            ArrayNode decksAndConfigs = out.putArray("decks");
            decks.forEach(decksAndConfigs.addArray()::add);
            deckConfigs.forEach(decksAndConfigs.addArray()::add);
            tags.forEach(out.putArray("tags")::add);
            if (config != null) {
                out.set("conf", config);
            }
            if (crt != null) {
                out.put("crt", crt);
            }
            return out;
        }
    }

    /** {@code applyChunk}: {@code {"chunk":{"revlog":[[..]],"cards":[[..]],"notes":[[..]],"done":b}}}. */
    public record ApplyChunkRequest(Chunk chunk) {

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static ApplyChunkRequest fromJson(JsonNode node) {
            JsonNode chunk = node.path("chunk");
            if (!chunk.isObject()) {
                throw new IllegalArgumentException("applyChunk needs a chunk object");
            }
            return new ApplyChunkRequest(new Chunk(chunk.path("done").asBoolean(false),
                    rows(chunk.path("revlog")), rows(chunk.path("cards")), rows(chunk.path("notes"))));
        }

        private static List<ArrayNode> rows(JsonNode list) {
            if (list.isMissingNode() || list.isNull()) {
                return List.of();
            }
            if (!list.isArray()) {
                throw new IllegalArgumentException("chunk rows must be a list");
            }
            List<ArrayNode> out = new ArrayList<>(list.size());
            for (JsonNode row : list) {
                // the row's length and values are checked against its table's shape when staged
                out.add(row.isArray() ? (ArrayNode) row : NODES.arrayNode().add(row));
            }
            return out;
        }
    }

    /**
     * Rows of the bulk tables, as tuples in each table's column order ({@code chunk}'s answer,
     * {@code applyChunk}'s argument). A table without rows is left out on the wire.
     */
    public record Chunk(boolean done, List<ArrayNode> revlog, List<ArrayNode> cards, List<ArrayNode> notes) {

        @JsonValue
        ObjectNode toJson() {
            ObjectNode out = NODES.objectNode();
            if (!revlog.isEmpty()) {
                revlog.forEach(out.putArray("revlog")::add);
            }
            if (!cards.isEmpty()) {
                cards.forEach(out.putArray("cards")::add);
            }
            if (!notes.isEmpty()) {
                notes.forEach(out.putArray("notes")::add);
            }
            out.put("done", done);
            return out;
        }
    }

    /**
     * {@code sanityCheck2}: {@code {"client":[[new,learn,review],cards,notes,revlog,graves,notetypes,decks,deckConfigs]}}.
     * The counts are kept as sent: the answer echoes them, and a count that is not a number makes
     * the check fail rather than the request.
     */
    public record SanityCheckRequest(ArrayNode client) {

        public static final int COUNTS = 8;

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static SanityCheckRequest fromJson(JsonNode node) {
            JsonNode client = node.path("client");
            if (!client.isArray() || client.size() != COUNTS) {
                throw new IllegalArgumentException("sanityCheck2 needs the client's 8 counts");
            }
            return new SanityCheckRequest((ArrayNode) client);
        }
    }

    /** What the server counts for a sanity check, in the client's order of counts. */
    public record SanityCounts(long cards, long notes, long revlog, long notetypes, long decks, long deckConfigs) {

        /** The wire form; due counts (index 0) and graves (index 4) are not compared, so they are zero. */
        @JsonValue
        public ArrayNode toJson() {
            ArrayNode s = NODES.arrayNode();
            s.addArray().add(0).add(0).add(0);
            s.add(cards).add(notes).add(revlog).add(0).add(notetypes).add(decks).add(deckConfigs);
            return s;
        }
    }

    /** {@code sanityCheck2}'s answer: {@code status} is {@code "ok"} or {@code "bad"}; {@code c} the client's counts as compared. */
    public record SanityCheckResponse(String status, ArrayNode c, SanityCounts s) {

        public boolean ok() {
            return "ok".equals(status);
        }
    }
}
