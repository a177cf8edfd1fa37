package dev.deckhand.worker;

import dev.deckhand.protocol.message.MetaRequest;
import dev.deckhand.protocol.message.MetaResponse;
import reactor.core.publisher.Mono;

/**
 * The collection sync operations a gateway hands to a worker, already authenticated and
 * decoded. Two implementations: {@link dev.deckhand.worker.local.LocalSyncWorker} runs them in
 * this process, {@link dev.deckhand.worker.http.RemoteSyncWorker} calls a worker over HTTP.
 * Failures arrive as {@link dev.deckhand.protocol.SyncProtocolException} either way.
 */
public interface SyncWorker {

    Mono<MetaResponse> meta(WorkContext context, MetaRequest request);
}
