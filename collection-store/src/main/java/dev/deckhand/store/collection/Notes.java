package dev.deckhand.store.collection;

import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.store.fullsync.LegacyJsonText;
import dev.deckhand.store.sql.SqlFile;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Storing notes, for every writer: each note is checked against its note type (which must exist
 * and have as many fields) and gets its sort field and checksum as Anki computes them. Runs in
 * the caller's transaction.
 */
@Repository
public class Notes {

    /** Notes per upsert statement: few round trips, yet statements of a bounded size. */
    public static final int NOTES_PER_STATEMENT = 500;
    /** As {@code keepStoredChangedSince}: the incoming note always wins. */
    public static final int INCOMING_ALWAYS_WINS = Integer.MAX_VALUE;

    private static final String SELECT_NOTETYPE_SHAPES = SqlFile.load(Notes.class, "select-notetype-shapes");
    private static final String UPSERT_NOTES = SqlFile.load(Notes.class, "upsert-notes");

    private final DatabaseClient db;

    public Notes(DatabaseClient db) {
        this.db = db;
    }

    /** How many fields a note type's notes have, and which one sorts. */
    public record NotetypeShape(int fields, int sortField) {}

    /** The shapes of the user's note types, by id. */
    public Mono<Map<Long, NotetypeShape>> notetypeShapes(long userId) {
        return db.sql(SELECT_NOTETYPE_SHAPES).bind("user", userId)
                .map(r -> Map.entry(r.get("id", Long.class), r.get("json", String.class))).all()
                .collect(HashMap::new, (map, e) -> {
                    JsonNode n = LegacyJsonText.parse(e.getValue(), "note type");
                    map.put(e.getKey(), new NotetypeShape(n.path("flds").size(), n.path("sortf").asInt(0)));
                });
    }

    /**
     * Inserts or replaces at most {@link #NOTES_PER_STATEMENT} notes, stamped with {@code usn}.
     * A stored note that changed at or after {@code keepStoredChangedSince} and is newer stays
     * (normal sync's rule; pass {@link #INCOMING_ALWAYS_WINS} to replace it anyway). A note whose
     * note type is missing or has another number of fields is BAD_REQUEST.
     */
    public Mono<Long> upsert(long userId, int usn, int keepStoredChangedSince, List<NoteRow> notes,
                             Map<Long, NotetypeShape> shapes) {
        int n = notes.size();
        if (n > NOTES_PER_STATEMENT) {
            return Mono.error(new IllegalArgumentException("at most " + NOTES_PER_STATEMENT + " notes per statement"));
        }
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
            NoteRow note = notes.get(i);
            NotetypeShape shape = shapes.get(note.notetypeId());
            if (shape == null) {
                return Mono.error(SyncProtocolException.badRequest("note " + note.id() + " uses note type " + note.notetypeId()
                        + ", which does not exist"));
            }
            String[] fields = note.fields().split("\u001f", -1);
            if (fields.length != shape.fields()) {
                return Mono.error(SyncProtocolException.badRequest("note " + note.id() + " has " + fields.length
                        + " fields but its note type has " + shape.fields()));
            }
            ids[i] = note.id();
            guids[i] = note.guid();
            mids[i] = note.notetypeId();
            mods[i] = note.mod();
            tags[i] = note.tags();
            // as hex: flds is bytea, and a text array could not carry a NUL
            fieldsHex[i] = HexFormat.of().formatHex(note.fields().getBytes(StandardCharsets.UTF_8));
            sortFields[i] = NoteFields.stripHtml(fields[Math.min(Math.max(shape.sortField(), 0), fields.length - 1)]);
            checksums[i] = NoteFields.checksum(fields[0]);
            flags[i] = note.flags();
            data[i] = note.data();
        }
        return db.sql(UPSERT_NOTES)
                .bind("user", userId).bind("min_usn", keepStoredChangedSince).bind("usn", usn)
                .bind("ids", ids).bind("guids", guids).bind("mids", mids).bind("mods", mods).bind("tags", tags)
                .bind("flds", fieldsHex).bind("sflds", sortFields).bind("csums", checksums).bind("flags", flags)
                .bind("data", data)
                .fetch().rowsUpdated();
    }
}
