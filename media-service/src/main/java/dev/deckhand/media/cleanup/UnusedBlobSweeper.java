package dev.deckhand.media.cleanup;

import java.time.Clock;
import java.time.Duration;
import dev.deckhand.store.sweep.PeriodicSweeper;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Runs {@link UnusedBlobSweep} now and then in every process that serves media: once every
 * {@code deckhand.media.sweep-every}, the first time at a random moment within that span, so
 * that replicas spread out and restarts more frequent than the span do not put the sweep off
 * for ever. A sweep still running when the next is due makes that one skip. Only blobs older
 * than {@code deckhand.media.sweep-grace} are candidates.
 */
public final class UnusedBlobSweeper extends PeriodicSweeper {

    private static final Logger log = LoggerFactory.getLogger(UnusedBlobSweeper.class);

    private final UnusedBlobSweep sweep;
    private final Duration every;
    private final Duration grace;
    private final Clock clock;

    /**
     * @param every how often to sweep; zero turns the sweeper off
     * @param grace how old a blob must be before it may be swept; far longer than an upload takes
     */
    public UnusedBlobSweeper(UnusedBlobSweep sweep, Duration every, Duration grace, Clock clock) {
        if (every.isNegative()) {
            throw new IllegalArgumentException("deckhand.media.sweep-every cannot be negative: " + every);
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("deckhand.media.sweep-grace cannot be negative: " + grace);
        }
        this.sweep = sweep;
        this.every = every;
        this.grace = grace;
        this.clock = clock;
    }

    /** Whether it sweeps at all ({@code deckhand.media.sweep-every} is not zero). */
    public boolean enabled() {
        return !every.isZero();
    }

    @Override
    protected Duration firstDelay() {
        return Duration.ofNanos(ThreadLocalRandom.current().nextLong(Math.max(1, every.toNanos())));
    }

    @Override
    protected Duration every() {
        return every;
    }

    @Override
    protected String what() {
        return "unused media blobs (deckhand.media.sweep-every=" + every + ")";
    }

    @Override
    protected Mono<UnusedBlobSweep.Result> sweepOnce() {
        return Mono.defer(() -> sweep.sweep(clock.instant().minus(grace)))
                .doOnNext(r -> {
                    if (!r.unused().isEmpty() || !r.ofDeletedUsers().isEmpty()) {
                        log.info("removed {} unused media blobs and {} of deleted users, of {} listed",
                                r.unused().size(), r.ofDeletedUsers().size(), r.listed());
                    }
                    if (r.usersFailed() > 0) {
                        log.warn("could not sweep the media blobs of {} users; the next sweep tries again", r.usersFailed());
                    }
                });
    }
}
