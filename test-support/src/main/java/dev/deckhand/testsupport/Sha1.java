package dev.deckhand.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.random.RandomGenerator;

/** SHA-1 as media sync names content (lowercase hex), for tests that compare files by content. */
public final class Sha1 {

    private Sha1() {
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hex(byte[] data) {
        return HexFormat.of().formatHex(newDigest().digest(data));
    }

    /** Reads {@code in} to its end. */
    /** Name -> SHA-1 (hex) of every regular file directly in {@code folder}, e.g. a client's media folder. */
    public static Map<String, String> ofFilesIn(Path folder) {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(folder)) {
            for (Path file : (Iterable<Path>) list.filter(Files::isRegularFile)::iterator) {
                try (InputStream in = Files.newInputStream(file)) {
                    files.put(file.getFileName().toString(), hex(in));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return files;
    }

    public static String hex(InputStream in) throws IOException {
        MessageDigest sha1 = newDigest();
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) > 0; ) {
            sha1.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(sha1.digest());
    }

    /**
     * Writes {@code size} bytes from {@code random} to {@code path}, a MiB at a time (so any size
     * fits the heap), and returns their SHA-1.
     */
    public static String writeRandomFile(Path path, long size, RandomGenerator random) throws IOException {
        MessageDigest sha1 = newDigest();
        byte[] buffer = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(path)) {
            for (long left = size; left > 0; ) {
                int n = (int) Math.min(buffer.length, left);
                random.nextBytes(buffer);
                out.write(buffer, 0, n);
                sha1.update(buffer, 0, n);
                left -= n;
            }
        }
        return HexFormat.of().formatHex(sha1.digest());
    }
}
