package dev.deckhand.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.deckhand.protocol.SyncErrorKind;
import dev.deckhand.protocol.SyncJson;
import dev.deckhand.protocol.SyncProtocolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

class MessagesTest {

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String json(Object value) {
        return new String(SyncJson.write(value), StandardCharsets.UTF_8);
    }

    static void assertBadRequest(String body, Class<?> type) {
        assertThatThrownBy(() -> SyncJson.read(utf8(body), type))
                .as("body %s", body)
                .isInstanceOfSatisfying(SyncProtocolException.class,
                        e -> assertThat(e.kind()).isEqualTo(SyncErrorKind.BAD_REQUEST))
                .hasMessageStartingWith("malformed JSON body: ");
    }

    // --- hostKey -----------------------------------------------------------------------------

    @Test
    void hostKeyRequestFromRealClientBody() {
        assertThat(SyncJson.read(utf8("{\"u\":\"u\",\"p\":\"p\"}"), HostKeyRequest.class))
                .isEqualTo(new HostKeyRequest("u", "p"));
        assertThat(SyncJson.read(utf8("{\"p\":\"correct horse\",\"u\":\"alice\",\"extra\":1}"), HostKeyRequest.class))
                .isEqualTo(new HostKeyRequest("alice", "correct horse"));
        assertThat(json(new HostKeyRequest("u", "p"))).isEqualTo("{\"u\":\"u\",\"p\":\"p\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"u\":\"alice\"}", "{\"p\":\"pw\"}", "{\"u\":null,\"p\":\"pw\"}",
            "{\"u\":\"alice\",\"p\":null}", "{\"u\":1,\"p\":\"pw\"}", "{\"u\":\"alice\",\"p\":12345}",
            "{\"u\":\"alice\",\"p\":true}", "{\"u\":[\"alice\"],\"p\":\"pw\"}", "{\"u\":\"alice\",\"p\":{}}",
            "[\"alice\",\"pw\"]", "\"alice\"", "null", "{\"u\":\"alice\",\"p\":\"pw\"} x"})
    void hostKeyRequestRequiresBothStrings(String body) {
        assertBadRequest(body, HostKeyRequest.class);
    }

    @Test
    void hostKeyRequestHidesPassword() {
        assertThat(new HostKeyRequest("alice", "hunter2").toString()).contains("alice").doesNotContain("hunter2");
    }

    @Test
    void hostKeyResponseShape() {
        String key = "26aef033203fc3655de5620300a76ee0e2081444";
        String body = json(new HostKeyResponse(key));
        assertThat(body).isEqualTo("{\"key\":\"" + key + "\"}");
        // protocol notes, section 13: anki-original-size is 50 for this answer
        assertThat(utf8(body)).hasSize(50);
        assertThat(SyncJson.read(utf8(body), HostKeyResponse.class)).isEqualTo(new HostKeyResponse(key));
        assertThat(new HostKeyResponse(key).toString()).doesNotContain(key);
    }

    // --- meta --------------------------------------------------------------------------------

    @Test
    void metaRequestReadsVersionAndClient() {
        assertThat(SyncJson.read(utf8("{\"v\":11,\"cv\":\"anki,25.09.2 (3890e12c),win:10\"}"), MetaRequest.class))
                .isEqualTo(new MetaRequest(11, "anki,25.09.2 (3890e12c),win:10"));
        // unsupported versions are parsed: the handler answers them with 501, not 400
        assertThat(SyncJson.read(utf8("{\"v\":7,\"cv\":\"old\"}"), MetaRequest.class).v()).isEqualTo(7);
        assertThat(json(new MetaRequest(11, "x"))).isEqualTo("{\"v\":11,\"cv\":\"x\"}");
    }

    @Test
    void metaRequestClientVersionIsOptional() {
        assertThat(SyncJson.read(utf8("{\"v\":10}"), MetaRequest.class)).isEqualTo(new MetaRequest(10, ""));
        assertThat(SyncJson.read(utf8("{\"v\":10,\"cv\":null}"), MetaRequest.class)).isEqualTo(new MetaRequest(10, ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"cv\":\"x\"}", "{\"v\":null}", "{\"v\":\"11\"}", "{\"v\":11.5}",
            "{\"v\":true}", "{\"v\":4294967307}", "{\"v\":11,\"cv\":5}", "[11]", "null", "11"})
    void metaRequestRejectsBadShapes(String body) {
        assertBadRequest(body, MetaRequest.class);
    }

    @Test
    void metaResponseUsesExactWireKeys() {
        MetaResponse response = new MetaResponse(1700000500000L, 1690000000000L, 57, 1700000600L, "", true, 0, false, 12);
        assertThat(json(response)).isEqualTo("{\"mod\":1700000500000,\"scm\":1690000000000,\"usn\":57,"
                + "\"ts\":1700000600,\"msg\":\"\",\"cont\":true,\"hostNum\":0,\"empty\":false,\"media_usn\":12}");

        JsonNode tree = SyncJson.mapper().readTree(SyncJson.write(response));
        List<String> keys = tree.propertyNames().stream().toList();
        assertThat(keys).containsExactly("mod", "scm", "usn", "ts", "msg", "cont", "hostNum", "empty", "media_usn");
        assertThat(tree.get("media_usn").isInt()).isTrue();
        assertThat(tree.get("mod").isIntegralNumber()).isTrue();
        assertThat(tree.has("mediaUsn")).isFalse();
        assertThat(tree.has("host_num")).isFalse();
    }

    @Test
    void metaResponseRoundTripsAndFactories() {
        MetaResponse ok = MetaResponse.of(0, 1690000000000L, 0, 1700000600L, true, 0);
        assertThat(ok).isEqualTo(new MetaResponse(0, 1690000000000L, 0, 1700000600L, "", true, 0, true, 0));
        assertThat(SyncJson.read(SyncJson.write(ok), MetaResponse.class)).isEqualTo(ok);


        // what a client parses from an official server
        MetaResponse parsed = SyncJson.read(utf8("{\"mod\":1700000500000,\"scm\":1690000000000,\"usn\":57,"
                + "\"ts\":1700000600,\"msg\":\"\",\"cont\":true,\"hostNum\":0,\"empty\":false,\"media_usn\":12,\"new\":1}"),
                MetaResponse.class);
        assertThat(parsed.mediaUsn()).isEqualTo(12);
        assertThat(parsed.mod()).isEqualTo(1700000500000L);
    }

    @Test
    void metaResponseEmptyIsOptionalOnInputButOtherFieldsAreRequired() {
        String withoutEmpty = "{\"mod\":5,\"scm\":6,\"usn\":7,\"ts\":8,\"msg\":\"\",\"cont\":true,\"hostNum\":0,\"media_usn\":3}";
        assertThat(SyncJson.read(utf8(withoutEmpty), MetaResponse.class))
                .isEqualTo(new MetaResponse(5, 6, 7, 8, "", true, 0, false, 3));
        // 23.10+ clients fail without media_usn; so do we
        assertBadRequest(withoutEmpty.replace(",\"media_usn\":3", ""), MetaResponse.class);
        assertBadRequest(withoutEmpty.replace("\"msg\":\"\",", ""), MetaResponse.class);
    }
}
