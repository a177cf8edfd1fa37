package dev.deckhand.store.collection;

/**
 * What {@code meta} needs to know of a user's stored collection.
 *
 * @param mod   modification time, ms
 * @param scm   schema modification time, ms
 * @param empty whether the collection has no cards
 */
public record CollectionState(long mod, long scm, int usn, boolean empty) {

    /**
     * An account that never uploaded: no client has {@code scm} 0, so a client with cards is
     * told to upload and an empty client is asked which way to go.
     */
    public static final CollectionState NONE = new CollectionState(0, 0, 0, true);
}
