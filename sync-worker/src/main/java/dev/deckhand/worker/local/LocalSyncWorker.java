package dev.deckhand.worker.local;

import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.protocol.message.MetaRequest;
import dev.deckhand.protocol.message.MetaResponse;
import dev.deckhand.store.collection.CollectionStore;
import dev.deckhand.store.media.MediaIndexStore;
import dev.deckhand.protocol.SyncMethod;
import dev.deckhand.worker.normalsync.NormalSync;
import dev.deckhand.worker.normalsync.SyncState;
import dev.deckhand.worker.CollectionDownload;
import dev.deckhand.worker.NormalSyncStep;
import dev.deckhand.worker.SyncWorker;
import dev.deckhand.worker.WorkContext;
import dev.deckhand.worker.fullsync.FullSyncFiles;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Clock;

/** Runs sync operations against PostgreSQL in this process. Holds no state between calls. */
public class LocalSyncWorker implements SyncWorker {

    /** Protocol versions whose {@code meta} we answer; older clients are told to update. */
    static final int OLDEST_VERSION = 8;
    static final int NEWEST_VERSION = 11;

    private final CollectionStore collections;
    private final MediaIndexStore media;
    private final FullSyncFiles fullSync;
    private final NormalSync normalSync;
    private final Clock clock;

    public LocalSyncWorker(CollectionStore collections, MediaIndexStore media, FullSyncFiles fullSync,
                           NormalSync normalSync, Clock clock) {
        this.collections = collections;
        this.media = media;
        this.fullSync = fullSync;
        this.normalSync = normalSync;
        this.clock = clock;
    }

    @Override
    public Mono<MetaResponse> meta(WorkContext context, MetaRequest request) {
        if (request.v() < OLDEST_VERSION || request.v() > NEWEST_VERSION) {
            return Mono.error(SyncProtocolException.clientTooOld(
                    "sync protocol version " + request.v() + " is not supported (8 to 11 are)"));
        }
        return Mono.zip(collections.state(context.userId()), media.currentUsn(context.userId()))
                .map(t -> MetaResponse.of(t.getT1().mod(), t.getT1().scm(), t.getT1().usn(), clock.millis() / 1000,
                        t.getT1().empty(), t.getT2()));
    }

    @Override
    public Mono<String> upload(WorkContext context, Flux<DataBuffer> compressedBody) {
        return fullSync.upload(context.userId(), compressedBody);
    }

    @Override
    public Mono<CollectionDownload> download(WorkContext context) {
        return fullSync.download(context.userId());
    }

    @Override
    public Mono<NormalSyncStep> normalSync(SyncMethod method, WorkContext context, SyncState state, String request) {
        return normalSync.step(method, context.userId(), state, request);
    }
}
