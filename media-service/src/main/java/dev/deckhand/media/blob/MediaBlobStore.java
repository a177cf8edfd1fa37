package dev.deckhand.media.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * The bytes of media files, by {@link BlobKey}. The media index in PostgreSQL says which names a
 * user has; this store only holds content. One implementation keeps files under a local folder
 * (the all-in-one server), another puts objects in an S3-compatible bucket.
 *
 * <p>Writes are asynchronous so that a batch of small files can be stored concurrently; reads are
 * blocking streams, consumed in order while a download zip is assembled (call them off the event
 * loop). All methods are safe to call from many threads.
 */
public interface MediaBlobStore {

    /**
     * Stores the content of {@code file} (which stays the caller's, and must not change until the
     * future completes) under {@code key}, replacing any earlier blob. A reader never sees a
     * partly written blob.
     */
    CompletableFuture<Void> put(BlobKey key, Path file);

    /** Opens the blob for reading. Throws {@link java.nio.file.NoSuchFileException} if it is absent. */
    InputStream open(BlobKey key) throws IOException;

    /** Removes the blob; completes normally if it was already absent. */
    CompletableFuture<Void> delete(BlobKey key);

    /** Removes every blob of one user (when the account is deleted). */
    CompletableFuture<Void> deleteUser(long tenantId, long userId);

    /**
     * Starts one pass over every blob of every user, each with the time it was last written, a
     * page at a time: for the sweep that removes blobs no index row uses. The order is the
     * store's own. A blob put or deleted while the listing runs may or may not be in it. What is
     * not a blob (a put's temporary file, an object or file named otherwise) is left out, so a
     * caller may delete what it lists.
     */
    BlobListing list();
}
