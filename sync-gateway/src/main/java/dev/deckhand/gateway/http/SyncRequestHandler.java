package dev.deckhand.gateway.http;

import dev.deckhand.edge.AnkiEndpoint;
import dev.deckhand.edge.DecodedRequest;
import dev.deckhand.edge.SyncResponses;
import dev.deckhand.gateway.session.SyncSessionStore;
import dev.deckhand.protocol.SyncErrorKind;
import dev.deckhand.protocol.SyncJson;
import dev.deckhand.protocol.SyncMethod;
import dev.deckhand.protocol.SyncPath;
import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.protocol.message.HostKeyRequest;
import dev.deckhand.protocol.message.HostKeyResponse;
import dev.deckhand.protocol.message.MetaRequest;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.store.account.AuthenticatedUser;
import dev.deckhand.worker.SyncWorker;
import dev.deckhand.worker.WorkContext;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import dev.deckhand.gateway.session.SyncSession;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The edge of collection sync: every {@code <prefix>/sync/<method>} comes here. Logins are
 * answered here; every other method is authenticated and handed to a {@link SyncWorker}.
 * Nothing is kept between requests.
 */
public final class SyncRequestHandler {

    static final String METRIC = "deckhand.sync.requests";

    private final AnkiEndpoint endpoint;
    private final AccountService accounts;
    private final SyncWorker worker;
    private final SyncSessionStore sessions;
    private final Duration sessionTtl;
    private final Clock clock;

    /**
     * @param sessionTtl how long an open sync's session lives; every step renews it, so an
     *                   abandoned sync frees the account after this long ({@code deckhand.sessions.ttl})
     * @param clock      when sessions start
     */
    public SyncRequestHandler(AnkiEndpoint endpoint, AccountService accounts, SyncWorker worker, SyncSessionStore sessions,
                              Duration sessionTtl, Clock clock) {
        if (sessionTtl.isNegative() || sessionTtl.isZero()) {
            throw new IllegalArgumentException("deckhand.sessions.ttl must be positive, not " + sessionTtl);
        }
        this.endpoint = endpoint;
        this.accounts = accounts;
        this.worker = worker;
        this.sessions = sessions;
        this.sessionTtl = sessionTtl;
        this.clock = clock;
    }

    /** How long an open sync's session lives after its last step. */
    public Duration sessionTtl() {
        return sessionTtl;
    }

    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route(
                request -> SyncPath.parse(request.path()).filter(p -> p.kind() == SyncPath.Kind.SYNC).isPresent(),
                this::handle);
    }

    private Mono<ServerResponse> handle(ServerRequest request) {
        String name = SyncPath.parse(request.path()).orElseThrow().methodName();
        Optional<SyncMethod> method = SyncMethod.fromWireName(name);
        String tag = method.map(SyncMethod::wireName).orElse("unknown");
        if (method.isPresent() && (method.get() == SyncMethod.UPLOAD || method.get() == SyncMethod.DOWNLOAD)) {
            return endpoint.serveStreamed(request, METRIC, tag, (header, body) -> endpoint.authenticate(header)
                    // like meta, a full sync ends any normal sync the user left open
                    .flatMap(user -> sessions.remove(user.userId()).thenReturn(new WorkContext(user.userId())))
                    .flatMap(context -> method.get() == SyncMethod.UPLOAD
                            ? worker.upload(context, body).flatMap(answer ->
                                    SyncResponses.payload(answer.getBytes(StandardCharsets.UTF_8), header))
                            : endpoint.discardBody(body).then(worker.download(context)).flatMap(download ->
                                    SyncResponses.compressedStream(download.originalSize(), download.compressedBody()))));
        }
        return endpoint.serve(request, METRIC, tag, decoded -> {
            SyncMethod m = method.orElseThrow(() -> SyncProtocolException.notFound("unknown sync method '" + name + "'"));
            Mono<byte[]> result = m == SyncMethod.HOST_KEY
                    ? login(decoded)
                    : endpoint.authenticate(decoded.header()).flatMap(user -> operation(m, decoded, user));
            return result.flatMap(r -> SyncResponses.payload(r, decoded.header()));
        });
    }

    private Mono<byte[]> login(DecodedRequest request) {
        HostKeyRequest credentials = SyncJson.read(request.payload(), HostKeyRequest.class);
        return accounts.login(credentials.u(), credentials.p()).map(key -> SyncJson.write(new HostKeyResponse(key)));
    }

    private Mono<byte[]> operation(SyncMethod method, DecodedRequest request, AuthenticatedUser user) {
        WorkContext context = new WorkContext(user.userId());
        return switch (method) {
            // meta begins every sync, so as in Anki's server it ends any sync the user left open
            case META -> sessions.remove(user.userId())
                    .then(worker.meta(context, SyncJson.read(request.payload(), MetaRequest.class)))
                    .map(SyncJson::write);
            case ABORT -> sessions.find(user.userId())
                    // whatever the session key: a cancelled sync's abort comes from a new client object
                    .flatMap(open -> worker.normalSync(method, context, open.state(), "{}")
                            .then(sessions.remove(user.userId())))
                    .thenReturn(NULL);
            default -> normalSync(method, context, request);
        };
    }

    /**
     * A step of a normal sync. {@code start} opens the user's session (replacing any other, as in
     * Anki's server); every later step must come with that session's key, or gets 409. A step
     * that fails ends the session, and what it staged is dropped.
     */
    private Mono<byte[]> normalSync(SyncMethod method, WorkContext context, DecodedRequest request) {
        String sessionKey = request.header().sessionKey();
        if (sessionKey.isEmpty()) {
            return Mono.error(SyncProtocolException.badRequest("missing skey"));
        }
        String payload = new String(request.payload(), StandardCharsets.UTF_8);
        long userId = context.userId();
        if (method == SyncMethod.START) {
            // start also drops what an older sync staged, and its new epoch fences that sync off
            return worker.normalSync(method, context, null, payload)
                    .flatMap(step -> sessions.save(new SyncSession(userId, sessionKey, clock.instant(), step.state()),
                            sessionTtl).thenReturn(step.answer().getBytes(StandardCharsets.UTF_8)));
        }
        return sessions.find(userId)
                .filter(open -> open.sessionKey().equals(sessionKey))
                .switchIfEmpty(Mono.error(() -> SyncProtocolException.conflict("no sync with this session key is in progress")))
                .flatMap(open -> worker.normalSync(method, context, open.state(), payload)
                        .flatMap(step -> (step.state() == null ? sessions.remove(userId).then()
                                : sessions.save(open.withState(step.state()), sessionTtl))
                                .thenReturn(step.answer().getBytes(StandardCharsets.UTF_8)))
                        .onErrorResume(SyncProtocolException.class, e -> e.kind() == SyncErrorKind.BAD_REQUEST
                                ? worker.normalSync(SyncMethod.ABORT, context, open.state(), "{}")
                                        .then(sessions.remove(userId)).then(Mono.error(e))
                                : Mono.error(e)));
    }

    private static final byte[] NULL = "null".getBytes(StandardCharsets.UTF_8);
}
