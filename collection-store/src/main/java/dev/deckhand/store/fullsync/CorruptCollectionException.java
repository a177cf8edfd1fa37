package dev.deckhand.store.fullsync;

/**
 * An uploaded file that is not a collection we can take. The client shows the upload's answer
 * verbatim, so {@link #USER_MESSAGE} is Anki's own wording; the detail goes to the log.
 */
public class CorruptCollectionException extends RuntimeException {

    public static final String USER_MESSAGE = "Your upload was corrupt. Please use Check Database, or restore from backup.";

    public CorruptCollectionException(String detail) {
        super(detail);
    }

    public CorruptCollectionException(String detail, Throwable cause) {
        super(detail, cause);
    }
}
