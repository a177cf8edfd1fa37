package dev.deckhand.protocol;

import static dev.deckhand.protocol.ProtocolAssertions.assertProtocolError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SyncHeaderTest {

    /** Verbatim from a real 2.1.66 desktop login (protocol notes, section 13). */
    private static final String ANKI_2_1_66_LOGIN = "{\"v\":11,\"k\":\"\",\"c\":\"2.1.66,70506aeb,linux\",\"s\":\"cZuO7O\"}";

    @Test
    void parsesRealClientHeader() {
        SyncHeader header = SyncHeader.parse(ANKI_2_1_66_LOGIN);
        assertThat(header).isEqualTo(new SyncHeader(11, "", "2.1.66,70506aeb,linux", "cZuO7O"));
        assertThat(header.compressedResponses()).isTrue();
    }

    @Test
    void parsesHeaderWithHostKeyAndWhitespaceAndExtraKeys() {
        SyncHeader header = SyncHeader.parse(
                " { \"s\" : \"Xy7Qa\", \"v\": 11, \"extra\": [1, {\"x\": null}], \"k\": \"b2619aa1529dfdc4248e6edbf3c1b2a2b014cf6d\","
                        + " \"c\": \"25.09.2,3890e12c,windows\" } ");
        assertThat(header.version()).isEqualTo(11);
        assertThat(header.hostKey()).isEqualTo("b2619aa1529dfdc4248e6edbf3c1b2a2b014cf6d");
        assertThat(header.clientVersion()).isEqualTo("25.09.2,3890e12c,windows");
        assertThat(header.sessionKey()).isEqualTo("Xy7Qa");
    }

    @Test
    void toJsonIsCompactAndInClientOrder() {
        SyncHeader header = new SyncHeader(11, "", "2.1.66,70506aeb,linux", "cZuO7O");
        assertThat(header.toJson()).isEqualTo(ANKI_2_1_66_LOGIN);
        assertThat(new SyncHeader(11, "k\"ey", "c", "s").toJson()).isEqualTo("{\"v\":11,\"k\":\"k\\\"ey\",\"c\":\"c\",\"s\":\"s\"}");
        assertThat(SyncHeader.parse(new SyncHeader(9, "key", "c", "").toJson())).isEqualTo(new SyncHeader(9, "key", "c", ""));
    }

    @Test
    void toStringHidesHostKey() {
        assertThat(new SyncHeader(11, "secret-host-key", "c", "s").toString()).doesNotContain("secret-host-key");
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 9, 10, 11})
    void acceptsVersions8To11(int version) {
        SyncHeader header = SyncHeader.parse("{\"v\":" + version + ",\"k\":\"\",\"c\":\"c\",\"s\":\"s\"}");
        assertThat(header.version()).isEqualTo(version);
        assertThat(header.compressedResponses()).isEqualTo(version >= 11);
    }

    @ParameterizedTest
    @ValueSource(strings = {"7", "12", "0", "-1", "255", "99999999999999999999"})
    void rejectsUnsupportedVersions(String version) {
        assertProtocolError(() -> SyncHeader.parse("{\"v\":" + version + ",\"k\":\"\",\"c\":\"c\",\"s\":\"s\"}"),
                SyncErrorKind.BAD_REQUEST).hasMessage("unsupported sync version " + version);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"k\":\"\",\"c\":\"c\",\"s\":\"s\"}",
            "{\"v\":11,\"c\":\"c\",\"s\":\"s\"}",
            "{\"v\":11,\"k\":\"\",\"s\":\"s\"}",
            "{\"v\":11,\"k\":\"\",\"c\":\"c\"}",
            "{}"})
    void rejectsMissingKeys(String json) {
        assertProtocolError(() -> SyncHeader.parse(json), SyncErrorKind.BAD_REQUEST)
                .hasMessageStartingWith("bad sync header: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"v\":\"11\",\"k\":\"\",\"c\":\"c\",\"s\":\"s\"}",
            "{\"v\":11.0,\"k\":\"\",\"c\":\"c\",\"s\":\"s\"}",
            "{\"v\":11.5,\"k\":\"\",\"c\":\"c\",\"s\":\"s\"}",
            "{\"v\":null,\"k\":\"\",\"c\":\"c\",\"s\":\"s\"}",
            "{\"v\":true,\"k\":\"\",\"c\":\"c\",\"s\":\"s\"}",
            "{\"v\":11,\"k\":123,\"c\":\"c\",\"s\":\"s\"}",
            "{\"v\":11,\"k\":null,\"c\":\"c\",\"s\":\"s\"}",
            "{\"v\":11,\"k\":\"\",\"c\":false,\"s\":\"s\"}",
            "{\"v\":11,\"k\":\"\",\"c\":\"c\",\"s\":[\"s\"]}",
            "{\"v\":11,\"k\":\"\",\"c\":\"c\",\"s\":{}}"})
    void rejectsWrongTypes(String json) {
        assertProtocolError(() -> SyncHeader.parse(json), SyncErrorKind.BAD_REQUEST)
                .hasMessageStartingWith("bad sync header: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "garbage", "null", "11", "\"text\"", "[11,\"\",\"c\",\"s\"]", "{",
            "{\"v\":11,\"k\":\"\",\"c\":\"c\",\"s\":\"s\"} trailing",
            "{\"v\":11,\"k\":\"\",\"c\":\"c\",\"s\":\"s\"}{}",
            "{v:11,k:\"\",c:\"c\",s:\"s\"}",
            "{'v':11,'k':'','c':'c','s':'s'}"})
    void rejectsGarbage(String value) {
        assertProtocolError(() -> SyncHeader.parse(value), SyncErrorKind.BAD_REQUEST)
                .hasMessageStartingWith("bad sync header: ");
    }

    @Test
    void rejectsNull() {
        assertProtocolError(() -> SyncHeader.parse(null), SyncErrorKind.BAD_REQUEST)
                .hasMessageStartingWith("bad sync header: ");
    }

    @Test
    void rejectsHugeValues() {
        String huge = "x".repeat(SyncHeader.MAX_HEADER_LENGTH);
        assertProtocolError(() -> SyncHeader.parse("{\"v\":11,\"k\":\"" + huge + "\",\"c\":\"c\",\"s\":\"s\"}"),
                SyncErrorKind.BAD_REQUEST).hasMessageStartingWith("bad sync header: ");
        assertProtocolError(() -> SyncHeader.parse(" ".repeat(10_000) + ANKI_2_1_66_LOGIN),
                SyncErrorKind.BAD_REQUEST).hasMessageStartingWith("bad sync header: ");

        // just under the limit still parses
        String fits = "k".repeat(SyncHeader.MAX_HEADER_LENGTH - 40);
        String json = "{\"v\":11,\"k\":\"" + fits + "\",\"c\":\"c\",\"s\":\"s\"}";
        assertThat(json.length()).isLessThanOrEqualTo(SyncHeader.MAX_HEADER_LENGTH);
        assertThat(SyncHeader.parse(json).hostKey()).isEqualTo(fits);
    }

    @Test
    void constructorRejectsNulls() {
        assertThatThrownBy(() -> new SyncHeader(11, null, "c", "s")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new SyncHeader(11, "", null, "s")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new SyncHeader(11, "", "c", null)).isInstanceOf(NullPointerException.class);
    }
}
