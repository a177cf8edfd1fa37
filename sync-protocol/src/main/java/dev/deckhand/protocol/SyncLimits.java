package dev.deckhand.protocol;

/**
 * Size limits of one sync request, from {@code MAX_SYNC_PAYLOAD_MEGS} as in Anki's server:
 * the body as sent (compressed) may be that many MiB, the unpacked payload three times that.
 */
public record SyncLimits(long maxRequestBytes, long maxPayloadBytes) {

    public static final int DEFAULT_MEGS = 100;

    public static SyncLimits ofMegs(int megs) {
        if (megs <= 0) {
            throw new IllegalArgumentException("MAX_SYNC_PAYLOAD_MEGS must be positive, not " + megs);
        }
        long bytes = megs * 1024L * 1024L;
        return new SyncLimits(bytes, 3 * bytes);
    }
}
