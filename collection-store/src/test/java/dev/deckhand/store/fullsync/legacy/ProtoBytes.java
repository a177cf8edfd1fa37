package dev.deckhand.store.fullsync.legacy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-encoding of protobuf messages for tests, field by field, in the order called. */
final class ProtoBytes {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static ProtoBytes message() {
        return new ProtoBytes();
    }

    static byte[] hex(String hex) {
        String s = hex.replace(" ", "");
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    ProtoBytes varint(int field, long value) {
        tag(field, 0);
        rawVarint(value);
        return this;
    }

    ProtoBytes bool(int field, boolean value) {
        return varint(field, value ? 1 : 0);
    }

    ProtoBytes float32(int field, float value) {
        tag(field, 5);
        rawFixed32(Float.floatToRawIntBits(value));
        return this;
    }

    ProtoBytes fixed64(int field, long value) {
        tag(field, 1);
        for (int i = 0; i < 8; i++) {
            out.write((int) (value >>> (8 * i)));
        }
        return this;
    }

    ProtoBytes packedFloats(int field, float... values) {
        tag(field, 2);
        rawVarint(4L * values.length);
        for (float v : values) {
            rawFixed32(Float.floatToRawIntBits(v));
        }
        return this;
    }

    ProtoBytes packedVarints(int field, long... values) {
        ProtoBytes inner = new ProtoBytes();
        for (long v : values) {
            inner.rawVarint(v);
        }
        return bytes(field, inner.build());
    }

    ProtoBytes string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoBytes message(int field, ProtoBytes value) {
        return bytes(field, value.build());
    }

    ProtoBytes bytes(int field, byte[] value) {
        tag(field, 2);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    ProtoBytes other(String json) {
        return string(255, json);
    }

    ProtoBytes startGroup(int field) {
        tag(field, 3);
        return this;
    }

    ProtoBytes endGroup(int field) {
        tag(field, 4);
        return this;
    }

    ProtoBytes raw(byte... bytes) {
        out.writeBytes(bytes);
        return this;
    }

    byte[] build() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        rawVarint(((long) field << 3) | wireType);
    }

    private void rawVarint(long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private void rawFixed32(int bits) {
        out.write(bits);
        out.write(bits >>> 8);
        out.write(bits >>> 16);
        out.write(bits >>> 24);
    }
}
