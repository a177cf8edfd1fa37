package dev.deckhand.ankiclient;

import anki.decks.DeckNameId;
import anki.notes.Note;
import anki.sync.SyncAuth;
import anki.sync.SyncCollectionResponse;
import anki.sync.SyncLoginRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import net.ankiweb.rsdroid.Backend;
import net.ankiweb.rsdroid.BackendException;
import net.ankiweb.rsdroid.BackendFactory;
import net.ankiweb.rsdroid.testing.RustBackendLoader;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * One simulated Anki device: the real client (Anki 2.1.66's Rust backend, as AnkiDroid ships it)
 * with its own collection in a folder.
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

    private static final Object NATIVE_LOCK = new Object();
    private static boolean nativeLoaded;

    private final Path folder;
    private final Backend backend;
    private SyncErrorTexts syncErrorTexts;
    private boolean closed;

    private AnkiDevice(Path folder, Backend backend) {
        this.folder = folder;
        this.backend = backend;
    }

    /** Opens (creating if needed) the collection in {@code folder}. */
    public static AnkiDevice open(Path folder) {
        Objects.requireNonNull(folder, "folder");
        Path media = folder.resolve("collection.media");
        try {
            Files.createDirectories(media);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + media, e);
        }
        loadNativeLibrary();
        // One backend per device: each holds its own open collection and sync state.
        Backend backend = BackendFactory.getBackend(List.of("en"));
        AnkiDevice device = new AnkiDevice(folder, backend);
        try {
            device.run(() -> backend.openCollection(
                    folder.resolve("collection.anki2").toString(),
                    media.toString(),
                    folder.resolve("collection.media.db").toString(),
                    false));
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        return device;
    }

    private static void loadNativeLibrary() {
        synchronized (NATIVE_LOCK) {
            if (!nativeLoaded) {
                RustBackendLoader.ensureSetup();
                nativeLoaded = true;
            }
        }
    }

    public Path folder() {
        return folder;
    }

    /**
     * The underlying backend, for RPCs this facade does not wrap (scheduler, media files, deck
     * configs, legacy JSON oracles...). Its exceptions are the backend's own; wrap calls with
     * {@link #call(Supplier)} to get {@link AnkiClientException}s instead.
     */
    public Backend backend() {
        return backend;
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
            long notetypeId = backend.getNotetypeIdByName("Basic");
            return addNote(notetypeId, backend.defaultDeckForNotetype(notetypeId), List.of(front, back));
        });
    }

    /**
     * Adds a note of the named note type to the named deck (created, with any parents, if missing);
     * returns the note id. Missing trailing fields stay empty.
     */
    public long addNote(String notetypeName, String deckName, String... fields) {
        return call(() -> addNote(backend.getNotetypeIdByName(notetypeName), deckId(deckName), List.of(fields)));
    }

    private long addNote(long notetypeId, long deckId, List<String> fields) {
        Note.Builder note = backend.newNote(notetypeId).toBuilder();
        if (fields.size() > note.getFieldsCount()) {
            throw new IllegalArgumentException(
                    "note type has " + note.getFieldsCount() + " fields, got " + fields.size());
        }
        for (int i = 0; i < fields.size(); i++) {
            note.setFields(i, fields.get(i));
        }
        return backend.addNote(note.build(), deckId).getNoteId();
    }

    /** Id of the deck with this exact name, creating it if missing. */
    public long deckId(String deckName) {
        return call(() -> {
            // Listing avoids relying on the lookup's not-found exception.
            for (DeckNameId deck : backend.getDeckNames(false, false)) {
                if (deck.getName().equals(deckName)) {
                    return deck.getId();
                }
            }
            return backend.addDeck(backend.newDeck().toBuilder().setName(deckName).build()).getId();
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
        JSONArray rows = call(() -> backend.fullQuery(sql, args));
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
        String request = new JSONObject()
                .put("kind", "executemany")
                .put("sql", sql)
                .put("args", rows)
                .toString();
        run(() -> backend.runDbCommand(com.google.protobuf.ByteString.copyFromUtf8(request)));
    }

    /**
     * Runs {@code action} inside one database transaction: committed when it returns, rolled back
     * when it throws. Backend RPCs inside it nest as savepoints, so a bulk of small writes (e.g.
     * thousands of {@code addNote}) pays for one commit instead of one each.
     */
    public <T> T inTransaction(Supplier<T> action) {
        run(backend::beginTransaction);
        T result;
        try {
            result = action.get();
        } catch (RuntimeException | Error e) {
            try {
                run(backend::rollbackTransaction);
            } catch (RuntimeException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        }
        run(backend::commitTransaction);
        return result;
    }

    // ---- sync ---------------------------------------------------------------------------------

    /**
     * Logs in as the real client does ({@code /sync/hostKey}).
     *
     * @param endpoint base URL ending with {@code /}; the client drops the last path segment otherwise
     */
    public SyncCredentials login(String endpoint, String user, String password) {
        requireEndpoint(endpoint);
        SyncAuth auth = call(() -> backend.syncLogin(SyncLoginRequest.newBuilder()
                .setUsername(user)
                .setPassword(password)
                .setEndpoint(endpoint)
                .build()));
        // The client keeps the endpoint it logged in with; the reply only carries the key.
        return new SyncCredentials(auth.getHkey(), auth.hasEndpoint() ? auth.getEndpoint() : endpoint);
    }

    /** A normal (incremental) sync, or the verdict that a full sync is needed. */
    public SyncOutcome syncCollection(SyncCredentials credentials) {
        SyncCollectionResponse response = call(() -> backend.syncCollection(toAuth(credentials)));
        return new SyncOutcome(
                required(response.getRequired()),
                response.getServerMessage(),
                response.hasNewEndpoint() && !response.getNewEndpoint().isEmpty()
                        ? Optional.of(response.getNewEndpoint())
                        : Optional.empty());
    }

    /** Replaces the server's collection with this device's (the backend reopens it afterwards). */
    public void fullUpload(SyncCredentials credentials) {
        run(() -> backend.fullUpload(toAuth(credentials)));
    }

    /** Replaces this device's collection with the server's (the backend reopens it afterwards). */
    public void fullDownload(SyncCredentials credentials) {
        run(() -> backend.fullDownload(toAuth(credentials)));
    }

    /** Syncs media files; returns when the media sync has finished. */
    public void syncMedia(SyncCredentials credentials) {
        run(() -> backend.syncMedia(toAuth(credentials)));
    }

    /**
     * Aborts the login or collection sync running on another thread; it then fails with
     * {@link AnkiClientException.Kind#INTERRUPTED}. A no-op when nothing is running.
     */
    public void abortSync() {
        run(() -> backend.abortSync());
    }

    /** Aborts a running media sync (from another thread). */
    public void abortMediaSync() {
        run(() -> backend.abortMediaSync());
    }

    private static SyncAuth toAuth(SyncCredentials credentials) {
        return SyncAuth.newBuilder()
                .setHkey(credentials.hostKey())
                .setEndpoint(credentials.endpoint())
                .build();
    }

    private static SyncRequired required(SyncCollectionResponse.ChangesRequired required) {
        return switch (required) {
            case NO_CHANGES -> SyncRequired.NO_CHANGES;
            case NORMAL_SYNC -> SyncRequired.NORMAL_SYNC;
            case FULL_SYNC -> SyncRequired.FULL_SYNC;
            case FULL_DOWNLOAD -> SyncRequired.FULL_DOWNLOAD;
            case FULL_UPLOAD -> SyncRequired.FULL_UPLOAD;
            case UNRECOGNIZED -> throw new IllegalStateException("unknown ChangesRequired from backend");
        };
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
            syncErrorTexts = SyncErrorTexts.of(backend.getTr());
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
        try {
            run(() -> backend.closeCollection(false));
        } finally {
            backend.close();
        }
    }
}
