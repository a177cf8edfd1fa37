package dev.deckhand.media.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

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

    /** Blobs per page of a {@link #list() listing}, as on S3. */
    public static final int DEFAULT_LIST_PAGE_SIZE = 1000;

    private static final Pattern TENANT_DIR = Pattern.compile("t[1-9][0-9]*");
    private static final Pattern USER_DIR = Pattern.compile("u[1-9][0-9]*");

    private final Path root;
    private final int listPageSize;

    public FilesystemBlobStore(Path root) {
        this(root, DEFAULT_LIST_PAGE_SIZE);
    }

    /** With listings in pages of {@code listPageSize} blobs. */
    public FilesystemBlobStore(Path root, int listPageSize) {
        if (listPageSize < 1) {
            throw new IllegalArgumentException("the page size must be positive, not " + listPageSize);
        }
        this.root = root.toAbsolutePath().normalize();
        this.listPageSize = listPageSize;
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

    /**
     * Walks {@code t<tenant>/u<user>/<sha1>} one directory at a time, with at most one open
     * directory per level. Folders and files that vanish meanwhile (a concurrent delete) are
     * skipped; each blob's time is its file's mtime, which every put renews (the copy is new).
     */
    @Override
    public BlobListing list() {
        return new Listing();
    }

    private final class Listing implements BlobListing {

        /** The open directories: the root, then a tenant's, then a user's. */
        private final ArrayDeque<DirectoryStream<Path>> open = new ArrayDeque<>();
        private final ArrayDeque<Iterator<Path>> entries = new ArrayDeque<>();
        private boolean started;
        private boolean closed;

        @Override
        public CompletableFuture<List<StoredBlob>> nextPage() {
            return supplyAsync(this::fill);
        }

        private synchronized List<StoredBlob> fill() throws IOException {
            if (closed) {
                throw new IllegalStateException("the listing of " + root + " is closed");
            }
            if (!started) {
                started = true;
                enter(root);
            }
            List<StoredBlob> page = new ArrayList<>();
            while (page.size() < listPageSize && !entries.isEmpty()) {
                Path entry;
                try {
                    if (!entries.peek().hasNext()) {
                        leave();
                        continue;
                    }
                    entry = entries.peek().next();
                } catch (DirectoryIteratorException e) {
                    throw e.getCause();
                }
                String name = entry.getFileName().toString();
                switch (entries.size()) {
                    case 1 -> {
                        if (TENANT_DIR.matcher(name).matches()) {
                            enter(entry);
                        }
                    }
                    case 2 -> {
                        if (USER_DIR.matcher(name).matches()) {
                            enter(entry);
                        }
                    }
                    default -> blob(entry).ifPresent(page::add);
                }
            }
            return page;
        }

        private Optional<StoredBlob> blob(Path file) throws IOException {
            Path user = file.getParent();
            String relative = user.getParent().getFileName() + "/" + user.getFileName() + "/" + file.getFileName();
            Optional<BlobKey> key = BlobKey.fromRelativePath(relative);
            if (key.isEmpty()) {
                return Optional.empty(); // a temporary file, or a stranger
            }
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                return attributes.isRegularFile()
                        ? Optional.of(new StoredBlob(key.get(), attributes.lastModifiedTime().toInstant()))
                        : Optional.empty();
            } catch (NoSuchFileException e) {
                return Optional.empty(); // deleted meanwhile
            }
        }

        private void enter(Path dir) throws IOException {
            DirectoryStream<Path> stream;
            try {
                stream = Files.newDirectoryStream(dir);
            } catch (NoSuchFileException | NotDirectoryException e) {
                return; // no media yet, deleted meanwhile, or a stray file
            }
            open.push(stream);
            entries.push(stream.iterator());
        }

        private void leave() throws IOException {
            entries.pop();
            open.pop().close();
        }

        @Override
        public synchronized void close() {
            closed = true;
            entries.clear();
            while (!open.isEmpty()) {
                try {
                    open.pop().close();
                } catch (IOException ignored) {
                    // only a directory handle; nothing was written
                }
            }
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private interface IoCall<T> {
        T call() throws IOException;
    }

    /** Runs file IO on a virtual thread; the future fails with the IOException itself. */
    private static CompletableFuture<Void> async(IoAction action) {
        return supplyAsync(() -> {
            action.run();
            return null;
        });
    }

    private static <T> CompletableFuture<T> supplyAsync(IoCall<T> call) {
        CompletableFuture<T> done = new CompletableFuture<>();
        Thread.ofVirtual().name("blob-fs").start(() -> {
            try {
                done.complete(call.call());
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }
}
