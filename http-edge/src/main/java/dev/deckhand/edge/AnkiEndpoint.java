package dev.deckhand.edge;

import dev.deckhand.protocol.SyncLimits;
import dev.deckhand.protocol.AnkiHeaders;
import dev.deckhand.protocol.SyncErrorKind;
import dev.deckhand.protocol.SyncHeader;
import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.protocol.ZstdFraming;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.store.account.AuthenticatedUser;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The steps every public endpoint of the protocol takes, in one place: read the body within
 * limits, check the {@code anki-sync} header, unpack the payload, authenticate the host key,
 * and turn failures into the protocol's statuses, timing each request by method and outcome.
 */
public final class AnkiEndpoint {

    private static final Logger log = LoggerFactory.getLogger(AnkiEndpoint.class);

    private final AccountService accounts;
    private final SyncLimits limits;
    private final MeterRegistry meters;

    public AnkiEndpoint(AccountService accounts, SyncLimits limits, MeterRegistry meters) {
        this.accounts = accounts;
        this.limits = limits;
        this.meters = meters;
    }

    /**
     * Serves one request.
     *
     * @param metric     name of the timer, e.g. {@code deckhand.sync.requests}
     * @param methodTag  the protocol method, or {@code unknown}; a tag, so never raw client input
     * @param work       what to do with the decoded request
     */
    public Mono<ServerResponse> serve(ServerRequest request, String metric, String methodTag,
                                      Function<DecodedRequest, Mono<ServerResponse>> work) {
        return respond(request, metric, methodTag,
                BoundedBody.read(request.body(BodyExtractors.toDataBuffers()), limits.maxRequestBytes())
                        .flatMap(body -> decode(request, body))
                        .flatMap(work));
    }

    /**
     * Serves a request whose body is too large to hold: {@code work} gets the header and the
     * body as it arrives (still compressed) and must consume it.
     */
    public Mono<ServerResponse> serveStreamed(ServerRequest request, String metric, String methodTag,
                                              BiFunction<SyncHeader, Flux<DataBuffer>, Mono<ServerResponse>> work) {
        return respond(request, metric, methodTag, Mono.defer(() -> {
            requirePost(request);
            return work.apply(header(request), request.body(BodyExtractors.toDataBuffers()));
        }));
    }

    /** Reads and drops a body whose content does not matter, within the size limit. */
    public Mono<Void> discardBody(Flux<DataBuffer> body) {
        return BoundedBody.discard(body, limits.maxRequestBytes());
    }

    private Mono<ServerResponse> respond(ServerRequest request, String metric, String methodTag, Mono<ServerResponse> work) {
        Timer.Sample timing = Timer.start(meters);
        return work
                .onErrorResume(SyncProtocolException.class, e -> {
                    log.debug("{} {} refused: {} {}", metric, methodTag, e.kind(), e.getMessage());
                    return drained(request).then(SyncResponses.error(e.kind(), e.getMessage()));
                })
                .onErrorResume(e -> !(e instanceof SyncProtocolException), e -> {
                    log.error("{} {} failed", metric, methodTag, e);
                    return drained(request).then(SyncResponses.error(SyncErrorKind.SERVER_ERROR, "internal server error"));
                })
                .doOnNext(response -> timing.stop(Timer.builder(metric)
                        .tag("method", methodTag)
                        .tag("outcome", response.statusCode().is2xxSuccessful() ? "ok"
                                : Integer.toString(response.statusCode().value()))
                        .register(meters)));
    }

    /**
     * Reads what is left of a refused request's body, so the client gets to see our answer:
     * it reads the response only after sending everything. A body already read gives nothing.
     */
    private Mono<Void> drained(ServerRequest request) {
        return BoundedBody.discard(request.body(BodyExtractors.toDataBuffers()), 2 * limits.maxRequestBytes())
                .onErrorResume(e -> Mono.empty());
    }

    /** The user behind the request's host key; 403 for an unknown or revoked key. */
    public Mono<AuthenticatedUser> authenticate(SyncHeader header) {
        return accounts.authenticate(header.hostKey())
                .switchIfEmpty(Mono.error(() -> SyncProtocolException.authFailed("unknown or revoked host key")));
    }

    private Mono<DecodedRequest> decode(ServerRequest request, byte[] body) {
        requirePost(request);
        SyncHeader header = header(request);
        return Mono.fromCallable(() -> new DecodedRequest(header, ZstdFraming.decompress(body, limits.maxPayloadBytes())))
                // a payload may unpack to hundreds of MiB: keep that off the event loop
                .subscribeOn(Schedulers.boundedElastic());
    }

    private static void requirePost(ServerRequest request) {
        if (request.method() != HttpMethod.POST) {
            throw SyncProtocolException.notFound("sync methods take POST, not " + request.method());
        }
    }

    private static SyncHeader header(ServerRequest request) {
        String raw = request.headers().firstHeader(AnkiHeaders.SYNC);
        if (raw != null) {
            return SyncHeader.parse(raw);
        }
        boolean multipart = request.headers().contentType()
                .map(MediaType.MULTIPART_FORM_DATA::isCompatibleWith).orElse(false);
        if (multipart) {
            // Anki 2.1.56 and older, AnkiDroid's Java sync: they show "please update" for 501
            throw SyncProtocolException.clientTooOld(
                    "the legacy multipart sync protocol (versions 8-10) is not supported; update the client");
        }
        throw SyncProtocolException.badRequest("missing anki-sync header");
    }
}
