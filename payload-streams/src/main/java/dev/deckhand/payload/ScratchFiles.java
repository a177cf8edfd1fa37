package dev.deckhand.payload;

import dev.deckhand.protocol.ZstdFraming;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/** Temporary folders for bodies too large for the heap (uploads received, downloads built), and streaming them out. */
public final class ScratchFiles {

    private static final Logger log = LoggerFactory.getLogger(ScratchFiles.class);

    private ScratchFiles() {
    }

    /** A new, empty folder under {@code root} (created if missing), named {@code prefix…}. */
    public static Path newFolder(Path root, String prefix) throws IOException {
        Files.createDirectories(root);
        return Files.createTempDirectory(root, prefix);
    }

    /** Deletes a folder and all in it; a failure is logged, never thrown. */
    public static void deleteQuietly(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            log.warn("could not delete temporary folder {}: {}", folder, e.getMessage());
        }
    }

    /** The file as one zstd frame (clients read only the first frame), compressed as it is streamed. */
    public static Flux<DataBuffer> compressed(Path file) {
        return Flux.from(DataBufferUtils.outputStreamPublisher(out -> {
            try (OutputStream zstd = ZstdFraming.compressing(out, true)) {
                Files.copy(file, zstd);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, DefaultDataBufferFactory.sharedInstance, task -> Schedulers.boundedElastic().schedule(task)));
    }
}
