package dev.deckhand.media.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.CompletableFuture;

/**
 * Blobs as files under a local folder: {@code <root>/t<tenant>/u<user>/<sha1>}. Used by the
 * all-in-one server, and by a distributed media service only with a volume all of its instances
 * share.
 *
 * <p>Each write goes to a temporary file beside the target and is renamed over it, so a reader
 * opens either the old or the new complete blob, and concurrent writers of one key each replace
 * it whole. Work runs on a virtual thread, so callers on an event loop are not blocked.
 */
public final class FilesystemBlobStore implements MediaBlobStore {

    /** Temporary names start with a dot, which no SHA-1 name does. */
    private static final String TEMP_PREFIX = ".";

    private final Path root;

    public FilesystemBlobStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** Where the blob of {@code key} lives (whether or not it exists). */
    public Path pathOf(BlobKey key) {
        return root.resolve(key.relativePath());
    }

    @Override
    public CompletableFuture<Void> put(BlobKey key, Path file) {
        return async(() -> {
            Path target = pathOf(key);
            Path dir = Files.createDirectories(target.getParent());
            Path temp = Files.createTempFile(dir, TEMP_PREFIX + key.sha1() + ".", ".tmp");
            try {
                Files.copy(file, temp, StandardCopyOption.REPLACE_EXISTING);
                // on disk before the rename publishes it, so a crash cannot leave a short blob
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
                moveIntoPlace(temp, target);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
        });
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the media folder's file system cannot rename atomically: " + target, e);
        }
    }

    @Override
    public InputStream open(BlobKey key) throws IOException {
        // throws NoSuchFileException itself when the blob is absent
        return Files.newInputStream(pathOf(key));
    }

    @Override
    public CompletableFuture<Void> delete(BlobKey key) {
        return async(() -> Files.deleteIfExists(pathOf(key)));
    }

    @Override
    public CompletableFuture<Void> deleteUser(long tenantId, long userId) {
        return async(() -> deleteTree(root.resolve(BlobKey.userPrefix(tenantId, userId))));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                // gone meanwhile (a concurrent delete): nothing left to remove
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private interface IoAction {
        void run() throws IOException;
    }

    /** Runs file IO on a virtual thread; the future fails with the IOException itself. */
    private static CompletableFuture<Void> async(IoAction action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().name("blob-fs").start(() -> {
            try {
                action.run();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }
}
