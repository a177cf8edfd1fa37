package dev.deckhand.worker.http;

/** The worker's internal HTTP API, shared by its server side and its client side. */
final class WorkerPaths {

    static final String PREFIX = "/internal/worker/";
    static final String META = PREFIX + "meta";
    /** Optional shared secret between gateways and workers. */
    static final String TOKEN_HEADER = "x-deckhand-worker-token";

    private WorkerPaths() {}
}
