package dev.deckhand.protocol;

import static dev.deckhand.protocol.ProtocolAssertions.assertProtocolError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import dev.deckhand.protocol.message.MetaRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.core.type.TypeReference;

class SyncJsonTest {

    record Sample(long id, String name) {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsRecordsAndIgnoresUnknownProperties() {
        assertThat(SyncJson.read(utf8("{\"id\":1700000000000,\"name\":\"x\",\"later\":[1,2]}"), Sample.class))
                .isEqualTo(new Sample(1700000000000L, "x"));
    }

    @Test
    void writesCompactJsonWithNumbersAsNumbers() {
        assertThat(new String(SyncJson.write(new Sample(1700000700123L, "é")), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":1700000700123,\"name\":\"é\"}");
        assertThat(new String(SyncJson.write(null), StandardCharsets.UTF_8)).isEqualTo("null");
        assertThat(new String(SyncJson.write(1700000700123L), StandardCharsets.UTF_8)).isEqualTo("1700000700123");
        assertThat(new String(SyncJson.write(List.of(1L, 2L)), StandardCharsets.UTF_8)).isEqualTo("[1,2]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"id\":}", "not json", "{\"id\":1,}", "[1,2]", "\"text\"", "{\"id\":\"abc\"}",
            "{\"id\":1} trailing", "{\"id\":1}{\"id\":2}", "{\"id\":1}]"})
    void malformedBodiesAreBadRequest(String body) {
        assertProtocolError(() -> SyncJson.read(utf8(body), Sample.class), SyncErrorKind.BAD_REQUEST)
                .hasMessageStartingWith("malformed JSON body: ");
    }

    @Test
    void jsonNullAndEmptyBodiesAreBadRequest() {
        assertProtocolError(() -> SyncJson.read(utf8("null"), Sample.class), SyncErrorKind.BAD_REQUEST)
                .hasMessageStartingWith("malformed JSON body: ");
        assertProtocolError(() -> SyncJson.read(utf8(" null "), MetaRequest.class), SyncErrorKind.BAD_REQUEST)
                .hasMessageStartingWith("malformed JSON body: ");
        assertProtocolError(() -> SyncJson.read(new byte[0], Sample.class), SyncErrorKind.BAD_REQUEST)
                .hasMessageStartingWith("malformed JSON body: ");
        assertProtocolError(() -> SyncJson.read(utf8("   "), Sample.class), SyncErrorKind.BAD_REQUEST)
                .hasMessageStartingWith("malformed JSON body: ");
        assertProtocolError(() -> SyncJson.read((byte[]) null, Sample.class), SyncErrorKind.BAD_REQUEST);
    }

    @Test
    void invalidUtf8IsBadRequest() {
        byte[] body = {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertProtocolError(() -> SyncJson.read(body, Sample.class), SyncErrorKind.BAD_REQUEST);
    }

    @Test
    void readsGenericTypes() {
        List<Long> ids = SyncJson.read(utf8("[1700000000000, 2]"), new TypeReference<List<Long>>() { });
        assertThat(ids).containsExactly(1700000000000L, 2L);
        assertProtocolError(() -> SyncJson.read(utf8("{\"a\":1} x"), new TypeReference<Map<String, Integer>>() { }),
                SyncErrorKind.BAD_REQUEST);
        assertProtocolError(() -> SyncJson.read(utf8("null"), new TypeReference<List<Long>>() { }),
                SyncErrorKind.BAD_REQUEST);
    }

    @Test
    void readsFromDecompressingStream() throws IOException {
        byte[] body = ZstdFraming.compress(utf8("{\"v\":11,\"cv\":\"anki,2.1.66 (70506aeb),lin:debian:12\"}"));
        try (InputStream in = ZstdFraming.decompressing(new ByteArrayInputStream(body), 1000)) {
            assertThat(SyncJson.read(in, MetaRequest.class))
                    .isEqualTo(new MetaRequest(11, "anki,2.1.66 (70506aeb),lin:debian:12"));
        }
    }

    @Test
    void streamReadPassesPayloadLimitErrorsThrough() {
        byte[] big = utf8("{\"id\":1,\"name\":\"" + "a".repeat(100_000) + "\"}");
        byte[] body = ZstdFraming.compress(big);
        assertProtocolError(() -> SyncJson.read(ZstdFraming.decompressing(new ByteArrayInputStream(body), 50_000), Sample.class),
                SyncErrorKind.PAYLOAD_TOO_LARGE);
        byte[] truncated = java.util.Arrays.copyOf(body, body.length - 2);
        assertProtocolError(() -> SyncJson.read(ZstdFraming.decompressing(new ByteArrayInputStream(truncated), 500_000), Sample.class),
                SyncErrorKind.BAD_REQUEST).hasMessageStartingWith("invalid zstd body: ");
        assertProtocolError(() -> SyncJson.read(new ByteArrayInputStream(utf8("{\"id\":1} x")), Sample.class),
                SyncErrorKind.BAD_REQUEST).hasMessageStartingWith("malformed JSON body: ");
    }

    @Test
    void streamReadSurfacesIoErrors() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        };
        assertThatThrownBy(() -> SyncJson.read(failing, Sample.class))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("connection reset");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{}", "{\"_pad\":null}", " { } ", "{\"anything\":[1,{\"x\":2}],\"b\":true}", "\n"})
    void emptyArgumentBodiesAcceptAnyObject(String body) {
        assertThatCode(() -> SyncJson.requireObjectOrEmpty(utf8(body))).doesNotThrowAnyException();
    }

    @Test
    void emptyArgumentBodyMayBeNull() {
        assertThatCode(() -> SyncJson.requireObjectOrEmpty(null)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "[]", "0", "\"{}\"", "true", "{", "{} {}", "{}x", "garbage"})
    void emptyArgumentBodiesRejectEverythingElse(String body) {
        assertProtocolError(() -> SyncJson.requireObjectOrEmpty(utf8(body)), SyncErrorKind.BAD_REQUEST)
                .hasMessageStartingWith("malformed JSON body: ");
    }

    @Test
    void mapperIsShared() {
        assertThat(SyncJson.mapper()).isSameAs(SyncJson.mapper());
    }
}
