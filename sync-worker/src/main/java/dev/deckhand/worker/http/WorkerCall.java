package dev.deckhand.worker.http;

import dev.deckhand.worker.WorkContext;

/** One forwarded operation on the wire between gateway and worker. */
record WorkerCall<T>(long userId, String sessionKey, T request) {

    WorkContext context() {
        return new WorkContext(userId, sessionKey);
    }
}
