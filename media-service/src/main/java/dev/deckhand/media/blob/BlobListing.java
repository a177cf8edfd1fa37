package dev.deckhand.media.blob;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One pass over every blob in a {@link MediaBlobStore}, a page at a time. Ask for a page only
 * once the previous one has arrived. Close it when done, or to give up early: it may hold open
 * directories.
 */
public interface BlobListing extends AutoCloseable {

    /**
     * The next blobs, at most the store's page size of them, and never empty while blobs remain:
     * an empty list means the listing is over.
     */
    CompletableFuture<List<StoredBlob>> nextPage();

    @Override
    void close();
}
