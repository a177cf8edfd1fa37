package dev.deckhand.store.fullsync;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

import java.util.HexFormat;

/**
 * Rows in PostgreSQL's COPY text format, gathered into buffers of about {@link #FLUSH_BYTES}.
 * Text values are escaped; NUL cannot be stored in a PostgreSQL text column at all, so it
 * makes the collection unusable here (flds is bytea for that reason).
 */
final class CopyText {

    static final int FLUSH_BYTES = 256 * 1024;
    private static final HexFormat HEX = HexFormat.of();

    private final StringBuilder line = new StringBuilder(FLUSH_BYTES + 4096);
    private boolean firstInRow = true;

    CopyText number(long value) {
        separator();
        line.append(value);
        return this;
    }

    CopyText bool(boolean value) {
        separator();
        line.append(value ? 't' : 'f');
        return this;
    }

    CopyText text(String value) {
        separator();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                case '\0' -> throw new CorruptCollectionException("a text value contains a NUL character");
                default -> line.append(c);
            }
        }
        return this;
    }

    CopyText bytes(byte[] value) {
        separator();
        // bytea in hex form; the backslash itself is escaped in the text format
        line.append("\\\\x");
        HEX.formatHex(line, value);
        return this;
    }

    void endRow() {
        line.append('\n');
        firstInRow = true;
    }

    boolean full() {
        return line.length() >= FLUSH_BYTES;
    }

    boolean isEmpty() {
        return line.isEmpty();
    }

    /** The gathered rows as one buffer; the builder starts over. */
    ByteBuf drain() {
        ByteBuf buffer = ByteBufAllocator.DEFAULT.buffer(line.length() + 16);
        ByteBufUtil.writeUtf8(buffer, line);
        line.setLength(0);
        return buffer;
    }

    private void separator() {
        if (!firstInRow) {
            line.append('\t');
        }
        firstInRow = false;
    }
}
