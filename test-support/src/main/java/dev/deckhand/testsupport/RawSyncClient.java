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

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    /** @param baseUrl e.g. {@code http://127.0.0.1:8080/}, ending in a slash as clients require */
    public RawSyncClient(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
    }

    public record Response(int status, Map<String, java.util.List<String>> headers, byte[] body) {

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The zstd-decoded payload of a successful v11 answer, as text. */
        public String payload() {
            return new String(payloadBytes(), StandardCharsets.UTF_8);
        }

        /** The zstd-decoded payload of a successful v11 answer, checked against its original size. */
        public byte[] payloadBytes() {
            String size = headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(AnkiHeaders.ORIGINAL_SIZE))
                    .map(e -> e.getValue().get(0)).findFirst()
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
        return post(path, Map.of(AnkiHeaders.SYNC, new SyncHeader(11, hostKey, "deckhand-test,0,linux", "t3st").toJson()),
                ZstdFraming.compress(json.getBytes(StandardCharsets.UTF_8)));
    }

    /** A v11 request whose payload is raw bytes (a collection file), compressed as one zstd frame. */
    public Response callWithBytes(String path, String hostKey, byte[] payload) {
        return post(path, Map.of(AnkiHeaders.SYNC, new SyncHeader(11, hostKey, "deckhand-test,0,linux", "t3st").toJson()),
                ZstdFraming.compress(payload));
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
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
