package dev.deckhand.protocol;

import java.util.Optional;

/** Media sync methods, served under {@code <base>/msync/<wireName>}. */
public enum MediaMethod {
    BEGIN("begin"),
    MEDIA_CHANGES("mediaChanges"),
    UPLOAD_CHANGES("uploadChanges"),
    DOWNLOAD_FILES("downloadFiles"),
    MEDIA_SANITY("mediaSanity");

    private final String wireName;

    MediaMethod(String wireName) {
        this.wireName = wireName;
    }

    /** The exact, case-sensitive name used in the URL path. */
    public String wireName() {
        return wireName;
    }

    /** Case-sensitive lookup by wire name. */
    public static Optional<MediaMethod> fromWireName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        for (MediaMethod method : values()) {
            if (method.wireName.equals(name)) {
                return Optional.of(method);
            }
        }
        return Optional.empty();
    }
}
