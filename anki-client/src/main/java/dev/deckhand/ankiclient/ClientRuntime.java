package dev.deckhand.ankiclient;

import anki.backend.GeneratedBackend;

/**
 * What differs between the real clients a device can run: how its backend is reached, how a
 * sync is carried out (the sync RPCs changed shape between 2.1.66 and 26.x), and the texts its
 * errors are told apart by. Everything else in {@link AnkiDevice} is the same for both.
 */
sealed interface ClientRuntime permits NativeAnkiClient, PythonAnkiClient {

    AnkiRelease release();

    /** The backend's RPCs, in 2.1.66's typed form. */
    GeneratedBackend backend();

    SyncCredentials login(String endpoint, String user, String password);

    /** A collection sync; with {@code withMedia}, then a media sync, the way this release's desktop runs both. */
    SyncOutcome syncCollection(SyncCredentials credentials, boolean withMedia);

    /** What the client learns from {@code meta} alone, without syncing (desktop asks in the background). */
    SyncRequired syncStatus(SyncCredentials credentials);

    void fullSync(SyncCredentials credentials, boolean upload);

    void syncMedia(SyncCredentials credentials);

    void abortSync();

    void abortMediaSync();

    SyncErrorTexts errorTexts();

    /** Closes the collection (in the current schema, as the client does) and the backend. */
    void close();
}
