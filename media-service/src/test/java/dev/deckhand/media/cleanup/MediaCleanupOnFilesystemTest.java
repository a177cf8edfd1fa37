package dev.deckhand.media.cleanup;

import dev.deckhand.media.blob.BlobKey;
import dev.deckhand.media.blob.FilesystemBlobStore;
import dev.deckhand.media.blob.MediaBlobStore;
import dev.deckhand.store.account.AuthenticatedUser;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Deletion and the sweep with blobs in a local folder; here blob ages can be set, as file times. */
class MediaCleanupOnFilesystemTest extends MediaCleanupContract {

    private int stores;

    @Override
    MediaBlobStore newStore(int pageSize) {
        return new FilesystemBlobStore(temp.resolve("media-" + (stores++)), pageSize);
    }

    /** Makes the blob's file look written at {@code when}. */
    void writtenAt(BlobKey key, Instant when) throws Exception {
        Files.setLastModifiedTime(((FilesystemBlobStore) store).pathOf(key), FileTime.from(when));
    }

    @Test
    void onlyBlobsOlderThanTheCutoffAreSwept() throws Exception {
        Instant now = Instant.now();
        Instant twoHoursAgo = now.minus(Duration.ofHours(2));
        AuthenticatedUser ann = newUser();
        AuthenticatedUser gone = newUser();
        BlobKey oldUsed = upload(ann, "used.jpg", content());
        BlobKey oldStray = strayBlob(ann, content());
        BlobKey youngStray = strayBlob(ann, content());
        BlobKey gonesOld = upload(gone, "old.jpg", content());
        BlobKey gonesYoung = upload(gone, "young.jpg", content());
        accounts.deleteUser(gone.username()).block();
        for (BlobKey old : new BlobKey[] {oldUsed, oldStray, gonesOld}) {
            writtenAt(old, twoHoursAgo);
        }

        UnusedBlobSweep.Result result = sweep.sweep(now.minus(Duration.ofHours(1))).block();

        assertThat(result.unused()).containsExactly(oldStray);
        assertThat(result.ofDeletedUsers()).containsExactly(gonesOld);
        assertThat(listed()).containsExactlyInAnyOrder(oldUsed, youngStray, gonesYoung);
    }
}
