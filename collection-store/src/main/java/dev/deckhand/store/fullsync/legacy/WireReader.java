package dev.deckhand.store.fullsync.legacy;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A minimal protobuf wire-format reader over one message held in a byte array.
 *
 * <p>It follows what Anki's decoder (prost) accepts: varints of at most ten bytes, known fields
 * only with their declared wire type, repeated scalars packed or unpacked, strings as strict
 * UTF-8, and unknown fields of every wire type skipped (groups included, with a depth limit).
 * Everything it returns is bounded by the input, so a corrupt length prefix can never make it
 * allocate more than the blob itself. Every problem is an {@link IllegalArgumentException} that
 * names the message, the field and the byte offset.
 */
final class WireReader {

    static final int VARINT = 0;
    static final int I64 = 1;
    static final int LEN = 2;
    static final int START_GROUP = 3;
    static final int END_GROUP = 4;
    static final int I32 = 5;

    private static final int MAX_FIELD_NUMBER = (1 << 29) - 1;
    // what a varint being read is, for error messages only
    private static final int TAG = 0;
    private static final int VALUE = 1;
    private static final int LENGTH = 2;
    private static final int PACKED = 3;
    // prost's recursion limit
    private static final int MAX_GROUP_DEPTH = 100;

    private final byte[] buf;
    private final int end;
    private final String message;
    private int pos;
    private int field;
    private int wireType;
    private int tagOffset;
    private CharsetDecoder utf8;

    WireReader(byte[] buf, String message) {
        if (buf == null) {
            throw new IllegalArgumentException(message + ": blob is NULL");
        }
        this.buf = buf;
        this.pos = 0;
        this.end = buf.length;
        this.message = message;
    }

    /** Moves to the next field; {@code false} at the end of the message. */
    boolean next() {
        if (pos >= end) {
            return false;
        }
        tagOffset = pos;
        long tag = rawVarint(TAG, end);
        if (tag > 0xFFFF_FFFFL) {
            throw error(tagOffset, "tag " + Long.toUnsignedString(tag) + " out of range");
        }
        wireType = (int) (tag & 7);
        long number = tag >>> 3;
        if (number == 0 || number > MAX_FIELD_NUMBER) {
            throw error(tagOffset, "invalid field number " + number);
        }
        if (wireType > I32) {
            throw error(tagOffset, "invalid wire type " + wireType + " for field " + number);
        }
        field = (int) number;
        return true;
    }

    int field() {
        return field;
    }

    long varint() {
        expect(VARINT, "varint");
        return rawVarint(VALUE, end);
    }

    boolean bool() {
        return varint() != 0;
    }

    /** int32, uint32 and enum fields: the low 32 bits, as prost keeps them. */
    int int32() {
        return (int) varint();
    }

    float float32() {
        expect(I32, "fixed32 float");
        return Float.intBitsToFloat(rawFixed32());
    }

    String string() {
        int length = lengthPrefix();
        if (utf8 == null) {
            utf8 = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }
        try {
            // decode() resets the decoder itself
            String s = utf8.decode(ByteBuffer.wrap(buf, pos, length)).toString();
            pos += length;
            return s;
        } catch (CharacterCodingException e) {
            throw error(pos, "field " + field + " is not valid UTF-8");
        }
    }

    /** A bytes or embedded-message field, copied out. */
    byte[] bytes() {
        int length = lengthPrefix();
        byte[] out = Arrays.copyOfRange(buf, pos, pos + length);
        pos += length;
        return out;
    }

    /** One occurrence of a {@code repeated float}: a single fixed32 or a packed run. */
    void floats(List<Float> out) {
        if (wireType == I32) {
            out.add(Float.intBitsToFloat(rawFixed32()));
            return;
        }
        expect(LEN, "float or packed floats");
        int length = lengthPrefix();
        if (length % 4 != 0) {
            throw error(pos, "packed floats in field " + field + " have length " + length
                    + ", not a multiple of 4");
        }
        int stop = pos + length;
        while (pos < stop) {
            out.add(Float.intBitsToFloat(rawFixed32()));
        }
    }

    /** One occurrence of a {@code repeated uint32}: a single varint or a packed run. */
    void uint32s(List<Integer> out) {
        if (wireType == VARINT) {
            out.add((int) rawVarint(VALUE, end));
            return;
        }
        expect(LEN, "varint or packed varints");
        int length = lengthPrefix();
        int stop = pos + length;
        while (pos < stop) {
            out.add((int) rawVarint(PACKED, stop));
        }
    }

    /** Skips the current field, whatever its wire type. */
    void skip() {
        switch (wireType) {
            case VARINT -> rawVarint(VALUE, end);
            case I64 -> advance(8);
            case LEN -> {
                int length = lengthPrefix();
                pos += length;
            }
            case I32 -> advance(4);
            case START_GROUP -> skipGroup();
            case END_GROUP -> throw error(tagOffset, "unexpected end-group tag for field " + field);
            default -> throw new IllegalStateException("wire type " + wireType);
        }
    }

    private void skipGroup() {
        // iterative, so a hostile nesting cannot exhaust the stack
        int[] open = new int[MAX_GROUP_DEPTH];
        int depth = 0;
        open[depth++] = field;
        while (depth > 0) {
            if (!next()) {
                throw error(pos, "group for field " + open[depth - 1] + " is not closed");
            }
            switch (wireType) {
                case START_GROUP -> {
                    if (depth == MAX_GROUP_DEPTH) {
                        throw error(tagOffset, "groups nested deeper than " + MAX_GROUP_DEPTH);
                    }
                    open[depth++] = field;
                }
                case END_GROUP -> {
                    if (open[depth - 1] != field) {
                        throw error(tagOffset, "end-group tag for field " + field
                                + " closes group " + open[depth - 1]);
                    }
                    depth--;
                }
                default -> skip();
            }
        }
    }

    private void expect(int wanted, String what) {
        if (wireType != wanted) {
            throw error(tagOffset, "field " + field + " has wire type " + wireType + ", expected "
                    + wanted + " (" + what + ")");
        }
    }

    private int lengthPrefix() {
        expect(LEN, "length-delimited");
        int at = pos;
        long length = rawVarint(LENGTH, end);
        if (length < 0 || length > end - pos) {
            throw error(at, "length " + Long.toUnsignedString(length) + " of field " + field
                    + " runs past the end (" + (end - pos) + " bytes left)");
        }
        return (int) length;
    }

    private int rawFixed32() {
        advance(4);
        int p = pos - 4;
        return (buf[p] & 0xFF) | (buf[p + 1] & 0xFF) << 8 | (buf[p + 2] & 0xFF) << 16
                | (buf[p + 3] & 0xFF) << 24;
    }

    private void advance(int n) {
        if (end - pos < n) {
            throw error(pos, "field " + field + " needs " + n + " bytes, " + (end - pos) + " left");
        }
        pos += n;
    }

    private long rawVarint(int what, int limit) {
        int start = pos;
        long result = 0;
        for (int i = 0; i < 10; i++) {
            if (pos >= limit) {
                throw error(start, "truncated varint (" + describe(what) + ")");
            }
            int b = buf[pos++] & 0xFF;
            if (i == 9 && b > 1) {
                throw error(start, "varint longer than 64 bits (" + describe(what) + ")");
            }
            result |= (long) (b & 0x7F) << (7 * i);
            if (b < 0x80) {
                return result;
            }
        }
        throw error(start, "varint longer than 10 bytes (" + describe(what) + ")");
    }

    private String describe(int what) {
        return switch (what) {
            case TAG -> "tag";
            case LENGTH -> "length of field " + field;
            case PACKED -> "packed field " + field;
            default -> "field " + field;
        };
    }

    private IllegalArgumentException error(int offset, String problem) {
        return new IllegalArgumentException(
                "malformed " + message + " blob at byte " + offset + ": " + problem);
    }
}
