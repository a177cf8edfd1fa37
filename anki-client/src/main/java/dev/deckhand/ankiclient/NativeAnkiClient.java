package dev.deckhand.ankiclient;

import anki.backend.GeneratedBackend;
import anki.sync.SyncAuth;
import anki.sync.SyncCollectionResponse;
import anki.sync.SyncLoginRequest;
import anki.sync.SyncStatusResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import net.ankiweb.rsdroid.Backend;
import net.ankiweb.rsdroid.BackendFactory;
import net.ankiweb.rsdroid.testing.RustBackendLoader;

/** Anki 2.1.66's backend in this JVM, as AnkiDroid publishes it for desktop JVMs. */
final class NativeAnkiClient implements ClientRuntime {

    private static final Object NATIVE_LOCK = new Object();
    private static boolean nativeLoaded;

    private final Backend backend;

    private NativeAnkiClient(Backend backend) {
        this.backend = backend;
    }

    /** Opens (creating if needed) the collection in {@code folder}; backend errors are the backend's own. */
    static NativeAnkiClient open(Path folder) {
        synchronized (NATIVE_LOCK) {
            if (!nativeLoaded) {
                RustBackendLoader.ensureSetup();
                nativeLoaded = true;
            }
        }
        // One backend per device: each holds its own open collection and sync state.
        Backend backend = BackendFactory.getBackend(List.of("en"));
        try {
            backend.openCollection(
                    folder.resolve("collection.anki2").toString(),
                    folder.resolve("collection.media").toString(),
                    folder.resolve("collection.media.db").toString(),
                    false);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        return new NativeAnkiClient(backend);
    }

    @Override
    public AnkiRelease release() {
        return AnkiRelease.ANKI_2_1_66;
    }

    @Override
    public GeneratedBackend backend() {
        return backend;
    }

    @Override
    public SyncCredentials login(String endpoint, String user, String password) {
        SyncAuth auth = backend.syncLogin(SyncLoginRequest.newBuilder()
                .setUsername(user)
                .setPassword(password)
                .setEndpoint(endpoint)
                .build());
        // The client keeps the endpoint it logged in with; the reply only carries the key.
        return new SyncCredentials(auth.getHkey(), auth.hasEndpoint() ? auth.getEndpoint() : endpoint);
    }

    @Override
    public SyncOutcome syncCollection(SyncCredentials credentials, boolean withMedia) {
        SyncCollectionResponse response = backend.syncCollection(toAuth(credentials));
        if (withMedia) {
            // 2.1.66 desktop starts the media sync on its own after the collection's, with begin
            backend.syncMedia(toAuth(credentials));
        }
        return new SyncOutcome(
                SyncRequired.valueOf(response.getRequired().name()),
                response.getServerMessage(),
                response.hasNewEndpoint() && !response.getNewEndpoint().isEmpty()
                        ? Optional.of(response.getNewEndpoint())
                        : Optional.empty());
    }

    @Override
    public SyncRequired syncStatus(SyncCredentials credentials) {
        SyncStatusResponse status = backend.syncStatus(toAuth(credentials));
        return SyncRequired.valueOf(status.getRequired().name());
    }

    @Override
    public void fullSync(SyncCredentials credentials, boolean upload) {
        // the backend closes the collection, transfers it and reopens it
        if (upload) {
            backend.fullUpload(toAuth(credentials));
        } else {
            backend.fullDownload(toAuth(credentials));
        }
    }

    @Override
    public void syncMedia(SyncCredentials credentials) {
        backend.syncMedia(toAuth(credentials));
    }

    @Override
    public void abortSync() {
        backend.abortSync();
    }

    @Override
    public void abortMediaSync() {
        backend.abortMediaSync();
    }

    @Override
    public SyncErrorTexts errorTexts() {
        return SyncErrorTexts.of(backend.getTr());
    }

    @Override
    public void close() {
        try {
            backend.closeCollection(false);
        } finally {
            backend.close();
        }
    }

    private static SyncAuth toAuth(SyncCredentials credentials) {
        return SyncAuth.newBuilder()
                .setHkey(credentials.hostKey())
                .setEndpoint(credentials.endpoint())
                .build();
    }
}
