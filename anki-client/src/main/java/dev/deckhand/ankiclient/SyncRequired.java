package dev.deckhand.ankiclient;

/**
 * What a collection sync found necessary; mirrors the backend's
 * {@code SyncCollectionResponse.ChangesRequired}.
 */
public enum SyncRequired {
    /** Both sides were already in step; nothing was sent. */
    NO_CHANGES,
    /** An incremental sync ran and completed. */
    NORMAL_SYNC,
    /** A one-way sync is needed and the user must choose the direction (both sides have data). */
    FULL_SYNC,
    /** A one-way sync is needed and only downloading makes sense (the local side is empty). */
    FULL_DOWNLOAD,
    /** A one-way sync is needed and only uploading makes sense (the server side is empty). */
    FULL_UPLOAD
}
