package dev.deckhand.ankiclient;

/** The real Anki clients a test can run as a device. */
public enum AnkiRelease {
    /** Anki 2.1.66's backend on the JVM, as AnkiDroid publishes it: sync protocol 11, a 2023 client. */
    ANKI_2_1_66("2.1.66"),
    /** Anki 26.09.3, PyPI's {@code anki} (desktop Anki's own library and backend), in a Python child process. */
    ANKI_26_09_3(PythonAnki.VERSION);

    private final String version;

    AnkiRelease(String version) {
        this.version = version;
    }

    /** The version as the client reports it. */
    public String version() {
        return version;
    }
}
