package dev.deckhand.media.blob;

import dev.deckhand.testsupport.Sha1;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link MediaBlobStore} must do, run against each implementation by a subclass on
 * the real thing (a folder, an S3 server).
 */
abstract class BlobStoreContract {

    static final int MIB = 1 << 20;

    @TempDir
    Path temp;

    /** The store under test; the same instance for the whole test method. */
    abstract MediaBlobStore store();

    /** How many blobs {@link #deleteUserRemovesAllBlobsOfThatUserOnly()} stores: above one listing page. */
    abstract int manyBlobs();

    // ---- files and digests ----

    private int fileCounter;

    /** A file of {@code size} pseudo-random bytes from {@code seed}; returns it and its SHA-1. */
    Content file(long size, long seed) throws IOException {
        Path path = temp.resolve("src-" + (fileCounter++));
        return new Content(path, Sha1.writeRandomFile(path, size, new Random(seed)), size);
    }

    record Content(Path path, String sha1, long size) {
        BlobKey key(long tenant, long user) {
            return new BlobKey(tenant, user, sha1);
        }
    }

    /** Reads the blob to its end and gives the SHA-1 of what came out. */
    String readSha1(BlobKey key) throws IOException {
        try (InputStream in = store().open(key)) {
            return Sha1.hex(in);
        }
    }

    static BlobKey key(long tenant, long user, int n) {
        return new BlobKey(tenant, user, String.format("%040x", n));
    }

    // ---- the contract ----

    @Test
    void emptySmallAndLargeFilesComeBackByteForByte() throws Exception {
        // large: several parts on S3, and not a whole number of them
        for (Content c : List.of(file(0, 1), file(1234, 2), file(40L * MIB + 12345, 3))) {
            BlobKey key = c.key(1, 1);
            store().put(key, c.path()).get();
            assertThat(readSha1(key)).as("SHA-1 of a %d-byte blob", c.size()).isEqualTo(c.sha1());
        }
    }

    @Test
    void theCallersFileIsLeftInPlace() throws Exception {
        Content c = file(1000, 4);
        store().put(c.key(1, 1), c.path()).get();
        assertThat(c.path()).exists().hasSize(1000);
    }

    @Test
    void aSecondPutReplacesTheBlob() throws Exception {
        BlobKey key = key(1, 1, 7);
        Content first = file(5000, 5);
        Content second = file(300, 6);
        store().put(key, first.path()).get();
        store().put(key, second.path()).get();
        assertThat(readSha1(key)).isEqualTo(second.sha1());
    }

    @Test
    void aDeletedBlobCannotBeOpened() throws Exception {
        Content c = file(100, 7);
        BlobKey key = c.key(1, 1);
        store().put(key, c.path()).get();
        store().delete(key).get();
        assertThatThrownBy(() -> store().open(key)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void openingAnAbsentBlobIsNoSuchFile() {
        assertThatThrownBy(() -> store().open(key(3, 4, 5)))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(key(3, 4, 5).relativePath());
    }

    @Test
    void deletingAnAbsentBlobSucceeds() throws Exception {
        store().delete(key(1, 1, 99)).get();
        Content c = file(10, 8);
        store().put(c.key(1, 1), c.path()).get();
        store().delete(c.key(1, 1)).get();
        store().delete(c.key(1, 1)).get();
    }

    @Test
    void usersWithTheSameContentHaveSeparateBlobs() throws Exception {
        Content c = file(2000, 9);
        // user 10 shares user 1's prefix as text; tenant 2 has a user 1 of its own
        BlobKey alice = c.key(1, 1);
        BlobKey bob = c.key(1, 10);
        BlobKey carol = c.key(2, 1);
        for (BlobKey k : List.of(alice, bob, carol)) {
            store().put(k, c.path()).get();
        }
        store().delete(alice).get();
        assertThatThrownBy(() -> store().open(alice)).isInstanceOf(NoSuchFileException.class);
        assertThat(readSha1(bob)).isEqualTo(c.sha1());
        assertThat(readSha1(carol)).isEqualTo(c.sha1());
    }

    @Test
    void deleteUserRemovesAllBlobsOfThatUserOnly() throws Exception {
        Content c = file(64, 10);
        int many = manyBlobs();
        List<CompletableFuture<Void>> puts = new ArrayList<>();
        // bounded in flight: thousands of requests at once would only queue in the client
        Semaphore inFlight = new Semaphore(32);
        for (int i = 0; i < many; i++) {
            inFlight.acquire();
            puts.add(store().put(key(1, 1, i), c.path()).whenComplete((r, e) -> inFlight.release()));
        }
        for (BlobKey other : List.of(key(1, 10, 0), key(1, 2, 0), key(2, 1, 0))) {
            puts.add(store().put(other, c.path()));
        }
        CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get();

        store().deleteUser(1, 1).get();

        for (int i : new int[] {0, 1, many / 2, many - 1}) {
            int n = i;
            assertThatThrownBy(() -> store().open(key(1, 1, n))).as("blob %d", n).isInstanceOf(NoSuchFileException.class);
        }
        assertThat(storedKeysOf(1, 1)).isEmpty();
        for (BlobKey other : List.of(key(1, 10, 0), key(1, 2, 0), key(2, 1, 0))) {
            assertThat(readSha1(other)).as("%s survives", other).isEqualTo(c.sha1());
        }
        // a user without blobs, and the same user again
        store().deleteUser(1, 1).get();
        store().deleteUser(7, 7).get();
    }

    /** Every blob the store still holds for the user, seen through the backend itself. */
    abstract Set<String> storedKeysOf(long tenant, long user) throws Exception;

    /** A store over the same backend as {@link #store()} that lists in pages of {@code pageSize}. */
    abstract MediaBlobStore storeListingInPagesOf(int pageSize);

    /**
     * Writes entries that are not blobs straight into the backend, where the store keeps its
     * blobs: temporary files, names that are nearly keys, strangers' objects.
     */
    abstract void writeEntriesThatAreNotBlobs() throws Exception;

    /** Every page of one listing, in order. */
    static List<List<StoredBlob>> listPages(MediaBlobStore store) throws Exception {
        List<List<StoredBlob>> pages = new ArrayList<>();
        try (BlobListing listing = store.list()) {
            for (List<StoredBlob> page = listing.nextPage().get(); !page.isEmpty(); page = listing.nextPage().get()) {
                pages.add(page);
            }
            // and over it stays
            assertThat(listing.nextPage().get()).isEmpty();
        }
        return pages;
    }

    static List<BlobKey> listedKeys(MediaBlobStore store) throws Exception {
        return listPages(store).stream().flatMap(List::stream).map(StoredBlob::key).toList();
    }

    @Test
    void aListingFindsEveryBlobOnceWithTheTimeItWasWritten() throws Exception {
        MediaBlobStore paged = storeListingInPagesOf(7);
        Content c = file(50, 30);
        Set<BlobKey> stored = new HashSet<>();
        // S3 keeps Last-Modified to the second
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1);
        for (int i = 0; i < 30; i++) {
            stored.add(key(1, 1, i));
        }
        for (int i = 0; i < 5; i++) {
            stored.add(key(1, 10, i));
        }
        stored.add(key(2, 1, 0));
        stored.add(key(12, 3, 1));
        for (BlobKey k : stored) {
            paged.put(k, c.path()).get();
        }
        paged.put(key(1, 1, 0), c.path()).get(); // replaced: still one blob
        Instant after = Instant.now().plusSeconds(1);

        List<List<StoredBlob>> pages = listPages(paged);

        assertThat(pages).hasSizeGreaterThanOrEqualTo(stored.size() / 7)
                .allSatisfy(page -> assertThat(page).hasSizeBetween(1, 7));
        List<StoredBlob> all = pages.stream().flatMap(List::stream).toList();
        assertThat(all).extracting(StoredBlob::key).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(stored);
        assertThat(all).allSatisfy(b -> assertThat(b.lastModified()).isBetween(before, after));

        paged.deleteUser(1, 1).get();
        paged.delete(key(12, 3, 1)).get();
        assertThat(listedKeys(paged)).containsExactlyInAnyOrderElementsOf(
                stored.stream().filter(k -> k.userId() != 1 || k.tenantId() != 1).filter(k -> k.tenantId() != 12).toList());
    }

    @Test
    void aListingLeavesOutWhatIsNotABlob() throws Exception {
        Content c = file(20, 31);
        store().put(c.key(1, 1), c.path()).get();
        writeEntriesThatAreNotBlobs();
        assertThat(listedKeys(store())).containsExactly(c.key(1, 1));
    }

    @Test
    void anEmptyStoreListsNothing() throws Exception {
        assertThat(listPages(store())).isEmpty();
    }

    @Test
    void eightConcurrentPutsOfOneKeyLeaveOneCompleteBlob() throws Exception {
        BlobKey key = key(1, 1, 42);
        List<Content> contents = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            contents.add(file(2 * MIB + i, 100 + i));
        }
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (Content c : contents) {
                done.add(threads.submit(() -> {
                    go.await();
                    return store().put(key, c.path()).get();
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(); // every put succeeds
            }
        } finally {
            threads.shutdownNow();
        }
        Set<String> written = new HashSet<>();
        contents.forEach(c -> written.add(c.sha1()));
        assertThat(readSha1(key)).isIn(written);
    }

    @Test
    void aReaderNeverSeesAPartlyReplacedBlob() throws Exception {
        BlobKey key = key(1, 1, 43);
        Content a = file(3 * MIB, 200);
        Content b = file(2 * MIB + 17, 201);
        store().put(key, a.path()).get();

        AtomicBoolean writing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        Future<?> reading = reader.submit(() -> {
            // reads until the writer is done, and once more after
            boolean last;
            do {
                last = !writing.get();
                try {
                    seen.add(readSha1(key));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } while (!last);
            return null;
        });
        try {
            for (int i = 0; i < 40; i++) {
                store().put(key, (i % 2 == 0 ? b : a).path()).get();
            }
        } finally {
            writing.set(false);
        }
        try {
            reading.get(2, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            throw new AssertionError("a read failed while the blob was replaced", e.getCause());
        } finally {
            reader.shutdownNow();
        }
        assertThat(seen).isNotEmpty().allSatisfy(sha -> assertThat(sha).isIn(a.sha1(), b.sha1()));
        assertThat(readSha1(key)).isEqualTo(a.sha1());
    }

    @Test
    void putOfAMissingFileFailsAndStoresNothing() {
        Path missing = temp.resolve("never-written");
        BlobKey key = key(1, 1, 44);
        assertThatThrownBy(() -> store().put(key, missing).get())
                .isInstanceOf(ExecutionException.class)
                .hasRootCauseInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> store().open(key)).isInstanceOf(NoSuchFileException.class);
    }
}
