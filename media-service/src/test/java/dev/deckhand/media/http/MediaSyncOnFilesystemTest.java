package dev.deckhand.media.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/** The media protocol with blobs in a local folder, as the all-in-one server keeps them. */
class MediaSyncOnFilesystemTest extends MediaSyncHttpContract {

    @TempDir
    Path root;

    @Override
    Map<String, String> storeProperties() {
        return Map.of("deckhand.media.store", "filesystem", "deckhand.media.filesystem.root", root.toString());
    }

    @Override
    long storedBlobs() {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
