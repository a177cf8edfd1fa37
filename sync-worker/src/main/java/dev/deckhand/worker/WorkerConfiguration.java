package dev.deckhand.worker;

import dev.deckhand.protocol.SyncLimits;
import dev.deckhand.store.CollectionsConfiguration;
import dev.deckhand.store.MediaIndexConfiguration;
import dev.deckhand.store.collection.CollectionStore;
import dev.deckhand.store.fullsync.FullSyncService;
import dev.deckhand.store.media.MediaIndexStore;
import dev.deckhand.worker.fullsync.FullSyncFiles;
import dev.deckhand.worker.local.LocalSyncWorker;
import dev.deckhand.worker.normalsync.NormalSyncConfiguration;
import dev.deckhand.worker.normalsync.NormalSync;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import java.nio.file.Path;
import java.time.Clock;

/**
 * What a process needs to execute sync operations itself: the {@link LocalSyncWorker} with full
 * sync's files, normal sync and its idle sweeper, over the collections and the media index.
 * Imported by {@link SyncWorkerApplication} and by a gateway without {@code deckhand.worker.url}
 * (the all-in-one server); a gateway that calls workers over HTTP has none of it.
 */
@Configuration(proxyBeanMethods = false)
@Import({CollectionsConfiguration.class, MediaIndexConfiguration.class, NormalSyncConfiguration.class})
public class WorkerConfiguration {

    /**
     * @param maxPayloadMegs {@code deckhand.sync.max-payload-megs}, as {@code MAX_SYNC_PAYLOAD_MEGS}
     * @param tempDir        where uploads are unpacked and downloads built ({@code deckhand.sync.temp-dir})
     */
    @Bean
    FullSyncFiles fullSyncFiles(FullSyncService fullSync,
                                @Value("${deckhand.sync.max-payload-megs:" + SyncLimits.DEFAULT_MEGS + "}") int maxPayloadMegs,
                                @Value("${deckhand.sync.temp-dir:${java.io.tmpdir}/deckhand}") Path tempDir) {
        return new FullSyncFiles(fullSync, SyncLimits.ofMegs(maxPayloadMegs), tempDir);
    }

    @Bean
    SyncWorker syncWorker(CollectionStore collections, MediaIndexStore media, FullSyncFiles fullSync,
                          NormalSync normalSync) {
        return new LocalSyncWorker(collections, media, fullSync, normalSync, Clock.systemUTC());
    }
}
