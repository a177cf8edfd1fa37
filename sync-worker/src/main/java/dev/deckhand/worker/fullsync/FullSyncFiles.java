package dev.deckhand.worker.fullsync;

import dev.deckhand.payload.ScratchFiles;
import dev.deckhand.payload.StreamedPayload;
import dev.deckhand.protocol.SyncErrorKind;
import dev.deckhand.protocol.SyncLimits;
import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.store.fullsync.CorruptCollectionException;
import dev.deckhand.store.fullsync.FullSyncService;
import dev.deckhand.worker.CollectionDownload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Moves whole collection files between the wire and {@link FullSyncService} through private
 * temporary folders, so that neither direction ever holds a collection in memory.
 */
public final class FullSyncFiles {

    private static final Logger log = LoggerFactory.getLogger(FullSyncFiles.class);

    public static final String OK = "OK";
    /** Anki's own words for an upload over the limit; the client shows them as they are. */
    public static final String TOO_LARGE = "collection exceeds size limit";

    private final FullSyncService fullSync;
    private final SyncLimits limits;
    private final Path tempRoot;

    public FullSyncFiles(FullSyncService fullSync, SyncLimits limits, Path tempRoot) {
        this.fullSync = fullSync;
        this.limits = limits;
        this.tempRoot = tempRoot;
    }

    /** Receives an upload and stores it; answers {@code OK} or the text the client shows. */
    public Mono<String> upload(long userId, Flux<DataBuffer> compressedBody) {
        return Mono.usingWhen(
                Mono.fromCallable(this::newFolder).subscribeOn(Schedulers.boundedElastic()),
                folder -> Mono.fromCallable(() -> receive(compressedBody, folder.resolve("collection.anki2")))
                        .subscribeOn(Schedulers.boundedElastic())
                        .flatMap(file -> fullSync.upload(userId, file).thenReturn(OK))
                        .onErrorResume(SyncProtocolException.class, e -> e.kind() == SyncErrorKind.PAYLOAD_TOO_LARGE
                                ? Mono.just(TOO_LARGE) : Mono.error(e))
                        .onErrorResume(CorruptCollectionException.class, e -> {
                            log.info("upload of user {} refused: {}", userId, e.getMessage());
                            return Mono.just(CorruptCollectionException.USER_MESSAGE);
                        }),
                folder -> Mono.fromRunnable(() -> ScratchFiles.deleteQuietly(folder)).subscribeOn(Schedulers.boundedElastic()));
    }

    /** Builds the user's collection file and streams it out compressed; the file goes when the stream ends. */
    public Mono<CollectionDownload> download(long userId) {
        return Mono.fromCallable(this::newFolder).subscribeOn(Schedulers.boundedElastic())
                .flatMap(folder -> {
                    Path file = folder.resolve("collection.anki2");
                    return fullSync.download(userId, file)
                            .then(Mono.fromCallable(() -> new CollectionDownload(Files.size(file), ScratchFiles.compressed(file)
                                    .doFinally(signal -> ScratchFiles.deleteQuietly(folder)))))
                            .doOnError(e -> ScratchFiles.deleteQuietly(folder));
                });
    }

    /** Unpacks the body into {@code file} within both limits. */
    private Path receive(Flux<DataBuffer> compressedBody, Path file) throws IOException {
        return StreamedPayload.read(compressedBody, limits.maxRequestBytes(), limits.maxPayloadBytes(), payload -> {
            Files.copy(payload, file);
            return file;
        });
    }

    private Path newFolder() throws IOException {
        return ScratchFiles.newFolder(tempRoot, "fullsync-");
    }
}
