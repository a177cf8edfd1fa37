package dev.deckhand.edge;

import dev.deckhand.protocol.SyncProtocolException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.ByteArrayOutputStream;

/**
 * Reads a request body of at most {@code limit} bytes into memory. A larger body is still
 * read to its end (up to a further {@code limit}) and thrown away, because clients look at the
 * answer only after sending everything, and a connection cut mid-upload shows as a network
 * error instead of our message.
 */
final class BoundedBody {

    private final long limit;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private long received;

    private BoundedBody(long limit) {
        this.limit = limit;
    }

    static Mono<byte[]> read(Flux<DataBuffer> body, long limit) {
        return body.reduce(new BoundedBody(limit), (acc, buffer) -> {
                    try {
                        acc.append(buffer);
                    } finally {
                        DataBufferUtils.release(buffer);
                    }
                    return acc;
                })
                .defaultIfEmpty(new BoundedBody(limit))
                .map(BoundedBody::bytes);
    }

    /** Reads a body to its end keeping nothing; fails once more than {@code limit} bytes came. */
    static Mono<Void> discard(Flux<DataBuffer> body, long limit) {
        return body.reduce(0L, (count, buffer) -> {
                    long total = count + buffer.readableByteCount();
                    DataBufferUtils.release(buffer);
                    if (total > limit) {
                        throw SyncProtocolException.tooLarge("request body exceeds " + limit + " bytes");
                    }
                    return total;
                })
                .then();
    }

    private void append(DataBuffer buffer) {
        int n = buffer.readableByteCount();
        received += n;
        if (received > 2 * limit) {
            // stop draining a hostile stream: the connection closes
            throw tooLarge();
        }
        if (received <= limit) {
            byte[] chunk = new byte[n];
            buffer.read(chunk);
            bytes.write(chunk, 0, n);
        }
    }

    private byte[] bytes() {
        if (received > limit) {
            throw tooLarge();
        }
        return bytes.toByteArray();
    }

    private SyncProtocolException tooLarge() {
        return SyncProtocolException.tooLarge("request body exceeds " + limit + " bytes");
    }
}
