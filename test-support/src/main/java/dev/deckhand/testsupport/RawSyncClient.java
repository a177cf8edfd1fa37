package dev.deckhand.testsupport;

import dev.deckhand.protocol.AnkiHeaders;
import dev.deckhand.protocol.SyncHeader;
import dev.deckhand.protocol.ZstdFraming;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Sends hand-made protocol requests, including broken ones, the way v11 clients frame them:
 * HTTP/1.1 POST with a chunked body (no content length). Proofs of compatibility use the real
 * client; this is for what the real client would never send.
 */
public final class RawSyncClient {

    /** The session key of {@link #call(String, String, String)}. */
    public static final String DEFAULT_SESSION_KEY = "t3st";
    private static final String CLIENT_VERSION = "deckhand-test,0,linux";

    private final String baseUrl;
    /** Null when every request gets a connection of its own. */
    private final HttpClient http;
    /** How often a request is sent again when its connection closes before any answer. */
    private final int resends;

    /** @param baseUrl e.g. {@code http://127.0.0.1:8080/}, ending in a slash as clients require */
    public RawSyncClient(String baseUrl) {
        this(baseUrl, true, 0);
    }

    private RawSyncClient(String baseUrl, boolean keepAlive, int resends) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
        this.http = keepAlive ? newHttpClient() : null;
        this.resends = resends;
    }

    /**
     * A client for Anki's own sync server, to compare it with ours: every request goes on a
     * connection of its own, and is sent again (up to 20 times, 20 ms apart) if that connection closes before any
     * answer comes. That server answers some refusals (a bad header, an unknown path) before it has
     * read the body and then closes the connection; the unread body turns the close into a reset,
     * and the answer can be lost. Such refusals change nothing, so sending them again is safe. It
     * also sometimes closes a kept-alive connection after a chunked request, and the next request
     * on it gets no answer, hence the connection per request. (3 resends were seen to run out on
     * a loaded 2-core machine: four resets in a row.)
     */
    public static RawSyncClient forAnkisServer(String baseUrl) {
        return new RawSyncClient(baseUrl, false, 20);
    }

    /** Every request on a connection of its own, never sent twice: for our servers beside {@link #forAnkisServer}. */
    public static RawSyncClient withConnectionPerRequest(String baseUrl) {
        return new RawSyncClient(baseUrl, false, 0);
    }

    private static HttpClient newHttpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    public record Response(int status, Map<String, java.util.List<String>> headers, byte[] body) {

        /** The first value of a header, whatever the case of its name. */
        public java.util.Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst();
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The zstd-decoded payload of a successful v11 answer, as text. */
        public String payload() {
            return new String(payloadBytes(), StandardCharsets.UTF_8);
        }

        /** The zstd-decoded payload of a successful v11 answer, checked against its original size. */
        public byte[] payloadBytes() {
            String size = header(AnkiHeaders.ORIGINAL_SIZE)
                    .orElseThrow(() -> new AssertionError("no " + AnkiHeaders.ORIGINAL_SIZE + " header; status " + status + ": " + text()));
            byte[] plain = ZstdFraming.decompress(body, 1 << 30);
            if (plain.length != Long.parseLong(size)) {
                throw new AssertionError("original size says " + size + " but the payload has " + plain.length + " bytes");
            }
            return plain;
        }
    }

    /** A well-formed v11 request: {@code path} like {@code sync/meta}, JSON compressed as one zstd frame. */
    public Response call(String path, String hostKey, String json) {
        return call(path, hostKey, DEFAULT_SESSION_KEY, json);
    }

    /** As {@link #call(String, String, String)}, with the session key ({@code s}) of one normal sync. */
    public Response call(String path, String hostKey, String sessionKey, String json) {
        return callWithBytes(path, hostKey, sessionKey, json.getBytes(StandardCharsets.UTF_8));
    }

    /** A v11 request whose payload is raw bytes (a collection file), compressed as one zstd frame. */
    public Response callWithBytes(String path, String hostKey, byte[] payload) {
        return callWithBytes(path, hostKey, DEFAULT_SESSION_KEY, payload);
    }

    /** As {@link #callWithBytes(String, String, byte[])}, with a session key. */
    public Response callWithBytes(String path, String hostKey, String sessionKey, byte[] payload) {
        return post(path, Map.of(AnkiHeaders.SYNC, v11Header(hostKey, sessionKey)), ZstdFraming.compress(payload));
    }

    /** The {@code anki-sync} header of a v11 client. */
    public static String v11Header(String hostKey, String sessionKey) {
        return new SyncHeader(11, hostKey, CLIENT_VERSION, sessionKey).toJson();
    }

    /** Anything at all; the body goes out chunked. */
    public Response post(String path, Map<String, String> headers, byte[] body) {
        return post(path, headers, () -> new ByteArrayInputStream(body));
    }

    /** A body produced while it is sent, e.g. one larger than memory. */
    public Response post(String path, Map<String, String> headers, java.util.function.Supplier<java.io.InputStream> body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(60))
                .header("content-type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofInputStream(body));
        headers.forEach((k, v) -> {
            if (k.equalsIgnoreCase("content-type")) {
                request.setHeader(k, v);
            } else {
                request.header(k, v);
            }
        });
        return send(request.build());
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    private Response send(HttpRequest request) {
        for (int attempt = 0; ; attempt++) {
            try {
                if (http != null) {
                    return send(http, request);
                }
                try (HttpClient once = newHttpClient()) {
                    return send(once, request);
                }
            } catch (IOException e) {
                if (attempt >= resends || !closedBeforeAnswer(e)) {
                    throw new java.io.UncheckedIOException(e);
                }
                pauseBeforeResending();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static void pauseBeforeResending() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean closedBeforeAnswer(IOException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("header parser received no bytes") || message.contains("Connection reset");
    }

    private static Response send(HttpClient client, HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return new Response(r.statusCode(), r.headers().map(), r.body());
    }
}
