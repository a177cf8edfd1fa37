package dev.deckhand.media.blob;

import java.time.Instant;

/**
 * A blob as a {@link MediaBlobStore#list() listing} finds it.
 *
 * @param lastModified when the blob was last written, by the store's clock (a file's mtime, an
 *                     object's Last-Modified, which S3 gives to the second): every put renews it
 */
public record StoredBlob(BlobKey key, Instant lastModified) {}
