package dev.deckhand.media.blob;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link MediaStorageConfiguration} builds the store the properties ask for, or refuses to start. */
class BlobStorageConfigurationTest {

    static TestS3 s3;

    @TempDir
    Path temp;

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(MediaStorageConfiguration.class);

    @BeforeAll
    static void startS3() {
        s3 = TestS3.inMemory();
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @Test
    void theFilesystemStoreIsTheDefault() {
        runner.withPropertyValues("deckhand.media.filesystem.root=" + temp.resolve("media")).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(MediaBlobStore.class)).isInstanceOfSatisfying(FilesystemBlobStore.class,
                    fs -> assertThat(fs.root()).isEqualTo(temp.resolve("media")));
            // no S3 client (nor its Netty threads) for a filesystem store
            assertThat(context.getBeanFactory().containsSingleton(MediaStorageConfiguration.S3_CLIENT)).isFalse();
        });
    }

    @Test
    void theFilesystemStoreNeedsItsRoot() {
        runner.run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("deckhand.media.filesystem.root"));
    }

    @Test
    void anS3StoreTalksToTheConfiguredServer() throws Exception {
        Path file = Files.writeString(temp.resolve("a.txt"), "hello media");
        BlobKey key = new BlobKey(1, 2, "0123456789abcdef0123456789abcdef01234567");
        String[] properties = s3.springProperties("/configured/").entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        runner.withPropertyValues(properties).run(context -> {
            assertThat(context).hasNotFailed();
            MediaBlobStore store = context.getBean(MediaBlobStore.class);
            assertThat(store).isInstanceOf(S3BlobStore.class);
            store.put(key, file).get();
            try (InputStream in = store.open(key)) {
                assertThat(in.readAllBytes()).asString().isEqualTo("hello media");
            }
        });
        // seen through the harness's own client: the bucket and prefix came from the properties
        assertThat(s3.client().getObject(b -> b.bucket(s3.bucket()).key("configured/t1/u2/" + key.sha1()),
                AsyncResponseTransformer.toBytes()).join().asUtf8String()).isEqualTo("hello media");
    }

    @Test
    void wrongCredentialsAreRefusedByTheServer() {
        Map<String, String> p = new HashMap<>(s3.springProperties(""));
        p.put("deckhand.media.s3.secret-key", "not-the-secret");
        runner.withPropertyValues(p.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new))
                .run(context -> {
                    MediaBlobStore store = context.getBean(MediaBlobStore.class);
                    Path file = Files.writeString(temp.resolve("b.txt"), "x");
                    assertThatThrownBy(() ->
                            store.put(new BlobKey(1, 1, "0123456789abcdef0123456789abcdef01234567"), file).get())
                            .hasMessageContaining("403");
                });
    }

    @Test
    void s3WithoutABucketStopsTheStart() {
        runner.withPropertyValues("deckhand.media.store=s3", "deckhand.media.s3.endpoint=" + s3.endpoint(),
                        "deckhand.media.s3.region=us-east-1")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessage("deckhand.media.store=s3 needs deckhand.media.s3.bucket"));
    }

    @Test
    void anUnknownStoreStopsTheStart() {
        runner.withPropertyValues("deckhand.media.store=gcs").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("deckhand.media.store must be 'filesystem' or 's3', not 'gcs'"));
    }

    @Test
    void halfOfAKeyPairStopsTheStart() {
        runner.withPropertyValues("deckhand.media.store=s3", "deckhand.media.s3.bucket=b",
                        "deckhand.media.s3.endpoint=" + s3.endpoint(), "deckhand.media.s3.access-key=only-this")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("deckhand.media.s3.secret-key"));
    }
}
