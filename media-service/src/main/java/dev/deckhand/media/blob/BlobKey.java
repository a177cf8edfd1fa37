package dev.deckhand.media.blob;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where one media file's bytes live: the owner's tenant and user, and the SHA-1 of the content.
 *
 * <p>File names never become storage paths: a key is built only from two numbers and forty hex
 * digits, so no name can escape its user's prefix, and two names with the same content share one
 * blob.
 */
public record BlobKey(long tenantId, long userId, String sha1) {

    private static final Pattern SHA1_HEX = Pattern.compile("[0-9a-f]{40}");

    public BlobKey {
        if (tenantId <= 0 || userId <= 0) {
            throw new IllegalArgumentException("tenant and user ids must be positive: " + tenantId + ", " + userId);
        }
        if (sha1 == null || !SHA1_HEX.matcher(sha1).matches()) {
            throw new IllegalArgumentException("sha1 must be 40 lowercase hex digits: " + sha1);
        }
    }

    /** The user's prefix, {@code t<tenant>/u<user>}, under which all of their blobs live. */
    public static String userPrefix(long tenantId, long userId) {
        return "t" + tenantId + "/u" + userId;
    }

    /** {@code t<tenant>/u<user>/<sha1>}: the relative path or object key of this blob. */
    public String relativePath() {
        return userPrefix(tenantId, userId) + "/" + sha1;
    }

    private static final Pattern RELATIVE_PATH = Pattern.compile("t([1-9][0-9]{0,18})/u([1-9][0-9]{0,18})/([0-9a-f]{40})");

    /**
     * The key whose {@link #relativePath()} is exactly {@code path}; empty for anything else
     * (a temporary file, a leading zero, an id past {@code long}, a stranger's object), so that
     * a listing never takes a path that is not a blob for one.
     */
    public static Optional<BlobKey> fromRelativePath(String path) {
        Matcher m = RELATIVE_PATH.matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new BlobKey(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), m.group(3)));
        } catch (NumberFormatException e) {
            return Optional.empty(); // 19 digits past Long.MAX_VALUE
        }
    }
}
