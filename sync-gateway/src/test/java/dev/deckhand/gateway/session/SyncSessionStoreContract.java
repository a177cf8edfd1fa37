package dev.deckhand.gateway.session;

import dev.deckhand.worker.normalsync.ChunkTable;
import dev.deckhand.worker.normalsync.SyncState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every session store must do; each implementation runs these against the real thing. */
abstract class SyncSessionStoreContract {

    abstract SyncSessionStore store();

    /** Moves the store's notion of time past {@code ttl}, or waits it out. */
    abstract void letExpire(long userId, Duration ttl);

    private static final Instant STARTED = Instant.parse("2026-11-23T06:00:00.123456Z");
    private static final Duration TTL = Duration.ofMinutes(5);

    static long newUser(long base) {
        return base + (long) (Math.random() * 1_000_000);
    }

    static SyncSession session(long user, String key, SyncState state) {
        return new SyncSession(user, key, STARTED, STARTED.plusSeconds(1), state);
    }

    /** Replaces whatever the user has, as a gateway does after reading it. */
    void put(SyncSession session, Duration ttl) {
        StoredSession seen = store().read(session.userId()).block();
        assertThat(store().replace(seen, session, ttl).block()).isTrue();
    }

    @Test
    void storesReplacesAndRemovesWhatWasRead() {
        long user = newUser(1000);
        StoredSession none = store().read(user).block();
        assertThat(none.session()).isEmpty();
        assertThat(store().find(user).blockOptional()).isEmpty();

        SyncSession first = session(user, "abc", new SyncState(3, 57, 55, true, ChunkTable.CARDS, 1234));
        assertThat(store().replace(none, first, TTL).block()).isTrue();
        assertThat(store().find(user).block()).isEqualTo(first);
        assertThat(store().find(user + 1).blockOptional()).as("sessions are per user").isEmpty();

        StoredSession seenFirst = store().read(user).block();
        SyncSession second = session(user, "xyz", null);
        assertThat(store().replace(seenFirst, second, TTL).block()).isTrue();
        assertThat(store().find(user).block()).isEqualTo(second);

        assertThat(store().replace(store().read(user).block(), null, TTL).block()).as("removed").isTrue();
        assertThat(store().find(user).blockOptional()).isEmpty();
        assertThat(store().replace(store().read(user).block(), null, TTL).block()).as("removing nothing").isTrue();
    }

    @Test
    void whatChangedSinceItWasReadIsNotReplaced() {
        long user = newUser(5_000_000);
        StoredSession none = store().read(user).block();
        SyncSession mine = session(user, "mine", null);
        SyncSession theirs = session(user, "theirs", null);
        assertThat(store().replace(none, theirs, TTL).block()).isTrue();
        assertThat(store().replace(none, mine, TTL).block()).as("someone stored one since").isFalse();
        assertThat(store().replace(none, null, TTL).block()).as("nor removed").isFalse();
        assertThat(store().find(user).block()).isEqualTo(theirs);

        StoredSession seenTheirs = store().read(user).block();
        // the same session stored again, renewed: another value than the one read
        put(theirs.activeAt(STARTED.plusSeconds(9)), TTL);
        assertThat(store().replace(seenTheirs, mine, TTL).block()).isFalse();
        assertThat(store().replace(seenTheirs, null, TTL).block()).isFalse();
        assertThat(store().find(user).block()).isEqualTo(theirs.activeAt(STARTED.plusSeconds(9)));

        put(mine, TTL);
        assertThat(store().replace(store().read(user).block(), null, TTL).block()).isTrue();
    }

    @Test
    void ofManyReplacingTheSameReadingOnlyOneWins() throws Exception {
        long user = newUser(6_000_000);
        StoredSession seen = store().read(user).block();
        int racers = 8;
        ConcurrentLinkedQueue<String> winners = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            for (int i = 0; i < racers; i++) {
                String key = "racer" + i;
                pool.execute(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    if (store().replace(seen, session(user, key, null), TTL).block()) {
                        winners.add(key);
                    }
                });
            }
            go.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }
        assertThat(winners).hasSize(1);
        assertThat(store().find(user).block().sessionKey()).isEqualTo(winners.peek());
    }

    @Test
    void aSessionIsOnlyStoredForItsOwnUser() {
        long user = newUser(7_000_000);
        StoredSession seen = store().read(user).block();
        assertThatThrownBy(() -> store().replace(seen, session(user + 1, "abc", null), TTL).block())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store().find(user).blockOptional()).isEmpty();
        assertThat(store().find(user + 1).blockOptional()).isEmpty();
    }

    @Test
    void sessionsExpire() {
        long user = newUser(2_000_000);
        Duration ttl = Duration.ofSeconds(1);
        put(new SyncSession(user, "abc", STARTED.truncatedTo(ChronoUnit.MILLIS), STARTED.truncatedTo(ChronoUnit.MILLIS), null), ttl);
        assertThat(store().find(user).blockOptional()).isPresent();
        letExpire(user, ttl);
        assertThat(store().find(user).blockOptional()).isEmpty();
        StoredSession gone = store().read(user).block();
        assertThat(gone.session()).isEmpty();
        // and what was read as gone can be replaced
        assertThat(store().replace(gone, session(user, "next", null), TTL).block()).isTrue();
        assertThat(store().find(user).block().sessionKey()).isEqualTo("next");
    }
}
