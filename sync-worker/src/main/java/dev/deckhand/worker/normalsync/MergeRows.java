package dev.deckhand.worker.normalsync;

import dev.deckhand.protocol.SyncJson;
import dev.deckhand.store.collection.NoteRow;
import dev.deckhand.store.collection.Notes;
import dev.deckhand.store.collection.RowTuples;
import dev.deckhand.store.sql.SqlFile;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;

/**
 * The merge of a sync's bulk rows: revlog and cards in one statement each, straight from the
 * staged tuples (checked when staged); notes through {@link Notes}, which checks each against its
 * note type and computes its sort field and checksum.
 */
@Component
class MergeRows {

    private static final String MERGE_STAGED_REVLOG = SqlFile.load(MergeRows.class, "merge-staged-revlog");
    private static final String MERGE_STAGED_CARDS = SqlFile.load(MergeRows.class, "merge-staged-cards");
    private static final String SELECT_STAGED_NOTES = SqlFile.load(MergeRows.class, "select-staged-notes");

    private final DatabaseClient db;
    private final Notes notes;

    MergeRows(DatabaseClient db, Notes notes) {
        this.db = db;
        this.notes = notes;
    }

    Mono<Void> merge(long userId, SyncState state) {
        return db.sql(MERGE_STAGED_REVLOG).bind("user", userId).bind("epoch", state.epoch()).bind("kind", RowKind.REVLOG.code)
                .bind("usn", state.serverUsn()).fetch().rowsUpdated()
                .then(db.sql(MERGE_STAGED_CARDS).bind("user", userId).bind("epoch", state.epoch()).bind("kind", RowKind.CARD.code)
                        .bind("usn", state.serverUsn()).bind("min_usn", state.minUsn()).fetch().rowsUpdated())
                .then(notes.notetypeShapes(userId))
                .flatMap(shapes -> db.sql(SELECT_STAGED_NOTES).bind("user", userId).bind("epoch", state.epoch())
                        .bind("kind", RowKind.NOTE.code)
                        .map(r -> note(r.get("tuple", String.class))).all()
                        // read them all first: the connection cannot run the merge statements while it is
                        // still streaming this result, and waiting for each other they would hang
                        .collectList()
                        .flatMapMany(staged -> Flux.fromIterable(staged).buffer(Notes.NOTES_PER_STATEMENT))
                        .concatMap(batch -> notes.upsert(userId, state.serverUsn(), state.minUsn(), batch, shapes))
                        .then());
    }

    /** A staged note tuple (checked when staged), in the wire order of BulkTable.NOTES: id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data. */
    private static NoteRow note(String tuple) {
        JsonNode t = SyncJson.read(tuple.getBytes(StandardCharsets.UTF_8), JsonNode.class);
        return new NoteRow(RowTuples.number(t.get(0), "note id"), t.get(1).asString(), RowTuples.number(t.get(2), "note type id"),
                RowTuples.number(t.get(3), "note mod"), t.get(5).asString(), t.get(6).asString(),
                // flags and data are taken leniently, as Anki's server does
                t.get(9).isNumber() ? t.get(9).asLong() : 0L, t.get(10).isString() ? t.get(10).asString() : "");
    }
}
