package dev.deckhand.payload;

import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.protocol.ZstdFraming;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;

/**
 * Reads a request body too large to hold as it arrives: counts the bytes as sent, unpacks the
 * zstd frame, and hands the payload to a reader, all within two limits. Blocking: call it off the
 * event loop.
 */
public final class StreamedPayload {

    /** What to make of the unpacked payload; may throw {@link SyncProtocolException} to refuse it. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(InputStream payload) throws IOException;
    }

    private StreamedPayload() {
    }

    /**
     * Gives the unpacked body to {@code reader}. When the reader refuses the payload, or a limit is
     * passed, the rest of the body is still read (up to one more limit's worth) and dropped, because
     * clients look at the answer only after sending everything; a body past {@code maxSentBytes}
     * is refused as too large.
     */
    public static <T> T read(Flux<DataBuffer> compressedBody, long maxSentBytes, long maxPayloadBytes, Reader<T> reader)
            throws IOException {
        try (CountingInput counted = new CountingInput(DataBufferUtils.subscriberInputStream(compressedBody, 16),
                maxSentBytes);
             InputStream payload = ZstdFraming.decompressing(counted, maxPayloadBytes)) {
            T result;
            try {
                result = reader.read(payload);
            } catch (SyncProtocolException e) {
                counted.drain(maxSentBytes);
                throw counted.overLimit() ? SyncProtocolException.tooLarge(e.getMessage()) : e;
            }
            // what the reader left unread (a zip's central directory, say) counts against the limit too
            counted.drain(maxSentBytes);
            if (counted.overLimit()) {
                throw SyncProtocolException.tooLarge("request exceeds " + maxSentBytes + " bytes as sent");
            }
            return result;
        }
    }

    /** Counts the bytes as sent; past the limit it refuses to read on, so decoding stops. */
    private static final class CountingInput extends FilterInputStream {

        private final long limit;
        private long count;

        CountingInput(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        boolean overLimit() {
            return count > limit;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (count > limit) {
                throw SyncProtocolException.tooLarge("request exceeds " + limit + " bytes as sent");
            }
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        void drain(long atMost) throws IOException {
            byte[] skip = new byte[64 * 1024];
            long drained = 0;
            int n;
            while (drained < atMost && (n = super.read(skip, 0, skip.length)) > 0) {
                drained += n;
                count += n;
            }
        }
    }
}
