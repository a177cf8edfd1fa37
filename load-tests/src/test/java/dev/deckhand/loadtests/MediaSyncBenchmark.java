package dev.deckhand.loadtests;

import dev.deckhand.testsupport.TestFolders;
import dev.deckhand.media.MediaServiceApplication;
import dev.deckhand.media.blob.BlobKey;
import dev.deckhand.media.blob.MediaBlobStore;
import dev.deckhand.media.blob.TestS3;
import dev.deckhand.protocol.AnkiHeaders;
import dev.deckhand.protocol.MediaLimits;
import dev.deckhand.protocol.SyncHeader;
import dev.deckhand.protocol.SyncJson;
import dev.deckhand.protocol.ZstdFraming;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.testsupport.Sha1;
import dev.deckhand.testsupport.TestDatabase;
import dev.deckhand.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.boot.Banner;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Media sync throughput through the media service over HTTP, next to the same bytes written and
 * read straight to the same blob store, measured in the same run: many small files and a few large
 * ones, uploaded with {@code uploadChanges} and downloaded with {@code downloadFiles} in the Anki
 * client's batches, then the same puts and gets through the server's blob store object alone and
 * raw (S3 PutObject/GetObject, or plain file copies), with the heap's peak during each phase. Every
 * downloaded file is checked against the SHA-1 of what was uploaded. Writes
 * {@code target/benchmarks/media-sync.md}.
 *
 * <p>{@code ./mvnw -B -pl load-tests -am verify -Dtest=MediaSyncBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Ddeckhand.benchmark=true -Ddeckhand.benchmark.jit=} (docs/benchmarks.md).
 */
@EnabledIfSystemProperty(named = "deckhand.benchmark", matches = "true",
        disabledReason = "a benchmark, not a test: run it with -Ddeckhand.benchmark=true (docs/benchmarks.md)")
class MediaSyncBenchmark {

    static final int SMALL_FILES = Integer.getInteger("deckhand.benchmark.smallFiles", 2000);
    static final int LARGE_FILES = Integer.getInteger("deckhand.benchmark.largeFiles", 8);
    static final int LARGE_MIB = 20;
    /** A second, larger size, to show whether the heap grows with the file size. */
    static final int HEAP_CHECK_MIB = 60;
    static final int HEAP_CHECK_FILES = 2;
    static final int RUNS = Integer.getInteger("deckhand.benchmark.runs", 5);
    static final List<String> STORES = List.of(System.getProperty("deckhand.benchmark.stores", "s3,filesystem").split(","));

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Path work;
    private int users;

    /** One media file of the workload, on disk, with the digest the server must give back. */
    record Media(String name, Path path, long size, String sha1) {}

    /**
     * Files, the client's upload batches of them, and each batch's request body (the zip,
     * zstd-compressed), all built before anything is timed.
     */
    record Workload(String label, List<Media> files, List<List<Media>> batches, List<Path> bodies) {

        long bytes() {
            return files.stream().mapToLong(Media::size).sum();
        }

        Workload first(int count) {
            List<Media> some = files.subList(0, count);
            int batchCount = 0;
            for (int n = 0; n < count; batchCount++) {
                n += batches.get(batchCount).size();
            }
            return new Workload(label, some, batches.subList(0, batchCount), bodies.subList(0, batchCount));
        }
    }

    /** Seconds and bytes of one timed phase, and the heap's peaks meanwhile. */
    record Phase(double seconds, long bytes, long peakHeap, long peakOld) {

        double mbPerSecond() {
            return bytes / 1e6 / seconds;
        }
    }

    /** The same blob store written and read directly, without the server. */
    interface RawStore extends AutoCloseable {
        /** Stores the files of one batch, at once, as the server stores a batch's new blobs. */
        void putBatch(String prefix, List<Media> batch) throws Exception;

        /** Reads one file into {@code target}, as the server reads one blob after another. */
        void get(String prefix, Media file, Path target) throws Exception;

        @Override
        default void close() throws Exception {
        }
    }

    @Test
    void mediaSync() throws Exception {
        work = Files.createDirectories(Path.of("target", "benchmarks"));
        Path data = work.resolve("media-data");
        TestFolders.deleteTree(data);
        Files.createDirectories(data);
        // -Ddeckhand.benchmark.jfr=FILE: a JFR profile of the whole run, to see where the time goes
        String jfr = System.getProperty("deckhand.benchmark.jfr", "");
        try (jdk.jfr.Recording recording = jfr.isBlank() ? null
                : new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"))) {
            if (recording != null) {
                recording.setDestination(Path.of(jfr).toAbsolutePath());
                recording.start();
            }
            run(data);
        } finally {
            // hundreds of MiB of random bytes, stored several times over: not worth keeping
            TestFolders.deleteTree(data);
        }
    }

    private void run(Path data) throws Exception {
        long start = System.nanoTime();
        SplittableRandom random = new SplittableRandom(8);
        Workload small = workload("small", data, SMALL_FILES, () -> 1024 + random.nextInt(7 * 1024 + 1), random);
        Workload large = workload("large", data, LARGE_FILES, () -> LARGE_MIB << 20, random);
        Workload heapCheck = workload("heap-check", data, HEAP_CHECK_FILES, () -> HEAP_CHECK_MIB << 20, random);

        List<String> report = new ArrayList<>();
        report.add("# Media sync benchmark\n");
        report.add(String.format(Locale.ROOT, "%d cores; load average %.2f at the start; JVM max heap %d MiB, %s; JVM flags %s; "
                        + "%d runs each, median.\n",
                Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().maxMemory() >> 20, gcNames(), ManagementFactory.getRuntimeMXBean().getInputArguments(), RUNS));
        report.add(String.format(Locale.ROOT, "Workloads: %s; %s. Random bytes (incompressible). MB = 10^6 bytes of file "
                        + "content; zip and zstd framing are not counted.\n",
                describe(small), describe(large)));

        TestDatabase db = TestPostgres.newDatabase();
        report.add("PostgreSQL: " + db.host() + ":" + db.port() + ".\n");
        for (String store : STORES) {
            switch (store.trim()) {
                case "s3" -> {
                    try (TestS3 s3 = TestS3.onDisk(Files.createDirectories(data.resolve("s3proxy")))) {
                        try (ConfigurableApplicationContext media = startMediaService(db, s3.springProperties("server"), data)) {
                            // the server's own client: the baseline uses exactly its settings and connection pool
                            S3AsyncClient client = media.getBean("mediaS3Client", S3AsyncClient.class);
                            report.addAll(measure("S3 (s3proxy 4.1.0 in-process, filesystem backend)", media,
                                    new RawS3(client, s3.bucket()), data, small, large, heapCheck));
                        }
                    }
                }
                case "filesystem" -> {
                    Path root = data.resolve("fs-server");
                    try (ConfigurableApplicationContext media = startMediaService(db, Map.of(
                            "deckhand.media.store", "filesystem", "deckhand.media.filesystem.root", root.toAbsolutePath().toString()),
                            data)) {
                        report.addAll(measure("filesystem", media, new RawFiles(data.resolve("fs-raw")), data, small, large,
                                heapCheck));
                    }
                }
                default -> throw new IllegalArgumentException("unknown store in deckhand.benchmark.stores: " + store);
            }
        }
        report.add(String.format(Locale.ROOT, "Whole benchmark: %.0f s; load average %.2f at the end.\n",
                (System.nanoTime() - start) / 1e9, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        String text = String.join("\n", report) + "\n";
        Files.writeString(work.resolve("media-sync.md"), text);
        System.out.println(text);
    }

    /** The stand-alone media service: the same beans as the all-in-one server's /msync, with the chosen store. */
    private static ConfigurableApplicationContext startMediaService(TestDatabase db, Map<String, String> store, Path data) {
        List<String> args = new ArrayList<>();
        db.springProperties().forEach((k, v) -> args.add("--" + k + "=" + v));
        store.forEach((k, v) -> args.add("--" + k + "=" + v));
        args.add("--server.address=127.0.0.1");
        args.add("--server.port=0");
        args.add("--deckhand.sync.temp-dir=" + data.resolve("scratch").toAbsolutePath());
        return new SpringApplicationBuilder(MediaServiceApplication.class).bannerMode(Banner.Mode.OFF)
                .run(args.toArray(String[]::new));
    }

    /** The phases of one round trip, in the order they run. */
    static final List<String> STEPS = List.of("upload", "store put", "raw put", "download", "store get", "raw get");

    private List<String> measure(String storeName, ConfigurableApplicationContext media, RawStore raw, Path data,
                                 Workload small, Workload large, Workload heapCheck) throws Exception {
        String base = "http://127.0.0.1:" + ((WebServerApplicationContext) media).getWebServer().getPort() + "/";
        AccountService accounts = media.getBean(AccountService.class);
        RawStore store = new StoreAlone(media.getBean(MediaBlobStore.class));
        Path downloads = Files.createDirectories(data.resolve("downloads"));
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

        // warm-up, not counted: the JIT (C2 takes a while), connection pools, the first blobs of a user
        for (Workload w : List.of(small, large.first(Math.min(2, large.files().size())))) {
            roundTrip(base, newUser(accounts), store, raw, "warmup", w, downloads);
        }

        Map<String, List<Phase>> phases = new LinkedHashMap<>();
        for (int run = 0; run < RUNS; run++) {
            // a new user and raw prefix each run, so every file is new to the store
            for (Workload w : List.of(small, large)) {
                Map<String, Phase> p = roundTrip(base, newUser(accounts), store, raw, "run" + run + "-" + w.label(), w, downloads);
                p.forEach((step, phase) -> phases.computeIfAbsent(w.label() + " " + step, k -> new ArrayList<>()).add(phase));
            }
        }
        Map<String, Phase> bigger = roundTrip(base, newUser(accounts), store, raw, "heap-check", heapCheck, downloads);
        raw.close();

        List<String> out = new ArrayList<>();
        out.add("## " + storeName + "\n");
        out.add(String.format(Locale.ROOT, "Load average %.2f before, %.2f after.\n", loadBefore,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        out.add("| workload | direction | Deckhand (HTTP) | blob store class alone | raw | Deckhand / raw "
                + "| peak heap, Deckhand (all pools / old gen) | peak heap, raw (all pools / old gen) |");
        out.add("|---|---|---|---|---|---|---|---|");
        for (Workload w : List.of(small, large)) {
            for (String[] d : new String[][] {{"upload", "store put", "raw put"}, {"download", "store get", "raw get"}}) {
                List<Phase> server = phases.get(w.label() + " " + d[0]);
                List<Phase> baseline = phases.get(w.label() + " " + d[2]);
                double s = medianRate(server);
                double r = medianRate(baseline);
                out.add(String.format(Locale.ROOT, "| %s | %s | %.1f MB/s | %.1f MB/s | %.1f MB/s | %.0f%% | %s | %s |", w.label(),
                        d[0], s, medianRate(phases.get(w.label() + " " + d[1])), r, 100 * s / r, heap(server), heap(baseline)));
            }
        }
        out.add("");
        out.add("Runs (MB/s):\n");
        for (Workload w : List.of(small, large)) {
            for (String step : STEPS) {
                out.add(String.format(Locale.ROOT, "- %s %s: %s", w.label(), step, phases.get(w.label() + " " + step).stream()
                        .map(p -> String.format(Locale.ROOT, "%.1f", p.mbPerSecond())).toList()));
            }
        }
        out.add("");
        out.add(String.format(Locale.ROOT, "Heap against file size (peaks: all pools / old gen; the %d MiB row is one run "
                + "of %d files):\n", HEAP_CHECK_MIB, HEAP_CHECK_FILES));
        out.add("| file size | upload | download | raw put | raw get | upload, download MB/s |");
        out.add("|---|---|---|---|---|---|");
        out.add(String.format(Locale.ROOT, "| %d MiB (the large workload, %d runs) | %s | %s | %s | %s | %.1f, %.1f |", LARGE_MIB,
                RUNS, heap(phases.get("large upload")), heap(phases.get("large download")), heap(phases.get("large raw put")),
                heap(phases.get("large raw get")), medianRate(phases.get("large upload")), medianRate(phases.get("large download"))));
        out.add(String.format(Locale.ROOT, "| %d MiB | %s | %s | %s | %s | %.1f, %.1f |", HEAP_CHECK_MIB,
                heap(List.of(bigger.get("upload"))), heap(List.of(bigger.get("download"))), heap(List.of(bigger.get("raw put"))),
                heap(List.of(bigger.get("raw get"))), bigger.get("upload").mbPerSecond(), bigger.get("download").mbPerSecond()));
        out.add("");
        return out;
    }

    private String newUser(AccountService accounts) {
        String name = "media" + (++users);
        accounts.addUser(name, "pw").block();
        return accounts.login(name, "pw").block();
    }

    /**
     * Upload through the server, the same puts through the blob store class alone and raw, then
     * download through the server, the blob store alone and raw: each phase timed on its own with
     * the heap watched.
     */
    private Map<String, Phase> roundTrip(String base, String key, RawStore store, RawStore raw, String rawPrefix, Workload w,
                                         Path downloads) throws Exception {
        Map<String, Phase> phases = new LinkedHashMap<>();
        phases.put("upload", timed(w.bytes(), () -> upload(base, key, w)));
        assertThat(mediaCall(base, key, "mediaSanity", "{\"local\":" + w.files().size() + "}").get("data").asString())
                .as("the server's file count after the upload").isEqualTo("OK");
        phases.put("store put", timed(w.bytes(), () -> putAll(store, rawPrefix, w)));
        phases.put("raw put", timed(w.bytes(), () -> putAll(raw, rawPrefix, w)));
        phases.put("download", timed(w.bytes(), () -> download(base, key, w, downloads)));
        phases.put("store get", timed(w.bytes(), () -> getAll(store, rawPrefix, w, downloads)));
        phases.put("raw get", timed(w.bytes(), () -> getAll(raw, rawPrefix, w, downloads)));
        return phases;
    }

    /** A batch at a time, in the client's batches. */
    private static long putAll(RawStore target, String prefix, Workload w) throws Exception {
        long t0 = System.nanoTime();
        for (List<Media> batch : w.batches()) {
            target.putBatch(prefix, batch);
        }
        return System.nanoTime() - t0;
    }

    /** One file after another, each into a file; the size check is not timed. */
    private static long getAll(RawStore source, String prefix, Workload w, Path downloads) throws Exception {
        long nanos = 0;
        for (Media file : w.files()) {
            Path target = downloads.resolve("raw-" + file.sha1());
            long t0 = System.nanoTime();
            source.get(prefix, file, target);
            nanos += System.nanoTime() - t0;
            assertThat(Files.size(target)).isEqualTo(file.size());
            Files.delete(target);
        }
        return nanos;
    }

    /** Each batch as the client sends it, one after another; the answer is checked untimed. */
    private long upload(String base, String key, Workload w) throws Exception {
        long nanos = 0;
        for (int i = 0; i < w.batches().size(); i++) {
            Path body = w.bodies().get(i);
            long t0 = System.nanoTime();
            HttpResponse<byte[]> r = http.send(request(base + "msync/uploadChanges", key)
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> open(body))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            nanos += System.nanoTime() - t0;
            assertThat(r.statusCode()).as("uploadChanges status").isEqualTo(200);
            JsonNode answer = SyncJson.mapper().readTree(ZstdFraming.decompress(r.body(), 1 << 20));
            assertThat(answer.get("err").asString()).isEmpty();
            assertThat(answer.get("data").get(0).asInt()).as("processed").isEqualTo(w.batches().get(i).size());
        }
        return nanos;
    }

    /**
     * Asks for at most 25 names at a time; the server answers a prefix of them, and the client
     * asks again for the rest, as Anki's does. Responses go to a file (timed); unpacking them and
     * checking every file's SHA-1 is not timed.
     */
    private long download(String base, String key, Workload w, Path downloads) throws Exception {
        long nanos = 0;
        List<Media> files = w.files();
        Path response = downloads.resolve("response.zip.zst");
        for (int next = 0; next < files.size(); ) {
            List<Media> asked = files.subList(next, Math.min(next + MediaLimits.FILES_PER_BATCH, files.size()));
            byte[] json = SyncJson.write(Map.of("files", asked.stream().map(Media::name).toList()));
            Files.deleteIfExists(response);
            long t0 = System.nanoTime();
            HttpResponse<Path> r = http.send(request(base + "msync/downloadFiles", key)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(ZstdFraming.compress(json))).build(),
                    HttpResponse.BodyHandlers.ofFile(response));
            nanos += System.nanoTime() - t0;
            assertThat(r.statusCode()).as("downloadFiles status").isEqualTo(200);
            long originalSize = Long.parseLong(r.headers().firstValue(AnkiHeaders.ORIGINAL_SIZE).orElseThrow());
            int received = checkDownload(response, asked, originalSize);
            next += received;
        }
        Files.deleteIfExists(response);
        return nanos;
    }

    /** How many files the zip holds: a non-empty prefix of those asked for, each byte-exact. */
    private static int checkDownload(Path response, List<Media> asked, long originalSize) throws IOException {
        Map<String, String> sha1ByEntry = new HashMap<>();
        JsonNode meta = null;
        long unpacked = 0;
        try (InputStream zstd = ZstdFraming.decompressing(Files.newInputStream(response), Long.MAX_VALUE);
             CountingStream counted = new CountingStream(zstd);
             ZipInputStream zip = new ZipInputStream(counted, StandardCharsets.UTF_8)) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                if (entry.getName().equals("_meta")) {
                    meta = SyncJson.mapper().readTree(zip.readAllBytes());
                } else {
                    sha1ByEntry.put(entry.getName(), Sha1.hex(zip));
                }
            }
            counted.transferTo(OutputStream.nullOutputStream());
            unpacked = counted.count;
        }
        assertThat(unpacked).as("anki-original-size").isEqualTo(originalSize);
        assertThat(meta).as("_meta").isNotNull();
        int n = meta.size();
        assertThat(n).as("files in the answer").isBetween(1, asked.size());
        assertThat(sha1ByEntry).hasSize(n);
        for (int i = 0; i < n; i++) {
            Media expected = asked.get(i);
            assertThat(meta.get(Integer.toString(i)).asString()).as("name of entry " + i).isEqualTo(expected.name());
            if (!expected.sha1().equals(sha1ByEntry.get(Integer.toString(i)))) {
                throw new AssertionError("downloaded " + expected.name() + " differs from what was uploaded: SHA-1 "
                        + sha1ByEntry.get(Integer.toString(i)) + ", expected " + expected.sha1());
            }
        }
        return n;
    }

    private JsonNode mediaCall(String base, String key, String method, String json) throws Exception {
        HttpResponse<byte[]> r = http.send(request(base + "msync/" + method, key)
                .POST(HttpRequest.BodyPublishers.ofByteArray(ZstdFraming.compress(json.getBytes(StandardCharsets.UTF_8))))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(method + " status").isEqualTo(200);
        return SyncJson.mapper().readTree(ZstdFraming.decompress(r.body(), 1 << 20));
    }

    private static HttpRequest.Builder request(String url, String key) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5))
                .header("content-type", "application/octet-stream")
                .header(AnkiHeaders.SYNC, new SyncHeader(11, key, "anki,2.1.66 (70506aeb),lin:debian:12", "bench").toJson());
    }

    // ---- workloads, built untimed ----

    interface Sizes {
        int next();
    }

    private static Workload workload(String label, Path data, int count, Sizes sizes, SplittableRandom random)
            throws IOException {
        Path dir = Files.createDirectories(data.resolve(label));
        List<Media> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = String.format(Locale.ROOT, "%s-%05d.%s", label, i, label.equals("small") ? "jpg" : "mp4");
            Path path = dir.resolve(name);
            long size = sizes.next();
            files.add(new Media(name, path, size, Sha1.writeRandomFile(path, size, random)));
        }
        // the client's batching: at most 25 files, and no more once the batch is past 2.5 MiB
        List<List<Media>> batches = new ArrayList<>();
        List<Media> batch = new ArrayList<>();
        long batchBytes = 0;
        for (Media file : files) {
            batch.add(file);
            batchBytes += file.size();
            if (batch.size() == MediaLimits.FILES_PER_BATCH || batchBytes > MediaLimits.DOWNLOAD_ZIP_TARGET_BYTES) {
                batches.add(batch);
                batch = new ArrayList<>();
                batchBytes = 0;
            }
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        List<Path> bodies = new ArrayList<>();
        for (int i = 0; i < batches.size(); i++) {
            bodies.add(uploadBody(batches.get(i), dir.resolve("upload-" + i + ".zip.zst")));
        }
        return new Workload(label, List.copyOf(files), List.copyOf(batches), List.copyOf(bodies));
    }

    /**
     * An upload zip as Anki's client writes it (entries "0", "1"… stored, then {@code _meta}, a
     * list of [name, entry]), compressed as one zstd frame.
     */
    private static Path uploadBody(List<Media> batch, Path target) throws IOException {
        List<List<String>> meta = new ArrayList<>();
        try (OutputStream file = Files.newOutputStream(target);
             OutputStream zstd = ZstdFraming.compressing(file);
             ZipOutputStream zip = new ZipOutputStream(zstd, StandardCharsets.UTF_8)) {
            for (int i = 0; i < batch.size(); i++) {
                Media m = batch.get(i);
                ZipEntry entry = new ZipEntry(Integer.toString(i));
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(m.size());
                entry.setCompressedSize(m.size());
                entry.setCrc(crc32(m.path()));
                zip.putNextEntry(entry);
                Files.copy(m.path(), zip);
                zip.closeEntry();
                meta.add(List.of(m.name(), Integer.toString(i)));
            }
            zip.putNextEntry(new ZipEntry("_meta"));
            zip.write(SyncJson.write(meta));
            zip.closeEntry();
        }
        return target;
    }

    private static long crc32(Path file) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                crc.update(buffer, 0, n);
            }
        }
        return crc.getValue();
    }

    private static String describe(Workload w) {
        long min = w.files().stream().mapToLong(Media::size).min().orElse(0);
        long max = w.files().stream().mapToLong(Media::size).max().orElse(0);
        return String.format(Locale.ROOT, "**%s**: %,d files of %s, %.1f MiB in all, in %d upload batches", w.label(),
                w.files().size(), min == max ? (min >> 20) + " MiB"
                        : String.format(Locale.ROOT, "%.1f–%.1f KiB", min / 1024.0, max / 1024.0),
                w.bytes() / 1048576.0, w.batches().size());
    }

    // ---- the baselines ----

    /** PutObject and GetObject with the server's own S3 client. */
    record RawS3(S3AsyncClient client, String bucket) implements RawStore {

        @Override
        public void putBatch(String prefix, List<Media> batch) {
            // the server puts a batch's new blobs all at once (MediaSync.storeNewBlobs); so does this
            CompletableFuture.allOf(batch.stream()
                    .map(m -> client.putObject(b -> b.bucket(bucket).key("raw/" + prefix + "/" + m.sha1()).contentLength(m.size()),
                            AsyncRequestBody.fromFile(m.path())))
                    .toArray(CompletableFuture[]::new)).join();
        }

        /** As a stream copied to the file: several times faster here than the SDK's toFile transformer. */
        @Override
        public void get(String prefix, Media file, Path target) throws IOException {
            try (InputStream in = client.getObject(b -> b.bucket(bucket).key("raw/" + prefix + "/" + file.sha1()),
                    AsyncResponseTransformer.toBlockingInputStream()).join()) {
                Files.copy(in, target);
            }
        }
    }

    /**
     * The server's own blob store object, called as MediaSync calls it: a batch's puts at once,
     * reads one after another. Its user ids are far from the server's users.
     */
    static final class StoreAlone implements RawStore {
        private final MediaBlobStore blobs;
        private final Map<String, Long> userIds = new HashMap<>();

        StoreAlone(MediaBlobStore blobs) {
            this.blobs = blobs;
        }

        private BlobKey key(String prefix, Media m) {
            return new BlobKey(1, userIds.computeIfAbsent(prefix, p -> 1_000_000L + userIds.size()), m.sha1());
        }

        @Override
        public void putBatch(String prefix, List<Media> batch) {
            CompletableFuture.allOf(batch.stream().map(m -> blobs.put(key(prefix, m), m.path()))
                    .toArray(CompletableFuture[]::new)).join();
        }

        @Override
        public void get(String prefix, Media file, Path target) throws IOException {
            try (InputStream in = blobs.open(key(prefix, file))) {
                Files.copy(in, target);
            }
        }
    }

    /** Files copied into a folder and forced to disk, as FilesystemBlobStore writes them; read back by copying. */
    record RawFiles(Path root) implements RawStore {

        @Override
        public void putBatch(String prefix, List<Media> batch) throws Exception {
            Path dir = Files.createDirectories(root.resolve(prefix));
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = new ArrayList<>();
            for (Media m : batch) {
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        Path target = dir.resolve(m.sha1());
                        Files.copy(m.path(), target);
                        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE)) {
                            channel.force(true);
                        }
                    } catch (Throwable e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            if (!failures.isEmpty()) {
                throw new IOException("raw write failed", failures.getFirst());
            }
        }

        @Override
        public void get(String prefix, Media file, Path target) throws IOException {
            Files.copy(root.resolve(prefix).resolve(file.sha1()), target);
        }
    }

    // ---- measuring ----

    interface TimedAction {
        /** @return the nanoseconds to count: the action leaves out its untimed checks */
        long run() throws Exception;
    }

    /** Times the action and watches the heap meanwhile: each heap pool's peak, after a GC before the start. */
    private static Phase timed(long bytes, TimedAction action) throws Exception {
        System.gc();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        long nanos = action.run();
        long all = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        long old = heap.stream().filter(p -> p.getName().contains("Old")).mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        return new Phase(nanos / 1e9, bytes, all, old);
    }

    private static String heap(List<Phase> phases) {
        long all = phases.stream().mapToLong(Phase::peakHeap).max().orElse(0);
        long old = phases.stream().mapToLong(Phase::peakOld).max().orElse(0);
        return String.format(Locale.ROOT, "%d / %d MiB", all >> 20, old >> 20);
    }

    private static String gcNames() {
        return String.join(", ", ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).toList());
    }

    private static double medianRate(List<Phase> phases) {
        return median(phases.stream().map(Phase::mbPerSecond).toList());
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    // ---- small helpers ----

    private static InputStream open(Path file) {
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Counts the bytes read through it, to compare with {@code anki-original-size}. */
    private static final class CountingStream extends java.io.FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }
}
