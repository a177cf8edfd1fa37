package dev.deckhand.compat;

import dev.deckhand.ankiclient.AnkiClientException;
import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.AnkiRelease;
import dev.deckhand.ankiclient.SyncCredentials;
import dev.deckhand.ankiclient.SyncOutcome;
import dev.deckhand.ankiclient.SyncRequired;
import dev.deckhand.server.DeckhandServer;
import dev.deckhand.store.account.AccountService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real Anki clients (2.1.66 and 26.x) logging in to the all-in-one server. */
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

    @ParameterizedTest
    @EnumSource(AnkiRelease.class)
    void loginReturnsAHostKeyThatSyncs(AnkiRelease release) {
        try (AnkiDevice device = AnkiDevice.open(devices.resolve(release + "-a"), release)) {
            SyncCredentials auth = device.login(endpoint, "user", "pass");
            assertThat(auth.hostKey()).isNotBlank();
            // a new client collection has mod 0, as does an account without a collection: nothing to do
            assertThat(device.syncCollection(auth).required()).isEqualTo(SyncRequired.NO_CHANGES);
        }
    }

    @Test
    void aNeverSyncedProfileIsToldThereIsNothingToDo() {
        // 26.08+ desktop asks the server's meta in the background for a profile that never
        // synced (2.1.66 answers "full sync" from the collection alone); a new account reports
        // mod 0 like the new collection, so neither a sync nor a full sync is due
        try (AnkiDevice device = AnkiDevice.open(devices.resolve("26-g"), AnkiRelease.ANKI_26_09_3)) {
            SyncCredentials auth = device.login(endpoint, "user", "pass");
            // it does ask the server (a key the server does not know is refused); an answer would
            // be kept for five minutes, so this comes first
            assertThatThrownBy(() -> device.syncStatus(new SyncCredentials("not-a-key", auth.endpoint())))
                    .isInstanceOfSatisfying(AnkiClientException.class, e -> assertThat(e.kind()).isEqualTo(AnkiClientException.Kind.AUTH));
            assertThat(device.syncStatus(auth)).isEqualTo(SyncRequired.NO_CHANGES);
        }
    }

    @ParameterizedTest
    @EnumSource(AnkiRelease.class)
    void nonAsciiUsernamesAndPasswordsWithColons(AnkiRelease release) {
        try (AnkiDevice device = AnkiDevice.open(devices.resolve(release + "-b"), release)) {
            assertThat(device.login(endpoint, "üser", "pässwörd with spaces:and colons").hostKey()).isNotBlank();
        }
    }

    @ParameterizedTest
    @EnumSource(AnkiRelease.class)
    void wrongPasswordOrUnknownUserIsTheClientsAuthError(AnkiRelease release) {
        try (AnkiDevice device = AnkiDevice.open(devices.resolve(release + "-c"), release)) {
            assertThatThrownBy(() -> device.login(endpoint, "user", "wrong"))
                    .isInstanceOfSatisfying(AnkiClientException.class, e -> assertThat(e.kind()).isEqualTo(AnkiClientException.Kind.AUTH));
            assertThatThrownBy(() -> device.login(endpoint, "nobody", "pass"))
                    .isInstanceOfSatisfying(AnkiClientException.class, e -> assertThat(e.kind()).isEqualTo(AnkiClientException.Kind.AUTH));
        }
    }

    @ParameterizedTest
    @EnumSource(AnkiRelease.class)
    void aClientWithNotesIsToldToUploadToANewAccount(AnkiRelease release) {
        try (AnkiDevice device = AnkiDevice.open(devices.resolve(release + "-d"), release)) {
            device.addBasicNote("front", "back");
            device.addBasicNote("日本語", "中文");
            SyncCredentials auth = device.login(endpoint, "user", "pass");
            SyncOutcome outcome = device.syncCollection(auth);
            assertThat(outcome.required()).isEqualTo(SyncRequired.FULL_UPLOAD);
            assertThat(device.noteCount()).as("a meta-only sync changes nothing on the client").isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(AnkiRelease.class)
    void worksBehindAPathPrefix(AnkiRelease release) {
        try (AnkiDevice device = AnkiDevice.open(devices.resolve(release + "-e"), release)) {
            device.addBasicNote("front", "back");
            SyncCredentials auth = device.login(endpoint + "anki/", "user", "pass");
            assertThat(device.syncCollection(auth).required()).isEqualTo(SyncRequired.FULL_UPLOAD);
        }
    }

    @ParameterizedTest
    @EnumSource(AnkiRelease.class)
    void aRevokedHostKeyIsTheClientsAuthError(AnkiRelease release) {
        AccountService accounts = server.context().getBean(AccountService.class);
        String leaver = "leaver-" + release;
        accounts.addUser(leaver, "pw").block();
        try (AnkiDevice device = AnkiDevice.open(devices.resolve(release + "-f"), release)) {
            SyncCredentials auth = device.login(endpoint, leaver, "pw");
            assertThat(device.syncCollection(auth).required()).isEqualTo(SyncRequired.NO_CHANGES);
            accounts.changePassword(leaver, "new").block();
            assertThatThrownBy(() -> device.syncCollection(auth))
                    .isInstanceOfSatisfying(AnkiClientException.class, e -> assertThat(e.kind()).isEqualTo(AnkiClientException.Kind.AUTH));
            SyncCredentials again = device.login(endpoint, leaver, "new");
            accounts.deleteUser(leaver).block();
            assertThatThrownBy(() -> device.syncCollection(again))
                    .isInstanceOfSatisfying(AnkiClientException.class, e -> assertThat(e.kind()).isEqualTo(AnkiClientException.Kind.AUTH));
        }
    }
}
