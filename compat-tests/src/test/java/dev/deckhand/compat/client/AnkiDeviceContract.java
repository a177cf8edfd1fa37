package dev.deckhand.compat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import dev.deckhand.ankiclient.AnkiClientException;
import dev.deckhand.ankiclient.AnkiClientException.Kind;
import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.AnkiRelease;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@link AnkiDevice} facade over a real Anki client, without a sync server: content,
 * reopening, and how HTTP failures surface as {@link Kind}s. The statuses below are what the
 * clients really do with them (observed, not assumed); each release runs this contract.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AnkiDeviceContract {

    private static final String FIELD_SEPARATOR = "\u001f";

    private AnkiDevice device;

    /** The client under test. */
    abstract AnkiRelease release();

    // Surefire points java.io.tmpdir at target/, so these folders stay inside the build.
    @BeforeAll
    void openDevice(@TempDir Path sharedFolder) {
        device = AnkiDevice.open(sharedFolder.resolve("device"), release());
    }

    @AfterAll
    void closeDevice() {
        if (device != null) {
            device.close();
        }
    }

    @Test
    void sendsItsOwnVersionInTheSyncHeader() throws Exception {
        // the version the client itself puts in every request ("c" in the anki-sync header)
        CompletableFuture<String> header = new CompletableFuture<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                drain(exchange.getRequestBody());
                header.complete(exchange.getRequestHeaders().getFirst("anki-sync"));
                exchange.sendResponseHeaders(403, -1);
            }
        });
        server.start();
        try {
            String endpoint = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
            assertThatThrownBy(() -> device.login(endpoint, "user", "pass")).isInstanceOf(AnkiClientException.class);
            assertThat(header.get(30, TimeUnit.SECONDS)).contains("\"c\":\"" + release().version() + ",");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void addsNotesAndReadsThemBackAfterReopening(@TempDir Path folder) {
        long basicId;
        long frenchId;
        long frenchDeck;
        try (AnkiDevice phone = AnkiDevice.open(folder, release())) {
            basicId = phone.addBasicNote("front", "back");
            frenchId = phone.addNote("Basic", "Languages::French", "bonjour", "hello");
            frenchDeck = phone.deckId("Languages::French");

            assertThat(basicId).isPositive();
            assertThat(frenchId).isPositive().isNotEqualTo(basicId);
            assertThat(phone.noteCount()).isEqualTo(2);
            assertThat(phone.cardCount()).isEqualTo(2);
            assertThat(phone.queryScalar("select flds from notes where id = ?", basicId))
                    .isEqualTo("front" + FIELD_SEPARATOR + "back");
            assertThat(phone.queryLong("select did from cards where nid = ?", frenchId)).isEqualTo(frenchDeck);
            // the deck was created once, not per lookup
            assertThat(phone.deckId("Languages::French")).isEqualTo(frenchDeck);
        }

        assertThat(folder.resolve("collection.anki2")).isRegularFile();
        assertThat(folder.resolve("collection.media")).isDirectory();

        try (AnkiDevice reopened = AnkiDevice.open(folder, release())) {
            assertThat(reopened.noteCount()).isEqualTo(2);
            assertThat(reopened.query("select flds from notes order by id"))
                    .extracting(row -> row.get(0))
                    .containsExactly("front" + FIELD_SEPARATOR + "back", "bonjour" + FIELD_SEPARATOR + "hello");
            assertThat(reopened.deckId("Languages::French")).isEqualTo(frenchDeck);
        }
    }

    @Test
    void unknownNotetypeIsAnAnkiClientException() {
        // 2.1.66 reports this as NOT_FOUND_ERROR with a "database inconsistent" text
        AnkiClientException e = catchThrowableOfType(AnkiClientException.class,
                () -> device.addNote("No such type", "Default", "x"));
        assertThat(e.kind()).isEqualTo(Kind.OTHER);
        assertThat(e.backendKind()).isEqualTo("NOT_FOUND_ERROR");
    }

    @Test
    void loginAgainstClosedPortIsNetworkError() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        AnkiClientException e = catchThrowableOfType(AnkiClientException.class,
                () -> device.login("http://127.0.0.1:" + port + "/", "user", "pass"));
        assertThat(e.kind()).isEqualTo(Kind.NETWORK);
        assertThat(e.backendKind()).isEqualTo("NETWORK_ERROR");
        if (release() == AnkiRelease.ANKI_2_1_66) {
            // 26.x's details name neither the cause nor the address: "error sending request for url ()"
            assertThat(e.getMessage()).containsIgnoringCase("connection refused");
        }
    }

    @Test
    void endpointWithoutTrailingSlashIsRejected() {
        assertThatThrownBy(() -> device.login("http://127.0.0.1:1/sync", "user", "pass"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "HTTP {0} -> {1}")
    @CsvSource({
            "400, SANITY_CHECK_FAILED",
            "401, NETWORK",
            "403, AUTH",
            "404, NETWORK",
            "407, NETWORK",
            "408, NETWORK",
            "409, CONFLICT",
            "413, NETWORK",
            "429, NETWORK",
            "500, SERVER_ERROR",
            "501, CLIENT_TOO_OLD",
            "502, SERVER_ERROR",
            "503, SERVER_ERROR",
            "504, SERVER_ERROR",
    })
    void httpStatusOnLoginMapsToKind(int status, Kind expected) throws IOException {
        try (StubServer server = StubServer.answering(status)) {
            AnkiClientException e = catchThrowableOfType(AnkiClientException.class,
                    () -> device.login(server.endpoint(), "user", "pass"));
            assertThat(e.kind()).as("%s", e).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "HTTP {0} without sync headers -> SYNC_OTHER")
    @CsvSource({"200", "302", "308"})
    void replyWithoutSyncHeadersIsSyncOther(int status) throws IOException {
        // no original-size (or, for 308, Location) header: the client rejects the reply itself
        try (StubServer server = StubServer.answering(status)) {
            AnkiClientException e = catchThrowableOfType(AnkiClientException.class,
                    () -> device.login(server.endpoint(), "user", "pass"));
            assertThat(e.kind()).as("%s", e).isEqualTo(Kind.SYNC_OTHER);
            assertThat(e.backendKind()).isEqualTo("SYNC_OTHER_ERROR");
        }
    }

    @Test
    void abortedLoginIsInterrupted() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                drain(exchange.getRequestBody());
                arrived.countDown();
                release.await(60, TimeUnit.SECONDS);
                exchange.sendResponseHeaders(500, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        try {
            String endpoint = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
            CompletableFuture<Throwable> login = CompletableFuture.supplyAsync(() -> {
                try {
                    device.login(endpoint, "user", "pass");
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            assertThat(arrived.await(30, TimeUnit.SECONDS)).as("login request reached the server").isTrue();
            device.abortSync();

            Throwable thrown = login.get(30, TimeUnit.SECONDS);
            assertThat(thrown).isInstanceOf(AnkiClientException.class);
            assertThat(((AnkiClientException) thrown).kind()).as("%s", thrown).isEqualTo(Kind.INTERRUPTED);
        } finally {
            release.countDown();
            server.stop(0);
        }
    }

    private static void drain(InputStream body) throws IOException {
        // read the whole request first, so the client never sees a reset instead of our status
        body.transferTo(OutputStream.nullOutputStream());
    }

    /** Answers every request with one status and no body. */
    private record StubServer(HttpServer server) implements AutoCloseable {

        static StubServer answering(int status) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                try (exchange) {
                    drain(exchange.getRequestBody());
                    exchange.sendResponseHeaders(status, -1);
                }
            });
            server.start();
            return new StubServer(server);
        }

        String endpoint() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
