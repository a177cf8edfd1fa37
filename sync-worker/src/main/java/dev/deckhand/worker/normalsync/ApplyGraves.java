package dev.deckhand.worker.normalsync;

import dev.deckhand.protocol.normalsync.NormalSyncMessages.ApplyGravesRequest;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** {@code applyGraves}: stages a chunk of the client's deletions; finish applies them first. */
@Component
class ApplyGraves {

    private final Staging staging;

    ApplyGraves(Staging staging) {
        this.staging = staging;
    }

    Mono<Void> applyGraves(long userId, SyncState state, ApplyGravesRequest request) {
        return staging.stageGraves(userId, state.epoch(), request.chunk());
    }
}
