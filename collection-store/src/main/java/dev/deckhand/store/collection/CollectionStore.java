package dev.deckhand.store.collection;

import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.store.sql.SqlFile;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * The {@code collections} row of each user: the header of the collection (the {@code col} row of
 * a client's file) and its sync epoch, the fence that keeps a replaced or abandoned sync from
 * ever committing. Every statement that reads or writes that row is here.
 */
@Repository
public class CollectionStore {

    private static final String SELECT_STATE = SqlFile.load(CollectionStore.class, "select-collection-state");
    private static final String TAKE_NEXT_SYNC_EPOCH = SqlFile.load(CollectionStore.class, "take-next-sync-epoch");
    private static final String LOCK_COLLECTION = SqlFile.load(CollectionStore.class, "lock-collection");
    private static final String RETIRE_SYNC_EPOCH = SqlFile.load(CollectionStore.class, "retire-sync-epoch");
    private static final String ADVANCE_USN_AFTER_SYNC = SqlFile.load(CollectionStore.class, "advance-usn-after-sync");
    private static final String SELECT_CREATION_TIME = SqlFile.load(CollectionStore.class, "select-creation-time");
    private static final String SET_CREATION_TIME = SqlFile.load(CollectionStore.class, "set-creation-time");
    private static final String SET_MODIFIED = SqlFile.load(CollectionStore.class, "set-modified");
    private static final String INSERT_IF_ABSENT = SqlFile.load(CollectionStore.class, "insert-collection-if-absent");
    private static final String REPLACE_HEADER_AFTER_UPLOAD = SqlFile.load(CollectionStore.class, "replace-header-after-upload");
    private static final String ADVANCE_USN_FOR_DOWNLOAD = SqlFile.load(CollectionStore.class, "advance-usn-for-download");
    private static final String DELETE_HEADER = SqlFile.load(CollectionStore.class, "delete-collection-header");
    private static final String DELETE_CONTENTS = SqlFile.load(CollectionStore.class, "delete-collection-contents");

    private final DatabaseClient db;

    public CollectionStore(DatabaseClient db) {
        this.db = db;
    }

    /** A sync's fencing token and the collection's usn when it was taken. */
    public record SyncEpoch(long epoch, int usn) {

        private static SyncEpoch of(io.r2dbc.spi.Readable row) {
            return new SyncEpoch(row.get("sync_epoch", Long.class), row.get("usn", Integer.class));
        }
    }

    public Mono<CollectionState> state(long userId) {
        return db.sql(SELECT_STATE)
                .bind("user", userId)
                .map((row, meta) -> new CollectionState(row.get("mod", Long.class), row.get("scm", Long.class),
                        row.get("usn", Integer.class), row.get("empty", Boolean.class)))
                .one()
                .defaultIfEmpty(CollectionState.NONE);
    }

    /** Takes the user's next sync epoch, fencing off every older sync; empty if the user has no collection. */
    public Mono<SyncEpoch> takeNextSyncEpoch(long userId) {
        return db.sql(TAKE_NEXT_SYNC_EPOCH).bind("user", userId).map(SyncEpoch::of).one();
    }

    /**
     * Takes the user's collection lock for the rest of the transaction: every writer of the
     * collection does, first. Returns the current epoch and usn; empty if the user has no collection.
     */
    public Mono<SyncEpoch> lock(long userId) {
        return db.sql(LOCK_COLLECTION).bind("user", userId).map(SyncEpoch::of).one();
    }

    /**
     * Takes the user's collection lock for the rest of the transaction, and checks that
     * {@code epoch} is still the latest: a sync that another one replaced, or that a full sync
     * overtook, gets CONFLICT and so can never write. Returns the collection's current usn.
     */
    public Mono<Integer> lockForSync(long userId, long epoch) {
        return lock(userId)
                .switchIfEmpty(Mono.error(() -> SyncProtocolException.conflict("the collection is gone")))
                .flatMap(current -> current.epoch() == epoch ? Mono.just(current.usn())
                        : Mono.error(SyncProtocolException.conflict("another sync of this account began after this one")));
    }

    /**
     * Ends the sync holding {@code epoch} for good by taking the next epoch (waiting for a merge of
     * it that holds the lock). A newer sync is left alone.
     */
    public Mono<Void> retireSyncEpoch(long userId, long epoch) {
        return db.sql(RETIRE_SYNC_EPOCH).bind("user", userId).bind("epoch", epoch).fetch().rowsUpdated().then();
    }

    /** After a normal sync's merge: the next usn, and {@code now} (ms) as last sync and modification time. */
    public Mono<Void> advanceUsnAfterSync(long userId, long nowMillis) {
        return db.sql(ADVANCE_USN_AFTER_SYNC).bind("now", nowMillis).bind("user", userId).fetch().rowsUpdated().then();
    }

    /** The collection's creation time, seconds. */
    public Mono<Long> creationTime(long userId) {
        return db.sql(SELECT_CREATION_TIME).bind("user", userId).map(r -> r.get("crt", Long.class)).one();
    }

    public Mono<Void> setCreationTime(long userId, long crt) {
        return db.sql(SET_CREATION_TIME).bind("crt", crt).bind("user", userId).fetch().rowsUpdated().then();
    }

    /** Sets the modification time (ms), so that devices see a change and sync. */
    public Mono<Void> setModified(long userId, long nowMillis) {
        return db.sql(SET_MODIFIED).bind("now", nowMillis).bind("user", userId).fetch().rowsUpdated().then();
    }

    /** Gives the user this header if it has no collection yet; true when it was created here. */
    public Mono<Boolean> createIfAbsent(long userId, CollectionHeader header) {
        return bindHeader(db.sql(INSERT_IF_ABSENT), userId, header).fetch().rowsUpdated().map(n -> n > 0);
    }

    /** A full upload: the file's header replaces the collection's, and the next epoch fences off older syncs. */
    public Mono<Void> replaceHeaderAfterUpload(long userId, CollectionHeader header) {
        return bindHeader(db.sql(REPLACE_HEADER_AFTER_UPLOAD), userId, header).fetch().rowsUpdated().then();
    }

    /**
     * A full download: advances the usn and sets mod to {@code nowMillis}, as Anki's server does
     * before sending the file, takes the next epoch, and returns the new header; empty if the user has none.
     */
    public Mono<CollectionHeader> advanceUsnForDownload(long userId, long nowMillis) {
        return db.sql(ADVANCE_USN_FOR_DOWNLOAD).bind("user", userId).bind("now", nowMillis)
                .map(r -> new CollectionHeader(r.get("crt", Long.class), r.get("mod", Long.class), r.get("scm", Long.class),
                        r.get("usn", Integer.class), r.get("ls", Long.class), r.get("ver", Integer.class)))
                .one();
    }

    /** Deletes everything of the user's collection but its header row (runs in the caller's transaction). */
    public Mono<Void> deleteContents(long userId) {
        return db.sql(DELETE_CONTENTS).bind("user", userId).fetch().rowsUpdated().then();
    }

    /** Deletes the user's whole collection, header included (runs in the caller's transaction). */
    public Mono<Void> deleteCollection(long userId) {
        return deleteContents(userId).then(db.sql(DELETE_HEADER).bind("user", userId).fetch().rowsUpdated()).then();
    }

    private static DatabaseClient.GenericExecuteSpec bindHeader(DatabaseClient.GenericExecuteSpec sql, long userId,
                                                                CollectionHeader h) {
        return sql.bind("user", userId).bind("crt", h.crt()).bind("mod", h.mod()).bind("scm", h.scm())
                .bind("usn", h.usn()).bind("ls", h.ls()).bind("ver", h.ver());
    }
}
