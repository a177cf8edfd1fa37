package dev.deckhand.ankiclient;

import anki.decks.DeckNameId;
import anki.notes.Note;
import anki.backend.GeneratedBackend;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import net.ankiweb.rsdroid.BackendException;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * One simulated Anki device: a real Anki client with its own collection in a folder. The client
 * is Anki 2.1.66's Rust backend in this JVM, as AnkiDroid ships it, or Anki 26.09.3 (PyPI's
 * {@code anki}) in a child process ({@link AnkiRelease}).
 *
 * <p>The folder holds {@code collection.anki2}, {@code collection.media/} and
 * {@code collection.media.db}, the layout of a desktop profile; it is created if missing, and
 * reopening the same folder reopens the same collection.
 *
 * <p>Methods return plain Java types and raise {@link AnkiClientException} for every backend
 * error, so tests need neither protobuf nor the backend's exception classes. Not thread-safe,
 * except {@link #abortSync()} and {@link #abortMediaSync()}, which are meant to be called from
 * another thread while a sync runs.
 *
 * <p>The native library redirects the process's stdout/stderr: assert, don't print.
 */
public final class AnkiDevice implements AutoCloseable {

    private final Path folder;
    private final ClientRuntime client;
    private SyncErrorTexts syncErrorTexts;
    private boolean closed;

    private AnkiDevice(Path folder, ClientRuntime client) {
        this.folder = folder;
        this.client = client;
    }

    /** Opens (creating if needed) the collection in {@code folder} with Anki 2.1.66. */
    public static AnkiDevice open(Path folder) {
        return open(folder, AnkiRelease.ANKI_2_1_66);
    }

    /** Opens (creating if needed) the collection in {@code folder} with the given client. */
    public static AnkiDevice open(Path folder, AnkiRelease release) {
        Objects.requireNonNull(folder, "folder");
        Path media = folder.resolve("collection.media");
        try {
            Files.createDirectories(media);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + media, e);
        }
        try {
            ClientRuntime client = switch (release) {
                case ANKI_2_1_66 -> NativeAnkiClient.open(folder);
                case ANKI_26_09_3 -> PythonAnkiClient.open(folder);
            };
            return new AnkiDevice(folder, client);
        } catch (BackendException e) {
            throw AnkiClientException.from(e, () -> {
                throw new IllegalStateException("no sync runs while opening", e);
            });
        }
    }

    /** Which client this device runs. */
    public AnkiRelease release() {
        return client.release();
    }

    public Path folder() {
        return folder;
    }

    /**
     * The underlying backend, for RPCs this facade does not wrap (scheduler, media files, deck
     * configs, legacy JSON oracles...), in Anki 2.1.66's typed form whichever client runs: a
     * 26.x device runs each call in its own backend(). Its exceptions are the backend's own; wrap
     * calls with {@link #call(Supplier)} to get {@link AnkiClientException}s instead.
     */
    public GeneratedBackend backend() {
        return client.backend();
    }

    /** Runs {@code action} against the backend, converting backend errors to {@link AnkiClientException}. */
    public <T> T call(Supplier<T> action) {
        try {
            return action.get();
        } catch (BackendException e) {
            throw AnkiClientException.from(e, this::syncErrorTexts);
        }
    }

    private void run(Runnable action) {
        call(() -> {
            action.run();
            return null;
        });
    }

    // ---- content ------------------------------------------------------------------------------

    /** Adds a note of the stock "Basic" type to that type's default deck; returns the note id. */
    public long addBasicNote(String front, String back) {
        return call(() -> {
            long notetypeId = backend().getNotetypeIdByName("Basic");
            return addNote(notetypeId, backend().defaultDeckForNotetype(notetypeId), List.of(front, back));
        });
    }

    /**
     * Adds a note of the named note type to the named deck (created, with any parents, if missing);
     * returns the note id. Missing trailing fields stay empty.
     */
    public long addNote(String notetypeName, String deckName, String... fields) {
        return call(() -> addNote(backend().getNotetypeIdByName(notetypeName), deckId(deckName), List.of(fields)));
    }

    private long addNote(long notetypeId, long deckId, List<String> fields) {
        Note.Builder note = backend().newNote(notetypeId).toBuilder();
        if (fields.size() > note.getFieldsCount()) {
            throw new IllegalArgumentException(
                    "note type has " + note.getFieldsCount() + " fields, got " + fields.size());
        }
        for (int i = 0; i < fields.size(); i++) {
            note.setFields(i, fields.get(i));
        }
        return backend().addNote(note.build(), deckId).getNoteId();
    }

    /** Id of the deck with this exact name, creating it if missing. */
    public long deckId(String deckName) {
        return call(() -> {
            // Listing avoids relying on the lookup's not-found exception.
            for (DeckNameId deck : backend().getDeckNames(false, false)) {
                if (deck.getName().equals(deckName)) {
                    return deck.getId();
                }
            }
            return backend().addDeck(backend().newDeck().toBuilder().setName(deckName).build()).getId();
        });
    }

    public int noteCount() {
        return (int) queryLong("select count() from notes");
    }

    public int cardCount() {
        return (int) queryLong("select count() from cards");
    }

    /** All rows of a query on the collection database; SQL NULL becomes {@code null}. */
    public List<List<Object>> query(String sql, Object... args) {
        JSONArray arguments = new JSONArray();
        for (Object arg : args) {
            arguments.put(arg == null ? JSONObject.NULL : arg);
        }
        JSONArray rows = new JSONArray(dbCommand(new JSONObject()
                .put("kind", "query").put("sql", sql).put("args", arguments).put("first_row_only", false)));
        List<List<Object>> result = new ArrayList<>(rows.length());
        for (int r = 0; r < rows.length(); r++) {
            JSONArray row = rows.getJSONArray(r);
            List<Object> values = new ArrayList<>(row.length());
            for (int c = 0; c < row.length(); c++) {
                Object value = row.get(c);
                values.add(JSONObject.NULL.equals(value) ? null : value);
            }
            result.add(Collections.unmodifiableList(values));
        }
        return Collections.unmodifiableList(result);
    }

    /** First column of the first row as text, or {@code null} if there is no row or it is NULL. */
    public String queryScalar(String sql, Object... args) {
        List<List<Object>> rows = query(sql, args);
        if (rows.isEmpty() || rows.get(0).isEmpty() || rows.get(0).get(0) == null) {
            return null;
        }
        return String.valueOf(rows.get(0).get(0));
    }

    /** First column of the first row as a number; fails if absent. */
    public long queryLong(String sql, Object... args) {
        String value = queryScalar(sql, args);
        if (value == null) {
            throw new IllegalStateException("no value for: " + sql);
        }
        return Long.parseLong(value);
    }

    // ---- raw SQL through the client's DB proxy -------------------------------------------------
    // The same entry point as desktop Anki's col.db (used by add-ons and legacy importers) and
    // AnkiDroid's database layer. A write through it clears the undo and study queues and marks
    // the collection modified, as it does for those callers.

    /**
     * Runs {@code sql} once per row of {@code argRows}, in one backend call (the DB proxy's
     * {@code executemany}). Values may be {@code null}, {@link String}, integral numbers or
     * floating-point numbers. Outside {@link #inTransaction} each row commits on its own.
     */
    public void executeMany(String sql, List<? extends List<?>> argRows) {
        Objects.requireNonNull(sql, "sql");
        JSONArray rows = new JSONArray();
        for (List<?> argRow : argRows) {
            JSONArray row = new JSONArray();
            for (Object value : argRow) {
                row.put(value == null ? JSONObject.NULL : value);
            }
            rows.put(row);
        }
        dbCommand(new JSONObject().put("kind", "executemany").put("sql", sql).put("args", rows));
    }

    /**
     * Runs {@code action} inside one database transaction: committed when it returns, rolled back
     * when it throws. Backend RPCs inside it nest as savepoints, so a bulk of small writes (e.g.
     * thousands of {@code addNote}) pays for one commit instead of one each.
     */
    public <T> T inTransaction(Supplier<T> action) {
        dbCommand(new JSONObject().put("kind", "begin"));
        T result;
        try {
            result = action.get();
        } catch (RuntimeException | Error e) {
            try {
                dbCommand(new JSONObject().put("kind", "rollback"));
            } catch (RuntimeException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        }
        dbCommand(new JSONObject().put("kind", "commit"));
        return result;
    }

    /** One request to the client's DB proxy (the JSON commands of rslib's dbproxy); its JSON answer. */
    private String dbCommand(JSONObject request) {
        return call(() -> backend().runDbCommand(ByteString.copyFromUtf8(request.toString())).toStringUtf8());
    }

    // ---- sync ---------------------------------------------------------------------------------

    /**
     * Logs in as the real client does ({@code /sync/hostKey}).
     *
     * @param endpoint base URL ending with {@code /}; the client drops the last path segment otherwise
     */
    public SyncCredentials login(String endpoint, String user, String password) {
        requireEndpoint(endpoint);
        return call(() -> client.login(endpoint, user, password));
    }

    /** A normal (incremental) sync, or the verdict that a full sync is needed. */
    public SyncOutcome syncCollection(SyncCredentials credentials) {
        return call(() -> client.syncCollection(credentials, false));
    }

    /**
     * A collection sync and then a media sync, as desktop runs them with media syncing on (26.x
     * starts the media sync from the media usn meta reported, without {@code /msync/begin};
     * 2.1.66 starts it on its own). Returns when both have finished.
     */
    public SyncOutcome syncCollectionAndMedia(SyncCredentials credentials) {
        return call(() -> client.syncCollection(credentials, true));
    }

    /**
     * What the client learns from the server's {@code meta} alone, without syncing: desktop Anki
     * asks this in the background to colour its sync button.
     */
    public SyncRequired syncStatus(SyncCredentials credentials) {
        return call(() -> client.syncStatus(credentials));
    }

    /** Replaces the server's collection with this device's (the backend reopens it afterwards). */
    public void fullUpload(SyncCredentials credentials) {
        run(() -> client.fullSync(credentials, true));
    }

    /** Replaces this device's collection with the server's (the backend reopens it afterwards). */
    public void fullDownload(SyncCredentials credentials) {
        run(() -> client.fullSync(credentials, false));
    }

    /** Syncs media files; returns when the media sync has finished. */
    public void syncMedia(SyncCredentials credentials) {
        run(() -> client.syncMedia(credentials));
    }

    /**
     * Aborts the login or collection sync running on another thread; it then fails with
     * {@link AnkiClientException.Kind#INTERRUPTED}. A no-op when nothing is running.
     */
    public void abortSync() {
        run(client::abortSync);
    }

    /** Aborts a running media sync (from another thread). */
    public void abortMediaSync() {
        run(client::abortMediaSync);
    }

    static String requireEndpoint(String endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        if (!endpoint.endsWith("/")) {
            // Deliberately strict: the client would silently drop the last path segment.
            throw new IllegalArgumentException("sync endpoint must end with '/': " + endpoint);
        }
        return endpoint;
    }

    private SyncErrorTexts syncErrorTexts() {
        if (syncErrorTexts == null) {
            syncErrorTexts = client.errorTexts();
        }
        return syncErrorTexts;
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    /** Closes the collection (leaving it in the current schema, as the client does) and the backend. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        run(client::close);
    }
}
