package dev.deckhand.compat.media;

import dev.deckhand.testsupport.TestFolders;
import dev.deckhand.compat.LoopbackPort;
import dev.deckhand.compat.TiedProcess;
import dev.deckhand.testsupport.MediaS3Properties;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * S3Mock (a real S3-compatible server) in a child JVM on a free loopback port, with one bucket.
 *
 * <p>A child process because the real Anki client cannot share this JVM with an in-process S3
 * server: S3Mock is a whole Spring Boot application, and s3proxy brings protobuf-java 4, which
 * breaks the client's protobuf-javalite. The build copies the jar to {@code target/s3mock/}.
 * S3Mock does not check request signatures, so the plain HTTP reads here need no credentials.
 */
final class S3MockProcess implements AutoCloseable {

    static final String REGION = "us-east-1";
    /** Any keys do: S3Mock accepts every signature. */
    static final String ACCESS_KEY = "deckhand-compat";
    static final String SECRET_KEY = "deckhand-compat-secret";

    private static final Path JAR = Path.of("target", "s3mock", "s3mock-exec.jar").toAbsolutePath();
    /** Not a timing check: only a bound on a start that hangs, generous for a loaded 2-core machine. */
    private static final Duration START_LIMIT = Duration.ofMinutes(3);

    private final TiedProcess process;
    private final int port;
    private final String bucket;
    private final Path storeRoot;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private S3MockProcess(TiedProcess process, int port, String bucket, Path storeRoot, Path log) {
        this.process = process;
        this.port = port;
        this.bucket = bucket;
        this.storeRoot = storeRoot;
        this.log = log;
    }

    /** Starts S3Mock with {@code bucket}; its files and log go to {@code target/s3mock/<label>*}. */
    static S3MockProcess start(String label, String bucket) throws IOException, InterruptedException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: the Maven build copies it (process-test-resources)");
        }
        Path dir = JAR.getParent();
        Path storeRoot = dir.resolve(label + "-store");
        TestFolders.deleteTree(storeRoot);
        Path log = dir.resolve(label + ".log");
        int port = LoopbackPort.free();
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = List.of(
                java,
                // a small footprint next to the test JVM; the full JIT (not C1 alone, which starts
                // faster) because the scenario sends it thousands of requests
                "-XX:+UseSerialGC", "-Xmx512m",
                "-Djava.io.tmpdir=" + dir, // Tomcat's work folders stay in target/ too
                "-jar", JAR.toString(),
                "--server.address=127.0.0.1",
                "--http.port=" + port,
                "--server.port=0", // the HTTPS connector, unused: any free port
                "--com.adobe.testing.s3mock.store.root=" + storeRoot,
                "--com.adobe.testing.s3mock.store.initial-buckets=" + bucket,
                "--com.adobe.testing.s3mock.store.region=" + REGION);
        // it dies with the test JVM even if that one is killed outright
        TiedProcess process = TiedProcess.start("S3Mock", command, Map.of(), log);
        S3MockProcess s3 = new S3MockProcess(process, port, bucket, storeRoot, log);
        try {
            s3.awaitBucket();
            return s3;
        } catch (IOException | InterruptedException | RuntimeException e) {
            s3.close();
            throw e;
        }
    }

    /** Polls until the bucket is listed: the port answers only once the app has started. */
    private void awaitBucket() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (true) {
            process.requireAlive();
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(endpoint().resolve("/")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200 && answer.body().contains("<Name>" + bucket + "</Name>")) {
                    return;
                }
            } catch (ConnectException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Mock did not start within " + START_LIMIT + "; see " + log);
            }
            Thread.sleep(200);
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    String bucket() {
        return bucket;
    }

    /** Spring properties that put the server's media bytes in this bucket under {@code prefix}. */
    Map<String, String> springProperties(String prefix) {
        return MediaS3Properties.of(endpoint(), REGION, bucket, prefix, ACCESS_KEY, SECRET_KEY);
    }

    /** Every object key in the bucket that starts with {@code prefix}, as S3Mock lists them (ListObjectsV2, all pages). */
    List<String> keys(String prefix) throws IOException, InterruptedException {
        List<String> keys = new ArrayList<>();
        String token = null;
        do {
            String query = "list-type=2&prefix=" + encode(prefix) + (token == null ? "" : "&continuation-token=" + encode(token));
            Document page = xml(get(endpoint().resolve("/" + bucket + "?" + query)));
            NodeList contents = page.getElementsByTagName("Contents");
            for (int i = 0; i < contents.getLength(); i++) {
                keys.add(text((Element) contents.item(i), "Key"));
            }
            token = "true".equals(text(page.getDocumentElement(), "IsTruncated"))
                    ? text(page.getDocumentElement(), "NextContinuationToken") : null;
        } while (token != null);
        return keys;
    }

    /** The bytes of one object. */
    byte[] object(String key) throws IOException, InterruptedException {
        return get(endpoint().resolve("/" + bucket + "/" + key));
    }

    private byte[] get(URI uri) throws IOException, InterruptedException {
        HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (answer.statusCode() != 200) {
            throw new IOException("S3Mock answered " + answer.statusCode() + " to GET " + uri + ": "
                    + new String(answer.body(), StandardCharsets.UTF_8));
        }
        return answer.body();
    }

    private static Document xml(byte[] body) throws IOException {
        try {
            return DocumentBuilderFactory.newDefaultInstance().newDocumentBuilder().parse(new ByteArrayInputStream(body));
        } catch (Exception e) {
            throw new IOException("S3Mock sent no readable XML: " + new String(body, StandardCharsets.UTF_8), e);
        }
    }

    /** The text of a direct child element, or null. */
    private static String text(Element parent, String child) {
        for (var node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element e && e.getTagName().equals(child)) {
                return e.getTextContent();
            }
        }
        return null;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Stops S3Mock (forcibly if it does not stop soon) and deletes its files; the log stays. */
    @Override
    public void close() throws IOException, InterruptedException {
        http.close();
        process.close();
        TestFolders.deleteTree(storeRoot);
    }
}
