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

import java.nio.charset.StandardCharsets;
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

    public SyncRequestHandler(AnkiEndpoint endpoint, AccountService accounts, SyncWorker worker, SyncSessionStore sessions) {
        this.endpoint = endpoint;
        this.accounts = accounts;
        this.worker = worker;
        this.sessions = sessions;
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
                    .flatMap(user -> sessions.remove(user.userId()).thenReturn(new WorkContext(user.userId(), header.sessionKey())))
                    .flatMap(context -> method.get() == SyncMethod.UPLOAD
                            ? worker.upload(context, body).flatMap(answer ->
                                    SyncResponses.payload(answer.getBytes(StandardCharsets.UTF_8), header.version()))
                            : endpoint.discardBody(body).then(worker.download(context)).flatMap(download ->
                                    SyncResponses.compressedStream(download.originalSize(), download.compressedBody()))));
        }
        return endpoint.serve(request, METRIC, tag, decoded -> {
            SyncMethod m = method.orElseThrow(() -> SyncProtocolException.notFound("unknown sync method '" + name + "'"));
            Mono<Object> result = m == SyncMethod.HOST_KEY
                    ? login(decoded)
                    : endpoint.authenticate(decoded.header()).flatMap(user -> operation(m, decoded, user));
            return result.flatMap(r -> SyncResponses.payload(SyncJson.write(r), decoded.header().version()));
        });
    }

    private Mono<Object> login(DecodedRequest request) {
        HostKeyRequest credentials = SyncJson.read(request.payload(), HostKeyRequest.class);
        return accounts.login(credentials.u(), credentials.p()).map(HostKeyResponse::new);
    }

    private Mono<Object> operation(SyncMethod method, DecodedRequest request, AuthenticatedUser user) {
        WorkContext context = new WorkContext(user.userId(), request.header().sessionKey());
        return switch (method) {
            // meta begins every sync, so as in Anki's server it ends any sync the user left open
            case META -> sessions.remove(user.userId())
                    .then(worker.meta(context, SyncJson.read(request.payload(), MetaRequest.class)).cast(Object.class));
            default -> Mono.error(new SyncProtocolException(SyncErrorKind.CLIENT_TOO_OLD,
                    "sync method '" + method.wireName() + "' is not implemented by this server yet"));
        };
    }
}
