package dev.deckhand.protocol;

import java.util.Objects;

/**
 * A protocol-level failure that maps to exactly one HTTP status via {@link #kind()}.
 * The message is for logs only; clients never see it.
 */
public class SyncProtocolException extends RuntimeException {

    private final SyncErrorKind kind;

    public SyncProtocolException(SyncErrorKind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public SyncProtocolException(SyncErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public SyncErrorKind kind() {
        return kind;
    }

    public int httpStatus() {
        return kind.httpStatus();
    }

    public static SyncProtocolException badRequest(String message) {
        return new SyncProtocolException(SyncErrorKind.BAD_REQUEST, message);
    }

    public static SyncProtocolException authFailed(String message) {
        return new SyncProtocolException(SyncErrorKind.AUTH_FAILED, message);
    }

    public static SyncProtocolException conflict(String message) {
        return new SyncProtocolException(SyncErrorKind.CONFLICT, message);
    }

    public static SyncProtocolException tooLarge(String message) {
        return new SyncProtocolException(SyncErrorKind.PAYLOAD_TOO_LARGE, message);
    }

    public static SyncProtocolException clientTooOld(String message) {
        return new SyncProtocolException(SyncErrorKind.CLIENT_TOO_OLD, message);
    }

    public static SyncProtocolException notFound(String message) {
        return new SyncProtocolException(SyncErrorKind.NOT_FOUND, message);
    }

    @Override
    public String toString() {
        return getClass().getName() + " [" + kind + " " + kind.httpStatus() + "]: " + getMessage();
    }
}
