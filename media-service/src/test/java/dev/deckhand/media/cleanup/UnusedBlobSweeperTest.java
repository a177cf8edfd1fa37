package dev.deckhand.media.cleanup;

import dev.deckhand.media.MediaServiceApplication;
import dev.deckhand.media.blob.BlobKey;
import dev.deckhand.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The media service sweeps by itself, as {@code deckhand.media.sweep-*} says, or not at all. */
class UnusedBlobSweeperTest {

    @TempDir
    Path root;

    ConfigurableApplicationContext mediaService(String... properties) {
        List<String> args = new ArrayList<>();
        TestPostgres.newDatabase().springProperties().forEach((k, v) -> args.add("--" + k + "=" + v));
        args.add("--server.address=127.0.0.1");
        args.add("--server.port=0");
        args.add("--deckhand.media.filesystem.root=" + root);
        for (String p : properties) {
            args.add("--" + p);
        }
        return new SpringApplicationBuilder(MediaServiceApplication.class).run(args.toArray(String[]::new));
    }

    @Test
    void aRunningMediaServiceRemovesBlobsNobodyUses() throws Exception {
        // a blob of a user this database never had
        Path orphan = root.resolve(new BlobKey(1, 4242, "0123456789abcdef0123456789abcdef01234567").relativePath());
        Files.createDirectories(orphan.getParent());
        Files.writeString(orphan, "left behind");
        try (ConfigurableApplicationContext media = mediaService("deckhand.media.sweep-every=200ms",
                "deckhand.media.sweep-grace=0s")) {
            assertThat(media.getBean(UnusedBlobSweeper.class).isRunning()).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Files.exists(orphan) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(orphan).doesNotExist();
        }
    }

    @Test
    void aSweepEveryOfZeroTurnsItOff() throws Exception {
        try (ConfigurableApplicationContext media = mediaService("deckhand.media.sweep-every=0")) {
            UnusedBlobSweeper sweeper = media.getBean(UnusedBlobSweeper.class);
            assertThat(sweeper.enabled()).isFalse();
            assertThat(sweeper.isRunning()).isFalse();
            // still there to be called by hand
            assertThat(media.getBean(UnusedBlobSweep.class).sweep(java.time.Instant.now()).block().listed()).isZero();
        }
    }

    @Test
    void negativeDurationsAreRefused() {
        UnusedBlobSweep none = new UnusedBlobSweep(null, null, null);
        assertThatThrownBy(() -> new UnusedBlobSweeper(none, Duration.ofSeconds(-1), Duration.ZERO, Clock.systemUTC()))
                .hasMessageContaining("deckhand.media.sweep-every");
        assertThatThrownBy(() -> new UnusedBlobSweeper(none, Duration.ofHours(1), Duration.ofSeconds(-1), Clock.systemUTC()))
                .hasMessageContaining("deckhand.media.sweep-grace");
    }
}
