package dev.deckhand.compat;

import dev.deckhand.ankiclient.AnkiClientException;
import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.SyncCredentials;
import dev.deckhand.ankiclient.SyncOutcome;
import dev.deckhand.ankiclient.SyncRequired;
import dev.deckhand.server.DeckhandServer;
import dev.deckhand.store.account.AccountService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real Anki client (2.1.66's sync code) logging in to the all-in-one server. */
class LoginCompatTest {

    static DeckhandServer server;
    static String endpoint;

    @TempDir
    Path devices;

    @BeforeAll
    static void start() {
        server = TestServers.allInOne("login-compat",
                Map.of("SYNC_USER1", "user:pass", "SYNC_USER2", "üser:pässwörd with spaces:and colons"));
        endpoint = TestServers.endpoint(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void loginReturnsAHostKeyThatSyncs() {
        try (AnkiDevice device = AnkiDevice.open(devices.resolve("a"))) {
            SyncCredentials auth = device.login(endpoint, "user", "pass");
            assertThat(auth.hostKey()).isNotBlank();
            // a new client collection has mod 0, as does an account without a collection: nothing to do
            assertThat(device.syncCollection(auth).required()).isEqualTo(SyncRequired.NO_CHANGES);
        }
    }

    @Test
    void nonAsciiUsernamesAndPasswordsWithColons() {
        try (AnkiDevice device = AnkiDevice.open(devices.resolve("b"))) {
            assertThat(device.login(endpoint, "üser", "pässwörd with spaces:and colons").hostKey()).isNotBlank();
        }
    }

    @Test
    void wrongPasswordOrUnknownUserIsTheClientsAuthError() {
        try (AnkiDevice device = AnkiDevice.open(devices.resolve("c"))) {
            assertThatThrownBy(() -> device.login(endpoint, "user", "wrong"))
                    .isInstanceOfSatisfying(AnkiClientException.class, e -> assertThat(e.kind()).isEqualTo(AnkiClientException.Kind.AUTH));
            assertThatThrownBy(() -> device.login(endpoint, "nobody", "pass"))
                    .isInstanceOfSatisfying(AnkiClientException.class, e -> assertThat(e.kind()).isEqualTo(AnkiClientException.Kind.AUTH));
        }
    }

    @Test
    void aClientWithNotesIsToldToUploadToANewAccount() {
        try (AnkiDevice device = AnkiDevice.open(devices.resolve("d"))) {
            device.addBasicNote("front", "back");
            device.addBasicNote("日本語", "中文");
            SyncCredentials auth = device.login(endpoint, "user", "pass");
            SyncOutcome outcome = device.syncCollection(auth);
            assertThat(outcome.required()).isEqualTo(SyncRequired.FULL_UPLOAD);
            assertThat(device.noteCount()).as("a meta-only sync changes nothing on the client").isEqualTo(2);
        }
    }

    @Test
    void worksBehindAPathPrefix() {
        try (AnkiDevice device = AnkiDevice.open(devices.resolve("e"))) {
            device.addBasicNote("front", "back");
            SyncCredentials auth = device.login(endpoint + "anki/", "user", "pass");
            assertThat(device.syncCollection(auth).required()).isEqualTo(SyncRequired.FULL_UPLOAD);
        }
    }

    @Test
    void aRevokedHostKeyIsTheClientsAuthError() {
        AccountService accounts = server.context().getBean(AccountService.class);
        accounts.addUser("leaver", "pw").block();
        try (AnkiDevice device = AnkiDevice.open(devices.resolve("f"))) {
            SyncCredentials auth = device.login(endpoint, "leaver", "pw");
            assertThat(device.syncCollection(auth).required()).isEqualTo(SyncRequired.NO_CHANGES);
            accounts.changePassword("leaver", "new").block();
            assertThatThrownBy(() -> device.syncCollection(auth))
                    .isInstanceOfSatisfying(AnkiClientException.class, e -> assertThat(e.kind()).isEqualTo(AnkiClientException.Kind.AUTH));
            SyncCredentials again = device.login(endpoint, "leaver", "new");
            accounts.deleteUser("leaver").block();
            assertThatThrownBy(() -> device.syncCollection(again))
                    .isInstanceOfSatisfying(AnkiClientException.class, e -> assertThat(e.kind()).isEqualTo(AnkiClientException.Kind.AUTH));
        }
    }
}
