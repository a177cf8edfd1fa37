package dev.deckhand.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SyncPathTest {

    @ParameterizedTest
    @CsvSource({
            "/sync/meta, SYNC, meta",
            "/sync/hostKey, SYNC, hostKey",
            "/anki/sync/meta, SYNC, meta",
            "/a/b/c/sync/applyChunk, SYNC, applyChunk",
            "/anki/sync/sync/meta, SYNC, meta",
            "/msync/begin, MEDIA, begin",
            "/anki/msync/uploadChanges, MEDIA, uploadChanges",
            "/msync/sync/begin, SYNC, begin",
            "/msync/begin?k=abc&v=anki%2C2.1.50, MEDIA, begin",
            "/sync/unknownThing, SYNC, unknownThing",
            "/sync/META, SYNC, META",
            "sync/meta, SYNC, meta"})
    void parsesMethodUnderAnyPrefix(String path, SyncPath.Kind kind, String method) {
        assertThat(SyncPath.parse(path)).contains(new SyncPath(kind, method));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "/meta", "/sync", "/sync/", "/msync/", "/sync/meta/", "/anki/sync/",
            "/health", "/syncx/meta", "/xsync/meta", "/Sync/meta", "/MSYNC/begin", "/sync//meta", "//meta",
            "/sync/meta/extra", "/sync?x=/sync/meta"})
    void noMatch(String path) {
        assertThat(SyncPath.parse(path)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/sync/..", "/msync/..", "/../sync/meta", "/anki/../sync/meta", "/sync/.",
            "/./sync/meta", "/x/%2e%2e/sync/meta", "/sync/%2E%2E", "/a/%2e/sync/meta"})
    void rejectsDotSegments(String path) {
        assertThat(SyncPath.parse(path)).isEmpty();
    }

    @Test
    void nullIsNoMatch() {
        assertThat(SyncPath.parse(null)).isEmpty();
    }

    @Test
    void resolvesKnownMethods() {
        assertThat(SyncPath.parse("/sync/applyGraves").orElseThrow().syncMethod()).contains(SyncMethod.APPLY_GRAVES);
        assertThat(SyncPath.parse("/sync/applyGraves").orElseThrow().mediaMethod()).isEmpty();
        assertThat(SyncPath.parse("/msync/mediaSanity").orElseThrow().mediaMethod()).contains(MediaMethod.MEDIA_SANITY);
        assertThat(SyncPath.parse("/msync/mediaSanity").orElseThrow().syncMethod()).isEmpty();
        assertThat(SyncPath.parse("/msync/meta").orElseThrow().syncMethod()).isEmpty();
        assertThat(SyncPath.parse("/sync/nope").orElseThrow().syncMethod()).isEmpty();
    }

    @Test
    void syncMethodWireNames() {
        assertThat(Arrays.stream(SyncMethod.values()).map(SyncMethod::wireName)).containsExactly(
                "hostKey", "meta", "start", "applyGraves", "applyChanges", "chunk", "applyChunk",
                "sanityCheck2", "finish", "abort", "upload", "download");
        for (SyncMethod method : SyncMethod.values()) {
            assertThat(SyncMethod.fromWireName(method.wireName())).contains(method);
        }
        assertThat(SyncMethod.fromWireName("hostkey")).isEmpty();
        assertThat(SyncMethod.fromWireName("HOST_KEY")).isEmpty();
        assertThat(SyncMethod.fromWireName("sanityCheck")).isEmpty();
        assertThat(SyncMethod.fromWireName("")).isEmpty();
        assertThat(SyncMethod.fromWireName(null)).isEmpty();
    }

    @Test
    void mediaMethodWireNames() {
        assertThat(Arrays.stream(MediaMethod.values()).map(MediaMethod::wireName)).containsExactly(
                "begin", "mediaChanges", "uploadChanges", "downloadFiles", "mediaSanity");
        for (MediaMethod method : MediaMethod.values()) {
            assertThat(MediaMethod.fromWireName(method.wireName())).contains(method);
        }
        assertThat(MediaMethod.fromWireName("Begin")).isEmpty();
        assertThat(MediaMethod.fromWireName("meta")).isEmpty();
        assertThat(MediaMethod.fromWireName(null)).isEmpty();
    }

    @Test
    void methodTraits() {
        assertThat(Arrays.stream(SyncMethod.values()).filter(SyncMethod::takesNoArguments))
                .containsExactlyInAnyOrder(SyncMethod.CHUNK, SyncMethod.FINISH, SyncMethod.ABORT, SyncMethod.DOWNLOAD);
    }
}
