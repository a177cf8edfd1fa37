package dev.deckhand.compat.normalsync;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.google.protobuf.ByteString;
import dev.deckhand.ankiclient.AnkiClientException;
import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.AnkiRelease;
import dev.deckhand.ankiclient.SyncCredentials;
import dev.deckhand.ankiclient.SyncRequired;
import dev.deckhand.compat.collection.CollectionDigest;
import dev.deckhand.compat.collection.VariedCollection;
import dev.deckhand.gateway.SyncGatewayApplication;
import dev.deckhand.media.MediaServiceApplication;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.testsupport.Sha1;
import dev.deckhand.testsupport.TestPostgres;
import dev.deckhand.testsupport.TestRedis;
import dev.deckhand.worker.SyncWorkerApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real-client normal-sync scenario against the distributed wiring: two gateways and two
 * workers sharing one PostgreSQL and one Redis, behind a round-robin proxy. Gateway i calls
 * worker i only, so consecutive requests of one sync alternate gateways and workers alike, and
 * nothing but the database and the Redis session can carry a sync from one step to the next.
 * Once with two Anki 2.1.66 devices and once with two Anki 26.x devices. Media goes to two media
 * services in turn, sharing one blob folder.
 */
class DistributedNormalSyncCompatTest {

    static final String TOKEN = "distributed-normal-sync-secret";
    static final String NORMAL_SYNC_URI = "uri=\"/internal/worker/normal-sync\"";
    /** Steps a gateway hands to {@code /internal/worker/normal-sync}. */
    static final Set<String> NORMAL_SYNC_STEPS =
            Set.of("start", "applyGraves", "applyChanges", "chunk", "applyChunk", "sanityCheck2", "finish", "abort");

    static final List<ConfigurableApplicationContext> workers = new ArrayList<>();
    static final List<ConfigurableApplicationContext> mediaServices = new ArrayList<>();
    static final List<ConfigurableApplicationContext> gateways = new ArrayList<>();
    static RoundRobinProxy proxy;
    static String endpoint;
    static final HttpClient scraper = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path devices;

    @BeforeAll
    static void start() throws IOException {
        Map<String, Object> shared = new HashMap<>(TestPostgres.newDatabase().springProperties());
        shared.put("server.address", "127.0.0.1");
        shared.put("server.port", "0");
        shared.put("deckhand.worker.token", TOKEN);
        String keyPrefix = TestRedis.newKeyPrefix();
        List<URI> gatewayUris = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ConfigurableApplicationContext worker = new SpringApplicationBuilder(SyncWorkerApplication.class).run(args(shared));
            workers.add(worker);
            Map<String, Object> gateway = new HashMap<>(shared);
            gateway.put("deckhand.worker.url", baseUrl(worker));
            gateway.put("deckhand.sessions.store", "redis");
            gateway.put("deckhand.redis.key-prefix", keyPrefix);
            gateway.put("spring.data.redis.url", TestRedis.endpoint().url());
            ConfigurableApplicationContext g = new SpringApplicationBuilder(SyncGatewayApplication.class).run(args(gateway));
            gateways.add(g);
            gatewayUris.add(URI.create(baseUrl(g)));
        }
        // two media services sharing one blob folder, as replicas share one S3 bucket
        List<URI> mediaUris = new ArrayList<>();
        Path blobs = Path.of("target", "distributed-normal-sync-media").toAbsolutePath();
        for (int i = 0; i < 2; i++) {
            Map<String, Object> media = new HashMap<>(shared);
            media.put("deckhand.media.filesystem.root", blobs);
            ConfigurableApplicationContext m = new SpringApplicationBuilder(MediaServiceApplication.class).run(args(media));
            mediaServices.add(m);
            mediaUris.add(URI.create(baseUrl(m)));
        }
        proxy = new RoundRobinProxy(gatewayUris, mediaUris);
        endpoint = "http://127.0.0.1:" + proxy.port() + "/";
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        List<ConfigurableApplicationContext> all = new ArrayList<>(gateways);
        all.addAll(workers);
        all.addAll(mediaServices);
        for (ConfigurableApplicationContext c : all) {
            if (c.isActive()) {
                c.close();
            }
        }
    }

    @ParameterizedTest(name = "{0} and {1}")
    @CsvSource({"ANKI_2_1_66, ANKI_2_1_66", "ANKI_26_09_3, ANKI_26_09_3"})
    void changesOnBothDevicesMeetWhenEveryStepGoesToAnotherGatewayAndWorker(AnkiRelease first, AnkiRelease second)
            throws Exception {
        String user = "two-" + first + "-" + second;
        gateways.get(0).getBean(AccountService.class).addUser(user, "pw").block();
        proxy.forwarded.clear();
        try (AnkiDevice a = AnkiDevice.open(devices.resolve("a"), first);
             AnkiDevice b = AnkiDevice.open(devices.resolve("b"), second)) {
            VariedCollection.populate(a, 40, 5);
            DevicesInSync pair = DevicesInSync.of(a, b, endpoint, user, "pw");
            SyncCredentials authA = pair.authA();
            SyncCredentials authB = pair.authB();

            ChangeRounds.run(a, b, 3, (device, label) -> normalSync(device, device == a ? authA : authB, label));
        }

        assertThat(proxy.failures).as("requests the proxy could not forward").isEmpty();
        Map<String, List<RoundRobinProxy.Forwarded>> bySession = proxy.normalSyncStepsBySession();
        assertThat(bySession).as("sessions with normal-sync steps (3 rounds × 3 syncs)").hasSize(9);
        bySession.forEach((session, steps) -> {
            assertThat(steps).as("session %s", session).allSatisfy(s -> assertThat(s.status()).isEqualTo(200));
            assertThat(steps.stream().map(RoundRobinProxy.Forwarded::target).distinct())
                    .as("gateways that served session %s: %s", session, steps).containsExactlyInAnyOrder(0, 1);
        });
        // strictly sequential client, strict rotation: every request of a sync went elsewhere than the one before
        proxy.requestsBySession().forEach((session, requests) -> {
            for (int i = 1; i < requests.size(); i++) {
                assertThat(requests.get(i).target()).as("session %s: %s", session, requests)
                        .isNotEqualTo(requests.get(i - 1).target());
            }
        });
        // the workers' own counts add up to the steps that went through the proxy (polled:
        // a request's timer is stopped just after its answer is sent)
        long stepsThroughProxy = bySession.values().stream().mapToLong(List::size).sum() + stepsOfEarlierRuns;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (workerNormalSyncCounts().stream().mapToLong(Long::longValue).sum() < stepsThroughProxy
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        List<Long> perWorker = workerNormalSyncCounts();
        assertThat(perWorker.get(0) + perWorker.get(1))
                .as("worker counts %s, requests per gateway %s", perWorker, proxy.distribution())
                .isEqualTo(stepsThroughProxy);
        stepsOfEarlierRuns = stepsThroughProxy;
    }

    /** Normal-sync steps the workers served for the cases before this one (their counters never reset). */
    static long stepsOfEarlierRuns;

    @ParameterizedTest(name = "{0} and {1}")
    @CsvSource({"ANKI_26_09_3, ANKI_26_09_3", "ANKI_2_1_66, ANKI_26_09_3"})
    void loginAndMediaBothWaysThroughTwoMediaServices(AnkiRelease first, AnkiRelease second) throws Exception {
        String user = "media-" + first + "-" + second;
        gateways.get(0).getBean(AccountService.class).addUser(user, "pw").block();
        proxy.forwarded.clear();
        try (AnkiDevice a = AnkiDevice.open(devices.resolve("a"), first);
             AnkiDevice b = AnkiDevice.open(devices.resolve("b"), second)) {
            assertThatThrownBy(() -> a.login(endpoint, user, "wrong"))
                    .isInstanceOfSatisfying(AnkiClientException.class, e -> assertThat(e.kind()).isEqualTo(AnkiClientException.Kind.AUTH));
            a.call(() -> {
                a.backend().addMediaFile("recording 日本語.mp3", ByteString.copyFrom(new byte[70_000]));
                a.backend().addMediaFile("diagram ✓.svg", ByteString.copyFromUtf8("<svg/>"));
                return null;
            });
            a.addBasicNote("[sound:recording 日本語.mp3]", "<img src=\"diagram ✓.svg\">");
            DevicesInSync pair = DevicesInSync.of(a, b, endpoint, user, "pw");
            a.syncCollectionAndMedia(pair.authA());
            b.syncCollectionAndMedia(pair.authB());
            assertThat(mediaFiles(b)).as("B's media").isEqualTo(mediaFiles(a)).hasSize(2);

            b.call(() -> {
                b.backend().trashMediaFiles(List.of("diagram ✓.svg"));
                b.backend().addMediaFile("from b.txt", ByteString.copyFromUtf8("written on B"));
                return null;
            });
            b.syncCollectionAndMedia(pair.authB());
            a.syncCollectionAndMedia(pair.authA());
            assertThat(mediaFiles(a)).as("A's media after B's changes").isEqualTo(mediaFiles(b))
                    .containsOnlyKeys("recording 日本語.mp3", "from b.txt");
        }
        assertThat(proxy.failures).as("requests the proxy could not forward").isEmpty();
        assertThat(proxy.forwarded.stream().filter(RoundRobinProxy.Forwarded::media).map(RoundRobinProxy.Forwarded::target).distinct())
                .as("media services that served requests: %s", proxy.distribution()).containsExactlyInAnyOrder(0, 1);
    }

    private static Map<String, String> mediaFiles(AnkiDevice device) {
        return Sha1.ofFilesIn(device.folder().resolve("collection.media"));
    }

    /**
     * One sync of a device; asserts from the workers' own metrics that both took part in it (no
     * other sync runs meanwhile, so what they counted belongs to this one).
     */
    static SyncRequired normalSync(AnkiDevice device, SyncCredentials auth, String what) throws Exception {
        List<Long> before = workerNormalSyncCounts();
        SyncRequired required = device.syncCollection(auth).required();
        List<Long> after = workerNormalSyncCounts();
        assertThat(after.get(0)).as("%s: worker 1 normal-sync count %s -> %s", what, before, after).isGreaterThan(before.get(0));
        assertThat(after.get(1)).as("%s: worker 2 normal-sync count %s -> %s", what, before, after).isGreaterThan(before.get(1));
        return required;
    }

    /** Per worker, the requests its own Prometheus endpoint counts on {@code /internal/worker/normal-sync}. */
    static List<Long> workerNormalSyncCounts() throws IOException, InterruptedException {
        List<Long> counts = new ArrayList<>();
        for (ConfigurableApplicationContext worker : workers) {
            String text = scraper.send(HttpRequest.newBuilder(URI.create(baseUrl(worker) + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double count = 0;
            for (String line : text.split("\n")) {
                if (line.startsWith("http_server_requests_seconds_count{") && line.contains(NORMAL_SYNC_URI)) {
                    count += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            counts.add((long) count);
        }
        return counts;
    }

    static String[] args(Map<String, Object> properties) {
        return properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    static String baseUrl(ConfigurableApplicationContext context) {
        return "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /**
     * A plain HTTP/1.1 reverse proxy that sends each request to the next target in turn. Bodies
     * are streamed both ways (full uploads and downloads pass through it too). It records, per
     * request, the target, the sync method and the session key from the {@code anki-sync} header.
     */
    static final class RoundRobinProxy implements AutoCloseable {

        /** Per connection, or set by the client library for the next hop; never copied. */
        static final Set<String> HOP_BY_HOP = Set.of("host", "connection", "content-length", "transfer-encoding",
                "keep-alive", "te", "trailer", "upgrade", "proxy-connection", "expect");
        static final Pattern SESSION_KEY = Pattern.compile("\"s\"\\s*:\\s*\"([^\"]*)\"");

        /** {@code target}: the gateway's index, or the media service's when {@code media}. */
        record Forwarded(boolean media, int target, String method, String sessionKey, int status) {
            @Override
            public String toString() {
                return method + "@" + (media ? "media " : "") + (target + 1) + (status == 200 ? "" : "=" + status);
            }
        }

        private final List<URI> targets;
        private final AtomicInteger next = new AtomicInteger();
        private final List<URI> mediaTargets;
        private final AtomicInteger nextMedia = new AtomicInteger();
        private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        private final HttpServer server;
        // HTTP/1.1 only: the default would offer an h2c upgrade to the gateways
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        final List<Forwarded> forwarded = new CopyOnWriteArrayList<>();
        final List<String> failures = new CopyOnWriteArrayList<>();

        /** Sends {@code /msync/} requests to the media services in turn, all others to the gateways. */
        RoundRobinProxy(List<URI> targets, List<URI> mediaTargets) throws IOException {
            this.targets = List.copyOf(targets);
            this.mediaTargets = List.copyOf(mediaTargets);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", this::forward);
            server.setExecutor(threads);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        private void forward(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getRawPath();
            boolean media = path.contains("/msync/");
            List<URI> pool = media ? mediaTargets : targets;
            int target = Math.floorMod((media ? nextMedia : next).getAndIncrement(), pool.size());
            String method = path.substring(path.lastIndexOf('/') + 1);
            String header = exchange.getRequestHeaders().getFirst("anki-sync");
            Matcher key = SESSION_KEY.matcher(header == null ? "" : header);
            String sessionKey = key.find() ? key.group(1) : "";
            boolean headersSent = false;
            try (exchange) {
                String query = exchange.getRequestURI().getRawQuery();
                URI uri = pool.get(target).resolve(path + (query == null ? "" : "?" + query));
                HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                        .method(exchange.getRequestMethod(), requestBody(exchange));
                exchange.getRequestHeaders().forEach((name, values) -> {
                    if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                        values.forEach(v -> request.header(name, v));
                    }
                });
                HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = response.body()) {
                    response.headers().map().forEach((name, values) -> {
                        if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                            exchange.getResponseHeaders().put(name, values);
                        }
                    });
                    long length = response.headers().firstValueAsLong("content-length").orElse(-1);
                    int status = response.statusCode();
                    // HttpServer's encoding of the length: -1 no body, 0 chunked, n exactly n bytes
                    boolean noBody = length == 0 || status == 204 || status == 304;
                    exchange.sendResponseHeaders(status, noBody ? -1 : length < 0 ? 0 : length);
                    headersSent = true;
                    if (!noBody) {
                        try (OutputStream out = exchange.getResponseBody()) {
                            in.transferTo(out);
                        }
                    }
                    forwarded.add(new Forwarded(media, target, method, sessionKey, status));
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                failures.add(exchange.getRequestMethod() + " " + path + " via " + (media ? "media service " : "gateway ")
                        + (target + 1) + ": " + e);
                if (!headersSent) {
                    byte[] text = ("proxy: " + e).getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(502, text.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(text);
                    }
                }
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** The body as a stream, with the client's length when it gave one (else sent chunked). */
        private static HttpRequest.BodyPublisher requestBody(HttpExchange exchange) {
            String length = exchange.getRequestHeaders().getFirst("content-length");
            boolean chunked = exchange.getRequestHeaders().containsKey("transfer-encoding");
            if (length == null && !chunked || "0".equals(length)) {
                return HttpRequest.BodyPublishers.noBody();
            }
            HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(exchange::getRequestBody);
            return length == null ? stream : HttpRequest.BodyPublishers.fromPublisher(stream, Long.parseLong(length));
        }

        /** Every request that carried a session key, grouped by it, in the order they came. */
        Map<String, List<Forwarded>> requestsBySession() {
            Map<String, List<Forwarded>> result = new LinkedHashMap<>();
            for (Forwarded f : forwarded) {
                if (!f.sessionKey().isEmpty() && !f.media()) {
                    result.computeIfAbsent(f.sessionKey(), k -> new ArrayList<>()).add(f);
                }
            }
            return result;
        }

        /** The normal-sync steps only, grouped by session key; sessions without any are left out. */
        Map<String, List<Forwarded>> normalSyncStepsBySession() {
            Map<String, List<Forwarded>> result = new LinkedHashMap<>();
            requestsBySession().forEach((session, requests) -> {
                List<Forwarded> steps = requests.stream().filter(f -> NORMAL_SYNC_STEPS.contains(f.method())).toList();
                if (!steps.isEmpty()) {
                    result.put(session, steps);
                }
            });
            return result;
        }

        /** Requests per target and method, e.g. {@code {1={meta=5, start=4}, 2={...}}}; for messages. */
        Map<String, Map<String, Integer>> distribution() {
            Map<String, Map<String, Integer>> result = new LinkedHashMap<>();
            for (Forwarded f : forwarded) {
                result.computeIfAbsent((f.media() ? "media " : "gateway ") + (f.target() + 1), t -> new TreeMap<>())
                        .merge(f.method(), 1, Integer::sum);
            }
            return result;
        }

        @Override
        public void close() {
            server.stop(0);
            client.close();
            threads.close();
        }
    }
}
