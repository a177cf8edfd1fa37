package dev.deckhand.worker.http;

import dev.deckhand.protocol.SyncErrorKind;
import dev.deckhand.protocol.SyncJson;
import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.protocol.message.MetaRequest;
import dev.deckhand.protocol.message.MetaResponse;
import dev.deckhand.protocol.SyncMethod;
import dev.deckhand.worker.normalsync.SyncState;
import dev.deckhand.worker.CollectionDownload;
import dev.deckhand.worker.NormalSyncStep;
import dev.deckhand.worker.SyncWorker;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.core.publisher.Flux;
import dev.deckhand.worker.WorkContext;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/** A worker reached over HTTP; any replica behind the URL will do, since workers keep no state. */
public final class RemoteSyncWorker implements SyncWorker {

    private final WebClient http;

    public RemoteSyncWorker(WebClient.Builder builder, String baseUrl, String token) {
        WebClient.Builder b = builder.baseUrl(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
        if (token != null && !token.isEmpty()) {
            b = b.defaultHeader(WorkerPaths.TOKEN_HEADER, token);
        }
        this.http = b.build();
    }

    @Override
    public Mono<MetaResponse> meta(WorkContext context, MetaRequest request) {
        return call(WorkerPaths.META, context, request, MetaResponse.class);
    }

    @Override
    public Mono<String> upload(WorkContext context, Flux<DataBuffer> compressedBody) {
        return http.post().uri(WorkerPaths.UPLOAD)
                .headers(h -> streamedCallHeaders(h, context))
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(BodyInserters.fromDataBuffers(compressedBody))
                .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                        ? response.bodyToMono(String.class).defaultIfEmpty("")
                        : failure(response))
                .onErrorMap(e -> !(e instanceof SyncProtocolException), RemoteSyncWorker::unreachable);
    }

    @Override
    public Mono<CollectionDownload> download(WorkContext context) {
        // the body stays a stream from worker to client: it is not collected here
        return http.post().uri(WorkerPaths.DOWNLOAD)
                .headers(h -> streamedCallHeaders(h, context))
                .retrieve()
                .onStatus(status -> !status.is2xxSuccessful(), RemoteSyncWorker::failure)
                .toEntityFlux(DataBuffer.class)
                .map(entity -> new CollectionDownload(
                        Long.parseLong(String.valueOf(entity.getHeaders().getFirst(WorkerPaths.ORIGINAL_SIZE_HEADER))),
                        entity.getBody() == null ? Flux.empty() : entity.getBody()))
                .onErrorMap(e -> !(e instanceof SyncProtocolException), RemoteSyncWorker::unreachable);
    }

    @Override
    public Mono<NormalSyncStep> normalSync(SyncMethod method, WorkContext context, SyncState state, String request) {
        return call(WorkerPaths.NORMAL_SYNC, context,
                new NormalSyncCall(context.userId(), context.sessionKey(), method.wireName(), state, request),
                NormalSyncStep.class);
    }

    private static void streamedCallHeaders(HttpHeaders headers, WorkContext context) {
        headers.set(WorkerPaths.USER_HEADER, Long.toString(context.userId()));
        headers.set(WorkerPaths.SESSION_HEADER, context.sessionKey());
    }

    private static SyncProtocolException unreachable(Throwable e) {
        return new SyncProtocolException(SyncErrorKind.SERVER_ERROR, "sync worker unreachable: " + e.getMessage(), e);
    }

    private <Q, R> Mono<R> call(String path, WorkContext context, Q request, Class<R> resultType) {
        byte[] body = SyncJson.write(new WorkerCall<>(context.userId(), context.sessionKey(), request));
        return http.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                        ? response.bodyToMono(byte[].class).map(bytes -> SyncJson.read(bytes, resultType))
                        : failure(response))
                .onErrorMap(e -> !(e instanceof SyncProtocolException), RemoteSyncWorker::unreachable);
    }

    private static <R> Mono<R> failure(ClientResponse response) {
        return response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap(bytes -> {
            try {
                WorkerError error = SyncJson.read(bytes, WorkerError.class);
                return Mono.error(new SyncProtocolException(error.kind(), error.message()));
            } catch (RuntimeException notOurs) {
                return Mono.error(new SyncProtocolException(SyncErrorKind.SERVER_ERROR,
                        "sync worker answered HTTP " + response.statusCode().value()));
            }
        });
    }
}
