package dev.deckhand.protocol;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.Objects;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;

/**
 * zstd framing of v11 request and response bodies.
 *
 * <p>Requests arrive as one zstd frame produced by a streaming encoder, so the frame header
 * usually has no content size: decoding is always streaming and the size limit is enforced on
 * the bytes actually produced, never on what the frame claims.
 *
 * <p>Responses must be exactly <b>one</b> frame: Anki's client decoder stops at the end of the
 * first frame and silently ignores the rest, so a second frame would truncate the payload
 * without any error. {@link #compressing(OutputStream)} therefore keeps a single frame open
 * across {@code flush()} calls and only ends it on {@code close()}.
 */
public final class ZstdFraming {

    /** zstd's own default; what Anki's client and server use as well. */
    public static final int COMPRESSION_LEVEL = 3;

    // Largest byte[] the JVM reliably allocates; bounds the in-memory variant.
    private static final long MAX_ARRAY_SIZE = Integer.MAX_VALUE - 8;
    private static final int SOURCE_BUFFER_SIZE = 64 * 1024;
    private static final Cleaner CLEANER = Cleaner.create();

    private ZstdFraming() {
    }

    /**
     * Streams the decompressed payload of {@code compressed}.
     *
     * <p>The returned stream throws {@link SyncProtocolException} with
     * <ul>
     *   <li>PAYLOAD_TOO_LARGE ("payload exceeds N bytes once decompressed") as soon as more than
     *       {@code maxDecompressedBytes} would be produced (at most one byte beyond the limit is
     *       ever decoded);</li>
     *   <li>BAD_REQUEST ("invalid zstd body: ...") for corrupt input, trailing garbage, or input
     *       that ends inside a frame.</li>
     * </ul>
     * An empty input yields an empty payload. Concatenated frames are decoded one after another,
     * as the zstd format allows. I/O errors of {@code compressed} itself propagate unchanged as
     * {@link IOException}. Closing the returned stream closes {@code compressed}; native decoder
     * memory is released at end of input, on error or on close. Not thread-safe.
     */
    public static InputStream decompressing(InputStream compressed, long maxDecompressedBytes) {
        Objects.requireNonNull(compressed, "compressed");
        if (maxDecompressedBytes < 0) {
            throw new IllegalArgumentException("maxDecompressedBytes must be >= 0");
        }
        return new LimitedDecompressingStream(compressed, maxDecompressedBytes);
    }

    /** In-memory variant of {@link #decompressing(InputStream, long)}, with the same errors. */
    public static byte[] decompress(byte[] compressed, long maxDecompressedBytes) {
        Objects.requireNonNull(compressed, "compressed");
        long limit = Math.min(maxDecompressedBytes, MAX_ARRAY_SIZE);
        try (InputStream in = decompressing(new ByteArrayInputStream(compressed), limit)) {
            return in.readAllBytes();
        } catch (IOException e) {
            // A ByteArrayInputStream never fails; keep the signature free of checked exceptions.
            throw new UncheckedIOException(e);
        }
    }

    /** Compresses {@code payload} into exactly one zstd frame (with its content size declared). */
    public static byte[] compress(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        return Zstd.compress(payload, COMPRESSION_LEVEL);
    }

    /** Same as {@link #compressing(OutputStream, boolean) compressing(sink, true)}. */
    public static OutputStream compressing(OutputStream sink) {
        return compressing(sink, true);
    }

    /**
     * A streaming encoder that writes exactly one zstd frame to {@code sink} over its whole
     * lifetime: {@code flush()} pushes out complete blocks (useful to keep a slow response moving
     * within the client's stall timeout) but never ends the frame; {@code close()} ends it, and
     * must be called even when nothing was written (an empty payload is still one frame).
     * Clients read only the first frame of a body, so never write a second frame after it.
     *
     * @param closeSink whether {@code close()} also closes {@code sink}
     */
    public static OutputStream compressing(OutputStream sink, boolean closeSink) {
        Objects.requireNonNull(sink, "sink");
        try {
            return new SingleFrameOutputStream(sink, closeSink);
        } catch (IOException e) {
            // The encoder constructor only allocates native state; it performs no I/O.
            throw new UncheckedIOException(e);
        }
    }

    private static final class SingleFrameOutputStream extends OutputStream {
        private final ZstdOutputStreamNoFinalizer encoder;
        private final boolean closeSink;
        private boolean closed;

        SingleFrameOutputStream(OutputStream sink, boolean closeSink) throws IOException {
            this.encoder = new ZstdOutputStreamNoFinalizer(sink, COMPRESSION_LEVEL);
            // Explicit although it is the default: ending the frame on flush would split the body.
            this.encoder.setCloseFrameOnFlush(false);
            this.closeSink = closeSink;
        }

        @Override
        public void write(int b) throws IOException {
            encoder.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            encoder.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            encoder.flush();
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if (closeSink) {
                encoder.close();
            } else {
                encoder.closeWithoutClosingParentStream();
            }
        }
    }

    private static final class LimitedDecompressingStream extends InputStream {
        private final InputStream source;
        private final long limit;
        private final ByteBuffer input = ByteBuffer.allocate(SOURCE_BUFFER_SIZE).limit(0);
        private final ZstdDecompressCtx decoder;
        private final Cleaner.Cleanable releaseDecoder;
        private long produced;
        // True between frames, including before the first one: only there may the input end.
        private boolean atFrameBoundary = true;
        // The decoder filled the caller's buffer and may still hold output without needing input.
        private boolean outputPending;
        private boolean finished;
        private boolean closed;
        private SyncProtocolException failure;

        LimitedDecompressingStream(InputStream source, long limit) {
            this.source = source;
            this.limit = limit;
            ZstdDecompressCtx ctx = new ZstdDecompressCtx();
            this.decoder = ctx;
            // Safety net for callers that abandon the stream; must not capture 'this'.
            this.releaseDecoder = CLEANER.register(this, ctx::close);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n;
            do {
                n = read(one, 0, 1);
            } while (n == 0);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (closed) {
                throw new IOException("stream closed");
            }
            if (failure != null) {
                throw failure;
            }
            if (len == 0) {
                return 0;
            }
            if (finished) {
                return -1;
            }
            // Ask for at most one byte past the limit: enough to detect the overflow, no more.
            long remaining = limit - produced;
            int want = remaining >= len ? len : (int) (remaining + 1);
            ByteBuffer output = ByteBuffer.wrap(b, off, want);
            while (true) {
                if (!input.hasRemaining() && !outputPending) {
                    int n = source.read(input.array(), 0, input.capacity());
                    if (n < 0) {
                        if (!atFrameBoundary) {
                            throw fail(SyncProtocolException.badRequest(
                                    "invalid zstd body: input ends inside a frame (truncated)"));
                        }
                        finished = true;
                        releaseDecoder.clean();
                        return -1;
                    }
                    input.limit(n).position(0);
                    if (n == 0) {
                        continue;
                    }
                }
                boolean frameDone;
                try {
                    frameDone = decoder.decompressByteBufferStream(output, input);
                } catch (ZstdException e) {
                    throw fail(new SyncProtocolException(SyncErrorKind.BAD_REQUEST,
                            "invalid zstd body: " + e.getMessage(), e));
                }
                atFrameBoundary = frameDone;
                outputPending = !frameDone && !output.hasRemaining();
                int n = output.position() - off;
                if (n > 0) {
                    produced += n;
                    if (produced > limit) {
                        throw fail(SyncProtocolException.tooLarge(
                                "payload exceeds " + limit + " bytes once decompressed"));
                    }
                    return n;
                }
            }
        }

        private SyncProtocolException fail(SyncProtocolException e) {
            failure = e;
            releaseDecoder.clean();
            return e;
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            releaseDecoder.clean();
            source.close();
        }
    }
}
