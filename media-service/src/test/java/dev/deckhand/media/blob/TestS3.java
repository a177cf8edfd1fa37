package dev.deckhand.media.blob;

import dev.deckhand.testsupport.MediaS3Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.Constants;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * A real S3-compatible server (s3proxy) inside the test JVM on a free loopback port, with one
 * bucket, and clients for it. Close it after use.
 *
 * <p>Lives in media-service's test jar, not test-support: s3proxy brings protobuf-java 4, which
 * must stay off compat-tests' classpath (the Anki client needs protobuf-javalite).
 */
public final class TestS3 implements AutoCloseable {

    public static final String ACCESS_KEY = "deckhand-test";
    public static final String SECRET_KEY = "deckhand-test-secret";
    public static final String REGION = "us-east-1";

    private final S3Proxy proxy;
    private final String bucket;
    private final List<S3AsyncClient> clients = new ArrayList<>();
    private final S3AsyncClient client;

    private TestS3(BlobStore backend, String bucket) throws Exception {
        this.proxy = S3Proxy.builder()
                .blobStore(backend)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V4, ACCESS_KEY, SECRET_KEY)
                // the SDK sends headers s3proxy does not know (x-amz-mp-object-size and others)
                .ignoreUnknownHeaders(true)
                .stopTimeout(0)
                .build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            if ("FAILED".equals(proxy.getState())) {
                throw new IllegalStateException("s3proxy did not start");
            }
            Thread.sleep(5);
        }
        this.bucket = bucket;
        this.client = newClient(b -> {});
        client.createBucket(b -> b.bucket(bucket)).join();
    }

    /** Objects kept in memory. */
    public static TestS3 inMemory() {
        return start("transient", new Properties());
    }

    /** Objects kept as files under {@code dir}, for tests that store more than the heap should hold. */
    public static TestS3 onDisk(Path dir) {
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", dir.toAbsolutePath().toString());
        return start("filesystem", p);
    }

    private static TestS3 start(String provider, Properties p) {
        p.setProperty(Constants.PROPERTY_IDENTITY, ACCESS_KEY);
        p.setProperty(Constants.PROPERTY_CREDENTIAL, SECRET_KEY);
        try {
            return new TestS3(BlobStores.create(provider, p), "deckhand-media");
        } catch (Exception e) {
            throw new IllegalStateException("cannot start s3proxy: " + e.getMessage(), e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    public String bucket() {
        return bucket;
    }

    /** A client of this server that the harness closes; path-style, as s3proxy has no virtual hosts. */
    public S3AsyncClient client() {
        return client;
    }

    /** Another client (closed with the harness), e.g. with execution interceptors. */
    public S3AsyncClient newClient(Consumer<ClientOverrideConfiguration.Builder> override) {
        S3AsyncClient c = S3AsyncClient.builder()
                .endpointOverride(endpoint())
                .forcePathStyle(true)
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder())
                .overrideConfiguration(override)
                .build();
        synchronized (clients) {
            clients.add(c);
        }
        return c;
    }

    /** Spring properties that point {@code deckhand.media.*} at this server. */
    public Map<String, String> springProperties(String prefix) {
        return MediaS3Properties.of(endpoint(), REGION, bucket, prefix, ACCESS_KEY, SECRET_KEY);
    }

    @Override
    public void close() throws Exception {
        synchronized (clients) {
            clients.forEach(S3AsyncClient::close);
            clients.clear();
        }
        proxy.stop();
    }
}
