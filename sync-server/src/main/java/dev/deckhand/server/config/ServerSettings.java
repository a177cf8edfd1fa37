package dev.deckhand.server.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The all-in-one server's settings, read from environment variables named as in Anki's own
 * server ({@code SYNC_*}, {@code PASSWORDS_HASHED}, {@code MAX_SYNC_PAYLOAD_MEGS}), plus ours
 * for pointing it at an external PostgreSQL or Redis. README.md ("Configuration") lists them all.
 */
public record ServerSettings(
        String host,
        int port,
        Path base,
        boolean passwordsHashed,
        int maxSyncPayloadMegs,
        int maxMediaMegs,
        List<SyncUser> users,
        Optional<DatabaseTarget> database,
        Optional<String> redisUrl) {

    /** One {@code SYNC_USERn} entry; the secret is a PHC string when passwords are hashed. */
    public record SyncUser(String variable, String username, String secret) {
        @Override
        public String toString() {
            return variable + "=" + username + ":***";
        }
    }

    public static ServerSettings fromEnvironment(Map<String, String> env) {
        String home = System.getProperty("user.home");
        return new ServerSettings(
                env.getOrDefault("SYNC_HOST", "0.0.0.0"),
                intSetting(env, "SYNC_PORT", 8080, 0, 65535),
                Path.of(env.getOrDefault("SYNC_BASE", Path.of(home, ".syncserver").toString())).toAbsolutePath(),
                env.containsKey("PASSWORDS_HASHED"),
                intSetting(env, "MAX_SYNC_PAYLOAD_MEGS", 100, 1, 1 << 20),
                // per user; 0, the default, for no limit
                intSetting(env, "MAX_MEDIA_MEGS", 0, 0, Integer.MAX_VALUE),
                users(env),
                database(env),
                Optional.ofNullable(blankToNull(env.get("REDIS_URL"))));
    }

    /** {@code SYNC_USER1}, {@code SYNC_USER2}, ... up to the first missing number. */
    private static List<SyncUser> users(Map<String, String> env) {
        List<SyncUser> users = new ArrayList<>();
        for (int i = 1; env.containsKey("SYNC_USER" + i); i++) {
            String variable = "SYNC_USER" + i;
            String value = env.get(variable);
            int colon = value.indexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                throw new IllegalArgumentException(variable + " must look like username:password");
            }
            users.add(new SyncUser(variable, value.substring(0, colon), value.substring(colon + 1)));
        }
        return users;
    }

    private static Optional<DatabaseTarget> database(Map<String, String> env) {
        String url = blankToNull(env.get("DATABASE_URL"));
        if (url == null) {
            return Optional.empty();
        }
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("DATABASE_URL must be a JDBC URL: jdbc:postgresql://host:port/database");
        }
        return Optional.of(new DatabaseTarget(url, env.getOrDefault("DATABASE_USER", "postgres"),
                env.getOrDefault("DATABASE_PASSWORD", "")));
    }

    private static int intSetting(Map<String, String> env, String name, int fallback, int min, int max) {
        String raw = blankToNull(env.get(name));
        if (raw == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", not " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, not '" + raw + "'");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
