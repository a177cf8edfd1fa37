package dev.deckhand.media.cleanup;

import dev.deckhand.media.blob.BlobKey;
import dev.deckhand.media.blob.BlobListing;
import dev.deckhand.media.blob.MediaBlobStore;
import dev.deckhand.media.blob.StoredBlob;
import dev.deckhand.store.media.MediaBlobReferences;
import dev.deckhand.store.media.MediaBlobReferences.StoredBlobRef;
import dev.deckhand.store.media.MediaBlobReferences.UnusedBlob;
import dev.deckhand.store.media.MediaIndexStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Removes the media blobs that nothing needs: those no live index row of their user has (left by
 * a crash during or after an upload, which stores blobs before it commits their rows and deletes
 * replaced ones after), and those of users that no longer exist (left by a crash during
 * {@link UserDeletion}, or by an upload that lost the race with it).
 *
 * <p>It is safe beside uploads on any replica. Only blobs written before a cutoff are
 * candidates; {@link UnusedBlobSweeper} puts it well in the past (the grace period). Which
 * candidates go is decided, and they are deleted, inside the user's media lock
 * ({@link MediaIndexStore#locked}), under which every upload stores blobs and records the rows
 * that use them: so no blob is deleted that a committed live row uses, or that an upload has
 * just decided to rely on. Sweeps running at once on several replicas only repeat each other's
 * deletions, which succeed on absent blobs.
 *
 * <p>The store and the database must belong together: a blob under a prefix that this
 * database knows no user for is taken for a deleted user's.
 */
public final class UnusedBlobSweep {

    private static final Logger log = LoggerFactory.getLogger(UnusedBlobSweep.class);
    private static final int DELETES_AT_ONCE = 8;

    private final MediaBlobStore blobs;
    private final MediaIndexStore index;
    private final MediaBlobReferences references;

    public UnusedBlobSweep(MediaBlobStore blobs, MediaIndexStore index, MediaBlobReferences references) {
        this.blobs = blobs;
        this.index = index;
        this.references = references;
    }

    /**
     * What one sweep did.
     *
     * @param listed         blobs the store listed
     * @param unused         removed: their user exists, but no live name of it has that content
     * @param ofDeletedUsers removed: their user no longer exists
     * @param usersFailed    users whose blobs could not be swept (logged); the next sweep tries again
     */
    public record Result(long listed, List<BlobKey> unused, List<BlobKey> ofDeletedUsers, int usersFailed) {

        /** Every blob removed. */
        public List<BlobKey> removed() {
            List<BlobKey> all = new ArrayList<>(unused);
            all.addAll(ofDeletedUsers);
            return all;
        }
    }

    /**
     * Lists the whole store once and removes every blob written before {@code writtenBefore}
     * that nothing needs. A user whose blobs cannot be swept (the store or the database fails)
     * is logged and passed over, so one bad user does not stop the rest.
     */
    public Mono<Result> sweep(Instant writtenBefore) {
        return Mono.defer(() -> {
            Tally tally = new Tally();
            return Mono.usingWhen(Mono.fromSupplier(blobs::list),
                    listing -> pages(listing)
                            .concatMap(page -> sweepPage(page, writtenBefore, tally))
                            .then(Mono.fromSupplier(tally::result)),
                    listing -> Mono.fromRunnable(listing::close));
        });
    }

    private static Flux<List<StoredBlob>> pages(BlobListing listing) {
        return Mono.fromFuture(listing::nextPage).repeat().takeWhile(page -> !page.isEmpty());
    }

    private Mono<Void> sweepPage(List<StoredBlob> page, Instant writtenBefore, Tally tally) {
        tally.listed += page.size();
        List<StoredBlobRef> old = page.stream()
                .filter(b -> b.lastModified().isBefore(writtenBefore))
                .map(b -> ref(b.key()))
                .toList();
        // without a lock, which only keeps blobs: the users whose candidates are all in use are done here
        return references.unused(old).collectList()
                .flatMapMany(unused -> Flux.fromIterable(byUser(unused).values()))
                .concatMap(candidates -> sweepUser(candidates, tally))
                .then();
    }

    /** Decides again under the user's lock, and deletes under it, so no upload can come between. */
    private Mono<Void> sweepUser(List<StoredBlobRef> candidates, Tally tally) {
        long userId = candidates.getFirst().userId();
        return index.locked(userId, locked -> references.unused(candidates)
                        .flatMap(unused -> Mono.fromFuture(() -> blobs.delete(key(unused.blob()))).thenReturn(unused),
                                DELETES_AT_ONCE)
                        .doOnNext(tally::removed)
                        .then())
                .onErrorResume(e -> {
                    tally.usersFailed++;
                    log.warn("user {}: could not sweep unused media blobs: {}", userId, e.toString());
                    return Mono.empty();
                });
    }

    /** Grouped by owner (tenant and user), in the order met. */
    private static Map<List<Long>, List<StoredBlobRef>> byUser(List<UnusedBlob> unused) {
        Map<List<Long>, List<StoredBlobRef>> groups = new LinkedHashMap<>();
        for (UnusedBlob u : unused) {
            groups.computeIfAbsent(List.of(u.blob().tenantId(), u.blob().userId()), k -> new ArrayList<>()).add(u.blob());
        }
        return groups;
    }

    private static StoredBlobRef ref(BlobKey key) {
        return new StoredBlobRef(key.tenantId(), key.userId(), key.sha1());
    }

    private static BlobKey key(StoredBlobRef ref) {
        return new BlobKey(ref.tenantId(), ref.userId(), ref.sha1());
    }

    /** Counts of one sweep; touched by one step at a time (pages and users go in sequence). */
    private static final class Tally {
        long listed;
        int usersFailed;
        final List<BlobKey> unused = new ArrayList<>();
        final List<BlobKey> ofDeletedUsers = new ArrayList<>();

        void removed(UnusedBlob blob) {
            (blob.ownerExists() ? unused : ofDeletedUsers).add(key(blob.blob()));
        }

        Result result() {
            return new Result(listed, List.copyOf(unused), List.copyOf(ofDeletedUsers), usersFailed);
        }
    }
}
