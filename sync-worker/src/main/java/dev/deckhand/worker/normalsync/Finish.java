package dev.deckhand.worker.normalsync;

import dev.deckhand.store.collection.CollectionStore;
import org.springframework.stereotype.Component;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

import java.time.Clock;

/**
 * {@code finish}: merges everything staged and commits it in one transaction, with the next usn
 * and the new modification time, which it answers (ms). Until this commits, nothing the client
 * sent is visible; if it fails, nothing of it is.
 */
@Component
class Finish {

    private final Merge merge;
    private final CollectionStore collections;
    private final Staging staging;
    private final TransactionalOperator tx;
    private final Clock clock = Clock.systemUTC();

    Finish(Merge merge, CollectionStore collections, Staging staging, ReactiveTransactionManager transactions) {
        this.merge = merge;
        this.collections = collections;
        this.staging = staging;
        this.tx = TransactionalOperator.create(transactions);
    }

    Mono<Long> finish(long userId, SyncState state) {
        long now = clock.millis();
        return merge.merge(userId, state)
                .then(collections.advanceUsnAfterSync(userId, now))
                .then(staging.drop(userId, state.epoch()))
                .thenReturn(now)
                .as(tx::transactional);
    }
}
