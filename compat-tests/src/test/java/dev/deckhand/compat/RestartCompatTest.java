package dev.deckhand.compat;

import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.SyncCredentials;
import dev.deckhand.ankiclient.SyncRequired;
import dev.deckhand.server.DeckhandServer;
import dev.deckhand.server.config.ServerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The all-in-one server on its embedded defaults, as the README's command runs it: accounts
 * and host keys live in the embedded PostgreSQL under SYNC_BASE and survive a restart.
 */
class RestartCompatTest {

    @TempDir
    Path devices;

    @Test
    void accountAndHostKeySurviveARestart() {
        Path base = Path.of("target", "restart-compat-" + System.nanoTime()).toAbsolutePath();
        Map<String, String> env = Map.of("SYNC_HOST", "127.0.0.1", "SYNC_PORT", "0", "SYNC_BASE", base.toString(),
                "SYNC_USER1", "user:pass");
        try (AnkiDevice device = AnkiDevice.open(devices.resolve("a"))) {
            device.addBasicNote("front", "back");
            SyncCredentials auth;
            try (DeckhandServer server = DeckhandServer.start(ServerSettings.fromEnvironment(env))) {
                auth = device.login("http://127.0.0.1:" + server.port() + "/", "user", "pass");
                assertThat(device.syncCollection(auth).required()).isEqualTo(SyncRequired.FULL_UPLOAD);
            }
            try (DeckhandServer server = DeckhandServer.start(ServerSettings.fromEnvironment(env))) {
                SyncCredentials sameKey = auth.withEndpoint("http://127.0.0.1:" + server.port() + "/");
                assertThat(device.syncCollection(sameKey).required()).isEqualTo(SyncRequired.FULL_UPLOAD);
                assertThat(device.login(sameKey.endpoint(), "user", "pass").hostKey()).isNotBlank();
            }
        }
    }
}
