package dev.deckhand.ankiclient;

import anki.backend.BackendError;
import java.lang.reflect.Field;
import java.util.Objects;
import java.util.function.Supplier;
import net.ankiweb.rsdroid.BackendException;
import net.ankiweb.rsdroid.exceptions.BackendInterruptedException;
import net.ankiweb.rsdroid.exceptions.BackendNetworkException;
import net.ankiweb.rsdroid.exceptions.BackendSyncException;

/**
 * An error raised by the real Anki client, classified by what its user would be shown.
 *
 * <p>Anki's backend (2.1.66 and 26.x alike) reports errors as a protobuf {@code BackendError} with a coarse
 * {@code Kind}. All sync failures other than a wrong password share {@code SYNC_OTHER_ERROR}; the
 * only thing that tells them apart is the localized text rslib picked for its internal
 * {@code SyncErrorKind}. {@link Kind} recovers that distinction by comparing the message with the
 * backend's own English translations, so tests can assert on the behaviour users see.
 *
 * <p>{@link #getMessage()} is the backend's message unchanged; {@link #backendKind()} is the raw
 * protobuf kind name, for diagnostics.
 */
public final class AnkiClientException extends RuntimeException {

    /**
     * What the user would see. HTTP statuses below are those the client receives from the sync
     * server (rslib {@code error_for_status_code}); each mapping is exercised by
     * {@code AnkiDeviceTest} in compat-tests.
     */
    public enum Kind {
        /** {@code SYNC_AUTH_ERROR}: HTTP 403; "AnkiWeb ID or password was incorrect". */
        AUTH,
        /**
         * {@code NETWORK_ERROR}: no connection (refused, DNS, unreachable), I/O timeouts, HTTP 407
         * ("your proxy requires authentication"), and every other 4xx/5xx status rslib gives no
         * meaning (401, 404, 408, 413, 429, 505 observed): "A network error occurred".
         */
        NETWORK,
        /** {@code SYNC_OTHER_ERROR} with the "only one copy of Anki can sync" text: HTTP 409. */
        CONFLICT,
        /** {@code SYNC_OTHER_ERROR} with the "AnkiWeb encountered a problem" text: HTTP 500/502/503/504. */
        SERVER_ERROR,
        /** {@code SYNC_OTHER_ERROR} with the "client too old" text: HTTP 501. */
        CLIENT_TOO_OLD,
        /**
         * {@code SYNC_OTHER_ERROR} with the "use Check Database, then sync again" text: HTTP 400, or
         * the sanity check after a normal sync found client and server counts differing.
         */
        SANITY_CHECK_FAILED,
        /** {@code SYNC_OTHER_ERROR} with the "please sync again" text. */
        RESYNC_REQUIRED,
        /** {@code SYNC_OTHER_ERROR} with the "your clock is not set to the correct time" text. */
        CLOCK_INCORRECT,
        /** {@code SYNC_OTHER_ERROR} with the "collection too large to send" text. */
        UPLOAD_TOO_LARGE,
        /**
         * {@code SYNC_OTHER_ERROR} produced by the client itself while handling the protocol: a
         * malformed response (message starts with {@code HttpError}, e.g. a 200/302 without the
         * {@code anki-original-size} header, a 308 without {@code Location}), a bad media zip, or
         * "sync not started".
         */
        SYNC_OTHER,
        /**
         * {@code SYNC_OTHER_ERROR} carrying text chosen by the server, shown verbatim: a meta reply
         * with {@code cont: false}, or a media reply with {@code err} set. Recognised as "any other
         * {@code SYNC_OTHER_ERROR} text", since 2.1.66 has no dedicated kind for it.
         */
        SERVER_MESSAGE,
        /** {@code INTERRUPTED}: the sync was aborted ({@link AnkiDevice#abortSync()}). */
        INTERRUPTED,
        /** Any other backend kind (database, I/O, invalid input, not found, ...). */
        OTHER
    }

    private final Kind kind;
    private final String backendKind;

    AnkiClientException(Kind kind, String backendKind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.backendKind = Objects.requireNonNull(backendKind, "backendKind");
    }

    public Kind kind() {
        return kind;
    }

    /** The backend's {@code BackendError.Kind} name, e.g. {@code SYNC_OTHER_ERROR}, or {@code UNKNOWN}. */
    public String backendKind() {
        return backendKind;
    }

    @Override
    public String toString() {
        return "AnkiClientException[" + kind + "/" + backendKind + "]: " + getMessage();
    }

    static AnkiClientException from(BackendException e, Supplier<SyncErrorTexts> texts) {
        String backendKind = backendKindOf(e);
        String message = e.getMessage() == null ? "" : e.getMessage();
        Kind kind = switch (backendKind) {
            case "SYNC_AUTH_ERROR" -> Kind.AUTH;
            case "NETWORK_ERROR" -> Kind.NETWORK;
            case "INTERRUPTED" -> Kind.INTERRUPTED;
            case "SYNC_OTHER_ERROR" -> texts.get().classify(message);
            default -> Kind.OTHER;
        };
        return new AnkiClientException(kind, backendKind, message, e);
    }

    private static final Field ERROR_FIELD = errorField();

    private static Field errorField() {
        try {
            Field f = BackendException.class.getDeclaredField("error");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    // The exact kind lives in a private field: several kinds (e.g. IMPORT_ERROR, OS_ERROR) are
    // thrown as a plain BackendException, so the exception class alone loses them.
    private static String backendKindOf(BackendException e) {
        if (e instanceof PythonBackendException fromPython) {
            return fromPython.kind();
        }
        if (ERROR_FIELD != null) {
            try {
                if (ERROR_FIELD.get(e) instanceof BackendError error) {
                    return error.getKind().name();
                }
            } catch (IllegalAccessException ignored) {
                // fall back to the class, which is exact for the sync-related kinds
            }
        }
        if (e instanceof BackendSyncException.BackendSyncAuthFailedException) {
            return "SYNC_AUTH_ERROR";
        } else if (e instanceof BackendSyncException) {
            return "SYNC_OTHER_ERROR";
        } else if (e instanceof BackendNetworkException) {
            return "NETWORK_ERROR";
        } else if (e instanceof BackendInterruptedException) {
            return "INTERRUPTED";
        }
        return "UNKNOWN";
    }
}
