package dev.deckhand.worker;

import dev.deckhand.protocol.SyncErrorKind;
import dev.deckhand.protocol.SyncMethod;
import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.protocol.ZstdFraming;
import dev.deckhand.protocol.message.MetaRequest;
import dev.deckhand.protocol.message.MetaResponse;
import dev.deckhand.store.fullsync.CorruptCollectionException;
import dev.deckhand.store.fullsync.LegacyCollectionFixture;
import dev.deckhand.worker.fullsync.FullSyncFiles;
import dev.deckhand.worker.normalsync.ChunkTable;
import dev.deckhand.worker.normalsync.SyncState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * What every {@link SyncWorker} must do, run on the {@link dev.deckhand.worker.local.LocalSyncWorker}
 * of a worker application ({@code LocalSyncWorkerTest}) and on a
 * {@link dev.deckhand.worker.http.RemoteSyncWorker} calling that same application's
 * {@link dev.deckhand.worker.http.WorkerEndpoint} over HTTP ({@code RemoteSyncWorkerTest}), on
 * real PostgreSQL. Answers and failures (kind and message) must arrive alike through both, since
 * a gateway treats them alike. Every case has a user of its own.
 */
abstract class SyncWorkerContract {

    abstract SyncWorker worker();

    static final JsonMapper JSON = JsonMapper.builder().build();
    /** The fixture's collection: usn 5, one note type (id 7, two fields), deck 1, deck config 1. */
    static final int USN = 5;
    static final long NOTETYPE = 7;
    static final String START = "{\"minUsn\":" + USN + ",\"lnewer\":true,\"graves\":null}";
    static final String NO_GRAVES = "{\"chunk\":{\"cards\":[],\"decks\":[],\"notes\":[]}}";
    static final String EMPTY_CHANGES = "{\"changes\":{\"models\":[],\"decks\":[[],[]],\"tags\":[]}}";

    @TempDir
    Path dir;

    // ---- meta ------------------------------------------------------------------------------

    @Test
    void metaAnswersProtocolVersions8To11() {
        WorkContext user = newUser();
        for (int v = 8; v <= 11; v++) {
            long now = System.currentTimeMillis() / 1000;
            MetaResponse meta = worker().meta(user, new MetaRequest(v, "anki,2.1.66 (70506aeb),lin:debian:12")).block();
            assertThat(meta).as("version " + v).isNotNull();
            // an account that never uploaded: told to upload by a client with cards, nothing to do for an empty one
            assertThat(meta.mod()).isZero();
            assertThat(meta.scm()).isZero();
            assertThat(meta.usn()).isZero();
            assertThat(meta.empty()).isTrue();
            assertThat(meta.mediaUsn()).isZero();
            assertThat(meta.cont()).isTrue();
            assertThat(meta.msg()).isEmpty();
            assertThat(meta.hostNum()).isZero();
            assertThat(meta.ts()).isBetween(now - 5, now + 5);
        }
    }

    @Test
    void metaRefusesOtherVersionsAsTooOld() {
        WorkContext user = newUser();
        for (int v : new int[] {7, 12, 0, -1}) {
            SyncProtocolException e = refusal(worker().meta(user, new MetaRequest(v, "x")));
            assertThat(e.kind()).as("version " + v).isEqualTo(SyncErrorKind.CLIENT_TOO_OLD);
            assertThat(e.kind().httpStatus()).isEqualTo(501);
            assertThat(e.getMessage()).isEqualTo("sync protocol version " + v + " is not supported (8 to 11 are)");
        }
    }

    // ---- full sync -------------------------------------------------------------------------

    @Test
    void aFullUploadOfAValidCollectionIsTakenAndMetaShowsIt() {
        WorkContext user = newUser();
        assertThat(upload(user, collection(3))).isEqualTo(FullSyncFiles.OK);
        MetaResponse meta = meta(user);
        assertThat(meta.mod()).isEqualTo(1_700_000_000_003L);
        assertThat(meta.scm()).isEqualTo(1_690_000_000_000L);
        assertThat(meta.usn()).isEqualTo(USN);
        assertThat(meta.empty()).isFalse();
    }

    @Test
    void aCorruptUploadGetsAnkisTextAndChangesNothing() {
        WorkContext user = newUser();
        assertThat(upload(user, collection(2))).isEqualTo(FullSyncFiles.OK);
        MetaResponse before = meta(user);

        assertThat(upload(user, ZstdFraming.compress("not a collection".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(CorruptCollectionException.USER_MESSAGE)
                .isEqualTo("Your upload was corrupt. Please use Check Database, or restore from backup.");
        byte[] truncated = Arrays.copyOf(LegacyCollectionFixture.bytes(dir, "cut", 2), 4096);
        assertThat(upload(user, ZstdFraming.compress(truncated))).isEqualTo(CorruptCollectionException.USER_MESSAGE);
        assertSameCollection(before, meta(user));
    }

    @Test
    void anUploadPastEitherLimitGetsAnkisTooLargeTextAndChangesNothing() {
        WorkContext user = newUser();
        assertThat(upload(user, collection(2))).isEqualTo(FullSyncFiles.OK);
        MetaResponse before = meta(user);
        long megs = TestWorker.MAX_PAYLOAD_MEGS * 1024L * 1024L;

        // unpacks past three times the limit, though small as sent
        byte[] bomb = ZstdFraming.compress(new byte[(int) (3 * megs + 1024)]);
        assertThat(bomb.length).isLessThan((int) megs);
        assertThat(upload(user, bomb)).isEqualTo(FullSyncFiles.TOO_LARGE).isEqualTo("collection exceeds size limit");

        // larger than the limit as sent
        byte[] noise = new byte[(int) (megs + megs / 2)];
        new Random(7).nextBytes(noise);
        assertThat(upload(user, ZstdFraming.compress(noise))).isEqualTo(FullSyncFiles.TOO_LARGE);
        assertSameCollection(before, meta(user));
    }

    @Test
    void aFullDownloadStreamsTheCollectionWithItsOriginalSize() throws Exception {
        WorkContext user = newUser();
        assertThat(upload(user, collection(4))).isEqualTo(FullSyncFiles.OK);

        CollectionDownload download = worker().download(user).block();
        assertThat(download).isNotNull();
        byte[] compressed = bytes(download.compressedBody());
        byte[] file = ZstdFraming.decompress(compressed, 64L * 1024 * 1024);
        assertThat(download.originalSize()).isEqualTo(file.length);
        assertThat(new String(file, 0, 16, StandardCharsets.US_ASCII)).isEqualTo("SQLite format 3\0");
        Path saved = Files.write(dir.resolve("downloaded.anki2"), file);
        assertThat(sqlite(saved, "select count(*) from notes")).isEqualTo("4");
        assertThat(sqlite(saved, "select group_concat(id) from (select id from notes order by id)"))
                .isEqualTo("1700000000000,1700000000001,1700000000002,1700000000003");
        // as in Anki's server, a download moves the server's usn on
        assertThat(meta(user).usn()).isEqualTo(USN + 1);
    }

    // ---- normal sync -----------------------------------------------------------------------

    @Test
    void aNormalSyncFromStartToFinishCommitsItsStagedChange() throws Exception {
        WorkContext user = newUser();
        assertThat(upload(user, collection(3))).isEqualTo(FullSyncFiles.OK);
        MetaResponse before = meta(user);

        NormalSyncStep started = step(SyncMethod.START, user, null, START);
        assertThat(JSON.readTree(started.answer())).isEqualTo(JSON.readTree("{\"cards\":[],\"decks\":[],\"notes\":[]}"));
        SyncState state = started.state();
        assertThat(state).isNotNull();
        assertThat(state.serverUsn()).isEqualTo(USN);
        assertThat(state.minUsn()).isEqualTo(USN);
        assertThat(state.lnewer()).isTrue();
        assertThat(state.chunkTable()).isEqualTo(ChunkTable.REVLOG);

        NormalSyncStep graves = step(SyncMethod.APPLY_GRAVES, user, state, NO_GRAVES);
        assertThat(graves.answer()).isEqualTo("null");
        assertThat(graves.state()).isEqualTo(state);

        // the client is newer, so it sends the config and the server sends none
        NormalSyncStep changes = step(SyncMethod.APPLY_CHANGES, user, state, "{\"changes\":{\"models\":[],\"decks\":[[],[]],"
                + "\"tags\":[\"contract\"],\"conf\":{\"schedVer\":2,\"sched2021\":true,\"curDeck\":1},\"crt\":1600000000}}");
        assertThat(JSON.readTree(changes.answer())).isEqualTo(JSON.readTree("{\"models\":[],\"decks\":[[],[]],\"tags\":[]}"));
        assertThat(changes.state()).isEqualTo(state);

        // the fixture's rows all have usn 0 < minUsn: nothing to send
        NormalSyncStep chunk = step(SyncMethod.CHUNK, user, state, "{}");
        assertThat(JSON.readTree(chunk.answer())).isEqualTo(JSON.readTree("{\"done\":true}"));
        assertThat(chunk.state().chunkTable()).isEqualTo(ChunkTable.DONE);
        assertThat(chunk.state().epoch()).isEqualTo(state.epoch());
        state = chunk.state();

        long nid = 1_700_000_200_000L;
        NormalSyncStep applied = step(SyncMethod.APPLY_CHUNK, user, state, chunk(note(nid, "contract<b>!</b>\u001fback"), card(nid + 1, nid)));
        assertThat(applied.answer()).isEqualTo("null");
        assertThat(applied.state()).isEqualTo(state);

        NormalSyncStep sanity = step(SyncMethod.SANITY_CHECK2, user, state, counts(4, 4));
        JsonNode check = JSON.readTree(sanity.answer());
        assertThat(check.path("status").asString()).as(sanity.answer()).isEqualTo("ok");
        assertThat(sanity.state()).isEqualTo(state);
        assertThat(meta(user).usn()).as("nothing is visible before finish").isEqualTo(USN);

        long startedFinish = System.currentTimeMillis();
        NormalSyncStep finished = step(SyncMethod.FINISH, user, state, "{}");
        assertThat(finished.answer()).matches("[0-9]{13}");
        assertThat(Long.parseLong(finished.answer())).isBetween(startedFinish - 1000, System.currentTimeMillis() + 1000);
        assertThat(finished.state()).as("the sync is over").isNull();

        MetaResponse after = meta(user);
        assertThat(after.usn()).isEqualTo(USN + 1);
        assertThat(after.mod()).isEqualTo(Long.parseLong(finished.answer()));
        assertThat(after.scm()).isEqualTo(before.scm());
        Path file = Files.write(dir.resolve("after.anki2"), ZstdFraming.decompress(
                bytes(worker().download(user).block().compressedBody()), 64L * 1024 * 1024));
        assertThat(sqlite(file, "select sfld from notes where id = " + nid)).isEqualTo("contract!");
        assertThat(sqlite(file, "select count(*) from cards where nid = " + nid)).isEqualTo("1");
        assertThat(sqlite(file, "select tags from col")).contains("contract");
    }

    @Test
    void abortEndsTheSyncSoThatItCanNeverFinishAndDropsWhatItStaged() {
        WorkContext user = newUser();
        assertThat(upload(user, collection(2))).isEqualTo(FullSyncFiles.OK);
        SyncState state = step(SyncMethod.START, user, null, START).state();
        step(SyncMethod.APPLY_CHANGES, user, state, EMPTY_CHANGES);
        long nid = 1_700_000_300_000L;
        step(SyncMethod.APPLY_CHUNK, user, state, chunk(note(nid, "never\u001ffinished"), card(nid + 1, nid)));
        assertThat(staged(user)).isPositive();

        NormalSyncStep aborted = step(SyncMethod.ABORT, user, state, "{}");
        assertThat(aborted.answer()).isEqualTo("null");
        assertThat(aborted.state()).isNull();
        assertThat(staged(user)).isZero();

        SyncProtocolException e = refusal(worker().normalSync(SyncMethod.FINISH, user, state, "{}"));
        assertThat(e.kind()).isEqualTo(SyncErrorKind.CONFLICT);
        assertThat(meta(user).usn()).isEqualTo(USN);
        // an abort without a sync (none was open) answers the same
        NormalSyncStep nothing = step(SyncMethod.ABORT, user, null, "{}");
        assertThat(nothing.answer()).isEqualTo("null");
        assertThat(nothing.state()).isNull();
    }

    // ---- failures --------------------------------------------------------------------------

    @Test
    void aBadRequestIsOfKindBadRequest() {
        WorkContext user = newUser();
        SyncProtocolException noCollection = refusal(worker().normalSync(SyncMethod.START, user, null, START));
        assertThat(noCollection.kind()).isEqualTo(SyncErrorKind.BAD_REQUEST);
        assertThat(noCollection.kind().httpStatus()).isEqualTo(400);
        assertThat(noCollection.getMessage()).contains("a full sync is needed");

        assertThat(upload(user, collection(2))).isEqualTo(FullSyncFiles.OK);
        SyncState state = step(SyncMethod.START, user, null, START).state();
        SyncProtocolException notAnObject = refusal(worker().normalSync(SyncMethod.APPLY_CHANGES, user, state, "{\"changes\":5}"));
        assertThat(notAnObject.kind()).isEqualTo(SyncErrorKind.BAD_REQUEST);
        assertThat(notAnObject.getMessage()).contains("changes");

        SyncProtocolException malformed = refusal(worker().normalSync(SyncMethod.APPLY_CHUNK, user, state, "{\"chunk\":"));
        assertThat(malformed.kind()).isEqualTo(SyncErrorKind.BAD_REQUEST);
        assertThat(malformed.getMessage()).startsWith("malformed JSON body");

        SyncProtocolException badRow = refusal(worker().normalSync(SyncMethod.APPLY_CHUNK, user, state,
                "{\"chunk\":{\"done\":true,\"notes\":[[1,2,3]]}}"));
        assertThat(badRow.kind()).isEqualTo(SyncErrorKind.BAD_REQUEST);
        assertThat(badRow.getMessage()).contains("note row");

        SyncProtocolException notAStep = refusal(worker().normalSync(SyncMethod.META, user, state, "{}"));
        assertThat(notAStep.kind()).isEqualTo(SyncErrorKind.NOT_FOUND);
        assertThat(notAStep.getMessage()).isEqualTo("meta is not a normal-sync step");
    }

    @Test
    void aStepOfASyncThatAnotherStartReplacedIsOfKindConflict() {
        WorkContext user = newUser();
        assertThat(upload(user, collection(2))).isEqualTo(FullSyncFiles.OK);
        SyncState first = step(SyncMethod.START, user, null, START).state();
        SyncState second = step(SyncMethod.START, user, null, START).state();
        assertThat(second.epoch()).isGreaterThan(first.epoch());

        for (SyncMethod method : List.of(SyncMethod.SANITY_CHECK2, SyncMethod.FINISH)) {
            SyncProtocolException stale = refusal(worker().normalSync(method, user, first,
                    method == SyncMethod.FINISH ? "{}" : counts(2, 2)));
            assertThat(stale.kind()).as(method.wireName()).isEqualTo(SyncErrorKind.CONFLICT);
            assertThat(stale.kind().httpStatus()).isEqualTo(409);
            assertThat(stale.getMessage()).isEqualTo("another sync of this account began after this one");
        }
        // a full upload overtakes a sync too
        assertThat(upload(user, collection(3))).isEqualTo(FullSyncFiles.OK);
        assertThat(refusal(worker().normalSync(SyncMethod.FINISH, user, second, "{}")).kind()).isEqualTo(SyncErrorKind.CONFLICT);
        assertThat(meta(user).usn()).isEqualTo(USN);
    }

    // ---- helpers ---------------------------------------------------------------------------

    static WorkContext newUser() {
        return new WorkContext(TestWorker.newUser("contract"));
    }

    byte[] collection(int notes) {
        return ZstdFraming.compress(LegacyCollectionFixture.bytes(dir, "contract", notes));
    }

    MetaResponse meta(WorkContext user) {
        return worker().meta(user, new MetaRequest(11, "anki,2.1.66")).block();
    }

    String upload(WorkContext user, byte[] compressed) {
        return worker().upload(user, body(compressed)).block();
    }

    NormalSyncStep step(SyncMethod method, WorkContext user, SyncState state, String request) {
        NormalSyncStep step = worker().normalSync(method, user, state, request).block();
        assertThat(step).as(method.wireName()).isNotNull();
        return step;
    }

    static void assertSameCollection(MetaResponse before, MetaResponse after) {
        assertThat(after.mod()).isEqualTo(before.mod());
        assertThat(after.scm()).isEqualTo(before.scm());
        assertThat(after.usn()).isEqualTo(before.usn());
        assertThat(after.empty()).isEqualTo(before.empty());
    }

    static SyncProtocolException refusal(Mono<?> operation) {
        Throwable e = catchThrowable(operation::block);
        assertThat(e).isInstanceOf(SyncProtocolException.class);
        return (SyncProtocolException) e;
    }

    /** The bytes as a client's body arrives: in pieces. */
    static Flux<DataBuffer> body(byte[] bytes) {
        List<DataBuffer> pieces = new ArrayList<>();
        for (int at = 0; at < bytes.length; at += 64 * 1024) {
            pieces.add(DefaultDataBufferFactory.sharedInstance.wrap(Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 64 * 1024))));
        }
        return Flux.fromIterable(pieces);
    }

    static byte[] bytes(Flux<DataBuffer> body) {
        return DataBufferUtils.join(body).map(buffer -> {
            byte[] b = new byte[buffer.readableByteCount()];
            buffer.read(b);
            DataBufferUtils.release(buffer);
            return b;
        }).defaultIfEmpty(new byte[0]).block();
    }

    static String sqlite(Path file, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static long staged(WorkContext user) {
        return Long.parseLong(TestWorker.query("select (select count(*) from sync_staged_graves where user_id = " + user.userId() + ")"
                + " + (select count(*) from sync_staged_changes where user_id = " + user.userId() + ")"
                + " + (select count(*) from sync_staged_rows where user_id = " + user.userId() + ")"));
    }

    /** A note tuple as v11 clients send it: usn = the server's, sfld and csum "", flags 0, data "". */
    static String note(long id, String fields) {
        return "[" + id + ",\"g" + id + "\"," + NOTETYPE + ",1700000100," + USN + ",\"\"," + JSON.writeValueAsString(fields)
                + ",\"\",\"\",0,\"\"]";
    }

    /** A new card of template 0 in the Default deck. */
    static String card(long id, long noteId) {
        return "[" + id + "," + noteId + ",1,0,1700000100," + USN + ",0,0,9,0,0,0,0,0,0,0,0,\"{}\"]";
    }

    static String chunk(String note, String card) {
        return "{\"chunk\":{\"done\":true,\"notes\":[" + note + "],\"cards\":[" + card + "]}}";
    }

    /** sanityCheck2 as a v11 client sends it: no revlog, one note type, deck and deck config. */
    static String counts(long cards, long notes) {
        return "{\"client\":[[0,0,0]," + cards + "," + notes + ",0,0,1,1,1]}";
    }
}
