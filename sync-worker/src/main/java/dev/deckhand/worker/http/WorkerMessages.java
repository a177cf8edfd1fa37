package dev.deckhand.worker.http;

import dev.deckhand.protocol.SyncErrorKind;
import dev.deckhand.protocol.message.MetaRequest;
import dev.deckhand.protocol.message.MetaResponse;
import dev.deckhand.worker.NormalSyncStep;
import dev.deckhand.worker.WorkContext;
import dev.deckhand.worker.normalsync.ChunkTable;
import dev.deckhand.worker.normalsync.SyncState;

import java.util.Objects;

/**
 * Every JSON body of the worker API, in format version {@value WorkerPaths#VERSION}, written and
 * read strictly with {@link dev.deckhand.protocol.internal.VersionedJson}. These types are the
 * format, kept apart from the types the code works with (a change to {@link SyncState} or to the
 * Anki messages does not change them by accident; the conversions here stop compiling instead).
 * Any change to them, their field names and types, or the names of {@link ChunkTable} and
 * {@link SyncErrorKind}, is a new format: bump {@link WorkerPaths#VERSION}. Fields that may not
 * be {@code null} are checked as the records are made, so a {@code null} there is unreadable too.
 */
final class WorkerMessages {

    private WorkerMessages() {}

    /** A call: who it is for, and what to do. */
    record WorkerCall<T>(int v, long userId, T request) {

        WorkerCall {
            Objects.requireNonNull(request, "request");
        }

        static <T> WorkerCall<T> of(WorkContext context, T request) {
            return new WorkerCall<>(WorkerPaths.VERSION, context.userId(), request);
        }

        WorkContext context() {
            return new WorkContext(userId);
        }
    }

    /** A successful answer to a JSON call. */
    record WorkerAnswer<T>(int v, T result) {

        WorkerAnswer {
            Objects.requireNonNull(result, "result");
        }

        static <T> WorkerAnswer<T> of(T result) {
            return new WorkerAnswer<>(WorkerPaths.VERSION, result);
        }
    }

    /** A protocol failure carried from worker to gateway, so the client gets the same status either way. */
    record WorkerError(int v, SyncErrorKind kind, String message) {

        WorkerError {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
        }

        static WorkerError of(SyncErrorKind kind, String message) {
            return new WorkerError(WorkerPaths.VERSION, kind, message);
        }
    }

    /** {@code meta}: the client's {@code v} and {@code cv}. */
    record MetaCall(int protocolVersion, String clientVersion) {

        MetaCall {
            Objects.requireNonNull(clientVersion, "clientVersion");
        }

        static MetaCall of(MetaRequest request) {
            return new MetaCall(request.v(), request.cv());
        }

        MetaRequest toRequest() {
            return new MetaRequest(protocolVersion, clientVersion);
        }
    }

    /** The answer to {@code meta}, field by field. */
    record MetaAnswer(long mod, long scm, int usn, long ts, String msg, boolean cont, int hostNum, boolean empty,
                      int mediaUsn) {

        MetaAnswer {
            Objects.requireNonNull(msg, "msg");
        }

        static MetaAnswer of(MetaResponse r) {
            return new MetaAnswer(r.mod(), r.scm(), r.usn(), r.ts(), r.msg(), r.cont(), r.hostNum(), r.empty(), r.mediaUsn());
        }

        MetaResponse toResponse() {
            return new MetaResponse(mod, scm, usn, ts, msg, cont, hostNum, empty, mediaUsn);
        }
    }

    /**
     * One normal-sync step. Payloads travel as JSON text, so that numbers keep their exact form.
     *
     * @param method  the step's wire name ({@code start}, {@code applyGraves}, ...)
     * @param state   what the previous step returned, {@code null} for {@code start}
     * @param request the client's JSON payload
     */
    record NormalSyncCall(String method, State state, String request) {

        NormalSyncCall {
            Objects.requireNonNull(method, "method");
        }
    }

    /** The answer to a step: the client's JSON payload, and the state for the next step ({@code null} once ended). */
    record StepAnswer(String answer, State state) {

        StepAnswer {
            Objects.requireNonNull(answer, "answer");
        }

        static StepAnswer of(NormalSyncStep step) {
            return new StepAnswer(step.answer(), State.of(step.state()));
        }

        NormalSyncStep toStep() {
            return new NormalSyncStep(answer, State.toSyncState(state));
        }
    }

    /** {@link SyncState} on the wire; the chunk table by its name. */
    record State(long epoch, int serverUsn, int minUsn, boolean lnewer, ChunkTable chunkTable, long chunkAfterId) {

        State {
            Objects.requireNonNull(chunkTable, "chunkTable");
        }

        static State of(SyncState s) {
            return s == null ? null : new State(s.epoch(), s.serverUsn(), s.minUsn(), s.lnewer(), s.chunkTable(), s.chunkAfterId());
        }

        static SyncState toSyncState(State s) {
            return s == null ? null : new SyncState(s.epoch, s.serverUsn, s.minUsn, s.lnewer, s.chunkTable, s.chunkAfterId);
        }
    }
}
