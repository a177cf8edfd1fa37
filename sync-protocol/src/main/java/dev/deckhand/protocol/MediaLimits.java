package dev.deckhand.protocol;

/** The media protocol's fixed limits, as Anki's clients and server use them (protocol notes, section 9). */
public final class MediaLimits {

    /** Entries a {@code mediaChanges} reply holds at most. */
    public static final int CHANGES_PER_REPLY = 1000;
    /** Files (with deletions) in one upload's {@code _meta}, and names in one {@code downloadFiles}. */
    public static final int FILES_PER_BATCH = 25;
    /** Largest single media file. */
    public static final long MAX_FILE_BYTES = 100L * 1024 * 1024;
    /** Largest {@code _meta} entry of an upload zip. */
    public static final int MAX_META_BYTES = 50 * 1024;
    /** A download zip stops after the file that takes it past this many bytes. */
    public static final long DOWNLOAD_ZIP_TARGET_BYTES = 2_621_440;
    /**
     * Largest upload zip, unpacked: clients stop adding files past the 2.5 MiB target, so a batch
     * is at most that plus one largest file; the rest is room for zip headers.
     */
    public static final long MAX_UPLOAD_BYTES = DOWNLOAD_ZIP_TARGET_BYTES + MAX_FILE_BYTES + 1024 * 1024;
    /** Longest file name, in bytes of UTF-8. */
    public static final int MAX_NAME_BYTES = 255;

    private MediaLimits() {
    }
}
