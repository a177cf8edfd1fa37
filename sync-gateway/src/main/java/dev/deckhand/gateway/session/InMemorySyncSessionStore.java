package dev.deckhand.gateway.session;

import reactor.core.publisher.Mono;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Sessions in this process: right for the all-in-one server, where there is one gateway. They
 * expire by the clock given, the {@code sessionClock} bean of the gateway's configuration.
 */
public final class InMemorySyncSessionStore implements SyncSessionStore {

    private record Entry(SyncSession session, Instant expiresAt) {}

    private final ConcurrentMap<Long, Entry> sessions = new ConcurrentHashMap<>();
    private final Clock clock;

    public InMemorySyncSessionStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Mono<SyncSession> find(long userId) {
        return Mono.fromSupplier(() -> {
            Entry e = sessions.get(userId);
            if (e == null) {
                return null;
            }
            if (!e.expiresAt().isAfter(clock.instant())) {
                sessions.remove(userId, e);
                return null;
            }
            return e.session();
        });
    }

    @Override
    public Mono<Void> save(SyncSession session, Duration ttl) {
        return Mono.fromRunnable(() -> sessions.put(session.userId(), new Entry(session, clock.instant().plus(ttl))));
    }

    /**
     * When the user's session expires by this store's clock (or expired, while nobody has looked
     * since); empty without one. For diagnostics and tests.
     */
    public Optional<Instant> expiresAt(long userId) {
        return Optional.ofNullable(sessions.get(userId)).map(Entry::expiresAt);
    }

    @Override
    public Mono<Boolean> remove(long userId) {
        return find(userId).hasElement().doOnNext(had -> sessions.remove(userId));
    }
}
