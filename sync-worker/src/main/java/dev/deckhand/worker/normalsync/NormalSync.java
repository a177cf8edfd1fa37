package dev.deckhand.worker.normalsync;

import dev.deckhand.protocol.SyncJson;
import dev.deckhand.protocol.SyncMethod;
import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.protocol.normalsync.NormalSyncMessages.ApplyChangesRequest;
import dev.deckhand.protocol.normalsync.NormalSyncMessages.ApplyChunkRequest;
import dev.deckhand.protocol.normalsync.NormalSyncMessages.ApplyGravesRequest;
import dev.deckhand.protocol.normalsync.NormalSyncMessages.SanityCheckRequest;
import dev.deckhand.protocol.normalsync.NormalSyncMessages.StartRequest;
import dev.deckhand.worker.NormalSyncStep;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;

/**
 * A normal (incremental) sync, one protocol step per call: reads the step's message, runs the
 * step (each in the class named after it), and answers the client's JSON and the sync's state for
 * the next step. Nothing a client sends touches the live tables before {@code finish}; see
 * docs/architecture.md, "Normal sync", for the whole design.
 */
@Component
public class NormalSync {

    private static final String NULL = "null";

    private final Start start;
    private final ApplyGraves applyGraves;
    private final ApplyChanges applyChanges;
    private final Chunks chunks;
    private final SanityCheck sanityCheck;
    private final Finish finish;
    private final Abort abort;

    NormalSync(Start start, ApplyGraves applyGraves, ApplyChanges applyChanges, Chunks chunks, SanityCheck sanityCheck,
               Finish finish, Abort abort) {
        this.start = start;
        this.applyGraves = applyGraves;
        this.applyChanges = applyChanges;
        this.chunks = chunks;
        this.sanityCheck = sanityCheck;
        this.finish = finish;
        this.abort = abort;
    }

    /**
     * Runs one step for {@code userId}. {@code state} is what the previous step returned
     * ({@code null} for {@code start}); the answer's state is {@code null} once the sync has ended.
     */
    public Mono<NormalSyncStep> step(SyncMethod method, long userId, SyncState state, String request) {
        return Mono.defer(() -> {
            byte[] body = request == null ? new byte[0] : request.getBytes(StandardCharsets.UTF_8);
            if (method.takesNoArguments()) {
                SyncJson.requireObjectOrEmpty(body);
            }
            return switch (method) {
                case START -> start.start(userId, SyncJson.read(body, StartRequest.class))
                        .map(started -> answer(started.serverGraves(), started.state()));
                case APPLY_GRAVES -> applyGraves.applyGraves(userId, state, SyncJson.read(body, ApplyGravesRequest.class))
                        .thenReturn(new NormalSyncStep(NULL, state));
                case APPLY_CHANGES -> applyChanges.applyChanges(userId, state, SyncJson.read(body, ApplyChangesRequest.class))
                        .map(server -> answer(server, state));
                case CHUNK -> chunks.chunk(userId, state).map(out -> answer(out.chunk(), out.next()));
                case APPLY_CHUNK -> chunks.applyChunk(userId, state, SyncJson.read(body, ApplyChunkRequest.class))
                        .thenReturn(new NormalSyncStep(NULL, state));
                // a failed check ends the sync at once, as in Anki's server: nothing of it can be finished
                case SANITY_CHECK2 -> sanityCheck.sanityCheck(userId, state, SyncJson.read(body, SanityCheckRequest.class))
                        .flatMap(out -> out.ok() ? Mono.just(answer(out, state))
                                : abort.abort(userId, state.epoch()).thenReturn(answer(out, null)));
                case FINISH -> finish.finish(userId, state).map(now -> new NormalSyncStep(Long.toString(now), null));
                case ABORT -> (state == null ? Mono.<Void>empty() : abort.abort(userId, state.epoch()))
                        .thenReturn(new NormalSyncStep(NULL, null));
                default -> Mono.error(SyncProtocolException.notFound(method.wireName() + " is not a normal-sync step"));
            };
        });
    }

    private static NormalSyncStep answer(Object message, SyncState state) {
        return new NormalSyncStep(new String(SyncJson.write(message), StandardCharsets.UTF_8), state);
    }
}
