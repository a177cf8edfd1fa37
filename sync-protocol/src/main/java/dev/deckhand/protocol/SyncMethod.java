package dev.deckhand.protocol;

import java.util.Optional;

/** Collection sync methods, served under {@code <base>/sync/<wireName>}. */
public enum SyncMethod {
    HOST_KEY("hostKey"),
    META("meta"),
    START("start"),
    APPLY_GRAVES("applyGraves"),
    APPLY_CHANGES("applyChanges"),
    CHUNK("chunk"),
    APPLY_CHUNK("applyChunk"),
    SANITY_CHECK2("sanityCheck2"),
    FINISH("finish"),
    ABORT("abort"),
    UPLOAD("upload"),
    DOWNLOAD("download");

    private final String wireName;

    SyncMethod(String wireName) {
        this.wireName = wireName;
    }

    /** The exact, case-sensitive name used in the URL path. */
    public String wireName() {
        return wireName;
    }

    /**
     * Whether the request carries no arguments. Such bodies may be empty, {@code {}} or
     * {@code {"_pad":null}}; see {@link SyncJson#requireObjectOrEmpty(byte[])}.
     */
    public boolean takesNoArguments() {
        return this == CHUNK || this == FINISH || this == ABORT || this == DOWNLOAD;
    }


    /** Case-sensitive lookup by wire name. */
    public static Optional<SyncMethod> fromWireName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        for (SyncMethod method : values()) {
            if (method.wireName.equals(name)) {
                return Optional.of(method);
            }
        }
        return Optional.empty();
    }
}
