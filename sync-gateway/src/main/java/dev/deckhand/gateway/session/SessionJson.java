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
 * <pre>{"v":1,"userId":7,"sessionKey":"abc","startedAt":"2026-11-23T06:00:00.123456Z",
 *  "state":{"epoch":3,"serverUsn":57,"minUsn":55,"lnewer":true,"chunkTable":"CARDS","chunkAfterId":1234}}</pre>
 *
 * {@code state} is {@code null} for a session that has none yet. It is read strictly
 * ({@link VersionedJson}): gateways of two releases share Redis during a rolling upgrade, and one
 * must never misread the other's session. The records below are the format, apart from
 * {@link SyncState}, so that changing that type cannot change this format unnoticed: any change
 * to them, or to the names of {@link ChunkTable}, needs a new version.
 */
final class SessionJson {

    static final int VERSION = 1;

    private SessionJson() {}

    record Stored(int v, long userId, String sessionKey, String startedAt, State state) {
        Stored {
            Objects.requireNonNull(sessionKey, "sessionKey");
            Objects.requireNonNull(startedAt, "startedAt");
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
                session.startedAt().toString(),
                s == null ? null : new State(s.epoch(), s.serverUsn(), s.minUsn(), s.lnewer(), s.chunkTable(), s.chunkAfterId())));
    }

    /** The session, or {@link VersionedJson.FormatException} for anything but a version-1 session. */
    static SyncSession read(String json) {
        Stored stored = VersionedJson.read(json, VERSION, Stored.class);
        Instant startedAt;
        try {
            startedAt = Instant.parse(stored.startedAt());
        } catch (DateTimeParseException e) {
            throw new VersionedJson.FormatException("startedAt is not an instant: " + stored.startedAt());
        }
        State s = stored.state();
        return new SyncSession(stored.userId(), stored.sessionKey(), startedAt,
                s == null ? null : new SyncState(s.epoch(), s.serverUsn(), s.minUsn(), s.lnewer(), s.chunkTable(), s.chunkAfterId()));
    }
}
