package dev.deckhand.store.sweep;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;

/**
 * A clean-up that every process of a kind runs now and then, while its context runs (the idle
 * sync sweep, the unused-blob sweep). One sweep at a time: a tick that comes while the last sweep
 * still runs is dropped. A failed sweep is logged and the next one tries again; several replicas
 * sweeping at once must be harmless, which each subclass ensures.
 */
public abstract class PeriodicSweeper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PeriodicSweeper.class);

    private volatile Disposable running;

    /** One sweep. */
    protected abstract Mono<?> sweepOnce();

    /** How long after start the first sweep comes. */
    protected abstract Duration firstDelay();

    /** How often to sweep; zero for never. */
    protected abstract Duration every();

    /** What is swept, for the log: "idle normal syncs". */
    protected abstract String what();

    @Override
    public void start() {
        if (every().isZero()) {
            log.info("the sweep of {} is off", what());
            return;
        }
        running = Flux.interval(firstDelay(), every())
                .onBackpressureDrop()
                .concatMap(tick -> Mono.defer(this::sweepOnce).onErrorResume(e -> {
                    log.warn("could not sweep {}: {}", what(), e.toString());
                    return Mono.empty();
                }), 0)
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable r = running;
        if (r != null) {
            r.dispose();
        }
        running = null;
    }

    @Override
    public boolean isRunning() {
        return running != null;
    }
}
