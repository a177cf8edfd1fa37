package dev.deckhand.worker.normalsync;

import dev.deckhand.protocol.normalsync.NormalSyncMessages.ApplyChunkRequest;
import dev.deckhand.protocol.normalsync.NormalSyncMessages.Chunk;
import dev.deckhand.store.collection.GraveKind;
import dev.deckhand.store.collection.RowTuples;
import dev.deckhand.store.fullsync.LegacyJsonText;
import dev.deckhand.store.sql.SqlFile;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ArrayNode;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code chunk} and {@code applyChunk}: the bulk rows, both ways. The server sends what changed
 * since the client's last sync (revlog, then cards, then notes, {@link #CHUNK_SIZE} rows a
 * chunk), leaving out rows the client deleted in this sync; the client's rows are checked
 * against their table's shape and staged.
 */
@Component
class Chunks {

    static final int CHUNK_SIZE = 250;

    private static final Map<ChunkTable, String> SELECT_CHUNK = new EnumMap<>(Map.of(
            ChunkTable.REVLOG, SqlFile.load(Chunks.class, "select-revlog-chunk"),
            ChunkTable.CARDS, SqlFile.load(Chunks.class, "select-cards-chunk"),
            ChunkTable.NOTES, SqlFile.load(Chunks.class, "select-notes-chunk")));
    /** Which grave kind keeps a table's rows from being sent back; revlog rows have no graves. */
    private static final Map<ChunkTable, GraveKind> GRAVES = new EnumMap<>(Map.of(
            ChunkTable.CARDS, GraveKind.CARD, ChunkTable.NOTES, GraveKind.NOTE));

    private final DatabaseClient db;
    private final Staging staging;

    Chunks(DatabaseClient db, Staging staging) {
        this.db = db;
        this.staging = staging;
    }

    record Outgoing(Chunk chunk, SyncState next) {}

    /** The next chunk of server rows the client has not seen, and where the one after starts. */
    Mono<Outgoing> chunk(long userId, SyncState state) {
        Map<ChunkTable, List<ArrayNode>> rows = new EnumMap<>(ChunkTable.class);
        return fill(userId, state, rows, 0).map(next -> new Outgoing(new Chunk(next.chunkTable() == ChunkTable.DONE,
                rows.getOrDefault(ChunkTable.REVLOG, List.of()), rows.getOrDefault(ChunkTable.CARDS, List.of()),
                rows.getOrDefault(ChunkTable.NOTES, List.of())), next));
    }

    private Mono<SyncState> fill(long userId, SyncState state, Map<ChunkTable, List<ArrayNode>> rows, int taken) {
        ChunkTable table = state.chunkTable();
        if (table == ChunkTable.DONE || taken >= CHUNK_SIZE) {
            return Mono.just(state);
        }
        int limit = CHUNK_SIZE - taken;
        DatabaseClient.GenericExecuteSpec select = db.sql(SELECT_CHUNK.get(table))
                .bind("user", userId).bind("min_usn", state.minUsn()).bind("after_id", state.chunkAfterId())
                .bind("limit", limit);
        if (GRAVES.containsKey(table)) {
            select = select.bind("epoch", state.epoch()).bind("grave_kind", GRAVES.get(table).code);
        }
        return select.map((r, meta) -> RowTuples.toTuple(table.table, r)).all().collectList()
                .flatMap(list -> {
                    if (!list.isEmpty()) {
                        rows.computeIfAbsent(table, t -> new ArrayList<>()).addAll(list);
                    }
                    if (list.size() < limit) {
                        return fill(userId, state.chunkedUpTo(table.next(), Long.MIN_VALUE), rows, taken + list.size());
                    }
                    return Mono.just(state.chunkedUpTo(table, list.get(list.size() - 1).get(0).asLong()));
                });
    }

    /** Checks the client's rows and stages them; for each (kind, id) the last one sent wins. */
    Mono<Void> applyChunk(long userId, SyncState state, ApplyChunkRequest request) {
        Map<String, Staging.StagedRow> rows = new LinkedHashMap<>();
        collect(RowKind.REVLOG, request.chunk().revlog(), rows);
        collect(RowKind.CARD, request.chunk().cards(), rows);
        collect(RowKind.NOTE, request.chunk().notes(), rows);
        return staging.stageRows(userId, state.epoch(), List.copyOf(rows.values()));
    }

    private static void collect(RowKind kind, List<ArrayNode> tuples, Map<String, Staging.StagedRow> into) {
        for (ArrayNode tuple : tuples) {
            long id = RowTuples.check(kind.table, tuple);
            into.put(kind.code + ":" + id, new Staging.StagedRow(kind, id, LegacyJsonText.write(tuple)));
        }
    }
}
