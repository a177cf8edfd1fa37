package dev.deckhand.worker.local;

import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.protocol.message.MetaRequest;
import dev.deckhand.protocol.message.MetaResponse;
import dev.deckhand.store.collection.CollectionStore;
import dev.deckhand.store.media.MediaIndexStore;
import dev.deckhand.worker.SyncWorker;
import dev.deckhand.worker.WorkContext;
import reactor.core.publisher.Mono;

import java.time.Clock;

/** Runs sync operations against PostgreSQL in this process. Holds no state between calls. */
public class LocalSyncWorker implements SyncWorker {

    /** Protocol versions whose {@code meta} we answer; older clients are told to update. */
    static final int OLDEST_VERSION = 8;
    static final int NEWEST_VERSION = 11;

    private final CollectionStore collections;
    private final MediaIndexStore media;
    private final Clock clock;

    public LocalSyncWorker(CollectionStore collections, MediaIndexStore media, Clock clock) {
        this.collections = collections;
        this.media = media;
        this.clock = clock;
    }

    @Override
    public Mono<MetaResponse> meta(WorkContext context, MetaRequest request) {
        if (request.v() < OLDEST_VERSION || request.v() > NEWEST_VERSION) {
            return Mono.error(SyncProtocolException.clientTooOld(
                    "sync protocol version " + request.v() + " is not supported (8 to 11 are)"));
        }
        return Mono.zip(collections.state(context.userId()), media.currentUsn(context.userId()))
                .map(t -> new MetaResponse(t.getT1().mod(), t.getT1().scm(), t.getT1().usn(),
                        clock.millis() / 1000, "", true, 0, t.getT1().empty(), t.getT2()));
    }
}
