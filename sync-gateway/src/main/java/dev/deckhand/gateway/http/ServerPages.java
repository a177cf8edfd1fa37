package dev.deckhand.gateway.http;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.LivenessState;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The two answers outside the sync protocol. {@code GET /health} is what Anki's own server offers
 * container health checks: 200 with an empty body, here while the process is live (Spring's
 * liveness state), else 503. {@code GET /} is a short page telling a person who opens the server's
 * address in a browser that it runs, and how to point Anki at it.
 */
public final class ServerPages {

    private static final MediaType TEXT = new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8);

    private final ApplicationAvailability availability;

    public ServerPages(ApplicationAvailability availability) {
        this.availability = availability;
    }

    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route(RequestPredicates.GET("/health"), this::health)
                .andRoute(RequestPredicates.GET("/"), this::page);
    }

    private Mono<ServerResponse> health(ServerRequest request) {
        return availability.getLivenessState() == LivenessState.CORRECT
                ? ServerResponse.ok().build()
                : ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE).build();
    }

    private Mono<ServerResponse> page(ServerRequest request) {
        return ServerResponse.ok()
                .contentType(TEXT)
                // the address comes from the request's Host header: never let a browser take it for markup
                .header("X-Content-Type-Options", "nosniff")
                .bodyValue(page(address(request.uri())));
    }

    /** The server's address as this request reached it: what a person would enter in Anki. */
    static String address(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority() + "/";
    }

    static String page(String address) {
        return """
                The Deckhand sync server is running.

                It is a sync server for Anki; there is nothing more to see in a browser.
                To sync with it, enter this server's address, with the slash at the end:

                    %s

                - Anki on a computer: Preferences > Syncing > Self-hosted sync server
                - AnkiDroid: Settings > Sync > Custom sync server
                - AnkiMobile: the custom sync server setting in its sync preferences

                Then sync, and log in with your username and password. Behind a reverse proxy,
                use the address you opened this page with.
                """.formatted(address);
    }
}
