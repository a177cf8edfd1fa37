package dev.deckhand.worker;

import dev.deckhand.protocol.SyncMethod;
import dev.deckhand.protocol.message.MetaRequest;
import dev.deckhand.protocol.message.MetaResponse;
import dev.deckhand.worker.normalsync.SyncState;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The collection sync operations a gateway hands to a worker, already authenticated and
 * decoded. Two implementations: {@link dev.deckhand.worker.local.LocalSyncWorker} runs them in
 * this process, {@link dev.deckhand.worker.http.RemoteSyncWorker} calls a worker over HTTP.
 * Failures arrive as {@link dev.deckhand.protocol.SyncProtocolException} either way.
 */
public interface SyncWorker {

    Mono<MetaResponse> meta(WorkContext context, MetaRequest request);

    /**
     * Full upload. The body arrives as the client sent it (zstd) and is streamed, never held
     * whole. The answer is the text the client shows: {@code OK}, or why the upload was refused.
     */
    Mono<String> upload(WorkContext context, Flux<DataBuffer> compressedBody);

    /** Full download of the user's collection. */
    Mono<CollectionDownload> download(WorkContext context);

    /**
     * One step of a normal sync ({@code start} to {@code finish}, or {@code abort}), with the
     * request's JSON payload as the client sent it. {@code state} is what the previous step
     * returned, {@code null} for {@code start}.
     */
    Mono<NormalSyncStep> normalSync(SyncMethod method, WorkContext context, SyncState state, String request);
}
