package dev.deckhand.gateway.http;

import dev.deckhand.edge.AnkiEndpoint;
import dev.deckhand.edge.DecodedRequest;
import dev.deckhand.edge.SyncResponses;
import dev.deckhand.gateway.session.SessionRule;
import dev.deckhand.gateway.session.SyncSession;
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
import dev.deckhand.worker.NormalSyncStep;
import dev.deckhand.worker.SyncWorker;
import dev.deckhand.worker.WorkContext;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The edge of collection sync: every {@code <prefix>/sync/<method>} comes here. Logins are
 * answered here; every other method is authenticated and handed to a {@link SyncWorker}.
 * Which client may sync is the {@link SessionRule}'s to decide; nothing is kept between requests.
 */
public final class SyncRequestHandler {

    static final String METRIC = "deckhand.sync.requests";

    private final AnkiEndpoint endpoint;
    private final AccountService accounts;
    private final SyncWorker worker;
    private final SessionRule sessions;

    public SyncRequestHandler(AnkiEndpoint endpoint, AccountService accounts, SyncWorker worker, SessionRule sessions) {
        this.endpoint = endpoint;
        this.accounts = accounts;
        this.worker = worker;
        this.sessions = sessions;
    }

    /** How long an open sync's session lives after its last step. */
    public Duration sessionTtl() {
        return sessions.ttl();
    }

    /** How long after its last step an open sync keeps the account from other clients. */
    public Duration takeoverAfter() {
        return sessions.takeoverAfter();
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
                    // a full sync replaces the collection under any normal sync: refused while another
                    // client's is active, and otherwise it ends the one left open, like meta
                    .flatMap(user -> endOpenSync(new WorkContext(user.userId()), header.sessionKey()))
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
        String sessionKey = request.header().sessionKey();
        return switch (method) {
            // meta begins every sync: as in Anki's server it ends the sync the user left open, but
            // not one that another client is still working on
            case META -> endOpenSync(context, sessionKey)
                    .flatMap(c -> worker.meta(c, SyncJson.read(request.payload(), MetaRequest.class)))
                    .map(SyncJson::write);
            // only the sync's own client may end it; a user's cancel comes with a new key, and that
            // sync frees the account once it has been idle for takeover-after
            case ABORT -> sessions.endOwn(user.userId(), sessionKey)
                    .flatMap(own -> fence(context, own))
                    .thenReturn(NULL);
            default -> normalSync(method, context, request);
        };
    }

    /** Ends the user's open sync for a new one of this client (409 while another client's is active), and fences it off. */
    private Mono<WorkContext> endOpenSync(WorkContext context, String sessionKey) {
        return sessions.endForNewSync(context.userId(), sessionKey)
                .flatMap(ended -> fence(context, ended))
                .thenReturn(context);
    }

    /**
     * Retires an ended sync's epoch and drops what it staged, so that a step of it still in
     * flight can never commit. A newer sync's epoch is left alone.
     */
    private Mono<Void> fence(WorkContext context, SyncSession ended) {
        return ended.state() == null ? Mono.empty()
                : worker.normalSync(SyncMethod.ABORT, context, ended.state(), "{}").then();
    }

    /**
     * A step of a normal sync. {@code start} opens the user's session, taking over one that has
     * been idle long enough; every later step must come with that session's key, or gets 409. A
     * step that fails ends the session, and what it staged is dropped. A step whose sync was
     * taken over while it ran gets 409, whatever it did (the take-over fenced it off).
     */
    private Mono<byte[]> normalSync(SyncMethod method, WorkContext context, DecodedRequest request) {
        String sessionKey = request.header().sessionKey();
        if (sessionKey.isEmpty()) {
            return Mono.error(SyncProtocolException.badRequest("missing skey"));
        }
        String payload = new String(request.payload(), StandardCharsets.UTF_8);
        long userId = context.userId();
        if (method == SyncMethod.START) {
            return sessions.open(userId, sessionKey).flatMap(opened -> opened.replaced()
                    .map(old -> fence(context, old)).orElse(Mono.empty())
                    // start also drops what an older sync staged, and its new epoch fences that sync off
                    .then(worker.normalSync(method, context, null, payload))
                    // a refused start leaves the account free
                    .onErrorResume(e -> sessions.end(opened.session()).then(Mono.error(e)))
                    .flatMap(step -> answer(opened.session(), step)));
        }
        return sessions.arrive(userId, sessionKey)
                .flatMap(open -> worker.normalSync(method, context, open.state(), payload)
                        .onErrorResume(SyncProtocolException.class, e -> e.kind() == SyncErrorKind.BAD_REQUEST
                                ? sessions.end(open).then(fence(context, open)).then(Mono.error(e))
                                : Mono.error(e))
                        .flatMap(step -> answer(open, step)));
    }

    /** Keeps what a step of {@code sync} returned and answers it; 409 if another sync took over meanwhile. */
    private Mono<byte[]> answer(SyncSession sync, NormalSyncStep step) {
        byte[] answer = step.answer().getBytes(StandardCharsets.UTF_8);
        return sessions.keep(sync, step.state()).flatMap(kept -> kept || step.state() == null
                // a step that ended the sync (finish) did so whole either way, and its client must hear it
                ? Mono.just(answer)
                : Mono.error(SyncProtocolException.conflict("another client's sync took over while this step ran")));
    }

    private static final byte[] NULL = "null".getBytes(StandardCharsets.UTF_8);
}
