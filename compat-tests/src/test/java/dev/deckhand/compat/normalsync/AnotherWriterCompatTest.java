package dev.deckhand.compat.normalsync;

import anki.notes.Note;
import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.AnkiRelease;
import dev.deckhand.ankiclient.SyncRequired;
import dev.deckhand.compat.TestServers;
import dev.deckhand.compat.collection.CollectionDigest;
import dev.deckhand.server.DeckhandServer;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.store.collection.CollectionWriter;
import dev.deckhand.store.collection.NoteRow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The collection has a second writer besides sync (the hosted API will be one): what it writes
 * through {@link CollectionWriter} reaches two real clients on their next normal sync, with no
 * full sync, and both end equal.
 */
class AnotherWriterCompatTest {

    static DeckhandServer server;
    static String endpoint;

    @TempDir
    Path devices;

    @BeforeAll
    static void start() {
        server = TestServers.allInOne("another-writer", Map.of());
        endpoint = TestServers.endpoint(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @EnumSource(AnkiRelease.class)
    void anEditAndARemovalByAnotherWriterReachBothDevicesByNormalSync(AnkiRelease release) throws InterruptedException {
        String user = "writer-" + release;
        long userId = server.context().getBean(AccountService.class).addUser(user, "pw").block().id();
        try (AnkiDevice a = AnkiDevice.open(devices.resolve("a"), release);
             AnkiDevice b = AnkiDevice.open(devices.resolve("b"), release)) {
            long edited = a.addBasicNote("front before", "back before");
            long removed = a.addBasicNote("to be removed", "by the API");
            long kept = a.addBasicNote("untouched", "note");
            DevicesInSync inSync = DevicesInSync.of(a, b, endpoint, user, "pw");
            Note before = a.backend().getNote(edited);
            Thread.sleep(1100); // modification times are whole seconds

            server.context().getBean(CollectionWriter.class).write(userId, change -> change.putNotes(List.of(new NoteRow(
                            edited, before.getGuid(), before.getNotetypeId(), System.currentTimeMillis() / 1000, " from-api ",
                            "front <i>by API</i>\u001fback by API", 0, "")))
                    .then(change.removeNotes(List.of(removed)))).block();

            for (AnkiDevice device : List.of(a, b)) {
                var outcome = device.syncCollection(device == a ? inSync.authA() : inSync.authB());
                assertThat(outcome.required()).as("a normal sync, no full sync").isEqualTo(SyncRequired.NO_CHANGES);
                Note note = device.backend().getNote(edited);
                assertThat(note.getFieldsList()).containsExactly("front <i>by API</i>", "back by API");
                assertThat(note.getTagsList()).containsExactly("from-api");
                assertThat(device.queryLong("select count(*) from notes where id = ?", removed)).isZero();
                assertThat(device.queryLong("select count(*) from cards where nid = ?", removed)).isZero();
                assertThat(device.queryLong("select count(*) from notes where id = ?", kept)).isOne();
                assertThat(device.queryScalar("select sfld from notes where id = ?", edited)).isEqualTo("front by API");
            }
            CollectionDigest onA = CollectionDigest.of(a);
            CollectionDigest onB = CollectionDigest.of(b);
            assertThat(onA.sha256()).as(CollectionDigest.diff(onA, onB)).isEqualTo(onB.sha256());
        }
    }
}
