package dev.deckhand.compat.normalsync;

import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.SyncCredentials;
import dev.deckhand.ankiclient.SyncRequired;
import dev.deckhand.compat.collection.CollectionDigest;
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

import static org.assertj.core.api.Assertions.assertThat;

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
    void changesOnBothDevicesMeetAfterNormalSyncs() throws InterruptedException {
        try (AnkiDevice a = AnkiDevice.open(devices.resolve("a")); AnkiDevice b = AnkiDevice.open(devices.resolve("b"))) {
            VariedCollection.populate(a, 40, 5);
            DevicesInSync pair = DevicesInSync.of(a, b, endpoint, "two", "pw");
            SyncCredentials authA = pair.authA();
            SyncCredentials authB = pair.authB();

            for (int round = 0; round < 4; round++) {
                VariedCollection.mutate(a, 100 + round);
                // a normal sync is carried out inside the call; the client then reports no further action
                assertThat(a.syncCollection(authA).required()).as("round %d, A", round).isEqualTo(SyncRequired.NO_CHANGES);
                // modification times are whole seconds, and on a tie both sides keep their own
                // version (the protocol's rule); a second apart, the later edit wins everywhere
                Thread.sleep(1100);
                VariedCollection.mutate(b, 200 + round);
                assertThat(b.syncCollection(authB).required()).as("round %d, B", round).isEqualTo(SyncRequired.NO_CHANGES);
                // A picks up B's changes
                a.syncCollection(authA);
                CollectionDigest onA = CollectionDigest.of(a);
                CollectionDigest onB = CollectionDigest.of(b);
                assertThat(onA.sha256()).as("round %d: %s", round, CollectionDigest.diff(onA, onB)).isEqualTo(onB.sha256());
            }
            // the client's own check finds the same on both devices (the generator's mutations can
            // leave a new card past position 1 000 000, which it reports)
            assertThat(a.backend().checkDatabase()).isEqualTo(b.backend().checkDatabase());
        }
    }
}
