package dev.deckhand.media.cleanup;

import dev.deckhand.media.blob.BlobKey;
import dev.deckhand.media.blob.BlobListing;
import dev.deckhand.media.blob.MediaBlobStore;
import dev.deckhand.media.blob.StoredBlob;
import dev.deckhand.store.CollectionStoreConfiguration;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.store.account.AuthenticatedUser;
import dev.deckhand.store.account.DeletedUser;
import dev.deckhand.store.media.MediaBlobReferences;
import dev.deckhand.store.media.MediaIndexStore;
import dev.deckhand.store.media.MediaIndexStore.MediaFile;
import dev.deckhand.testsupport.Sha1;
import dev.deckhand.testsupport.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deleting a user's media and sweeping unused blobs, on real PostgreSQL and each blob store
 * (subclasses). Index rows are written as an upload writes them ({@link MediaIndexStore#locked}).
 */
abstract class MediaCleanupContract {

    /** Far enough ahead that every blob counts as old; far enough back that none does. */
    static final Instant EVERYTHING_OLD = Instant.now().plus(Duration.ofDays(1));
    static final Instant NOTHING_OLD = Instant.now().minus(Duration.ofDays(1));

    private static final AtomicInteger USERS = new AtomicInteger();

    static ConfigurableApplicationContext database;
    static AccountService accounts;
    static MediaIndexStore index;
    static MediaBlobReferences references;
    static DatabaseClient db;

    @TempDir
    Path temp;

    /** A fresh store for this test alone, listing in pages of {@code pageSize}. */
    abstract MediaBlobStore newStore(int pageSize);

    MediaBlobStore store;
    UserDeletion deletion;
    UnusedBlobSweep sweep;

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import({CollectionStoreConfiguration.class, MediaBlobReferences.class})
    static class Database {}

    @BeforeAll
    static void startDatabase() {
        database = new SpringApplicationBuilder(Database.class).web(WebApplicationType.NONE)
                .properties(new java.util.HashMap<>(TestPostgres.newDatabase().springProperties())).run();
        accounts = database.getBean(AccountService.class);
        index = database.getBean(MediaIndexStore.class);
        references = database.getBean(MediaBlobReferences.class);
        db = database.getBean(DatabaseClient.class);
    }

    @AfterAll
    static void stopDatabase() {
        database.close();
    }

    @BeforeEach
    void newStoreAndServices() {
        // pages of 3: a user's blobs span several, and pages hold several users
        store = newStore(3);
        deletion = new UserDeletion(accounts, store);
        sweep = new UnusedBlobSweep(store, index, references);
    }

    // ---- helpers -----------------------------------------------------------------------------

    AuthenticatedUser newUser() {
        String name = "user" + USERS.incrementAndGet();
        accounts.addUser(name, "pw").block();
        return accounts.authenticate(accounts.login(name, "pw").block()).block();
    }

    private int contents;

    /** A file of its own content. */
    Path content() throws IOException {
        return Files.writeString(temp.resolve("content-" + contents), "media file number " + (contents++));
    }

    static BlobKey key(AuthenticatedUser user, Path content) throws IOException {
        return new BlobKey(user.tenantId(), user.userId(), Sha1.hex(Files.readAllBytes(content)));
    }

    /** As an upload stores a file: the blob, then under the lock the row that names it. */
    BlobKey upload(AuthenticatedUser user, String name, Path content) throws Exception {
        BlobKey key = key(user, content);
        store.put(key, content).get();
        record(user, new MediaFile(name, key.sha1(), Files.size(content), 0));
        return key;
    }

    /** A blob no row names, as a crash between storing it and committing leaves it. */
    BlobKey strayBlob(AuthenticatedUser user, Path content) throws Exception {
        BlobKey key = key(user, content);
        store.put(key, content).get();
        return key;
    }

    /** Records a change with the next usn, as an upload does. */
    static void record(AuthenticatedUser user, MediaFile file) {
        index.locked(user.userId(), locked -> locked.currentUsn().flatMap(usn ->
                locked.recordAll(List.of(new MediaFile(file.name(), file.sha1(), file.size(), usn + 1))))).block();
    }

    boolean exists(BlobKey key) throws IOException {
        try (InputStream in = store.open(key)) {
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    List<BlobKey> listed() throws Exception {
        List<BlobKey> keys = new ArrayList<>();
        try (BlobListing listing = store.list()) {
            for (List<StoredBlob> page = listing.nextPage().get(); !page.isEmpty(); page = listing.nextPage().get()) {
                page.forEach(b -> keys.add(b.key()));
            }
        }
        return keys;
    }

    long indexRows(AuthenticatedUser user) {
        return db.sql("select count(*) as n from media_files where user_id = :u").bind("u", user.userId())
                .map((row, meta) -> row.get("n", Long.class)).one().block();
    }

    // ---- deleting a user ---------------------------------------------------------------------

    @Test
    void deletingAUserDeletesItsRowsAndThenItsBlobsAndNobodyElses() throws Exception {
        AuthenticatedUser ann = newUser();
        AuthenticatedUser ben = newUser();
        Path shared = content();
        List<BlobKey> annsBlobs = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            annsBlobs.add(upload(ann, "ann-" + i + ".jpg", content()));
        }
        annsBlobs.add(upload(ann, "same.jpg", shared));
        BlobKey bensShared = upload(ben, "same.jpg", shared);
        BlobKey bensOwn = upload(ben, "ben.jpg", content());

        DeletedUser deleted = deletion.deleteUser(ann.username()).block();

        assertThat(deleted).isEqualTo(new DeletedUser(ann.userId(), ann.tenantId(), ann.username()));
        assertThat(indexRows(ann)).isZero();
        for (BlobKey k : annsBlobs) {
            assertThat(exists(k)).as("%s", k).isFalse();
        }
        assertThat(listed()).containsExactlyInAnyOrder(bensShared, bensOwn);
        assertThat(indexRows(ben)).isEqualTo(2);
        assertThat(accounts.listUsers().map(u -> u.username()).collectList().block())
                .doesNotContain(ann.username()).contains(ben.username());

        assertThat(deletion.deleteUser(ann.username()).blockOptional()).as("no such user any more").isEmpty();
        assertThat(listed()).containsExactlyInAnyOrder(bensShared, bensOwn);
        // a user without any media
        AuthenticatedUser cy = newUser();
        assertThat(deletion.deleteUser(cy.username()).block()).isNotNull();
    }

    @Test
    void aCrashBetweenTheCommitAndTheBlobsLeavesOnlyBlobsWhichTheSweepRemoves() throws Exception {
        AuthenticatedUser ann = newUser();
        AuthenticatedUser ben = newUser();
        BlobKey annsBlob = upload(ann, "a.jpg", content());
        BlobKey bensBlob = upload(ben, "b.jpg", content());

        // what UserDeletion does up to the crash: the rows are gone, the blobs are not
        accounts.deleteUser(ann.username()).block();
        assertThat(exists(annsBlob)).isTrue();

        UnusedBlobSweep.Result result = sweep.sweep(EVERYTHING_OLD).block();

        assertThat(result.ofDeletedUsers()).containsExactly(annsBlob);
        assertThat(result.unused()).isEmpty();
        assertThat(listed()).containsExactly(bensBlob);
    }

    // ---- the sweep ---------------------------------------------------------------------------

    @Test
    void theSweepRemovesOldBlobsThatNothingUsesAndKeepsEveryOtherOne() throws Exception {
        AuthenticatedUser ann = newUser();
        AuthenticatedUser ben = newUser();
        AuthenticatedUser gone = newUser();
        Path shared = content();

        Path usedContent = content();
        BlobKey annsUsed = upload(ann, "used.jpg", usedContent);
        BlobKey annsTwins = upload(ann, "twin-1.jpg", shared);
        record(ann, new MediaFile("twin-2.jpg", annsTwins.sha1(), Files.size(shared), 0));
        // a stray blob, and one whose name was deleted (its row stays, without a hash)
        BlobKey annsStray = strayBlob(ann, content());
        BlobKey annsDeleted = upload(ann, "deleted.jpg", content());
        record(ann, new MediaFile("deleted.jpg", "", 0, 0));
        // replaced by other content: the row names the new blob only
        BlobKey annsReplaced = upload(ann, "replaced.jpg", content());
        BlobKey annsReplacement = upload(ann, "replaced.jpg", content());
        // one twin deleted: the other still uses the blob
        record(ann, new MediaFile("twin-1.jpg", "", 0, 0));

        // ben uses the shared content; ann's blob of it is ann's own business
        BlobKey bensShared = upload(ben, "shared.jpg", shared);
        BlobKey bensStray = strayBlob(ben, content());
        // a blob under ben's id in another tenant: no name of ben ever reads it
        BlobKey otherTenant = new BlobKey(ben.tenantId() + 1, ben.userId(), annsUsed.sha1());
        store.put(otherTenant, usedContent).get();

        List<BlobKey> gonesBlobs = List.of(upload(gone, "g1.jpg", content()), upload(gone, "g2.jpg", content()),
                upload(gone, "g3.jpg", content()), upload(gone, "g4.jpg", content()));
        accounts.deleteUser(gone.username()).block(); // as if deluser had crashed before its blobs
        // and one that never had a user at all
        BlobKey nobodys = new BlobKey(1, 999_999, annsUsed.sha1());
        store.put(nobodys, usedContent).get();

        int before = listed().size();
        UnusedBlobSweep.Result result = sweep.sweep(EVERYTHING_OLD).block();

        assertThat(result.listed()).isEqualTo(before);
        assertThat(result.unused()).containsExactlyInAnyOrder(annsStray, annsDeleted, annsReplaced, bensStray);
        List<BlobKey> ofDeleted = new ArrayList<>(gonesBlobs);
        ofDeleted.add(otherTenant);
        ofDeleted.add(nobodys);
        assertThat(result.ofDeletedUsers()).containsExactlyInAnyOrderElementsOf(ofDeleted);
        assertThat(result.usersFailed()).isZero();
        assertThat(listed()).containsExactlyInAnyOrder(annsUsed, annsTwins, annsReplacement, bensShared);
        for (BlobKey kept : List.of(annsUsed, annsTwins, annsReplacement, bensShared)) {
            assertThat(exists(kept)).as("%s", kept).isTrue();
        }

        // a second sweep finds nothing more
        UnusedBlobSweep.Result again = sweep.sweep(EVERYTHING_OLD).block();
        assertThat(again.removed()).isEmpty();
        assertThat(again.listed()).isEqualTo(4);
    }

    @Test
    void youngBlobsStayWhateverTheyAre() throws Exception {
        AuthenticatedUser ann = newUser();
        AuthenticatedUser gone = newUser();
        BlobKey used = upload(ann, "used.jpg", content());
        BlobKey stray = strayBlob(ann, content());
        BlobKey gonesBlob = upload(gone, "g.jpg", content());
        accounts.deleteUser(gone.username()).block();

        UnusedBlobSweep.Result young = sweep.sweep(NOTHING_OLD).block();

        assertThat(young.removed()).isEmpty();
        assertThat(young.listed()).isEqualTo(3);
        assertThat(listed()).containsExactlyInAnyOrder(used, stray, gonesBlob);

        // the same blobs, once old, go
        assertThat(sweep.sweep(EVERYTHING_OLD).block().removed()).containsExactlyInAnyOrder(stray, gonesBlob);
        assertThat(listed()).containsExactly(used);
    }

    @Test
    void anEmptyStoreIsSweptWithoutComplaint() {
        UnusedBlobSweep.Result result = sweep.sweep(EVERYTHING_OLD).block();
        assertThat(result.listed()).isZero();
        assertThat(result.removed()).isEmpty();
    }

    /**
     * An upload holds the user's lock from storing a blob to committing the row that names it.
     * A sweep that comes between must wait for the commit and then keep the blob, although
     * nothing named it when the sweep first looked.
     */
    @Test
    void theSweepWaitsForAnUploadThatHoldsTheUsersLockAndKeepsWhatItCommitted() throws Exception {
        AuthenticatedUser ann = newUser();
        Path file = content();
        BlobKey key = key(ann, file);
        long size = Files.size(file);
        CountDownLatch stored = new CountDownLatch(1);
        Sinks.Empty<Void> commit = Sinks.empty();
        CompletableFuture<Void> upload = index.locked(ann.userId(), locked -> Mono.fromFuture(() -> store.put(key, file))
                        .then(Mono.fromRunnable(stored::countDown))
                        .then(commit.asMono())
                        .then(locked.recordAll(List.of(new MediaFile("late.jpg", key.sha1(), size, 1)))))
                .toFuture();
        assertThat(stored.await(30, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<UnusedBlobSweep.Result> sweeping = sweep.sweep(EVERYTHING_OLD).toFuture();
        awaitAdvisoryLockWaiters(1);
        assertThat(sweeping).as("the sweep waits for the user's lock").isNotDone();

        commit.tryEmitEmpty();
        upload.get(30, TimeUnit.SECONDS);
        UnusedBlobSweep.Result result = sweeping.get(30, TimeUnit.SECONDS);

        assertThat(result.removed()).isEmpty();
        assertThat(exists(key)).isTrue();
        assertThat(indexRows(ann)).isEqualTo(1);
    }

    /** Waits until this many sessions wait for an advisory lock (polling, up to 30 s). */
    static void awaitAdvisoryLockWaiters(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            long waiting = db.sql("select count(*) as n from pg_locks where locktype = 'advisory' and not granted"
                            + " and database = (select oid from pg_database where datname = current_database())")
                    .map((row, meta) -> row.get("n", Long.class)).one().block();
            if (waiting >= n) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no session waits for an advisory lock");
            }
            Thread.sleep(20);
        }
    }

    @Test
    void anUploadThatComesWhileTheSweepDeletesWaitsAndItsBlobSurvives() throws Exception {
        AuthenticatedUser ann = newUser();
        Path file = content();
        BlobKey stray = strayBlob(ann, file);
        long size = Files.size(file);
        // the sweep holds ann's lock while it deletes; an upload of the same content must wait and put it anew
        Sinks.Empty<Void> letGo = Sinks.empty();
        CountDownLatch holding = new CountDownLatch(1);
        Disposable holder = index.locked(ann.userId(), locked -> Mono.fromRunnable(holding::countDown).then(letGo.asMono()))
                .subscribe();
        assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<UnusedBlobSweep.Result> sweeping = sweep.sweep(EVERYTHING_OLD).toFuture();
        awaitAdvisoryLockWaiters(1);
        CompletableFuture<Void> upload = index.locked(ann.userId(), locked -> locked.inUse(List.of(stray.sha1()))
                        .flatMap(used -> used.isEmpty() ? Mono.fromFuture(() -> store.put(stray, file)) : Mono.empty())
                        .then(locked.recordAll(List.of(new MediaFile("now.jpg", stray.sha1(), size, 1)))))
                .toFuture();
        awaitAdvisoryLockWaiters(2);
        letGo.tryEmitEmpty();

        UnusedBlobSweep.Result result = sweeping.get(30, TimeUnit.SECONDS);
        upload.get(30, TimeUnit.SECONDS);
        holder.dispose();

        // whichever went first, the named blob is there
        assertThat(exists(stray)).isTrue();
        assertThat(indexRows(ann)).isEqualTo(1);
        assertThat(result.removed()).isSubsetOf(stray);
    }
}
