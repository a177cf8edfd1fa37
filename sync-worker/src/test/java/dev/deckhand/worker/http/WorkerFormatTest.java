package dev.deckhand.worker.http;

import com.sun.net.httpserver.HttpServer;
import dev.deckhand.protocol.SyncErrorKind;
import dev.deckhand.protocol.SyncMethod;
import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.protocol.message.MetaRequest;
import dev.deckhand.testsupport.RawSyncClient;
import dev.deckhand.worker.SyncWorker;
import dev.deckhand.worker.TestWorker;
import dev.deckhand.worker.WorkContext;
import dev.deckhand.worker.normalsync.ChunkTable;
import dev.deckhand.worker.normalsync.SyncState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The worker API's format version, both ways: the worker refuses calls of another version (or
 * none) with 400 and a {@code SERVER_ERROR}, and a gateway's {@link RemoteSyncWorker} takes
 * answers of another version as a server error, never as what they might say.
 */
class WorkerFormatTest {

    static final String META_V1 = "{\"v\":1,\"userId\":%d,\"request\":{\"protocolVersion\":11,\"clientVersion\":\"x\"}}";

    HttpServer fake;

    @AfterEach
    void stopFake() {
        if (fake != null) {
            fake.stop(0);
            fake = null;
        }
    }

    // ---- the worker reading calls -----------------------------------------------------------

    @Test
    void aCallOfThisVersionIsAnsweredInThisVersion() {
        long user = TestWorker.newUser("format");
        RawSyncClient.Response r = post("internal/worker/meta", json(), META_V1.formatted(user));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.text()).matches("\\{\"v\":1,\"result\":\\{\"mod\":0,\"scm\":0,\"usn\":0,\"ts\":[0-9]+,\"msg\":\"\","
                + "\"cont\":true,\"hostNum\":0,\"empty\":true,\"mediaUsn\":0}}");
    }

    @Test
    void aJsonCallOfAnotherVersionOrShapeIs400WithAServerErrorSayingWhy() {
        long user = TestWorker.newUser("format");
        String v1 = META_V1.formatted(user);
        Map<String, String> refused = new HashMap<>();
        refused.put(v1.replace("\"v\":1", "\"v\":2"), "format version 2 is not supported; expected version 1");
        refused.put(v1.replace("{\"v\":1,", "{"), "no format version");
        // the format before versions: the Anki message as it was
        refused.put("{\"userId\":" + user + ",\"request\":{\"v\":11,\"cv\":\"x\"}}", "no format version");
        refused.put(v1.replace("\"userId\":", "\"tenant\":1,\"userId\":"), "tenant");
        refused.put(v1.replace(",\"clientVersion\":\"x\"", ""), "clientVersion");
        refused.put(v1.replace("\"clientVersion\":\"x\"", "\"clientVersion\":null"), "clientVersion");
        refused.put("", "empty document");
        refused.forEach((body, why) -> {
            RawSyncClient.Response r = post("internal/worker/meta", json(), body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.text()).as(body).startsWith("{\"v\":1,\"kind\":\"SERVER_ERROR\",\"message\":\"unreadable worker call: ")
                    .contains(why);
        });

        String step = "{\"v\":1,\"userId\":" + user + ",\"request\":{\"method\":\"finish\",\"state\":"
                + "{\"epoch\":1,\"serverUsn\":5,\"minUsn\":5,\"lnewer\":true,\"chunkTable\":%s,\"chunkAfterId\":0},\"request\":\"{}\"}}";
        // the numeric chunk table of old, and a name this release does not know
        for (String table : List.of("3", "\"MEDIA\"")) {
            RawSyncClient.Response r = post("internal/worker/normal-sync", json(), step.formatted(table));
            assertThat(r.status()).as(table).isEqualTo(400);
            assertThat(r.text()).as(table).contains("SERVER_ERROR", "unreadable worker call", "ChunkTable");
        }
    }

    @Test
    void aStreamedCallOfAnotherVersionOrNoneIs400() {
        long user = TestWorker.newUser("format");
        for (String path : List.of("internal/worker/upload", "internal/worker/download")) {
            Map<String, String> headers = new HashMap<>(Map.of(WorkerPaths.TOKEN_HEADER, TestWorker.TOKEN,
                    WorkerPaths.USER_HEADER, Long.toString(user)));
            RawSyncClient.Response none = client().post(path, headers, new byte[0]);
            assertThat(none.status()).as(path).isEqualTo(400);
            assertThat(none.text()).contains("SERVER_ERROR", "no format version (header x-deckhand-worker-version)");

            headers.put(WorkerPaths.VERSION_HEADER, "2");
            RawSyncClient.Response other = client().post(path, headers, new byte[0]);
            assertThat(other.status()).as(path).isEqualTo(400);
            assertThat(other.text()).contains("format version 2 is not supported; expected version 1");

            headers.put(WorkerPaths.VERSION_HEADER, "1");
            headers.remove(WorkerPaths.USER_HEADER);
            RawSyncClient.Response noUser = client().post(path, headers, new byte[0]);
            assertThat(noUser.status()).as(path).isEqualTo(400);
            assertThat(noUser.text()).contains("SERVER_ERROR", WorkerPaths.USER_HEADER);
        }
        // and the token is checked before anything else, as ever
        assertThat(client().post("internal/worker/meta", Map.of("content-type", "application/json"),
                META_V1.formatted(user).replace("\"v\":1", "\"v\":2").getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(401);
    }

    // ---- a gateway reading answers ----------------------------------------------------------

    @Test
    void anAnswerOfAnotherVersionIsAServerErrorForTheClient() {
        WorkContext who = new WorkContext(7);
        SyncState state = new SyncState(3, 5, 5, true, ChunkTable.NOTES, 99);
        AtomicReference<String> call = new AtomicReference<>();
        SyncWorker gateway = fakeWorker(200, Map.of(), "{\"v\":2,\"result\":{\"anything\":1}}", call);

        SyncProtocolException meta = refusal(gateway.meta(who, new MetaRequest(11, "x")));
        assertThat(meta.kind()).isEqualTo(SyncErrorKind.SERVER_ERROR);
        assertThat(meta.getMessage()).isEqualTo("unreadable answer from the sync worker: format version 2 is not supported; expected version 1");
        assertThat(call.get()).isEqualTo("{\"v\":1,\"userId\":7,\"request\":{\"protocolVersion\":11,\"clientVersion\":\"x\"}}");

        assertThat(refusal(gateway.normalSync(SyncMethod.CHUNK, who, state, "{}")).kind()).isEqualTo(SyncErrorKind.SERVER_ERROR);
        assertThat(call.get()).isEqualTo("{\"v\":1,\"userId\":7,\"request\":{\"method\":\"chunk\",\"state\":"
                + "{\"epoch\":3,\"serverUsn\":5,\"minUsn\":5,\"lnewer\":true,\"chunkTable\":\"NOTES\",\"chunkAfterId\":99},\"request\":\"{}\"}}");
    }

    @Test
    void anAnswerOfThisVersionWithAnUnknownFieldIsAServerErrorToo() {
        SyncWorker gateway = fakeWorker(200, Map.of(),
                "{\"v\":1,\"result\":{\"answer\":\"null\",\"state\":null,\"hint\":\"from the future\"}}", new AtomicReference<>());
        SyncProtocolException e = refusal(gateway.normalSync(SyncMethod.ABORT, new WorkContext(7), null, "{}"));
        assertThat(e.kind()).isEqualTo(SyncErrorKind.SERVER_ERROR);
        assertThat(e.getMessage()).contains("hint");
    }

    @Test
    void anErrorOfAnotherVersionIsAServerErrorNotWhatItSays() {
        // what a worker of another release might answer: not a conflict for the client, nor a bad request
        for (String kind : List.of("CONFLICT", "BAD_REQUEST")) {
            SyncWorker gateway = fakeWorker(409, Map.of(), "{\"v\":2,\"kind\":\"" + kind + "\",\"message\":\"x\"}", new AtomicReference<>());
            SyncProtocolException e = refusal(gateway.normalSync(SyncMethod.FINISH, new WorkContext(7), null, "{}"));
            assertThat(e.kind()).as(kind).isEqualTo(SyncErrorKind.SERVER_ERROR);
            assertThat(e.getMessage()).isEqualTo("sync worker answered HTTP 409");
            stopFake();
        }
        // the same error in this version is what it says
        SyncWorker gateway = fakeWorker(409, Map.of(), "{\"v\":1,\"kind\":\"CONFLICT\",\"message\":\"x\"}", new AtomicReference<>());
        SyncProtocolException e = refusal(gateway.normalSync(SyncMethod.FINISH, new WorkContext(7), null, "{}"));
        assertThat(e.kind()).isEqualTo(SyncErrorKind.CONFLICT);
        assertThat(e.getMessage()).isEqualTo("x");
    }

    @Test
    void aStreamedAnswerOfAnotherVersionIsAServerError() {
        WorkContext who = new WorkContext(7);
        Map<String, List<String>> seen = new HashMap<>();
        SyncWorker noVersion = fakeWorker(200, Map.of(WorkerPaths.ORIGINAL_SIZE_HEADER, "3"), "abc", new AtomicReference<>(), seen);
        SyncProtocolException upload = refusal(noVersion.upload(who, Flux.empty()));
        assertThat(upload.kind()).isEqualTo(SyncErrorKind.SERVER_ERROR);
        assertThat(upload.getMessage()).contains("no format version");
        assertThat(seen.get(WorkerPaths.VERSION_HEADER)).as("the call carries its version").containsExactly("1");
        assertThat(refusal(noVersion.download(who)).getMessage()).contains("no format version");
        stopFake();

        SyncWorker otherVersion = fakeWorker(200, Map.of(WorkerPaths.VERSION_HEADER, "2", WorkerPaths.ORIGINAL_SIZE_HEADER, "3"),
                "abc", new AtomicReference<>());
        assertThat(refusal(otherVersion.upload(who, Flux.empty())).getMessage()).contains("format version 2 is not supported");
        SyncProtocolException download = refusal(otherVersion.download(who));
        assertThat(download.kind()).isEqualTo(SyncErrorKind.SERVER_ERROR);
        assertThat(download.getMessage()).contains("format version 2 is not supported");
        stopFake();

        SyncWorker thisVersion = fakeWorker(200, Map.of(WorkerPaths.VERSION_HEADER, "1", WorkerPaths.ORIGINAL_SIZE_HEADER, "3"),
                "abc", new AtomicReference<>());
        assertThat(thisVersion.upload(who, Flux.empty()).block()).isEqualTo("abc");
        assertThat(thisVersion.download(who).block().originalSize()).isEqualTo(3);
    }

    // ---- helpers ----------------------------------------------------------------------------

    static RawSyncClient client() {
        return new RawSyncClient(TestWorker.baseUrl());
    }

    static Map<String, String> json() {
        return Map.of("content-type", "application/json", WorkerPaths.TOKEN_HEADER, TestWorker.TOKEN);
    }

    static RawSyncClient.Response post(String path, Map<String, String> headers, String body) {
        return client().post(path, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    SyncWorker fakeWorker(int status, Map<String, String> headers, String body, AtomicReference<String> call) {
        return fakeWorker(status, headers, body, call, new HashMap<>());
    }

    /** A "worker" that answers every call alike, and keeps the last call's body and headers. */
    SyncWorker fakeWorker(int status, Map<String, String> headers, String body, AtomicReference<String> call,
                          Map<String, List<String>> callHeaders) {
        try {
            fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        fake.createContext("/", exchange -> {
            call.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            callHeaders.clear();
            exchange.getRequestHeaders().forEach((k, v) -> callHeaders.put(k.toLowerCase(java.util.Locale.ROOT), v));
            headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        fake.start();
        return new RemoteSyncWorker(WebClient.builder(), "http://127.0.0.1:" + fake.getAddress().getPort(), "");
    }

    static SyncProtocolException refusal(Mono<?> operation) {
        Throwable e = catchThrowable(operation::block);
        assertThat(e).isInstanceOf(SyncProtocolException.class);
        return (SyncProtocolException) e;
    }
}
