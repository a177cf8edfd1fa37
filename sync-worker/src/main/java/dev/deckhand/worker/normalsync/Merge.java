package dev.deckhand.worker.normalsync;

import dev.deckhand.store.collection.CollectionStore;
import dev.deckhand.store.collection.GraveKind;
import dev.deckhand.store.sql.SqlFile;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.Map;

/**
 * Applies everything a sync staged to the live tables, inside the caller's transaction (finish
 * commits it, the sanity check rolls it back), in the order Anki's server applies it as it
 * arrives: graves; then note types, decks, deck configs, tags, creation time and config; then
 * revlog, cards and notes. It first takes the user's collection lock and checks the sync's
 * epoch, so a sync that was replaced or ended can never write.
 */
@Component
class Merge {

    private static final Map<GraveKind, String> DELETE_WITH_STAGED_GRAVES = Map.of(
            GraveKind.CARD, SqlFile.load(Merge.class, "delete-cards-with-staged-graves"),
            GraveKind.NOTE, SqlFile.load(Merge.class, "delete-notes-with-staged-graves"),
            GraveKind.DECK, SqlFile.load(Merge.class, "delete-decks-with-staged-graves"));
    private static final String RECORD_STAGED_GRAVES = SqlFile.load(Merge.class, "record-staged-graves");

    private final DatabaseClient db;
    private final CollectionStore collections;
    private final MergeChanges changes;
    private final MergeRows rows;

    Merge(DatabaseClient db, CollectionStore collections, MergeChanges changes, MergeRows rows) {
        this.db = db;
        this.collections = collections;
        this.changes = changes;
        this.rows = rows;
    }

    Mono<Void> merge(long userId, SyncState state) {
        // while the epoch holds, the collection's usn is the one the sync started with
        return collections.lockForSync(userId, state.epoch())
                .then(graves(userId, state))
                .then(changes.merge(userId, state))
                .then(rows.merge(userId, state));
    }

    private Mono<Void> graves(long userId, SyncState state) {
        return Flux.fromArray(GraveKind.values())
                .concatMap(kind -> db.sql(DELETE_WITH_STAGED_GRAVES.get(kind)).bind("user", userId)
                        .bind("epoch", state.epoch()).bind("grave_kind", kind.code).fetch().rowsUpdated())
                .then(db.sql(RECORD_STAGED_GRAVES).bind("usn", state.serverUsn()).bind("user", userId)
                        .bind("epoch", state.epoch()).fetch().rowsUpdated())
                .then();
    }
}
