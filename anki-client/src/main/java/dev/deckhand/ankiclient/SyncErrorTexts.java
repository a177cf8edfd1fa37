package dev.deckhand.ankiclient;

import java.util.List;
import net.ankiweb.rsdroid.Translations;

/**
 * The backend's own texts for the sync errors that share {@code SYNC_OTHER_ERROR}, taken from its
 * translations at runtime so a wording change in the backend cannot silently break the mapping.
 */
record SyncErrorTexts(
        String conflict,
        String serverError,
        String clientTooOld,
        String sanityCheckFailed,
        String resyncRequired,
        String clockOff,
        String uploadTooLargePrefix) {

    // Texts rslib itself produces for SyncErrorKind::Other (HttpError's Debug output, media zip
    // handling, a sync step out of order); anything else under SYNC_OTHER_ERROR came from the server.
    private static final List<String> CLIENT_SIDE_PREFIXES = List.of(
            "HttpError",
            "malformed zip",
            "invalid Zip archive",
            "unsupported Zip archive",
            "specified file not found in archive",
            "sync not started");

    /** The texts of Anki 2.1.66's backend. */
    static SyncErrorTexts of(Translations tr) {
        return new SyncErrorTexts(
                tr.syncConflict(),
                tr.syncServerError(),
                tr.syncClientTooOld(),
                tr.syncSanityCheckFailed(),
                tr.syncResyncRequired(),
                tr.syncClockOff(),
                fixedPrefix(tr.syncUploadTooLarge(SIZE_MARKER)));
    }

    /** The placeholder the "too large" text is rendered with, to find where its fixed part ends. */
    static final String SIZE_MARKER = "\u0001size\u0001";

    /** The "too large" text rendered with {@link #SIZE_MARKER}, cut to the fixed part before it. */
    static String fixedPrefix(String tooLarge) {
        int at = tooLarge.indexOf(SIZE_MARKER);
        // Fluent wraps arguments in Unicode isolation marks; keep only the fixed text before them.
        return (at < 0 ? tooLarge : tooLarge.substring(0, at)).replaceAll("[\u2068\u2069]+$", "");
    }

    AnkiClientException.Kind classify(String message) {
        if (message.equals(conflict)) {
            return AnkiClientException.Kind.CONFLICT;
        } else if (message.equals(serverError)) {
            return AnkiClientException.Kind.SERVER_ERROR;
        } else if (message.equals(clientTooOld)) {
            return AnkiClientException.Kind.CLIENT_TOO_OLD;
        } else if (message.equals(sanityCheckFailed)) {
            return AnkiClientException.Kind.SANITY_CHECK_FAILED;
        } else if (message.equals(resyncRequired)) {
            return AnkiClientException.Kind.RESYNC_REQUIRED;
        } else if (message.equals(clockOff)) {
            return AnkiClientException.Kind.CLOCK_INCORRECT;
        } else if (!uploadTooLargePrefix.isBlank() && message.startsWith(uploadTooLargePrefix)) {
            return AnkiClientException.Kind.UPLOAD_TOO_LARGE;
        } else if (CLIENT_SIDE_PREFIXES.stream().anyMatch(message::startsWith)) {
            return AnkiClientException.Kind.SYNC_OTHER;
        }
        return AnkiClientException.Kind.SERVER_MESSAGE;
    }
}
