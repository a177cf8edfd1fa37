package dev.deckhand.worker;

import dev.deckhand.worker.http.RemoteSyncWorker;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The contract through the worker's HTTP API: a {@link RemoteSyncWorker}, as a gateway has, calling
 * the worker application's {@link dev.deckhand.worker.http.WorkerEndpoint} on 127.0.0.1.
 */
class RemoteSyncWorkerTest extends SyncWorkerContract {

    private final SyncWorker remote = new RemoteSyncWorker(WebClient.builder(), TestWorker.baseUrl(), TestWorker.TOKEN);

    @Override
    SyncWorker worker() {
        return remote;
    }
}
