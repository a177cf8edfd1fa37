package dev.deckhand.store.collection;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/** The per-user collection header (the {@code col} row of a client's database). */
@Repository
public class CollectionStore {

    private final DatabaseClient db;

    public CollectionStore(DatabaseClient db) {
        this.db = db;
    }

    public Mono<CollectionState> state(long userId) {
        return db.sql("""
                        select mod, scm, usn, not exists (select 1 from cards where user_id = :id) as empty
                        from collections where user_id = :id""")
                .bind("id", userId)
                .map((row, meta) -> new CollectionState(row.get("mod", Long.class), row.get("scm", Long.class),
                        row.get("usn", Integer.class), row.get("empty", Boolean.class)))
                .one()
                .defaultIfEmpty(CollectionState.NONE);
    }
}
