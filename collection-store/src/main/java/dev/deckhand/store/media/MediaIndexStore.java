package dev.deckhand.store.media;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/** The media index: which files a user has, by name, with their usn. */
@Repository
public class MediaIndexStore {

    private final DatabaseClient db;

    public MediaIndexStore(DatabaseClient db) {
        this.db = db;
    }

    /** The user's media usn: the usn of the latest change, 0 before the first. */
    public Mono<Integer> currentUsn(long userId) {
        return db.sql("select coalesce(max(usn), 0) as usn from media_files where user_id = :id")
                .bind("id", userId)
                .map((row, meta) -> row.get("usn", Integer.class))
                .one();
    }
}
