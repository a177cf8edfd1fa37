package dev.deckhand.worker.http;

import dev.deckhand.protocol.SyncErrorKind;
import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.protocol.internal.VersionedJson;
import dev.deckhand.protocol.message.MetaRequest;
import dev.deckhand.protocol.message.MetaResponse;
import dev.deckhand.protocol.SyncMethod;
import dev.deckhand.worker.http.WorkerMessages.MetaAnswer;
import dev.deckhand.worker.http.WorkerMessages.MetaCall;
import dev.deckhand.worker.http.WorkerMessages.NormalSyncCall;
import dev.deckhand.worker.http.WorkerMessages.StepAnswer;
import dev.deckhand.worker.http.WorkerMessages.WorkerAnswer;
import dev.deckhand.worker.http.WorkerMessages.WorkerCall;
import dev.deckhand.worker.http.WorkerMessages.WorkerError;
import dev.deckhand.worker.normalsync.SyncState;
import dev.deckhand.worker.CollectionDownload;
import dev.deckhand.worker.NormalSyncStep;
import dev.deckhand.worker.SyncWorker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.core.publisher.Flux;
import dev.deckhand.worker.WorkContext;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;

import java.util.function.Function;

/**
 * A worker reached over HTTP; any replica behind the URL will do, since workers keep no state.
 * Calls and answers are in worker format {@link WorkerPaths#VERSION}. An answer in any other
 * form (another release's worker, or not a worker at all) is a server error for the client,
 * never taken for what it might mean.
 */
public final class RemoteSyncWorker implements SyncWorker {

    private static final Logger log = LoggerFactory.getLogger(RemoteSyncWorker.class);
    private static final String VERSION = Integer.toString(WorkerPaths.VERSION);

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
        return call(WorkerPaths.META, WorkerCall.of(context, MetaCall.of(request)),
                new TypeReference<WorkerAnswer<MetaAnswer>>() {}, MetaAnswer::toResponse);
    }

    @Override
    public Mono<String> upload(WorkContext context, Flux<DataBuffer> compressedBody) {
        return http.post().uri(WorkerPaths.UPLOAD)
                .headers(h -> streamedCallHeaders(h, context))
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(BodyInserters.fromDataBuffers(compressedBody))
                .exchangeToMono(response -> {
                    if (!response.statusCode().is2xxSuccessful()) {
                        return failure(response);
                    }
                    String version = response.headers().asHttpHeaders().getFirst(WorkerPaths.VERSION_HEADER);
                    return VERSION.equals(version)
                            ? response.bodyToMono(String.class).defaultIfEmpty("")
                            : response.releaseBody().then(Mono.error(unreadable(WorkerPaths.UPLOAD, versionProblem(version))));
                })
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
                .flatMap(entity -> {
                    Flux<DataBuffer> body = entity.getBody() == null ? Flux.empty() : entity.getBody();
                    String version = entity.getHeaders().getFirst(WorkerPaths.VERSION_HEADER);
                    String size = entity.getHeaders().getFirst(WorkerPaths.ORIGINAL_SIZE_HEADER);
                    String problem = !VERSION.equals(version) ? versionProblem(version)
                            : size == null || !size.matches("[0-9]{1,18}") ? "no valid " + WorkerPaths.ORIGINAL_SIZE_HEADER
                            : null;
                    if (problem != null) {
                        // not ours to read: stop the stream instead of fetching a whole file to drop
                        return body.take(1).doOnNext(DataBufferUtils::release)
                                .then(Mono.error(unreadable(WorkerPaths.DOWNLOAD, problem)));
                    }
                    return Mono.just(new CollectionDownload(Long.parseLong(size), body));
                })
                .onErrorMap(e -> !(e instanceof SyncProtocolException), RemoteSyncWorker::unreachable);
    }

    @Override
    public Mono<NormalSyncStep> normalSync(SyncMethod method, WorkContext context, SyncState state, String request) {
        return call(WorkerPaths.NORMAL_SYNC,
                WorkerCall.of(context, new NormalSyncCall(method.wireName(), WorkerMessages.State.of(state), request)),
                new TypeReference<WorkerAnswer<StepAnswer>>() {}, StepAnswer::toStep);
    }

    private static void streamedCallHeaders(HttpHeaders headers, WorkContext context) {
        headers.set(WorkerPaths.VERSION_HEADER, VERSION);
        headers.set(WorkerPaths.USER_HEADER, Long.toString(context.userId()));
    }

    private static SyncProtocolException unreachable(Throwable e) {
        return new SyncProtocolException(SyncErrorKind.SERVER_ERROR, "sync worker unreachable: " + e.getMessage(), e);
    }

    private static String versionProblem(String version) {
        return version == null ? "no format version (header " + WorkerPaths.VERSION_HEADER + ")"
                : "format version " + version + " is not supported; expected version " + VERSION;
    }

    /** An answer of another format: logged, since it means gateways and workers of releases that cannot talk. */
    private static SyncProtocolException unreadable(String path, String why) {
        log.warn("the sync worker's answer to {} is not in worker format version {}: {}", path, VERSION, why);
        return new SyncProtocolException(SyncErrorKind.SERVER_ERROR, "unreadable answer from the sync worker: " + why);
    }

    private <Q, A, R> Mono<R> call(String path, WorkerCall<Q> call, TypeReference<WorkerAnswer<A>> answerType,
                                   Function<A, R> result) {
        byte[] body = VersionedJson.write(call);
        return http.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                        ? response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap(bytes -> {
                            try {
                                return Mono.just(result.apply(VersionedJson.read(bytes, WorkerPaths.VERSION, answerType).result()));
                            } catch (VersionedJson.FormatException e) {
                                return Mono.error(unreadable(path, e.getMessage()));
                            }
                        })
                        : failure(response))
                .onErrorMap(e -> !(e instanceof SyncProtocolException), RemoteSyncWorker::unreachable);
    }

    /**
     * A refusal: the worker's {@link WorkerError} becomes the same exception the worker raised.
     * An error of another format is only a server error; a worker that could not read our call
     * says so as a {@code SERVER_ERROR}, which is logged here too.
     */
    private static <R> Mono<R> failure(ClientResponse response) {
        int status = response.statusCode().value();
        return response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap(bytes -> {
            WorkerError error;
            try {
                error = VersionedJson.read(bytes, WorkerPaths.VERSION, WorkerError.class);
            } catch (VersionedJson.FormatException notOurs) {
                if (bytes.length > 0) {
                    log.warn("the sync worker answered HTTP {} with an error not in worker format version {}: {}",
                            status, VERSION, notOurs.getMessage());
                }
                return Mono.error(new SyncProtocolException(SyncErrorKind.SERVER_ERROR, "sync worker answered HTTP " + status));
            }
            if (status == 400 && error.kind() == SyncErrorKind.SERVER_ERROR) {
                log.warn("the sync worker could not read our call: {}", error.message());
            }
            return Mono.error(new SyncProtocolException(error.kind(), error.message()));
        });
    }
}
