package dev.deckhand.worker.normalsync;

import dev.deckhand.store.collection.CollectionStore;
import org.springframework.stereotype.Component;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * {@code abort}, and every other end of a sync that did not finish (a failed sanity check, a bad
 * request, an idle sync): first the sync's epoch is retired, so no later sanity check or finish
 * of it can commit whatever its steps still in flight do; then what it staged is dropped.
 */
@Component
class Abort {

    private final CollectionStore collections;
    private final Staging staging;
    private final TransactionalOperator tx;

    Abort(CollectionStore collections, Staging staging, ReactiveTransactionManager transactions) {
        this.collections = collections;
        this.staging = staging;
        this.tx = TransactionalOperator.create(transactions);
    }

    Mono<Void> abort(long userId, long epoch) {
        return collections.retireSyncEpoch(userId, epoch)
                .then(staging.drop(userId, epoch))
                .as(tx::transactional);
    }
}
