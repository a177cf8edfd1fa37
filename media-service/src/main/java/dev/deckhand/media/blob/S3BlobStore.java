package dev.deckhand.media.blob;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Blobs as objects in an S3-compatible bucket: {@code <prefix>/t<tenant>/u<user>/<sha1>}.
 *
 * <p>Files are streamed from disk, never held in memory. Files above the multipart threshold
 * are sent in parts by hand with the plain client: the SDK's own multipart helpers send requests
 * some S3-compatible servers (s3proxy) refuse. An object appears only when its single PUT or its
 * CompleteMultipartUpload succeeds, so readers never see part of a blob.
 */
public final class S3BlobStore implements MediaBlobStore {

    public static final long DEFAULT_MULTIPART_THRESHOLD = 16L << 20;
    public static final long DEFAULT_PART_SIZE = 8L << 20;
    /** S3's limits: every part but the last at least 5 MiB; at most 1000 keys per list or delete. */
    static final long MIN_PART_SIZE = 5L << 20;
    static final int MAX_PAGE_SIZE = 1000;
    private static final int MAX_PARTS = 10_000;

    private final S3AsyncClient client;
    private final String bucket;
    private final String keyPrefix;
    private final long multipartThreshold;
    private final long partSize;
    private final int pageSize;

    /**
     * @param keyPrefix folder of all blobs in the bucket, without leading or trailing slash
     *                  (they are stripped); empty for the bucket's top level. The client stays
     *                  the caller's to close.
     */
    public S3BlobStore(S3AsyncClient client, String bucket, String keyPrefix) {
        this(client, bucket, keyPrefix, DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE, MAX_PAGE_SIZE);
    }

    /** With tuning: multipart above {@code multipartThreshold} bytes, and list/delete pages of {@code pageSize} keys. */
    public S3BlobStore(S3AsyncClient client, String bucket, String keyPrefix,
                       long multipartThreshold, long partSize, int pageSize) {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("an S3 bucket name is required");
        }
        if (partSize < MIN_PART_SIZE || multipartThreshold < partSize) {
            throw new IllegalArgumentException("parts must be at least 5 MiB and the threshold at least one part: "
                    + multipartThreshold + ", " + partSize);
        }
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("page size must be 1 to 1000, not " + pageSize);
        }
        this.client = client;
        this.bucket = bucket;
        this.keyPrefix = stripSlashes(keyPrefix == null ? "" : keyPrefix);
        this.multipartThreshold = multipartThreshold;
        this.partSize = partSize;
        this.pageSize = pageSize;
    }

    private static String stripSlashes(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && s.charAt(from) == '/') {
            from++;
        }
        while (to > from && s.charAt(to - 1) == '/') {
            to--;
        }
        return s.substring(from, to);
    }

    public String bucket() {
        return bucket;
    }

    /** The object key of a blob. */
    public String objectKey(BlobKey key) {
        return withPrefix(key.relativePath());
    }

    private String withPrefix(String relative) {
        return keyPrefix.isEmpty() ? relative : keyPrefix + "/" + relative;
    }

    private String describe(String objectKey) {
        return "s3://" + bucket + "/" + objectKey;
    }

    @Override
    public CompletableFuture<Void> put(BlobKey key, Path file) {
        String objectKey = objectKey(key);
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        // started inside a stage, so that anything the SDK throws ends in the returned future
        CompletableFuture<Void> upload = CompletableFuture.<Void>completedFuture(null).thenCompose(x ->
                size > multipartThreshold
                        ? putMultipart(objectKey, file, size)
                        : client.putObject(b -> b.bucket(bucket).key(objectKey).contentLength(size),
                                AsyncRequestBody.fromFile(file)).thenApply(r -> null));
        return failWith(upload, "cannot store " + file + " as " + describe(objectKey));
    }

    private CompletableFuture<Void> putMultipart(String objectKey, Path file, long size) {
        long parts = (size + partSize - 1) / partSize;
        if (parts > MAX_PARTS) {
            return CompletableFuture.failedFuture(new IOException(
                    "file of " + size + " bytes needs more than " + MAX_PARTS + " parts of " + partSize));
        }
        // CRC32 named at the start: S3 refuses part checksums that the upload did not announce
        return client.createMultipartUpload(b -> b.bucket(bucket).key(objectKey).checksumAlgorithm(ChecksumAlgorithm.CRC32))
                .thenCompose(created -> {
                    String uploadId = created.uploadId();
                    return CompletableFuture.<Void>completedFuture(null)
                            .thenCompose(x -> uploadParts(objectKey, uploadId, file, size, 1, new ArrayList<>()))
                            .thenCompose(done -> client.completeMultipartUpload(b -> b.bucket(bucket).key(objectKey)
                                    .uploadId(uploadId).multipartUpload(u -> u.parts(done))))
                            .<Void>thenApply(r -> null)
                            .exceptionallyCompose(e -> abort(objectKey, uploadId, e));
                });
    }

    /** Parts one after another: a large media file is rare, and many files are stored at once. */
    private CompletableFuture<List<CompletedPart>> uploadParts(String objectKey, String uploadId, Path file,
                                                               long size, int number, List<CompletedPart> done) {
        long offset = (number - 1) * partSize;
        if (offset >= size) {
            return CompletableFuture.completedFuture(done);
        }
        long length = Math.min(partSize, size - offset);
        AsyncRequestBody body = AsyncRequestBody.fromFile(f -> f.path(file).position(offset).numBytesToRead(length));
        return client.uploadPart(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId).partNumber(number)
                        .contentLength(length).checksumAlgorithm(ChecksumAlgorithm.CRC32), body)
                .thenCompose(r -> {
                    done.add(CompletedPart.builder().partNumber(number).eTag(r.eTag())
                            .checksumCRC32(r.checksumCRC32()).build());
                    return uploadParts(objectKey, uploadId, file, size, number + 1, done);
                });
    }

    /** Aborts the upload (so no parts are left billed and listed), then fails with the original cause. */
    private CompletableFuture<Void> abort(String objectKey, String uploadId, Throwable cause) {
        Throwable original = unwrap(cause);
        return client.abortMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId))
                .handle((r, abortFailure) -> {
                    if (abortFailure != null) {
                        original.addSuppressed(new IOException("and the multipart upload " + uploadId
                                + " could not be aborted", unwrap(abortFailure)));
                    }
                    throw new CompletionException(original);
                });
    }

    @Override
    public InputStream open(BlobKey key) throws IOException {
        String objectKey = objectKey(key);
        CompletableFuture<ResponseInputStream<GetObjectResponse>> response = client.getObject(
                b -> b.bucket(bucket).key(objectKey), AsyncResponseTransformer.toBlockingInputStream());
        try {
            // completes when the headers have arrived; the body streams as it is read
            return response.get();
        } catch (InterruptedException e) {
            response.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while opening " + describe(objectKey));
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            if (isAbsentObject(cause)) {
                NoSuchFileException absent = new NoSuchFileException(describe(objectKey));
                absent.initCause(cause);
                throw absent;
            }
            throw new IOException("cannot read " + describe(objectKey) + ": " + cause.getMessage(), cause);
        }
    }

    /** A missing key is an absent blob; a missing bucket is a configuration error and stays one. */
    private static boolean isAbsentObject(Throwable e) {
        return e instanceof NoSuchKeyException
                || (e instanceof S3Exception s3 && s3.statusCode() == 404 && !(e instanceof NoSuchBucketException)
                        && !"NoSuchBucket".equals(errorCode(s3)));
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    @Override
    public CompletableFuture<Void> delete(BlobKey key) {
        String objectKey = objectKey(key);
        // S3 answers 204 for an absent key too; some compatible servers say NoSuchKey instead
        CompletableFuture<Void> deleted = client.deleteObject(b -> b.bucket(bucket).key(objectKey))
                .<Void>thenApply(r -> null)
                .exceptionallyCompose(e -> isAbsentObject(unwrap(e))
                        ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.failedFuture(unwrap(e)));
        return failWith(deleted, "cannot delete " + describe(objectKey));
    }

    @Override
    public CompletableFuture<Void> deleteUser(long tenantId, long userId) {
        // the trailing slash keeps user 1 from matching user 10
        String prefix = withPrefix(BlobKey.userPrefix(tenantId, userId)) + "/";
        return failWith(deletePages(prefix, null), "cannot delete the blobs under " + describe(prefix));
    }

    /** One listed page is one DeleteObjects call (both at most 1000 keys), then the next page. */
    private CompletableFuture<Void> deletePages(String prefix, String continuationToken) {
        return client.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).maxKeys(pageSize)
                        .continuationToken(continuationToken))
                .thenCompose(page -> deleteListed(page).thenCompose(ignored -> Boolean.TRUE.equals(page.isTruncated())
                        ? deletePages(prefix, page.nextContinuationToken())
                        : CompletableFuture.completedFuture(null)));
    }

    private CompletableFuture<Void> deleteListed(ListObjectsV2Response page) {
        List<ObjectIdentifier> ids = page.contents().stream()
                .map(S3Object::key)
                .map(k -> ObjectIdentifier.builder().key(k).build())
                .toList();
        if (ids.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return client.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(ids).quiet(true)))
                .thenCompose(S3BlobStore::failOnErrors);
    }

    private static CompletableFuture<Void> failOnErrors(DeleteObjectsResponse response) {
        if (!response.hasErrors() || response.errors().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        S3Error first = response.errors().getFirst();
        return CompletableFuture.failedFuture(new IOException(response.errors().size() + " objects were not deleted, "
                + "the first " + first.key() + ": " + first.code() + " " + first.message()));
    }

    /**
     * Lists the objects under {@code <prefix>/t}, {@code pageSize} keys per request (S3's
     * Last-Modified is each blob's time), skipping any object whose key is not exactly a blob's.
     */
    @Override
    public BlobListing list() {
        return new Listing();
    }

    private final class Listing implements BlobListing {

        private final String listPrefix = withPrefix("t");
        private volatile String continuationToken;
        private volatile boolean over;

        @Override
        public CompletableFuture<List<StoredBlob>> nextPage() {
            return failWith(CompletableFuture.<Void>completedFuture(null).thenCompose(x -> fetch()),
                    "cannot list the blobs under " + describe(listPrefix));
        }

        /** The next request's blobs; past pages that hold none (strangers' objects) while more remain. */
        private CompletableFuture<List<StoredBlob>> fetch() {
            if (over) {
                return CompletableFuture.completedFuture(List.of());
            }
            String token = continuationToken;
            return client.listObjectsV2(b -> b.bucket(bucket).prefix(listPrefix).maxKeys(pageSize).continuationToken(token))
                    .thenCompose(page -> {
                        continuationToken = page.nextContinuationToken();
                        over = !Boolean.TRUE.equals(page.isTruncated()) || continuationToken == null;
                        List<StoredBlob> blobs = new ArrayList<>();
                        for (S3Object object : page.contents()) {
                            blobOf(object).ifPresent(blobs::add);
                        }
                        return blobs.isEmpty() ? fetch() : CompletableFuture.completedFuture(blobs);
                    });
        }

        @Override
        public void close() {
            over = true; // nothing is held open between requests
        }
    }

    private Optional<StoredBlob> blobOf(S3Object object) {
        String objectKey = object.key();
        String relative = keyPrefix.isEmpty() ? objectKey
                : objectKey.startsWith(keyPrefix + "/") ? objectKey.substring(keyPrefix.length() + 1) : "";
        return BlobKey.fromRelativePath(relative)
                .filter(key -> objectKey(key).equals(objectKey))
                .map(key -> new StoredBlob(key, object.lastModified()));
    }

    /** Fails with an IOException naming what was being done, its cause the SDK's exception. */
    private static <T> CompletableFuture<T> failWith(CompletableFuture<T> future, String what) {
        return future.exceptionallyCompose(e -> {
            Throwable cause = unwrap(e);
            return CompletableFuture.failedFuture(new IOException(what + ": " + cause.getMessage(), cause));
        });
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
