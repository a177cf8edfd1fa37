package dev.deckhand.gateway;

import dev.deckhand.edge.AnkiEndpoint;
import dev.deckhand.edge.EdgeConfiguration;
import dev.deckhand.gateway.http.SyncRequestHandler;
import dev.deckhand.gateway.session.InMemorySyncSessionStore;
import dev.deckhand.gateway.session.RedisSyncSessionStore;
import dev.deckhand.gateway.session.SyncSessionStore;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.store.collection.CollectionStore;
import dev.deckhand.store.fullsync.FullSyncService;
import dev.deckhand.worker.normalsync.NormalSync;
import dev.deckhand.protocol.SyncLimits;
import dev.deckhand.store.media.MediaIndexStore;
import dev.deckhand.worker.SyncWorker;
import dev.deckhand.worker.http.RemoteSyncWorker;
import dev.deckhand.worker.local.LocalSyncWorker;
import dev.deckhand.worker.normalsync.NormalSyncConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import java.nio.file.Path;
import java.time.Clock;

/**
 * The sync gateway's parts. Two seams are chosen by configuration: where workers run
 * ({@code deckhand.worker.url} set: over HTTP; unset: in this process) and where sessions live
 * ({@code deckhand.sessions.store}: {@code redis} or {@code memory}).
 */
@Configuration(proxyBeanMethods = false)
@Import({EdgeConfiguration.class, NormalSyncConfiguration.class})
public class SyncGatewayConfiguration {

    @Bean
    SyncWorker syncWorker(@Value("${deckhand.worker.url:}") String workerUrl,
                          @Value("${deckhand.worker.token:}") String workerToken,
                          @Value("${deckhand.sync.max-payload-megs:" + SyncLimits.DEFAULT_MEGS + "}") int maxPayloadMegs,
                          @Value("${deckhand.sync.temp-dir:${java.io.tmpdir}/deckhand}") Path tempDir,
                          CollectionStore collections, MediaIndexStore media, FullSyncService fullSync,
                          NormalSync normalSync) {
        return workerUrl.isBlank()
                ? LocalSyncWorker.of(collections, media, fullSync, normalSync, maxPayloadMegs, tempDir)
                : new RemoteSyncWorker(WebClient.builder(), workerUrl, workerToken);
    }

    @Bean
    SyncSessionStore syncSessionStore(@Value("${deckhand.sessions.store:redis}") String store,
                                      @Value("${deckhand.redis.key-prefix:deckhand:}") String keyPrefix,
                                      ObjectProvider<ReactiveStringRedisTemplate> redis) {
        return switch (store) {
            case "redis" -> new RedisSyncSessionStore(redis.getObject(), keyPrefix);
            case "memory" -> new InMemorySyncSessionStore(Clock.systemUTC());
            default -> throw new IllegalArgumentException(
                    "deckhand.sessions.store must be 'redis' or 'memory', not '" + store + "'");
        };
    }

    @Bean
    SyncRequestHandler syncRequestHandler(AnkiEndpoint endpoint, AccountService accounts, SyncWorker worker,
                                          SyncSessionStore sessions) {
        return new SyncRequestHandler(endpoint, accounts, worker, sessions);
    }

    @Bean
    RouterFunction<ServerResponse> syncRoutes(SyncRequestHandler handler) {
        return handler.routes();
    }
}
