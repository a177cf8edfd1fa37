package dev.deckhand.media.sync;

import dev.deckhand.payload.ScratchFiles;
import dev.deckhand.media.blob.BlobKey;
import dev.deckhand.media.blob.MediaBlobStore;
import dev.deckhand.protocol.MediaLimits;
import dev.deckhand.protocol.SyncJson;
import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.store.account.AuthenticatedUser;
import dev.deckhand.store.media.MediaIndexStore;
import dev.deckhand.store.media.MediaIndexStore.LockedIndex;
import dev.deckhand.store.media.MediaIndexStore.MediaFile;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Media sync for one user at a time: the change list, uploads, downloads and the sanity check,
 * over the media index in PostgreSQL and the blob store.
 *
 * <p>Blobs are keyed by content, so several names may share one. Every change to a user's index
 * and blobs runs under the user's media lock: an upload stores new blobs before it records the
 * names that use them, and a blob is deleted only after the commit and only if, checked again
 * under the lock, no live name still uses it. A crash can leave an unused blob behind, never a
 * name without its bytes.
 */
public final class MediaSync {

    private static final Logger log = LoggerFactory.getLogger(MediaSync.class);

    private final MediaIndexStore index;
    private final MediaBlobStore blobs;
    private final long quotaBytes;
    private final Path scratchRoot;

    /**
     * @param quotaBytes  the most bytes of live media a user may have; 0 for no limit
     * @param scratchRoot where uploads are unpacked and downloads built
     */
    public MediaSync(MediaIndexStore index, MediaBlobStore blobs, long quotaBytes, Path scratchRoot) {
        if (quotaBytes < 0) {
            throw new IllegalArgumentException("the media quota cannot be negative: " + quotaBytes);
        }
        this.index = index;
        this.blobs = blobs;
        this.quotaBytes = quotaBytes;
        this.scratchRoot = scratchRoot;
    }

    /** {@code [name, usn, sha1 or ""]} of each change after {@code lastUsn}, oldest first, at most 1000. */
    public Mono<List<List<Object>>> changes(long userId, int lastUsn) {
        return index.changesSince(userId, lastUsn, MediaLimits.CHANGES_PER_REPLY)
                .map(f -> List.<Object>of(f.name(), f.usn(), f.sha1()))
                .collectList();
    }

    /** {@code OK} when the client has as many files as the server, else {@code mediaSanity}. */
    public Mono<String> sanity(long userId, long clientFiles) {
        return index.liveFileCount(userId).map(count -> count == clientFiles ? "OK" : "mediaSanity");
    }

    /** What an upload did: entries handled (all of them) and the media usn after it. */
    public record UploadResult(int processed, int usn) {}

    /** Receives one upload batch: unpacks it with {@code unpack} into a scratch folder, then applies it. */
    public Mono<UploadResult> upload(AuthenticatedUser user, Unpacker unpack) {
        return Mono.usingWhen(
                Mono.fromCallable(() -> ScratchFiles.newFolder(scratchRoot, "media-upload-"))
                        .subscribeOn(Schedulers.boundedElastic()),
                folder -> Mono.fromCallable(() -> unpack.into(folder)).subscribeOn(Schedulers.boundedElastic())
                        .flatMap(batch -> apply(user, batch)),
                folder -> Mono.fromRunnable(() -> ScratchFiles.deleteQuietly(folder))
                        .subscribeOn(Schedulers.boundedElastic()));
    }

    /** Unpacks an upload into the given folder. */
    @FunctionalInterface
    public interface Unpacker {
        UploadBatch into(Path folder) throws IOException;
    }

    private Mono<UploadResult> apply(AuthenticatedUser user, UploadBatch batch) {
        return index.locked(user.userId(), locked -> plan(locked, batch)
                        .flatMap(plan -> storeNewBlobs(user, locked, plan)
                                .then(locked.recordAll(plan.records()))
                                .thenReturn(plan)))
                // after the commit: the replaced blobs may be unused now
                .flatMap(plan -> deleteUnused(user, plan.replacedSha1s())
                        .thenReturn(new UploadResult(batch.changes().size(), plan.usn())));
    }

    /** What one batch does to the index, worked out under the lock. */
    private record Plan(List<MediaFile> records, Map<String, Path> newContent, Set<String> replacedSha1s, int usn) {}

    private Mono<Plan> plan(LockedIndex locked, UploadBatch batch) {
        List<String> names = batch.changes().stream().map(UploadBatch.Change::name).toList();
        return Mono.zip(locked.files(names), locked.currentUsn(), locked.liveBytes()).map(state -> {
            Map<String, MediaFile> files = state.getT1();
            int usn = state.getT2();
            long bytesBefore = state.getT3();
            long bytes = bytesBefore;
            List<MediaFile> records = new ArrayList<>();
            Map<String, Path> newContent = new LinkedHashMap<>();
            Set<String> replaced = new HashSet<>();
            for (UploadBatch.Change change : batch.changes()) {
                MediaFile current = files.get(change.name());
                boolean present = current != null && !current.deleted();
                if (change.file() == null) {
                    if (!present) {
                        continue; // already deleted: nothing changes, no usn taken
                    }
                    records.add(new MediaFile(change.name(), "", 0, ++usn));
                    replaced.add(current.sha1());
                    bytes -= current.size();
                } else {
                    UploadBatch.Spooled file = change.file();
                    if (present && current.sha1().equals(file.sha1())) {
                        continue; // identical
                    }
                    records.add(new MediaFile(change.name(), file.sha1(), file.size(), ++usn));
                    newContent.putIfAbsent(file.sha1(), file.path());
                    if (present) {
                        replaced.add(current.sha1());
                        bytes -= current.size();
                    }
                    bytes += file.size();
                }
            }
            // a batch that frees space is always welcome, even above the quota
            if (quotaBytes > 0 && bytes > quotaBytes && bytes > bytesBefore) {
                throw new MediaQuotaExceededException(quotaBytes, bytes);
            }
            replaced.removeAll(newContent.keySet());
            return new Plan(records, newContent, replaced, usn);
        });
    }

    /** Puts the blobs of new content that no live name of the user has yet, all at once. */
    private Mono<Void> storeNewBlobs(AuthenticatedUser user, LockedIndex locked, Plan plan) {
        return locked.inUse(plan.newContent().keySet()).flatMap(existing -> Flux.fromIterable(plan.newContent().entrySet())
                .filter(e -> !existing.contains(e.getKey()))
                .flatMap(e -> Mono.fromFuture(() -> blobs.put(key(user, e.getKey()), e.getValue())))
                .then());
    }

    /** After a commit: deletes the blobs among {@code candidates} that no live name uses any more. */
    private Mono<Void> deleteUnused(AuthenticatedUser user, Set<String> candidates) {
        if (candidates.isEmpty()) {
            return Mono.empty();
        }
        return index.locked(user.userId(), locked -> locked.inUse(candidates)
                        .flatMap(used -> Flux.fromIterable(candidates)
                                .filter(sha1 -> !used.contains(sha1))
                                .flatMap(sha1 -> Mono.fromFuture(() -> blobs.delete(key(user, sha1))))
                                .then()))
                // the upload itself succeeded: an unused blob left behind costs space, not data
                .onErrorResume(e -> {
                    log.warn("user {}: could not delete unused media blobs: {}", user.userId(), e.toString());
                    return Mono.empty();
                });
    }

    /** A built download zip, to stream out and then delete with its folder. */
    public record DownloadZip(Path file, Path folder) {}

    /**
     * Builds the zip answering {@code downloadFiles}: entries "0", "1"… with the named files in
     * request order, stopping after the file that takes the zip past 2.5 MiB, and a {@code _meta}
     * object mapping entry to name. A name the server does not have (or has deleted) is a
     * conflict, as in Anki's server.
     */
    public Mono<DownloadZip> download(AuthenticatedUser user, List<String> names) {
        if (names.size() > MediaLimits.FILES_PER_BATCH) {
            return Mono.error(SyncProtocolException.badRequest("downloadFiles asks for " + names.size()
                    + " files; the limit is " + MediaLimits.FILES_PER_BATCH));
        }
        return index.files(user.userId(), names).flatMap(files -> {
            List<MediaFile> wanted = new ArrayList<>();
            for (String name : names) {
                MediaFile file = files.get(name);
                if (file == null || file.deleted()) {
                    return Mono.error(SyncProtocolException.conflict("media file " + MediaNames.printable(name)
                            + " is not on the server"));
                }
                wanted.add(file);
            }
            return Mono.fromCallable(() -> buildZip(user, wanted)).subscribeOn(Schedulers.boundedElastic());
        });
    }

    private DownloadZip buildZip(AuthenticatedUser user, List<MediaFile> requested) throws IOException {
        List<MediaFile> files = prefixToSend(requested);
        Path folder = ScratchFiles.newFolder(scratchRoot, "media-download-");
        try {
            List<Path> fetched = files.size() > 1 ? fetchAll(user, files, folder) : null;
            Path zipFile = folder.resolve("download.zip");
            // buffered: the zip stream writes its deflater's output 512 bytes at a time, each a system call
            try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(zipFile), 1 << 16))) {
                // the response is zstd-compressed as a whole; deflating the entries too would only cost time
                zip.setLevel(Deflater.NO_COMPRESSION);
                Map<String, String> meta = new HashMap<>();
                for (int i = 0; i < files.size(); i++) {
                    zip.putNextEntry(new ZipEntry(Integer.toString(i)));
                    try (InputStream blob = fetched != null ? Files.newInputStream(fetched.get(i)) : open(user, files.get(i))) {
                        blob.transferTo(zip);
                    }
                    zip.closeEntry();
                    meta.put(Integer.toString(i), files.get(i).name());
                }
                zip.putNextEntry(new ZipEntry("_meta"));
                zip.write(SyncJson.write(meta));
                zip.closeEntry();
            }
            return new DownloadZip(zipFile, folder);
        } catch (IOException | RuntimeException e) {
            ScratchFiles.deleteQuietly(folder);
            throw e;
        }
    }

    /** The files a download answers with: in request order, up to the one that takes the zip past 2.5 MiB. */
    private static List<MediaFile> prefixToSend(List<MediaFile> requested) {
        long total = 0;
        int n = 0;
        while (n < requested.size() && total <= MediaLimits.DOWNLOAD_ZIP_TARGET_BYTES) {
            total += requested.get(n++).size();
        }
        return requested.subList(0, n);
    }

    /**
     * Copies several blobs into the scratch folder at once: one after another, each would cost a
     * whole round trip to the store, which for small files is nearly all of the time.
     */
    private List<Path> fetchAll(AuthenticatedUser user, List<MediaFile> files, Path folder) throws IOException {
        List<Path> paths = new ArrayList<>();
        List<Future<Path>> copies = new ArrayList<>();
        try (ExecutorService fetchers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < files.size(); i++) {
                MediaFile file = files.get(i);
                Path target = folder.resolve("blob-" + i);
                copies.add(fetchers.submit(() -> {
                    try (InputStream blob = open(user, file)) {
                        Files.copy(blob, target);
                    }
                    return target;
                }));
            }
            for (Future<Path> copy : copies) {
                paths.add(copy.get());
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching media blobs", e);
        }
        return paths;
    }

    /** Opens a file's blob; a blob missing behind a live index row is a conflict, and logged. */
    private InputStream open(AuthenticatedUser user, MediaFile file) throws IOException {
        try {
            return blobs.open(key(user, file.sha1()));
        } catch (NoSuchFileException e) {
            log.error("user {}: media file {} is in the index but its blob {} is missing", user.userId(),
                    MediaNames.printable(file.name()), file.sha1());
            throw SyncProtocolException.conflict("media file " + MediaNames.printable(file.name())
                    + " is missing on the server");
        }
    }

    private static BlobKey key(AuthenticatedUser user, String sha1) {
        return new BlobKey(user.tenantId(), user.userId(), sha1);
    }
}
