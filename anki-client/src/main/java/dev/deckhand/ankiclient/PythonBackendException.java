package dev.deckhand.ankiclient;

import net.ankiweb.rsdroid.BackendException;

/** A backend error of the Anki 26.x client, with its {@code BackendError} kind by name. */
final class PythonBackendException extends BackendException {

    private final String kind;

    PythonBackendException(String kind, String message) {
        super(message);
        this.kind = kind;
    }

    /** The 26.x backend's {@code BackendError.Kind} name, e.g. {@code SYNC_AUTH_ERROR}. */
    String kind() {
        return kind;
    }
}
