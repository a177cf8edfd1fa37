package dev.deckhand.worker.http;

import dev.deckhand.protocol.SyncErrorKind;
import dev.deckhand.protocol.SyncJson;
import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.protocol.message.MetaRequest;
import dev.deckhand.protocol.message.MetaResponse;
import dev.deckhand.worker.SyncWorker;
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

    private <Q, R> Mono<R> call(String path, WorkContext context, Q request, Class<R> resultType) {
        byte[] body = SyncJson.write(new WorkerCall<>(context.userId(), context.sessionKey(), request));
        return http.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                        ? response.bodyToMono(byte[].class).map(bytes -> SyncJson.read(bytes, resultType))
                        : failure(response))
                .onErrorMap(e -> !(e instanceof SyncProtocolException),
                        e -> new SyncProtocolException(SyncErrorKind.SERVER_ERROR, "sync worker unreachable: " + e.getMessage(), e));
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
