package dev.deckhand.worker.local;

import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.protocol.message.MetaRequest;
import dev.deckhand.protocol.message.MetaResponse;
import dev.deckhand.store.collection.CollectionStore;
import dev.deckhand.store.media.MediaIndexStore;
import dev.deckhand.protocol.SyncMethod;
import dev.deckhand.store.fullsync.LegacyJsonText;
import dev.deckhand.worker.normalsync.NormalSyncService;
import dev.deckhand.worker.normalsync.SyncState;
import dev.deckhand.worker.CollectionDownload;
import dev.deckhand.worker.NormalSyncStep;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;
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
    private final NormalSyncService normalSync;
    private final Clock clock;

    public LocalSyncWorker(CollectionStore collections, MediaIndexStore media, FullSyncFiles fullSync,
                           NormalSyncService normalSync, Clock clock) {
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
                .map(t -> new MetaResponse(t.getT1().mod(), t.getT1().scm(), t.getT1().usn(),
                        clock.millis() / 1000, "", true, 0, t.getT1().empty(), t.getT2()));
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
        return Mono.defer(() -> {
            JsonNode payload = request == null || request.isBlank() ? NullNode.getInstance() : json(request);
            long user = context.userId();
            return switch (method) {
                case START -> normalSync.start(user, NormalSyncJson.int32(payload, "minUsn"),
                                NormalSyncJson.bool(payload, "lnewer"), payload.path("graves"))
                        .map(started -> step(started.graves(), started.state()));
                case APPLY_GRAVES -> normalSync.applyGraves(user, state, payload.path("chunk")).thenReturn(step(null, state));
                case APPLY_CHANGES -> normalSync.applyChanges(user, state, payload.path("changes")).map(out -> step(out, state));
                case CHUNK -> normalSync.chunk(user, state).map(chunk -> step(chunk.chunk(), chunk.state()));
                case APPLY_CHUNK -> normalSync.applyChunk(user, state, payload.path("chunk")).thenReturn(step(null, state));
                // a failed check ends the sync at once, as in Anki's server: nothing of it can be finished
                case SANITY_CHECK2 -> normalSync.sanityCheck(user, state, payload.path("client"))
                        .flatMap(out -> "ok".equals(out.path("status").asString()) ? Mono.just(step(out, state))
                                : normalSync.abort(user, state.epoch()).thenReturn(step(out, null)));
                case FINISH -> normalSync.finish(user, state).map(now -> new NormalSyncStep(Long.toString(now), null));
                case ABORT -> (state == null ? Mono.<Void>empty() : normalSync.abort(user, state.epoch()))
                        .thenReturn(new NormalSyncStep("null", null));
                default -> Mono.error(SyncProtocolException.notFound(method.wireName() + " is not a normal-sync step"));
            };
        });
    }

    private static NormalSyncStep step(JsonNode answer, SyncState state) {
        return new NormalSyncStep(answer == null ? "null" : LegacyJsonText.write(answer), state);
    }

    private static JsonNode json(String request) {
        try {
            return LegacyJsonText.MAPPER.readTree(request);
        } catch (tools.jackson.core.JacksonException e) {
            throw SyncProtocolException.badRequest("malformed JSON body: " + e.getOriginalMessage());
        }
    }
}
