package dev.deckhand.protocol;


/**
 * Failure categories of the sync protocol and the HTTP status each one is answered with.
 * Clients react to the status only (they never read error bodies), so the status is the
 * whole contract: see section 3 of the protocol notes.
 */
public enum SyncErrorKind {
    /** Unparseable header/body or a failed sync step; clients show "check database". */
    BAD_REQUEST(400),
    /** Bad credentials or unknown host key only: desktop clients log the user out on 403. */
    AUTH_FAILED(403),
    NOT_FOUND(404),
    /** No matching active sync, or a media file the client asked for is gone. */
    CONFLICT(409),
    PAYLOAD_TOO_LARGE(413),
    SERVER_ERROR(500),
    /** {@code meta} body version outside the supported range. */
    CLIENT_TOO_OLD(501);

    private final int httpStatus;

    SyncErrorKind(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
