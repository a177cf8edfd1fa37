package dev.deckhand.compat.collection;

import anki.config.OptionalStringConfigKey;
import anki.config.Preferences;
import anki.decks.Deck;
import anki.decks.FilteredDeckForUpdate;
import anki.notes.Note;
import anki.notetypes.StockNotetype;
import anki.scheduler.BuryOrSuspendCardsRequest;
import anki.scheduler.CardAnswer;
import anki.scheduler.QueuedCards;
import anki.scheduler.SchedulingState;
import anki.scheduler.SchedulingStates;
import com.google.protobuf.ByteString;
import dev.deckhand.ankiclient.AnkiDevice;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import anki.backend.GeneratedBackend;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * Fills a real Anki client's collection with what a real user's collection holds, reproducibly
 * from a seed, so that full upload/download tests exercise every kind of data.
 *
 * <p>Everything goes through the client's own RPCs (the calls the desktop and AnkiDroid UIs make),
 * except the old review history, which is written through the client's DB proxy (see
 * {@link #populate}).
 *
 * <p>Same seed, same content: note texts, tags, decks, presets, which cards are answered with
 * which button, flagged, suspended, buried, filtered or deleted, and the resulting card states
 * apart from intervals and due dates. Not reproducible, because Anki takes them from the clock or
 * a random generator: note guids, note/card/deck/preset/note-type ids, revlog ids (review
 * timestamps), modification times, the due times of intraday learning cards, and review intervals
 * and due days after an answer (Anki's interval fuzz is seeded from the card id). Choices that
 * 2.1.66 would make by card id (the order of due reviews, of a note's cards in a filtered deck
 * search) are avoided so that they cannot make the rest differ; see {@link #answerCards} and
 * {@link #buildFilteredDecks}.
 */
public final class VariedCollection {

    public static final String VOCABULARY_NOTETYPE = "Vocabulaire — 日本語 ✓";
    public static final List<String> VOCABULARY_FIELDS =
            List.of("Mot", "Traduction", "Exemple 例文", "Prononciation 🔊", "Notes / ملاحظات");
    public static final String INTENSIVE_PRESET = "Vocabulaire 🇫🇷 intensif";
    public static final String SLOW_PRESET = "Science — lent & régulier";

    public static final String DEFAULT_DECK = "Default";
    public static final String LANGUAGES_DECK = "Languages";
    public static final String FRENCH_DECK = "Languages::Français";
    public static final String VERBS_DECK = "Languages::Français::Verbes";
    public static final String NOUNS_DECK = "Languages::Français::Noms";
    public static final String KANJI_DECK = "Languages::日本語::漢字";
    public static final String ARABIC_DECK = "Languages::العربية";
    public static final String SCIENCE_DECK = "Science";
    public static final String CELLS_DECK = "Science::Biology::Cells";
    public static final String MATH_DECK = "Science::Math";
    public static final String MISC_DECK = "Misc 🎲";
    public static final String QUICK_FILTERED_DECK = "Révision rapide ⚡";
    public static final String CRAM_FILTERED_DECK = "Languages::Cram 日本語";

    /** Decks studied, in this order; the last is filtered, and Languages holds the other filtered deck. */
    private static final List<String> STUDIED_DECKS =
            List.of(DEFAULT_DECK, LANGUAGES_DECK, SCIENCE_DECK, MISC_DECK, QUICK_FILTERED_DECK);
    private static final String VERBS_RENAMED = VERBS_DECK + " irréguliers ✎";
    /** Decks {@link #mutate} creates, one per call, and deletes again in a later call. */
    public static final String LOT_DECK_PREFIX = "Lot ";

    private static final long DAY_MILLIS = 86_400_000L;
    private static final int ROWS_PER_STATEMENT = 20_000;
    private static final int NOTES_PER_TRANSACTION = 1_000;
    private static final int DUE_TODAY_CAP = 60;
    /** Safety net against a session that never empties; the daily limits end it long before. */
    private static final int STUDY_SESSION_CAP = 5_000;

    /** What {@link #populate} produced, counted from the collection afterwards. */
    public record Summary(
            int notes,
            int cards,
            int revlog,
            int decks,
            int filteredDecks,
            int presets,
            int notetypes,
            int tags,
            int suspendedCards,
            int buriedCards,
            int flaggedCards,
            int graves,
            int answers,
            int historyRows,
            int rescheduledCards,
            Map<String, Long> phaseMillis) {
    }

    /**
     * What {@link #mutate} changed, by natural key, for asserting on a digest diff; the
     * {@link Expectation}s its changes should make true on every synced device; and every object
     * the device changed since its last sync (its pending rows and graves), as
     * {@code note:<guid>}, {@code card:<guid> #<ord>}, {@code deck:<name>}, {@code notetype:<name>}.
     */
    public record Mutation(
            List<String> editedNoteGuids,
            List<String> addedNoteGuids,
            List<String> deletedNoteGuids,
            String renamedDeckFrom,
            String renamedDeckTo,
            String changedPreset,
            int answers,
            List<Expectation> expectations,
            Set<String> touched) {

        /** The expectations about nothing {@code other} touched: no conflict can override them. */
        public List<Expectation> independentOf(Mutation other) {
            return expectations.stream()
                    .filter(e -> e.objects().stream().noneMatch(other.touched()::contains))
                    .toList();
        }

        /** The expectations that do not hold in {@code digest}. */
        public static List<Expectation> unmet(List<Expectation> expectations, CollectionDigest digest) {
            return expectations.stream().filter(e -> !e.heldBy(digest)).toList();
        }
    }

    private VariedCollection() {
    }

    /**
     * Fills a fresh collection so that it ends with exactly {@code notes} notes.
     *
     * <p>It adds note types, presets and nested decks, adds {@code notes + notes/50} notes
     * (batched in transactions of {@value #NOTES_PER_TRANSACTION}), gives about 45% of the cards a
     * review history, reschedules those cards to review state with "Set due date", builds two
     * filtered decks, studies five decks until their daily limits stop the session (a few hundred
     * answers at most sizes), flags, suspends and buries cards, deletes the extra notes and an
     * empty deck (graves), and changes a few preferences.
     *
     * <p>Review history: a real user's hundreds of thousands of revlog rows come from years of
     * answering, with past timestamps. The scheduler can only answer today (and a card only while
     * it is due), so the older history (on average five rows per reviewed card, in the past
     * two years, with learning, review and relearning entries and all four buttons) is inserted
     * through the client's DB proxy ({@link AnkiDevice#executeMany}): the path desktop Anki's
     * {@code col.db} gives add-ons and old importers. Today's history is real: one "manual" row
     * per rescheduled card from the Set Due Date RPC, and the answers.
     *
     * <p>Measured with 2.1.66 (2 cores): answering costs ~0.4 ms per card including
     * {@code getQueuedCards}, but only due cards within the daily limits can be answered and each
     * row gets today's timestamp; Set Due Date writes one manual row per card (~0.1 ms per card
     * at 90,000 cards); {@code executemany} writes ~55,000 rows per second. 2.1.66 has no bulk
     * note RPC ({@code AddNotes} came later): {@code addNote} takes ~0.4 ms alone and ~0.1 ms
     * inside an outer transaction, hence {@link AnkiDevice#inTransaction}. 100,000 notes take
     * ~30 s and give ~205,000 cards and ~560,000 revlog rows.
     */
    public static Summary populate(AnkiDevice device, int notes, long seed) {
        if (notes < 10) {
            throw new IllegalArgumentException("notes must be at least 10, got " + notes);
        }
        if (device.noteCount() != 0) {
            throw new IllegalStateException("populate needs a fresh collection; this one has notes");
        }
        Random random = new Random(seed);
        GeneratedBackend backend = device.backend();
        Phases phases = new Phases();
        return device.call(() -> {
            Map<String, Long> decks = createDecksAndPresets(device);
            long vocabularyId = addVocabularyNotetype(backend, decks.get(KANJI_DECK));
            phases.done("decks, presets, note type");

            int extra = Math.max(2, notes / 50);
            List<Long> noteIds = addNotes(device, random, notes + extra, decks, vocabularyId);
            phases.done("add notes");

            // By note and template, not card id: the ids of one note's cards are not in template
            // order, and their order varies from run to run.
            List<Long> cardIds = longs(device.query("select id from cards order by nid, ord"));
            Rescheduled rescheduled = chooseReviewedCards(random, cardIds);
            int historyRows = insertHistory(device, random, rescheduled.cardIds());
            phases.done("history via DB proxy");
            for (Map.Entry<Integer, List<Long>> group : rescheduled.byDays().entrySet()) {
                backend.setDueDate(group.getValue(), group.getKey() + "!", browserDueDateKey());
            }
            phases.done("set due date");

            // Built before studying, while new cards abound, so that every search finds cards.
            buildFilteredDecks(backend, notes);
            phases.done("filtered decks");
            int answers = answerCards(device, seed, ordinals(noteIds), STUDY_SESSION_CAP);
            phases.done("answer cards");
            markCards(device, random, noteIds);
            phases.done("flag, suspend, bury");

            Collections.shuffle(noteIds, random);
            backend.removeNotes(noteIds.subList(0, extra), List.of());
            long doomed = device.deckId("Temp 🗑");
            backend.removeDecks(List.of(doomed));
            phases.done("delete notes and a deck");

            changePreferences(backend);
            backend.setCurrentDeck(decks.get(VERBS_DECK));
            return summarize(device, answers, historyRows, rescheduled.cardIds().size(), phases);
        });
    }

    /**
     * Changes a populated collection in user-visible ways, as a user would between two syncs:
     * deletes one of the decks named "Lot …" (with its cards), edits three notes' first field and
     * tags, deletes two notes, adds three, removes a tag from one note, suspends a card, creates a
     * deck "Lot {@code seed}" and moves two cards into it, renames a random deck that has no sub-decks,
     * edits the back template and styling of one of the stock note
     * types, changes the {@value #INTENSIVE_PRESET} preset, flags a card and answers up to five
     * cards.
     */
    public static Mutation mutate(AnkiDevice device, long seed) {
        Random random = new Random(seed);
        GeneratedBackend backend = device.backend();
        return device.call(() -> {
            List<Expectation> expectations = new ArrayList<>();
            Set<String> graves = new HashSet<>();

            Map<String, Long> deckIds = deckIdsByName(backend);
            String[] lots = deckIds.keySet().stream().filter(name -> name.startsWith(LOT_DECK_PREFIX))
                    .toArray(String[]::new);
            String doomedDeck = lots.length == 0 ? null : SampleText.pick(random, lots);
            if (doomedDeck != null) {
                graves.add("deck:" + doomedDeck);
                for (List<Object> row : device.query("select n.guid, c.ord from cards c join notes n on n.id = c.nid"
                        + " where c.did = ? or c.odid = ?", deckIds.get(doomedDeck), deckIds.get(doomedDeck))) {
                    graves.add("note:" + row.get(0));
                    graves.add("card:" + row.get(0) + " #" + row.get(1));
                }
                backend.removeDecks(List.of(deckIds.get(doomedDeck)));
                expectations.add(new Expectation("delete deck", "deck " + doomedDeck, Set.of("deck:" + doomedDeck),
                        "deck deleted", deck -> deck == null));
            }

            List<List<Object>> existing = device.query("select id, guid from notes order by id");
            List<Integer> order = new ArrayList<>(IntStream.range(0, existing.size()).boxed().toList());
            Collections.shuffle(order, random);
            if (order.size() < 10) {
                throw new IllegalStateException("mutate needs at least 10 notes, found " + order.size());
            }
            Iterator<Integer> picks = order.iterator();

            List<String> edited = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Note note = backend.getNote(asLong(existing.get(picks.next()).get(0)));
                String field = SampleText.edited(random, note.getFields(0));
                String tag = "muté::" + random.nextInt(100);
                backend.updateNotes(List.of(note.toBuilder().setFields(0, field).addTags(tag).build()), false);
                edited.add(note.getGuid());
                expectations.add(new Expectation("edit note", "note " + note.getGuid(), Set.of("note:" + note.getGuid()),
                        "first field edited and tagged " + tag, value -> value != null
                                && value.getJSONArray("fields").getString(0).equals(field)
                                && value.getJSONArray("tags").toList().contains(tag)));
            }

            List<String> deleted = new ArrayList<>();
            List<Long> deletedIds = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                List<Object> row = existing.get(picks.next());
                deletedIds.add(asLong(row.get(0)));
                String guid = (String) row.get(1);
                deleted.add(guid);
                graves.add("note:" + guid);
                expectations.add(new Expectation("delete note", "note " + guid, Set.of("note:" + guid),
                        "note deleted", value -> value == null));
            }
            for (List<Object> card : device.query("select n.guid, c.ord from cards c join notes n on n.id = c.nid"
                    + " where n.id in (" + deletedIds.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")")) {
                graves.add("card:" + card.get(0) + " #" + card.get(1));
            }
            backend.removeNotes(deletedIds, List.of());

            List<String> added = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                List<String> fields = SampleText.basic(random, 900_000 + i);
                String guid = backend.getNote(device.addNote("Basic", MISC_DECK, fields.get(0), fields.get(1))).getGuid();
                added.add(guid);
                expectations.add(new Expectation("add note", "note " + guid, Set.of("note:" + guid),
                        "note added", value -> value != null && value.getJSONArray("fields").getString(0)
                                .equals(fields.get(0))));
            }

            untagOneNote(device, existing, picks, expectations);
            suspendOneCard(device, existing.get(picks.next()), expectations);
            moveCardsToNewDeck(device, seed, List.of(existing.get(picks.next()), existing.get(picks.next())),
                    expectations);

            String from = SampleText.pick(random, renamableDecks(backend).toArray(String[]::new));
            String to = from.equals(VERBS_DECK) ? VERBS_RENAMED : from + " ✎" + seed;
            backend.renameDeck(deckIdsByName(backend).get(from), to);
            // pending decks are listed by their new name; the old one must count as touched too
            graves.add("deck:" + from);
            expectations.add(new Expectation("rename deck", "deck " + to, Set.of("deck:" + from, "deck:" + to),
                    "renamed from " + from, deck -> deck != null));
            expectations.add(new Expectation("rename deck", "deck " + from, Set.of("deck:" + from, "deck:" + to),
                    "renamed to " + to, deck -> deck == null));

            editTemplateAndStyling(backend, random, seed, expectations);

            JSONObject preset = presetByName(backend, INTENSIVE_PRESET);
            preset.getJSONObject("new").put("perDay", preset.getJSONObject("new").getInt("perDay") + 7);
            preset.getJSONObject("rev").put("maxIvl", preset.getJSONObject("rev").getInt("maxIvl") - 100);
            backend.addOrUpdateDeckConfigLegacy(utf8(preset));

            List<List<Object>> cards = device.query("select c.id, n.guid, c.ord from cards c join notes n on n.id = c.nid"
                    + " order by c.nid, c.ord");
            List<Object> flagged = cards.get(random.nextInt(cards.size()));
            backend.setFlag(List.of(asLong(flagged.get(0))), 6);
            String flaggedKey = flagged.get(1) + " #" + flagged.get(2);
            expectations.add(new Expectation("flag card", "card " + flaggedKey,
                    Set.of("card:" + flaggedKey, "note:" + flagged.get(1)), "flag 6 (pink)",
                    card -> card != null && (card.getInt("flags") & 7) == 6));

            List<Long> noteIds = longs(device.query("select id from notes order by id"));
            int answers = answerCards(device, seed, ordinals(noteIds), 5);

            Set<String> touched = new HashSet<>(graves);
            touched.addAll(pendingObjects(device));
            return new Mutation(edited, added, deleted, from, to, INTENSIVE_PRESET, answers,
                    List.copyOf(expectations), Set.copyOf(touched));
        });
    }

    /** Removes one tag from the next picked note that has tags. */
    private static void untagOneNote(AnkiDevice device, List<List<Object>> notes, Iterator<Integer> picks,
            List<Expectation> expectations) {
        while (picks.hasNext()) {
            List<Object> row = notes.get(picks.next());
            Note note = device.backend().getNote(asLong(row.get(0)));
            if (note.getTagsCount() > 0) {
                String tag = note.getTags(0);
                device.backend().removeNoteTags(List.of(note.getId()), tag);
                expectations.add(new Expectation("remove tag", "note " + note.getGuid(), Set.of("note:" + note.getGuid()),
                        "tag " + tag + " removed", value -> value != null
                                && !value.getJSONArray("tags").toList().contains(tag)));
                return;
            }
        }
    }

    private static void suspendOneCard(AnkiDevice device, List<Object> note, List<Expectation> expectations) {
        List<Object> card = device.query("select id, ord from cards where nid = ? order by ord limit 1", note.get(0))
                .get(0);
        device.backend().buryOrSuspendCards(List.of(asLong(card.get(0))), List.of(),
                BuryOrSuspendCardsRequest.Mode.SUSPEND);
        String key = note.get(1) + " #" + card.get(1);
        expectations.add(new Expectation("suspend card", "card " + key, Set.of("card:" + key, "note:" + note.get(1)),
                "suspended", value -> value != null && value.getInt("queue") == -1));
    }

    /** A new deck "Lot <seed>", and the first card of each note (if not in a filtered deck) moved into it. */
    private static void moveCardsToNewDeck(AnkiDevice device, long seed, List<List<Object>> notes,
            List<Expectation> expectations) {
        String deck = LOT_DECK_PREFIX + seed;
        long deckId = device.deckId(deck);
        expectations.add(new Expectation("add deck", "deck " + deck, Set.of("deck:" + deck), "deck added",
                value -> value != null));
        for (List<Object> note : notes) {
            List<List<Object>> cards = device.query(
                    "select id, ord from cards where nid = ? and odid = 0 order by ord limit 1", note.get(0));
            if (cards.isEmpty()) {
                continue;
            }
            device.backend().setDeck(List.of(asLong(cards.get(0).get(0))), deckId);
            String key = note.get(1) + " #" + cards.get(0).get(1);
            expectations.add(new Expectation("move card", "card " + key,
                    Set.of("card:" + key, "note:" + note.get(1), "deck:" + deck), "moved to " + deck,
                    value -> value != null && value.getString("deck").equals(deck)));
        }
    }

    /**
     * Rewrites the back template and the styling of one stock note type, as the card layout screen
     * does. Not the front: a changed front makes the client regenerate cards, and 2.1.66 (like
     * 25.09) groups a note type's cards by note without sorting them, so a note whose cards are not
     * adjacent in id order (after one was deleted and regenerated) gets duplicate cards; that is a
     * client bug, whatever the server.
     */
    private static void editTemplateAndStyling(GeneratedBackend backend, Random random, long seed,
            List<Expectation> expectations) {
        String name = SampleText.pick(random, new String[] {"Basic", "Basic (and reversed card)", "Cloze"});
        JSONObject notetype = new JSONObject(backend.getNotetypeLegacy(backend.getNotetypeIdByName(name)).toStringUtf8());
        JSONObject template = notetype.getJSONArray("tmpls").getJSONObject(0);
        String marker = "<span class=lot>" + seed + "</span>";
        String afmt = template.getString("afmt").replaceAll("<span class=lot>\\d+</span>", "") + marker;
        template.put("afmt", afmt);
        String css = notetype.getString("css").replaceAll("\n\\.lot \\{[^}]*}", "")
                + "\n.lot { color: #" + String.format("%06x", random.nextInt(1 << 24)) + "; }";
        notetype.put("css", css);
        backend.updateNotetypeLegacy(utf8(notetype));
        expectations.add(new Expectation("edit template and styling", "notetype " + name, Set.of("notetype:" + name),
                "back template ends " + marker, value -> value != null && value.getString("css").equals(css)
                        && value.getJSONArray("tmpls").getJSONObject(0).getString("afmt").equals(afmt)));
    }

    /** Every object with changes not yet synced (usn -1), in {@link Mutation#touched()}'s terms. */
    private static Set<String> pendingObjects(AnkiDevice device) {
        Set<String> pending = new HashSet<>();
        for (List<Object> row : device.query("select guid from notes where usn = -1")) {
            pending.add("note:" + row.get(0));
        }
        for (List<Object> row : device.query(
                "select n.guid, c.ord from cards c join notes n on n.id = c.nid where c.usn = -1")) {
            pending.add("card:" + row.get(0) + " #" + row.get(1));
        }
        GeneratedBackend backend = device.backend();
        JSONObject decks = new JSONObject(backend.getAllDecksLegacy().toStringUtf8());
        for (String id : decks.keySet()) {
            if (decks.getJSONObject(id).getInt("usn") == -1) {
                pending.add("deck:" + decks.getJSONObject(id).getString("name"));
            }
        }
        for (var notetype : backend.getNotetypeNames()) {
            if (new JSONObject(backend.getNotetypeLegacy(notetype.getId()).toStringUtf8()).getInt("usn") == -1) {
                pending.add("notetype:" + notetype.getName());
            }
        }
        return pending;
    }

    // ---- note types, presets, decks -----------------------------------------------------------

    private static Map<String, Long> createDecksAndPresets(AnkiDevice device) {
        GeneratedBackend backend = device.backend();
        for (String name : List.of(VERBS_DECK, NOUNS_DECK, KANJI_DECK, ARABIC_DECK, CELLS_DECK, MATH_DECK, MISC_DECK)) {
            device.deckId(name);
        }

        JSONObject intensive = new JSONObject(backend.newDeckConfigLegacy().toStringUtf8())
                .put("name", INTENSIVE_PRESET)
                .put("maxTaken", 90)
                .put("autoplay", false)
                .put("timer", 1)
                .put("replayq", false)
                .put("newMix", 1)
                .put("reviewOrder", 1)
                .put("buryInterdayLearning", true);
        intensive.getJSONObject("new")
                .put("perDay", 35)
                .put("delays", new JSONArray(List.of(2.0, 15.0, 60.0)))
                .put("ints", new JSONArray(List.of(2, 5, 0)))
                .put("initialFactor", 2300)
                .put("bury", true);
        intensive.getJSONObject("rev")
                .put("perDay", 400)
                .put("ease4", 1.45)
                .put("ivlFct", 1.1)
                .put("maxIvl", 3650)
                .put("hardFactor", 1.15)
                .put("bury", true);
        intensive.getJSONObject("lapse")
                .put("delays", new JSONArray(List.of(5.0, 30.0)))
                .put("leechFails", 6)
                .put("leechAction", 0)
                .put("minInt", 2)
                .put("mult", 0.2);
        long intensiveId = backend.addOrUpdateDeckConfigLegacy(utf8(intensive));

        JSONObject slow = new JSONObject(backend.newDeckConfigLegacy().toStringUtf8())
                .put("name", SLOW_PRESET)
                .put("maxTaken", 30)
                .put("newMix", 2)
                .put("interdayLearningMix", 1)
                .put("newGatherPriority", 1)
                .put("reviewOrder", 1);
        slow.getJSONObject("new")
                .put("perDay", 8)
                .put("delays", new JSONArray(List.of(10.0, 1440.0)))
                .put("ints", new JSONArray(List.of(3, 7, 0)));
        slow.getJSONObject("rev")
                .put("perDay", 120)
                .put("ease4", 1.2)
                .put("maxIvl", 180);
        // No step equals the learn-ahead time (20, later 25 minutes): whether such a card comes back
        // in the same session would depend on the clock's second boundaries.
        slow.getJSONObject("lapse")
                .put("delays", new JSONArray(List.of(40.0)))
                .put("leechFails", 12)
                .put("mult", 0.5);
        long slowId = backend.addOrUpdateDeckConfigLegacy(utf8(slow));

        Map<String, Long> decks = deckIdsByName(backend);
        for (String name : List.of(FRENCH_DECK, VERBS_DECK, NOUNS_DECK)) {
            updateDeck(backend, decks.get(name), deck -> deck.put("conf", intensiveId));
        }
        for (String name : List.of(SCIENCE_DECK, CELLS_DECK, MATH_DECK)) {
            updateDeck(backend, decks.get(name), deck -> deck.put("conf", slowId));
        }
        updateDeck(backend, decks.get(FRENCH_DECK), deck -> deck.put("desc",
                "<p>Vocabulaire <b>français</b> — verbes &amp; noms ✓</p>"));
        updateDeck(backend, decks.get(SCIENCE_DECK), deck -> deck.put("desc", "Notes de cours 🧬 (semestre 2)"));
        updateDeck(backend, decks.get(ARABIC_DECK), deck -> deck.put("desc", "<div dir=\"rtl\">مفردات عربية</div>"));
        return decks;
    }

    private static void updateDeck(GeneratedBackend backend, long deckId, java.util.function.Consumer<JSONObject> change) {
        JSONObject deck = new JSONObject(backend.getDeckLegacy(deckId).toStringUtf8());
        change.accept(deck);
        backend.updateDeckLegacy(utf8(deck));
    }

    /**
     * A note type built as a user would in the editor: five fields (one right-to-left, one
     * sticky), two renamed templates of which the second is conditional and has a deck override,
     * a changed sort field and its own styling.
     */
    private static long addVocabularyNotetype(GeneratedBackend backend, long overrideDeckId) {
        JSONObject notetype = new JSONObject(
                backend.getStockNotetypeLegacy(StockNotetype.Kind.KIND_BASIC_AND_REVERSED).toStringUtf8());
        JSONObject fieldTemplate = notetype.getJSONArray("flds").getJSONObject(0);
        JSONArray fields = new JSONArray();
        for (int i = 0; i < VOCABULARY_FIELDS.size(); i++) {
            fields.put(new JSONObject(fieldTemplate.toString()).put("name", VOCABULARY_FIELDS.get(i)).put("ord", i));
        }
        fields.getJSONObject(0).put("font", "Noto Sans JP").put("size", 28).put("description", "例: 食べる");
        fields.getJSONObject(3).put("sticky", true);
        fields.getJSONObject(4).put("rtl", true).put("font", "Amiri");

        JSONObject templateTemplate = notetype.getJSONArray("tmpls").getJSONObject(0);
        JSONObject recognition = new JSONObject(templateTemplate.toString())
                .put("name", "Reconnaissance → 認識")
                .put("ord", 0)
                .put("qfmt", "<div class=mot>{{Mot}}</div>")
                .put("afmt", "{{FrontSide}}\n<hr id=answer>\n{{Traduction}}<br>{{Prononciation 🔊}}"
                        + "\n<div class=notes>{{Notes / ملاحظات}}</div>");
        JSONObject production = new JSONObject(templateTemplate.toString())
                .put("name", "Production ← 生成")
                .put("ord", 1)
                .put("qfmt", "{{#Exemple 例文}}{{Traduction}}<br><small>{{Exemple 例文}}</small>{{/Exemple 例文}}")
                .put("afmt", "{{FrontSide}}\n<hr id=answer>\n<div class=mot>{{Mot}}</div>")
                .put("bqfmt", "{{Traduction}} ←")
                .put("did", overrideDeckId);

        notetype.put("id", 0)
                .put("name", VOCABULARY_NOTETYPE)
                .put("sortf", 1)
                .put("flds", fields)
                .put("tmpls", new JSONArray(List.of(recognition, production)))
                .put("css", ".card {\n  font-family: 'Noto Sans JP', serif;\n  font-size: 26px;\n"
                        + "  text-align: left;\n  color: #222;\n  background: #fdf6e3;\n}\n"
                        + ".mot { font-size: 2em; }\n.notes { direction: rtl; }\n");
        return backend.addNotetypeLegacy(utf8(notetype)).getId();
    }

    // ---- notes ----------------------------------------------------------------------------------

    private enum Kind { BASIC, REVERSED, CLOZE, VOCABULARY }

    private static List<Long> addNotes(AnkiDevice device, Random random, int count, Map<String, Long> decks,
            long vocabularyId) {
        GeneratedBackend backend = device.backend();
        Map<Kind, Long> notetypes = Map.of(
                Kind.BASIC, backend.getNotetypeIdByName("Basic"),
                Kind.REVERSED, backend.getNotetypeIdByName("Basic (and reversed card)"),
                Kind.CLOZE, backend.getNotetypeIdByName("Cloze"),
                Kind.VOCABULARY, vocabularyId);
        List<Long> ids = new ArrayList<>(count);
        for (int start = 0; start < count; start += NOTES_PER_TRANSACTION) {
            int end = Math.min(count, start + NOTES_PER_TRANSACTION);
            int from = start;
            device.inTransaction(() -> {
                for (int n = from; n < end; n++) {
                    int roll = random.nextInt(100);
                    Kind kind = roll < 30 ? Kind.BASIC
                            : roll < 55 ? Kind.REVERSED
                            : roll < 80 ? Kind.CLOZE
                            : Kind.VOCABULARY;
                    List<String> fields = switch (kind) {
                        case BASIC -> SampleText.basic(random, n);
                        case REVERSED -> SampleText.reversed(random, n);
                        case CLOZE -> SampleText.cloze(random, n);
                        case VOCABULARY -> SampleText.vocabulary(random, n);
                    };
                    String deck = switch (kind) {
                        case BASIC -> SampleText.pick(random, new String[] {DEFAULT_DECK, NOUNS_DECK, MATH_DECK, MISC_DECK});
                        case REVERSED -> SampleText.pick(random, new String[] {VERBS_DECK, ARABIC_DECK, NOUNS_DECK});
                        case CLOZE -> SampleText.pick(random, new String[] {CELLS_DECK, MATH_DECK, DEFAULT_DECK});
                        case VOCABULARY -> SampleText.pick(random, new String[] {KANJI_DECK, ARABIC_DECK});
                    };
                    // A fresh note per add: newNote draws the guid, which a reused builder would repeat.
                    Note note = backend.newNote(notetypes.get(kind)).toBuilder()
                            .clearFields()
                            .addAllFields(fields)
                            .clearTags()
                            .addAllTags(SampleText.tags(random))
                            .build();
                    ids.add(backend.addNote(note, decks.get(deck)).getNoteId());
                }
                return null;
            });
        }
        return ids;
    }

    // ---- review history -------------------------------------------------------------------------

    private record Rescheduled(List<Long> cardIds, Map<Integer, List<Long>> byDays) {
    }

    /**
     * About 45% of the cards become review cards, due within 90 days; at most
     * {@value #DUE_TODAY_CAP} are due today, fewer than any deck's review limit, so that a study
     * session shows all of them and which ones it shows does not depend on the queue's order.
     */
    private static Rescheduled chooseReviewedCards(Random random, List<Long> cardIds) {
        List<Long> chosen = new ArrayList<>();
        Map<Integer, List<Long>> byDays = new TreeMap<>();
        int dueToday = 0;
        for (long cardId : cardIds) {
            if (random.nextInt(100) < 45) {
                int days = random.nextInt(5) == 0 && dueToday < DUE_TODAY_CAP ? 0 : 1 + random.nextInt(90);
                dueToday += days == 0 ? 1 : 0;
                chosen.add(cardId);
                byDays.computeIfAbsent(days, d -> new ArrayList<>()).add(cardId);
            }
        }
        return new Rescheduled(chosen, byDays);
    }

    private static OptionalStringConfigKey browserDueDateKey() {
        // The browser's "Set Due Date" remembers its last input under this key.
        return OptionalStringConfigKey.newBuilder()
                .setKey(anki.config.ConfigKey.String.SET_DUE_BROWSER)
                .build();
    }

    /**
     * Writes one to nine past reviews per card, as they would have happened: learning steps,
     * graduation, reviews with growing intervals, lapses followed by relearning. usn -1 marks them
     * as not yet synced, like every local change.
     */
    private static int insertHistory(AnkiDevice device, Random random, List<Long> cardIds) {
        long now = System.currentTimeMillis();
        Set<Long> usedIds = new HashSet<>();
        List<List<Object>> batch = new ArrayList<>(ROWS_PER_STATEMENT);
        int written = 0;
        String sql = "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
                + " values (?, ?, -1, ?, ?, ?, ?, ?, ?)";
        for (long cardId : cardIds) {
            int reviews = 1 + random.nextInt(9);
            long time = now - (60 + random.nextInt(660)) * DAY_MILLIS - random.nextInt((int) DAY_MILLIS);
            int lastInterval = -60;
            int reviewInterval = 0; // days; 0 while the card is still in its first learning steps
            boolean relearning = false;
            int factor = 2500;
            for (int r = 0; r < reviews && time < now - 2 * DAY_MILLIS; r++) {
                int type;
                int ease;
                int interval;
                int rowFactor = factor;
                if (r == 0) {
                    type = 0;
                    ease = random.nextInt(5) == 0 ? 1 : 3;
                    interval = -600;
                    rowFactor = 0;
                } else if (reviewInterval == 0) {
                    type = 0; // graduates
                    ease = 3;
                    reviewInterval = 1;
                    interval = 1;
                } else if (relearning) {
                    type = 2;
                    ease = 3;
                    relearning = false;
                    interval = reviewInterval;
                } else {
                    type = 1;
                    int roll = random.nextInt(100);
                    ease = roll < 10 ? 1 : roll < 25 ? 2 : roll < 85 ? 3 : 4;
                    switch (ease) {
                        case 1 -> {
                            factor = Math.max(1300, factor - 200);
                            reviewInterval = Math.max(1, reviewInterval / 2);
                            relearning = true;
                        }
                        case 2 -> {
                            factor = Math.max(1300, factor - 150);
                            reviewInterval = Math.max(reviewInterval + 1, reviewInterval * 12 / 10);
                        }
                        case 3 -> reviewInterval = Math.max(reviewInterval + 1, reviewInterval * factor / 1000);
                        default -> {
                            factor += 150;
                            reviewInterval = Math.max(reviewInterval + 1, reviewInterval * factor * 13 / 10_000);
                        }
                    }
                    reviewInterval = Math.min(reviewInterval, 3650);
                    interval = relearning ? -600 : reviewInterval;
                    rowFactor = factor;
                }
                long id = time;
                while (!usedIds.add(id)) {
                    id++;
                }
                batch.add(List.of(id, cardId, ease, interval, lastInterval, rowFactor,
                        1_500 + random.nextInt(25_000), type));
                written++;
                if (batch.size() == ROWS_PER_STATEMENT) {
                    flush(device, sql, batch);
                }
                lastInterval = interval;
                time += Math.max(0, interval) * DAY_MILLIS + 600_000 + random.nextInt(6 * 3_600_000);
            }
        }
        flush(device, sql, batch);
        return written;
    }

    private static void flush(AnkiDevice device, String sql, List<List<Object>> batch) {
        if (!batch.isEmpty()) {
            device.inTransaction(() -> {
                device.executeMany(sql, batch);
                return null;
            });
            batch.clear();
        }
    }

    /**
     * Studies as a user does: deck by deck, takes the card at the head of the queue and answers it
     * (the scheduler rejects answers for any other card) until the queue is empty, i.e. within the
     * decks' daily limits, or {@code maxAnswers} is reached.
     *
     * <p>The button depends only on the seed, the card's note (by creation order), template and
     * review count, and on how often this session answered it already, not on the order the
     * queue presents cards in: 2.1.66 breaks ties between
     * due reviews with a hash of the card id, which differs between two separately built
     * collections. About a quarter of the answers are Again or Hard; one in ten sets custom data
     * as a card-state customiser would.
     */
    private static int answerCards(AnkiDevice device, long seed, Map<Long, Integer> noteOrdinals, int maxAnswers) {
        GeneratedBackend backend = device.backend();
        Map<String, Long> decks = deckIdsByName(backend);
        // Previewing in a filtered deck that does not reschedule leaves reps alone; this does not.
        Map<Long, Integer> answeredBefore = new HashMap<>();
        int answered = 0;
        for (String deck : STUDIED_DECKS) {
            if (!decks.containsKey(deck)) {
                continue;
            }
            backend.setCurrentDeck(decks.get(deck));
            for (int inDeck = 0; inDeck < STUDY_SESSION_CAP && answered < maxAnswers; inDeck++) {
                QueuedCards queued = backend.getQueuedCards(1, false);
                if (queued.getCardsCount() == 0) {
                    break;
                }
                QueuedCards.QueuedCard head = queued.getCards(0);
                anki.cards.Card card = head.getCard();
                Random choice = new Random(seed * 1_000_003L
                        + noteOrdinals.getOrDefault(card.getNoteId(), -1) * 7_919L
                        + card.getTemplateIdx() * 104_729L
                        + card.getReps() * 31L
                        + answeredBefore.merge(card.getId(), 1, Integer::sum));
                SchedulingStates states = head.getStates();
                int roll = choice.nextInt(100);
                CardAnswer.Rating rating;
                SchedulingState next;
                if (roll < 15) {
                    rating = CardAnswer.Rating.AGAIN;
                    next = states.getAgain();
                } else if (roll < 28) {
                    rating = CardAnswer.Rating.HARD;
                    next = states.getHard();
                } else if (roll < 85) {
                    rating = CardAnswer.Rating.GOOD;
                    next = states.getGood();
                } else {
                    rating = CardAnswer.Rating.EASY;
                    next = states.getEasy();
                }
                if (choice.nextInt(10) == 0) {
                    next = next.toBuilder().setCustomData("{\"src\":\"vc\",\"n\":" + choice.nextInt(100) + "}").build();
                }
                backend.answerCard(CardAnswer.newBuilder()
                        .setCardId(card.getId())
                        .setCurrentState(states.getCurrent())
                        .setNewState(next)
                        .setRating(rating)
                        .setAnsweredAtMillis(System.currentTimeMillis())
                        .setMillisecondsTaken(1_000 + choice.nextInt(20_000))
                        .build());
                answered++;
            }
        }
        return answered;
    }

    private static Map<Long, Integer> ordinals(List<Long> ids) {
        Map<Long, Integer> ordinals = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            ordinals.put(ids.get(i), i);
        }
        return ordinals;
    }

    // ---- flags, suspension, burying, filtered decks, preferences ------------------------------

    private static void markCards(AnkiDevice device, Random random, List<Long> noteIds) {
        GeneratedBackend backend = device.backend();
        List<Long> cardIds = longs(device.query("select id from cards order by nid, ord"));
        Map<Integer, List<Long>> byFlag = new TreeMap<>();
        List<Long> suspend = new ArrayList<>();
        List<Long> buryByUser = new ArrayList<>();
        List<Long> buryByScheduler = new ArrayList<>();
        for (long cardId : cardIds) {
            if (random.nextInt(100) < 8) {
                byFlag.computeIfAbsent(1 + random.nextInt(7), f -> new ArrayList<>()).add(cardId);
            }
            int roll = random.nextInt(100);
            if (roll < 3) {
                suspend.add(cardId);
            } else if (roll < 5) {
                buryByUser.add(cardId);
            } else if (roll < 6) {
                buryByScheduler.add(cardId);
            }
        }
        // a small collection still gets one card of each kind
        if (suspend.isEmpty()) {
            suspend.add(cardIds.get(0));
        }
        if (buryByUser.isEmpty()) {
            buryByUser.add(cardIds.get(1));
        }
        if (buryByScheduler.isEmpty()) {
            buryByScheduler.add(cardIds.get(2));
        }
        if (byFlag.size() < 2) {
            byFlag.computeIfAbsent(1, f -> new ArrayList<>()).add(cardIds.get(3));
            byFlag.computeIfAbsent(4, f -> new ArrayList<>()).add(cardIds.get(4));
        }
        for (Map.Entry<Integer, List<Long>> flag : byFlag.entrySet()) {
            backend.setFlag(flag.getValue(), flag.getKey());
        }
        backend.buryOrSuspendCards(suspend, List.of(), BuryOrSuspendCardsRequest.Mode.SUSPEND);
        backend.buryOrSuspendCards(buryByUser, List.of(), BuryOrSuspendCardsRequest.Mode.BURY_USER);
        backend.buryOrSuspendCards(buryByScheduler, List.of(), BuryOrSuspendCardsRequest.Mode.BURY_SCHED);
        // and one whole note suspended, as from the browser
        backend.buryOrSuspendCards(List.of(), List.of(noteIds.get(random.nextInt(noteIds.size()))),
                BuryOrSuspendCardsRequest.Mode.SUSPEND);
    }

    /** Two filtered decks built by the scheduler (which moves the matching cards into them). */
    private static void buildFilteredDecks(GeneratedBackend backend, int notes) {
        int limit = Math.max(5, Math.min(50, notes / 4));
        // Ordered by creation, not RANDOM, and limited to one card per note (card:1): 2.1.66 orders
        // siblings by nothing but row order, so the same seed would not always pull the same cards.
        // The last term of each always matches: building a deck that matches nothing fails.
        addFilteredDeck(backend, QUICK_FILTERED_DECK, true, 0,
                term("deck:\"" + FRENCH_DECK + "\" card:1", limit, Deck.Filtered.SearchTerm.Order.ADDED),
                term("is:due -deck:Science card:1", limit, Deck.Filtered.SearchTerm.Order.ADDED),
                term("is:new card:1", limit / 5 + 1, Deck.Filtered.SearchTerm.Order.ADDED));
        addFilteredDeck(backend, CRAM_FILTERED_DECK, false, 15,
                term("deck:Languages::日本語 is:new card:1", limit / 2 + 1,
                        Deck.Filtered.SearchTerm.Order.REVERSE_ADDED),
                term("is:new card:1", 3, Deck.Filtered.SearchTerm.Order.REVERSE_ADDED));
    }

    private static Deck.Filtered.SearchTerm term(String search, int limit, Deck.Filtered.SearchTerm.Order order) {
        return Deck.Filtered.SearchTerm.newBuilder().setSearch(search).setLimit(limit).setOrder(order).build();
    }

    private static void addFilteredDeck(GeneratedBackend backend, String name, boolean reschedule, int previewDelay,
            Deck.Filtered.SearchTerm... terms) {
        FilteredDeckForUpdate fresh = backend.getOrCreateFilteredDeck(0);
        Deck.Filtered config = fresh.getConfig().toBuilder()
                .clearSearchTerms()
                .addAllSearchTerms(List.of(terms))
                .setReschedule(reschedule)
                .setPreviewDelay(previewDelay == 0 ? fresh.getConfig().getPreviewDelay() : previewDelay)
                .build();
        backend.addOrUpdateFilteredDeck(fresh.toBuilder().setName(name).setConfig(config).build());
    }

    private static void changePreferences(GeneratedBackend backend) {
        Preferences preferences = backend.getPreferences();
        backend.setPreferences(preferences.toBuilder()
                .setScheduling(preferences.getScheduling().toBuilder().setLearnAheadSecs(1_500).setDayLearnFirst(true))
                .setReviewing(preferences.getReviewing().toBuilder().setTimeLimitSecs(900))
                .setEditing(preferences.getEditing().toBuilder().setAddingDefaultsToCurrentDeck(false))
                .build());
        backend.setConfigJson("sortType", ByteString.copyFromUtf8("\"noteCrt\""), false);
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static Summary summarize(AnkiDevice device, int answers, int historyRows, int rescheduled,
            Phases phases) {
        GeneratedBackend backend = device.backend();
        JSONObject decks = new JSONObject(backend.getAllDecksLegacy().toStringUtf8());
        int filtered = 0;
        for (String id : decks.keySet()) {
            filtered += decks.getJSONObject(id).getInt("dyn") == 1 ? 1 : 0;
        }
        return new Summary(
                device.noteCount(),
                device.cardCount(),
                (int) device.queryLong("select count() from revlog"),
                decks.length(),
                filtered,
                new JSONArray(backend.allDeckConfigLegacy().toStringUtf8()).length(),
                backend.getNotetypeNames().size(),
                backend.allTags().size(),
                (int) device.queryLong("select count() from cards where queue = -1"),
                (int) device.queryLong("select count() from cards where queue in (-2, -3)"),
                (int) device.queryLong("select count() from cards where flags & 7 != 0"),
                (int) device.queryLong("select count() from graves"),
                answers,
                historyRows,
                rescheduled,
                phases.millis);
    }

    /** Wall-clock time per step of {@link #populate}, for the timing report. */
    private static final class Phases {
        private final Map<String, Long> millis = new LinkedHashMap<>();
        private long start = System.nanoTime();

        void done(String phase) {
            long now = System.nanoTime();
            millis.put(phase, (now - start) / 1_000_000);
            start = now;
        }
    }

    static Map<String, Long> deckIdsByName(GeneratedBackend backend) {
        Map<String, Long> ids = new TreeMap<>();
        JSONObject decks = new JSONObject(backend.getAllDecksLegacy().toStringUtf8());
        for (String id : decks.keySet()) {
            ids.put(decks.getJSONObject(id).getString("name"), Long.parseLong(id));
        }
        return ids;
    }

    /**
     * Regular decks without sub-decks, other than Default, {@value #MISC_DECK} and the "Lot" decks.
     * {@link #mutate} adds notes to {@value #MISC_DECK} by name, creating it if missing: were it
     * renamed on one device, both devices would then create a new deck of that name, and two decks
     * of one name from two devices end up named differently on each (the second one gets "+" where
     * it arrives, on the server as on the other device: the protocol's limit, not the server's).
     */
    private static List<String> renamableDecks(GeneratedBackend backend) {
        JSONObject decks = new JSONObject(backend.getAllDecksLegacy().toStringUtf8());
        Set<String> names = new TreeSet<>();
        for (String id : decks.keySet()) {
            JSONObject deck = decks.getJSONObject(id);
            if (deck.getInt("dyn") == 0) {
                names.add(deck.getString("name"));
            }
        }
        return names.stream()
                .filter(name -> !name.equals(DEFAULT_DECK) && !name.equals(MISC_DECK) && !name.startsWith(LOT_DECK_PREFIX))
                .filter(name -> names.stream().noneMatch(other -> other.startsWith(name + "::")))
                .toList();
    }

    private static JSONObject presetByName(GeneratedBackend backend, String name) {
        JSONArray presets = new JSONArray(backend.allDeckConfigLegacy().toStringUtf8());
        for (int i = 0; i < presets.length(); i++) {
            if (presets.getJSONObject(i).getString("name").equals(name)) {
                return presets.getJSONObject(i);
            }
        }
        throw new IllegalStateException("no preset named " + name);
    }

    private static List<Long> longs(List<List<Object>> rows) {
        List<Long> values = new ArrayList<>(rows.size());
        for (List<Object> row : rows) {
            values.add(asLong(row.get(0)));
        }
        return values;
    }

    private static long asLong(Object value) {
        return ((Number) value).longValue();
    }

    private static ByteString utf8(JSONObject json) {
        return ByteString.copyFromUtf8(json.toString());
    }
}
