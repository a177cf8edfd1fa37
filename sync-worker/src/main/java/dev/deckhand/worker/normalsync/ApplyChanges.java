package dev.deckhand.worker.normalsync;

import dev.deckhand.protocol.normalsync.NormalSyncMessages.ApplyChangesRequest;
import dev.deckhand.protocol.normalsync.NormalSyncMessages.UnchunkedChanges;
import dev.deckhand.store.collection.CollectionStore;
import dev.deckhand.store.collection.GraveKind;
import dev.deckhand.store.fullsync.LegacyJsonText;
import dev.deckhand.store.sql.SqlFile;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * {@code applyChanges}: stages the client's note types, decks, deck configs, tags and (when its
 * collection is newer) config; answers the server's, read from the live tables, which still show
 * the state before the client's changes, without the decks the client deleted in this sync.
 */
@Component
class ApplyChanges {

    private static final String SELECT_NOTETYPES = SqlFile.load(ApplyChanges.class, "select-notetypes-changed-since");
    private static final String SELECT_DECKS = SqlFile.load(ApplyChanges.class, "select-decks-changed-since");
    private static final String SELECT_DECK_CONFIGS = SqlFile.load(ApplyChanges.class, "select-deck-configs-changed-since");
    private static final String SELECT_TAGS = SqlFile.load(ApplyChanges.class, "select-tags-changed-since");
    private static final String SELECT_CONFIG = SqlFile.load(ApplyChanges.class, "select-config");

    private final DatabaseClient db;
    private final CollectionStore collections;
    private final Staging staging;

    ApplyChanges(DatabaseClient db, CollectionStore collections, Staging staging) {
        this.db = db;
        this.collections = collections;
        this.staging = staging;
    }

    Mono<UnchunkedChanges> applyChanges(long userId, SyncState state, ApplyChangesRequest request) {
        return serverChanges(userId, state)
                .flatMap(server -> staging.stageChanges(userId, state.epoch(), request.changes()).thenReturn(server));
    }

    // one query after another: a sync holds at most one connection at a time
    private Mono<UnchunkedChanges> serverChanges(long userId, SyncState state) {
        return objects(db.sql(SELECT_NOTETYPES), userId, state, "notetypes").flatMap(notetypes ->
                objects(db.sql(SELECT_DECKS).bind("epoch", state.epoch()).bind("deck_grave", GraveKind.DECK.code),
                        userId, state, "decks").flatMap(decks ->
                        objects(db.sql(SELECT_DECK_CONFIGS), userId, state, "deck_configs").flatMap(deckConfigs ->
                                db.sql(SELECT_TAGS).bind("user", userId).bind("min_usn", state.minUsn())
                                        .map(r -> r.get("tag", String.class)).all().collectList()
                                        .flatMap(tags -> withConfig(userId, state,
                                                new UnchunkedChanges(notetypes, decks, deckConfigs, tags, null, null))))));
    }

    /** When the server's collection is newer, it also sends its whole config and creation time. */
    private Mono<UnchunkedChanges> withConfig(long userId, SyncState state, UnchunkedChanges changes) {
        if (state.lnewer()) {
            return Mono.just(changes);
        }
        return config(userId).flatMap(config -> collections.creationTime(userId)
                .map(crt -> new UnchunkedChanges(changes.notetypes(), changes.decks(), changes.deckConfigs(), changes.tags(),
                        config, crt)));
    }

    private static Mono<List<ObjectNode>> objects(DatabaseClient.GenericExecuteSpec select, long userId, SyncState state,
                                                  String table) {
        return select.bind("user", userId).bind("min_usn", state.minUsn())
                .map(r -> (ObjectNode) LegacyJsonText.parse(r.get("json", String.class), table))
                .all().collectList();
    }

    private Mono<ObjectNode> config(long userId) {
        ObjectNode conf = JsonNodeFactory.instance.objectNode();
        return db.sql(SELECT_CONFIG).bind("user", userId)
                .map(r -> conf.set(r.get("key", String.class),
                        LegacyJsonText.parse(r.get("value", String.class), "config " + r.get("key", String.class))))
                .all()
                .then(Mono.just(conf));
    }

}
