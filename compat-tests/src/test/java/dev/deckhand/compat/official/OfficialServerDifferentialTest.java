package dev.deckhand.compat.official;

import dev.deckhand.ankiclient.PythonAnki;
import dev.deckhand.compat.TestServers;
import dev.deckhand.compat.official.Side.Script;
import dev.deckhand.compat.official.Side.Step;
import dev.deckhand.protocol.SyncHeader;
import dev.deckhand.protocol.SyncJson;
import dev.deckhand.protocol.ZstdFraming;
import dev.deckhand.gateway.SyncGatewayConfiguration;
import dev.deckhand.gateway.http.SyncRequestHandler;
import dev.deckhand.server.DeckhandServer;
import dev.deckhand.testsupport.RawSyncClient;
import dev.deckhand.testsupport.ShiftedClock;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SequencedMap;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Anki's own sync server as an oracle: the same hand-made requests go to it and to our
 * all-in-one server, side by side, and both must answer alike. "Alike" is what a client can
 * tell apart: the exact status where clients act on it (2xx, 400, 403, 409, 413, 501), else
 * its class (4xx, 5xx); and for a success, the same answer once values that cannot agree
 * between two servers (the time, host keys) are set aside.
 *
 * <p>Each case is one test, named in {@link #CASES}. Where Deckhand answers otherwise on
 * purpose, the case lists the difference with both statuses (or both answers) exactly, so the
 * test fails if either server changes; docs/architecture.md ("Differences from the official
 * server") gives each one's reason. Every step of every case is also written to
 * {@code target/official-server/differential.md}.
 */
class OfficialServerDifferentialTest {

    /** Small, so that bodies past it are cheap to send; both servers read the same variable. */
    static final int MAX_PAYLOAD_MEGS = 1;
    static final long MAX_BODY = MAX_PAYLOAD_MEGS << 20;

    /** One user per group of cases that leave state behind, so that no group sees another's. */
    static final SequencedMap<String, String> USERS = new LinkedHashMap<>();

    static {
        USERS.put("alice", "wonder:land"); // stateless probing; the password has a colon in it
        USERS.put("bob", "flow");          // the normal sync flow
        USERS.put("carol", "sessions");    // sessions of a normal sync
        USERS.put("dave", "media");        // the media flow
        USERS.put("erin", "refused");      // hostile media both servers refuse
        USERS.put("frank", "accepted");    // hostile media the official server takes
        USERS.put("grace", "numbers");     // absurd numbers
        USERS.put("heidi", "fresh");       // an account that never synced, downloaded
        USERS.put("ivan", "uploads");      // full uploads that are not collections
        USERS.put("judy", "start");        // a normal sync on an account that never synced
    }

    static final String META = "{\"v\":11,\"cv\":\"anki,26.09.3 (differential),lin:test\"}";
    static final String NO_ARGUMENTS = "{}";
    static final String NO_GRAVES = "{\"chunk\":{\"cards\":[],\"notes\":[],\"decks\":[]}}";
    static final String NO_CHANGES = "{\"changes\":{\"models\":[],\"decks\":[[],[]],\"tags\":[]}}";
    static final String LAST_CHUNK = "{\"chunk\":{\"done\":true}}";
    /** Seconds, the same for both servers: rows sent in a chunk carry it as their mod. */
    static final long ROW_MOD = System.currentTimeMillis() / 1000 - 3600;

    static DeckhandServer deckhand;
    /**
     * Our sessions' clock, moved past {@code takeover-after} before each case: the official server
     * lets a new client take over an open sync at once, we only once it has been idle that long
     * ("Two devices at once"), so a case would otherwise find the last one's sync still holding
     * the account.
     */
    static final ShiftedClock sessionClock = new ShiftedClock();
    static OfficialSyncServer official;
    static Side ours;
    static Side theirs;
    static ClientCollection collection;
    static final List<String> REPORT = new ArrayList<>();

    static final Map<String, Case> CASES = new LinkedHashMap<>();

    /** A step where we answer otherwise on purpose: both servers' statuses, and answers if both succeed. */
    record Difference(String step, int official, int ours, String officialAnswer, String ourAnswer) {

        static Difference status(String step, int official, int ours) {
            return new Difference(step, official, ours, null, null);
        }

        static Difference answer(String step, String officialAnswer, String ourAnswer) {
            return new Difference(step, 200, 200, officialAnswer, ourAnswer);
        }
    }

    record Case(String name, Script script, List<Difference> differences) {

        Difference differenceAt(String step) {
            return differences.stream().filter(d -> d.step().equals(step)).findFirst().orElse(null);
        }
    }

    private static void add(String name, Script script, Difference... differences) {
        if (CASES.put(name, new Case(name, script, List.of(differences))) != null) {
            throw new IllegalStateException("two cases named " + name);
        }
    }

    @BeforeAll
    static void startBothServers() throws Exception {
        Path work = OfficialSyncServer.DIR;
        collection = ClientCollection.make(work.resolve("client"));
        official = OfficialSyncServer.start("differential", USERS, Map.of("MAX_SYNC_PAYLOAD_MEGS", "" + MAX_PAYLOAD_MEGS));
        Map<String, String> env = new HashMap<>(Map.of("MAX_SYNC_PAYLOAD_MEGS", "" + MAX_PAYLOAD_MEGS));
        int n = 1;
        for (var user : USERS.entrySet()) {
            env.put("SYNC_USER" + n++, user.getKey() + ":" + user.getValue());
        }
        deckhand = TestServers.allInOne("official-differential", env, Map.of(),
                Map.of(SyncGatewayConfiguration.SESSION_CLOCK, sessionClock));
        // both with a connection per request, as Anki's server needs it (see RawSyncClient.forAnkisServer)
        theirs = new Side("official", RawSyncClient.forAnkisServer(official.endpoint()), USERS);
        ours = new Side("Deckhand", RawSyncClient.withConnectionPerRequest(TestServers.endpoint(deckhand)), USERS);
    }

    @AfterAll
    static void stopBothServers() throws Exception {
        try {
            writeReport();
        } finally {
            if (deckhand != null) {
                deckhand.close();
            }
            if (official != null) {
                official.close();
            }
        }
    }

    static Stream<String> cases() {
        return CASES.keySet().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bothServersAnswerAlike(String name) throws Exception {
        Case c = CASES.get(name);
        sessionClock.shift(deckhand.context().getBean(SyncRequestHandler.class).takeoverAfter());
        List<Step> fromOfficial = theirs.run(c.script());
        List<Step> fromOurs = ours.run(c.script());
        report(c, fromOfficial, fromOurs);

        assertThat(fromOurs.stream().map(Step::name)).as("the steps of " + name)
                .containsExactlyElementsOf(fromOfficial.stream().map(Step::name).toList());
        SoftAssertions soft = new SoftAssertions();
        for (int i = 0; i < fromOfficial.size(); i++) {
            Step o = fromOfficial.get(i);
            Step d = fromOurs.get(i);
            Difference expected = c.differenceAt(o.name());
            String where = name + " / " + o.name();
            if (expected != null) {
                soft.assertThat(o.status()).as(where + ": the official server's status").isEqualTo(expected.official());
                soft.assertThat(d.status()).as(where + ": Deckhand's status").isEqualTo(expected.ours());
                if (expected.officialAnswer() != null) {
                    soft.assertThat(o.visible()).as(where + ": the official server's answer").isEqualTo(expected.officialAnswer());
                    soft.assertThat(d.visible()).as(where + ": Deckhand's answer").isEqualTo(expected.ourAnswer());
                }
                continue;
            }
            soft.assertThat(reaction(d.status())).as(where + ": status (official " + o.status() + ", Deckhand " + d.status() + ")")
                    .isEqualTo(reaction(o.status()));
            if (o.status() / 100 == 2 && d.status() / 100 == 2) {
                soft.assertThat(d.visible()).as(where + ": answer").isEqualTo(o.visible());
            }
        }
        for (Difference expected : c.differences()) {
            soft.assertThat(fromOfficial.stream().map(Step::name)).as(name + ": the step of a listed difference")
                    .contains(expected.step());
        }
        soft.assertAll();
    }

    /** The status as a client tells it apart: exactly where it acts on it, else only its class. */
    static String reaction(int status) {
        return status / 100 == 2 || Set.of(400, 403, 409, 413, 501).contains(status)
                ? Integer.toString(status) : status / 100 + "xx";
    }

    // ---------------------------------------------------------------- the cases

    static {
        routes();
        logins();
        headers();
        framing();
        meta();
        stepsWithoutASync();
        sessions();
        normalSync();
        absurdNumbers();
        fullSync();
        media();
        hostileMedia();
    }

    private static void routes() {
        add("GET /health", s -> s.get("health", "health", Visible.BODY));
        add("POST /health", s -> s.post("health", "health", Map.of(), new byte[0], Visible.NOTHING));
        // a page for people who open the server's address in a browser
        add("GET /", s -> s.get("page", "", Visible.NOTHING), Difference.status("page", 404, 200));
        add("GET of a sync method", s -> s.get("meta", "sync/meta", Visible.NOTHING));
        add("unknown sync method", s -> s.sync("dropTables", "alice", "s", "dropTables", NO_ARGUMENTS, Visible.NOTHING),
                Difference.status("dropTables", 400, 404));
        add("unknown media method", s -> s.media("dropTables", "alice", "dropTables", NO_ARGUMENTS, Visible.NOTHING),
                Difference.status("dropTables", 400, 404));
        add("a sync method under a path prefix", s -> s.call("meta", "anki/sync/meta", "alice", "s", META, metaWithout("ts", "scm")),
                Difference.status("meta", 404, 200));
        add("a sync method with a trailing slash", s -> s.call("meta", "sync/meta/", "alice", "s", META, Visible.NOTHING));
    }

    private static void logins() {
        add("hostKey", s -> s.login("hostKey", Side.hostKeyRequest("alice", "wonder:land"), HOST_KEY));
        add("hostKey with a wrong password", s -> s.login("hostKey", Side.hostKeyRequest("alice", "wonder"), HOST_KEY));
        add("hostKey of an unknown user", s -> s.login("hostKey", Side.hostKeyRequest("mallory", "wonder:land"), HOST_KEY));
        add("hostKey of a user in other letter case", s -> s.login("hostKey", Side.hostKeyRequest("Alice", "wonder:land"), HOST_KEY));
        add("hostKey without a password", s -> s.login("hostKey", "{\"u\":\"alice\"}", HOST_KEY));
        add("hostKey with a password that is a number", s -> s.login("hostKey", "{\"u\":\"alice\",\"p\":5}", HOST_KEY));
        add("hostKey with fields no client sends", s -> s.login("hostKey",
                "{\"u\":\"alice\",\"p\":\"wonder:land\",\"x\":[1]}", HOST_KEY));
        add("hostKey whose body is not JSON", s -> s.login("hostKey", "u=alice&p=wonder:land", HOST_KEY));
        add("hostKey whose body is null", s -> s.login("hostKey", "null", HOST_KEY));
        add("hostKey with content after the JSON", s -> s.login("hostKey",
                Side.hostKeyRequest("alice", "wonder:land") + " []", HOST_KEY));
        add("hostKey with a host key in the header", s -> s.postWithHeader("hostKey", "sync/hostKey",
                new SyncHeader(11, "0123456789abcdef0123456789abcdef01234567", "c", "s").toJson(),
                zstd(Side.hostKeyRequest("alice", "wonder:land")), HOST_KEY));
    }

    private static void headers() {
        byte[] login = zstd(Side.hostKeyRequest("alice", "wonder:land"));
        add("no anki-sync header", s -> s.post("hostKey", "sync/hostKey", Map.of(), login, HOST_KEY));
        add("anki-sync header that is not JSON", s -> s.postWithHeader("hostKey", "sync/hostKey", "not json", login, HOST_KEY));
        add("anki-sync header that is a JSON list", s -> s.postWithHeader("hostKey", "sync/hostKey", "[11]", login, HOST_KEY));
        add("anki-sync header without s", s -> s.postWithHeader("hostKey", "sync/hostKey",
                "{\"v\":11,\"k\":\"\",\"c\":\"c\"}", login, HOST_KEY));
        add("anki-sync header with v as a string", s -> s.postWithHeader("hostKey", "sync/hostKey",
                "{\"v\":\"11\",\"k\":\"\",\"c\":\"c\",\"s\":\"s\"}", login, HOST_KEY));
        add("anki-sync header with k as a number", s -> s.postWithHeader("hostKey", "sync/hostKey",
                "{\"v\":11,\"k\":5,\"c\":\"c\",\"s\":\"s\"}", login, HOST_KEY));
        add("anki-sync header with keys no client sends", s -> s.postWithHeader("hostKey", "sync/hostKey",
                "{\"v\":11,\"k\":\"\",\"c\":\"c\",\"s\":\"s\",\"z\":true}", login, HOST_KEY));
        for (long v : new long[] {7, 12, -1, 1L << 40}) {
            add("anki-sync header version " + v, s -> s.postWithHeader("hostKey", "sync/hostKey",
                    "{\"v\":" + v + ",\"k\":\"\",\"c\":\"c\",\"s\":\"s\"}", login, HOST_KEY));
        }
        // a header below 11 asks for answers that are not compressed
        add("anki-sync header version 10", s -> s.postWithHeader("meta", "sync/meta",
                new SyncHeader(10, s.key("alice"), "c", "s").toJson(), zstd(META), UNCOMPRESSED_META));
        add("legacy multipart request", s -> s.post("hostKey", "sync/hostKey",
                        Map.of("content-type", "multipart/form-data; boundary=" + BOUNDARY),
                        multipart(Map.of("c", "0"), Side.hostKeyRequest("alice", "wonder:land")), HOST_KEY),
                Difference.status("hostKey", 200, 501));
        add("legacy GET of msync/begin", s -> s.get("begin", "msync/begin?k=" + s.key("alice") + "&v=anki,2.1.50", Visible.BODY),
                Difference.status("begin", 200, 404));
    }

    private static void framing() {
        String login = Side.hostKeyRequest("alice", "wonder:land");
        String header = RawSyncClient.v11Header("", "s");
        add("body that is not zstd", s -> s.postWithHeader("hostKey", "sync/hostKey", header,
                login.getBytes(StandardCharsets.UTF_8), HOST_KEY));
        add("empty body", s -> s.postWithHeader("hostKey", "sync/hostKey", header, new byte[0], HOST_KEY));
        add("truncated zstd frame", s -> {
            byte[] frame = zstd(login);
            s.postWithHeader("hostKey", "sync/hostKey", header, Arrays.copyOf(frame, frame.length - 3), HOST_KEY);
        });
        // the official server reads the first frame and ignores the rest; we read the body as a zstd stream
        add("zstd frame followed by bytes that are not zstd", s -> s.postWithHeader("hostKey", "sync/hostKey", header,
                concat(zstd(login), "garbage".getBytes(StandardCharsets.UTF_8)), HOST_KEY),
                Difference.status("hostKey", 200, 400));
        add("JSON split over two zstd frames", s -> s.postWithHeader("hostKey", "sync/hostKey", header,
                concat(zstd(login.substring(0, 10)), zstd(login.substring(10))), HOST_KEY),
                Difference.status("hostKey", 400, 200));
        add("a second zstd frame after the JSON", s -> s.postWithHeader("hostKey", "sync/hostKey", header,
                concat(zstd(login), zstd(" ")), HOST_KEY));
        // a few KiB that unpack past 3 x MAX_SYNC_PAYLOAD_MEGS
        add("zstd bomb", s -> s.postWithHeader("hostKey", "sync/hostKey", header,
                zstd("{\"u\":\"alice\",\"p\":\"" + " ".repeat(4 * (int) MAX_BODY) + "\"}"), HOST_KEY),
                Difference.status("hostKey", 400, 413));
        // a valid login with a long wrong password, larger than MAX_SYNC_PAYLOAD_MEGS as sent
        add("body larger than the limit as sent", s -> s.postWithHeader("hostKey", "sync/hostKey", header,
                zstd(Side.hostKeyRequest("alice", noise(3 * (int) MAX_BODY / 2))), HOST_KEY),
                Difference.status("hostKey", 403, 413));
    }

    private static void meta() {
        // an account that never synced: the official server makes a collection, scm now; we have none, scm 0
        add("meta of an account that never synced", s -> s.sync("meta", "alice", "s", "meta", META, META_SCM_ABOUT_NOW),
                Difference.answer("meta",
                        "{\"cont\":true,\"empty\":true,\"hostNum\":0,\"media_usn\":0,\"mod\":0,\"msg\":\"\",\"scm\":\"≈now\",\"usn\":0}",
                        "{\"cont\":true,\"empty\":true,\"hostNum\":0,\"media_usn\":0,\"mod\":0,\"msg\":\"\",\"scm\":0,\"usn\":0}"));
        for (String v : new String[] {"7", "9", "10", "12", "1099511627776", "\"11\""}) {
            add("meta with body version " + v, s -> s.sync("meta", "alice", "s", "meta",
                    "{\"v\":" + v + ",\"cv\":\"anki,2.1.66 (70506aeb),lin:debian:12\"}", metaWithout("ts", "scm")));
        }
        // only a legacy (multipart) client would say 8, and those get 501 from us before meta
        add("meta with body version 8", s -> s.sync("meta", "alice", "s", "meta",
                        "{\"v\":8,\"cv\":\"anki,2.1.66 (70506aeb),lin:debian:12\"}", metaWithout("ts", "scm")),
                Difference.answer("meta",
                        "{\"cont\":false,\"empty\":true,\"hostNum\":0,\"media_usn\":0,\"mod\":0,"
                                + "\"msg\":\"Your client does not support the v2 scheduler\",\"usn\":0}",
                        "{\"cont\":true,\"empty\":true,\"hostNum\":0,\"media_usn\":0,\"mod\":0,\"msg\":\"\",\"usn\":0}"));
        // every version outside 8-11 is "too old" to us; the official server cannot read a negative one
        add("meta with body version -1", s -> s.sync("meta", "alice", "s", "meta",
                        "{\"v\":-1,\"cv\":\"anki,2.1.66 (70506aeb),lin:debian:12\"}", metaWithout("ts", "scm")),
                Difference.status("meta", 400, 501));
        // cv is only informational to us
        add("meta without cv", s -> s.sync("meta", "alice", "s", "meta", "{\"v\":11}", metaWithout("ts", "scm")),
                Difference.status("meta", 400, 200));
        add("meta without v", s -> s.sync("meta", "alice", "s", "meta", "{\"cv\":\"x\"}", metaWithout("ts", "scm")));
        add("meta with a wrong host key", s -> s.postWithHeader("meta", "sync/meta",
                RawSyncClient.v11Header("0123456789abcdef0123456789abcdef01234567", "s"), zstd(META), Visible.JSON));
        add("meta without a host key", s -> s.postWithHeader("meta", "sync/meta", RawSyncClient.v11Header("", "s"),
                zstd(META), Visible.JSON));
        add("meta with the host key of another server", s -> s.postWithHeader("meta", "sync/meta",
                RawSyncClient.v11Header((s == ours ? theirs : ours).key("alice"), "s"), zstd(META), Visible.JSON));
    }

    private static void stepsWithoutASync() {
        Map<String, String> validBodies = new LinkedHashMap<>();
        validBodies.put("applyGraves", NO_GRAVES);
        validBodies.put("applyChanges", NO_CHANGES);
        validBodies.put("chunk", NO_ARGUMENTS);
        validBodies.put("applyChunk", LAST_CHUNK);
        validBodies.put("sanityCheck2", "{\"client\":[[0,0,0],0,0,0,0,0,0,0]}");
        validBodies.put("finish", NO_ARGUMENTS);
        add("steps without start", s -> validBodies.forEach((method, body) ->
                s.sync(method, "alice", "nosync", method, body, Visible.JSON)));
        // the official server reads the body before it looks for the sync; we look for the sync first
        add("a step without start and with a body that does not parse", s ->
                        s.sync("applyGraves", "alice", "nosync", "applyGraves", "{}", Visible.JSON),
                Difference.status("applyGraves", 400, 409));
        add("steps with an empty session key", s -> {
            s.sync("start", "alice", "", "start", "{\"minUsn\":0,\"lnewer\":false,\"graves\":null}", Visible.JSON);
            s.sync("applyGraves", "alice", "", "applyGraves", NO_GRAVES, Visible.JSON);
        });
        add("abort without a sync", s -> s.sync("abort", "alice", "nosync", "abort", NO_ARGUMENTS, Visible.JSON));
        add("abort with the Rust client's placeholder body", s ->
                s.sync("abort", "alice", "nosync", "abort", "{\"_pad\":null}", Visible.JSON));
        // methods without arguments take any body from us
        add("abort with an empty body", s -> s.syncBytes("abort", "alice", "nosync", "abort", new byte[0], Visible.JSON),
                Difference.status("abort", 400, 200));
        add("a step with a wrong host key", s -> s.postWithHeader("start", "sync/start",
                RawSyncClient.v11Header("0123456789abcdef0123456789abcdef01234567", "s"),
                zstd("{\"minUsn\":0,\"lnewer\":false,\"graves\":null}"), Visible.JSON));
    }

    private static void sessions() {
        add("a step with another session key", s -> {
            upload(s, "carol");
            start(s, "carol", "s1");
            s.sync("applyGraves (other key)", "carol", "s2", "applyGraves", NO_GRAVES, Visible.JSON);
            s.sync("applyGraves (its key)", "carol", "s1", "applyGraves", NO_GRAVES, Visible.JSON);
        });
        add("a step after abort", s -> {
            upload(s, "carol");
            start(s, "carol", "s1");
            s.sync("abort", "carol", "s1", "abort", NO_ARGUMENTS, Visible.JSON);
            s.sync("applyGraves", "carol", "s1", "applyGraves", NO_GRAVES, Visible.JSON);
        });
        // another device's abort must not end the sync that is running (Two devices at once)
        add("abort with another session key", s -> {
            upload(s, "carol");
            start(s, "carol", "s1");
            s.sync("abort (other key)", "carol", "cancel", "abort", NO_ARGUMENTS, Visible.JSON);
            s.sync("applyGraves", "carol", "s1", "applyGraves", NO_GRAVES, Visible.JSON);
        }, Difference.status("applyGraves", 409, 200));
        add("meta during an open sync ends it", s -> {
            upload(s, "carol");
            start(s, "carol", "s1");
            s.sync("meta", "carol", "s1", "meta", META, metaWithout("ts"));
            s.sync("applyGraves", "carol", "s1", "applyGraves", NO_GRAVES, Visible.JSON);
        });
        // while a sync is active, another client waits (409) and the first one finishes; the
        // official server lets the newcomer take over at once (Two devices at once)
        add("a second start while the first sync is active", s -> {
            upload(s, "carol");
            start(s, "carol", "s1");
            start(s, "carol", "s2");
            s.sync("applyGraves (first)", "carol", "s1", "applyGraves", NO_GRAVES, Visible.JSON);
            s.sync("applyGraves (second)", "carol", "s2", "applyGraves", NO_GRAVES, Visible.JSON);
        }, Difference.status("start s2", 200, 409), Difference.status("applyGraves (first)", 409, 200),
                Difference.status("applyGraves (second)", 200, 409));
        add("a full upload while a sync is active", s -> {
            upload(s, "carol");
            start(s, "carol", "s1");
            s.syncBytes("upload (other client)", "carol", "up2", "upload", collection.file(), Visible.TEXT);
            s.sync("applyGraves", "carol", "s1", "applyGraves", NO_GRAVES, Visible.JSON);
        }, Difference.status("upload (other client)", 200, 409), Difference.status("applyGraves", 409, 200));
        add("a full download while a sync is active", s -> {
            upload(s, "carol");
            start(s, "carol", "s1");
            s.sync("download", "carol", "dl", "download", NO_ARGUMENTS, Visible.COLLECTION);
            s.sync("applyGraves", "carol", "s1", "applyGraves", NO_GRAVES, Visible.JSON);
        }, Difference.status("download", 200, 409), Difference.status("applyGraves", 409, 200));
        add("finish without sanityCheck2", s -> {
            upload(s, "carol");
            start(s, "carol", "s1");
            s.sync("applyChanges", "carol", "s1", "applyChanges", NO_CHANGES, CHANGES);
            s.sync("chunk", "carol", "s1", "chunk", NO_ARGUMENTS, CHUNK);
            s.sync("applyChunk", "carol", "s1", "applyChunk", LAST_CHUNK, Visible.JSON);
            s.sync("finish", "carol", "s1", "finish", NO_ARGUMENTS, Visible.NOW_MILLIS);
            s.sync("meta", "carol", "s1", "meta", META, metaWithout("ts", "mod"));
        });
        // a failed check ends our sync; the official server keeps it until abort, and its finish fails
        add("finish after a failed sanity check", s -> {
            upload(s, "carol");
            start(s, "carol", "s1");
            s.sync("applyChanges", "carol", "s1", "applyChanges", NO_CHANGES, CHANGES);
            s.sync("chunk", "carol", "s1", "chunk", NO_ARGUMENTS, CHUNK);
            s.sync("applyChunk", "carol", "s1", "applyChunk", LAST_CHUNK, Visible.JSON);
            s.sync("sanityCheck2", "carol", "s1", "sanityCheck2", "{\"client\":[[0,0,0],9,9,9,0,9,9,9]}", Visible.JSON);
            s.sync("finish", "carol", "s1", "finish", NO_ARGUMENTS, Visible.NOW_MILLIS);
            s.sync("abort", "carol", "s1", "abort", NO_ARGUMENTS, Visible.JSON);
        }, Difference.status("finish", 400, 409));
        // methods without arguments take any body from us
        add("chunk with a body of keys no client sends", s -> {
            upload(s, "carol");
            start(s, "carol", "s1");
            s.sync("chunk", "carol", "s1", "chunk", "{\"x\":1}", CHUNK);
        }, Difference.status("chunk", 400, 200));
        // every 400 ends our sync; the official server ends it only when applying fails, not reading
        add("a step whose body does not parse, then the next step", s -> {
            upload(s, "carol");
            start(s, "carol", "s1");
            s.sync("applyGraves (bad)", "carol", "s1", "applyGraves", "{\"chunk\":5}", Visible.JSON);
            s.sync("applyGraves", "carol", "s1", "applyGraves", NO_GRAVES, Visible.JSON);
        }, Difference.status("applyGraves", 200, 409));
        // we check what rows refer to when we merge them, at sanityCheck2; the official server, as it applies each
        add("a step that cannot be applied, then the next step", s -> {
            upload(s, "carol");
            start(s, "carol", "s1");
            s.sync("applyChanges", "carol", "s1", "applyChanges", NO_CHANGES, CHANGES);
            s.sync("chunk", "carol", "s1", "chunk", NO_ARGUMENTS, CHUNK);
            // a note of a note type neither side has
            s.sync("applyChunk (unknown note type)", "carol", "s1", "applyChunk", "{\"chunk\":{\"done\":true,\"notes\":["
                    + note(collection.note() + 7, 42, collection.usn()) + "]}}", Visible.JSON);
            s.sync("sanityCheck2", "carol", "s1", "sanityCheck2", sanity(1, 1), Visible.JSON);
        }, Difference.status("applyChunk (unknown note type)", 400, 200), Difference.status("sanityCheck2", 409, 400));
    }

    private static void normalSync() {
        add("normal sync, two devices", s -> {
            long newNote = collection.note() + 1000;
            long newCard = collection.card() + 1000;
            int usn = collection.usn();
            upload(s, "bob");
            s.sync("meta", "bob", "a", "meta", META, metaWithout("ts"));
            // device A adds a note and deletes a card nobody has
            s.sync("start", "bob", "a", "start", "{\"minUsn\":" + usn + ",\"lnewer\":false,\"graves\":null}", Visible.JSON);
            s.sync("applyGraves", "bob", "a", "applyGraves",
                    "{\"chunk\":{\"cards\":[" + (newCard + 5) + "],\"notes\":[],\"decks\":[]}}", Visible.JSON);
            s.sync("applyChanges", "bob", "a", "applyChanges",
                    "{\"changes\":{\"models\":[],\"decks\":[[],[]],\"tags\":[\"fromclient\"]}}", CHANGES);
            s.sync("chunk", "bob", "a", "chunk", NO_ARGUMENTS, CHUNK);
            s.sync("applyChunk", "bob", "a", "applyChunk", "{\"chunk\":{\"done\":true,\"notes\":["
                    + note(newNote, collection.basic(), usn) + "],\"cards\":[" + card(newCard, newNote, usn) + "]}}", Visible.JSON);
            s.sync("sanityCheck2", "bob", "a", "sanityCheck2", sanity(2, 2), Visible.JSON);
            long finished = finish(s, "bob", "a");
            s.sync("meta after finish", "bob", "a", "meta", META, metaAfterFinish(finished));
            // device B, still at the uploaded state, deletes the first note and gets A's
            s.sync("B: start", "bob", "b", "start", "{\"minUsn\":" + usn + ",\"lnewer\":false,\"graves\":null}", Visible.JSON);
            s.sync("B: applyGraves", "bob", "b", "applyGraves", "{\"chunk\":{\"cards\":[" + collection.card()
                    + "],\"notes\":[" + collection.note() + "],\"decks\":[]}}", Visible.JSON);
            s.sync("B: applyChanges", "bob", "b", "applyChanges", NO_CHANGES, CHANGES);
            s.sync("B: chunk", "bob", "b", "chunk", NO_ARGUMENTS, CHUNK);
            s.sync("B: applyChunk", "bob", "b", "applyChunk", LAST_CHUNK, Visible.JSON);
            s.sync("B: sanityCheck2", "bob", "b", "sanityCheck2", sanity(1, 1), Visible.JSON);
            long again = finish(s, "bob", "b");
            s.sync("B: meta after finish", "bob", "b", "meta", META, metaAfterFinish(again));
            // device A comes back for B's deletions
            s.sync("A: start", "bob", "a2", "start", "{\"minUsn\":" + (usn + 1) + ",\"lnewer\":false,\"graves\":null}", Visible.JSON);
            s.sync("A: abort", "bob", "a2", "abort", NO_ARGUMENTS, Visible.JSON);
        });
    }

    private static void absurdNumbers() {
        for (String minUsn : new String[] {"-5", "2147483647", "2147483648", "-2147483649", "1e3", "\"1\"", "null"}) {
            add("start with minUsn " + minUsn, s -> {
                upload(s, "grace");
                s.sync("start", "grace", "s1", "start", "{\"minUsn\":" + minUsn + ",\"lnewer\":false,\"graves\":null}", Visible.JSON);
            });
        }
        add("start with lnewer as a number", s -> {
            upload(s, "grace");
            s.sync("start", "grace", "s1", "start", "{\"minUsn\":1,\"lnewer\":1,\"graves\":null}", Visible.JSON);
        });
        add("start with a legacy client's graves as strings", s -> {
            upload(s, "grace");
            s.sync("start", "grace", "s1", "start", "{\"minUsn\":1,\"lnewer\":false,\"graves\":{\"cards\":[\"123\"],"
                    + "\"notes\":[],\"decks\":[]}}", Visible.JSON);
            s.sync("chunk", "grace", "s1", "chunk", NO_ARGUMENTS, CHUNK);
        });
        add("applyGraves with 10 000 ids", s -> {
            upload(s, "grace");
            start(s, "grace", "s1");
            String ids = ids(10_000).mapToObj(Long::toString).collect(Collectors.joining(","));
            s.sync("applyGraves", "grace", "s1", "applyGraves", "{\"chunk\":{\"cards\":[" + ids + "],\"notes\":[],\"decks\":[]}}",
                    Visible.JSON);
            s.sync("applyChanges", "grace", "s1", "applyChanges", NO_CHANGES, CHANGES);
        });
        // we read ids as clients have written them, fractions and strings too (MessageFields.lenientLong)
        for (String id : new String[] {"-1", "9223372036854775807", "9223372036854775808", "1.5", "\"7\""}) {
            add("applyGraves with id " + id, s -> {
                upload(s, "grace");
                start(s, "grace", "s1");
                s.sync("applyGraves", "grace", "s1", "applyGraves", "{\"chunk\":{\"cards\":[" + id + "],\"notes\":[],\"decks\":[]}}",
                        Visible.JSON);
            }, id.equals("1.5") || id.startsWith("\"") ? new Difference[] {Difference.status("applyGraves", 400, 200)}
                    : new Difference[0]);
        }
        add("applyChunk with numbers out of range", s -> {
            upload(s, "grace");
            chunkDone(s, "grace");
            String card = "[" + (collection.card() + 2000) + "," + collection.note() + ",1,0," + ROW_MOD + "," + collection.usn()
                    + ",0,1000,-5,-5,0,0,0,0,0,0,0,\"\"]";
            s.sync("applyChunk", "grace", "s1", "applyChunk", "{\"chunk\":{\"done\":true,\"cards\":[" + card + "]}}", Visible.JSON);
        });
        add("applyChunk with 3 000 review log rows", s -> {
            upload(s, "grace");
            chunkDone(s, "grace");
            long base = System.currentTimeMillis() - 86_400_000L;
            String rows = ids(3000).mapToObj(i -> "[" + (base + i) + "," + collection.card() + "," + collection.usn()
                    + ",3,1,0,2500,6000,1]").collect(Collectors.joining(","));
            s.sync("applyChunk", "grace", "s1", "applyChunk", "{\"chunk\":{\"done\":true,\"revlog\":[" + rows + "]}}", Visible.JSON);
            s.sync("sanityCheck2", "grace", "s1", "sanityCheck2",
                    "{\"client\":[[0,0,0],1,1,3000,0," + collection.notetypes() + "," + collection.decks() + ","
                            + collection.deckConfigs() + "]}", Visible.JSON);
            s.sync("abort", "grace", "s1", "abort", NO_ARGUMENTS, Visible.JSON);
        });
        // we compare counts as numbers, so a negative one is a failed check, not an unreadable body
        add("sanityCheck2 with negative counts", s -> {
            upload(s, "grace");
            chunkDone(s, "grace");
            s.sync("sanityCheck2", "grace", "s1", "sanityCheck2", "{\"client\":[[0,0,0],-1,1,0,0,1,1,1]}", Visible.JSON);
        }, Difference.status("sanityCheck2", 400, 200));
        add("sanityCheck2 with too few counts", s -> {
            upload(s, "grace");
            chunkDone(s, "grace");
            s.sync("sanityCheck2", "grace", "s1", "sanityCheck2", "{\"client\":[[0,0,0],1,1]}", Visible.JSON);
        });
        add("sanityCheck2 as a legacy client that failed its own check", s -> {
            upload(s, "grace");
            chunkDone(s, "grace");
            s.sync("sanityCheck2", "grace", "s1", "sanityCheck2", "{\"client\":\"missing notes\"}", Visible.JSON);
        });
        add("mediaChanges after usn 2147483648", s -> s.media("mediaChanges", "grace", "mediaChanges",
                "{\"lastUsn\":2147483648}", Visible.JSON));
        // no usn is below 0, and a client's count starts at 0
        add("mediaChanges after usn -1", s -> s.media("mediaChanges", "grace", "mediaChanges", "{\"lastUsn\":-1}", Visible.JSON),
                Difference.status("mediaChanges", 200, 400));
        // numbers in strings are taken, as from older clients elsewhere
        add("mediaChanges after usn \"0\"", s -> s.media("mediaChanges", "grace", "mediaChanges", "{\"lastUsn\":\"0\"}",
                Visible.JSON), Difference.status("mediaChanges", 400, 200));
        add("mediaSanity with local -1", s -> s.media("mediaSanity", "grace", "mediaSanity", "{\"local\":-1}", Visible.JSON));
        // a count past 32 bits can only disagree with ours
        add("mediaSanity with local 4294967296", s -> s.media("mediaSanity", "grace", "mediaSanity",
                "{\"local\":4294967296}", Visible.JSON), Difference.status("mediaSanity", 400, 200));
        add("downloadFiles of 26 names", s -> s.media("downloadFiles", "grace", "downloadFiles", "{\"files\":["
                + IntStream.range(0, 26).mapToObj(i -> "\"f" + i + "\"").collect(Collectors.joining(",")) + "]}", Visible.ZIP));
        add("downloadFiles of no names", s -> s.media("downloadFiles", "grace", "downloadFiles", "{\"files\":[]}", Visible.ZIP));
    }

    private static void fullSync() {
        add("full download of an account that never synced", s -> {
            s.sync("download", "heidi", "dl", "download", NO_ARGUMENTS, Visible.COLLECTION);
            s.sync("meta", "heidi", "m", "meta", META, META_TIMES_ABOUT_NOW);
        });
        add("start on an account that never synced", s ->
                        s.sync("start", "judy", "s1", "start", "{\"minUsn\":0,\"lnewer\":false,\"graves\":null}", Visible.JSON),
                Difference.status("start", 200, 400));
        add("full upload of bytes that are not SQLite", s ->
                s.syncBytes("upload", "ivan", "up", "upload", "not a collection".getBytes(StandardCharsets.UTF_8), Visible.TEXT));
        add("full upload of an SQLite file without a collection", s ->
                s.syncBytes("upload", "ivan", "up", "upload", sqliteWithoutCollection(), Visible.TEXT));
        add("full upload past the unpacked limit", s ->
                s.syncBytes("upload", "ivan", "up", "upload", new byte[3 * (int) MAX_BODY + 1], Visible.TEXT));
        // we bound the body as sent too; the official server reads it, and finds no collection in it
        add("full upload larger than the limit as sent", s ->
                s.syncBytes("upload", "ivan", "up", "upload", noise(3 * (int) MAX_BODY / 2).getBytes(StandardCharsets.UTF_8),
                        Visible.TEXT), Difference.answer("upload",
                "Your upload was corrupt. Please use Check Database, or restore from backup.", "collection exceeds size limit"));
        add("full upload with a wrong host key", s -> s.postWithHeader("upload", "sync/upload",
                RawSyncClient.v11Header("0123456789abcdef0123456789abcdef01234567", "s"), zstd(collection.file()), Visible.TEXT));
    }

    private static void media() {
        byte[] a = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] b = noise(5000).getBytes(StandardCharsets.UTF_8);
        add("the media flow", s -> {
            s.media("begin", "dave", "begin", "{\"v\":\"anki,26.09.3 (differential),lin:test\"}", begin("dave"));
            s.mediaUpload("uploadChanges", "dave", new MediaZip().stored("0", a).stored("1", b)
                    .meta("[[\"a.txt\",\"0\"],[\"b é.jpg\",\"1\"],[\"never.png\",null]]").bytes(), Visible.JSON);
            s.media("mediaChanges", "dave", "mediaChanges", "{\"lastUsn\":0}", Visible.JSON);
            s.media("downloadFiles", "dave", "downloadFiles", "{\"files\":[\"b é.jpg\",\"a.txt\"]}", Visible.ZIP);
            // a.txt deleted, b é.jpg sent again as it is
            s.mediaUpload("uploadChanges again", "dave", new MediaZip().stored("1", b)
                    .meta("[[\"a.txt\",null],[\"b é.jpg\",\"1\"]]").bytes(), Visible.JSON);
            s.media("mediaChanges again", "dave", "mediaChanges", "{\"lastUsn\":2}", Visible.JSON);
            s.media("downloadFiles of a deleted file", "dave", "downloadFiles", "{\"files\":[\"a.txt\"]}", Visible.ZIP);
            s.media("downloadFiles of a file never had", "dave", "downloadFiles", "{\"files\":[\"c.txt\"]}", Visible.ZIP);
            s.media("mediaSanity (right)", "dave", "mediaSanity", "{\"local\":1}", Visible.JSON);
            s.media("mediaSanity (wrong)", "dave", "mediaSanity", "{\"local\":2}", Visible.JSON);
            s.media("begin again", "dave", "begin", "{\"v\":\"anki,26.09.3 (differential),lin:test\"}", begin("dave"));
            s.sync("meta", "dave", "m", "meta", META, Visible.json((json, side) -> json.get("media_usn")));
        });
        add("begin without a client version", s -> s.media("begin", "alice", "begin", "{\"v\":\"\"}", begin("alice")));
        add("begin with a wrong host key", s -> s.postWithHeader("begin", "msync/begin",
                RawSyncClient.v11Header("0123456789abcdef0123456789abcdef01234567", "m"), zstd("{\"v\":\"x\"}"), Visible.JSON));
    }

    private static void hostileMedia() {
        byte[] a = "hello".getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> refused = new LinkedHashMap<>();
        refused.put("a zip bomb", new MediaZip().deflatedZeros("0", (100L << 20) + 1).meta("[[\"bomb.bin\",\"0\"]]").bytes());
        refused.put("_meta names an entry the zip lacks", new MediaZip().stored("0", a)
                .meta("[[\"a.txt\",\"0\"],[\"b.txt\",\"7\"]]").bytes());
        refused.put("no _meta", new MediaZip().stored("0", a).bytes());
        refused.put("_meta that is not JSON", new MediaZip().stored("0", a).meta("not json").bytes());
        refused.put("_meta that is an object", new MediaZip().stored("0", a).meta("{\"0\":\"a.txt\"}").bytes());
        refused.put("_meta of 26 deletions", new MediaZip().meta("[" + IntStream.range(0, 26)
                .mapToObj(i -> "[\"d" + i + ".txt\",null]").collect(Collectors.joining(",")) + "]").bytes());
        refused.put("_meta larger than 50 KiB", new MediaZip().stored("0", a)
                .meta("[[\"a.txt\",\"0\"]" + " ".repeat(60 * 1024) + "]").bytes());
        refused.put("a name with a path", new MediaZip().stored("0", a).meta("[[\"../../etc/passwd\",\"0\"]]").bytes());
        refused.put("a name that is not NFC", new MediaZip().stored("0", a).meta("[[\"e\\u0301.txt\",\"0\"]]").bytes());
        refused.put("a name of 256 bytes", new MediaZip().stored("0", a).meta("[[\"" + "x".repeat(256) + "\",\"0\"]]").bytes());
        refused.put("an empty file", new MediaZip().stored("0", new byte[0]).meta("[[\"empty.txt\",\"0\"]]").bytes());
        refused.put("bytes that are not a zip", "not a zip".getBytes(StandardCharsets.UTF_8));
        refused.forEach((what, zip) -> add("media upload: " + what, s -> {
            s.mediaUpload("uploadChanges", "erin", zip, Visible.JSON);
            s.media("mediaChanges", "erin", "mediaChanges", "{\"lastUsn\":0}", Visible.JSON);
        }));

        // refused by us: what the official server takes (200), or fails on (500) while it writes the file
        strictUpload("an entry _meta does not name", 200, new MediaZip().stored("0", a).stored("1", a)
                .meta("[[\"a.txt\",\"0\"]]").bytes());
        strictUpload("one name twice", 200, new MediaZip().stored("0", a).stored("1", a)
                .meta("[[\"a.txt\",\"0\"],[\"a.txt\",\"1\"]]").bytes());
        strictUpload("one entry for two names", 200, new MediaZip().stored("0", a)
                .meta("[[\"a.txt\",\"0\"],[\"b.txt\",\"0\"]]").bytes());
        strictUpload("a name with a backslash", 200, new MediaZip().stored("0", a).meta("[[\"a\\\\b.txt\",\"0\"]]").bytes());
        strictUpload("a name with a line break", 200, new MediaZip().stored("0", a).meta("[[\"a\\nb.txt\",\"0\"]]").bytes());
        strictUpload("a name with NUL", 500, new MediaZip().stored("0", a).meta("[[\"a\\u0000b.txt\",\"0\"]]").bytes());
        strictUpload("the name ..", 500, new MediaZip().stored("0", a).meta("[[\"..\",\"0\"]]").bytes());
        strictUpload("the name .", 500, new MediaZip().stored("0", a).meta("[[\".\",\"0\"]]").bytes());
        strictUpload("an empty name", 500, new MediaZip().stored("0", a).meta("[[\"\",\"0\"]]").bytes());
        // the official server holds media uploads to 3 x MAX_SYNC_PAYLOAD_MEGS unpacked; we, to the media limits
        add("media upload: a file of 4 MiB", s -> s.mediaUpload("uploadChanges", "frank", new MediaZip()
                        .stored("0", noise(4 << 20).getBytes(StandardCharsets.UTF_8)).meta("[[\"big.bin\",\"0\"]]").bytes(), Visible.JSON),
                Difference.status("uploadChanges", 400, 200));
    }

    private static void strictUpload(String what, int official, byte[] zip) {
        add("media upload: " + what, s -> s.mediaUpload("uploadChanges", "frank", zip, Visible.JSON),
                Difference.status("uploadChanges", official, 400));
    }

    // ---------------------------------------------------------------- steps and answers cases share

    /** {@code hostKey}'s answer: the key itself differs (the official server's is a hash of user and password). */
    static final Visible HOST_KEY = Visible.json((json, side) -> {
        if (json instanceof ObjectNode o && o.path("key").isString() && !o.path("key").asString().isBlank()) {
            o.put("key", "<a host key>");
        }
        return json;
    });

    /** {@code begin}'s answer, with the host key it hands back as {@code sk} (that of {@code user}) named as such. */
    static Visible begin(String user) {
        return Visible.json((json, side) -> {
            if (json.path("data") instanceof ObjectNode data && data.path("sk").asString("").equals(side.key(user))) {
                data.put("sk", "<the host key>");
            }
            return json;
        });
    }

    /**
     * A {@code meta} answer sent as it is, not zstd (header version 10), without its time. (Only
     * the official server leaves out {@code anki-original-size} then; clients that ask for such
     * answers do not read it.)
     */
    static final Visible UNCOMPRESSED_META = (answer, side) ->
            Canonical.json(withoutFields(SyncJson.mapper().readTree(answer.body()), "ts", "scm"));

    /**
     * {@code applyChanges}' answer. Once it has worked out a day's start, the official server has
     * stored {@code rollover} 4 in a config that had none; clients read a missing rollover as 4,
     * so that one is left out.
     */
    static final Visible CHANGES = Visible.json((json, side) -> {
        if (json.path("conf") instanceof ObjectNode conf && conf.path("rollover").isIntegralNumber()
                && conf.path("rollover").asInt() == 4) {
            conf.remove("rollover");
        }
        return json;
    });

    /**
     * {@code chunk}'s answer. The official server turns a card's empty {@code data} into
     * {@code {}}; clients read both as no data, so {@code {}} is shown as empty.
     */
    static final Visible CHUNK = Visible.json((json, side) -> {
        for (JsonNode card : json.path("cards")) {
            if (card instanceof ArrayNode row && row.size() == 18 && "{}".equals(row.get(17).asString(""))) {
                row.set(17, "");
            }
        }
        return json;
    });

    /** {@code meta} without its time, and {@code scm} shown as {@code "≈now"} if it is. */
    static final Visible META_SCM_ABOUT_NOW = Visible.json((json, side) -> markNow(withoutFields(json, "ts"), "scm"));

    /** {@code meta} without its time, and {@code scm} and {@code mod} shown as {@code "≈now"} if they are. */
    static final Visible META_TIMES_ABOUT_NOW = Visible.json((json, side) ->
            markNow(markNow(withoutFields(json, "ts"), "scm"), "mod"));

    /** The millisecond time {@code field} replaced by {@code "≈now"} if it is within a minute of now. */
    static JsonNode markNow(JsonNode json, String field) {
        if (json instanceof ObjectNode o && o.has(field) && Visible.aboutNow(o.get(field), 1000).equals("≈now")) {
            o.put(field, "≈now");
        }
        return json;
    }

    static Visible metaWithout(String... fields) {
        return Visible.json((json, side) -> withoutFields(json, fields));
    }

    /** {@code meta} after {@code finish}: its {@code mod} must be what {@code finish} answered. */
    static Visible metaAfterFinish(long finished) {
        return Visible.json((json, side) -> {
            ObjectNode o = (ObjectNode) withoutFields(json, "ts");
            if (o.path("mod").asLong() == finished) {
                o.put("mod", "<finish's answer>");
            }
            return o;
        });
    }

    static JsonNode withoutFields(JsonNode json, String... fields) {
        if (json instanceof ObjectNode o) {
            for (String f : fields) {
                o.remove(f);
            }
        }
        return json;
    }

    static void upload(Side s, String user) {
        s.syncBytes("upload", user, "up", "upload", collection.file(), Visible.TEXT);
    }

    static void start(Side s, String user, String sessionKey) {
        s.sync("start " + sessionKey, user, sessionKey, "start",
                "{\"minUsn\":" + collection.usn() + ",\"lnewer\":false,\"graves\":null}", Visible.JSON);
    }

    /** A sync with session key s1 up to the client's chunks: start, applyChanges, chunk. */
    static void chunkDone(Side s, String user) {
        start(s, user, "s1");
        s.sync("applyChanges", user, "s1", "applyChanges", NO_CHANGES, CHANGES);
        s.sync("chunk", user, "s1", "chunk", NO_ARGUMENTS, CHUNK);
    }

    static long finish(Side s, String user, String sessionKey) {
        RawSyncClient.Response r = s.sync("finish " + sessionKey, user, sessionKey, "finish", NO_ARGUMENTS, Visible.NOW_MILLIS);
        try {
            return Long.parseLong(r.payload());
        } catch (RuntimeException | AssertionError e) {
            return -1;
        }
    }

    static String sanity(int cards, int notes) {
        return "{\"client\":[[0,0,0]," + cards + "," + notes + ",0,0," + collection.notetypes() + "," + collection.decks()
                + "," + collection.deckConfigs() + "]}";
    }

    /** A note row as clients send it: sort field and checksum empty (the receiver works them out). */
    static String note(long id, long notetype, int usn) {
        return "[" + id + ",\"dh" + id + "\"," + notetype + "," + ROW_MOD + "," + usn + ",\" added \",\"salut\\u001fhi\",\"\",\"\",0,\"\"]";
    }

    /** A new card of that note in the Default deck. */
    static String card(long id, long note, int usn) {
        return "[" + id + "," + note + ",1,0," + ROW_MOD + "," + usn + ",0,0,2,0,0,0,0,0,0,0,0,\"\"]";
    }

    /** {@code count} ids no row has. */
    static LongStream ids(int count) {
        return LongStream.rangeClosed(1, count).map(i -> 1_000_000_000_000L + i);
    }

    static byte[] zstd(String json) {
        return zstd(json.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] zstd(byte[] payload) {
        return ZstdFraming.compress(payload);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Text that does not compress: Base64 of random bytes, {@code length} characters. */
    static String noise(int length) {
        byte[] random = new byte[length];
        new Random(length).nextBytes(random);
        return Base64.getEncoder().withoutPadding().encodeToString(random).substring(0, length);
    }

    static final String BOUNDARY = "deckhandBoundary";

    /** A legacy client's form: these fields, and {@code data} as a file. */
    static byte[] multipart(Map<String, String> fields, String data) {
        StringBuilder form = new StringBuilder();
        fields.forEach((k, v) -> form.append("--").append(BOUNDARY).append("\r\nContent-Disposition: form-data; name=\"")
                .append(k).append("\"\r\n\r\n").append(v).append("\r\n"));
        form.append("--").append(BOUNDARY).append("\r\nContent-Disposition: form-data; name=\"data\"; filename=\"data\"\r\n")
                .append("Content-Type: application/octet-stream\r\n\r\n").append(data).append("\r\n--").append(BOUNDARY).append("--\r\n");
        return form.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** An SQLite database with a table, but no {@code col}. */
    static byte[] sqliteWithoutCollection() throws IOException, SQLException {
        Path file = OfficialSyncServer.DIR.resolve("client").resolve("no-col.sqlite");
        Files.deleteIfExists(file);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            c.createStatement().execute("create table notes (id integer primary key)");
        }
        return Files.readAllBytes(file);
    }

    // ---------------------------------------------------------------- the report

    static synchronized void report(Case c, List<Step> official, List<Step> deckhand) {
        for (int i = 0; i < Math.max(official.size(), deckhand.size()); i++) {
            Step o = i < official.size() ? official.get(i) : null;
            Step d = i < deckhand.size() ? deckhand.get(i) : null;
            String step = o != null ? o.name() : d.name();
            boolean listed = c.differenceAt(step) != null;
            String verdict = listed ? "differs on purpose"
                    : o != null && d != null && reaction(o.status()).equals(reaction(d.status()))
                    && (o.status() / 100 != 2 || o.visible().equals(d.visible())) ? "alike" : "DIFFERENT";
            REPORT.add("| " + c.name() + " | " + step + " | " + (o == null ? "-" : o.status()) + " | "
                    + (d == null ? "-" : d.status()) + " | " + verdict + " |"
                    + (verdict.equals("DIFFERENT") ? " official: `" + (o == null ? "" : o.visible()) + "` Deckhand: `"
                    + (d == null ? "" : d.visible()) + "`" : ""));
        }
    }

    static void writeReport() throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "# Deckhand and the official sync server (Anki " + PythonAnki.VERSION + "), side by side",
                "", "| case | step | official | Deckhand | |", "|---|---|---|---|---|"));
        lines.addAll(REPORT);
        Files.createDirectories(OfficialSyncServer.DIR);
        Files.write(OfficialSyncServer.DIR.resolve("differential.md"), lines, StandardCharsets.UTF_8);
    }
}
