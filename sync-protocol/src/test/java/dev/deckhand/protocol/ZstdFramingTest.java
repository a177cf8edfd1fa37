package dev.deckhand.protocol;

import static dev.deckhand.protocol.ProtocolAssertions.assertProtocolError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ZstdFramingTest {

    private static final int MIB = 1024 * 1024;

    /** Mix of compressible text and incompressible noise, so encoders emit several block types. */
    static byte[] samplePayload(int size, long seed) {
        Random random = new Random(seed);
        byte[] out = new byte[size];
        byte[] words = "note card deck revlog usn mod scm graves chunk ".getBytes(StandardCharsets.US_ASCII);
        int i = 0;
        while (i < size) {
            int run = Math.min(size - i, 1 + random.nextInt(4096));
            if (random.nextBoolean()) {
                for (int j = 0; j < run; j++) {
                    out[i + j] = words[random.nextInt(words.length)];
                }
            } else {
                byte[] noise = new byte[run];
                random.nextBytes(noise);
                System.arraycopy(noise, 0, out, i, run);
            }
            i += run;
        }
        return out;
    }

    static byte[] streamCompress(byte[] payload, int pieceSize, boolean flushEachPiece) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = ZstdFraming.compressing(sink)) {
            for (int off = 0; off < payload.length; off += pieceSize) {
                out.write(payload, off, Math.min(pieceSize, payload.length - off));
                if (flushEachPiece) {
                    out.flush();
                }
            }
        }
        return sink.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    // --- round trips -------------------------------------------------------------------------

    @Test
    void compressProducesOneFrameWithDeclaredSizeAndRoundTrips() {
        byte[] payload = samplePayload(200_000, 1);
        byte[] compressed = ZstdFraming.compress(payload);

        List<ZstdFrameScanner.Frame> frames = ZstdFrameScanner.scan(compressed);
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).contentSizeDeclared()).isTrue();
        assertThat(frames.get(0).contentSize()).isEqualTo(payload.length);
        assertThat(ZstdFraming.decompress(compressed, payload.length)).isEqualTo(payload);
    }

    @Test
    void emptyPayloadIsStillExactlyOneFrame() throws IOException {
        byte[] viaArray = ZstdFraming.compress(new byte[0]);
        byte[] viaStream = streamCompress(new byte[0], 1, false);

        assertThat(ZstdFrameScanner.dataFrameCount(viaArray)).isEqualTo(1);
        assertThat(ZstdFrameScanner.dataFrameCount(viaStream)).isEqualTo(1);
        assertThat(ZstdFraming.decompress(viaArray, 0)).isEmpty();
        assertThat(ZstdFraming.decompress(viaStream, 0)).isEmpty();
    }

    @Test
    void nullResponseRoundTripsAsFourBytes() {
        byte[] body = ZstdFraming.compress("null".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(ZstdFraming.decompress(body, 100), StandardCharsets.US_ASCII)).isEqualTo("null");
    }

    @Test
    void threeMegabytesThroughStreamingEncoderWithFlushesIsExactlyOneFrame() throws IOException {
        byte[] payload = samplePayload(3 * MIB, 42);
        byte[] compressed = streamCompress(payload, 64 * 1024, true);

        List<ZstdFrameScanner.Frame> frames = ZstdFrameScanner.scan(compressed);
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).skippable()).isFalse();
        assertThat(frames.get(0).length()).isEqualTo(compressed.length);
        // streaming encoders cannot know the size up front; clients send frames like this
        assertThat(frames.get(0).contentSizeDeclared()).isFalse();
        assertThat(Zstd.getFrameContentSize(compressed)).as("unknown content size").isLessThanOrEqualTo(0L);

        byte[] roundTrip = ZstdFraming.decompress(compressed, 3 * MIB);
        assertThat(roundTrip.length).isEqualTo(payload.length);
        assertThat(roundTrip).isEqualTo(payload);
    }

    @Test
    void frameScannerDetectsMultipleFrames() throws IOException {
        // Control for the test above: an encoder that ends a frame per flush must be caught.
        byte[] payload = samplePayload(300_000, 7);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (ZstdOutputStreamNoFinalizer out = new ZstdOutputStreamNoFinalizer(sink, 3)) {
            out.setCloseFrameOnFlush(true);
            for (int off = 0; off < payload.length; off += 100_000) {
                out.write(payload, off, 100_000);
                out.flush();
            }
        }
        assertThat(ZstdFrameScanner.dataFrameCount(sink.toByteArray())).isEqualTo(3);
    }

    @Test
    void flushEmitsDataBeforeCloseButCloseEndsTheFrame() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream out = ZstdFraming.compressing(sink);
        out.write("{\"done\":false}".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        int afterFlush = sink.size();
        assertThat(afterFlush).as("flush must push bytes to the sink").isGreaterThan(0);
        // the frame is still open: the bytes so far are not a complete frame
        byte[] partial = sink.toByteArray();
        assertThatThrownBy(() -> ZstdFrameScanner.scan(partial)).isInstanceOf(IllegalStateException.class);
        assertProtocolError(() -> ZstdFraming.decompress(partial, 1000), SyncErrorKind.BAD_REQUEST);

        out.close();
        assertThat(ZstdFrameScanner.dataFrameCount(sink.toByteArray())).isEqualTo(1);
        assertThat(ZstdFraming.decompress(sink.toByteArray(), 1000)).asString(StandardCharsets.US_ASCII)
                .isEqualTo("{\"done\":false}");
    }

    @Test
    void compressingClosesSinkUnlessAskedNotTo() throws IOException {
        AtomicBoolean closed = new AtomicBoolean();
        ByteArrayOutputStream sink = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        ZstdFraming.compressing(sink, false).close();
        assertThat(closed).isFalse();
        assertThat(ZstdFrameScanner.dataFrameCount(sink.toByteArray())).isEqualTo(1);

        OutputStream out = ZstdFraming.compressing(sink);
        out.close();
        out.close(); // idempotent
        assertThat(closed).isTrue();
    }

    @Test
    void decodesFramesWithoutContentSizeFromASlowSource() throws IOException {
        byte[] payload = samplePayload(150_000, 3);
        byte[] compressed = streamCompress(payload, 1000, false);
        assertThat(ZstdFrameScanner.scan(compressed).get(0).contentSizeDeclared()).isFalse();

        // one byte per read, interleaved with zero-length reads, as a chunked body may deliver it
        InputStream trickle = new InputStream() {
            private int pos;
            private boolean zeroNext;

            @Override
            public int read() {
                return pos < compressed.length ? compressed[pos++] & 0xFF : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= compressed.length) {
                    return -1;
                }
                zeroNext = !zeroNext;
                if (zeroNext) {
                    return 0;
                }
                b[off] = compressed[pos++];
                return 1;
            }
        };
        try (InputStream in = ZstdFraming.decompressing(trickle, payload.length)) {
            assertThat(in.readAllBytes()).isEqualTo(payload);
        }
    }

    @Test
    void singleByteReadsAndOffsetsWork() throws IOException {
        byte[] payload = "{\"u\":\"u\",\"p\":\"p\"}".getBytes(StandardCharsets.US_ASCII);
        byte[] compressed = streamCompress(payload, 5, false);
        try (InputStream in = ZstdFraming.decompressing(new ByteArrayInputStream(compressed), 17)) {
            assertThat(in.read()).isEqualTo('{');
            byte[] buffer = new byte[40];
            Arrays.fill(buffer, (byte) '#');
            int n = 0;
            int r;
            while ((r = in.read(buffer, 10 + n, 30 - n)) > 0) {
                n += r;
            }
            assertThat(r).isEqualTo(-1);
            assertThat(n).isEqualTo(16);
            assertThat(new String(buffer, StandardCharsets.US_ASCII))
                    .isEqualTo("##########\"u\":\"u\",\"p\":\"p\"}##############");
            assertThat(in.read()).isEqualTo(-1);
            assertThat(in.read(buffer, 0, 0)).isZero();
        }
    }

    @Test
    void emptyInputIsAnEmptyPayload() throws IOException {
        assertThat(ZstdFraming.decompress(new byte[0], 10)).isEmpty();
        try (InputStream in = ZstdFraming.decompressing(InputStream.nullInputStream(), 0)) {
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void concatenatedFramesAreDecodedInSequence() {
        byte[] a = ZstdFraming.compress("abc".getBytes(StandardCharsets.US_ASCII));
        byte[] b = ZstdFraming.compress("def".getBytes(StandardCharsets.US_ASCII));
        assertThat(ZstdFraming.decompress(concat(a, b), 6)).asString(StandardCharsets.US_ASCII).isEqualTo("abcdef");
        // the limit spans all frames
        assertProtocolError(() -> ZstdFraming.decompress(concat(a, b), 5), SyncErrorKind.PAYLOAD_TOO_LARGE);
    }

    // --- corrupt input -----------------------------------------------------------------------

    @Test
    void everyTruncationOfAFrameIsBadRequest() throws IOException {
        byte[] payload = samplePayload(20_000, 11);
        for (byte[] compressed : List.of(ZstdFraming.compress(payload), streamCompress(payload, 3000, true))) {
            for (int cut = 1; cut < compressed.length; cut++) {
                byte[] truncated = Arrays.copyOf(compressed, cut);
                int at = cut;
                assertProtocolError(() -> ZstdFraming.decompress(truncated, 10 * MIB), SyncErrorKind.BAD_REQUEST)
                        .as("truncated at %d of %d", at, compressed.length)
                        .hasMessageStartingWith("invalid zstd body: ");
            }
        }
    }

    @Test
    void truncationIsReportedAtEndOfInputNotAsShortData() throws IOException {
        byte[] payload = samplePayload(500_000, 5);
        byte[] compressed = streamCompress(payload, 64 * 1024, true);
        byte[] truncated = Arrays.copyOf(compressed, compressed.length - 1);
        try (InputStream in = ZstdFraming.decompressing(new ByteArrayInputStream(truncated), 10 * MIB)) {
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            assertProtocolError(() -> {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    seen.write(buffer, 0, n);
                }
            }, SyncErrorKind.BAD_REQUEST).hasMessageContaining("truncated");
            // all content may already have been delivered (only the end-of-frame block is cut);
            // the error must come anyway
            assertThat(seen.size()).isLessThanOrEqualTo(payload.length);
            // the failure is sticky: no read may later pretend the stream ended cleanly
            assertProtocolError(() -> in.read(buffer), SyncErrorKind.BAD_REQUEST);
        }
    }

    @Test
    void completeFrameFollowedByTruncatedFrameIsBadRequest() {
        byte[] first = ZstdFraming.compress("first".getBytes(StandardCharsets.US_ASCII));
        byte[] second = ZstdFraming.compress(samplePayload(10_000, 9));
        for (int cut : new int[] {1, 3, 4, 6, second.length / 2, second.length - 1}) {
            byte[] input = concat(first, Arrays.copyOf(second, cut));
            assertProtocolError(() -> ZstdFraming.decompress(input, MIB), SyncErrorKind.BAD_REQUEST);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello world, not zstd", "{\"u\":\"u\",\"p\":\"p\"}", "x"})
    void garbageIsBadRequest(String garbage) {
        assertProtocolError(() -> ZstdFraming.decompress(garbage.getBytes(StandardCharsets.UTF_8), MIB),
                SyncErrorKind.BAD_REQUEST).hasMessageStartingWith("invalid zstd body: ");
    }

    @Test
    void randomBytesAndCorruptedFramesAreBadRequest() {
        byte[] noise = new byte[4096];
        new Random(99).nextBytes(noise);
        assertProtocolError(() -> ZstdFraming.decompress(noise, MIB), SyncErrorKind.BAD_REQUEST);

        byte[] frame = ZstdFraming.compress(samplePayload(50_000, 2));
        byte[] badMagic = frame.clone();
        badMagic[0] ^= 0x55;
        assertProtocolError(() -> ZstdFraming.decompress(badMagic, MIB), SyncErrorKind.BAD_REQUEST);

        byte[] trailingGarbage = concat(frame, "garbage!".getBytes(StandardCharsets.US_ASCII));
        assertProtocolError(() -> ZstdFraming.decompress(trailingGarbage, MIB), SyncErrorKind.BAD_REQUEST);
    }

    @Test
    void ioErrorsOfTheSourcePropagateAsIoException() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        };
        InputStream in = ZstdFraming.decompressing(failing, MIB);
        assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("connection reset");
    }

    // --- limits ------------------------------------------------------------------------------

    @Test
    void limitIsInclusive() {
        byte[] payload = samplePayload(10_000, 4);
        byte[] compressed = ZstdFraming.compress(payload);
        assertThat(ZstdFraming.decompress(compressed, 10_000)).isEqualTo(payload);
        assertProtocolError(() -> ZstdFraming.decompress(compressed, 9_999), SyncErrorKind.PAYLOAD_TOO_LARGE)
                .hasMessage("payload exceeds 9999 bytes once decompressed");
        assertProtocolError(() -> ZstdFraming.decompress(ZstdFraming.compress(new byte[1]), 0),
                SyncErrorKind.PAYLOAD_TOO_LARGE);
    }

    @Test
    void declaredContentSizeIsNotTrustedForTheLimit() throws IOException {
        byte[] payload = new byte[2 * MIB];
        byte[] compressed = ZstdFraming.compress(payload);
        assertThat(Zstd.getFrameContentSize(compressed)).isEqualTo(2L * MIB);

        long[] delivered = {0};
        try (InputStream in = ZstdFraming.decompressing(new ByteArrayInputStream(compressed), MIB)) {
            byte[] buffer = new byte[100_000];
            assertProtocolError(() -> {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    delivered[0] += n;
                }
            }, SyncErrorKind.PAYLOAD_TOO_LARGE);
        }
        assertThat(delivered[0]).isLessThanOrEqualTo(MIB);
    }

    @Test
    void zstdBombIsStoppedAtTheLimitWithoutInflatingIt() throws IOException {
        // 50 MB of zeros from a streaming encoder: a few KB on the wire, no declared size
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = ZstdFraming.compressing(sink)) {
            byte[] zeros = new byte[MIB];
            for (int i = 0; i < 50; i++) {
                out.write(zeros);
            }
        }
        byte[] bomb = sink.toByteArray();
        assertThat(bomb.length).isLessThan(64 * 1024);
        assertThat(ZstdFrameScanner.scan(bomb)).singleElement()
                .satisfies(f -> assertThat(f.contentSizeDeclared()).isFalse());

        // streaming: the caller sees at most the limit before the error
        long[] delivered = {0};
        int[] sourceReads = {0};
        InputStream countingSource = new FilterInputStream(new ByteArrayInputStream(bomb)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                sourceReads[0]++;
                return super.read(b, off, len);
            }
        };
        try (InputStream in = ZstdFraming.decompressing(countingSource, MIB)) {
            byte[] buffer = new byte[256 * 1024];
            assertProtocolError(() -> {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    delivered[0] += n;
                }
            }, SyncErrorKind.PAYLOAD_TOO_LARGE).hasMessage("payload exceeds 1048576 bytes once decompressed");
        }
        assertThat(delivered[0]).isEqualTo(MIB);

        // in-memory: heap allocated by this thread stays far below the 50 MB the bomb expands to
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ZstdFraming.decompress(ZstdFraming.compress(new byte[16]), 100); // warm-up
        long before = threads.getCurrentThreadAllocatedBytes();
        assertProtocolError(() -> ZstdFraming.decompress(bomb, MIB), SyncErrorKind.PAYLOAD_TOO_LARGE);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated while rejecting the bomb").isLessThan(12L * MIB);
    }

    @Test
    void closeReleasesAndClosesTheSource() throws IOException {
        AtomicBoolean closed = new AtomicBoolean();
        InputStream source = new ByteArrayInputStream(ZstdFraming.compress(new byte[10])) {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        InputStream in = ZstdFraming.decompressing(source, 100);
        in.close();
        in.close();
        assertThat(closed).isTrue();
        assertThatThrownBy(in::read).isInstanceOf(IOException.class);
    }

    @Test
    void rejectsNegativeLimit() {
        assertThatThrownBy(() -> ZstdFraming.decompressing(InputStream.nullInputStream(), -1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
