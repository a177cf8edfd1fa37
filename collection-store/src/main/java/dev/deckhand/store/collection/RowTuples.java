package dev.deckhand.store.collection;

import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.protocol.message.MessageFields;
import io.r2dbc.spi.Readable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Bulk rows as normal sync carries them: one JSON array per row, the table's wire columns in
 * order ({@link BulkTable#wireColumns()}). Both directions follow the table's shape, so a column
 * added to {@link BulkTable} is sent and checked without another list to update.
 */
public final class RowTuples {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private RowTuples() {}

    /**
     * Checks a row a client sent: its length, every checked value's type and the range clients
     * read it into, and no NUL anywhere (PostgreSQL text cannot hold it, and Anki writes none).
     * Returns the row's id. A bad row is BAD_REQUEST, which ends the sync.
     */
    public static long check(BulkTable table, JsonNode tuple) {
        List<Column> columns = table.wireColumns();
        String row = table.rowName();
        if (!tuple.isArray() || tuple.size() != columns.size()) {
            throw SyncProtocolException.badRequest("a " + row + " row must be a list of " + columns.size() + " values");
        }
        for (int i = 0; i < columns.size(); i++) {
            Column column = columns.get(i);
            JsonNode value = tuple.get(i);
            if (column.input() == Column.Input.CHECKED) {
                if (column.type().numeric()) {
                    long n = number(value, row + " value " + i);
                    if (!column.inRange(n)) {
                        throw SyncProtocolException.badRequest(row + " value " + i + " is out of range: " + n);
                    }
                } else if (!value.isString()) {
                    throw SyncProtocolException.badRequest(row + " value " + i + " must be text");
                }
            }
            if (value.isString() && value.asString().indexOf('\0') >= 0) {
                throw SyncProtocolException.badRequest(row + " value " + i + " contains a NUL character");
            }
        }
        return number(tuple.get(0), row + " id");
    }

    /** An integer in a row or object a client sent, as {@link MessageFields#lenientLong} reads it; BAD_REQUEST otherwise. */
    public static long number(JsonNode value, String what) {
        try {
            return MessageFields.lenientLong(value, what);
        } catch (IllegalArgumentException e) {
            throw SyncProtocolException.badRequest(e.getMessage());
        }
    }

    /**
     * A stored row as clients read it. {@code row} holds the wire columns in order, without the
     * computed ones (as the chunk queries select them); those go out as empty strings, which is
     * all clients accept.
     */
    public static ArrayNode toTuple(BulkTable table, Readable row) {
        ArrayNode tuple = NODES.arrayNode();
        int i = 0;
        for (Column column : table.wireColumns()) {
            if (column.input() == Column.Input.COMPUTED) {
                tuple.add("");
                continue;
            }
            switch (column.type()) {
                case INT64 -> tuple.add(row.get(i, Long.class));
                case INT32 -> tuple.add(row.get(i, Integer.class));
                case INT16 -> tuple.add(row.get(i, Short.class));
                case TEXT -> tuple.add(row.get(i, String.class));
                case BYTES -> tuple.add(new String(bytes(row.get(i)), StandardCharsets.UTF_8));
            }
            i++;
        }
        return tuple;
    }

    private static byte[] bytes(Object value) {
        if (value instanceof byte[] b) {
            return b;
        }
        ByteBuffer buffer = ((ByteBuffer) value).duplicate();
        byte[] b = new byte[buffer.remaining()];
        buffer.get(b);
        return b;
    }
}
