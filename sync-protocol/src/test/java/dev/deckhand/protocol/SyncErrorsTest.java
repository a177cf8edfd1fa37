package dev.deckhand.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

class SyncErrorsTest {

    @Test
    void kindsMapToTheStatusesClientsUnderstand() {
        assertThat(SyncErrorKind.values()).extracting(SyncErrorKind::httpStatus)
                .containsExactly(400, 403, 404, 409, 413, 500, 501);
        assertThat(SyncErrorKind.BAD_REQUEST.httpStatus()).isEqualTo(400);
        assertThat(SyncErrorKind.AUTH_FAILED.httpStatus()).isEqualTo(403);
        assertThat(SyncErrorKind.NOT_FOUND.httpStatus()).isEqualTo(404);
        assertThat(SyncErrorKind.CONFLICT.httpStatus()).isEqualTo(409);
        assertThat(SyncErrorKind.PAYLOAD_TOO_LARGE.httpStatus()).isEqualTo(413);
        assertThat(SyncErrorKind.SERVER_ERROR.httpStatus()).isEqualTo(500);
        assertThat(SyncErrorKind.CLIENT_TOO_OLD.httpStatus()).isEqualTo(501);
    }

    @Test
    void everyKindHasItsOwnStatus() {
        assertThat(Arrays.stream(SyncErrorKind.values()).map(SyncErrorKind::httpStatus).distinct())
                .hasSize(SyncErrorKind.values().length);
    }

    @Test
    void factoriesSetKindAndMessage() {
        Map<SyncErrorKind, Function<String, SyncProtocolException>> factories = Map.of(
                SyncErrorKind.BAD_REQUEST, SyncProtocolException::badRequest,
                SyncErrorKind.AUTH_FAILED, SyncProtocolException::authFailed,
                SyncErrorKind.CONFLICT, SyncProtocolException::conflict,
                SyncErrorKind.PAYLOAD_TOO_LARGE, SyncProtocolException::tooLarge,
                SyncErrorKind.CLIENT_TOO_OLD, SyncProtocolException::clientTooOld,
                SyncErrorKind.NOT_FOUND, SyncProtocolException::notFound);
        factories.forEach((kind, factory) -> {
            SyncProtocolException e = factory.apply("why " + kind);
            assertThat(e.kind()).isEqualTo(kind);
            assertThat(e.httpStatus()).isEqualTo(kind.httpStatus());
            assertThat(e).hasMessage("why " + kind).hasNoCause();
        });
    }

    @Test
    void constructorsKeepCause() {
        IllegalStateException cause = new IllegalStateException("disk on fire");
        SyncProtocolException e = new SyncProtocolException(SyncErrorKind.SERVER_ERROR, "cannot open", cause);
        assertThat(e).isInstanceOf(RuntimeException.class).hasMessage("cannot open").hasCause(cause);
        assertThat(e.kind()).isEqualTo(SyncErrorKind.SERVER_ERROR);
        assertThat(e.toString()).contains("SERVER_ERROR", "500", "cannot open");
    }

    @Test
    void headerNames() {
        assertThat(AnkiHeaders.SYNC).isEqualTo("anki-sync");
        assertThat(AnkiHeaders.ORIGINAL_SIZE).isEqualTo("anki-original-size");
    }
}
