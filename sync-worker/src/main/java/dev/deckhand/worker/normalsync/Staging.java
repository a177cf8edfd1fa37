package dev.deckhand.worker.normalsync;

import dev.deckhand.protocol.normalsync.NormalSyncMessages.Graves;
import dev.deckhand.protocol.normalsync.NormalSyncMessages.UnchunkedChanges;
import dev.deckhand.protocol.SyncJson;
import dev.deckhand.store.collection.GraveKind;
import dev.deckhand.store.sql.SqlFile;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a client sends during a normal sync, kept per user and epoch until {@code finish} merges
 * it: nothing staged is visible in the collection. A sync that never finishes leaves only these rows.
 */
@Component
class Staging {

    private static final String STAGE_GRAVES = SqlFile.load(Staging.class, "stage-graves");
    private static final String STAGE_CHANGES = SqlFile.load(Staging.class, "stage-changes");
    private static final String STAGE_ROWS = SqlFile.load(Staging.class, "stage-rows");
    private static final String DROP_STAGED_OF_OLDER_SYNCS = SqlFile.load(Staging.class, "drop-staged-of-older-syncs");
    private static final String DROP_STAGED_OF_SYNC = SqlFile.load(Staging.class, "drop-staged-of-sync");
    private static final String SELECT_IDLE_SYNCS = SqlFile.load(Staging.class, "select-idle-syncs");

    private final DatabaseClient db;

    Staging(DatabaseClient db) {
        this.db = db;
    }

    /** One staged row: checked, with its kind and id. */
    record StagedRow(RowKind kind, long id, String tuple) {}

    /** A sync known by its user and epoch. */
    record SyncId(long userId, long epoch) {}

    Mono<Void> stageGraves(long userId, long epoch, Graves graves) {
        if (graves.isEmpty()) {
            return Mono.empty();
        }
        List<Long> oids = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        add(graves.cards(), GraveKind.CARD, oids, types);
        add(graves.notes(), GraveKind.NOTE, oids, types);
        add(graves.decks(), GraveKind.DECK, oids, types);
        return db.sql(STAGE_GRAVES).bind("user", userId).bind("epoch", epoch)
                .bind("oids", oids.toArray(Long[]::new)).bind("types", types.toArray(Integer[]::new))
                .fetch().rowsUpdated().then();
    }

    private static void add(List<Long> ids, GraveKind kind, List<Long> oids, List<Integer> types) {
        for (Long id : ids) {
            oids.add(id);
            types.add(kind.code);
        }
    }

    Mono<Void> stageChanges(long userId, long epoch, UnchunkedChanges changes) {
        return db.sql(STAGE_CHANGES).bind("user", userId).bind("epoch", epoch)
                .bind("changes", new String(SyncJson.write(changes), StandardCharsets.UTF_8))
                .fetch().rowsUpdated().then();
    }

    Mono<Void> stageRows(long userId, long epoch, List<StagedRow> rows) {
        if (rows.isEmpty()) {
            return Mono.empty();
        }
        return db.sql(STAGE_ROWS).bind("user", userId).bind("epoch", epoch)
                .bind("kinds", rows.stream().map(r -> r.kind().code).toArray(Short[]::new))
                .bind("ids", rows.stream().map(StagedRow::id).toArray(Long[]::new))
                .bind("tuples", rows.stream().map(StagedRow::tuple).toArray(String[]::new))
                .fetch().rowsUpdated().then();
    }

    /** Forgets what the user's syncs before {@code epoch} staged. */
    Mono<Void> dropOlderThan(long userId, long epoch) {
        return db.sql(DROP_STAGED_OF_OLDER_SYNCS).bind("user", userId).bind("epoch", epoch).fetch().rowsUpdated().then();
    }

    /** Forgets what one sync staged. */
    Mono<Void> drop(long userId, long epoch) {
        return db.sql(DROP_STAGED_OF_SYNC).bind("user", userId).bind("epoch", epoch).fetch().rowsUpdated().then();
    }

    /** Syncs that have staged nothing for {@code idle}. */
    Flux<SyncId> idleSyncs(Duration idle) {
        return db.sql(SELECT_IDLE_SYNCS).bind("idle_seconds", (double) idle.toSeconds())
                .map(r -> new SyncId(r.get("user_id", Long.class), r.get("epoch", Long.class)))
                .all();
    }
}
