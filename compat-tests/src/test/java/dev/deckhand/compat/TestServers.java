package dev.deckhand.compat;

import dev.deckhand.server.DeckhandServer;
import dev.deckhand.server.config.ServerSettings;
import dev.deckhand.testsupport.TestPostgres;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The all-in-one server as the compatibility tests run it: loopback, any free port, a fresh database. */
public final class TestServers {

    private TestServers() {}

    /** {@code label} names its data folder under target/; {@code env} adds or overrides variables. */
    public static DeckhandServer allInOne(String label, Map<String, String> env) {
        return allInOne(label, env, Map.of());
    }

    /** As {@link #allInOne(String, Map)}, with Spring properties that no variable sets (e.g. {@code deckhand.media.s3.*}). */
    public static DeckhandServer allInOne(String label, Map<String, String> env, Map<String, ?> springProperties) {
        return allInOne(label, env, springProperties, Map.of());
    }

    /** As {@link #allInOne(String, Map, Map)}, with beans registered by name first (e.g. a session clock a test moves). */
    public static DeckhandServer allInOne(String label, Map<String, String> env, Map<String, ?> springProperties,
                                          Map<String, ?> beans) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "SYNC_HOST", "127.0.0.1",
                "SYNC_PORT", "0",
                "SYNC_BASE", Path.of("target", label).toAbsolutePath().toString(),
                "DATABASE_URL", TestPostgres.newDatabase().jdbcUrl()));
        settings.putAll(env);
        return DeckhandServer.start(ServerSettings.fromEnvironment(settings), springProperties, beans);
    }

    /** The base URL clients are given, ending in a slash as they require. */
    public static String endpoint(DeckhandServer server) {
        return "http://127.0.0.1:" + server.port() + "/";
    }
}
