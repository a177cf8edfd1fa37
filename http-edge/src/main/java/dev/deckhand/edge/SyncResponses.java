package dev.deckhand.edge;

import dev.deckhand.protocol.AnkiHeaders;
import dev.deckhand.protocol.SyncErrorKind;
import dev.deckhand.protocol.SyncHeader;
import dev.deckhand.protocol.ZstdFraming;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** How the gateway answers: success as one zstd frame with its original size, errors as a bare status. */
public final class SyncResponses {

    private SyncResponses() {}

    /** Protocol 11 and later get zstd; a header claiming 8-10 gets the payload as it is. */
    public static Mono<ServerResponse> payload(byte[] uncompressed, SyncHeader header) {
        return ServerResponse.ok()
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .header(AnkiHeaders.ORIGINAL_SIZE, Integer.toString(uncompressed.length))
                .bodyValue(header.compressedResponses() ? ZstdFraming.compress(uncompressed) : uncompressed);
    }

    /** A large payload, already compressed as one zstd frame, streamed as it is produced. */
    public static Mono<ServerResponse> compressedStream(long originalSize, Flux<DataBuffer> zstdFrame) {
        return ServerResponse.ok()
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .header(AnkiHeaders.ORIGINAL_SIZE, Long.toString(originalSize))
                .body(BodyInserters.fromDataBuffers(zstdFrame));
    }

    /** Clients act on the status alone; the text is for people reading logs and curl output. */
    public static Mono<ServerResponse> error(SyncErrorKind kind, String message) {
        return ServerResponse.status(kind.httpStatus())
                .contentType(MediaType.TEXT_PLAIN)
                .bodyValue(kind.httpStatus() + " " + message + "\n");
    }
}
