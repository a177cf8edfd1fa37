package dev.deckhand.compat.collection;

import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.AnkiRelease;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import anki.backend.GeneratedBackend;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * A canonical, order-independent picture of everything a user can see in a collection, as the
 * real client reads it, so that two devices can be compared after a full upload/download.
 *
 * <p>Entries are keyed by natural keys, one per line {@code key TAB value}, sorted by key; the
 * values are canonical JSON (object keys sorted). Sections, by key prefix:
 * <ul>
 * <li>{@code col}: {@code crt} (creation day, which drives every due day number);</li>
 * <li>{@code config <key>}: a fixed set of user-relevant keys (see {@link #CONFIG_KEYS}), deck and
 *     note-type ids replaced by names, plus the per-note-type/per-deck "last used" keys with the id
 *     in the key replaced by the name;</li>
 * <li>{@code deck <name>}: the legacy (schema 11) JSON without {@code id}, {@code mod}, {@code usn}
 *     and the four "today" counters, {@code conf} holding the preset's name;</li>
 * <li>{@code preset <name>}, {@code notetype <name>}: legacy JSON without {@code id}, {@code mod},
 *     {@code usn}; deck ids inside a note type (its and its templates' {@code did}) as names;</li>
 * <li>{@code tag <name>}: the tag list;</li>
 * <li>{@code note <guid>}: id, mod, note type name, fields, tags;</li>
 * <li>{@code card <guid> #<ord>}: id, mod, deck and original deck by name, type, queue, due, ivl,
 *     factor, reps, lapses, left, odue, flags, data (as canonical JSON);</li>
 * <li>{@code revlog <id> <guid> #<ord>}: ease, ivl, lastIvl, factor, time, type (the id is the
 *     review's timestamp; a revlog row of a deleted card is keyed {@code cid=<card id>}).</li>
 * </ul>
 *
 * <p>Excluded, because a full sync legitimately changes them or the user never sees them: every
 * usn; {@code col.mod}, {@code scm}, {@code ls}; {@code mod} of decks, presets and note types; the
 * daily study counters of decks; deck, preset and note-type ids (they only link objects, which
 * are compared by name instead); {@code sfld}/{@code csum} (derived from the fields) and the
 * unused note {@code flags}/{@code data}; graves (a full upload clears them); the collapsed state
 * of tags (the schema-11 form a server may produce has no place for it); media files; config keys
 * outside the fixed set (e.g. {@code localOffset}, {@code lastUnburied}, which the client rewrites
 * by itself). Note and card ids and note/card {@code mod} are included: Anki shows them as the
 * "Created" and "Modified" columns, and a full sync must keep them.
 *
 * <p>The same collection reads the same on Anki 2.1.66 and 26.x: keys that 26.x's legacy JSON
 * shows with a default where the collection stores nothing, and that 2.1.66 has no field for,
 * are left out while they hold that default ({@link #RENDERED_DEFAULTS}). Any other value of
 * them (FSRS parameters a 26.x user set, say) is compared like every other key.
 */
public final class CollectionDigest {

    /**
     * Collection config keys compared: the scheduler's and reviewer's settings, the browser's and
     * adder's remembered choices. Keys holding deck or note-type ids are compared by name.
     */
    public static final List<String> CONFIG_KEYS = List.of(
            "activeDecks", "addToCur", "collapseTime", "creationOffset", "curDeck", "curModel", "dayLearnFirst",
            "dueCounts", "estTimes", "newSpread", "nextPos", "rollover", "sched2021", "schedVer", "setDueBrowser",
            "sortBackwards", "sortType", "timeLim");
    /**
     * Per kind of object ({@code deck}, {@code preset}, {@code notetype}, {@code field},
     * {@code template}): the keys 26.x renders with these values when the stored object has none
     * (observed on collections 2.1.66 made), and 2.1.66 does not render at all.
     */
    static final Map<String, Map<String, Object>> RENDERED_DEFAULTS = Map.of(
            "deck", Map.of("desiredRetention", JSONObject.NULL,
                    // filtered decks
                    "previewAgainSecs", 0, "previewHardSecs", 0, "previewGoodSecs", 0),
            "preset", Map.ofEntries(
                    Map.entry("answerAction", 0), Map.entry("questionAction", 0),
                    Map.entry("desiredRetention", 0.9), Map.entry("sm2Retention", 0.9),
                    Map.entry("easyDaysPercentages", new JSONArray()),
                    Map.entry("fsrsParams5", new JSONArray()), Map.entry("fsrsParams6", new JSONArray()),
                    Map.entry("fsrsWeights", new JSONArray()), Map.entry("ignoreRevlogsBeforeDate", ""),
                    Map.entry("secondsToShowAnswer", 0), Map.entry("secondsToShowQuestion", 0),
                    Map.entry("stopTimerOnAnswer", false), Map.entry("waitForAudio", true),
                    Map.entry("weightSearch", "")),
            "notetype", Map.of(),
            "field", Map.of("preventDeletion", false, "tag", JSONObject.NULL, "id", JSONObject.NULL),
            "template", Map.of("id", JSONObject.NULL));

    private static final Set<String> DECK_VALUED_KEYS = Set.of("activeDecks", "curDeck");
    private static final Set<String> NOTETYPE_VALUED_KEYS = Set.of("curModel");

    private static final String FIELD_SEPARATOR = "\u001f";
    private static final int PAGE = 20_000;
    private static final int DIFF_LINES_PER_SECTION = 10;
    private static final List<String> SECTION_ORDER =
            List.of("col", "config", "deck", "preset", "notetype", "tag", "note", "card", "revlog");
    private static final int DIFF_VALUE_CHARS = 160;

    private final SortedMap<String, String> entries;
    private final String sha256;

    private CollectionDigest(SortedMap<String, String> entries) {
        this.entries = Collections.unmodifiableSortedMap(entries);
        this.sha256 = hash(entries);
    }

    /** Reads the whole collection through the client (SQL via the DB proxy, objects via the legacy JSON getters). */
    public static CollectionDigest of(AnkiDevice device) {
        return of(device, device.release());
    }

    /**
     * As {@link #of(AnkiDevice)}, leaving out what a device of release {@code keptBy} cannot hold
     * (the older of two devices compared): Anki 2.1.66 stores only {@code pos} and {@code cd} of a
     * card's {@code data} and drops the rest (26.x's FSRS state {@code s}, {@code d}, {@code dr},
     * {@code decay} and the last review time {@code lrt}) whenever it saves a card, including one
     * it receives by sync; and it stores a review of a kind it does not know (26.x's 5,
     * rescheduled) as kind 0 when it receives it by normal sync.
     */
    public static CollectionDigest of(AnkiDevice device, AnkiRelease keptBy) {
        return device.call(() -> new Reader(device, keptBy).read());
    }

    /** The older of the two devices' releases: what both can hold. */
    public static AnkiRelease keptByBoth(AnkiDevice a, AnkiDevice b) {
        return a.release().compareTo(b.release()) <= 0 ? a.release() : b.release();
    }

    /** The highest revlog kind Anki 2.1.66 knows (manual); 26.x added 5, rescheduled. */
    static final int REVLOG_KINDS_2_1_66 = 4;

    /** The keys of a card's {@code data} that Anki 2.1.66 keeps. */
    static final Set<String> CARD_DATA_KEYS_2_1_66 = Set.of("pos", "cd");

    /** All entries, sorted by key. */
    public SortedMap<String, String> entries() {
        return entries;
    }

    /** SHA-256 (hex) of {@link #canonical()}'s UTF-8 bytes. */
    public String sha256() {
        return sha256;
    }

    /** The entries as {@code key TAB value} lines in key order. */
    public String canonical() {
        StringBuilder text = new StringBuilder();
        entries.forEach((key, value) -> text.append(key).append('\t').append(value).append('\n'));
        return text.toString();
    }

    /** Number of entries per section ({@code note}, {@code card}, {@code revlog}, {@code deck}...). */
    public Map<String, Integer> sectionSizes() {
        Map<String, Integer> sizes = new TreeMap<>();
        for (String key : entries.keySet()) {
            sizes.merge(section(key), 1, Integer::sum);
        }
        return sizes;
    }

    /**
     * A readable account of how {@code b} differs from {@code a}: per section (decks before notes
     * before cards...), the counts and the first differences in key order ({@code -} only in a,
     * {@code +} only in b, {@code ~} changed, naming the changed attributes). "no differences" if
     * there are none.
     */
    public static String diff(CollectionDigest a, CollectionDigest b) {
        if (a.sha256.equals(b.sha256)) {
            return "no differences";
        }
        // Lines are kept per section, so that thousands of changed cards cannot hide a renamed deck.
        Map<String, List<String>> lines = new TreeMap<>(Comparator.comparingInt(CollectionDigest::sectionRank)
                .thenComparing(Comparator.naturalOrder()));
        Map<String, int[]> counts = new HashMap<>(); // only in a, only in b, changed
        Iterator<Map.Entry<String, String>> left = a.entries.entrySet().iterator();
        Iterator<Map.Entry<String, String>> right = b.entries.entrySet().iterator();
        Map.Entry<String, String> l = next(left);
        Map.Entry<String, String> r = next(right);
        while (l != null || r != null) {
            int order = l == null ? 1 : r == null ? -1 : l.getKey().compareTo(r.getKey());
            if (order < 0) {
                record(lines, counts, l.getKey(), 0, "- only in A: " + l.getKey());
                l = next(left);
            } else if (order > 0) {
                record(lines, counts, r.getKey(), 1, "+ only in B: " + r.getKey());
                r = next(right);
            } else {
                if (!l.getValue().equals(r.getValue())) {
                    record(lines, counts, l.getKey(), 2,
                            "~ " + l.getKey() + ": " + describeChange(l.getValue(), r.getValue()));
                }
                l = next(left);
                r = next(right);
            }
        }
        StringBuilder text = new StringBuilder("digests differ (A ")
                .append(a.sha256, 0, 12).append(", B ").append(b.sha256, 0, 12).append(')');
        lines.forEach((section, sectionLines) -> {
            int[] c = counts.get(section);
            text.append("\n").append(section).append(": ").append(c[0]).append(" only in A, ")
                    .append(c[1]).append(" only in B, ").append(c[2]).append(" changed");
            for (String line : sectionLines) {
                text.append("\n  ").append(line);
            }
            int shown = sectionLines.size();
            int total = c[0] + c[1] + c[2];
            if (total > shown) {
                text.append("\n  ... and ").append(total - shown).append(" more");
            }
        });
        return text.toString();
    }

    private static void record(Map<String, List<String>> lines, Map<String, int[]> counts, String key, int kind,
            String line) {
        String section = section(key);
        counts.computeIfAbsent(section, s -> new int[3])[kind]++;
        List<String> sectionLines = lines.computeIfAbsent(section, s -> new ArrayList<>());
        if (sectionLines.size() < DIFF_LINES_PER_SECTION) {
            sectionLines.add(line);
        }
    }

    private static int sectionRank(String section) {
        int rank = SECTION_ORDER.indexOf(section);
        return rank < 0 ? SECTION_ORDER.size() : rank;
    }

    private static Map.Entry<String, String> next(Iterator<Map.Entry<String, String>> entries) {
        return entries.hasNext() ? entries.next() : null;
    }

    /** The attributes that differ, when both values are JSON objects; else both values. */
    private static String describeChange(String a, String b) {
        try {
            JSONObject left = new JSONObject(a);
            JSONObject right = new JSONObject(b);
            Set<String> keys = new TreeSet<>(left.keySet());
            keys.addAll(right.keySet());
            List<String> changes = new ArrayList<>();
            for (String key : keys) {
                String x = left.has(key) ? canonicalJson(left.get(key)) : "(absent)";
                String y = right.has(key) ? canonicalJson(right.get(key)) : "(absent)";
                if (!x.equals(y)) {
                    changes.add(key + " " + shorten(x) + " -> " + shorten(y));
                }
            }
            return String.join("; ", changes);
        } catch (JSONException notAnObject) {
            return shorten(a) + " -> " + shorten(b);
        }
    }

    /** Removes, in place, the keys of {@link #RENDERED_DEFAULTS} that hold their default; returns the object. */
    static JSONObject withoutRenderedDefaults(String kind, JSONObject object) {
        RENDERED_DEFAULTS.get(kind).forEach((key, value) -> {
            if (object.has(key) && canonicalJson(object.get(key)).equals(canonicalJson(value))) {
                object.remove(key);
            }
        });
        return object;
    }

    private static String shorten(String value) {
        return value.length() <= DIFF_VALUE_CHARS ? value : value.substring(0, DIFF_VALUE_CHARS) + "…";
    }

    private static String section(String key) {
        int space = key.indexOf(' ');
        return space < 0 ? key : key.substring(0, space);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CollectionDigest digest && digest.sha256.equals(sha256);
    }

    @Override
    public int hashCode() {
        return sha256.hashCode();
    }

    @Override
    public String toString() {
        return "CollectionDigest[" + sha256.substring(0, 12) + ", " + sectionSizes() + "]";
    }

    private static String hash(SortedMap<String, String> entries) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            entries.forEach((key, value) -> {
                digest.update(key.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) '\t');
                digest.update(value.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) '\n');
            });
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- reading ------------------------------------------------------------------------------

    private static final class Reader {
        private final AnkiDevice device;
        private final GeneratedBackend backend;
        private final SortedMap<String, String> entries = new TreeMap<>();
        private final Map<Long, String> deckNames = new HashMap<>();
        private final Map<Long, String> presetNames = new HashMap<>();
        private final Map<Long, String> notetypeNames = new HashMap<>();
        private final Map<Long, String> cardKeys = new HashMap<>();

        private final AnkiRelease keptBy;

        Reader(AnkiDevice device, AnkiRelease keptBy) {
            this.device = device;
            this.keptBy = keptBy;
            this.backend = device.backend();
        }

        CollectionDigest read() {
            put("col crt", device.queryScalar("select crt from col"));
            readPresets();
            readDecks();
            readNotetypes();
            for (String tag : backend.allTags()) {
                put("tag " + tag, "");
            }
            readConfig();
            readNotes();
            readCards();
            readRevlog();
            return new CollectionDigest(entries);
        }

        private void put(String key, String value) {
            if (entries.put(key, value) != null) {
                // Natural keys should be unique; if not, the digest would silently lose data.
                throw new IllegalStateException("duplicate natural key in collection: " + key);
            }
        }

        private void readPresets() {
            JSONArray presets = new JSONArray(backend.allDeckConfigLegacy().toStringUtf8());
            for (int i = 0; i < presets.length(); i++) {
                JSONObject preset = presets.getJSONObject(i);
                presetNames.put(preset.getLong("id"), preset.getString("name"));
                put("preset " + preset.getString("name"),
                        canonicalJson(withoutRenderedDefaults("preset", without(preset, "id", "mod", "usn"))));
            }
        }

        private void readDecks() {
            JSONObject decks = new JSONObject(backend.getAllDecksLegacy().toStringUtf8());
            for (String id : decks.keySet()) {
                deckNames.put(Long.parseLong(id), decks.getJSONObject(id).getString("name"));
            }
            for (String id : decks.keySet()) {
                JSONObject deck = without(decks.getJSONObject(id),
                        "id", "mod", "usn", "lrnToday", "revToday", "newToday", "timeToday");
                if (deck.has("conf")) {
                    deck.put("conf", name(presetNames, deck.getLong("conf")));
                }
                put("deck " + deck.getString("name"), canonicalJson(withoutRenderedDefaults("deck", deck)));
            }
        }

        private void readNotetypes() {
            for (var entry : backend.getNotetypeNames()) {
                notetypeNames.put(entry.getId(), entry.getName());
                JSONObject notetype = without(
                        new JSONObject(backend.getNotetypeLegacy(entry.getId()).toStringUtf8()), "id", "mod", "usn");
                replaceDeckId(notetype);
                JSONArray templates = notetype.getJSONArray("tmpls");
                for (int i = 0; i < templates.length(); i++) {
                    replaceDeckId(withoutRenderedDefaults("template", templates.getJSONObject(i)));
                }
                JSONArray fields = notetype.getJSONArray("flds");
                for (int i = 0; i < fields.length(); i++) {
                    withoutRenderedDefaults("field", fields.getJSONObject(i));
                }
                put("notetype " + entry.getName(), canonicalJson(withoutRenderedDefaults("notetype", notetype)));
            }
        }

        private long revlogKind(long kind) {
            // 2.1.66 knows kinds 0-4 and stores any other it receives by normal sync as 0
            return keptBy == AnkiRelease.ANKI_2_1_66 && kind > REVLOG_KINDS_2_1_66 ? 0 : kind;
        }

        /** Canonical JSON (the clients order its keys differently), keeping only what {@code keptBy} holds. */
        private String cardData(String data) {
            if (data == null || data.isEmpty()) {
                return data;
            }
            JSONObject kept;
            try {
                kept = new JSONObject(data);
            } catch (JSONException notAnObject) {
                return data;
            }
            if (keptBy == AnkiRelease.ANKI_2_1_66) {
                kept.keySet().removeIf(key -> !CARD_DATA_KEYS_2_1_66.contains(key));
            }
            return canonicalJson(kept);
        }

        private void replaceDeckId(JSONObject object) {
            if (object.has("did") && !object.isNull("did")) {
                long deckId = object.getLong("did");
                object.put("did", deckId == 0 ? JSONObject.NULL : name(deckNames, deckId));
            }
        }

        private void readConfig() {
            JSONObject config = new JSONObject(backend.getAllConfig().toStringUtf8());
            for (String key : CONFIG_KEYS) {
                Object value = config.opt(key);
                if (value == null) {
                    put("config " + key, "(absent)");
                } else if (DECK_VALUED_KEYS.contains(key)) {
                    put("config " + key, canonicalJson(idsToNames(value, deckNames)));
                } else if (NOTETYPE_VALUED_KEYS.contains(key)) {
                    put("config " + key, canonicalJson(idsToNames(value, notetypeNames)));
                } else {
                    put("config " + key, canonicalJson(value));
                }
            }
            // What the "Add" screen remembers per note type and per deck.
            for (String key : config.keySet()) {
                if (key.startsWith("_nt_") && key.endsWith("_lastDeck")) {
                    long notetypeId = Long.parseLong(key.substring(4, key.length() - 9));
                    put("config _nt_[" + name(notetypeNames, notetypeId) + "]_lastDeck",
                            canonicalJson(idsToNames(config.get(key), deckNames)));
                } else if (key.startsWith("_deck_") && key.endsWith("_lastNotetype")) {
                    long deckId = Long.parseLong(key.substring(6, key.length() - 13));
                    put("config _deck_[" + name(deckNames, deckId) + "]_lastNotetype",
                            canonicalJson(idsToNames(config.get(key), notetypeNames)));
                }
            }
        }

        private void readNotes() {
            long after = Long.MIN_VALUE;
            while (true) {
                List<List<Object>> rows = device.query(
                        "select id, guid, mid, mod, tags, flds from notes where id > ? order by id limit " + PAGE, after);
                for (List<Object> row : rows) {
                    long id = asLong(row.get(0));
                    JSONObject note = new JSONObject()
                            .put("id", id)
                            .put("mod", asLong(row.get(3)))
                            .put("notetype", name(notetypeNames, asLong(row.get(2))))
                            .put("tags", new JSONArray(splitTags((String) row.get(4))))
                            .put("fields", new JSONArray(List.of(((String) row.get(5)).split(FIELD_SEPARATOR, -1))));
                    put("note " + row.get(1), canonicalJson(note));
                    after = id;
                }
                if (rows.size() < PAGE) {
                    return;
                }
            }
        }

        private void readCards() {
            long after = Long.MIN_VALUE;
            while (true) {
                List<List<Object>> rows = device.query("select c.id, n.guid, c.nid, c.ord, c.mod, c.did, c.odid,"
                        + " c.type, c.queue, c.due, c.ivl, c.factor, c.reps, c.lapses, c.left, c.odue, c.flags, c.data"
                        + " from cards c left join notes n on n.id = c.nid where c.id > ? order by c.id limit " + PAGE,
                        after);
                for (List<Object> row : rows) {
                    long id = asLong(row.get(0));
                    String note = row.get(1) != null ? (String) row.get(1) : "nid=" + row.get(2);
                    String key = note + " #" + row.get(3);
                    long originalDeck = asLong(row.get(6));
                    JSONObject card = new JSONObject()
                            .put("id", id)
                            .put("mod", asLong(row.get(4)))
                            .put("deck", name(deckNames, asLong(row.get(5))))
                            .put("odeck", originalDeck == 0 ? "" : name(deckNames, originalDeck))
                            .put("type", row.get(7))
                            .put("queue", row.get(8))
                            .put("due", row.get(9))
                            .put("ivl", row.get(10))
                            .put("factor", row.get(11))
                            .put("reps", row.get(12))
                            .put("lapses", row.get(13))
                            .put("left", row.get(14))
                            .put("odue", row.get(15))
                            .put("flags", row.get(16))
                            .put("data", cardData((String) row.get(17)));
                    put("card " + key, canonicalJson(card));
                    cardKeys.put(id, key);
                    after = id;
                }
                if (rows.size() < PAGE) {
                    return;
                }
            }
        }

        private void readRevlog() {
            long after = Long.MIN_VALUE;
            while (true) {
                List<List<Object>> rows = device.query("select id, cid, ease, ivl, lastIvl, factor, time, type"
                        + " from revlog where id > ? order by id limit " + PAGE, after);
                for (List<Object> row : rows) {
                    long id = asLong(row.get(0));
                    long cardId = asLong(row.get(1));
                    String card = cardKeys.getOrDefault(cardId, "cid=" + cardId);
                    JSONObject review = new JSONObject()
                            .put("ease", row.get(2))
                            .put("ivl", row.get(3))
                            .put("lastIvl", row.get(4))
                            .put("factor", row.get(5))
                            .put("time", row.get(6))
                            .put("type", revlogKind(asLong(row.get(7))));
                    put("revlog " + id + " " + card, canonicalJson(review));
                    after = id;
                }
                if (rows.size() < PAGE) {
                    return;
                }
            }
        }
    }

    // ---- canonical values ---------------------------------------------------------------------

    private static JSONObject without(JSONObject object, String... keys) {
        JSONObject copy = new JSONObject(object.toString());
        for (String key : keys) {
            copy.remove(key);
        }
        return copy;
    }

    private static String name(Map<Long, String> names, long id) {
        String name = names.get(id);
        // Dangling references are worth seeing, but their ids are not comparable across devices.
        return name != null ? name : "(missing)";
    }

    private static Object idsToNames(Object value, Map<Long, String> names) {
        if (value instanceof Number number) {
            return name(names, number.longValue());
        }
        if (value instanceof JSONArray array) {
            JSONArray mapped = new JSONArray();
            for (int i = 0; i < array.length(); i++) {
                mapped.put(idsToNames(array.get(i), names));
            }
            return mapped;
        }
        return value;
    }

    private static List<String> splitTags(String tags) {
        List<String> split = new ArrayList<>();
        for (String tag : tags.split("[ \u3000]")) {
            if (!tag.isEmpty()) {
                split.add(tag);
            }
        }
        return split;
    }

    private static long asLong(Object value) {
        return ((Number) value).longValue();
    }

    /** JSON text with object keys sorted, so equal content gives equal text. */
    static String canonicalJson(Object value) {
        StringBuilder out = new StringBuilder();
        writeCanonical(value, out);
        return out.toString();
    }

    private static void writeCanonical(Object value, StringBuilder out) {
        if (value == null || JSONObject.NULL.equals(value)) {
            out.append("null");
        } else if (value instanceof JSONObject object) {
            Map<String, Object> sorted = new TreeMap<>();
            for (String key : object.keySet()) {
                sorted.put(key, object.get(key));
            }
            writeObject(sorted, out);
        } else if (value instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
            writeObject(sorted, out);
        } else if (value instanceof JSONArray array) {
            out.append('[');
            for (int i = 0; i < array.length(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                writeCanonical(array.get(i), out);
            }
            out.append(']');
        } else if (value instanceof Number number) {
            out.append(JSONObject.numberToString(number));
        } else if (value instanceof Boolean bool) {
            out.append(bool);
        } else {
            quote(value.toString(), out);
        }
    }

    /** Escapes only what JSON requires, so that non-ASCII text stays readable in diffs. */
    private static void quote(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void writeObject(Map<String, Object> sorted, StringBuilder out) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> entry : sorted.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            quote(entry.getKey(), out);
            out.append(':');
            writeCanonical(entry.getValue(), out);
        }
        out.append('}');
    }
}
