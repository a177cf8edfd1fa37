package dev.deckhand.media;

import dev.deckhand.edge.AnkiEndpoint;
import dev.deckhand.edge.EdgeConfiguration;
import dev.deckhand.media.blob.MediaStorageConfiguration;
import dev.deckhand.media.http.MediaRequestHandler;
import dev.deckhand.store.media.MediaIndexStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The media service's parts. */
@Configuration(proxyBeanMethods = false)
@Import({EdgeConfiguration.class, MediaStorageConfiguration.class})
public class MediaServiceConfiguration {

    @Bean
    MediaRequestHandler mediaRequestHandler(AnkiEndpoint endpoint, MediaIndexStore index) {
        return new MediaRequestHandler(endpoint, index);
    }

    @Bean
    RouterFunction<ServerResponse> mediaRoutes(MediaRequestHandler handler) {
        return handler.routes();
    }
}
