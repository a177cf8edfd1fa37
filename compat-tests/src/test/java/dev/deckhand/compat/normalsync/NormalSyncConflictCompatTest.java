package dev.deckhand.compat.normalsync;

import anki.notes.Note;
import anki.notetypes.Notetype;
import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.AnkiRelease;
import dev.deckhand.ankiclient.SyncCredentials;
import dev.deckhand.ankiclient.SyncRequired;
import dev.deckhand.compat.collection.CollectionDigest;
import dev.deckhand.server.DeckhandServer;
import dev.deckhand.compat.TestServers;
import dev.deckhand.store.account.AccountService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conflicting edits and schema changes between two real clients: conflicts resolve as the
 * protocol says (the later edit wins), and a schema change leads both through a full sync.
 */
class NormalSyncConflictCompatTest {

    static DeckhandServer server;
    static String endpoint;
    static final AtomicInteger users = new AtomicInteger();

    @TempDir
    Path devices;

    @BeforeAll
    static void start() {
        server = TestServers.allInOne("normal-sync-conflicts", Map.of());
        endpoint = TestServers.endpoint(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Two devices in sync on a fresh account, sharing one note. */
    private record Pair(AnkiDevice a, SyncCredentials authA, AnkiDevice b, SyncCredentials authB, long noteId) {}

    private Pair pair(String label, AnkiRelease release) {
        String user = "conflict" + users.incrementAndGet();
        server.context().getBean(AccountService.class).addUser(user, "pw").block();
        AnkiDevice a = AnkiDevice.open(devices.resolve(label + "-a"), release);
        AnkiDevice b = AnkiDevice.open(devices.resolve(label + "-b"), release);
        long note = a.addBasicNote("shared front", "shared back");
        a.addBasicNote("other", "note");
        DevicesInSync inSync = DevicesInSync.of(a, b, endpoint, user, "pw");
        return new Pair(a, inSync.authA(), b, inSync.authB(), note);
    }

    private static void edit(AnkiDevice device, long noteId, String front) {
        Note note = device.backend().getNote(noteId);
        device.backend().updateNotes(List.of(note.toBuilder().setFields(0, front).build()), false);
    }

    private static String front(AnkiDevice device, long noteId) {
        return device.backend().getNote(noteId).getFields(0);
    }

    @ParameterizedTest
    @EnumSource(AnkiRelease.class)
    void theLaterEditWinsWhicheverDeviceSyncsFirst(AnkiRelease release) throws InterruptedException {
        Pair p = pair("later-wins", release);
        try (AnkiDevice a = p.a(); AnkiDevice b = p.b()) {
            edit(a, p.noteId(), "edited on A");
            Thread.sleep(1100); // modification times are whole seconds
            edit(b, p.noteId(), "edited on B, later");
            a.syncCollection(p.authA());
            b.syncCollection(p.authB());
            a.syncCollection(p.authA());
            assertThat(front(a, p.noteId())).isEqualTo("edited on B, later");
            assertThat(front(b, p.noteId())).isEqualTo("edited on B, later");
        }
        Pair q = pair("later-syncs-first", release);
        try (AnkiDevice a = q.a(); AnkiDevice b = q.b()) {
            edit(a, q.noteId(), "edited on A");
            Thread.sleep(1100);
            edit(b, q.noteId(), "edited on B, later");
            // the device with the later edit syncs first this time
            b.syncCollection(q.authB());
            a.syncCollection(q.authA());
            b.syncCollection(q.authB());
            assertThat(front(a, q.noteId())).isEqualTo("edited on B, later");
            assertThat(front(b, q.noteId())).isEqualTo("edited on B, later");
            CollectionDigest onA = CollectionDigest.of(a);
            CollectionDigest onB = CollectionDigest.of(b);
            assertThat(onA.sha256()).as(CollectionDigest.diff(onA, onB)).isEqualTo(onB.sha256());
        }
    }

    @ParameterizedTest
    @EnumSource(AnkiRelease.class)
    void aDeletionWinsOverAnEdit(AnkiRelease release) throws InterruptedException {
        Pair p = pair("deletion", release);
        try (AnkiDevice a = p.a(); AnkiDevice b = p.b()) {
            a.backend().removeNotes(List.of(p.noteId()), List.of());
            Thread.sleep(1100);
            edit(b, p.noteId(), "edited on B after A deleted it");
            a.syncCollection(p.authA());
            b.syncCollection(p.authB());
            a.syncCollection(p.authA());
            assertThat(a.noteCount()).isEqualTo(1);
            assertThat(b.noteCount()).isEqualTo(1);
            assertThat(CollectionDigest.of(a).sha256()).isEqualTo(CollectionDigest.of(b).sha256());
        }
    }

    @ParameterizedTest
    @EnumSource(AnkiRelease.class)
    void addingAFieldMakesTheOtherDeviceFullSyncAndBothConverge(AnkiRelease release) {
        Pair p = pair("schema", release);
        try (AnkiDevice a = p.a(); AnkiDevice b = p.b()) {
            long basic = a.backend().getNotetypeIdByName("Basic");
            Notetype nt = a.backend().getNotetype(basic);
            Notetype.Field extra = Notetype.Field.newBuilder().setName("Extra").setConfig(nt.getFields(1).getConfig()).build();
            a.backend().updateNotetype(nt.toBuilder().addFields(extra).build());

            // A changed its schema: the server cannot merge that, so A must choose, and uploads
            assertThat(a.syncCollection(p.authA()).required()).isEqualTo(SyncRequired.FULL_SYNC);
            a.fullUpload(p.authA());
            // B's schema now differs from the server's
            assertThat(b.syncCollection(p.authB()).required()).isEqualTo(SyncRequired.FULL_SYNC);
            b.fullDownload(p.authB());
            assertThat(b.backend().getFieldNames(basic)).containsExactly("Front", "Back", "Extra");
            assertThat(CollectionDigest.of(a).sha256()).isEqualTo(CollectionDigest.of(b).sha256());
            assertThat(a.syncCollection(p.authA()).required()).isEqualTo(SyncRequired.NO_CHANGES);
            // and normal syncs go on from there
            edit(b, p.noteId(), "after the schema change");
            b.syncCollection(p.authB());
            a.syncCollection(p.authA());
            assertThat(front(a, p.noteId())).isEqualTo("after the schema change");
        }
    }
}
