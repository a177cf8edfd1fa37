package dev.deckhand.worker.http;

/** The worker's internal HTTP API, shared by its server side and its client side. */
final class WorkerPaths {

    static final String PREFIX = "/internal/worker/";
    static final String META = PREFIX + "meta";
    static final String UPLOAD = PREFIX + "upload";
    static final String DOWNLOAD = PREFIX + "download";
    static final String NORMAL_SYNC = PREFIX + "normal-sync";
    /** Streamed calls carry who they are for in headers, since the body is the payload itself. */
    static final String USER_HEADER = "x-deckhand-user-id";
    static final String SESSION_HEADER = "x-deckhand-session-key";
    static final String ORIGINAL_SIZE_HEADER = "x-deckhand-original-size";
    /** Optional shared secret between gateways and workers. */
    static final String TOKEN_HEADER = "x-deckhand-worker-token";

    private WorkerPaths() {}
}
