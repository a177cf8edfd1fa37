package dev.deckhand.store.media;

import dev.deckhand.store.sql.SqlFile;
import java.util.Collection;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;

/**
 * Which stored media blobs nothing in PostgreSQL needs any more, for the sweep that removes
 * them. Asked outside a lock, the answer only narrows down the candidates: a blob may be
 * deleted only if the answer holds inside {@link MediaIndexStore#locked} for its user, in the
 * same transaction that deletes it, since an upload changes the index only under that lock.
 */
@Repository
public class MediaBlobReferences {

    private static final String UNUSED_BLOBS = SqlFile.load(MediaBlobReferences.class, "unused-blobs");

    /** A blob as a store holds it: its owner's tenant and user, and its content's SHA-1 in lowercase hex. */
    public record StoredBlobRef(long tenantId, long userId, String sha1) {}

    /**
     * A blob that nothing needs.
     *
     * @param ownerExists false when no user of that id exists in that tenant (deleted), true
     *                    when the user exists but no live name of it has this content
     */
    public record UnusedBlob(StoredBlobRef blob, boolean ownerExists) {}

    private final DatabaseClient db;

    public MediaBlobReferences(DatabaseClient db) {
        this.db = db;
    }

    /** Those of {@code blobs} that nothing needs, in one statement; give at most a few thousand. */
    public Flux<UnusedBlob> unused(Collection<StoredBlobRef> blobs) {
        if (blobs.isEmpty()) {
            return Flux.empty();
        }
        return db.sql(UNUSED_BLOBS)
                .bind("tenants", blobs.stream().map(StoredBlobRef::tenantId).toArray(Long[]::new))
                .bind("users", blobs.stream().map(StoredBlobRef::userId).toArray(Long[]::new))
                .bind("sha1s", blobs.stream().map(StoredBlobRef::sha1).toArray(String[]::new))
                .map((row, meta) -> new UnusedBlob(new StoredBlobRef(row.get("tenant_id", Long.class),
                        row.get("user_id", Long.class), row.get("sha1", String.class)),
                        Boolean.TRUE.equals(row.get("owner_exists", Boolean.class))))
                .all();
    }
}
