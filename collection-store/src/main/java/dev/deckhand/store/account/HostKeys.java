package dev.deckhand.store.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Host keys look like {@code <user id>.<40 hex digits>}: opaque and URL-safe for clients, and
 * the user id in front lets every lookup stay within one user's rows.
 */
public final class HostKeys {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private HostKeys() {}

    public record Parsed(long userId, byte[] hash) {}

    public static String newKey(long userId) {
        byte[] secret = new byte[20];
        RANDOM.nextBytes(secret);
        return userId + "." + HEX.formatHex(secret);
    }

    public static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Empty for anything that cannot be a key we issued. */
    public static Optional<Parsed> parse(String key) {
        if (key == null || key.length() > 64) {
            return Optional.empty();
        }
        int dot = key.indexOf('.');
        if (dot <= 0 || key.length() - dot - 1 != 40) {
            return Optional.empty();
        }
        try {
            long userId = Long.parseLong(key, 0, dot, 10);
            HEX.parseHex(key, dot + 1, key.length());
            return userId > 0 ? Optional.of(new Parsed(userId, hash(key))) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
