package dev.deckhand.media;

import dev.deckhand.edge.AnkiEndpoint;
import dev.deckhand.edge.EdgeConfiguration;
import dev.deckhand.media.blob.MediaBlobStore;
import dev.deckhand.media.blob.MediaStorageConfiguration;
import dev.deckhand.media.cleanup.UnusedBlobSweep;
import dev.deckhand.media.cleanup.UnusedBlobSweeper;
import dev.deckhand.media.cleanup.UserDeletion;
import dev.deckhand.media.http.MediaRequestHandler;
import dev.deckhand.media.sync.MediaSync;
import dev.deckhand.store.MediaIndexConfiguration;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.store.media.MediaBlobReferences;
import dev.deckhand.store.media.MediaIndexStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The media service's parts: the edge (with accounts, for host keys), the media index, the blob
 * store and media sync. Nothing of collection sync.
 */
@Configuration(proxyBeanMethods = false)
@Import({EdgeConfiguration.class, MediaIndexConfiguration.class, MediaBlobReferences.class, MediaStorageConfiguration.class})
public class MediaServiceConfiguration {

    /**
     * @param quotaMegs the most MiB of media one user may keep ({@code deckhand.media.quota-megs},
     *                  0 for no limit)
     * @param scratch   where uploads are unpacked and downloads built: the temporary folder that
     *                  full syncs use too ({@code deckhand.sync.temp-dir})
     */
    @Bean
    MediaSync mediaSync(MediaIndexStore index, MediaBlobStore blobs,
            @Value("${deckhand.media.quota-megs:0}") long quotaMegs,
            @Value("${deckhand.sync.temp-dir:${java.io.tmpdir}/deckhand}") Path scratch) {
        return new MediaSync(index, blobs, quotaMegs * 1024 * 1024, scratch);
    }

    /** Deletes a user's rows and then its blobs ({@code deckhand deluser}, and embedders). */
    @Bean
    UserDeletion userDeletion(AccountService accounts, MediaBlobStore blobs) {
        return new UserDeletion(accounts, blobs);
    }

    @Bean
    UnusedBlobSweep unusedBlobSweep(MediaBlobStore blobs, MediaIndexStore index, MediaBlobReferences references) {
        return new UnusedBlobSweep(blobs, index, references);
    }

    /**
     * @param every how often each process sweeps ({@code deckhand.media.sweep-every}, default a
     *              day; 0 for never)
     * @param grace how old a blob must be before it may go ({@code deckhand.media.sweep-grace},
     *              default an hour)
     */
    @Bean
    UnusedBlobSweeper unusedBlobSweeper(UnusedBlobSweep sweep,
            @Value("${deckhand.media.sweep-every:PT24H}") Duration every,
            @Value("${deckhand.media.sweep-grace:PT1H}") Duration grace) {
        return new UnusedBlobSweeper(sweep, every, grace, Clock.systemUTC());
    }

    @Bean
    MediaRequestHandler mediaRequestHandler(AnkiEndpoint endpoint, MediaIndexStore index, MediaSync media) {
        return new MediaRequestHandler(endpoint, index, media);
    }

    @Bean
    RouterFunction<ServerResponse> mediaRoutes(MediaRequestHandler handler) {
        return handler.routes();
    }
}
