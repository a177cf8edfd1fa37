package dev.deckhand.media.cleanup;

import dev.deckhand.media.blob.BlobKey;
import dev.deckhand.media.blob.MediaBlobStore;
import dev.deckhand.media.blob.S3BlobStore;
import dev.deckhand.media.blob.TestS3;
import dev.deckhand.store.account.AuthenticatedUser;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Deletion and the sweep with blobs in an S3-compatible server (s3proxy, in this JVM). */
class MediaCleanupOnS3Test extends MediaCleanupContract {

    static TestS3 s3;
    private static int stores;

    @BeforeAll
    static void startS3() {
        s3 = TestS3.inMemory();
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    String prefix;

    @Override
    MediaBlobStore newStore(int pageSize) {
        prefix = "cleanup-" + (++stores);
        return storeWith(s3.client(), pageSize);
    }

    private S3BlobStore storeWith(S3AsyncClient client, int pageSize) {
        return new S3BlobStore(client, s3.bucket(), prefix, S3BlobStore.DEFAULT_MULTIPART_THRESHOLD,
                S3BlobStore.DEFAULT_PART_SIZE, pageSize);
    }

    /** The same bucket and prefix through a client that refuses the requests {@code refused} picks. */
    private S3BlobStore storeRefusing(Predicate<SdkRequest> refused) {
        return storeWith(s3.newClient(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (refused.test(context.request())) {
                    throw new IllegalStateException("refused by the test");
                }
            }
        })), 3);
    }

    private static boolean deletes(SdkRequest request) {
        return request instanceof DeleteObjectsRequest || request instanceof DeleteObjectRequest;
    }

    @Test
    void blobsThatCannotBeDeletedLeaveTheUserDeletedAndTheSweepRemovesThemLater() throws Exception {
        AuthenticatedUser ann = newUser();
        AuthenticatedUser ben = newUser();
        BlobKey annsBlob = upload(ann, "a.jpg", content());
        BlobKey bensBlob = upload(ben, "b.jpg", content());
        UserDeletion failing = new UserDeletion(accounts, storeRefusing(MediaCleanupOnS3Test::deletes));

        assertThatThrownBy(() -> failing.deleteUser(ann.username()).block())
                .isInstanceOfSatisfying(UserDeletion.BlobsLeftBehindException.class, e -> {
                    assertThat(e.user().userId()).isEqualTo(ann.userId());
                    assertThat(e).hasMessageContaining("'" + ann.username() + "' is deleted")
                            .hasMessageContaining("refused by the test");
                });
        assertThat(accounts.listUsers().map(u -> u.username()).collectList().block()).doesNotContain(ann.username());
        assertThat(indexRows(ann)).isZero();
        assertThat(listed()).containsExactlyInAnyOrder(annsBlob, bensBlob);

        assertThat(sweep.sweep(EVERYTHING_OLD).block().ofDeletedUsers()).containsExactly(annsBlob);
        assertThat(listed()).containsExactly(bensBlob);
    }

    @Test
    void aUserWhoseBlobsCannotBeDeletedIsCountedAndTheOthersAreStillSwept() throws Exception {
        AuthenticatedUser ann = newUser();
        AuthenticatedUser ben = newUser();
        BlobKey annsStray = strayBlob(ann, content());
        BlobKey bensStray = strayBlob(ben, content());
        String annsKeys = prefix + "/" + BlobKey.userPrefix(ann.tenantId(), ann.userId()) + "/";
        UnusedBlobSweep refusingAnn = new UnusedBlobSweep(storeRefusing(r ->
                r instanceof DeleteObjectRequest d && d.key().startsWith(annsKeys)), index, references);

        UnusedBlobSweep.Result result = refusingAnn.sweep(EVERYTHING_OLD).block();

        assertThat(result.usersFailed()).isEqualTo(1);
        assertThat(result.unused()).containsExactly(bensStray);
        assertThat(listed()).containsExactly(annsStray);
        // and the next sweep, with the store working again, takes it
        assertThat(sweep.sweep(EVERYTHING_OLD).block().unused()).isEqualTo(List.of(annsStray));
    }
}
