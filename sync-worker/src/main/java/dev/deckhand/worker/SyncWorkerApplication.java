package dev.deckhand.worker;

import dev.deckhand.store.CollectionStoreConfiguration;
import dev.deckhand.store.collection.CollectionStore;
import dev.deckhand.store.fullsync.FullSyncService;
import dev.deckhand.worker.normalsync.NormalSync;
import dev.deckhand.store.media.MediaIndexStore;
import dev.deckhand.worker.http.WorkerEndpoint;
import dev.deckhand.worker.normalsync.NormalSyncConfiguration;
import dev.deckhand.worker.local.LocalSyncWorker;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.PropertySource;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import java.nio.file.Path;

/** A sync worker on its own, for the distributed wiring: gateways call it over HTTP. */
@SpringBootApplication(scanBasePackages = {})
@Import({CollectionStoreConfiguration.class, NormalSyncConfiguration.class})
@PropertySource("classpath:sync-worker.properties")
public class SyncWorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(SyncWorkerApplication.class, args);
    }

    @Bean
    SyncWorker syncWorker(CollectionStore collections, MediaIndexStore media, FullSyncService fullSync,
                          NormalSync normalSync,
                          @Value("${deckhand.sync.max-payload-megs:100}") int maxPayloadMegs,
                          @Value("${deckhand.sync.temp-dir:${java.io.tmpdir}/deckhand}") Path tempDir) {
        return LocalSyncWorker.of(collections, media, fullSync, normalSync, maxPayloadMegs, tempDir);
    }

    @Bean
    RouterFunction<ServerResponse> workerRoutes(SyncWorker worker, @Value("${deckhand.worker.token:}") String token) {
        return new WorkerEndpoint(worker, token).routes();
    }
}
