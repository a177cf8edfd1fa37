package dev.deckhand.media;

import dev.deckhand.media.blob.MediaBlobStore;
import dev.deckhand.media.cleanup.UnusedBlobSweeper;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.store.collection.CollectionWriter;
import dev.deckhand.store.fullsync.FullSyncStore;
import dev.deckhand.store.fullsync.CollectionExporter;
import dev.deckhand.store.fullsync.FullSyncService;
import dev.deckhand.store.media.MediaIndexStore;
import dev.deckhand.testsupport.RawSyncClient;
import dev.deckhand.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The media service as its own process in the distributed wiring, authenticating shared host keys. */
class MediaServiceApplicationTest {

    static ConfigurableApplicationContext media;
    static RawSyncClient client;
    static String key;

    @BeforeAll
    static void start() {
        List<String> args = new ArrayList<>();
        TestPostgres.newDatabase().springProperties().forEach((k, v) -> args.add("--" + k + "=" + v));
        args.add("--server.address=127.0.0.1");
        args.add("--server.port=0");
        args.add("--deckhand.media.filesystem.root=" + Path.of("target", "media-service-test").toAbsolutePath());
        media = new SpringApplicationBuilder(MediaServiceApplication.class).run(args.toArray(String[]::new));
        AccountService accounts = media.getBean(AccountService.class);
        accounts.addUser("mia", "pw").block();
        key = accounts.login("mia", "pw").block();
        client = new RawSyncClient("http://127.0.0.1:" + ((WebServerApplicationContext) media).getWebServer().getPort() + "/");
    }

    @AfterAll
    static void stop() {
        media.close();
    }

    @Test
    void theSweepOfUnusedBlobsRunsByDefault() {
        UnusedBlobSweeper sweeper = media.getBean(UnusedBlobSweeper.class);
        assertThat(sweeper.enabled()).isTrue();
        assertThat(sweeper.isRunning()).isTrue();
    }

    @Test
    void beginAnswersInTheMediaEnvelope() {
        RawSyncClient.Response r = client.call("msync/begin", key, "{\"v\":\"anki,2.1.66 (70506aeb),lin:debian:12\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.payload()).isEqualTo("{\"data\":{\"usn\":0,\"sk\":\"" + key + "\"},\"err\":\"\"}");
    }

    @Test
    void refusesBadKeysAndBadRequests() {
        assertThat(client.call("msync/begin", "1.0000000000000000000000000000000000000000", "{\"v\":\"x\"}").status()).isEqualTo(403);
        assertThat(client.call("msync/begin", key, "{}").status()).isEqualTo(400);
        assertThat(client.call("msync/begin", key, "[1,2]").status()).isEqualTo(400);
        assertThat(client.call("msync/nothing", key, "{}").status()).isEqualTo(404);
        // the media service does not answer collection sync
        assertThat(client.call("sync/meta", key, "{\"v\":11}").status()).isEqualTo(404);
    }

    @Test
    void hasAccountsTheMediaIndexAndTheBlobStoreAndNothingOfCollectionSync() {
        for (Class<?> type : List.of(AccountService.class, MediaIndexStore.class, MediaBlobStore.class)) {
            assertThat(media.getBeanNamesForType(type)).as(type.getSimpleName()).hasSize(1);
        }
        for (Class<?> type : List.of(CollectionWriter.class, FullSyncStore.class, FullSyncService.class, CollectionExporter.class)) {
            assertThat(media.getBeanNamesForType(type)).as("no " + type.getSimpleName()).isEmpty();
        }
        // normal sync (NormalSync, IdleSyncSweeper) lives in sync-worker, which the media service does not depend on
        assertThatThrownBy(() -> Class.forName("dev.deckhand.worker.normalsync.NormalSync"))
                .isInstanceOf(ClassNotFoundException.class);
    }
}
