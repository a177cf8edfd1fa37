package dev.deckhand.ankiclient;

import anki.backend.GeneratedBackend;
import java.nio.file.Path;
import java.util.Optional;
import org.json.JSONObject;

/**
 * Anki 26.09.3 (PyPI's {@code anki}, desktop Anki's own library) in a child process. Collection
 * work goes through {@link PythonBackend}; syncs are run by the process with 26.x's own
 * messages, as desktop 26.x runs them.
 */
final class PythonAnkiClient implements ClientRuntime {

    private final PythonAnkiProcess process;
    private final PythonBackend backend;

    private PythonAnkiClient(PythonAnkiProcess process) {
        this.process = process;
        this.backend = new PythonBackend(process);
    }

    static PythonAnkiClient open(Path folder) {
        PythonAnkiProcess process = PythonAnkiProcess.start(folder);
        try {
            JSONObject opened = (JSONObject) process.call("open", new JSONObject().put("folder", folder.toString()));
            if (!opened.getString("version").equals(PythonAnki.VERSION)) {
                throw new IllegalStateException("expected Anki " + PythonAnki.VERSION + ", the process runs "
                        + opened.getString("version"));
            }
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
        return new PythonAnkiClient(process);
    }

    @Override
    public AnkiRelease release() {
        return AnkiRelease.ANKI_26_09_3;
    }

    @Override
    public GeneratedBackend backend() {
        return backend;
    }

    @Override
    public SyncCredentials login(String endpoint, String user, String password) {
        JSONObject auth = (JSONObject) process.call("sync_login", new JSONObject()
                .put("username", user).put("password", password).put("endpoint", endpoint));
        return new SyncCredentials(auth.getString("hkey"), auth.optString("endpoint", endpoint));
    }

    @Override
    public SyncOutcome syncCollection(SyncCredentials credentials, boolean withMedia) {
        JSONObject response = (JSONObject) process.call("sync_collection", auth(credentials).put("with_media", withMedia));
        String newEndpoint = response.optString("new_endpoint", "");
        return new SyncOutcome(
                SyncRequired.valueOf(response.getString("required")),
                response.getString("server_message"),
                newEndpoint.isEmpty() ? Optional.empty() : Optional.of(newEndpoint));
    }

    @Override
    public SyncRequired syncStatus(SyncCredentials credentials) {
        JSONObject status = (JSONObject) process.call("sync_status", auth(credentials));
        return SyncRequired.valueOf(status.getString("required"));
    }

    @Override
    public void fullSync(SyncCredentials credentials, boolean upload) {
        process.call("full_sync", auth(credentials).put("upload", upload));
    }

    @Override
    public void syncMedia(SyncCredentials credentials) {
        process.call("sync_media", auth(credentials));
    }

    @Override
    public void abortSync() {
        process.call("abort_sync", new JSONObject());
    }

    @Override
    public void abortMediaSync() {
        process.call("abort_media_sync", new JSONObject());
    }

    @Override
    public SyncErrorTexts errorTexts() {
        JSONObject texts = (JSONObject) process.call("sync_error_texts", new JSONObject());
        return new SyncErrorTexts(
                texts.getString("conflict"),
                texts.getString("server_error"),
                texts.getString("client_too_old"),
                texts.getString("sanity_check_failed"),
                texts.getString("resync_required"),
                texts.getString("clock_off"),
                SyncErrorTexts.fixedPrefix(texts.getString("upload_too_large")));
    }

    @Override
    public void close() {
        try {
            process.call("close", new JSONObject());
        } finally {
            process.close();
        }
    }

    private static JSONObject auth(SyncCredentials credentials) {
        return new JSONObject().put("hkey", credentials.hostKey()).put("endpoint", credentials.endpoint());
    }
}
