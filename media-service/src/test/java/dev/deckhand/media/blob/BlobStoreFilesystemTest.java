package dev.deckhand.media.blob;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.assertj.core.api.InstanceOfAssertFactories;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract on a real folder, and what is particular to files. */
class BlobStoreFilesystemTest extends BlobStoreContract {

    Path root;
    FilesystemBlobStore store;

    @BeforeEach
    void createStore() {
        root = temp.resolve("media");
        store = new FilesystemBlobStore(root);
    }

    @Override
    MediaBlobStore store() {
        return store;
    }

    @Override
    int manyBlobs() {
        return 300;
    }

    @Override
    Set<String> storedKeysOf(long tenant, long user) throws Exception {
        Path dir = root.resolve(BlobKey.userPrefix(tenant, user));
        if (!Files.exists(dir)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(Path::toString).collect(Collectors.toSet());
        }
    }

    @Override
    MediaBlobStore storeListingInPagesOf(int pageSize) {
        return new FilesystemBlobStore(root, pageSize);
    }

    static final String SHA1 = "0123456789abcdef0123456789abcdef01234567";

    @Override
    void writeEntriesThatAreNotBlobs() throws Exception {
        for (String path : List.of("README", "t1/notes", "t1/u1/." + SHA1 + ".123.tmp", "t1/u1/not-a-sha1",
                "t1/u1/" + SHA1.toUpperCase(Locale.ROOT), "t1/u1/" + SHA1 + ".bak", "t01/u1/" + SHA1, "t1/u01/" + SHA1,
                "t0/u1/" + SHA1, "x1/u1/" + SHA1, "t1/v1/" + SHA1, "t1/u1/" + SHA1.substring(1) + "/" + SHA1,
                "t99999999999999999999/u1/" + SHA1)) {
            Files.createDirectories(root.resolve(path).getParent());
            Files.writeString(root.resolve(path), "not a blob");
        }
        // a folder named like a blob
        Files.createDirectories(root.resolve("t1/u2/" + SHA1));
    }

    @Test
    void aListingGivesEachBlobItsFilesModificationTime() throws Exception {
        Content c = file(10, 32);
        BlobKey key = c.key(1, 1);
        store.put(key, c.path()).get();
        Instant longAgo = Instant.parse("2020-02-02T10:00:00.123Z");
        Files.setLastModifiedTime(store.pathOf(key), FileTime.from(longAgo));
        assertThat(listPages(store)).singleElement().asInstanceOf(InstanceOfAssertFactories.LIST)
                .containsExactly(new StoredBlob(key, longAgo));
        // a put writes the file anew: the blob is young again
        Instant beforePut = Instant.now().minusSeconds(1);
        store.put(key, c.path()).get();
        assertThat(listPages(store).getFirst().getFirst().lastModified()).isAfter(beforePut);
    }

    @Test
    void aListingSkipsFoldersDeletedWhileItRuns() throws Exception {
        MediaBlobStore paged = storeListingInPagesOf(2);
        Content c = file(10, 33);
        for (int user = 1; user <= 3; user++) {
            for (int i = 0; i < 3; i++) {
                paged.put(key(1, user, i), c.path()).get();
            }
        }
        try (BlobListing listing = paged.list()) {
            List<StoredBlob> first = listing.nextPage().get();
            assertThat(first).hasSize(2);
            long inProgress = first.getFirst().key().userId();
            // every user but the one being listed goes, folders and all
            for (int user = 1; user <= 3; user++) {
                if (user != inProgress) {
                    paged.deleteUser(1, user).get();
                }
            }
            List<BlobKey> rest = new ArrayList<>();
            for (List<StoredBlob> page = listing.nextPage().get(); !page.isEmpty(); page = listing.nextPage().get()) {
                page.forEach(b -> rest.add(b.key()));
            }
            assertThat(rest).allSatisfy(k -> assertThat(k.userId()).isEqualTo(inProgress)).hasSize(1);
        }
    }

    @Test
    void blobsLiveAtTenantUserSha1UnderTheRoot() throws Exception {
        Content c = file(321, 11);
        store.put(c.key(3, 14), c.path()).get();
        Path expected = root.resolve("t3").resolve("u14").resolve(c.sha1());
        assertThat(store.pathOf(c.key(3, 14))).isEqualTo(expected);
        assertThat(expected).isRegularFile().hasSize(321);
    }

    @Test
    void deleteUserRemovesTheUsersFolder() throws Exception {
        Content c = file(5, 12);
        store.put(c.key(1, 1), c.path()).get();
        store.put(c.key(1, 2), c.path()).get();
        store.deleteUser(1, 1).get();
        assertThat(root.resolve("t1/u1")).doesNotExist();
        assertThat(root.resolve("t1/u2")).isDirectory();
    }

    @Test
    void noTemporaryFilesAreLeftBehind() throws Exception {
        Content c = file(10_000, 13);
        BlobKey key = c.key(1, 1);
        store.put(key, c.path()).get();
        store.put(key, c.path()).get();
        // a failed put cleans up too
        store.put(key(1, 1, 1), temp.resolve("missing")).exceptionally(e -> null).get();
        try (Stream<Path> files = Files.list(root.resolve("t1/u1"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(c.sha1());
        }
    }

    @Test
    @Timeout(120) // only against a hang if put never opens the pipe
    void midwayThroughAReplacementReadersStillGetTheOldBlob() throws Exception {
        BlobKey key = key(1, 1, 51);
        Content old = file(2 * MIB, 16);
        Content replacement = file(2 * MIB, 17);
        store.put(key, old.path()).get();
        // a named pipe holds put in the middle of its copy for as long as the test likes
        Path pipe = temp.resolve("pipe");
        assertThat(new ProcessBuilder("mkfifo", pipe.toString()).inheritIO().start().waitFor()).isZero();
        byte[] bytes = Files.readAllBytes(replacement.path());

        CompletableFuture<Void> put = store.put(key, pipe);
        try (OutputStream writer = Files.newOutputStream(pipe)) {
            // returns once put has taken all but a pipe buffer (64 KiB) of the first MiB
            writer.write(bytes, 0, MIB);
            writer.flush();
            assertThat(put).isNotDone();
            assertThat(readSha1(key)).as("read while half copied").isEqualTo(old.sha1());
            writer.write(bytes, MIB, bytes.length - MIB);
        }
        put.get();
        assertThat(readSha1(key)).isEqualTo(replacement.sha1());
    }

    @Test
    void aStreamOpenedBeforeAReplacementReadsTheOldBlobWhole() throws Exception {
        BlobKey key = key(1, 1, 50);
        Content before = file(3 * MIB, 14);
        Content after = file(MIB, 15);
        store.put(key, before.path()).get();
        try (InputStream in = store.open(key)) {
            int first = in.read();
            store.put(key, after.path()).get();
            store.delete(key).get();
            assertThat(first).isNotNegative();
            // the rename and the unlink leave an open file as it was
            assertThat(in.transferTo(OutputStream.nullOutputStream())).isEqualTo(3L * MIB - 1);
        }
    }
}
