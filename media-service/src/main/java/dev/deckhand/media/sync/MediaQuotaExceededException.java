package dev.deckhand.media.sync;

/** An upload that would take the user past their media quota; its message is shown to the user. */
public final class MediaQuotaExceededException extends RuntimeException {

    public MediaQuotaExceededException(long quotaBytes, long wouldUse) {
        super("Your media storage on this server is full: this sync would use " + megabytes(wouldUse)
                + " MB of the " + megabytes(quotaBytes) + " MB allowed. Delete unused media (Tools > Check Media)"
                + " or ask the server's administrator for more space, then sync again.");
    }

    private static String megabytes(long bytes) {
        return String.format("%.1f", bytes / 1_000_000.0);
    }
}
