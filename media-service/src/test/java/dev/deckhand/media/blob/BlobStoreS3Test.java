package dev.deckhand.media.blob;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract on a real S3 server (s3proxy in this JVM), and what is particular to S3. */
class BlobStoreS3Test extends BlobStoreContract {

    static TestS3 s3;
    static final AtomicInteger prefixes = new AtomicInteger();

    /** Each test has its own key prefix, so tests never see each other's objects. */
    String prefix;
    S3BlobStore store;

    @BeforeAll
    static void startS3() {
        s3 = TestS3.inMemory();
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @BeforeEach
    void createStore() {
        prefix = "test-" + prefixes.incrementAndGet();
        store = new S3BlobStore(s3.client(), s3.bucket(), prefix);
    }

    @Override
    MediaBlobStore store() {
        return store;
    }

    @Override
    int manyBlobs() {
        return 1100; // more than one page of 1000
    }

    @Override
    Set<String> storedKeysOf(long tenant, long user) {
        return keysUnder(prefix + "/" + BlobKey.userPrefix(tenant, user) + "/");
    }

    @Override
    MediaBlobStore storeListingInPagesOf(int pageSize) {
        return new S3BlobStore(s3.client(), s3.bucket(), prefix,
                S3BlobStore.DEFAULT_MULTIPART_THRESHOLD, S3BlobStore.DEFAULT_PART_SIZE, pageSize);
    }

    @Override
    void writeEntriesThatAreNotBlobs() {
        String sha1 = "0123456789abcdef0123456789abcdef01234567";
        for (String key : List.of("README", "t1/u1/not-a-sha1", "t1/u1/" + sha1.toUpperCase(Locale.ROOT),
                "t1/u1/" + sha1 + ".bak", "t1/u1/" + sha1 + "/more", "t01/u1/" + sha1, "t1/u01/" + sha1,
                "t0/u1/" + sha1, "t1/v1/" + sha1, "tmp/" + sha1, "t1/u1/x/" + sha1)) {
            s3.client().putObject(b -> b.bucket(s3.bucket()).key(prefix + "/" + key), AsyncRequestBody.fromString("x")).join();
        }
        // beside the prefix, not under it
        s3.client().putObject(b -> b.bucket(s3.bucket()).key(prefix + "0/t1/u1/" + sha1), AsyncRequestBody.fromString("x")).join();
    }

    @Test
    void aListingAsksForOnePageOfKeysPerRequest() throws Exception {
        List<SdkRequest> requests = new ArrayList<>();
        S3AsyncClient counting = clientThat(r -> {
            synchronized (requests) {
                requests.add(r);
            }
        });
        S3BlobStore paged = new S3BlobStore(counting, s3.bucket(), prefix,
                S3BlobStore.DEFAULT_MULTIPART_THRESHOLD, S3BlobStore.DEFAULT_PART_SIZE, 7);
        Content c = file(3, 34);
        for (int i = 0; i < 30; i++) {
            paged.put(key(1, 1, i), c.path()).get();
        }
        synchronized (requests) {
            requests.clear();
        }

        assertThat(listPages(paged)).extracting(List::size).containsExactly(7, 7, 7, 7, 2);

        assertThat(requests).filteredOn(r -> r instanceof ListObjectsV2Request).hasSize(5)
                .allSatisfy(r -> assertThat(((ListObjectsV2Request) r).maxKeys()).isEqualTo(7))
                .allSatisfy(r -> assertThat(((ListObjectsV2Request) r).prefix()).isEqualTo(prefix + "/t"));
    }

    @Test
    void aListingPassesOverPagesOfStrangers() throws Exception {
        S3BlobStore paged = new S3BlobStore(s3.client(), s3.bucket(), prefix,
                S3BlobStore.DEFAULT_MULTIPART_THRESHOLD, S3BlobStore.DEFAULT_PART_SIZE, 2);
        Content c = file(3, 35);
        // keys sort as t1/u1/<sha1>, then the strangers t1/u1/x..., then t1/u2/<sha1>
        paged.put(key(1, 1, 0), c.path()).get();
        for (int i = 0; i < 5; i++) {
            String stranger = prefix + "/t1/u1/x" + i;
            s3.client().putObject(b -> b.bucket(s3.bucket()).key(stranger), AsyncRequestBody.fromString("x")).join();
        }
        paged.put(key(1, 2, 0), c.path()).get();
        assertThat(listPages(paged)).extracting(page -> page.stream().map(StoredBlob::key).toList())
                .containsExactly(List.of(key(1, 1, 0)), List.of(key(1, 2, 0)));
    }

    private Set<String> keysUnder(String keyPrefix) {
        Set<String> keys = new HashSet<>();
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = s3.client().listObjectsV2(b -> b.bucket(s3.bucket()).prefix(keyPrefix)
                    .continuationToken(t)).join();
            page.contents().stream().map(S3Object::key).forEach(keys::add);
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return keys;
    }

    /** Unfinished multipart uploads under this test's prefix. */
    private List<MultipartUpload> uploadsInProgress() {
        return s3.client().listMultipartUploads(b -> b.bucket(s3.bucket()).prefix(prefix + "/")).join().uploads();
    }

    /** Runs {@code action} before each request the client sends. */
    private static S3AsyncClient clientThat(Consumer<SdkRequest> action) {
        return s3.newClient(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                action.accept(context.request());
            }
        }));
    }

    @Test
    void objectKeysAreThePrefixThenTenantUserSha1() throws Exception {
        Content c = file(10, 20);
        new S3BlobStore(s3.client(), s3.bucket(), "/deep/media/").put(c.key(3, 14), c.path()).get();
        new S3BlobStore(s3.client(), s3.bucket(), "").put(c.key(3, 15), c.path()).get();
        assertThat(keysUnder("deep/")).containsExactly("deep/media/t3/u14/" + c.sha1());
        assertThat(keysUnder("t3/")).containsExactly("t3/u15/" + c.sha1());
    }

    @Test
    void filesAboveTheThresholdGoUpInPartsAndSmallerOnesInOnePut() throws Exception {
        Content large = file(17L * MIB, 21);   // 8 + 8 + 1 MiB
        Content limit = file(16L * MIB, 22);   // exactly the threshold: one PUT
        store.put(large.key(1, 1), large.path()).get();
        store.put(limit.key(1, 1), limit.path()).get();
        // S3 gives a multipart object the ETag "<md5 of part md5s>-<parts>"
        assertThat(eTag(large.key(1, 1))).endsWith("-3\"");
        assertThat(eTag(limit.key(1, 1))).doesNotContain("-");
        assertThat(readSha1(large.key(1, 1))).isEqualTo(large.sha1());
        assertThat(uploadsInProgress()).isEmpty();
    }

    private String eTag(BlobKey key) {
        return s3.client().headObject(b -> b.bucket(s3.bucket()).key(store.objectKey(key))).join().eTag();
    }

    @Test
    void aSourceFileCutShortDuringAMultipartUploadLeavesNoObjectAndNoUpload() throws Exception {
        Content c = file(20L * MIB, 23);
        AtomicReference<String> uploadId = new AtomicReference<>();
        S3AsyncClient cutting = clientThat(request -> {
            if (request instanceof UploadPartRequest part && part.partNumber() == 2) {
                uploadId.set(part.uploadId());
                try (FileChannel file = FileChannel.open(c.path(), StandardOpenOption.WRITE)) {
                    file.truncate(9L * MIB); // part 2 (8..16 MiB) now runs past the end
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        S3BlobStore cut = new S3BlobStore(cutting, s3.bucket(), prefix);
        BlobKey key = c.key(1, 1);

        assertThatThrownBy(() -> cut.put(key, c.path()).get())
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IOException.class)
                .hasMessageContaining("cannot store " + c.path())
                .hasMessageContaining("s3://" + s3.bucket() + "/" + cut.objectKey(key));

        assertThat(uploadId.get()).as("the upload reached part 2").isNotNull();
        assertThat(uploadsInProgress()).as("aborted, not left dangling").isEmpty();
        assertThatThrownBy(() -> s3.client().headObject(b -> b.bucket(s3.bucket()).key(cut.objectKey(key))).join())
                .cause().isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void danglingUploadsWouldBeSeen() {
        // the check above means something only if the server lists unfinished uploads
        String id = s3.client().createMultipartUpload(b -> b.bucket(s3.bucket()).key(prefix + "/dangling")).join().uploadId();
        assertThat(uploadsInProgress()).extracting(MultipartUpload::uploadId).containsExactly(id);
        s3.client().abortMultipartUpload(b -> b.bucket(s3.bucket()).key(prefix + "/dangling").uploadId(id)).join();
        assertThat(uploadsInProgress()).isEmpty();
    }

    @Test
    void aMissingBucketFailsEveryCallWithItsName() throws Exception {
        S3BlobStore nowhere = new S3BlobStore(s3.client(), "no-such-bucket", "media");
        Content small = file(100, 24);
        Content large = file(17L * MIB, 25);
        for (Content c : List.of(small, large)) {
            assertThatThrownBy(() -> nowhere.put(c.key(1, 1), c.path()).get())
                    .cause().isInstanceOf(IOException.class)
                    .hasMessageContaining("s3://no-such-bucket/media/t1/u1/" + c.sha1());
        }
        // not taken for an absent blob: that would hide a broken configuration
        assertThatThrownBy(() -> nowhere.open(small.key(1, 1)))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("no-such-bucket");
        assertThatThrownBy(() -> nowhere.deleteUser(1, 1).get()).cause().isInstanceOf(IOException.class);
    }

    @Test
    void deleteUserListsAndDeletesPageByPage() throws Exception {
        List<SdkRequest> requests = new ArrayList<>();
        S3AsyncClient counting = clientThat(r -> {
            synchronized (requests) {
                requests.add(r);
            }
        });
        S3BlobStore paged = new S3BlobStore(counting, s3.bucket(), prefix,
                S3BlobStore.DEFAULT_MULTIPART_THRESHOLD, S3BlobStore.DEFAULT_PART_SIZE, 7);
        Content c = file(3, 26);
        for (int i = 0; i < 30; i++) {
            paged.put(key(1, 1, i), c.path()).get();
        }
        paged.put(key(1, 2, 0), c.path()).get();
        synchronized (requests) {
            requests.clear();
        }

        paged.deleteUser(1, 1).get();

        assertThat(storedKeysOf(1, 1)).isEmpty();
        assertThat(storedKeysOf(1, 2)).hasSize(1);
        // 30 keys in pages of 7: 7, 7, 7, 7, 2
        assertThat(requests).filteredOn(r -> r instanceof ListObjectsV2Request).hasSize(5)
                .allSatisfy(r -> assertThat(((ListObjectsV2Request) r).maxKeys()).isEqualTo(7));
        assertThat(requests).filteredOn(r -> r instanceof DeleteObjectsRequest)
                .extracting(r -> ((DeleteObjectsRequest) r).delete().objects().size())
                .containsExactly(7, 7, 7, 7, 2);
    }

    @Test
    void tuningOutsideS3sLimitsIsRefused() {
        assertThatThrownBy(() -> new S3BlobStore(s3.client(), s3.bucket(), "", 16L << 20, 1L << 20, 1000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new S3BlobStore(s3.client(), s3.bucket(), "", 16L << 20, 8L << 20, 1001))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new S3BlobStore(s3.client(), " ", ""))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
