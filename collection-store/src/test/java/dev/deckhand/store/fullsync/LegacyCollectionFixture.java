package dev.deckhand.store.fullsync;

import dev.deckhand.store.collection.CollectionHeader;
import dev.deckhand.store.collection.BulkTable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Small schema-11 collection files for tests that need a valid upload without the real client:
 * one Basic note type, the Default deck and preset, and {@code notes} notes with a card each.
 */
public final class LegacyCollectionFixture {

    private LegacyCollectionFixture() {}

    /** A collection whose mod is {@code 1_700_000_000_000 + notes}, so different sizes differ. */
    public static byte[] bytes(Path folder, String label, int notes) {
        Path file = folder.resolve(label + "-" + System.nanoTime() + ".anki2");
        try (Schema11Writer w = Schema11Writer.create(file)) {
            w.header(new CollectionHeader(1_600_000_000L, 1_700_000_000_000L + notes, 1_690_000_000_000L, 5, 0, 11),
                    "{\"schedVer\":2,\"sched2021\":true}",
                    "{\"7\":{\"id\":7,\"name\":\"Basic\",\"mod\":0,\"usn\":0,\"flds\":[{\"name\":\"Front\"},{\"name\":\"Back\"}],\"tmpls\":[]}}",
                    "{\"1\":{\"id\":1,\"name\":\"Default\",\"mod\":0,\"usn\":0}}",
                    "{\"1\":{\"id\":1,\"name\":\"Default\",\"mod\":0,\"usn\":0}}", "{}");
            List<Object[]> noteRows = new ArrayList<>();
            List<Object[]> cardRows = new ArrayList<>();
            for (int i = 0; i < notes; i++) {
                long id = 1_700_000_000_000L + i;
                noteRows.add(new Object[] {id, "g" + i, 7L, 1L, 0, "", (label + i + "\u001fback").getBytes(StandardCharsets.UTF_8),
                        label + i, (short) 3, 1L, 0L, ""});
                cardRows.add(new Object[] {id, id, 1L, 0L, 1L, 0, 0L, 0L, (long) i, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, "{}"});
            }
            w.rows(BulkTable.NOTES, noteRows);
            w.rows(BulkTable.CARDS, cardRows);
        }
        try {
            byte[] content = Files.readAllBytes(file);
            Files.delete(file);
            return content;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
