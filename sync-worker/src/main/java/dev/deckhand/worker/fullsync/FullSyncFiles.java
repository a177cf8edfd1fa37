package dev.deckhand.worker.fullsync;

import dev.deckhand.protocol.SyncErrorKind;
import dev.deckhand.protocol.SyncLimits;
import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.protocol.ZstdFraming;
import dev.deckhand.store.fullsync.CorruptCollectionException;
import dev.deckhand.store.fullsync.FullSyncService;
import dev.deckhand.worker.CollectionDownload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

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
                folder -> Mono.fromRunnable(() -> deleteQuietly(folder)).subscribeOn(Schedulers.boundedElastic()));
    }

    /** Builds the user's collection file and streams it out compressed; the file goes when the stream ends. */
    public Mono<CollectionDownload> download(long userId) {
        return Mono.fromCallable(this::newFolder).subscribeOn(Schedulers.boundedElastic())
                .flatMap(folder -> {
                    Path file = folder.resolve("collection.anki2");
                    return fullSync.download(userId, file)
                            .then(Mono.fromCallable(() -> new CollectionDownload(Files.size(file), compressed(file)
                                    .doFinally(signal -> deleteQuietly(folder)))))
                            .doOnError(e -> deleteQuietly(folder));
                });
    }

    private static Flux<DataBuffer> compressed(Path file) {
        return Flux.from(DataBufferUtils.outputStreamPublisher(out -> {
            // one zstd frame for the whole file: clients read only the first frame
            try (OutputStream zstd = ZstdFraming.compressing(out, true)) {
                Files.copy(file, zstd);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, DefaultDataBufferFactory.sharedInstance, task -> Schedulers.boundedElastic().schedule(task)));
    }

    /**
     * Unpacks the body into {@code file} within both limits. Past a limit the rest of the body is
     * still read (up to one more limit's worth) and dropped, because clients look at the answer
     * only after sending everything.
     */
    private Path receive(Flux<DataBuffer> compressedBody, Path file) throws IOException {
        try (CountingInput counted = new CountingInput(DataBufferUtils.subscriberInputStream(compressedBody, 16),
                limits.maxRequestBytes());
             InputStream payload = ZstdFraming.decompressing(counted, limits.maxPayloadBytes())) {
            try {
                Files.copy(payload, file);
            } catch (SyncProtocolException e) {
                counted.drain(limits.maxRequestBytes());
                throw counted.overLimit() ? SyncProtocolException.tooLarge(e.getMessage()) : e;
            }
            if (counted.overLimit()) {
                throw SyncProtocolException.tooLarge("upload exceeds " + limits.maxRequestBytes() + " bytes as sent");
            }
            return file;
        }
    }

    private Path newFolder() throws IOException {
        Files.createDirectories(tempRoot);
        return Files.createTempDirectory(tempRoot, "fullsync-");
    }

    private static void deleteQuietly(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            log.warn("could not delete temporary folder {}: {}", folder, e.getMessage());
        }
    }

    /** Counts the bytes as sent; past the limit it reports end of input so decoding stops. */
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
                throw SyncProtocolException.tooLarge("upload exceeds " + limit + " bytes as sent");
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
            }
        }
    }
}
