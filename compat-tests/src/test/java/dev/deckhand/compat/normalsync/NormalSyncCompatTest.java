package dev.deckhand.compat.normalsync;

import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.AnkiRelease;
import dev.deckhand.compat.collection.VariedCollection;
import dev.deckhand.server.DeckhandServer;
import dev.deckhand.compat.TestServers;
import dev.deckhand.store.account.AccountService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;


/**
 * Two real Anki clients on one account, changing things on both sides between normal syncs:
 * both 2.1.66, both 26.x, and one of each (either one holding the collection first).
 */
class NormalSyncCompatTest {

    static DeckhandServer server;
    static String endpoint;

    @TempDir
    Path devices;

    @BeforeAll
    static void start() {
        server = TestServers.allInOne("normal-sync-compat", Map.of());
        endpoint = TestServers.endpoint(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest(name = "{0} and {1}")
    @CsvSource({
            "ANKI_2_1_66, ANKI_2_1_66",
            "ANKI_26_09_3, ANKI_26_09_3",
            "ANKI_26_09_3, ANKI_2_1_66",
            "ANKI_2_1_66, ANKI_26_09_3",
    })
    void changesOnBothDevicesMeetAfterNormalSyncs(AnkiRelease first, AnkiRelease second) throws Exception {
        String user = "two-" + first + "-" + second;
        server.context().getBean(AccountService.class).addUser(user, "pw").block();
        try (AnkiDevice a = AnkiDevice.open(devices.resolve("a"), first);
             AnkiDevice b = AnkiDevice.open(devices.resolve("b"), second)) {
            VariedCollection.populate(a, 40, 5);
            DevicesInSync pair = DevicesInSync.of(a, b, endpoint, user, "pw");
            ChangeRounds.run(a, b, 4, (device, label) ->
                    device.syncCollection(device == a ? pair.authA() : pair.authB()).required());
        }
    }
}
