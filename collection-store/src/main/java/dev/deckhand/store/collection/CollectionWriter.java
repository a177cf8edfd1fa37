package dev.deckhand.store.collection;

import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.store.sql.SqlFile;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * How a writer other than sync (the hosted API, an admin tool) changes a user's collection: in one
 * transaction under the user's collection lock, everything stamped with the server's usn (so the
 * next normal sync of every device carries it), deletions recorded as graves, {@code mod} bumped.
 * A write also takes the next sync epoch, so a normal sync that was open meanwhile can no longer
 * commit (its client's next sync then receives this change instead of missing it).
 */
@Component
public class CollectionWriter {

    private static final String RECORD_GRAVES = SqlFile.load(CollectionWriter.class, "record-graves");
    private static final String DELETE_NOTES = SqlFile.load(CollectionWriter.class, "delete-notes");
    private static final String DELETE_CARDS_OF_NOTES = SqlFile.load(CollectionWriter.class, "delete-cards-of-notes");
    private static final String DELETE_CARDS = SqlFile.load(CollectionWriter.class, "delete-cards");

    private final DatabaseClient db;
    private final CollectionStore collections;
    private final Notes notes;
    private final TransactionalOperator tx;
    private final Clock clock = Clock.systemUTC();

    public CollectionWriter(DatabaseClient db, CollectionStore collections, Notes notes,
                            ReactiveTransactionManager transactions) {
        this.db = db;
        this.collections = collections;
        this.notes = notes;
        this.tx = TransactionalOperator.create(transactions);
    }

    /**
     * Runs {@code change} against the user's collection and commits it with the new {@code mod},
     * all or nothing. A user without a collection is BAD_REQUEST.
     */
    public <T> Mono<T> write(long userId, Function<Change, Mono<T>> change) {
        return collections.lock(userId)
                .switchIfEmpty(Mono.error(() -> SyncProtocolException.badRequest("the user has no collection yet")))
                .flatMap(current -> collections.takeNextSyncEpoch(userId)
                        .then(change.apply(new Change(userId, current.usn())))
                        .flatMap(result -> modified(userId).thenReturn(result))
                        .switchIfEmpty(modified(userId).then(Mono.empty())))
                .as(tx::transactional);
    }

    private Mono<Void> modified(long userId) {
        return Mono.defer(() -> collections.setModified(userId, clock.millis()));
    }

    /** The changes one write may make; valid only inside {@link #write}. */
    public final class Change {

        private final long userId;
        private final int usn;

        private Change(long userId, int usn) {
            this.userId = userId;
            this.usn = usn;
        }

        /** The usn everything this write stores is stamped with. */
        public int usn() {
            return usn;
        }

        /** Adds or replaces notes (their sort field and checksum computed); they always win over the stored ones. */
        public Mono<Void> putNotes(List<NoteRow> rows) {
            return notes.notetypeShapes(userId)
                    .flatMapMany(shapes -> Flux.fromIterable(rows).buffer(Notes.NOTES_PER_STATEMENT)
                            .concatMap(batch -> notes.upsert(userId, usn, Notes.INCOMING_ALWAYS_WINS, batch, shapes)))
                    .then();
        }

        /** Deletes notes and their cards; both leave graves. Returns the ids of the cards that went. */
        public Mono<List<Long>> removeNotes(List<Long> noteIds) {
            Long[] ids = noteIds.toArray(Long[]::new);
            return db.sql(DELETE_CARDS_OF_NOTES).bind("user", userId).bind("note_ids", ids)
                    .map(r -> r.get("id", Long.class)).all().collectList()
                    .flatMap(cardIds -> db.sql(DELETE_NOTES).bind("user", userId).bind("ids", ids)
                            .map(r -> r.get("id", Long.class)).all().collectList()
                            .flatMap(gone -> recordGraves(GraveKind.NOTE, gone))
                            .then(recordGraves(GraveKind.CARD, cardIds))
                            .thenReturn(cardIds));
        }

        /** Deletes cards; they leave graves. Returns the ids that existed. */
        public Mono<List<Long>> removeCards(List<Long> cardIds) {
            return db.sql(DELETE_CARDS).bind("user", userId).bind("ids", cardIds.toArray(Long[]::new))
                    .map(r -> r.get("id", Long.class)).all().collectList()
                    .flatMap(gone -> recordGraves(GraveKind.CARD, gone).thenReturn(gone));
        }

        /** Records deletions of objects this write removed itself (decks, for example). */
        public Mono<Void> recordGraves(GraveKind kind, List<Long> ids) {
            if (ids.isEmpty()) {
                return Mono.empty();
            }
            return db.sql(RECORD_GRAVES).bind("user", userId).bind("type", kind.code).bind("usn", usn)
                    .bind("oids", ids.toArray(Long[]::new)).fetch().rowsUpdated().then();
        }
    }
}
