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

    /** Compared by identity: {@link #replace} succeeds only on the very entry that was read. */
    private static final class Entry {
        final SyncSession session;
        final Instant expiresAt;

        Entry(SyncSession session, Instant expiresAt) {
            this.session = session;
            this.expiresAt = expiresAt;
        }
    }

    private final ConcurrentMap<Long, Entry> sessions = new ConcurrentHashMap<>();
    private final Clock clock;

    public InMemorySyncSessionStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Mono<StoredSession> read(long userId) {
        return Mono.fromSupplier(() -> {
            Entry e = sessions.get(userId);
            if (e != null && !e.expiresAt.isAfter(clock.instant())) {
                sessions.remove(userId, e);
                e = sessions.get(userId);
            }
            return e == null ? new StoredSession(userId, null, null) : new StoredSession(userId, e.session, e);
        });
    }

    @Override
    public Mono<Boolean> replace(StoredSession seen, SyncSession next, Duration ttl) {
        return Mono.fromSupplier(() -> {
            long userId = seen.userId();
            Entry was = (Entry) seen.version;
            Entry now = next == null ? null : new Entry(seen.sameUser(next), clock.instant().plus(ttl));
            if (was == null) {
                return now == null ? !sessions.containsKey(userId) : sessions.putIfAbsent(userId, now) == null;
            }
            return now == null ? sessions.remove(userId, was) : sessions.replace(userId, was, now);
        });
    }

    /**
     * When the user's session expires by this store's clock (or expired, while nobody has looked
     * since); empty without one. For diagnostics and tests.
     */
    public Optional<Instant> expiresAt(long userId) {
        return Optional.ofNullable(sessions.get(userId)).map(e -> e.expiresAt);
    }
}
