package dev.deckhand.media.http;

import dev.deckhand.edge.AnkiEndpoint;
import dev.deckhand.edge.DecodedRequest;
import dev.deckhand.edge.SyncResponses;
import dev.deckhand.protocol.MediaMethod;
import dev.deckhand.protocol.SyncErrorKind;
import dev.deckhand.protocol.SyncJson;
import dev.deckhand.protocol.SyncPath;
import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.store.account.AuthenticatedUser;
import dev.deckhand.store.media.MediaIndexStore;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import java.util.Optional;

/**
 * The edge of media sync: every {@code <prefix>/msync/<method>}. Media requests ignore
 * collection sync sessions entirely, so clients may run both at once.
 */
public final class MediaRequestHandler {

    static final String METRIC = "deckhand.media.requests";

    private final AnkiEndpoint endpoint;
    private final MediaIndexStore index;

    public MediaRequestHandler(AnkiEndpoint endpoint, MediaIndexStore index) {
        this.endpoint = endpoint;
        this.index = index;
    }

    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route(
                request -> SyncPath.parse(request.path()).filter(p -> p.kind() == SyncPath.Kind.MEDIA).isPresent(),
                this::handle);
    }

    private Mono<ServerResponse> handle(ServerRequest request) {
        String name = SyncPath.parse(request.path()).orElseThrow().methodName();
        Optional<MediaMethod> method = MediaMethod.fromWireName(name);
        return endpoint.serve(request, METRIC, method.map(MediaMethod::wireName).orElse("unknown"), decoded -> {
            MediaMethod m = method.orElseThrow(() -> SyncProtocolException.notFound("unknown media method '" + name + "'"));
            return endpoint.authenticate(decoded.header())
                    .flatMap(user -> operation(m, decoded, user))
                    .flatMap(data -> SyncResponses.payload(SyncJson.write(new MediaEnvelope(data, "")),
                            decoded.header().version()));
        });
    }

    private Mono<Object> operation(MediaMethod method, DecodedRequest request, AuthenticatedUser user) {
        return switch (method) {
            case BEGIN -> {
                MediaBeginRequest begin = SyncJson.read(request.payload(), MediaBeginRequest.class);
                if (begin.v() == null || begin.v().isBlank()) {
                    throw SyncProtocolException.badRequest("media begin needs the client version 'v'");
                }
                // v11 clients ignore sk; legacy ones send it back, and it is the host key there too
                yield index.currentUsn(user.userId()).map(usn -> new MediaBeginResponse(usn, request.header().hostKey()));
            }
            default -> Mono.error(new SyncProtocolException(SyncErrorKind.CLIENT_TOO_OLD,
                    "media method '" + method.wireName() + "' is not implemented by this server yet"));
        };
    }

    /** Every media answer but downloadFiles is wrapped so; {@code err} must be present and empty. */
    record MediaEnvelope(Object data, String err) {}

    record MediaBeginRequest(String v) {}

    record MediaBeginResponse(int usn, String sk) {}
}
