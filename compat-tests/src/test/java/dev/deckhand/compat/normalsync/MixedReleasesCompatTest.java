package dev.deckhand.compat.normalsync;

import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.AnkiRelease;
import dev.deckhand.ankiclient.SyncCredentials;
import dev.deckhand.ankiclient.SyncRequired;
import dev.deckhand.compat.TestServers;
import dev.deckhand.compat.collection.VariedCollection;
import dev.deckhand.server.DeckhandServer;
import dev.deckhand.store.account.AccountService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One account, an Anki 2.1.66 device and an Anki 26.x device syncing in alternation. What only
 * 26.x knows (FSRS settings in presets, FSRS state in card data, revlog kind 5, new deck and
 * filtered-deck orders, new config keys) travels through the server and the old device and is
 * still there, unchanged, on the new one and on a 26.x device that downloads the collection at
 * the end.
 */
class MixedReleasesCompatTest {

    static DeckhandServer server;
    static String endpoint;

    @TempDir
    Path devices;

    @BeforeAll
    static void start() {
        server = TestServers.allInOne("mixed-releases-compat", Map.of());
        endpoint = TestServers.endpoint(server);
        server.context().getBean(AccountService.class).addUser("mixed", "pw").block();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void whatOnlyTheNewerClientKnowsSurvivesTheOlderOne() throws Exception {
        NewerClientData beforeUpload;
        NewerClientData afterUpload;
        try (AnkiDevice newer = AnkiDevice.open(devices.resolve("newer"), AnkiRelease.ANKI_26_09_3);
             AnkiDevice older = AnkiDevice.open(devices.resolve("older"), AnkiRelease.ANKI_2_1_66)) {
            VariedCollection.populate(newer, 40, 11);
            // some reaches the old device in its full download, some by normal sync
            beforeUpload = NewerClientData.write(newer, 1);
            DevicesInSync pair = DevicesInSync.of(newer, older, endpoint, "mixed", "pw");
            Thread.sleep(1100);
            afterUpload = NewerClientData.write(newer, 2);
            assertThat(newer.syncCollection(pair.authA()).required()).isEqualTo(SyncRequired.NO_CHANGES);
            assertThat(older.syncCollection(pair.authB()).required()).isEqualTo(SyncRequired.NO_CHANGES);

            ChangeRounds.run(newer, older, 6, (device, label) ->
                    device.syncCollection(device == newer ? pair.authA() : pair.authB()).required());

            beforeUpload.assertKeptBy(newer);
            afterUpload.assertKeptBy(newer);
        }
        try (AnkiDevice fresh = AnkiDevice.open(devices.resolve("fresh"), AnkiRelease.ANKI_26_09_3)) {
            SyncCredentials auth = fresh.login(endpoint, "mixed", "pw");
            assertThat(fresh.syncCollection(auth).required()).isEqualTo(SyncRequired.FULL_DOWNLOAD);
            fresh.fullDownload(auth);
            beforeUpload.assertKeptBy(fresh);
            afterUpload.assertKeptBy(fresh);
        }
    }
}
