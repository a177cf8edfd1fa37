package dev.deckhand.server;

import dev.deckhand.gateway.SyncGatewayConfiguration;
import dev.deckhand.gateway.http.SyncRequestHandler;
import dev.deckhand.gateway.session.InMemorySyncSessionStore;
import dev.deckhand.gateway.session.SyncSession;
import dev.deckhand.gateway.session.SyncSessionStore;
import dev.deckhand.protocol.AnkiHeaders;
import dev.deckhand.protocol.SyncHeader;
import dev.deckhand.protocol.ZstdFraming;
import dev.deckhand.server.config.ServerSettings;
import dev.deckhand.store.collection.CollectionWriter;
import dev.deckhand.store.collection.NoteRow;
import dev.deckhand.worker.normalsync.IdleSyncSweeper;
import dev.deckhand.store.fullsync.LegacyCollectionFixture;
import dev.deckhand.testsupport.RawSyncClient;
import dev.deckhand.testsupport.ShiftedClock;
import dev.deckhand.testsupport.TestDatabase;
import dev.deckhand.testsupport.TestPostgres;
import dev.deckhand.testsupport.TestRedis;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Normal sync over HTTP with hand-made requests against the all-in-one server: one complete
 * sync done by hand, then every kind of bad or out-of-order input, each of which must get the
 * protocol's status and leave the live tables exactly as they were.
 */
class NormalSyncHttpTest {

    /** The fixture collection: usn 5, one note type (id 7, two fields), deck 1, deck config 1. */
    static final int USN = 5;
    static final int FIXTURE_NOTES = 3;
    static final long NOTETYPE = 7;
    static final String EMPTY_CHANGES = "{\"changes\":{\"models\":[],\"decks\":[[],[]],\"tags\":[]}}";
    static final String NO_GRAVES = "{\"chunk\":{\"cards\":[],\"decks\":[],\"notes\":[]}}";
    static final JsonMapper JSON = JsonMapper.builder().build();

    static TestDatabase db;
    static DeckhandServer server;
    static RawSyncClient client;
    static String key;
    static long userId;
    static byte[] fixture;
    /** The clock the server's sessions are timed by, which a test can move on. */
    static final ShiftedClock sessionClock = new ShiftedClock();
    /** Closed with the other: closing a server disposes Reactor Netty's global resources, which both use. */
    static DeckhandServer redisServer;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        db = TestPostgres.newDatabase();
        server = DeckhandServer.start(ServerSettings.fromEnvironment(Map.of(
                "SYNC_HOST", "127.0.0.1", "SYNC_PORT", "0",
                "SYNC_BASE", Path.of("target", "normal-sync-http").toAbsolutePath().toString(),
                "SYNC_USER1", "alice:pw",
                "MAX_SYNC_PAYLOAD_MEGS", "1",
                "DATABASE_URL", db.jdbcUrl())), Map.of(), Map.of(SyncGatewayConfiguration.SESSION_CLOCK, sessionClock));
        client = new RawSyncClient("http://127.0.0.1:" + server.port() + "/");
        key = login(client, "alice", "pw");
        userId = Long.parseLong(query("select id from users where username = 'alice'"));
        fixture = LegacyCollectionFixture.bytes(dir, "normal", FIXTURE_NOTES);
    }

    @AfterAll
    static void stop() {
        server.close();
        if (redisServer != null) {
            redisServer.close();
        }
    }

    /**
     * Every test starts from the same uploaded collection. The upload also ends the sync the test
     * before left open, once that has been idle for takeover-after, which the session clock skips.
     */
    @BeforeEach
    void uploadFixture() {
        sessionClock.shift(takeoverAfter());
        RawSyncClient.Response r = client.callWithBytes("sync/upload", key, fixture);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.payload()).isEqualTo("OK");
        assertThat(meta().path("usn").asInt()).isEqualTo(USN);
    }

    // ---- a) one complete sync --------------------------------------------------------------

    @Test
    void aCompleteSyncByHandCommitsTheClientsNote() throws Exception {
        JsonNode meta = meta();
        assertThat(meta.path("usn").asInt()).isEqualTo(USN);
        assertThat(meta.path("empty").asBoolean()).isFalse();
        long modBefore = meta.path("mod").asLong();

        String graves = ok("start", "s1", "{\"minUsn\":" + meta.path("usn").asInt() + ",\"lnewer\":true,\"graves\":null}");
        assertThat(JSON.readTree(graves)).isEqualTo(JSON.readTree("{\"cards\":[],\"decks\":[],\"notes\":[]}"));
        assertThat(ok("applyGraves", "s1", NO_GRAVES)).isEqualTo("null");
        // the client is newer, so it sends the config and the server sends none
        String changes = ok("applyChanges", "s1", "{\"changes\":{\"models\":[],\"decks\":[[],[]],\"tags\":[],"
                + "\"conf\":{\"schedVer\":2,\"sched2021\":true,\"curDeck\":1,\"handMade\":[1,\"x\"]},\"crt\":1600000000}}");
        assertThat(JSON.readTree(changes)).isEqualTo(JSON.readTree("{\"models\":[],\"decks\":[[],[]],\"tags\":[]}"));
        // the fixture's rows all have usn 0 < minUsn: nothing to send
        assertThat(JSON.readTree(ok("chunk", "s1", "{}"))).isEqualTo(JSON.readTree("{\"done\":true}"));

        long nid = 1_700_000_100_000L;
        assertThat(ok("applyChunk", "s1", chunk(note(nid, NOTETYPE, "front<b>x</b>\u001fback"), card(nid + 1, nid))))
                .isEqualTo("null");
        JsonNode sanity = JSON.readTree(ok("sanityCheck2", "s1", counts(FIXTURE_NOTES + 1, FIXTURE_NOTES + 1)));
        assertThat(sanity.path("status").asString()).as(sanity.toString()).isEqualTo("ok");
        assertThat(sanity.path("s")).isEqualTo(JSON.readTree("[[0,0,0],4,4,0,0,1,1,1]"));

        long before = System.currentTimeMillis();
        String finish = ok("finish", "s1", "{}");
        assertThat(finish).matches("[0-9]{13}");
        long mod = Long.parseLong(finish);
        assertThat(mod).isBetween(before - 1000, System.currentTimeMillis() + 1000).isNotEqualTo(modBefore);

        JsonNode after = meta();
        assertThat(after.path("mod").asLong()).isEqualTo(mod);
        assertThat(after.path("usn").asInt()).isEqualTo(USN + 1);
        assertThat(after.path("scm").asLong()).isEqualTo(meta.path("scm").asLong());
        assertThat(query("select ls from collections where user_id = " + userId)).isEqualTo(finish);

        // sort field and checksum computed by the server from the stripped first field
        assertThat(query("select concat_ws('|', guid, mid, usn, sfld, csum, convert_from(flds, 'UTF8')) from notes"
                + " where id = " + nid)).isEqualTo("g" + nid + "|7|5|frontx|" + csum("frontx") + "|front<b>x</b>\u001fback");
        assertThat(query("select concat_ws('|', nid, did, ord, usn, data) from cards where id = " + (nid + 1)))
                .isEqualTo(nid + "|1|0|5|{}");
        assertThat(query("select value || ' ' || usn from config where key = 'handMade' and user_id = " + userId))
                .isEqualTo("[1,\"x\"] 5");
        assertThat(staged()).isZero();
        assertThat(step("applyChunk", "s1", chunk()).status()).as("finish ended the session").isEqualTo(409);

        // a device that last synced at usn 5 gets the note back, sort field and checksum as ""
        ok("start", "s2", "{\"minUsn\":" + USN + ",\"lnewer\":false,\"graves\":null}");
        JsonNode serverChanges = JSON.readTree(ok("applyChanges", "s2", EMPTY_CHANGES));
        assertThat(serverChanges.path("conf").path("handMade")).isEqualTo(JSON.readTree("[1,\"x\"]"));
        assertThat(serverChanges.path("crt").asLong()).isEqualTo(1_600_000_000L);
        JsonNode sent = JSON.readTree(ok("chunk", "s2", "{}"));
        assertThat(sent.path("done").asBoolean()).isTrue();
        assertThat(sent.path("notes")).isEqualTo(JSON.readTree("[" + note(nid, NOTETYPE, "front<b>x</b>\u001fback") + "]"));
        assertThat(sent.path("cards")).isEqualTo(JSON.readTree("[" + card(nid + 1, nid) + "]"));
        assertThat(ok("abort", "s2", "{}")).isEqualTo("null");
    }

    @Test
    void chunksSendEveryRowSinceMinUsnInTheTupleFormat() throws Exception {
        ok("start", "s1", "{\"minUsn\":0,\"lnewer\":true,\"graves\":null}");
        ok("applyChanges", "s1", EMPTY_CHANGES);
        JsonNode chunk = JSON.readTree(ok("chunk", "s1", "{}"));
        assertThat(chunk.path("done").asBoolean()).isTrue();
        assertThat(chunk.has("revlog")).as("empty lists are left out").isFalse();
        assertThat(chunk.path("notes")).hasSize(FIXTURE_NOTES);
        assertThat(chunk.path("cards")).hasSize(FIXTURE_NOTES);
        JsonNode first = chunk.path("notes").get(0);
        assertThat(first).hasSize(11);
        assertThat(first.get(7).isString() && first.get(7).asString().isEmpty()).as("sfld is \"\"").isTrue();
        assertThat(first.get(8).isString() && first.get(8).asString().isEmpty()).as("csum is \"\"").isTrue();
        assertThat(chunk.path("cards").get(0)).hasSize(18);
        ok("abort", "s1", "{}");
    }

    // ---- a2) another writer of the collection ---------------------------------------------

    /**
     * A writer other than sync (the hosted API) edits a note and removes another between two
     * syncs. Its rows carry the server's usn and its removals leave graves, so the next sync sends
     * both; and it fences the sync that was open meanwhile, which can no longer commit.
     */
    @Test
    void anotherWritersChangesFenceAnOpenSyncAndReachTheNextSync() throws Exception {
        long edited = Long.parseLong(query("select min(id) from notes where user_id = " + userId));
        long removed = Long.parseLong(query("select max(id) from notes where user_id = " + userId));
        String removedCard = query("select id from cards where user_id = " + userId + " and nid = " + removed);
        String guid = query("select guid from notes where id = " + edited + " and user_id = " + userId);
        long modBefore = meta().path("mod").asLong();
        beginSync("w1");

        CollectionWriter writer = server.context().getBean(CollectionWriter.class);
        writer.write(userId, change -> change.putNotes(List.of(new NoteRow(edited, guid, NOTETYPE, 1_700_000_200L, "api",
                        "edited <b>by</b> API\u001fback", 0, "")))
                .then(change.removeNotes(List.of(removed)))).block();

        assertThat(step("finish", "w1", "{}").status()).as("the open sync is fenced").isEqualTo(409);
        // its client then aborts, as after any failed step
        ok("abort", "w1", "{}");
        JsonNode meta = meta();
        assertThat(meta.path("usn").asInt()).as("a write keeps the usn: it stamps the current one").isEqualTo(USN);
        assertThat(meta.path("mod").asLong()).as("and bumps mod").isGreaterThan(modBefore);
        assertThat(query("select usn || ':' || sfld || ':' || tags from notes where id = " + edited + " and user_id = " + userId))
                .isEqualTo(USN + ":edited by API:api");
        assertThat(query("select count(*) from notes where id = " + removed + " and user_id = " + userId)).isEqualTo("0");
        assertThat(query("select count(*) from cards where nid = " + removed + " and user_id = " + userId)).isEqualTo("0");
        assertThat(query("select string_agg(type || ':' || usn, ',' order by type) from graves where user_id = " + userId
                + " and oid in (" + removed + ", " + removedCard + ")")).isEqualTo("0:" + USN + ",1:" + USN);

        // a device that last synced at USN gets both changes
        JsonNode graves = JSON.readTree(ok("start", "w2", startArgs()));
        assertThat(graves.path("notes")).extracting(JsonNode::asLong).containsExactly(removed);
        assertThat(graves.path("cards")).extracting(JsonNode::asLong).containsExactly(Long.parseLong(removedCard));
        ok("applyChanges", "w2", EMPTY_CHANGES);
        JsonNode chunk = JSON.readTree(ok("chunk", "w2", "{}"));
        assertThat(chunk.path("notes")).hasSize(1);
        assertThat(chunk.path("notes").get(0).get(0).asLong()).isEqualTo(edited);
        assertThat(chunk.path("notes").get(0).get(6).asString()).isEqualTo("edited <b>by</b> API\u001fback");
        JsonNode sanity = JSON.readTree(ok("sanityCheck2", "w2", counts(FIXTURE_NOTES - 1, FIXTURE_NOTES - 1)));
        assertThat(sanity.path("status").asString()).as(sanity.toString()).isEqualTo("ok");
        ok("finish", "w2", "{}");
        assertThat(meta().path("usn").asInt()).isEqualTo(USN + 1);
    }

    /** Nothing to write to: an account that never uploaded gets a clear refusal, and nothing changes. */
    @Test
    void anotherWriterNeedsACollection() {
        long nobody = Long.parseLong(query("select id from users where username = 'alice'")) + 1_000_000;
        CollectionWriter writer = server.context().getBean(CollectionWriter.class);
        assertThatThrownBy(() -> writer.write(nobody, change -> change.removeNotes(List.of(1L))).block())
                .hasMessageContaining("no collection");
    }

    // ---- b) bad input ----------------------------------------------------------------------

    @Test
    void stepsWithoutTheirSessionAre409AndChangeNothing() {
        String before = digest();
        for (String method : List.of("applyGraves", "applyChanges", "chunk", "applyChunk", "sanityCheck2", "finish")) {
            assertThat(step(method, "nobody", "{}").status()).as("no session: " + method).isEqualTo(409);
        }
        ok("start", "s1", startArgs());
        for (String method : List.of("applyGraves", "applyChanges", "chunk", "applyChunk", "sanityCheck2", "finish")) {
            assertThat(step(method, "s2", "{}").status()).as("wrong key: " + method).isEqualTo(409);
        }
        // a stranger's 409 does not end the real session
        assertThat(ok("applyGraves", "s1", NO_GRAVES)).isEqualTo("null");

        for (String method : List.of("start", "applyGraves", "applyChanges", "chunk", "applyChunk", "sanityCheck2", "finish")) {
            RawSyncClient.Response r = step(method, "", startArgs());
            assertThat(r.status()).as("empty s: " + method).isEqualTo(400);
            assertThat(r.text()).contains("missing skey");
        }
        assertThat(digest()).isEqualTo(before);
        assertStillSyncs("s1");
    }

    @Test
    void startWithBadArgumentsIs400AndOpensNothing() {
        String before = digest();
        long stagedBefore = staged();
        for (String bad : List.of(
                "{\"minUsn\":\"5\",\"lnewer\":true,\"graves\":null}",
                "{\"minUsn\":1e30,\"lnewer\":true,\"graves\":null}",
                "{\"minUsn\":5.5,\"lnewer\":true,\"graves\":null}",
                "{\"minUsn\":4294967301,\"lnewer\":true,\"graves\":null}",
                "{\"minUsn\":null,\"lnewer\":true,\"graves\":null}",
                "{\"lnewer\":true,\"graves\":null}",
                "{\"minUsn\":5,\"graves\":null}",
                "{\"minUsn\":5,\"lnewer\":\"true\",\"graves\":null}",
                "{\"minUsn\":5,\"lnewer\":1,\"graves\":null}",
                "{\"minUsn\":5,\"lnewer\":true,\"graves\":\"all\"}",
                "{\"minUsn\":5,\"lnewer\":true,\"graves\":{\"cards\":[\"one\"],\"notes\":[],\"decks\":[]}}",
                "{\"minUsn\":5,\"lnewer\":true,\"graves\":{\"cards\":5,\"notes\":[],\"decks\":[]}}",
                "[5,true,null]",
                "null",
                "{\"minUsn\":5,",
                "")) {
            RawSyncClient.Response r = step("start", "s2", bad);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(step("applyGraves", "s2", NO_GRAVES).status()).as("no session after " + bad).isEqualTo(409);
            // nor does it keep the account from anyone else
            assertThat(metaStatus()).as("meta after " + bad).isEqualTo(200);
        }
        assertThat(digest()).isEqualTo(before);
        assertThat(staged()).isEqualTo(stagedBefore);

        // while another sync is open, a start of another client is refused before its arguments are read
        ok("start", "s1", startArgs());
        assertThat(step("start", "s2", "{\"minUsn\":").status()).isEqualTo(409);
        // and the open sync goes on
        ok("applyGraves", "s1", NO_GRAVES);
        assertStillSyncs("s1");
    }

    @Test
    void malformedChunkRowsAre400AndEndTheSession() {
        String before = digest();
        long nid = 1_700_000_200_000L;
        String goodNote = note(nid, NOTETYPE, "a\u001fb");
        for (String bad : List.of(
                // too few and too many elements
                "{\"chunk\":{\"notes\":[[" + nid + ",\"g\",7,1,5,\"\",\"a\\u001fb\",\"\",\"\",0]]}}",
                "{\"chunk\":{\"notes\":[" + goodNote.replace(",\"\"]", ",\"\",\"extra\"]") + "]}}",
                "{\"chunk\":{\"cards\":[[" + (nid + 1) + "," + nid + ",1,0,1,5,0,0,0,0,0,0,0,0,0,0,0]]}}",
                "{\"chunk\":{\"revlog\":[[1,2,5,3,1,0,2500,1000]]}}",
                // words and an object where an id belongs
                "{\"chunk\":{\"notes\":[" + goodNote.replace("[" + nid + ",", "[\"n" + nid + "\",") + "]}}",
                "{\"chunk\":{\"cards\":[[\"c1\"," + nid + ",1,0,1,5,0,0,0,0,0,0,0,0,0,0,0,\"{}\"]]}}",
                "{\"chunk\":{\"revlog\":[[{},2,5,3,1,0,2500,1000,1]]}}",
                // rows and row lists that are not lists, and a chunk that is not an object
                "{\"chunk\":{\"notes\":[\"not a row\"]}}",
                "{\"chunk\":{\"notes\":{\"0\":" + goodNote + "}}}",
                "{\"chunk\":[]}",
                "{\"chunk\":\"done\"}",
                "{}",
                "not json")) {
            beginSync("s1");
            RawSyncClient.Response r = step("applyChunk", "s1", bad);
            assertThat(r.status()).as(bad + ": " + r.text()).isEqualTo(400);
            assertThat(step("sanityCheck2", "s1", counts(FIXTURE_NOTES, FIXTURE_NOTES)).status())
                    .as("the session ended after " + bad).isEqualTo(409);
            assertThat(staged()).as("nothing left staged after " + bad).isZero();
        }
        assertThat(digest()).isEqualTo(before);
        assertStillSyncs("s2");
    }

    /**
     * Only a row's shape and id are read when it is staged; a non-number elsewhere in it is met
     * at the merge, which sanityCheck2 and finish run. The sync still fails with 400 before
     * anything is committed, one step later than Anki's server, which parses the row at once.
     */
    @Test
    void aStringWhereANumberBelongsFailsTheSyncByTheMergeAtTheLatest() {
        String before = digest();
        long nid = 1_700_000_300_000L;
        for (String bad : List.of(
                // the note type as a name, a card's template as a word, tags as a list, a button as a word
                chunkOf("notes", note(nid, NOTETYPE, "a\u001fb").replace("," + NOTETYPE + ",", ",\"Basic\",")),
                chunkOf("cards", card(nid + 1, nid).replace("," + nid + ",1,0,", "," + nid + ",1,\"first\",")),
                chunkOf("notes", note(nid, NOTETYPE, "a\u001fb").replace(",\"\",\"a", ",[\"tag\"],\"a")),
                chunkOf("revlog", "[1700000000001,1700000000000,5,\"good\",1,0,2500,1000,1]"))) {
            assertThat(bad).doesNotContain(note(nid, NOTETYPE, "a\u001fb")).doesNotContain(card(nid + 1, nid));
            beginSync("s1");
            RawSyncClient.Response staged = step("applyChunk", "s1", bad);
            if (staged.status() == 200) {
                RawSyncClient.Response sanity = step("sanityCheck2", "s1", counts(FIXTURE_NOTES + 1, FIXTURE_NOTES));
                assertThat(sanity.status()).as(bad + ": " + sanity.text()).isEqualTo(400);
            } else {
                assertThat(staged.status()).as(bad).isEqualTo(400);
            }
            assertThat(step("finish", "s1", "{}").status()).as("ended after " + bad).isEqualTo(409);
            assertThat(staged()).isZero();
        }
        assertThat(digest()).isEqualTo(before);
        assertStillSyncs("s2");
    }

    @Test
    void aNoteOfAnUnknownNoteTypeIsStagedButNeverCommitted() {
        String before = digest();
        long nid = 1_700_000_400_000L;
        String bad = chunk(note(nid, 999, "a\u001fb"), card(nid + 1, nid));

        // caught by sanityCheck2
        beginSync("s1");
        assertThat(ok("applyChunk", "s1", bad)).isEqualTo("null");
        assertThat(staged()).isPositive();
        RawSyncClient.Response sanity = step("sanityCheck2", "s1", counts(FIXTURE_NOTES + 1, FIXTURE_NOTES + 1));
        assertThat(sanity.status()).isEqualTo(400);
        assertThat(sanity.text()).contains("note type 999");
        assertThat(step("finish", "s1", "{}").status()).isEqualTo(409);
        assertThat(staged()).isZero();
        assertThat(digest()).isEqualTo(before);

        // caught by finish when the client skips the sanity check
        beginSync("s2");
        ok("applyChunk", "s2", bad);
        RawSyncClient.Response finish = step("finish", "s2", "{}");
        assertThat(finish.status()).isEqualTo(400);
        assertThat(step("finish", "s2", "{}").status()).isEqualTo(409);
        assertThat(staged()).isZero();
        assertThat(digest()).isEqualTo(before);
        assertStillSyncs("s3");
    }

    @Test
    void aNoteWithTheWrongNumberOfFieldsIsStagedButNeverCommitted() {
        String before = digest();
        long nid = 1_700_000_500_000L;
        for (String fields : List.of("only one", "one\u001ftwo\u001fthree", "")) {
            String bad = chunk(note(nid, NOTETYPE, fields), card(nid + 1, nid));
            beginSync("s1");
            assertThat(ok("applyChunk", "s1", bad)).isEqualTo("null");
            RawSyncClient.Response sanity = step("sanityCheck2", "s1", counts(FIXTURE_NOTES + 1, FIXTURE_NOTES + 1));
            assertThat(sanity.status()).as(fields).isEqualTo(400);
            assertThat(sanity.text()).contains("fields");
            assertThat(step("finish", "s1", "{}").status()).isEqualTo(409);

            beginSync("s2");
            ok("applyChunk", "s2", bad);
            assertThat(step("finish", "s2", "{}").status()).as(fields).isEqualTo(400);
            assertThat(staged()).isZero();
        }
        assertThat(digest()).isEqualTo(before);
        assertStillSyncs("s3");
    }

    /**
     * Ids are i64 (Anki: NoteId, CardId): what JSON cannot make one is refused at once; the
     * extreme values that are i64s are ordinary ids. Times may come as floats, truncated.
     */
    @Test
    void idsOutsideI64AreRefusedAndExtremeI64IdsAreIds() throws Exception {
        String before = digest();
        for (String id : List.of("1e300", "-1e300", "9223372036854775808", "1e19", "NaN")) {
            beginSync("s1");
            RawSyncClient.Response r = step("applyChunk", "s1",
                    "{\"chunk\":{\"notes\":[[" + id + ",\"g\",7,1,5,\"\",\"a\\u001fb\",\"\",\"\",0,\"\"]]}}");
            assertThat(r.status()).as(id).isEqualTo(400);
            assertThat(step("finish", "s1", "{}").status()).isEqualTo(409);
        }
        assertThat(digest()).isEqualTo(before);

        long max = Long.MAX_VALUE;
        beginSync("s2");
        ok("applyChunk", "s2", "{\"chunk\":{\"done\":true,\"notes\":[" + note(max, NOTETYPE, "max\u001f") + "],"
                + "\"cards\":[[" + Long.MIN_VALUE + "," + max + ",1,0,1700000100.9,5,0,0,0,0,0,0,0,0,0,0,0,\"{}\"]]}}");
        JsonNode sanity = JSON.readTree(ok("sanityCheck2", "s2", counts(FIXTURE_NOTES + 1, FIXTURE_NOTES + 1)));
        assertThat(sanity.path("status").asString()).isEqualTo("ok");
        ok("finish", "s2", "{}");
        assertThat(query("select sfld from notes where id = " + max)).isEqualTo("max");
        assertThat(query("select nid || ' ' || mod from cards where id = " + Long.MIN_VALUE)).isEqualTo(max + " 1700000100");
    }

    /**
     * PostgreSQL text cannot hold NUL, which SQLite (and so Anki's server) stores; a full upload
     * refuses such text as a corrupt collection. Normal sync must refuse it too, as a failed step.
     */
    @Test
    void nulInTextIsAFailedStepNotAServerError() {
        String before = digest();
        long nid = 1_700_001_200_000L;
        for (String bad : List.of(
                chunk(note(nid, NOTETYPE, "a\u001fb").replace(",\"\",\"a", ",\" x\\u0000y \",\"a"), card(nid + 1, nid)),
                chunk(note(nid, NOTETYPE, "nul\u0000here\u001fb"), card(nid + 1, nid)),
                chunk(note(nid, NOTETYPE, "a\u001fb"), card(nid + 1, nid).replace("\"{}\"", "\"\\u0000\"")))) {
            beginSync("s1");
            int status = step("applyChunk", "s1", bad).status();
            if (status == 200) {
                status = step("sanityCheck2", "s1", counts(FIXTURE_NOTES + 1, FIXTURE_NOTES + 1)).status();
            }
            if (status == 200) {
                status = step("finish", "s1", "{}").status();
            }
            assertThat(status).as(bad).isEqualTo(400);
            assertThat(step("finish", "s1", "{}").status()).as("ended after " + bad).isEqualTo(409);
            assertThat(staged()).isZero();
        }
        assertThat(digest()).isEqualTo(before);
        assertStillSyncs("s2");
    }

    /** What a sync stores, a later sync must send: ids are i64, so zero and below are ids too. */
    @Test
    void rowsWithIdsAtOrBelowZeroAreSentToOtherDevices() throws Exception {
        beginSync("s1");
        ok("applyChunk", "s1", "{\"chunk\":{\"done\":true,\"notes\":[" + note(-5, NOTETYPE, "minus\u001f") + "],"
                + "\"cards\":[" + card(0, -5) + "]}}");
        assertThat(JSON.readTree(ok("sanityCheck2", "s1", counts(FIXTURE_NOTES + 1, FIXTURE_NOTES + 1)))
                .path("status").asString()).isEqualTo("ok");
        ok("finish", "s1", "{}");
        assertThat(query("select count(*) from notes where id = -5")).isEqualTo("1");

        // a device that last synced at the usn these rows were stored with
        ok("start", "s2", startArgs());
        ok("applyChanges", "s2", EMPTY_CHANGES);
        JsonNode sent = JSON.readTree(ok("chunk", "s2", "{}"));
        ok("abort", "s2", "{}");
        assertThat(sent.path("notes")).isEqualTo(JSON.readTree("[" + note(-5, NOTETYPE, "minus\u001f") + "]"));
        assertThat(sent.path("cards")).isEqualTo(JSON.readTree("[" + card(0, -5) + "]"));
    }

    /**
     * Anki types the card tuple (chunks.rs CardEntry): ord u16, type and queue enums (0..3 and
     * -3..4), flags u8, factor u16, reps/lapses/left u32. Its server refuses anything else, and a
     * client that receives such a row in a chunk cannot parse it, so storing one would break the
     * normal sync of every other device of the account until a full sync.
     */
    @Test
    void cardValuesOutsideTheProtocolsTypesAreRefused() {
        String before = digest();
        long nid = 1_700_000_600_000L;
        SoftAssertions each = new SoftAssertions();
        String[][] cases = {
                {"ord -1", "3", "-1"}, {"ord 65536", "3", "65536"}, {"type 9", "6", "9"}, {"queue 7", "7", "7"},
                {"flags 256", "16", "256"}, {"reps -1", "11", "-1"}};
        for (String[] c : cases) {
            String[] tuple = card(nid + 1, nid).substring(1, card(nid + 1, nid).length() - 1).split(",");
            tuple[Integer.parseInt(c[1])] = c[2];
            beginSync("s1");
            RawSyncClient.Response staged = step("applyChunk", "s1",
                    "{\"chunk\":{\"notes\":[" + note(nid, NOTETYPE, "a\u001fb") + "],\"cards\":[[" + String.join(",", tuple) + "]]}}");
            int status = staged.status();
            if (status == 200) {
                status = step("sanityCheck2", "s1", counts(FIXTURE_NOTES + 1, FIXTURE_NOTES + 1)).status();
            }
            if (status == 200) {
                status = step("finish", "s1", "{}").status();
            }
            each.assertThat(status).as(c[0]).isEqualTo(400);
            each.assertThat(digest()).as(c[0]).isEqualTo(before);
            // each case from the same collection
            uploadFixture();
        }
        each.assertAll();
    }

    @Test
    void wrongCountsAreABadSanityCheckAndCommitNothing() throws Exception {
        String before = digest();
        long nid = 1_700_000_700_000L;
        for (String client : List.of(
                counts(FIXTURE_NOTES + 2, FIXTURE_NOTES + 1),
                counts(FIXTURE_NOTES + 1, FIXTURE_NOTES),
                "{\"client\":[[0,0,0],4,4,1,0,1,1,1]}",
                "{\"client\":[[0,0,0],4,4,0,0,2,1,1]}",
                "{\"client\":[[0,0,0],4,4,0,0,1,1,2]}",
                "{\"client\":[[0,0,0],\"4\",4,0,0,1,1,1]}",
                "{\"client\":[[0,0,0],4,4,0,0,1,null,1]}")) {
            beginSync("s1");
            ok("applyChunk", "s1", chunk(note(nid, NOTETYPE, "a\u001fb"), card(nid + 1, nid)));
            JsonNode answer = JSON.readTree(ok("sanityCheck2", "s1", client));
            assertThat(answer.path("status").asString()).as(client).isEqualTo("bad");
            assertThat(answer.path("s")).isEqualTo(JSON.readTree("[[0,0,0],4,4,0,0,1,1,1]"));
            assertThat(digest()).as(client).isEqualTo(before);
            // the client aborts after a bad check
            assertThat(ok("abort", "s1", "{}")).isEqualTo("null");
            assertThat(staged()).isZero();
            assertThat(step("finish", "s1", "{}").status()).isEqualTo(409);
        }
        // due counts and graves are never compared
        beginSync("s2");
        ok("applyChunk", "s2", chunk(note(nid, NOTETYPE, "a\u001fb"), card(nid + 1, nid)));
        JsonNode lenient = JSON.readTree(ok("sanityCheck2", "s2", "{\"client\":[[9,9,9],4,4,0,77,1,1,1]}"));
        assertThat(lenient.path("status").asString()).isEqualTo("ok");
        assertThat(lenient.path("c")).isEqualTo(JSON.readTree("[[0,0,0],4,4,0,0,1,1,1]"));
        assertThat(digest()).as("a good check commits nothing either").isEqualTo(before);
        ok("abort", "s2", "{}");

        for (String malformed : List.of("{\"client\":[[0,0,0],4,4,0,0,1,1]}", "{\"client\":{}}", "{}")) {
            beginSync("s3");
            assertThat(step("sanityCheck2", "s3", malformed).status()).as(malformed).isEqualTo(400);
            assertThat(step("finish", "s3", "{}").status()).isEqualTo(409);
        }
        assertThat(digest()).isEqualTo(before);
        assertStillSyncs("s4");
    }

    /**
     * Protocol 5.12 and 7: on a bad check Anki's server rolls the sync back at once and keeps only
     * the session record until abort, so nothing the client sent can be committed afterwards.
     */
    @Test
    void finishAfterABadSanityCheckCommitsNothing() throws Exception {
        String before = digest();
        long nid = 1_700_000_750_000L;
        beginSync("s1");
        ok("applyChunk", "s1", chunk(note(nid, NOTETYPE, "a\u001fb"), card(nid + 1, nid)));
        JsonNode answer = JSON.readTree(ok("sanityCheck2", "s1", counts(FIXTURE_NOTES, FIXTURE_NOTES)));
        assertThat(answer.path("status").asString()).isEqualTo("bad");
        step("finish", "s1", "{}");
        assertThat(query("select count(*) from notes where id = " + nid)).isEqualTo("0");
        assertThat(meta().path("usn").asInt()).isEqualTo(USN);
        assertThat(digest()).isEqualTo(before);
    }

    @Test
    void abortMidSyncCommitsNothingAndDropsWhatWasStaged() {
        String before = digest();
        long nid = 1_700_000_800_000L;
        beginSync("s1");
        ok("applyGraves", "s1", "{\"chunk\":{\"cards\":[1700000000000],\"decks\":[],\"notes\":[1700000000000]}}");
        ok("applyChunk", "s1", chunk(note(nid, NOTETYPE, "a\u001fb"), card(nid + 1, nid)));
        long staged = staged();
        assertThat(staged).isPositive();
        // only the sync's own client ends it: an abort with another key (another device's, or a
        // cancel, which comes from a new client object) changes nothing
        assertThat(ok("abort", "another", "{}")).isEqualTo("null");
        assertThat(staged()).isEqualTo(staged);
        assertThat(ok("abort", "s1", "{}")).isEqualTo("null");
        assertThat(staged()).isZero();
        assertThat(step("sanityCheck2", "s1", counts(FIXTURE_NOTES + 1, FIXTURE_NOTES + 1)).status()).isEqualTo(409);
        assertThat(step("finish", "s1", "{}").status()).isEqualTo(409);
        assertThat(digest()).isEqualTo(before);
        // abort is idempotent
        assertThat(ok("abort", "s1", "{}")).isEqualTo("null");
        assertThat(ok("abort", "", "{}")).isEqualTo("null");
        assertThat(digest()).isEqualTo(before);
        assertStillSyncs("s2");
    }

    @Test
    void aSecondStartFencesOffTheFirstSync() throws Exception {
        String before = digest();
        long first = 1_700_000_900_000L;
        long second = 1_700_000_950_000L;
        beginSync("s1");
        ok("applyChunk", "s1", chunk(note(first, NOTETYPE, "first\u001f"), card(first + 1, first)));
        SyncSession firstSession = sessions().find(userId).block();
        assertThat(firstSession.sessionKey()).isEqualTo("s1");

        // another client's start is refused while the first is active, and takes over once it has been idle
        assertThat(step("start", "s2", startArgs()).status()).isEqualTo(409);
        sessionClock.shift(takeoverAfter());
        beginSync("s2");
        // what the first sync staged went with the new start
        assertThat(stagedRows()).isZero();
        for (String method : List.of("applyChunk", "sanityCheck2", "finish")) {
            assertThat(step(method, "s1", method.equals("applyChunk") ? chunk() : counts(FIXTURE_NOTES + 1, FIXTURE_NOTES + 1))
                    .status()).as("first session: " + method).isEqualTo(409);
        }
        assertThat(digest()).isEqualTo(before);

        // even if a stale copy of the first session reached a gateway, its epoch no longer commits
        assertThat(sessions().replace(sessions().read(userId).block(), firstSession, Duration.ofMinutes(1)).block()).isTrue();
        RawSyncClient.Response stale = step("finish", "s1", "{}");
        assertThat(stale.status()).as(stale.text()).isEqualTo(409);
        assertThat(digest()).isEqualTo(before);
        // whose client aborts after the 409, with its own key
        ok("abort", "s1", "{}");

        // the second sync, started again, commits only its own note
        beginSync("s2");
        ok("applyChunk", "s2", chunk(note(second, NOTETYPE, "second\u001f"), card(second + 1, second)));
        assertThat(JSON.readTree(ok("sanityCheck2", "s2", counts(FIXTURE_NOTES + 1, FIXTURE_NOTES + 1)))
                .path("status").asString()).isEqualTo("ok");
        ok("finish", "s2", "{}");
        assertThat(query("select string_agg(id::text, ',' order by id) from notes where id >= " + first))
                .isEqualTo(Long.toString(second));
        assertThat(meta().path("usn").asInt()).isEqualTo(USN + 1);
    }

    @Test
    void anotherClientsMetaWaitsForAnActiveSyncAndEndsAnIdleOne() {
        String before = digest();
        long nid = 1_700_001_000_000L;
        beginSync("s1");
        ok("applyChunk", "s1", chunk(note(nid, NOTETYPE, "a\u001fb"), card(nid + 1, nid)));
        assertThat(metaStatus()).as("another client's meta while the sync is active").isEqualTo(409);
        sessionClock.shift(takeoverAfter());
        // idle for takeover-after: a new sync begins, and the open one ends
        meta();
        assertThat(step("finish", "s1", "{}").status()).isEqualTo(409);
        assertThat(digest()).isEqualTo(before);
        assertStillSyncs("s2");
    }

    // ---- c) session expiry -----------------------------------------------------------------

    /**
     * The all-in-one server keeps sessions in memory, timed by the session clock, which this test
     * gave it: expiry is checked on the stored expiry time, and then the clock is moved on to it,
     * instead of waiting five minutes.
     */
    @Test
    void aStartedSessionExpiresAfterTheTtlAndEveryStepRenewsIt() throws Exception {
        Duration ttl = sessionTtl();
        assertThat(ttl).isEqualTo(Duration.ofMinutes(5));
        assertThat(sessions()).isInstanceOf(InMemorySyncSessionStore.class);

        Instant before = sessionClock.instant();
        ok("start", "s1", startArgs());
        Instant expiry = expiresAt();
        assertThat(expiry).isBetween(before.plus(ttl), sessionClock.instant().plus(ttl));

        Thread.sleep(20);
        ok("applyChanges", "s1", EMPTY_CHANGES);
        assertThat(expiresAt()).as("renewed by a step").isAfter(expiry);

        String before2 = digest();
        long nid = 1_700_001_100_000L;
        ok("applyChunk", "s1", chunk(note(nid, NOTETYPE, "a\u001fb"), card(nid + 1, nid)));
        expireNow();
        assertThat(step("finish", "s1", "{}").status()).as("an expired session is gone").isEqualTo(409);
        assertThat(digest()).isEqualTo(before2);
        // the expired sync's staged rows wait for the user's next start, which drops them
        assertThat(stagedRows()).isPositive();
        ok("start", "s2", startArgs());
        assertThat(stagedRows()).isZero();
        assertStillSyncs("s2");
    }

    /** The same through Redis, which keeps the clock: the session key carries the TTL. */
    @Test
    void withRedisTheSessionKeyCarriesTheTtl() throws Exception {
        String prefix = TestRedis.newKeyPrefix();
        // the all-in-one settings have no key prefix, and Redis is shared: a system property outranks its defaults
        System.setProperty("deckhand.redis.key-prefix", prefix);
        try {
            redisServer = DeckhandServer.start(ServerSettings.fromEnvironment(Map.of(
                    "SYNC_HOST", "127.0.0.1", "SYNC_PORT", "0",
                    "SYNC_BASE", Path.of("target", "normal-sync-http-redis").toAbsolutePath().toString(),
                    "SYNC_USER1", "bob:pw",
                    "MAX_SYNC_PAYLOAD_MEGS", "1",
                    "DATABASE_URL", TestPostgres.newDatabase().jdbcUrl(),
                    "REDIS_URL", TestRedis.endpoint().url())));
        } finally {
            System.clearProperty("deckhand.redis.key-prefix");
        }
        RawSyncClient bob = new RawSyncClient("http://127.0.0.1:" + redisServer.port() + "/");
        String bobKey = login(bob, "bob", "pw");
        // a host key begins with its user's id
        String bobId = bobKey.substring(0, bobKey.indexOf('.'));
        assertThat(bob.callWithBytes("sync/upload", bobKey, fixture).payload()).isEqualTo("OK");
        ReactiveStringRedisTemplate redis = redisServer.context().getBean(ReactiveStringRedisTemplate.class);
        String sessionKey = prefix + "user:" + bobId + ":sync-session";

        RawSyncClient.Response started = bob.post("sync/start", header(bobKey, "r1"), zstd(startArgs()));
        assertThat(started.status()).as(started.text()).isEqualTo(200);
        Duration left = redis.getExpire(sessionKey).block();
        assertThat(left).isNotNull().isGreaterThan(sessionTtl().minusSeconds(10)).isLessThanOrEqualTo(sessionTtl());

        assertThat(bob.post("sync/applyChanges", header(bobKey, "r1"), zstd(EMPTY_CHANGES)).status()).isEqualTo(200);
        assertThat(redis.getExpire(sessionKey).block()).isGreaterThan(sessionTtl().minusSeconds(10));

        // gone from Redis: the next step is refused
        redis.delete(sessionKey).block();
        assertThat(bob.post("sync/chunk", header(bobKey, "r1"), zstd("{}")).status()).isEqualTo(409);
    }

    @Test
    void aSyncIdleForLongIsEndedAndItsStagedRowsDropped() throws Exception {
        beginSync("idle1");
        long nid = 1_950_000_000_000L;
        ok("applyChunk", "idle1", chunk(note(nid, NOTETYPE, "never\u001ffinished"), card(nid + 1, nid)));
        assertThat(staged()).isPositive();
        String before = digest();
        IdleSyncSweeper normalSync = server.context().getBean(IdleSyncSweeper.class);
        // staged a moment ago: left alone
        assertThat(normalSync.abandonIdleSyncs(java.time.Duration.ofHours(1)).block()).isZero();
        assertThat(staged()).isPositive();

        // as if the client had vanished an hour and a half ago
        for (String table : List.of("sync_staged_graves", "sync_staged_changes", "sync_staged_rows")) {
            execute("update " + table + " set staged_at = now() - interval '90 minutes' where user_id = " + userId);
        }
        assertThat(normalSync.abandonIdleSyncs(java.time.Duration.ofHours(1)).block()).isEqualTo(1);
        assertThat(staged()).isZero();
        assertThat(digest()).isEqualTo(before);
        // fenced: even with its session still open, it can never commit
        assertThat(step("sanityCheck2", "idle1", counts(FIXTURE_NOTES + 1, FIXTURE_NOTES + 1)).status()).isEqualTo(409);
        ok("abort", "idle1", "{}");
        assertStillSyncs("idle2");
    }

    /** Clients run media sync beside a collection sync (2.1.66 at the same time): neither may disturb the other. */
    @Test
    void mediaSyncDuringAnOpenCollectionSyncLeavesItAlone() throws Exception {
        int usn = meta().path("usn").asInt();
        long notes = Long.parseLong(query("select count(*) from notes where user_id = " + userId));
        long nid = 1_900_000_000_000L;
        ok("start", "m1", startArgs());

        int mediaUsn = JSON.readTree(client.call("msync/begin", key, "{\"v\":\"anki,2.1.66 (70506aeb),lin:debian:12\"}")
                .payload()).path("data").path("usn").asInt();
        java.io.ByteArrayOutputStream zip = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(zip)) {
            out.putNextEntry(new java.util.zip.ZipEntry("0"));
            out.write("meanwhile".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            out.putNextEntry(new java.util.zip.ZipEntry("_meta"));
            out.write("[[\"during sync.txt\",\"0\"]]".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        RawSyncClient.Response upload = client.callWithBytes("msync/uploadChanges", key, zip.toByteArray());
        assertThat(upload.status()).as(upload.text()).isEqualTo(200);
        assertThat(upload.payload()).isEqualTo("{\"data\":[1," + (mediaUsn + 1) + "],\"err\":\"\"}");
        assertThat(client.call("msync/downloadFiles", key, "{\"files\":[\"during sync.txt\"]}").status()).isEqualTo(200);

        ok("applyChanges", "m1", EMPTY_CHANGES);
        while (!JSON.readTree(ok("chunk", "m1", "{}")).path("done").asBoolean()) {
            // more to come
        }
        ok("applyChunk", "m1", chunk(note(nid, NOTETYPE, "beside\u001fmedia"), card(nid + 1, nid)));
        assertThat(client.call("msync/mediaChanges", key, "{\"lastUsn\":" + mediaUsn + "}").payload())
                .contains("during sync.txt");
        JsonNode sanity = JSON.readTree(ok("sanityCheck2", "m1", counts(notes + 1, notes + 1)));
        assertThat(sanity.path("status").asString()).as(sanity.toString()).isEqualTo("ok");
        ok("finish", "m1", "{}");
        assertThat(meta().path("usn").asInt()).isEqualTo(usn + 1);
        assertThat(JSON.readTree(client.call("msync/begin", key, "{\"v\":\"anki,2.1.66 (70506aeb),lin:debian:12\"}")
                .payload()).path("data").path("usn").asInt()).as("the collection sync left media alone").isEqualTo(mediaUsn + 1);
        assertThat(meta().path("media_usn").asInt()).isEqualTo(mediaUsn + 1);
    }

    // ---- helpers ---------------------------------------------------------------------------

    static String login(RawSyncClient c, String user, String password) {
        RawSyncClient.Response r = c.call("sync/hostKey", "", "{\"u\":\"" + user + "\",\"p\":\"" + password + "\"}");
        assertThat(r.status()).isEqualTo(200);
        return r.payload().replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
    }

    static Map<String, String> header(String hostKey, String sessionKey) {
        return Map.of(AnkiHeaders.SYNC, new SyncHeader(11, hostKey, "anki,25.09.2 (3890e12c),lin:debian:12", sessionKey).toJson());
    }

    static byte[] zstd(String json) {
        return ZstdFraming.compress(json.getBytes(StandardCharsets.UTF_8));
    }

    /** One normal-sync request with the given session key {@code s}. */
    static RawSyncClient.Response step(String method, String sessionKey, String json) {
        return client.post("sync/" + method, header(key, sessionKey), zstd(json));
    }

    static String ok(String method, String sessionKey, String json) {
        RawSyncClient.Response r = step(method, sessionKey, json);
        assertThat(r.status()).as(method + ": " + r.text()).isEqualTo(200);
        return r.payload();
    }

    static final String META = "{\"v\":11,\"cv\":\"anki,25.09.2 (3890e12c),lin:debian:12\"}";

    /** meta from a client of its own (a status check, or a sync about to begin), where no other sync is active. */
    static JsonNode meta() {
        RawSyncClient.Response r = client.call("sync/meta", key, META);
        assertThat(r.status()).isEqualTo(200);
        return JSON.readTree(r.payload());
    }

    static int metaStatus() {
        return client.call("sync/meta", key, META).status();
    }

    static String startArgs() {
        return "{\"minUsn\":" + USN + ",\"lnewer\":true,\"graves\":null}";
    }

    /** start, applyChanges and chunk until done: where a client begins sending its rows. */
    static void beginSync(String sessionKey) {
        ok("start", sessionKey, startArgs());
        ok("applyChanges", sessionKey, EMPTY_CHANGES);
        while (!JSON.readTree(ok("chunk", sessionKey, "{}")).path("done").asBoolean()) {
            // more to come
        }
    }

    /** A whole sync that adds one note: proof that the server still works after bad input. */
    static void assertStillSyncs(String sessionKey) {
        // as real clients do, the sync begins with a meta of the same session key
        int usn = JSON.readTree(ok("meta", sessionKey, META)).path("usn").asInt();
        long notes = Long.parseLong(query("select count(*) from notes where user_id = " + userId));
        long nid = 1_800_000_000_000L + usn;
        beginSync(sessionKey);
        ok("applyChunk", sessionKey, chunk(note(nid, NOTETYPE, "still\u001fworks"), card(nid + 1, nid)));
        JsonNode sanity = JSON.readTree(ok("sanityCheck2", sessionKey, counts(notes + 1, notes + 1)));
        assertThat(sanity.path("status").asString()).as(sanity.toString()).isEqualTo("ok");
        ok("finish", sessionKey, "{}");
        assertThat(meta().path("usn").asInt()).isEqualTo(usn + 1);
        assertThat(query("select sfld from notes where id = " + nid)).isEqualTo("still");
    }

    /** A note tuple as v11 clients send it: usn = the server's, sfld and csum "", flags 0, data "". */
    static String note(long id, long notetype, String fields) {
        return "[" + id + ",\"g" + id + "\"," + notetype + ",1700000100," + USN + ",\"\"," + JSON.writeValueAsString(fields)
                + ",\"\",\"\",0,\"\"]";
    }

    /** A new card of template 0 in the Default deck. */
    static String card(long id, long noteId) {
        return "[" + id + "," + noteId + ",1,0,1700000100," + USN + ",0,0,9,0,0,0,0,0,0,0,0,\"{}\"]";
    }

    static String chunk(String note, String card) {
        return "{\"chunk\":{\"done\":true,\"notes\":[" + note + "],\"cards\":[" + card + "]}}";
    }

    static String chunkOf(String rows, String row) {
        return "{\"chunk\":{\"done\":true,\"" + rows + "\":[" + row + "]}}";
    }

    static String chunk() {
        return "{\"chunk\":{\"done\":true}}";
    }

    /** sanityCheck2 as a v11 client sends it: no revlog, one note type, deck and deck config. */
    static String counts(long cards, long notes) {
        return "{\"client\":[[0,0,0]," + cards + "," + notes + ",0,0,1,1,1]}";
    }

    static long csum(String stripped) throws Exception {
        byte[] d = MessageDigest.getInstance("SHA-1").digest(stripped.getBytes(StandardCharsets.UTF_8));
        return ((d[0] & 0xffL) << 24) | ((d[1] & 0xffL) << 16) | ((d[2] & 0xffL) << 8) | (d[3] & 0xffL);
    }

    /** The live tables as text; the sync epoch is left out, since every start takes the next one. */
    static String digest() {
        StringBuilder all = new StringBuilder(query(
                "select string_agg(concat_ws(',', user_id, crt, mod, scm, usn, ls, ver), ';' order by user_id) from collections"));
        for (String table : List.of("notes", "cards", "revlog", "graves", "decks", "deck_configs", "notetypes", "tags", "config")) {
            all.append('\n').append(query("select string_agg(t::text, ';' order by t::text) from " + table + " t"));
        }
        return all.toString();
    }

    static long staged() {
        return Long.parseLong(query("select (select count(*) from sync_staged_graves where user_id = " + userId + ")"
                + " + (select count(*) from sync_staged_changes where user_id = " + userId + ")"
                + " + (select count(*) from sync_staged_rows where user_id = " + userId + ")"));
    }

    static long stagedRows() {
        return Long.parseLong(query("select count(*) from sync_staged_rows where user_id = " + userId));
    }

    static void execute(String sql) {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
            c.createStatement().executeUpdate(sql);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    static String query(String sql) {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    static SyncSessionStore sessions() {
        return server.context().getBean(SyncSessionStore.class);
    }

    /** How long after its last step an open sync keeps the account ({@code deckhand.sessions.takeover-after}, its default). */
    static Duration takeoverAfter() {
        return server.context().getBean(SyncRequestHandler.class).takeoverAfter();
    }

    /** The TTL the server's handler was given ({@code deckhand.sessions.ttl}, here its default). */
    static Duration sessionTtl() {
        return server.context().getBean(SyncRequestHandler.class).sessionTtl();
    }

    /** When alice's session expires, by the session clock. */
    static Instant expiresAt() {
        Optional<Instant> expiry = ((InMemorySyncSessionStore) sessions()).expiresAt(userId);
        assertThat(expiry).as("alice has a session").isPresent();
        return expiry.get();
    }

    /** Moves the session clock on to alice's expiry, which has then just passed. */
    static void expireNow() {
        sessionClock.shiftTo(expiresAt());
    }
}
