package dev.deckhand.worker.normalsync;

import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.protocol.normalsync.NormalSyncMessages.Graves;
import dev.deckhand.protocol.normalsync.NormalSyncMessages.StartRequest;
import dev.deckhand.store.collection.CollectionStore;
import dev.deckhand.store.collection.GraveKind;
import dev.deckhand.store.sql.SqlFile;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * {@code start}: takes the next epoch (which fences off any older sync of this user), forgets
 * what older syncs staged, stages the client's graves, and answers the server's graves since the
 * client's last sync.
 */
@Component
class Start {

    private static final String SELECT_GRAVES_SINCE = SqlFile.load(Start.class, "select-graves-since");

    private final DatabaseClient db;
    private final CollectionStore collections;
    private final Staging staging;
    private final TransactionalOperator tx;

    Start(DatabaseClient db, CollectionStore collections, Staging staging, ReactiveTransactionManager transactions) {
        this.db = db;
        this.collections = collections;
        this.staging = staging;
        this.tx = TransactionalOperator.create(transactions);
    }

    record Started(SyncState state, Graves serverGraves) {}

    Mono<Started> start(long userId, StartRequest request) {
        return collections.takeNextSyncEpoch(userId)
                .switchIfEmpty(Mono.error(() -> SyncProtocolException.badRequest(
                        "there is no collection on the server to sync with; a full sync is needed")))
                .map(epoch -> new SyncState(epoch.epoch(), epoch.usn(), request.minUsn(), request.lnewer(),
                        ChunkTable.REVLOG, Long.MIN_VALUE))
                .flatMap(state -> staging.dropOlderThan(userId, state.epoch())
                        .then(serverGraves(userId, request.minUsn()))
                        .flatMap(graves -> staging.stageGraves(userId, state.epoch(), request.graves())
                                .thenReturn(new Started(state, graves))))
                .as(tx::transactional);
    }

    private Mono<Graves> serverGraves(long userId, int minUsn) {
        return db.sql(SELECT_GRAVES_SINCE).bind("user", userId).bind("min_usn", minUsn)
                .map(r -> Map.entry(GraveKind.ofCode(r.get("type", Integer.class)), r.get("oid", Long.class)))
                .all()
                .collect(() -> new EnumMap<GraveKind, List<Long>>(GraveKind.class),
                        (ids, grave) -> ids.computeIfAbsent(grave.getKey(), k -> new ArrayList<>()).add(grave.getValue()))
                .map(ids -> new Graves(ids.getOrDefault(GraveKind.CARD, List.of()), ids.getOrDefault(GraveKind.NOTE, List.of()),
                        ids.getOrDefault(GraveKind.DECK, List.of())));
    }
}
