package dev.deckhand.store.media;

import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.deckhand.store.sql.SqlFile;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The media index: which files a user has, by name, with their content hash, size and the media
 * usn of their last change. Deleted files stay as rows without a hash, so that other devices
 * learn of the deletion. The bytes live in a blob store, keyed by hash.
 */
@Repository
public class MediaIndexStore {

    /** Keeps media advisory locks apart from any other use of PostgreSQL advisory locks. */
    private static final int LOCK_NAMESPACE = 0x6d656469; // "medi"

    private static final String SELECT_MEDIA_USN = SqlFile.load(MediaIndexStore.class, "select-media-usn");
    private static final String SELECT_MEDIA_CHANGES_SINCE = SqlFile.load(MediaIndexStore.class, "select-media-changes-since");
    private static final String COUNT_LIVE_MEDIA_FILES = SqlFile.load(MediaIndexStore.class, "count-live-media-files");
    private static final String SELECT_MEDIA_FILES_BY_NAME = SqlFile.load(MediaIndexStore.class, "select-media-files-by-name");
    private static final String LOCK_USER_MEDIA = SqlFile.load(MediaIndexStore.class, "lock-user-media");
    private static final String SUM_LIVE_MEDIA_BYTES = SqlFile.load(MediaIndexStore.class, "sum-live-media-bytes");
    private static final String RECORD_MEDIA_FILES = SqlFile.load(MediaIndexStore.class, "record-media-files");
    private static final String SELECT_MEDIA_HASHES_IN_USE = SqlFile.load(MediaIndexStore.class, "select-media-hashes-in-use");

    private final DatabaseClient db;
    private final TransactionalOperator tx;

    public MediaIndexStore(DatabaseClient db, ReactiveTransactionManager transactions) {
        this.db = db;
        this.tx = TransactionalOperator.create(transactions);
    }

    /** One name's current state; {@code sha1} is lowercase hex, or empty when the file is deleted. */
    public record MediaFile(String name, String sha1, long size, int usn) {
        public boolean deleted() {
            return sha1.isEmpty();
        }
    }

    /** The user's media usn: the usn of the latest change, 0 before the first. */
    public Mono<Integer> currentUsn(long userId) {
        return db.sql(SELECT_MEDIA_USN)
                .bind("id", userId)
                .map((row, meta) -> row.get("usn", Integer.class))
                .one();
    }

    /** Changes after {@code lastUsn}, oldest first, at most {@code limit}. */
    public Flux<MediaFile> changesSince(long userId, int lastUsn, int limit) {
        return db.sql(SELECT_MEDIA_CHANGES_SINCE)
                .bind("u", userId).bind("after", lastUsn).bind("limit", limit)
                .map((row, meta) -> file(row.get("fname", String.class), row.get("sha1", byte[].class),
                        row.get("size", Long.class), row.get("usn", Integer.class)))
                .all();
    }

    /** How many files the user has (deleted ones not counted). */
    public Mono<Long> liveFileCount(long userId) {
        return db.sql(COUNT_LIVE_MEDIA_FILES)
                .bind("u", userId).map((row, meta) -> row.get("n", Long.class)).one();
    }

    /** The rows of these names that exist (live or deleted), by name. */
    public Mono<Map<String, MediaFile>> files(long userId, Collection<String> names) {
        if (names.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.sql(SELECT_MEDIA_FILES_BY_NAME)
                .bind("u", userId).bind("names", names.toArray(String[]::new))
                .map((row, meta) -> file(row.get("fname", String.class), row.get("sha1", byte[].class),
                        row.get("size", Long.class), row.get("usn", Integer.class)))
                .all()
                .collectMap(MediaFile::name, Function.identity());
    }

    /**
     * Runs {@code work} in one transaction that holds the user's media lock, so that index changes
     * and blob writes and deletions of one user never interleave (whatever the replica).
     */
    public <T> Mono<T> locked(long userId, Function<LockedIndex, Mono<T>> work) {
        return tx.transactional(db.sql(LOCK_USER_MEDIA)
                .bind("ns", LOCK_NAMESPACE).bind("u", (int) (userId ^ (userId >>> 32)))
                .fetch().rowsUpdated()
                .then(Mono.defer(() -> work.apply(new LockedIndex(userId)))));
    }

    /** The index as seen inside {@link #locked}: reads and writes of one user's rows. */
    public final class LockedIndex {

        private final long userId;

        private LockedIndex(long userId) {
            this.userId = userId;
        }

        public Mono<Integer> currentUsn() {
            return MediaIndexStore.this.currentUsn(userId);
        }

        public Mono<Map<String, MediaFile>> files(Collection<String> names) {
            return MediaIndexStore.this.files(userId, names);
        }

        /** Bytes of the user's live files. */
        public Mono<Long> liveBytes() {
            return db.sql(SUM_LIVE_MEDIA_BYTES)
                    .bind("u", userId).map((row, meta) -> row.get("n", Long.class)).one();
        }

        /**
         * Records each file's new content, or its deletion when its {@code sha1} is empty, in one
         * statement. The names must differ.
         */
        public Mono<Void> recordAll(List<MediaFile> files) {
            if (files.isEmpty()) {
                return Mono.empty();
            }
            return db.sql(RECORD_MEDIA_FILES)
                    .bind("u", userId)
                    .bind("names", files.stream().map(MediaFile::name).toArray(String[]::new))
                    .bind("sha1s", files.stream().map(MediaFile::sha1).toArray(String[]::new))
                    .bind("sizes", files.stream().map(f -> f.deleted() ? 0L : f.size()).toArray(Long[]::new))
                    .bind("usns", files.stream().map(MediaFile::usn).toArray(Integer[]::new))
                    .fetch().rowsUpdated().then();
        }

        /** Which of these hashes some live file of the user still has. */
        public Mono<Set<String>> inUse(Collection<String> sha1s) {
            if (sha1s.isEmpty()) {
                return Mono.just(Set.of());
            }
            return db.sql(SELECT_MEDIA_HASHES_IN_USE)
                    .bind("u", userId).bind("h", sha1s.toArray(String[]::new))
                    .map((row, meta) -> row.get("h", String.class))
                    .all().collect(Collectors.toSet());
        }
    }

    private static MediaFile file(String name, byte[] sha1, long size, int usn) {
        boolean live = sha1 != null && sha1.length > 0;
        return new MediaFile(name, live ? HexFormat.of().formatHex(sha1) : "", live ? size : 0, usn);
    }
}
