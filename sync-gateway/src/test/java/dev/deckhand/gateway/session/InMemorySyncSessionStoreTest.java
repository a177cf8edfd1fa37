package dev.deckhand.gateway.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

class InMemorySyncSessionStoreTest extends SyncSessionStoreContract {

    private Instant now = Instant.parse("2026-11-23T06:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final InMemorySyncSessionStore store = new InMemorySyncSessionStore(clock);

    @Override
    SyncSessionStore store() {
        return store;
    }

    @Override
    void letExpire(long userId, Duration ttl) {
        now = now.plus(ttl);
    }
}
