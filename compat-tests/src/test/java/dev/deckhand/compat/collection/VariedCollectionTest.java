package dev.deckhand.compat.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.compat.collection.VariedCollection.Mutation;
import dev.deckhand.compat.collection.VariedCollection.Summary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link VariedCollection} and {@link CollectionDigest} against the real client, without a server:
 * a copied collection file digests the same, a mutation shows up in the diff, and the same seed
 * rebuilds the same content. Timings and summaries go to
 * {@code target/varied-collection/timings.txt} (the native library owns stdout).
 */
class VariedCollectionTest {

    private static final long SEED = 20_261_123L;
    private static final Path REPORT = Path.of("target", "varied-collection", "timings.txt");

    @Test
    void copiedCollectionDigestsTheSameAndAMutationShowsInTheDiff(@TempDir Path folder) throws IOException {
        Path a = folder.resolve("a");
        Path b = folder.resolve("b");
        CollectionDigest original;
        try (AnkiDevice device = AnkiDevice.open(a)) {
            Summary summary = VariedCollection.populate(device, 100, SEED);
            report("populate(100) " + summary);
            assertRealisticContent(summary, 100);
            original = CollectionDigest.of(device);
        }
        Files.writeString(REPORT.resolveSibling("digest-100.txt"), original.canonical());
        assertThat(original.sectionSizes()).containsKeys("col", "config", "deck", "preset", "notetype", "tag",
                "note", "card", "revlog");

        // Reopening must not change anything the digest sees (no open-time rewrites leak in).
        try (AnkiDevice reopened = AnkiDevice.open(a)) {
            CollectionDigest again = CollectionDigest.of(reopened);
            assertThat(again.sha256()).as(() -> CollectionDigest.diff(original, again)).isEqualTo(original.sha256());
        }

        Files.createDirectories(b);
        try (Stream<Path> files = Files.list(a)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("collection.anki2")).toList()) {
                Files.copy(file, b.resolve(file.getFileName()));
            }
        }
        try (AnkiDevice copy = AnkiDevice.open(b)) {
            CollectionDigest copied = CollectionDigest.of(copy);
            assertThat(copied.sha256()).as(() -> CollectionDigest.diff(original, copied)).isEqualTo(original.sha256());
            assertThat(CollectionDigest.diff(original, copied)).isEqualTo("no differences");

            Mutation mutation = VariedCollection.mutate(copy, 7);
            CollectionDigest mutated = CollectionDigest.of(copy);
            String diff = CollectionDigest.diff(original, mutated);
            Files.writeString(REPORT.resolveSibling("mutation-diff.txt"), mutation + "\n\n" + diff + "\n");

            assertThat(mutated.sha256()).isNotEqualTo(original.sha256());
            assertThat(mutation.answers()).isPositive();
            for (String guid : mutation.editedNoteGuids()) {
                assertThat(diff).contains("~ note " + guid + ": fields");
            }
            for (String guid : mutation.deletedNoteGuids()) {
                assertThat(diff).contains("- only in A: note " + guid);
            }
            for (String guid : mutation.addedNoteGuids()) {
                assertThat(diff).contains("+ only in B: note " + guid);
            }
            assertThat(diff)
                    .contains("- only in A: deck " + mutation.renamedDeckFrom())
                    .contains("+ only in B: deck " + mutation.renamedDeckTo())
                    .contains("~ preset " + mutation.changedPreset() + ": new ")
                    .containsPattern("\nrevlog: \\d+ only in A, [1-9]\\d* only in B");
        }
    }

    @Test
    void sameSeedRebuildsTheSameContentButNotTheClockOrRandomIdentities(@TempDir Path folder) {
        CollectionDigest first;
        CollectionDigest second;
        try (AnkiDevice device = AnkiDevice.open(folder.resolve("first"))) {
            VariedCollection.populate(device, 100, SEED);
            first = CollectionDigest.of(device);
        }
        try (AnkiDevice device = AnkiDevice.open(folder.resolve("second"))) {
            VariedCollection.populate(device, 100, SEED);
            second = CollectionDigest.of(device);
        }
        // guids and ids come from Anki's random generator and clock: the raw digests differ...
        assertThat(first.sha256()).isNotEqualTo(second.sha256());
        // ...but with those replaced by creation order, everything else is the same.
        SortedMap<String, String> firstView = reproducibleView(first);
        SortedMap<String, String> secondView = reproducibleView(second);
        List<String> differences = new ArrayList<>();
        for (String key : firstView.keySet()) {
            if (!firstView.get(key).equals(secondView.get(key)) && differences.size() < 10) {
                differences.add(key + "\n    " + firstView.get(key) + "\n    " + secondView.get(key));
            }
        }
        assertThat(differences).as("first differences").isEmpty();
        assertThat(secondView.keySet()).isEqualTo(firstView.keySet());
    }

    @Test
    void populateTimings(@TempDir Path folder) {
        for (int notes : new int[] {10, 1_000}) {
            try (AnkiDevice device = AnkiDevice.open(folder.resolve("n" + notes))) {
                Summary summary = timed("populate(" + notes + ")", () -> VariedCollection.populate(device, notes, SEED));
                report("populate(" + notes + ") " + summary);
                assertRealisticContent(summary, notes);
                CollectionDigest digest = timed("digest(" + notes + ")", () -> CollectionDigest.of(device));
                assertThat(digest.sectionSizes()).containsEntry("note", notes).containsEntry("card", summary.cards());
            }
        }
    }

    /** About 45 s (populate ~30 s, digest ~12 s); run with {@code -Ddeckhand.slowTests=true}. */
    @Test
    @EnabledIfSystemProperty(named = "deckhand.slowTests", matches = "true")
    void populatesAHundredThousandNotesSlow(@TempDir Path folder) {
        try (AnkiDevice device = AnkiDevice.open(folder.resolve("n100000"))) {
            Summary summary = timed("populate(100000)", () -> VariedCollection.populate(device, 100_000, SEED));
            report("populate(100000) " + summary);
            assertRealisticContent(summary, 100_000);
            assertThat(summary.cards()).isGreaterThan(195_000);
            assertThat(summary.revlog()).isGreaterThan(500_000);
            CollectionDigest digest = timed("digest(100000)", () -> CollectionDigest.of(device));
            assertThat(digest.sectionSizes()).containsEntry("revlog", summary.revlog());
            timed("close(100000)", () -> {
                device.close();
                return null;
            });
        }
    }

    @Test
    void transactionRollsBackEverythingWhenTheActionFails(@TempDir Path folder) {
        try (AnkiDevice device = AnkiDevice.open(folder)) {
            device.addBasicNote("kept", "1");
            long card = device.queryLong("select id from cards");
            String insert = "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
                    + " values (?, ?, -1, ?, 1, -600, 2500, 4000, 1)";
            IllegalStateException failure = new IllegalStateException("boom");
            assertThat(catchThrowable(() -> device.inTransaction(() -> {
                device.addBasicNote("lost", "2");
                device.executeMany(insert, List.of(List.of(1_000L, card, 3)));
                throw failure;
            }))).isSameAs(failure);
            assertThat(device.noteCount()).isEqualTo(1);
            assertThat(device.queryLong("select count() from revlog")).isZero();

            device.inTransaction(() -> {
                device.executeMany(insert, List.of(List.of(1_000L, card, 3), List.of(2_000L, card, 4)));
                return null;
            });
            assertThat(device.query("select id, ease from revlog order by id"))
                    .containsExactly(List.of(1_000, 3), List.of(2_000, 4));
        }
    }

    private static void assertRealisticContent(Summary summary, int notes) {
        assertThat(summary.notes()).isEqualTo(notes);
        assertThat(summary.cards()).isGreaterThan(notes);
        assertThat(summary.revlog()).isGreaterThanOrEqualTo(summary.answers() + summary.historyRows());
        assertThat(summary.answers()).isGreaterThanOrEqualTo(Math.min(40, notes));
        assertThat(summary.filteredDecks()).isEqualTo(2);
        assertThat(summary.decks()).isGreaterThanOrEqualTo(14);
        assertThat(summary.presets()).isEqualTo(3);
        assertThat(summary.notetypes()).isEqualTo(6);
        assertThat(summary.suspendedCards()).isPositive();
        assertThat(summary.buriedCards()).isPositive();
        assertThat(summary.flaggedCards()).isPositive();
        assertThat(summary.graves()).isPositive();
    }

    /**
     * The digest with what Anki takes from its clock or random generator replaced or left out:
     * guids and note/card ids become creation ordinals, revlog ids a per-card sequence number;
     * mod times, due/odue (epoch seconds for learning cards, day numbers shifted by fuzz for
     * reviews) and intervals (fuzzed from the card id) are dropped.
     */
    private static SortedMap<String, String> reproducibleView(CollectionDigest digest) {
        SortedMap<String, String> view = new TreeMap<>();
        Map<String, String> noteOrdinal = new HashMap<>();
        List<Map.Entry<String, String>> notes = new ArrayList<>();
        List<Map.Entry<String, String>> cards = new ArrayList<>();
        List<Map.Entry<String, String>> revlog = new ArrayList<>();
        for (Map.Entry<String, String> entry : digest.entries().entrySet()) {
            String key = entry.getKey();
            if (key.startsWith("note ")) {
                notes.add(entry);
            } else if (key.startsWith("card ")) {
                cards.add(entry);
            } else if (key.startsWith("revlog ")) {
                revlog.add(entry);
            } else {
                view.put(key, entry.getValue());
            }
        }
        notes.sort(Comparator.comparingLong(e -> new JSONObject(e.getValue()).getLong("id")));
        for (int i = 0; i < notes.size(); i++) {
            String guid = notes.get(i).getKey().substring("note ".length());
            noteOrdinal.put(guid, "n" + i);
            view.put("note n" + i, stripped(notes.get(i).getValue(), "id", "mod"));
        }
        Map<String, String> cardOrdinal = new HashMap<>();
        for (Map.Entry<String, String> card : cards) {
            String rest = card.getKey().substring("card ".length());
            int hash = rest.lastIndexOf(" #");
            String ordinal = noteOrdinal.get(rest.substring(0, hash)) + rest.substring(hash);
            cardOrdinal.put(rest, ordinal);
            view.put("card " + ordinal, stripped(card.getValue(), "id", "mod", "due", "odue", "ivl"));
        }
        Map<String, Integer> perCard = new HashMap<>();
        for (Map.Entry<String, String> row : revlog) { // already in id (= time) order
            String rest = row.getKey().substring(row.getKey().indexOf(' ', "revlog ".length()) + 1);
            String value = stripped(row.getValue(), "ivl", "lastIvl");
            if (rest.startsWith("cid=")) {
                // history of deleted cards: nothing left to key it by, so compare it as a multiset
                int occurrence = perCard.merge("deleted " + value, 1, Integer::sum);
                view.put("revlog deleted " + value + " x" + occurrence, "");
            } else {
                String card = cardOrdinal.get(rest);
                view.put("revlog " + card + " r" + perCard.merge(card, 1, Integer::sum), value);
            }
        }
        return view;
    }

    private static String stripped(String json, String... keys) {
        JSONObject object = new JSONObject(json);
        for (String key : keys) {
            object.remove(key);
        }
        return CollectionDigest.canonicalJson(object);
    }

    private static <T> T timed(String what, Supplier<T> action) {
        Instant start = Instant.now();
        T result = action.get();
        report(what + " took " + Duration.between(start, Instant.now()).toMillis() + " ms");
        return result;
    }

    private static void report(String line) {
        try {
            Files.createDirectories(REPORT.getParent());
            Files.writeString(REPORT, Instant.now() + " " + line + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
