package dev.deckhand.worker.http;

import dev.deckhand.protocol.SyncErrorKind;
import dev.deckhand.protocol.SyncMethod;
import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.protocol.internal.VersionedJson;
import dev.deckhand.worker.SyncWorker;
import dev.deckhand.worker.WorkContext;
import dev.deckhand.worker.http.WorkerMessages.MetaAnswer;
import dev.deckhand.worker.http.WorkerMessages.MetaCall;
import dev.deckhand.worker.http.WorkerMessages.NormalSyncCall;
import dev.deckhand.worker.http.WorkerMessages.StepAnswer;
import dev.deckhand.worker.http.WorkerMessages.WorkerAnswer;
import dev.deckhand.worker.http.WorkerMessages.WorkerCall;
import dev.deckhand.worker.http.WorkerMessages.WorkerError;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.web.reactive.function.BodyInserters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Serves {@link SyncWorker} over HTTP for gateways in the distributed wiring. Calls must be of
 * this release's format ({@link WorkerPaths#VERSION}); any other is answered with 400 and a
 * {@link WorkerError} of kind {@code SERVER_ERROR}, never guessed at.
 */
public final class WorkerEndpoint {

    private static final Logger log = LoggerFactory.getLogger(WorkerEndpoint.class);
    private static final String VERSION = Integer.toString(WorkerPaths.VERSION);

    private final SyncWorker worker;
    private final String token;

    public WorkerEndpoint(SyncWorker worker, String token) {
        this.worker = worker;
        this.token = token == null ? "" : token;
    }

    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .POST(WorkerPaths.META, request -> handle(request, new TypeReference<WorkerCall<MetaCall>>() {},
                        call -> worker.meta(call.context(), call.request().toRequest()).map(MetaAnswer::of)))
                .POST(WorkerPaths.NORMAL_SYNC, request -> handle(request, new TypeReference<WorkerCall<NormalSyncCall>>() {},
                        call -> worker.normalSync(SyncMethod.fromWireName(call.request().method()).orElseThrow(
                                        () -> SyncProtocolException.notFound("unknown step " + call.request().method())),
                                call.context(), WorkerMessages.State.toSyncState(call.request().state()), call.request().request())
                                .map(StepAnswer::of)))
                .POST(WorkerPaths.UPLOAD, request -> streamed(request, context ->
                        worker.upload(context, request.bodyToFlux(DataBuffer.class))
                                .flatMap(text -> ServerResponse.ok().contentType(MediaType.TEXT_PLAIN)
                                        .header(WorkerPaths.VERSION_HEADER, VERSION).bodyValue(text))))
                .POST(WorkerPaths.DOWNLOAD, request -> streamed(request, context -> worker.download(context)
                        .flatMap(download -> ServerResponse.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                                .header(WorkerPaths.VERSION_HEADER, VERSION)
                                .header(WorkerPaths.ORIGINAL_SIZE_HEADER, Long.toString(download.originalSize()))
                                .body(BodyInserters.fromDataBuffers(download.compressedBody())))))
                .build();
    }

    /** A call whose body is its payload: its version and who it is for come in headers. */
    private Mono<ServerResponse> streamed(ServerRequest request, Function<WorkContext, Mono<ServerResponse>> operation) {
        if (!tokenMatches(request.headers().firstHeader(WorkerPaths.TOKEN_HEADER))) {
            return ServerResponse.status(401).build();
        }
        String version = request.headers().firstHeader(WorkerPaths.VERSION_HEADER);
        if (!VERSION.equals(version)) {
            return unreadable(request, version == null ? "no format version (header " + WorkerPaths.VERSION_HEADER + ")"
                    : "format version " + version + " is not supported; expected version " + VERSION);
        }
        long userId;
        try {
            userId = Long.parseLong(String.valueOf(request.headers().firstHeader(WorkerPaths.USER_HEADER)));
        } catch (NumberFormatException e) {
            return unreadable(request, "missing or malformed " + WorkerPaths.USER_HEADER);
        }
        return operation.apply(new WorkContext(userId))
                .onErrorResume(SyncProtocolException.class, e -> error(e.kind(), e.getMessage()))
                .onErrorResume(e -> !(e instanceof SyncProtocolException), e -> {
                    log.error("worker operation {} failed", request.path(), e);
                    return error(SyncErrorKind.SERVER_ERROR, "internal error in worker");
                });
    }

    private <Q, R> Mono<ServerResponse> handle(ServerRequest request, TypeReference<WorkerCall<Q>> type,
                                               Function<WorkerCall<Q>, Mono<R>> operation) {
        if (!tokenMatches(request.headers().firstHeader(WorkerPaths.TOKEN_HEADER))) {
            return ServerResponse.status(401).build();
        }
        return request.bodyToMono(byte[].class)
                .defaultIfEmpty(new byte[0])
                .flatMap(body -> {
                    WorkerCall<Q> call;
                    try {
                        call = VersionedJson.read(body, WorkerPaths.VERSION, type);
                    } catch (VersionedJson.FormatException e) {
                        return unreadable(request, e.getMessage());
                    }
                    return Mono.defer(() -> operation.apply(call))
                            .flatMap(result -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                                    .bodyValue(VersionedJson.write(WorkerAnswer.of(result))))
                            .onErrorResume(SyncProtocolException.class, e -> error(e.kind(), e.getMessage()))
                            .onErrorResume(e -> !(e instanceof SyncProtocolException), e -> {
                                log.error("worker operation {} failed", request.path(), e);
                                return error(SyncErrorKind.SERVER_ERROR, "internal error in worker");
                            });
                });
    }

    /**
     * A call this worker cannot read: of another release, or not ours. The gateway must not take
     * it for the client's fault, so the kind is a server error, and the status (400) tells it from
     * a failure of the operation itself.
     */
    private static Mono<ServerResponse> unreadable(ServerRequest request, String why) {
        log.warn("refused a call to {} that is not in worker format version {}: {}", request.path(), VERSION, why);
        return ServerResponse.status(400).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(VersionedJson.write(WorkerError.of(SyncErrorKind.SERVER_ERROR,
                        "unreadable worker call: " + why)));
    }

    private static Mono<ServerResponse> error(SyncErrorKind kind, String message) {
        return ServerResponse.status(kind.httpStatus()).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(VersionedJson.write(WorkerError.of(kind, message == null ? kind.name() : message)));
    }

    private boolean tokenMatches(String presented) {
        if (token.isEmpty()) {
            return true;
        }
        return presented != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }
}
