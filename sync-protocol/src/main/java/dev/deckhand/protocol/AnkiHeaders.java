package dev.deckhand.protocol;

/** HTTP header names of the v11 protocol (lower case; HTTP header names are case-insensitive). */
public final class AnkiHeaders {

    /** Request header carrying the JSON {@link SyncHeader}; its absence marks a legacy multipart request. */
    public static final String SYNC = "anki-sync";

    /**
     * Response header with the decimal length of the uncompressed payload. Mandatory on every
     * successful v11 response: clients fail with "missing original size" without it.
     */
    public static final String ORIGINAL_SIZE = "anki-original-size";

    private AnkiHeaders() {
    }
}
