package dev.deckhand.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The system clock (UTC) shifted by an offset that a test moves on, so that whatever the clock
 * times expires at once instead of after minutes, while time still passes as usual otherwise.
 */
public final class ShiftedClock extends Clock {

    private volatile Duration offset = Duration.ZERO;

    /** Moves the clock on by {@code amount}. */
    public void shift(Duration amount) {
        offset = offset.plus(amount);
    }

    /** Moves the clock on so that it now reads {@code instant}, if that is later than now. */
    public void shiftTo(Instant instant) {
        Duration ahead = Duration.between(instant(), instant);
        if (!ahead.isNegative()) {
            shift(ahead);
        }
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a shifted clock is in UTC");
    }
}
