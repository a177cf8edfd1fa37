package dev.deckhand.worker.http;

import dev.deckhand.protocol.SyncErrorKind;
import dev.deckhand.protocol.SyncJson;
import dev.deckhand.protocol.SyncMethod;
import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.protocol.message.MetaRequest;
import dev.deckhand.worker.SyncWorker;
import dev.deckhand.worker.WorkContext;
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

/** Serves {@link SyncWorker} over HTTP for gateways in the distributed wiring. */
public final class WorkerEndpoint {

    private static final Logger log = LoggerFactory.getLogger(WorkerEndpoint.class);

    private final SyncWorker worker;
    private final String token;

    public WorkerEndpoint(SyncWorker worker, String token) {
        this.worker = worker;
        this.token = token == null ? "" : token;
    }

    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .POST(WorkerPaths.META, request -> handle(request, new TypeReference<WorkerCall<MetaRequest>>() {},
                        call -> worker.meta(call.context(), call.request())))
                .POST(WorkerPaths.NORMAL_SYNC, request -> handle(request, new TypeReference<WorkerCall<NormalSyncCall>>() {},
                        call -> worker.normalSync(SyncMethod.fromWireName(call.request().method()).orElseThrow(
                                        () -> SyncProtocolException.notFound("unknown step " + call.request().method())),
                                call.context(), call.request().state(), call.request().request())))
                .POST(WorkerPaths.UPLOAD, request -> streamed(request, context ->
                        worker.upload(context, request.bodyToFlux(DataBuffer.class))
                                .flatMap(text -> ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).bodyValue(text))))
                .POST(WorkerPaths.DOWNLOAD, request -> streamed(request, context -> worker.download(context)
                        .flatMap(download -> ServerResponse.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                                .header(WorkerPaths.ORIGINAL_SIZE_HEADER, Long.toString(download.originalSize()))
                                .body(BodyInserters.fromDataBuffers(download.compressedBody())))))
                .build();
    }

    /** A call whose body is its payload: who it is for comes in headers. */
    private Mono<ServerResponse> streamed(ServerRequest request, Function<WorkContext, Mono<ServerResponse>> operation) {
        if (!tokenMatches(request.headers().firstHeader(WorkerPaths.TOKEN_HEADER))) {
            return ServerResponse.status(401).build();
        }
        long userId;
        try {
            userId = Long.parseLong(String.valueOf(request.headers().firstHeader(WorkerPaths.USER_HEADER)));
        } catch (NumberFormatException e) {
            return error(SyncErrorKind.BAD_REQUEST, "missing " + WorkerPaths.USER_HEADER);
        }
        String session = request.headers().firstHeader(WorkerPaths.SESSION_HEADER);
        return operation.apply(new WorkContext(userId, session == null ? "" : session))
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
                .map(body -> SyncJson.read(body, type))
                .flatMap(operation)
                .flatMap(result -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(SyncJson.write(result)))
                .onErrorResume(SyncProtocolException.class, e -> error(e.kind(), e.getMessage()))
                .onErrorResume(e -> !(e instanceof SyncProtocolException), e -> {
                    log.error("worker operation {} failed", request.path(), e);
                    return error(SyncErrorKind.SERVER_ERROR, "internal error in worker");
                });
    }

    private static Mono<ServerResponse> error(SyncErrorKind kind, String message) {
        return ServerResponse.status(kind.httpStatus()).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(SyncJson.write(new WorkerError(kind, message)));
    }

    private boolean tokenMatches(String presented) {
        if (token.isEmpty()) {
            return true;
        }
        return presented != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }
}
