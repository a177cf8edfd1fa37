package dev.deckhand.worker.normalsync;

import dev.deckhand.protocol.SyncJson;
import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.protocol.normalsync.NormalSyncMessages.UnchunkedChanges;
import dev.deckhand.store.collection.CollectionStore;
import dev.deckhand.store.collection.RowTuples;
import dev.deckhand.store.fullsync.LegacyJsonText;
import dev.deckhand.store.fullsync.sqlite.Unicase;
import dev.deckhand.store.sql.SqlFile;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The merge of a sync's small objects: note types, decks and deck configs (the incoming object
 * wins unless the stored one is newer; a name another object already has gets "+"), tags (new
 * names are added), and, from a client whose collection is newer, the config and creation time.
 */
@Component
class MergeChanges {

    private static final String SELECT_STAGED_CHANGES = SqlFile.load(MergeChanges.class, "select-staged-changes");
    private static final String SELECT_TAG_NAMES = SqlFile.load(MergeChanges.class, "select-tag-names");
    private static final String INSERT_TAG = SqlFile.load(MergeChanges.class, "insert-tag");
    private static final String DELETE_CONFIG = SqlFile.load(MergeChanges.class, "delete-config");
    private static final String INSERT_CONFIG = SqlFile.load(MergeChanges.class, "insert-config");

    /** The three kinds of named object, each with its own table. */
    private enum ObjectKind {
        NOTETYPES("notetypes", "select-notetype-names", "upsert-notetype"),
        DECKS("decks", "select-deck-names", "upsert-deck"),
        DECK_CONFIGS("deck_configs", "select-deck-config-names", "upsert-deck-config");

        final String table;
        final String selectNames;
        final String upsert;

        ObjectKind(String table, String selectNames, String upsert) {
            this.table = table;
            this.selectNames = SqlFile.load(MergeChanges.class, selectNames);
            this.upsert = SqlFile.load(MergeChanges.class, upsert);
        }
    }

    private final DatabaseClient db;
    private final CollectionStore collections;
    private final Clock clock = Clock.systemUTC();

    MergeChanges(DatabaseClient db, CollectionStore collections) {
        this.db = db;
        this.collections = collections;
    }

    Mono<Void> merge(long userId, SyncState state) {
        return db.sql(SELECT_STAGED_CHANGES).bind("user", userId).bind("epoch", state.epoch())
                .map(r -> r.get("changes", String.class)).one()
                .map(text -> SyncJson.read(text.getBytes(StandardCharsets.UTF_8), UnchunkedChanges.class))
                .flatMap(changes -> objects(userId, state, ObjectKind.NOTETYPES, changes.notetypes())
                        .then(objects(userId, state, ObjectKind.DECKS, changes.decks()))
                        .then(objects(userId, state, ObjectKind.DECK_CONFIGS, changes.deckConfigs()))
                        .then(tags(userId, state, changes.tags()))
                        .then(state.lnewer() ? config(userId, state, changes) : Mono.empty()));
    }

    private record Stored(long id, String name, long mtime, String json) {}

    private Mono<Void> objects(long userId, SyncState state, ObjectKind kind, List<ObjectNode> incoming) {
        if (incoming.isEmpty()) {
            return Mono.empty();
        }
        boolean notetypes = kind == ObjectKind.NOTETYPES;
        return db.sql(kind.selectNames).bind("user", userId)
                .map(r -> new Stored(r.get("id", Long.class), r.get("name", String.class), r.get("mtime", Long.class),
                        notetypes ? r.get("json", String.class) : ""))
                .all()
                .collectMap(Stored::id)
                .flatMap(existing -> Flux.fromIterable(incoming).concatMap(o -> {
                    ObjectNode object = o.deepCopy();
                    long id = RowTuples.number(object.get("id"), kind.table + " id");
                    long mod = object.path("mod").isMissingNode() ? 0 : RowTuples.number(object.get("mod"), kind.table + " mod");
                    Stored current = existing.get(id);
                    if (current != null && current.mtime() > mod) {
                        return Mono.empty();
                    }
                    if (notetypes && current != null) {
                        JsonNode old = LegacyJsonText.parse(current.json(), kind.table);
                        if (old.path("flds").size() != object.path("flds").size()
                                || old.path("tmpls").size() != object.path("tmpls").size()) {
                            return Mono.error(SyncProtocolException.badRequest(
                                    "note type " + id + " changed its fields or templates; a full sync is needed"));
                        }
                    }
                    String name = object.get("name").asString();
                    String unique = uniqueName(name, id, existing);
                    if (!unique.equals(name)) {
                        object.put("name", unique);
                        mod = clock.millis() / 1000;
                        object.put("mod", mod);
                    }
                    object.put("usn", state.serverUsn());
                    existing.put(id, new Stored(id, unique, mod, ""));
                    return db.sql(kind.upsert).bind("user", userId).bind("id", id).bind("name", unique).bind("mtime", mod)
                            .bind("usn", state.serverUsn()).bind("json", LegacyJsonText.write(object)).fetch().rowsUpdated();
                }).then());
    }

    /** The name itself, or with "+" appended until no other object has it (compared as Anki compares). */
    private static String uniqueName(String name, long id, Map<Long, Stored> existing) {
        String candidate = name;
        while (true) {
            String c = candidate;
            boolean taken = existing.values().stream().anyMatch(s -> s.id() != id && Unicase.compare(s.name(), c) == 0);
            if (!taken) {
                return candidate;
            }
            candidate = candidate + "+";
        }
    }

    private Mono<Void> tags(long userId, SyncState state, List<String> incoming) {
        if (incoming.isEmpty()) {
            return Mono.empty();
        }
        return db.sql(SELECT_TAG_NAMES).bind("user", userId)
                .map(r -> r.get("tag", String.class)).all().collectList()
                .flatMap(known -> Flux.fromIterable(incoming).concatMap(tag -> {
                    if (tag.isBlank() || known.stream().anyMatch(k -> Unicase.compare(k, tag) == 0)) {
                        return Mono.empty();
                    }
                    known.add(tag);
                    return db.sql(INSERT_TAG).bind("user", userId).bind("tag", tag).bind("usn", state.serverUsn())
                            .fetch().rowsUpdated();
                }).then());
    }

    /** The newer side's config replaces all of the other's, and its creation time too. */
    private Mono<Void> config(long userId, SyncState state, UnchunkedChanges changes) {
        Mono<Void> crt = changes.crt() == null ? Mono.empty() : collections.setCreationTime(userId, changes.crt());
        if (changes.config() == null) {
            return crt;
        }
        long now = clock.millis() / 1000;
        return db.sql(DELETE_CONFIG).bind("user", userId).fetch().rowsUpdated()
                .thenMany(Flux.fromIterable(changes.config().properties()))
                .concatMap(e -> db.sql(INSERT_CONFIG).bind("user", userId).bind("key", e.getKey())
                        .bind("usn", state.serverUsn()).bind("mtime", now).bind("value", LegacyJsonText.write(e.getValue()))
                        .fetch().rowsUpdated())
                .then(crt);
    }
}
