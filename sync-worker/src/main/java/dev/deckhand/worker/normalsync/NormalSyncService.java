package dev.deckhand.worker.normalsync;

import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.store.fullsync.LegacyJsonText;
import dev.deckhand.store.collection.NoteFields;
import dev.deckhand.store.fullsync.sqlite.Unicase;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The steps of a normal (incremental) sync. Nothing a client sends touches the live tables
 * before {@code finish}: graves, changes and chunks are staged per user and epoch, and one
 * transaction merges them, checks the counts, advances the usn and commits. What the server
 * sends is computed from the live tables, which therefore still show the state before the
 * client's changes, minus what the client deleted.
 */
@Service
public class NormalSyncService {

    static final int CHUNK_SIZE = 250;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int REVLOG = 0;
    private static final int CARDS = 1;
    private static final int NOTES = 2;

    private final DatabaseClient db;
    private final TransactionalOperator tx;
    private final Clock clock = Clock.systemUTC();

    public NormalSyncService(DatabaseClient db, ReactiveTransactionManager transactions) {
        this.db = db;
        this.tx = TransactionalOperator.create(transactions);
    }

    public record Started(SyncState state, JsonNode graves) {}

    public record Chunk(JsonNode chunk, SyncState state) {}

    /**
     * Begins a sync: takes the next epoch (which fences off any older sync of this user),
     * forgets what older syncs staged, and answers the server's graves since {@code minUsn}.
     */
    public Mono<Started> start(long userId, int minUsn, boolean lnewer, JsonNode legacyGraves) {
        return db.sql("update collections set sync_epoch = sync_epoch + 1 where user_id = :u returning sync_epoch, usn")
                .bind("u", userId)
                .map(r -> new SyncState(r.get("sync_epoch", Long.class), r.get("usn", Integer.class), minUsn, lnewer, ChunkTable.REVLOG,
                        Long.MIN_VALUE))
                .one()
                .switchIfEmpty(Mono.error(() -> SyncProtocolException.badRequest(
                        "there is no collection on the server to sync with; a full sync is needed")))
                .flatMap(state -> deleteStaged(userId, "epoch < :e", state.epoch())
                        .then(outgoingGraves(userId, minUsn))
                        .flatMap(graves -> stageGraves(userId, state, legacyGraves).thenReturn(new Started(state, graves))))
                .as(tx::transactional);
    }

    public Mono<Void> applyGraves(long userId, SyncState state, JsonNode chunk) {
        return stageGraves(userId, state, chunk);
    }

    /** Stages the client's note types, decks, deck configs, tags and config; answers the server's. */
    public Mono<JsonNode> applyChanges(long userId, SyncState state, JsonNode changes) {
        if (!changes.isObject()) {
            return Mono.error(SyncProtocolException.badRequest("applyChanges needs a changes object"));
        }
        return outgoingChanges(userId, state)
                .flatMap(outgoing -> db.sql("""
                                insert into sync_staged_changes (user_id, epoch, changes) values (:u, :e, :c)
                                on conflict (user_id, epoch) do update set changes = excluded.changes, staged_at = now()""")
                        .bind("u", userId).bind("e", state.epoch()).bind("c", LegacyJsonText.write(changes))
                        .fetch().rowsUpdated().thenReturn(outgoing));
    }

    /** The next chunk of server rows the client has not seen, and where the next one starts. */
    public Mono<Chunk> chunk(long userId, SyncState state) {
        ObjectNode chunk = NODES.objectNode();
        return fill(userId, state, chunk, 0).map(next -> {
            chunk.put("done", next.chunkTable() == ChunkTable.DONE);
            return new Chunk(chunk, next);
        });
    }

    public Mono<Void> applyChunk(long userId, SyncState state, JsonNode chunk) {
        if (!chunk.isObject()) {
            return Mono.error(SyncProtocolException.badRequest("applyChunk needs a chunk object"));
        }
        // one row per (kind, id), the last one sent winning, checked before anything is staged
        Map<String, Object[]> rows = new java.util.LinkedHashMap<>();
        collectTuples(chunk.path("revlog"), REVLOG, REVLOG_SHAPE, rows);
        collectTuples(chunk.path("cards"), CARDS, CARD_SHAPE, rows);
        collectTuples(chunk.path("notes"), NOTES, NOTE_SHAPE, rows);
        if (rows.isEmpty()) {
            return Mono.empty();
        }
        Short[] kinds = rows.values().stream().map(r -> (short) (int) (Integer) r[0]).toArray(Short[]::new);
        Long[] ids = rows.values().stream().map(r -> (Long) r[1]).toArray(Long[]::new);
        String[] tuples = rows.values().stream().map(r -> (String) r[2]).toArray(String[]::new);
        return db.sql("""
                        insert into sync_staged_rows (user_id, epoch, kind, id, tuple)
                        select :u, :e, k, i, t from unnest(:kinds::smallint[], :ids::bigint[], :tuples::text[]) as x(k, i, t)
                        on conflict (user_id, epoch, kind, id) do update set tuple = excluded.tuple, staged_at = now()""")
                .bind("u", userId).bind("e", state.epoch()).bind("kinds", kinds).bind("ids", ids).bind("tuples", tuples)
                .fetch().rowsUpdated().then();
    }

    /**
     * Merges everything staged, counts as the client counted, and rolls back: the counts show
     * the state {@code finish} would commit, without committing it.
     */
    public Mono<JsonNode> sanityCheck(long userId, SyncState state, JsonNode client) {
        if (!client.isArray() || client.size() != 8) {
            return Mono.error(SyncProtocolException.badRequest("sanityCheck2 needs the client's 8 counts"));
        }
        return tx.execute(status -> {
                    status.setRollbackOnly();
                    return merge(userId, state).then(counts(userId)).flatMap(server -> {
                        ArrayNode c = client.deepCopy() instanceof ArrayNode a ? a : NODES.arrayNode();
                        c.set(0, NODES.arrayNode().add(0).add(0).add(0));
                        c.set(4, NODES.numberNode(0));
                        ObjectNode answer = NODES.objectNode();
                        answer.put("status", sameCounts(c, server) ? "ok" : "bad");
                        answer.set("c", c);
                        answer.set("s", server);
                        return Mono.just((JsonNode) answer);
                    });
                })
                .single();
    }

    /** Compares the counts as numbers; due counts (0) and graves (4) were zeroed on both sides. */
    private static boolean sameCounts(ArrayNode client, ArrayNode server) {
        for (int i = 1; i < 8; i++) {
            JsonNode c = client.get(i);
            if (c == null || !c.isNumber() || c.asLong() != server.get(i).asLong()) {
                return false;
            }
        }
        return true;
    }

    /** Merges everything staged and commits it with the next usn; returns the new mod, ms. */
    public Mono<Long> finish(long userId, SyncState state) {
        long now = clock.millis();
        return merge(userId, state)
                .then(db.sql("update collections set usn = usn + 1, ls = :now, mod = :now where user_id = :u")
                        .bind("now", now).bind("u", userId).fetch().rowsUpdated())
                .then(deleteStaged(userId, "epoch = :e", state.epoch()))
                .thenReturn(now)
                .as(tx::transactional);
    }

    /**
     * Ends this sync for good: first it takes the next epoch (waiting for a merge of this sync
     * that holds the collection's lock), so no later sanity check or finish of it can commit,
     * whatever its steps still in flight do; then it forgets what the sync staged. A newer sync
     * already holding a later epoch is left alone.
     */
    public Mono<Void> abort(long userId, long epoch) {
        return db.sql("update collections set sync_epoch = sync_epoch + 1 where user_id = :u and sync_epoch = :e")
                .bind("u", userId).bind("e", epoch).fetch().rowsUpdated()
                .then(deleteStaged(userId, "epoch = :e", epoch))
                .as(tx::transactional);
    }

    /**
     * Ends every sync that has staged nothing for {@code idle}: fenced with the next epoch, as
     * {@link #abort} does, so that it can never commit, and its staged rows dropped. A client that
     * vanished mid-sync and never comes back leaves nothing behind. Returns how many were ended.
     */
    public Mono<Long> abandonIdleSyncs(Duration idle) {
        return db.sql("""
                        select user_id, epoch from (
                            select user_id, epoch, staged_at from sync_staged_graves
                            union all select user_id, epoch, staged_at from sync_staged_changes
                            union all select user_id, epoch, staged_at from sync_staged_rows) s
                        group by user_id, epoch
                        having max(staged_at) < now() - make_interval(secs => :idle)""")
                .bind("idle", (double) idle.toSeconds())
                .map(r -> new long[] {r.get("user_id", Long.class), r.get("epoch", Long.class)})
                .all()
                .collectList()
                .flatMapMany(Flux::fromIterable)
                .concatMap(sync -> abort(sync[0], sync[1]).thenReturn(1L))
                .count();
    }

    // ---- staging --------------------------------------------------------------------------

    private Mono<Void> stageGraves(long userId, SyncState state, JsonNode graves) {
        if (graves == null || graves.isNull() || graves.isMissingNode()) {
            return Mono.empty();
        }
        if (!graves.isObject()) {
            return Mono.error(SyncProtocolException.badRequest("graves must be an object of id lists"));
        }
        List<long[]> items = new ArrayList<>();
        collectIds(graves.path("cards"), 0, items);
        collectIds(graves.path("notes"), 1, items);
        collectIds(graves.path("decks"), 2, items);
        return Flux.fromIterable(items)
                .concatMap(g -> db.sql("""
                                insert into sync_staged_graves (user_id, epoch, oid, type) values (:u, :e, :o, :t)
                                on conflict do nothing""")
                        .bind("u", userId).bind("e", state.epoch()).bind("o", g[0]).bind("t", (int) g[1])
                        .fetch().rowsUpdated())
                .then();
    }

    private static void collectIds(JsonNode ids, int type, List<long[]> into) {
        if (ids.isMissingNode() || ids.isNull()) {
            return;
        }
        if (!ids.isArray()) {
            throw SyncProtocolException.badRequest("grave ids must be a list");
        }
        for (JsonNode id : ids) {
            into.add(new long[] {longOf(id, "grave id"), type});
        }
    }

    // the type of each element of a row: n = integer (floats truncated), s = text, a = anything
    private static final String REVLOG_SHAPE = "nnnnnnnnn";
    private static final String CARD_SHAPE = "nnnnnnnnnnnnnnnnns";
    private static final String NOTE_SHAPE = "nsnnnssaaaa";
    // the ranges clients read these values into (Anki's Rust types); anything else breaks their parser
    private static final long[][] CARD_RANGES = {
            {Long.MIN_VALUE, Long.MAX_VALUE}, {Long.MIN_VALUE, Long.MAX_VALUE}, {Long.MIN_VALUE, Long.MAX_VALUE},
            {0, 65535}, {Long.MIN_VALUE, Long.MAX_VALUE}, {Integer.MIN_VALUE, Integer.MAX_VALUE}, {0, 3}, {-3, 4},
            {Integer.MIN_VALUE, Integer.MAX_VALUE}, {0, 0xFFFFFFFFL}, {0, 65535}, {0, 0xFFFFFFFFL}, {0, 0xFFFFFFFFL},
            {0, 0xFFFFFFFFL}, {Integer.MIN_VALUE, Integer.MAX_VALUE}, {Long.MIN_VALUE, Long.MAX_VALUE}, {0, 255}};
    private static final long[][] REVLOG_RANGES = {
            {Long.MIN_VALUE, Long.MAX_VALUE}, {Long.MIN_VALUE, Long.MAX_VALUE}, {Integer.MIN_VALUE, Integer.MAX_VALUE},
            {0, 255}, {Integer.MIN_VALUE, Integer.MAX_VALUE}, {Integer.MIN_VALUE, Integer.MAX_VALUE}, {0, 0xFFFFFFFFL},
            {0, 0xFFFFFFFFL}, {0, 255}};

    private static void collectTuples(JsonNode tuples, int kind, String shape, Map<String, Object[]> into) {
        if (tuples.isMissingNode() || tuples.isNull()) {
            return;
        }
        if (!tuples.isArray()) {
            throw SyncProtocolException.badRequest("chunk rows must be a list");
        }
        for (JsonNode t : tuples) {
            if (!t.isArray() || t.size() != shape.length()) {
                throw SyncProtocolException.badRequest("a " + KIND_NAMES[kind] + " row must be a list of " + shape.length() + " values");
            }
            long[][] ranges = kind == CARDS ? CARD_RANGES : kind == REVLOG ? REVLOG_RANGES : null;
            for (int i = 0; i < shape.length(); i++) {
                JsonNode v = t.get(i);
                if (shape.charAt(i) == 'n') {
                    long n = longOf(v, KIND_NAMES[kind] + " value " + i);
                    if (ranges != null && (n < ranges[i][0] || n > ranges[i][1])) {
                        throw SyncProtocolException.badRequest(KIND_NAMES[kind] + " value " + i + " is out of range: " + n);
                    }
                } else if (shape.charAt(i) == 's' && !v.isString()) {
                    throw SyncProtocolException.badRequest(KIND_NAMES[kind] + " value " + i + " must be text");
                }
                if (v.isString() && v.asString().indexOf('\0') >= 0) {
                    // PostgreSQL text cannot hold it, and Anki writes none
                    throw SyncProtocolException.badRequest(KIND_NAMES[kind] + " value " + i + " contains a NUL character");
                }
            }
            long id = longOf(t.get(0), KIND_NAMES[kind] + " id");
            into.put(kind + ":" + id, new Object[] {kind, id, LegacyJsonText.write(t)});
        }
    }

    private static final String[] KIND_NAMES = {"revlog", "card", "note"};

    private Mono<Void> deleteStaged(long userId, String epochCondition, long epoch) {
        return Flux.just("sync_staged_graves", "sync_staged_changes", "sync_staged_rows")
                .concatMap(t -> db.sql("delete from " + t + " where user_id = :u and " + epochCondition)
                        .bind("u", userId).bind("e", epoch).fetch().rowsUpdated())
                .then();
    }

    // ---- what the server sends ------------------------------------------------------------

    private Mono<JsonNode> outgoingGraves(long userId, int minUsn) {
        ObjectNode graves = NODES.objectNode();
        ArrayNode cards = graves.putArray("cards");
        ArrayNode decks = graves.putArray("decks");
        ArrayNode notes = graves.putArray("notes");
        return db.sql("select oid, type from graves where user_id = :u and usn >= :m order by type, oid")
                .bind("u", userId).bind("m", minUsn)
                .map(r -> new long[] {r.get("oid", Long.class), r.get("type", Integer.class)})
                .all()
                .doOnNext(g -> (g[1] == 0 ? cards : g[1] == 1 ? notes : decks).add(g[0]))
                .then(Mono.just(graves));
    }

    private Mono<JsonNode> outgoingChanges(long userId, SyncState state) {
        ObjectNode out = NODES.objectNode();
        ArrayNode models = out.putArray("models");
        ArrayNode decksAndConfigs = out.putArray("decks");
        ArrayNode decks = decksAndConfigs.addArray();
        ArrayNode configs = decksAndConfigs.addArray();
        ArrayNode tags = out.putArray("tags");
        Mono<Void> work = objectsSince("notetypes", userId, state, "").doOnNext(models::add)
                .thenMany(objectsSince("decks", userId, state, " and " + notDeletedByClient(2, state.epoch())))
                .doOnNext(decks::add)
                .thenMany(objectsSince("deck_configs", userId, state, "")).doOnNext(configs::add)
                .thenMany(db.sql("select tag from tags where user_id = :u and usn >= :m order by tag")
                        .bind("u", userId).bind("m", state.minUsn()).map(r -> r.get("tag", String.class)).all())
                .doOnNext(tags::add)
                .then();
        if (!state.lnewer()) {
            // the server's collection is newer: it sends its whole config and creation time
            ObjectNode conf = NODES.objectNode();
            work = work.thenMany(db.sql("select key, value from config where user_id = :u order by key").bind("u", userId)
                            .map(r -> Map.entry(r.get("key", String.class), r.get("value", String.class))).all())
                    .doOnNext(e -> conf.set(e.getKey(), LegacyJsonText.parse(e.getValue(), "config " + e.getKey())))
                    .then(db.sql("select crt from collections where user_id = :u").bind("u", userId)
                            .map(r -> r.get("crt", Long.class)).one())
                    .doOnNext(crt -> {
                        out.set("conf", conf);
                        out.put("crt", crt);
                    })
                    .then();
        }
        return work.thenReturn(out);
    }

    private Flux<JsonNode> objectsSince(String table, long userId, SyncState state, String extraCondition) {
        return db.sql("select json from " + table + " t where user_id = :u and usn >= :m" + extraCondition + " order by id")
                .bind("u", userId).bind("m", state.minUsn())
                .map(r -> LegacyJsonText.parse(r.get("json", String.class), table))
                .all();
    }

    private Mono<SyncState> fill(long userId, SyncState state, ObjectNode chunk, int taken) {
        if (state.chunkTable() == ChunkTable.DONE || taken >= CHUNK_SIZE) {
            return Mono.just(state);
        }
        int limit = CHUNK_SIZE - taken;
        ChunkTable current = state.chunkTable();
        int table = current.ordinal();
        String sql = switch (table) {
            case REVLOG -> "select id, cid, usn, ease, ivl, last_ivl, factor, time, type from revlog t where true";
            case CARDS -> "select id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses, \"left\","
                    + " odue, odid, flags, data from cards t where " + notDeletedByClient(0, state.epoch());
            default -> "select id, guid, mid, mod, usn, tags, flds, flags, data from notes t where "
                    + notDeletedByClient(1, state.epoch());
        };
        ArrayNode rows = chunk.has(KEYS[table]) ? (ArrayNode) chunk.get(KEYS[table]) : chunk.putArray(KEYS[table]);
        return db.sql(sql + " and t.user_id = :u and t.usn >= :m and t.id > :after order by t.id limit :limit")
                .bind("u", userId).bind("m", state.minUsn())
                .bind("after", state.chunkAfterId()).bind("limit", limit)
                .map((r, meta) -> tuple(table, r))
                .all()
                .collectList()
                .flatMap(list -> {
                    list.forEach(rows::add);
                    if (rows.isEmpty()) {
                        chunk.remove(KEYS[table]);
                    }
                    if (list.size() < limit) {
                        return fill(userId, state.chunkedUpTo(current.next(), Long.MIN_VALUE), chunk, taken + list.size());
                    }
                    long last = list.get(list.size() - 1).get(0).asLong();
                    return Mono.just(state.chunkedUpTo(current, last));
                });
    }

    private static final String[] KEYS = {"revlog", "cards", "notes"};

    /** Rows the client deleted in this sync are not sent back to it. Both values are ours, not input. */
    private static String notDeletedByClient(int graveType, long epoch) {
        return "not exists (select 1 from sync_staged_graves g where g.user_id = t.user_id and g.epoch = " + epoch
                + " and g.type = " + graveType + " and g.oid = t.id)";
    }

    private static JsonNode tuple(int table, io.r2dbc.spi.Readable r) {
        ArrayNode t = NODES.arrayNode();
        switch (table) {
            case REVLOG -> {
                t.add(r.get(0, Long.class)).add(r.get(1, Long.class)).add(r.get(2, Integer.class));
                for (int i = 3; i <= 8; i++) {
                    t.add(r.get(i, Long.class));
                }
            }
            case CARDS -> {
                for (int i = 0; i <= 4; i++) {
                    t.add(r.get(i, Long.class));
                }
                t.add(r.get(5, Integer.class));
                for (int i = 6; i <= 16; i++) {
                    t.add(r.get(i, Long.class));
                }
                t.add(r.get(17, String.class));
            }
            default -> {
                byte[] flds = bytes(r.get(6));
                // sort field and checksum go out as empty strings: clients accept nothing else
                t.add(r.get(0, Long.class)).add(r.get(1, String.class)).add(r.get(2, Long.class)).add(r.get(3, Long.class))
                        .add(r.get(4, Integer.class)).add(r.get(5, String.class)).add(new String(flds, StandardCharsets.UTF_8))
                        .add("").add("").add(r.get(7, Long.class)).add(r.get(8, String.class));
            }
        }
        return t;
    }

    private static byte[] bytes(Object value) {
        if (value instanceof byte[] b) {
            return b;
        }
        java.nio.ByteBuffer buffer = ((java.nio.ByteBuffer) value).duplicate();
        byte[] b = new byte[buffer.remaining()];
        buffer.get(b);
        return b;
    }

    // ---- the merge ------------------------------------------------------------------------

    /**
     * Applies everything staged to the live tables, in the order Anki's server applies it as it
     * arrives: graves, then note types, decks, deck configs, tags, creation time and config,
     * then revlog, cards and notes. Runs inside the caller's transaction.
     */
    private Mono<Void> merge(long userId, SyncState state) {
        return db.sql("select sync_epoch from collections where user_id = :u for update").bind("u", userId)
                .map(r -> r.get("sync_epoch", Long.class)).one()
                .flatMap(epoch -> epoch == state.epoch() ? Mono.<Void>empty() : Mono.error(SyncProtocolException.conflict(
                        "another sync of this account began after this one")))
                .then(mergeGraves(userId, state))
                .then(mergeChanges(userId, state))
                .then(notetypeShapes(userId))
                .flatMap(shapes -> mergeRows(userId, state, shapes));
    }

    private Mono<Void> mergeGraves(long userId, SyncState state) {
        return Flux.just("cards:0", "notes:1", "decks:2")
                .concatMap(tt -> {
                    String[] p = tt.split(":");
                    return db.sql("delete from " + p[0] + " t using sync_staged_graves g where g.user_id = :u and g.epoch = :e"
                                    + " and g.type = " + p[1] + " and t.user_id = :u and t.id = g.oid")
                            .bind("u", userId).bind("e", state.epoch()).fetch().rowsUpdated();
                })
                .then(db.sql("""
                                insert into graves (user_id, oid, type, usn)
                                select user_id, oid, type, :usn from sync_staged_graves where user_id = :u and epoch = :e
                                on conflict do nothing""")
                        .bind("usn", state.serverUsn()).bind("u", userId).bind("e", state.epoch()).fetch().rowsUpdated())
                .then();
    }

    private Mono<Void> mergeChanges(long userId, SyncState state) {
        return db.sql("select changes from sync_staged_changes where user_id = :u and epoch = :e")
                .bind("u", userId).bind("e", state.epoch())
                .map(r -> r.get("changes", String.class)).one()
                .map(text -> LegacyJsonText.parse(text, "staged changes"))
                .flatMap(changes -> mergeObjects(userId, state, "notetypes", changes.path("models"), true)
                        .then(mergeObjects(userId, state, "decks", changes.path("decks").path(0), false))
                        .then(mergeObjects(userId, state, "deck_configs", changes.path("decks").path(1), false))
                        .then(mergeTags(userId, state, changes.path("tags")))
                        .then(state.lnewer() ? mergeConfig(userId, state, changes) : Mono.empty()));
    }

    /**
     * Note types, decks and deck configs: the incoming object wins unless the stored one is
     * newer. A name that another object already has (case-insensitively, as Anki compares)
     * gets "+" until it is unique.
     */
    private Mono<Void> mergeObjects(long userId, SyncState state, String table, JsonNode incoming, boolean checkShape) {
        if (incoming.isMissingNode() || incoming.isNull()) {
            return Mono.empty();
        }
        if (!incoming.isArray()) {
            return Mono.error(SyncProtocolException.badRequest(table + " must be a list"));
        }
        if (incoming.isEmpty()) {
            return Mono.empty();
        }
        // the stored JSON matters only for the note-type shape check
        return db.sql("select id, name, mtime, " + (checkShape ? "json" : "'' as json") + " from " + table + " where user_id = :u")
                .bind("u", userId)
                .map(r -> new Stored(r.get("id", Long.class), r.get("name", String.class), r.get("mtime", Long.class),
                        r.get("json", String.class)))
                .all()
                .collectMap(Stored::id)
                .flatMap(existing -> Flux.fromIterable(incoming).concatMap(o -> {
                    if (!o.isObject() || !o.path("name").isString()) {
                        return Mono.error(SyncProtocolException.badRequest(table + " entries must be named objects"));
                    }
                    ObjectNode object = ((ObjectNode) o).deepCopy();
                    long id = longOf(object.get("id"), table + " id");
                    long mod = object.path("mod").isMissingNode() ? 0 : longOf(object.get("mod"), table + " mod");
                    Stored current = existing.get(id);
                    if (current != null && current.mtime() > mod) {
                        return Mono.empty();
                    }
                    if (checkShape && current != null) {
                        JsonNode old = LegacyJsonText.parse(current.json(), table);
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
                    return db.sql("insert into " + table + " (user_id, id, name, mtime, usn, json) values (:u, :i, :n, :m, :usn, :j)"
                                    + " on conflict (user_id, id) do update set name = excluded.name, mtime = excluded.mtime,"
                                    + " usn = excluded.usn, json = excluded.json")
                            .bind("u", userId).bind("i", id).bind("n", unique).bind("m", mod).bind("usn", state.serverUsn())
                            .bind("j", LegacyJsonText.write(object)).fetch().rowsUpdated();
                }).then());
    }

    private record Stored(long id, String name, long mtime, String json) {}

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

    private Mono<Void> mergeTags(long userId, SyncState state, JsonNode incoming) {
        if (incoming.isMissingNode() || incoming.isNull()) {
            return Mono.empty();
        }
        if (!incoming.isArray()) {
            return Mono.error(SyncProtocolException.badRequest("tags must be a list"));
        }
        return db.sql("select tag from tags where user_id = :u").bind("u", userId)
                .map(r -> r.get("tag", String.class)).all().collectList()
                .flatMap(known -> Flux.fromIterable(incoming).concatMap(t -> {
                    if (!t.isString()) {
                        return Mono.error(SyncProtocolException.badRequest("tags must be strings"));
                    }
                    String tag = t.asString();
                    if (tag.isBlank() || known.stream().anyMatch(k -> Unicase.compare(k, tag) == 0)) {
                        return Mono.empty();
                    }
                    known.add(tag);
                    return db.sql("insert into tags (user_id, tag, usn, collapsed) values (:u, :t, :usn, false)")
                            .bind("u", userId).bind("t", tag).bind("usn", state.serverUsn()).fetch().rowsUpdated();
                }).then());
    }

    /** The newer side's config replaces all of the other's, and its creation time too. */
    private Mono<Void> mergeConfig(long userId, SyncState state, JsonNode changes) {
        JsonNode conf = changes.path("conf");
        Mono<Void> crt = changes.path("crt").isMissingNode() ? Mono.empty()
                : db.sql("update collections set crt = :c where user_id = :u")
                        .bind("c", longOf(changes.get("crt"), "crt")).bind("u", userId).fetch().rowsUpdated().then();
        if (!conf.isObject()) {
            return crt;
        }
        long now = clock.millis() / 1000;
        return db.sql("delete from config where user_id = :u").bind("u", userId).fetch().rowsUpdated()
                .thenMany(Flux.fromIterable(conf.properties()))
                .concatMap(e -> db.sql("insert into config (user_id, key, usn, mtime, value) values (:u, :k, :usn, :m, :v)")
                        .bind("u", userId).bind("k", e.getKey()).bind("usn", state.serverUsn()).bind("m", now)
                        .bind("v", LegacyJsonText.write(e.getValue())).fetch().rowsUpdated())
                .then(crt);
    }

    /** For each note type: how many fields its notes must have, and which one sorts. */
    private Mono<Map<Long, int[]>> notetypeShapes(long userId) {
        return db.sql("select id, json from notetypes where user_id = :u").bind("u", userId)
                .map(r -> Map.entry(r.get("id", Long.class), r.get("json", String.class))).all()
                .collect(HashMap::new, (map, e) -> {
                    JsonNode n = LegacyJsonText.parse(e.getValue(), "note type");
                    map.put(e.getKey(), new int[] {n.path("flds").size(), n.path("sortf").asInt(0)});
                });
    }

    /**
     * Revlog and cards in two statements straight from the staged JSON (checked when staged);
     * notes one by one, since their sort field and checksum are computed here.
     */
    private Mono<Void> mergeRows(long userId, SyncState state, Map<Long, int[]> shapes) {
        String revlog = "insert into revlog (user_id, id, cid, usn, ease, ivl, last_ivl, factor, time, type) select :u, "
                + number(0) + ", " + number(1) + ", :usn, " + numbers(3, 8) + " " + staged(REVLOG) + " on conflict do nothing";
        String cards = "insert into cards as t (user_id, id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps,"
                + " lapses, \"left\", odue, odid, flags, data) select :u, " + numbers(0, 4) + ", :usn, " + numbers(6, 16)
                + ", s.t->>17 " + staged(CARDS) + " " + """
                 on conflict (user_id, id) do update set nid = excluded.nid, did = excluded.did, ord = excluded.ord,
                    mod = excluded.mod, usn = excluded.usn, type = excluded.type, queue = excluded.queue,
                    due = excluded.due, ivl = excluded.ivl, factor = excluded.factor, reps = excluded.reps,
                    lapses = excluded.lapses, "left" = excluded."left", odue = excluded.odue, odid = excluded.odid,
                    flags = excluded.flags, data = excluded.data""" + INCOMING_WINS;
        return db.sql(revlog).bind("u", userId).bind("e", state.epoch()).bind("usn", state.serverUsn()).fetch().rowsUpdated()
                .then(db.sql(cards).bind("u", userId).bind("e", state.epoch()).bind("usn", state.serverUsn())
                        .bind("minUsn", state.minUsn()).fetch().rowsUpdated())
                .then(db.sql("select tuple from sync_staged_rows where user_id = :u and epoch = :e and kind = " + NOTES
                                + " order by id")
                        .bind("u", userId).bind("e", state.epoch())
                        .map(r -> r.get("tuple", String.class)).all()
                        // read them all first: the connection cannot run the merge statements while it is
                        // still streaming this result, and waiting for each other they would hang
                        .collectList())
                .flatMapMany(tuples -> Flux.fromIterable(tuples).buffer(NOTES_PER_STATEMENT))
                .concatMap(batch -> mergeNotes(userId, state, batch, shapes))
                .then();
    }

    /** The staged rows of one kind, each as {@code s.t}, a JSON array checked when it was staged. */
    private static String staged(int kind) {
        // "where true" so that the ON CONFLICT that follows is not read as a join condition
        return "from (select tuple::jsonb as t from sync_staged_rows where user_id = :u and epoch = :e and kind = " + kind
                + " order by id) s where true";
    }

    /** Element {@code i} of a staged row as a bigint, floats truncated as Anki does. */
    private static String number(int i) {
        return "trunc((s.t->>" + i + ")::numeric)::bigint";
    }

    private static String numbers(int from, int to) {
        StringBuilder sql = new StringBuilder();
        for (int i = from; i <= to; i++) {
            sql.append(i > from ? ", " : "").append(number(i));
        }
        return sql.toString();
    }

    // the incoming row wins unless the stored one changed since the client's last sync and is not older
    private static final String INCOMING_WINS = " where t.usn < :minUsn or t.mod < excluded.mod";

    /** Notes per upsert statement: few round trips, yet statements of a bounded size. */
    private static final int NOTES_PER_STATEMENT = 500;

    /** Checks staged notes against their note types, computes sort field and checksum, and upserts them in one statement. */
    private Mono<Long> mergeNotes(long userId, SyncState state, List<String> tuples, Map<Long, int[]> shapes) {
        int n = tuples.size();
        Long[] ids = new Long[n];
        String[] guids = new String[n];
        Long[] mids = new Long[n];
        Long[] mods = new Long[n];
        String[] tags = new String[n];
        String[] fieldsHex = new String[n];
        String[] sortFields = new String[n];
        Long[] checksums = new Long[n];
        Long[] flags = new Long[n];
        String[] data = new String[n];
        for (int i = 0; i < n; i++) {
            JsonNode t = LegacyJsonText.parse(tuples.get(i), "staged note");
            long id = longOf(t.get(0), "note id");
            long mid = longOf(t.get(2), "note type id");
            int[] shape = shapes.get(mid);
            if (shape == null) {
                return Mono.error(SyncProtocolException.badRequest("note " + id + " uses note type " + mid + ", which does not exist"));
            }
            if (!t.get(1).isString() || !t.get(5).isString() || !t.get(6).isString()) {
                return Mono.error(SyncProtocolException.badRequest("note " + id + " has a guid, tags or fields that are not text"));
            }
            String flds = t.get(6).asString();
            String[] fields = flds.split("\u001f", -1);
            if (fields.length != shape[0]) {
                return Mono.error(SyncProtocolException.badRequest("note " + id + " has " + fields.length
                        + " fields but its note type has " + shape[0]));
            }
            ids[i] = id;
            guids[i] = t.get(1).asString();
            mids[i] = mid;
            mods[i] = longOf(t.get(3), "note mod");
            tags[i] = t.get(5).asString();
            // as hex: flds is bytea, and a text array could not carry a NUL
            fieldsHex[i] = HexFormat.of().formatHex(flds.getBytes(StandardCharsets.UTF_8));
            sortFields[i] = NoteFields.stripHtml(fields[Math.min(Math.max(shape[1], 0), fields.length - 1)]);
            checksums[i] = NoteFields.checksum(fields[0]);
            flags[i] = t.get(9).isNumber() ? t.get(9).asLong() : 0L;
            data[i] = t.get(10).isString() ? t.get(10).asString() : "";
        }
        return db.sql("""
                        insert into notes as t (user_id, id, guid, mid, mod, usn, tags, flds, sfld, sfld_kind, csum, flags, data)
                        select :u, n.id, n.guid, n.mid, n.mod, :usn, n.tags, decode(n.flds, 'hex'), n.sfld, 3, n.csum, n.flags, n.data
                        from unnest(:ids::bigint[], :guids::text[], :mids::bigint[], :mods::bigint[], :tags::text[],
                                    :flds::text[], :sflds::text[], :csums::bigint[], :flags::bigint[], :data::text[])
                             as n(id, guid, mid, mod, tags, flds, sfld, csum, flags, data)
                        on conflict (user_id, id) do update set guid = excluded.guid, mid = excluded.mid, mod = excluded.mod,
                            usn = excluded.usn, tags = excluded.tags, flds = excluded.flds, sfld = excluded.sfld,
                            sfld_kind = excluded.sfld_kind, csum = excluded.csum, flags = excluded.flags, data = excluded.data"""
                        + INCOMING_WINS)
                .bind("u", userId).bind("minUsn", state.minUsn()).bind("usn", state.serverUsn())
                .bind("ids", ids).bind("guids", guids).bind("mids", mids).bind("mods", mods).bind("tags", tags)
                .bind("flds", fieldsHex).bind("sflds", sortFields).bind("csums", checksums).bind("flags", flags)
                .bind("data", data)
                .fetch().rowsUpdated();
    }

    private Mono<ArrayNode> counts(long userId) {
        return db.sql("""
                        select (select count(*) from cards where user_id = :u) as cards,
                               (select count(*) from notes where user_id = :u) as notes,
                               (select count(*) from revlog where user_id = :u) as revlog,
                               (select count(*) from notetypes where user_id = :u) as notetypes,
                               (select count(*) from decks where user_id = :u) as decks,
                               (select count(*) from deck_configs where user_id = :u) as deck_configs""")
                .bind("u", userId)
                .map(r -> {
                    ArrayNode s = NODES.arrayNode();
                    s.addArray().add(0).add(0).add(0);
                    s.add(r.get("cards", Long.class)).add(r.get("notes", Long.class)).add(r.get("revlog", Long.class))
                            .add(0).add(r.get("notetypes", Long.class)).add(r.get("decks", Long.class))
                            .add(r.get("deck_configs", Long.class));
                    return s;
                })
                .one();
    }

    /** An integer from JSON: numbers (floats truncated, as clients may send) or numeric strings. */
    static long longOf(JsonNode n, String what) {
        if (n == null || n.isMissingNode() || n.isNull()) {
            throw SyncProtocolException.badRequest(what + " is missing");
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return n.asLong();
        }
        if (n.isNumber()) {
            double d = n.asDouble();
            if (Double.isFinite(d) && Math.abs(d) < 9.0e18) {
                return (long) d;
            }
        }
        if (n.isString()) {
            try {
                return Long.parseLong(n.asString().trim());
            } catch (NumberFormatException ignored) {
                // falls through to the error below
            }
        }
        throw SyncProtocolException.badRequest(what + " must be an integer, not " + LegacyJsonText.write(n));
    }
}
