package dev.deckhand.worker;

import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Flux;

/**
 * A full download on its way out: the collection file as one zstd frame, streamed, and the
 * file's size before compression (the client requires it as {@code anki-original-size}).
 */
public record CollectionDownload(long originalSize, Flux<DataBuffer> compressedBody) {}
