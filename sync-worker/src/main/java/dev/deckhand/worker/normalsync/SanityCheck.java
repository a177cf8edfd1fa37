package dev.deckhand.worker.normalsync;

import dev.deckhand.protocol.normalsync.NormalSyncMessages.SanityCheckRequest;
import dev.deckhand.protocol.normalsync.NormalSyncMessages.SanityCheckResponse;
import dev.deckhand.protocol.normalsync.NormalSyncMessages.SanityCounts;
import dev.deckhand.store.sql.SqlFile;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * {@code sanityCheck2}: merges everything staged, counts as the client counted, and rolls back:
 * the counts show the state {@code finish} would commit, without committing it. Due counts and
 * graves are not compared (zeroed on both sides), as in Anki's server.
 */
@Component
class SanityCheck {

    private static final String COUNT_COLLECTION = SqlFile.load(SanityCheck.class, "count-collection");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final DatabaseClient db;
    private final Merge merge;
    private final TransactionalOperator tx;

    SanityCheck(DatabaseClient db, Merge merge, ReactiveTransactionManager transactions) {
        this.db = db;
        this.merge = merge;
        this.tx = TransactionalOperator.create(transactions);
    }

    Mono<SanityCheckResponse> sanityCheck(long userId, SyncState state, SanityCheckRequest request) {
        return tx.execute(status -> {
                    status.setRollbackOnly();
                    return merge.merge(userId, state).then(counts(userId)).map(server -> {
                        ArrayNode client = request.client().deepCopy();
                        client.set(0, NODES.arrayNode().add(0).add(0).add(0));
                        client.set(4, NODES.numberNode(0));
                        return new SanityCheckResponse(sameCounts(client, server.toJson()) ? "ok" : "bad", client, server);
                    });
                })
                .single();
    }

    /** Compares the counts as numbers; a count the client sent that is not a number never matches. */
    private static boolean sameCounts(ArrayNode client, ArrayNode server) {
        for (int i = 1; i < SanityCheckRequest.COUNTS; i++) {
            JsonNode c = client.get(i);
            if (c == null || !c.isNumber() || c.asLong() != server.get(i).asLong()) {
                return false;
            }
        }
        return true;
    }

    private Mono<SanityCounts> counts(long userId) {
        return db.sql(COUNT_COLLECTION).bind("user", userId)
                .map(r -> new SanityCounts(r.get("cards", Long.class), r.get("notes", Long.class), r.get("revlog", Long.class),
                        r.get("notetypes", Long.class), r.get("decks", Long.class), r.get("deck_configs", Long.class)))
                .one();
    }
}
