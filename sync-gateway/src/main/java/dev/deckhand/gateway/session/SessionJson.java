package dev.deckhand.gateway.session;

import dev.deckhand.protocol.internal.VersionedJson;
import dev.deckhand.worker.normalsync.ChunkTable;
import dev.deckhand.worker.normalsync.SyncState;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * A {@link SyncSession} as the JSON kept in Redis, format version {@value #VERSION}:
 *
 * <pre>{"v":2,"userId":7,"sessionKey":"abc","startedAt":"2026-11-23T06:00:00.123456Z","activeAt":"2026-11-23T06:00:04.5Z",
 *  "state":{"epoch":3,"serverUsn":57,"minUsn":55,"lnewer":true,"chunkTable":"CARDS","chunkAfterId":1234}}</pre>
 *
 * {@code state} is {@code null} for a session whose {@code start} has not completed yet. It is read
 * strictly ({@link VersionedJson}): gateways of two releases share Redis during a rolling upgrade,
 * and one must never misread the other's session. The records below are the format, apart from
 * {@link SyncState}, so that changing that type cannot change this format unnoticed: any change
 * to them, or to the names of {@link ChunkTable}, needs a new version. Version 1 had no
 * {@code activeAt}.
 */
final class SessionJson {

    static final int VERSION = 2;

    private SessionJson() {}

    record Stored(int v, long userId, String sessionKey, String startedAt, String activeAt, State state) {
        Stored {
            Objects.requireNonNull(sessionKey, "sessionKey");
            Objects.requireNonNull(startedAt, "startedAt");
            Objects.requireNonNull(activeAt, "activeAt");
        }
    }

    record State(long epoch, int serverUsn, int minUsn, boolean lnewer, ChunkTable chunkTable, long chunkAfterId) {
        State {
            Objects.requireNonNull(chunkTable, "chunkTable");
        }
    }

    static String write(SyncSession session) {
        SyncState s = session.state();
        return VersionedJson.writeString(new Stored(VERSION, session.userId(), session.sessionKey(),
                session.startedAt().toString(), session.activeAt().toString(),
                s == null ? null : new State(s.epoch(), s.serverUsn(), s.minUsn(), s.lnewer(), s.chunkTable(), s.chunkAfterId())));
    }

    /** The session, or {@link VersionedJson.FormatException} for anything but a version-2 session. */
    static SyncSession read(String json) {
        Stored stored = VersionedJson.read(json, VERSION, Stored.class);
        State s = stored.state();
        return new SyncSession(stored.userId(), stored.sessionKey(), instant("startedAt", stored.startedAt()),
                instant("activeAt", stored.activeAt()),
                s == null ? null : new SyncState(s.epoch(), s.serverUsn(), s.minUsn(), s.lnewer(), s.chunkTable(), s.chunkAfterId()));
    }

    private static Instant instant(String field, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new VersionedJson.FormatException(field + " is not an instant: " + text);
        }
    }
}
