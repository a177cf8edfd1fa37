package dev.deckhand.gateway.session;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What every session store must do; each implementation runs these against the real thing. */
abstract class SyncSessionStoreContract {

    abstract SyncSessionStore store();

    /** Moves the store's notion of time past {@code ttl}, or waits it out. */
    abstract void letExpire(long userId, Duration ttl);

    private static final Instant STARTED = Instant.parse("2026-11-23T06:00:00.123456Z");

    @Test
    void savesFindsReplacesAndRemoves() {
        long user = 1000 + (long) (Math.random() * 1_000_000);
        assertThat(store().find(user).blockOptional()).isEmpty();
        assertThat(store().remove(user).block()).isFalse();

        SyncSession first = new SyncSession(user, "abc", STARTED, new dev.deckhand.worker.normalsync.SyncState(3, 57, 55, true, dev.deckhand.worker.normalsync.ChunkTable.CARDS, 1234));
        store().save(first, Duration.ofMinutes(5)).block();
        assertThat(store().find(user).block()).isEqualTo(first);
        assertThat(store().find(user + 1).blockOptional()).as("sessions are per user").isEmpty();

        SyncSession second = new SyncSession(user, "xyz", STARTED.plusSeconds(1), null);
        store().save(second, Duration.ofMinutes(5)).block();
        assertThat(store().find(user).block()).isEqualTo(second);

        assertThat(store().remove(user).block()).isTrue();
        assertThat(store().find(user).blockOptional()).isEmpty();
        assertThat(store().remove(user).block()).isFalse();
    }

    @Test
    void sessionsExpire() {
        long user = 2_000_000 + (long) (Math.random() * 1_000_000);
        Duration ttl = Duration.ofSeconds(1);
        store().save(new SyncSession(user, "abc", STARTED.truncatedTo(ChronoUnit.MILLIS), null), ttl).block();
        assertThat(store().find(user).blockOptional()).isPresent();
        letExpire(user, ttl);
        assertThat(store().find(user).blockOptional()).isEmpty();
        assertThat(store().remove(user).block()).as("an expired session is gone, not removable").isFalse();
    }
}
