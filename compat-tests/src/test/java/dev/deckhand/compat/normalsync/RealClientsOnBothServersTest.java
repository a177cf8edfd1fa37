package dev.deckhand.compat.normalsync;

import com.google.protobuf.ByteString;
import dev.deckhand.ankiclient.AnkiClientException;
import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.AnkiRelease;
import dev.deckhand.ankiclient.SyncCredentials;
import dev.deckhand.compat.TestServers;
import dev.deckhand.compat.collection.CollectionDigest;
import dev.deckhand.compat.collection.VariedCollection;
import dev.deckhand.compat.official.OfficialSyncServer;
import dev.deckhand.server.DeckhandServer;
import dev.deckhand.testsupport.Sha1;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real clients' own flows against Anki's own server ({@code python -m anki.syncserver},
 * 26.09.3) and against ours, side by side: the same user actions on fresh devices against each
 * server. Every step's outcome as the client reports it (what it then requires, the kind of
 * error it shows, the media it holds) must be the same on both servers, and on each the two
 * 26.x devices must end equal.
 *
 * <p>One difference is deliberate (docs/architecture.md, "Differences from the official
 * server"): a 2.1.66 device that downloads what a 26.x device uploaded gets, from Anki's server,
 * the schema-18 file, whose settings 2.1.66 cannot read it drops (easy days in presets, field and
 * template ids, filtered-deck preview delays); from ours, schema 11, whose JSON it carries along.
 */
class RealClientsOnBothServersTest {

    static final String USER = "both";
    static final String PASSWORD = "servers";

    @TempDir
    Path devices;

    @Test
    void theClientsSeeTheSameOnBothServers() throws Exception {
        Seen onOfficial;
        try (OfficialSyncServer official = OfficialSyncServer.start("real-clients",
                new LinkedHashMap<>(Map.of(USER, PASSWORD)), Map.of())) {
            onOfficial = flows(official.endpoint(), devices.resolve("official"));
        }
        Seen onOurs;
        try (DeckhandServer ours = TestServers.allInOne("real-clients-both-servers",
                Map.of("SYNC_USER1", USER + ":" + PASSWORD))) {
            onOurs = flows(TestServers.endpoint(ours), devices.resolve("deckhand"));
        }
        assertThat(onOurs.outcomes()).as("what the clients saw on Deckhand, against Anki's server")
                .isEqualTo(onOfficial.outcomes());
        assertThat(onOfficial.olderKeepsNewerSettings()).as("2.1.66 keeps 26.x's preset settings, official server").isFalse();
        assertThat(onOurs.olderKeepsNewerSettings()).as("2.1.66 keeps 26.x's preset settings, Deckhand").isTrue();
    }

    /** Each step's outcome; and whether a 2.1.66 device's download kept 26.x's easy days. */
    record Seen(List<String> outcomes, boolean olderKeepsNewerSettings) {}

    /** The user's actions; returns each step's outcome as the clients reported it. */
    private static Seen flows(String endpoint, Path folder) throws Exception {
        List<String> seen = new ArrayList<>();
        try (AnkiDevice newer = AnkiDevice.open(folder.resolve("newer"), AnkiRelease.ANKI_26_09_3);
             AnkiDevice other = AnkiDevice.open(folder.resolve("other"), AnkiRelease.ANKI_26_09_3);
             AnkiDevice older = AnkiDevice.open(folder.resolve("older"), AnkiRelease.ANKI_2_1_66)) {
            seen.add("wrong password: " + outcome(() -> newer.login(endpoint, USER, "wrong")));
            seen.add("unknown user: " + outcome(() -> older.login(endpoint, "nobody", PASSWORD)));

            VariedCollection.populate(newer, 20, 5);
            newer.call(() -> {
                newer.backend().addMediaFile("café ☕.jpg", ByteString.copyFromUtf8("a photo"));
                newer.backend().addMediaFile("sound 日本語.mp3", ByteString.copyFrom(new byte[40_000]));
                return null;
            });
            SyncCredentials authNewer = newer.login(endpoint, USER, PASSWORD);
            seen.add("never-synced status: " + newer.syncStatus(authNewer));
            seen.add("26.x first sync: " + newer.syncCollection(authNewer).required());
            newer.fullUpload(authNewer);
            seen.add("26.x after upload: " + newer.syncCollectionAndMedia(authNewer).required());

            SyncCredentials authOther = other.login(endpoint, USER, PASSWORD);
            seen.add("second 26.x first sync: " + other.syncCollection(authOther).required());
            other.fullDownload(authOther);
            seen.add("second 26.x after download: " + other.syncCollectionAndMedia(authOther).required());
            seen.add("second 26.x media: " + Sha1.ofFilesIn(other.folder().resolve("collection.media")));

            // normal syncs of plain study changes both ways (the full generator's rounds make Anki's
            // server ask for a one-way sync after a few rounds; ours does not: see the closing notes)
            for (int round = 0; round < 2; round++) {
                Thread.sleep(1100);
                long added = newer.addBasicNote("round " + round + " on the first device", "back");
                seen.add("round " + round + ", first device: " + newer.syncCollection(authNewer).required());
                seen.add("round " + round + ", second device: " + other.syncCollection(authOther).required());
                Thread.sleep(1100);
                other.call(() -> other.backend().updateNotes(List.of(other.backend().getNote(added).toBuilder()
                        .setFields(1, "edited on the second device").build()), false));
                other.addNote("Basic (and reversed card)", VariedCollection.SCIENCE_DECK, "round " + round, "second device");
                seen.add("round " + round + ", second device again: " + other.syncCollection(authOther).required());
                seen.add("round " + round + ", first device again: " + newer.syncCollection(authNewer).required());
                seen.add("round " + round + ", first device's note: "
                        + newer.call(() -> newer.backend().getNote(added).getFields(1)));
            }

            other.call(() -> {
                other.backend().trashMediaFiles(List.of("café ☕.jpg"));
                other.backend().addMediaFile("from other.txt", ByteString.copyFromUtf8("written on the other device"));
                return null;
            });
            seen.add("second 26.x media sync: " + other.syncCollectionAndMedia(authOther).required());
            seen.add("26.x media sync: " + newer.syncCollectionAndMedia(authNewer).required());
            Map<String, String> media = Sha1.ofFilesIn(newer.folder().resolve("collection.media"));
            seen.add("26.x media: " + media);
            assertThat(Sha1.ofFilesIn(other.folder().resolve("collection.media"))).as("second 26.x media").isEqualTo(media);
            CollectionDigest a = CollectionDigest.of(newer);
            CollectionDigest b = CollectionDigest.of(other);
            assertThat(a.sha256()).as(CollectionDigest.diff(a, b)).isEqualTo(b.sha256());
            seen.add("sections: " + a.sectionSizes());

            // a 2.1.66 device joins
            SyncCredentials authOlder = older.login(endpoint, USER, PASSWORD);
            seen.add("2.1.66 first sync: " + older.syncCollection(authOlder).required());
            older.fullDownload(authOlder);
            seen.add("2.1.66 after download: " + older.syncCollectionAndMedia(authOlder).required());
            seen.add("2.1.66 media: " + Sha1.ofFilesIn(older.folder().resolve("collection.media")));
            return new Seen(seen, older.call(() -> older.backend().allDeckConfigLegacy().toStringUtf8())
                    .contains("easyDaysPercentages"));
        }
    }

    private static String outcome(Runnable action) {
        try {
            action.run();
            return "ok";
        } catch (AnkiClientException e) {
            return e.kind().name();
        }
    }
}
