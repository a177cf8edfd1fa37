package dev.deckhand.compat.normalsync;

import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.compat.collection.VariedCollection;
import dev.deckhand.server.DeckhandServer;
import dev.deckhand.compat.TestServers;
import dev.deckhand.store.account.AccountService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;


/** Two real Anki clients on one account, changing things on both sides between normal syncs. */
class NormalSyncCompatTest {

    static DeckhandServer server;
    static String endpoint;

    @TempDir
    Path devices;

    @BeforeAll
    static void start() {
        server = TestServers.allInOne("normal-sync-compat", Map.of());
        endpoint = TestServers.endpoint(server);
        server.context().getBean(AccountService.class).addUser("two", "pw").block();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void changesOnBothDevicesMeetAfterNormalSyncs() throws Exception {
        try (AnkiDevice a = AnkiDevice.open(devices.resolve("a")); AnkiDevice b = AnkiDevice.open(devices.resolve("b"))) {
            VariedCollection.populate(a, 40, 5);
            DevicesInSync pair = DevicesInSync.of(a, b, endpoint, "two", "pw");
            ChangeRounds.run(a, b, 4, (device, label) ->
                    device.syncCollection(device == a ? pair.authA() : pair.authB()).required());
        }
    }
}
