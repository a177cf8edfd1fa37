package dev.deckhand.loadtests;

import dev.deckhand.store.collection.CollectionHeader;
import dev.deckhand.store.collection.BulkTable;

import dev.deckhand.store.fullsync.Schema11Writer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Large collection files for benchmarks, made quickly and reproducibly: two cards and five
 * reviews per note, like a collection that has been studied for a while. Schema 11, so that
 * making 100 000 notes takes seconds rather than the real client's minutes; the bulk rows,
 * which dominate the cost, are the same in both schemas.
 */
final class SyntheticCollection {

    private static final String[] WORDS = {"maison", "chat", "église", "bibliothèque", "日本語", "漢字", "wissen",
            "straße", "cell", "membrane", "integral", "derivative", "العربية", "книга", "λόγος", "river", "mountain"};

    record Counts(int notes, int cards, int revlog) {}

    private SyntheticCollection() {}

    /** Writes {@code notes} notes whose fields hold about {@code fieldBytes} bytes each. */
    static Counts write(Path file, int notes, int fieldBytes, long seed) {
        Random random = new Random(seed);
        long base = 1_600_000_000_000L;
        try (Schema11Writer w = Schema11Writer.create(file)) {
            w.header(new CollectionHeader(1_600_000_000L, base + notes, base, 10, base, 11),
                    "{\"schedVer\":2,\"sched2021\":true,\"curDeck\":1}",
                    "{\"1600000000001\":{\"id\":1600000000001,\"name\":\"Basic (and reversed card)\",\"type\":0,\"mod\":0,"
                            + "\"usn\":0,\"sortf\":0,\"did\":null,\"flds\":[{\"name\":\"Front\",\"ord\":0},{\"name\":\"Back\",\"ord\":1}],"
                            + "\"tmpls\":[{\"name\":\"Card 1\",\"ord\":0,\"qfmt\":\"{{Front}}\",\"afmt\":\"{{Back}}\"},"
                            + "{\"name\":\"Card 2\",\"ord\":1,\"qfmt\":\"{{Back}}\",\"afmt\":\"{{Front}}\"}],\"css\":\"\"}}",
                    "{\"1\":{\"id\":1,\"name\":\"Default\",\"mod\":0,\"usn\":0,\"conf\":1,\"dyn\":0}}",
                    "{\"1\":{\"id\":1,\"name\":\"Default\",\"mod\":0,\"usn\":0}}",
                    "{\"benchmark\":0}");
            int batch = 5000;
            List<Object[]> noteRows = new ArrayList<>(batch);
            List<Object[]> cardRows = new ArrayList<>(2 * batch);
            List<Object[]> revlogRows = new ArrayList<>(5 * batch);
            for (int n = 0; n < notes; n++) {
                long nid = base + n;
                String front = text(random, fieldBytes / 2);
                String back = text(random, fieldBytes / 2);
                noteRows.add(new Object[] {nid, Long.toString(random.nextLong(), 36), 1600000000001L, 1_600_000_000L, 10,
                        " benchmark ", (front + "\u001f" + back).getBytes(StandardCharsets.UTF_8), front, (short) 3,
                        (long) (random.nextInt() & 0x7fffffff), 0L, ""});
                for (int ord = 0; ord < 2; ord++) {
                    long cid = (base + n) * 2 + ord;
                    cardRows.add(new Object[] {cid, nid, 1L, (long) ord, 1_600_000_000L, 10, 2L, 2L, (long) random.nextInt(400),
                            (long) random.nextInt(200), 2500L, 7L, 1L, 0L, 0L, 0L, 0L, "{}"});
                }
                for (int r = 0; r < 5; r++) {
                    revlogRows.add(new Object[] {(base + n) * 5 + r, (base + n) * 2 + (r & 1), 10, (long) (1 + random.nextInt(4)),
                            (long) random.nextInt(100), (long) random.nextInt(50), 2500L, (long) random.nextInt(20_000), 1L});
                }
                if (noteRows.size() == batch || n == notes - 1) {
                    w.rows(BulkTable.NOTES, noteRows);
                    w.rows(BulkTable.CARDS, cardRows);
                    w.rows(BulkTable.REVLOG, revlogRows);
                    noteRows.clear();
                    cardRows.clear();
                    revlogRows.clear();
                }
            }
        }
        return new Counts(notes, 2 * notes, 5 * notes);
    }

    private static String text(Random random, int bytes) {
        StringBuilder s = new StringBuilder(bytes + 16);
        while (s.length() < bytes) {
            s.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
        }
        return s.toString();
    }
}
