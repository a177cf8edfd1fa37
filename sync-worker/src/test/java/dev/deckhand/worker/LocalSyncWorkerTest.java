package dev.deckhand.worker;

import dev.deckhand.worker.local.LocalSyncWorker;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract on the worker application's own {@link LocalSyncWorker}, called in this process. */
class LocalSyncWorkerTest extends SyncWorkerContract {

    @Override
    SyncWorker worker() {
        SyncWorker worker = TestWorker.context().getBean(SyncWorker.class);
        assertThat(worker).isInstanceOf(LocalSyncWorker.class);
        return worker;
    }
}
