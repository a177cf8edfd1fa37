package dev.deckhand.worker.normalsync;

import dev.deckhand.store.sweep.PeriodicSweeper;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Now and then ends normal syncs that have staged nothing for a long time (their client vanished),
 * so their staged rows do not wait for that user's next sync. Every process that executes sync
 * operations (workers, the all-in-one server) runs it; ending a sync twice is harmless.
 */
@Component
public class IdleSyncSweeper extends PeriodicSweeper {

    private static final Logger log = LoggerFactory.getLogger(IdleSyncSweeper.class);

    private final Staging staging;
    private final Abort abort;
    private final Duration idle;
    private final Duration every;

    /**
     * @param idle  how long a sync may stage nothing before it is ended; far longer than a session
     *              lives (5 minutes between steps), so only syncs that are over anyway are touched
     * @param every how often to look
     */
    IdleSyncSweeper(Staging staging, Abort abort,
            @Value("${deckhand.sync.abandon-after:PT1H}") Duration idle,
            @Value("${deckhand.sync.sweep-every:PT10M}") Duration every) {
        this.staging = staging;
        this.abort = abort;
        this.idle = idle;
        this.every = every;
    }

    @Override
    protected Mono<Long> sweepOnce() {
        return abandonIdleSyncs(idle).doOnNext(n -> {
            if (n > 0) {
                log.info("ended {} normal syncs idle for more than {}", n, idle);
            }
        });
    }

    @Override
    protected Duration firstDelay() {
        return every;
    }

    @Override
    protected Duration every() {
        return every;
    }

    @Override
    protected String what() {
        return "idle normal syncs";
    }

    /**
     * Ends every sync that has staged nothing for {@code idle}: fenced with the next epoch, as
     * {@code abort} does, so that it can never commit, and its staged rows dropped. Returns how
     * many were ended.
     */
    public Mono<Long> abandonIdleSyncs(Duration idle) {
        return staging.idleSyncs(idle)
                .collectList()
                .flatMapMany(Flux::fromIterable)
                .concatMap(sync -> abort.abort(sync.userId(), sync.epoch()).thenReturn(1L))
                .count();
    }
}
