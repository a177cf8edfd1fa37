package dev.deckhand.worker.http;

/**
 * The worker's internal HTTP API, shared by its server side and its client side. Its format has
 * a version, {@link #VERSION}: in the field {@code v} of every JSON body in either direction
 * ({@link WorkerMessages}), and in the header {@link #VERSION_HEADER} of the streamed calls and
 * their answers. A worker refuses a call of any other version with 400 and a
 * {@link WorkerMessages.WorkerError} of kind {@code SERVER_ERROR}; a gateway takes an answer of
 * any other version as a failure of the worker (500 to the client).
 */
final class WorkerPaths {

    /** The format version this release writes and the only one it reads. */
    static final int VERSION = 1;

    static final String PREFIX = "/internal/worker/";
    static final String META = PREFIX + "meta";
    static final String UPLOAD = PREFIX + "upload";
    static final String DOWNLOAD = PREFIX + "download";
    static final String NORMAL_SYNC = PREFIX + "normal-sync";
    /** Streamed calls carry who they are for in headers, since the body is the payload itself. */
    static final String USER_HEADER = "x-deckhand-user-id";
    static final String ORIGINAL_SIZE_HEADER = "x-deckhand-original-size";
    /** The format version of a streamed call or answer; JSON bodies carry theirs as {@code v}. */
    static final String VERSION_HEADER = "x-deckhand-worker-version";
    /** Optional shared secret between gateways and workers. */
    static final String TOKEN_HEADER = "x-deckhand-worker-token";

    private WorkerPaths() {}
}
