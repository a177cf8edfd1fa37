package dev.deckhand.protocol;

import java.util.Objects;
import java.util.Optional;

/**
 * A request path split into endpoint family and method name.
 *
 * <p>Clients resolve {@code sync/<method>} and {@code msync/<method>} against a user-configured
 * base URL, so the server must route on the path suffix under whatever prefix a deployment uses
 * ({@code /sync/meta}, {@code /anki/sync/meta}, even {@code /anki/sync/sync/meta}).
 *
 * @param kind       collection ({@code /sync/}) or media ({@code /msync/}) endpoint
 * @param methodName the last path segment, not validated; look it up with {@link #syncMethod()} /
 *                   {@link #mediaMethod()} so callers can answer unknown methods themselves
 */
public record SyncPath(Kind kind, String methodName) {

    public enum Kind {
        /** {@code .../sync/<method>} */
        SYNC,
        /** {@code .../msync/<method>} */
        MEDIA
    }

    public SyncPath {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(methodName, "methodName");
    }

    /**
     * Parses a raw request path. A query string or fragment is ignored (legacy clients send
     * {@code GET /msync/begin?k=..&v=..}). Returns empty when the path does not end with
     * {@code /sync/<name>} or {@code /msync/<name>}, when {@code <name>} is empty (e.g. a trailing
     * slash), or when any segment is {@code .} or {@code ..} (also percent-encoded).
     */
    public static Optional<SyncPath> parse(String requestPath) {
        if (requestPath == null) {
            return Optional.empty();
        }
        String path = requestPath;
        int cut = indexOfAny(path, '?', '#');
        if (cut >= 0) {
            path = path.substring(0, cut);
        }
        String[] segments = path.split("/", -1);
        for (String segment : segments) {
            // Refuse anything a proxy or servlet container might normalise differently from us.
            if (isDotSegment(segment)) {
                return Optional.empty();
            }
        }
        if (segments.length < 2) {
            return Optional.empty();
        }
        String name = segments[segments.length - 1];
        String family = segments[segments.length - 2];
        if (name.isEmpty()) {
            return Optional.empty();
        }
        return switch (family) {
            case "sync" -> Optional.of(new SyncPath(Kind.SYNC, name));
            case "msync" -> Optional.of(new SyncPath(Kind.MEDIA, name));
            default -> Optional.empty();
        };
    }

    /** The collection method, if this is a {@code /sync/} path with a known method name. */
    public Optional<SyncMethod> syncMethod() {
        return kind == Kind.SYNC ? SyncMethod.fromWireName(methodName) : Optional.empty();
    }

    /** The media method, if this is a {@code /msync/} path with a known method name. */
    public Optional<MediaMethod> mediaMethod() {
        return kind == Kind.MEDIA ? MediaMethod.fromWireName(methodName) : Optional.empty();
    }

    // Also catches percent-encoded dots, in case the caller hands us an undecoded path.
    private static boolean isDotSegment(String segment) {
        String decoded = segment.replace("%2e", ".").replace("%2E", ".");
        return decoded.equals(".") || decoded.equals("..");
    }

    private static int indexOfAny(String s, char a, char b) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == a || ch == b) {
                return i;
            }
        }
        return -1;
    }
}
