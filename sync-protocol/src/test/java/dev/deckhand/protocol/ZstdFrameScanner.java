package dev.deckhand.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * Independent walker over the zstd frame format (RFC 8878, section 3.1), used to check how many
 * frames an encoder really produced without trusting the decoder under test.
 */
final class ZstdFrameScanner {

    static final int FRAME_MAGIC = 0xFD2FB528;

    record Frame(int offset, int length, boolean skippable, boolean contentSizeDeclared, long contentSize) {
    }

    private ZstdFrameScanner() {
    }

    /** Splits {@code data} into frames; throws if the data is not a clean sequence of complete frames. */
    static List<Frame> scan(byte[] data) {
        List<Frame> frames = new ArrayList<>();
        int pos = 0;
        while (pos < data.length) {
            int start = pos;
            int magic = le32(data, pos);
            pos += 4;
            if ((magic & 0xFFFFFFF0) == 0x184D2A50) {
                long size = le32(data, pos) & 0xFFFFFFFFL;
                pos += 4;
                pos = advance(data, pos, size);
                frames.add(new Frame(start, pos - start, true, false, -1));
                continue;
            }
            if (magic != FRAME_MAGIC) {
                throw new IllegalStateException("bad magic at " + start);
            }
            int descriptor = u8(data, pos++);
            int fcsFlag = descriptor >>> 6;
            boolean singleSegment = (descriptor & 0x20) != 0;
            boolean checksum = (descriptor & 0x04) != 0;
            int dictFlag = descriptor & 0x03;
            if (!singleSegment) {
                pos = advance(data, pos, 1); // window descriptor
            }
            pos = advance(data, pos, new int[] {0, 1, 2, 4}[dictFlag]);
            int fcsSize = switch (fcsFlag) {
                case 0 -> singleSegment ? 1 : 0;
                case 1 -> 2;
                case 2 -> 4;
                default -> 8;
            };
            long contentSize = -1;
            if (fcsSize > 0) {
                advance(data, pos, fcsSize);
                contentSize = 0;
                for (int i = fcsSize - 1; i >= 0; i--) {
                    contentSize = (contentSize << 8) | u8(data, pos + i);
                }
                if (fcsSize == 2) {
                    contentSize += 256;
                }
                pos += fcsSize;
            }
            boolean last;
            do {
                int header = u8(data, pos) | u8(data, pos + 1) << 8 | u8(data, pos + 2) << 16;
                pos += 3;
                last = (header & 1) != 0;
                int type = (header >>> 1) & 3;
                int size = header >>> 3;
                pos = switch (type) {
                    case 0, 2 -> advance(data, pos, size);
                    case 1 -> advance(data, pos, 1);
                    default -> throw new IllegalStateException("reserved block type at " + pos);
                };
            } while (!last);
            if (checksum) {
                pos = advance(data, pos, 4);
            }
            frames.add(new Frame(start, pos - start, false, fcsSize > 0, contentSize));
        }
        return frames;
    }

    static long dataFrameCount(byte[] data) {
        return scan(data).stream().filter(f -> !f.skippable()).count();
    }

    private static int advance(byte[] data, int pos, long n) {
        if (pos + n > data.length) {
            throw new IllegalStateException("truncated frame: need " + n + " bytes at " + pos);
        }
        return (int) (pos + n);
    }

    private static int u8(byte[] data, int pos) {
        if (pos >= data.length) {
            throw new IllegalStateException("truncated frame at " + pos);
        }
        return data[pos] & 0xFF;
    }

    private static int le32(byte[] data, int pos) {
        return u8(data, pos) | u8(data, pos + 1) << 8 | u8(data, pos + 2) << 16 | u8(data, pos + 3) << 24;
    }
}
