package dev.deckhand.gateway.session;

import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.worker.normalsync.SyncState;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Who may sync a user's collection now; see docs/architecture.md, "Two devices at once". A
 * client is known by its session key. While the user's normal sync has a step in flight, or
 * had one less than {@code takeoverAfter} ago, another client's {@code meta}, {@code start},
 * {@code upload} or {@code download} is refused with 409, and the open sync goes on undisturbed.
 * After that a new one takes over: the open session ends, and the caller fences it off. Requests
 * with the open session's own key are never refused by this rule.
 *
 * <p>Every decision is a read, then a compare-and-set on the store, tried again if another
 * request changed the session in between. Nothing is kept in this process, so every gateway
 * replica decides alike, and two requests deciding at the same moment never both win.
 */
public final class SessionRule {

    /** Races on one user's session are between a few requests; past this many lost, give up. */
    private static final int ATTEMPTS = 8;

    private final SyncSessionStore store;
    private final Duration ttl;
    private final Duration takeoverAfter;
    private final Clock clock;

    /**
     * @param ttl           how long a session lives after each step ({@code deckhand.sessions.ttl})
     * @param takeoverAfter how long after its last step an open sync keeps the account ({@code deckhand.sessions.takeover-after})
     * @param clock         the session clock, which {@code activeAt} is read by
     */
    public SessionRule(SyncSessionStore store, Duration ttl, Duration takeoverAfter, Clock clock) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("deckhand.sessions.ttl must be positive, not " + ttl);
        }
        if (takeoverAfter.isNegative()) {
            throw new IllegalArgumentException("deckhand.sessions.takeover-after must not be negative, not " + takeoverAfter);
        }
        this.store = store;
        this.ttl = ttl;
        this.takeoverAfter = takeoverAfter;
        this.clock = clock;
    }

    public Duration ttl() {
        return ttl;
    }

    public Duration takeoverAfter() {
        return takeoverAfter;
    }

    /** A new {@code start}'s session, and the one it took over, if any (for the caller to fence off). */
    public record Opened(SyncSession session, Optional<SyncSession> replaced) {}

    /**
     * For {@code meta} and full syncs, which begin a sync of their own: 409 while another client's
     * sync is active; otherwise ends the user's open session and emits it, if there was one.
     */
    public Mono<SyncSession> endForNewSync(long userId, String sessionKey) {
        return decided(() -> store.read(userId).flatMap(seen -> {
            Optional<SyncSession> open = seen.session();
            if (open.isEmpty()) {
                // none, or one of another format: that is left for a release that can read it
                return Mono.empty();
            }
            return refuseIfBusy(open.get(), sessionKey).then(swap(seen, null)).thenReturn(open.get());
        }));
    }

    /** {@code start}: opens the user's session with this key, marked active now; 409 while another client's is active. */
    public Mono<Opened> open(long userId, String sessionKey) {
        return decided(() -> store.read(userId).flatMap(seen -> {
            Optional<SyncSession> old = seen.session();
            SyncSession mine = SyncSession.opened(userId, sessionKey, clock.instant());
            return (old.isPresent() ? refuseIfBusy(old.get(), sessionKey) : Mono.<Void>empty())
                    .then(swap(seen, mine))
                    .thenReturn(new Opened(mine, old));
        }));
    }

    /**
     * A later step arrives: its session, marked active now, before the step runs, so that a long
     * step keeps the account. 409 unless the user's session has this key.
     */
    public Mono<SyncSession> arrive(long userId, String sessionKey) {
        return decided(() -> store.read(userId).flatMap(seen -> {
            Optional<SyncSession> open = seen.session().filter(s -> s.sessionKey().equals(sessionKey));
            if (open.isEmpty()) {
                return Mono.error(SyncProtocolException.conflict("no sync with this session key is in progress"));
            }
            SyncSession marked = open.get().activeAt(clock.instant());
            return swap(seen, marked).thenReturn(marked);
        }));
    }

    /**
     * A step of {@code sync} completed: keeps its next state, marked active now ({@code null}: ends
     * the session). False, and nothing changed, if the user's session is no longer this sync.
     */
    public Mono<Boolean> keep(SyncSession sync, SyncState next) {
        return decided(() -> store.read(sync.userId()).flatMap(seen -> {
            Optional<SyncSession> open = seen.session().filter(s -> s.sameSync(sync));
            if (open.isEmpty()) {
                return Mono.just(false);
            }
            return swap(seen, next == null ? null : open.get().withState(next, clock.instant())).thenReturn(true);
        }));
    }

    /** Ends {@code sync}'s session, if it is still the user's. */
    public Mono<Boolean> end(SyncSession sync) {
        return keep(sync, null);
    }

    /** {@code abort}: ends the user's session if it has this key, and emits it; another key changes nothing. */
    public Mono<SyncSession> endOwn(long userId, String sessionKey) {
        return decided(() -> store.read(userId).flatMap(seen -> {
            Optional<SyncSession> open = seen.session().filter(s -> s.sessionKey().equals(sessionKey));
            return open.isEmpty() ? Mono.empty() : swap(seen, null).thenReturn(open.get());
        }));
    }

    private Mono<Void> refuseIfBusy(SyncSession open, String sessionKey) {
        Instant now = clock.instant();
        if (!open.sessionKey().equals(sessionKey) && open.isActive(now, takeoverAfter)) {
            return Mono.error(SyncProtocolException.conflict("another client is syncing this account (last active "
                    + open.activeAt() + ", may be taken over from " + open.activeAt().plus(takeoverAfter) + ")"));
        }
        return Mono.empty();
    }

    private Mono<Void> swap(StoredSession seen, SyncSession next) {
        return store.replace(seen, next, ttl).flatMap(done -> done ? Mono.<Void>empty() : Mono.error(new Lost()));
    }

    /** Runs a read-decide-swap until its swap finds the session as it was read. */
    private static <T> Mono<T> decided(Supplier<Mono<T>> attempt) {
        return Mono.defer(attempt).retryWhen(Retry.max(ATTEMPTS - 1).filter(Lost.class::isInstance)
                .onRetryExhaustedThrow((spec, signal) -> SyncProtocolException.conflict(
                        "the sync session changed " + ATTEMPTS + " times while this request decided")));
    }

    /** Another request changed the session between our read and our swap. */
    private static final class Lost extends RuntimeException {
        Lost() {
            super("lost a race on the sync session", null, false, false);
        }
    }
}
