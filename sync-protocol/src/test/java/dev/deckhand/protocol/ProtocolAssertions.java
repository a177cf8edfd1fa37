package dev.deckhand.protocol;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

final class ProtocolAssertions {

    private ProtocolAssertions() {
    }

    /** Asserts a {@link SyncProtocolException} of the given kind; returns the assert for message checks. */
    static AbstractThrowableAssert<?, ? extends Throwable> assertProtocolError(ThrowingCallable call, SyncErrorKind kind) {
        return assertThatThrownBy(call)
                .isInstanceOf(SyncProtocolException.class)
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(((SyncProtocolException) e).kind())
                        .as("error kind of: %s", e.getMessage())
                        .isEqualTo(kind));
    }
}
