package dev.deckhand.store.fullsync.legacy;

import dev.deckhand.store.fullsync.legacy.StoredProtos.CardRequirement;
import dev.deckhand.store.fullsync.legacy.StoredProtos.DayLimit;
import dev.deckhand.store.fullsync.legacy.StoredProtos.DeckCommon;
import dev.deckhand.store.fullsync.legacy.StoredProtos.DeckConfig;
import dev.deckhand.store.fullsync.legacy.StoredProtos.DeckKind;
import dev.deckhand.store.fullsync.legacy.StoredProtos.FieldConfig;
import dev.deckhand.store.fullsync.legacy.StoredProtos.FilteredDeck;
import dev.deckhand.store.fullsync.legacy.StoredProtos.NormalDeck;
import dev.deckhand.store.fullsync.legacy.StoredProtos.NotetypeConfig;
import dev.deckhand.store.fullsync.legacy.StoredProtos.SearchTerm;
import dev.deckhand.store.fullsync.legacy.StoredProtos.TemplateConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Converts the rows of a schema-18 collection (decks, deck configs, note types with their fields
 * and templates; protobuf blobs in the config columns) to the legacy schema-11 JSON objects that
 * schema-11 files and normal sync carry.
 *
 * <p>The output is what the client that wrote the blob writes: the keys 2.1.66 always writes,
 * plus each key added since then when the blob holds its field (for a preset: when the blob
 * comes from a newer client at all, which always writes the desired retention), {@code md},
 * {@code originalStockKind} and {@code originalId} only when set, integers as integers
 * (64-bit ids included, unsigned fields unsigned, and Anki's narrowing casts such as
 * {@code sortf} to 16 bits), and proto floats as the shortest text that reads back as the same
 * 32-bit float ({@link F32Text}). Leaving out a newer key that the blob does not hold changes
 * nothing for a newer client, which reads the same default, and keeps a 2.1.66 collection
 * equal to itself after a round trip through us. Values are converted as
 * stored: the client's read-time clamping of preset values is not applied. Key order is fixed
 * (known keys first, extra keys after) but carries no meaning.
 *
 * <p><b>Extra keys ({@code other}, field 255).</b> Anki keeps JSON keys it does not know in the
 * {@code other} blob and merges them back on output, after dropping keys from a "reserved" list.
 * A 2.1.66 client, which uploads schema 18 like current ones, does not know the keys added since
 * (preset {@code desiredRetention}, {@code fsrsWeights}, filtered-deck {@code previewAgainSecs},
 * field {@code id}...), so it stores them in {@code other}, and its blobs lack the proto fields
 * that hold them in newer clients. To lose nothing:
 * <ul>
 *   <li>we drop only the keys on <em>2.1.66's</em> shorter reserved lists, so a newer key kept in
 *       {@code other} reaches the output;</li>
 *   <li>for a key that only newer clients know natively, the {@code other} value replaces the
 *       value derived from the proto field when that field is absent from the blob (2.1.66 never
 *       writes it, so absence means the blob may come from 2.1.66); when the field is on the
 *       wire, a newer client wrote it and its value wins, as it would in that client;</li>
 *   <li>keys both versions know natively are never taken from {@code other}, including
 *       {@code md} and the filtered-deck keys that are missing from Anki's deck list;</li>
 *   <li>{@code other["new"]}, {@code ["rev"]} and {@code ["lapse"]} of a preset go back into
 *       those nested objects, minus their own reserved keys; if not objects they are dropped, as
 *       in Anki.</li>
 * </ul>
 * An {@code other} blob that is not a JSON object counts as empty, as in Anki. Everything else
 * malformed (bad varints, wrong wire types, lengths past the end, a deck kind with no variant,
 * invalid UTF-8 in a string field) is an {@link IllegalArgumentException}.
 *
 * <p>Longer than most files here on purpose: decks, deck configs and note types are one mapping
 * from Anki's protobuf field numbers to legacy keys, checked key by key against the real client
 * (Schema18JsonOracleTest); kept together, each key is found once and compared with
 * {@code decks.proto}, {@code deck_config.proto} and {@code notetypes.proto} side by side.
 */
public final class Schema18Json {

    /** A {@code fields} row of one note type. */
    public record Field(int ord, String name, byte[] config) {
    }

    /** A {@code templates} row of one note type. */
    public record Template(int ord, String name, long mtimeSecs, int usn, byte[] config) {
    }

    // 2.1.66's reserved lists (rslib/src/*/schema11.rs at tag 2.1.66)
    private static final Set<String> DECK_RESERVED = Set.of(
            "usn", "revToday", "newLimit", "dyn", "reviewLimit", "newToday", "timeToday",
            "reviewLimitToday", "extendNew", "mod", "newLimitToday", "desc", "name", "lrnToday",
            "conf", "browserCollapsed", "extendRev", "id", "collapsed");
    // native in both versions but absent from the deck list above
    private static final Set<String> DECK_NATIVE_UNRESERVED = Set.of("md");
    private static final Set<String> FILTERED_NATIVE_UNRESERVED = Set.of(
            "md", "resched", "terms", "separate", "delays", "previewDelay");
    private static final Set<String> DECKCONF_RESERVED = Set.of(
            "id", "newSortOrder", "replayq", "newPerDayMinimum", "usn", "autoplay", "dyn",
            "maxTaken", "reviewOrder", "buryInterdayLearning", "newMix", "mod", "timer", "name",
            "interdayLearningMix", "newGatherPriority");
    private static final Set<String> DECKCONF_NEW_RESERVED = Set.of(
            "order", "delays", "bury", "perDay", "initialFactor", "ints");
    private static final Set<String> DECKCONF_REV_RESERVED = Set.of(
            "maxIvl", "hardFactor", "ease4", "ivlFct", "perDay", "bury");
    private static final Set<String> DECKCONF_LAPSE_RESERVED = Set.of(
            "leechFails", "mult", "leechAction", "delays", "minInt");
    private static final Set<String> NOTETYPE_RESERVED = Set.of(
            "latexPost", "flds", "css", "originalStockKind", "id", "usn", "mod", "req", "latexPre",
            "name", "did", "tmpls", "type", "sortf", "latexsvg");
    private static final Set<String> FIELD_RESERVED = Set.of(
            "name", "ord", "sticky", "rtl", "plainText", "font", "size", "collapsed", "description",
            "excludeFromSearch");
    private static final Set<String> TEMPLATE_RESERVED = Set.of(
            "name", "ord", "did", "afmt", "bafmt", "qfmt", "bqfmt", "bfont", "bsize");

    // preset keys newer than 2.1.66, by the proto field that holds them
    private static final Map<Integer, String> DECKCONF_NEWER_FIELDS = Map.ofEntries(
            Map.entry(3, "fsrsWeights"),
            Map.entry(5, "fsrsParams5"),
            Map.entry(6, "fsrsParams6"),
            Map.entry(37, "desiredRetention"),
            Map.entry(46, "ignoreRevlogsBeforeDate"),
            Map.entry(4, "easyDaysPercentages"),
            Map.entry(38, "stopTimerOnAnswer"),
            Map.entry(41, "secondsToShowQuestion"),
            Map.entry(42, "secondsToShowAnswer"),
            Map.entry(36, "questionAction"),
            Map.entry(43, "answerAction"),
            Map.entry(44, "waitForAudio"),
            Map.entry(40, "sm2Retention"),
            Map.entry(45, "weightSearch"));

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Schema18Json() {
    }

    /** decks row -> deck JSON object (compact), name converted from U+001F to "::" */
    public static String deck(long id, String nativeName, long mtimeSecs, int usn, byte[] common, byte[] kind) {
        requireText(nativeName, "deck name");
        DeckCommon c = DeckCommon.decode(common);
        DeckKind k = DeckKind.decode(kind);

        ObjectNode o = NODES.objectNode();
        o.put("id", id);
        o.put("mod", mtimeSecs);
        o.put("name", nativeName.replace("\u001f", "::"));
        o.put("usn", usn);
        // one day for all four counters: the schema-18 form keeps only the latest day
        o.set("lrnToday", today(c.lastDayStudied, c.learningStudied));
        o.set("revToday", today(c.lastDayStudied, c.reviewStudied));
        o.set("newToday", today(c.lastDayStudied, c.newStudied));
        o.set("timeToday", today(c.lastDayStudied, c.millisecondsStudied));
        o.put("collapsed", c.studyCollapsed);
        o.put("browserCollapsed", c.browserCollapsed);

        Set<String> fromOther = new HashSet<>();
        Set<String> never;
        if (k.normal != null) {
            NormalDeck n = k.normal;
            o.put("desc", n.description);
            if (n.markdownDescription) {
                o.put("md", true);
            }
            o.put("dyn", 0);
            o.put("conf", n.configId);
            o.put("extendNew", n.extendNew);
            o.put("extendRev", n.extendReview);
            putU32OrNull(o, "reviewLimit", n.reviewLimit);
            putU32OrNull(o, "newLimit", n.newLimit);
            o.set("reviewLimitToday", dayLimit(n.reviewLimitToday));
            o.set("newLimitToday", dayLimit(n.newLimitToday));
            if (n.desiredRetention == null) {
                o.putNull("desiredRetention");
                fromOther.add("desiredRetention");
            } else {
                // integer percent, truncated, unlike the preset's fraction
                o.put("desiredRetention", saturatingU32(n.desiredRetention * 100.0f));
            }
            never = DECK_NATIVE_UNRESERVED;
        } else {
            FilteredDeck f = k.filtered;
            o.put("desc", "");
            o.put("dyn", 1);
            o.put("resched", f.reschedule);
            ArrayNode terms = o.putArray("terms");
            for (SearchTerm t : f.searchTerms) {
                terms.addArray().add(t.search()).add(t.limit()).add(t.order());
            }
            // legacy key old clients insist on
            o.put("separate", true);
            if (f.delays.isEmpty()) {
                o.putNull("delays");
            } else {
                o.set("delays", floats(f.delays));
            }
            o.put("previewDelay", u32(f.previewDelay));
            putNewer(o, "previewAgainSecs", u32(f.previewAgainSecs), f.seen.get(7), fromOther);
            putNewer(o, "previewHardSecs", u32(f.previewHardSecs), f.seen.get(5), fromOther);
            putNewer(o, "previewGoodSecs", u32(f.previewGoodSecs), f.seen.get(6), fromOther);
            never = FILTERED_NATIVE_UNRESERVED;
        }
        merge(o, LegacyJsonWriter.parseOther(c.other), DECK_RESERVED, never, fromOther, false);
        return LegacyJsonWriter.write(o);
    }

    /** deck_config row -> preset JSON */
    public static String deckConfig(long id, String name, long mtimeSecs, int usn, byte[] config) {
        requireText(name, "preset name");
        DeckConfig d = DeckConfig.decode(config);
        Set<String> fromOther = new HashSet<>();
        DECKCONF_NEWER_FIELDS.forEach((field, key) -> {
            if (!d.seen.get(field)) {
                fromOther.add(key);
            }
        });

        ObjectNode o = NODES.objectNode();
        o.put("id", id);
        o.put("mod", mtimeSecs);
        o.put("name", name);
        o.put("usn", usn);
        o.put("maxTaken", d.capAnswerTimeToSecs);
        o.put("autoplay", !d.disableAutoplay);
        o.put("timer", d.showTimer ? 1 : 0);
        o.put("replayq", !d.skipQuestionWhenReplayingAnswer);

        ObjectNode newConf = o.putObject("new");
        newConf.put("bury", d.buryNew);
        newConf.set("delays", floats(d.learnSteps));
        newConf.put("initialFactor", saturatingU16(d.initialEase * 1000.0f));
        newConf.putArray("ints")
                .add(d.graduatingIntervalGood & 0xFFFF)
                .add(d.graduatingIntervalEasy & 0xFFFF)
                .add(0);
        // JSON numbers these the other way round: 0 random, 1 due
        newConf.put("order", d.newCardInsertOrder == 1 ? 0 : 1);
        newConf.put("perDay", u32(d.newPerDay));

        ObjectNode rev = o.putObject("rev");
        rev.put("bury", d.buryReviews);
        rev.put("ease4", d.easyMultiplier);
        rev.put("ivlFct", d.intervalMultiplier);
        rev.put("maxIvl", u32(d.maximumReviewInterval));
        rev.put("perDay", u32(d.reviewsPerDay));
        rev.put("hardFactor", d.hardMultiplier);

        ObjectNode lapse = o.putObject("lapse");
        lapse.set("delays", floats(d.relearnSteps));
        lapse.put("leechAction", d.leechAction == 1 ? 1 : 0);
        lapse.put("leechFails", u32(d.leechThreshold));
        lapse.put("minInt", u32(d.minimumLapseInterval));
        lapse.put("mult", d.lapseMultiplier);

        o.put("dyn", false);
        o.put("newMix", d.newMix);
        o.put("newPerDayMinimum", u32(d.newPerDayMinimum));
        o.put("interdayLearningMix", d.interdayLearningMix);
        o.put("reviewOrder", d.reviewOrder);
        o.put("newSortOrder", d.newCardSortOrder);
        o.put("newGatherPriority", d.newCardGatherPriority);
        o.put("buryInterdayLearning", d.buryInterdayLearning);
        o.set("fsrsWeights", floats(d.fsrsParams4));
        o.set("fsrsParams5", floats(d.fsrsParams5));
        o.set("fsrsParams6", floats(d.fsrsParams6));
        o.put("desiredRetention", d.desiredRetention);
        o.put("ignoreRevlogsBeforeDate", d.ignoreRevlogsBeforeDate);
        o.set("easyDaysPercentages", floats(d.easyDaysPercentages));
        o.put("stopTimerOnAnswer", d.stopTimerOnAnswer);
        o.put("secondsToShowQuestion", d.secondsToShowQuestion);
        o.put("secondsToShowAnswer", d.secondsToShowAnswer);
        o.put("questionAction", d.questionAction == 1 ? 1 : 0);
        o.put("answerAction", d.answerAction >= 1 && d.answerAction <= 4 ? d.answerAction : 0);
        o.put("waitForAudio", d.waitForAudio);
        o.put("sm2Retention", d.historicalRetention);
        o.put("weightSearch", d.paramSearch);

        ObjectNode other = LegacyJsonWriter.parseOther(d.other);
        mergeNested(newConf, other.remove("new"), DECKCONF_NEW_RESERVED);
        mergeNested(rev, other.remove("rev"), DECKCONF_REV_RESERVED);
        mergeNested(lapse, other.remove("lapse"), DECKCONF_LAPSE_RESERVED);
        // a blob with a desired retention was written by a client newer than 2.1.66, which
        // writes every key it knows; keep them all, defaults included, as that client would
        merge(o, other, DECKCONF_RESERVED, Set.of(), fromOther, d.seen.get(37));
        return LegacyJsonWriter.write(o);
    }

    /** notetypes row + its fields and templates rows (any order; you sort by ord) -> note type JSON */
    public static String notetype(long id, String name, long mtimeSecs, int usn, byte[] config,
                                  List<Field> fields, List<Template> templates) {
        requireText(name, "note type name");
        if (fields == null || templates == null) {
            throw new IllegalArgumentException("note type " + id + ": fields and templates are required");
        }
        NotetypeConfig n = NotetypeConfig.decode(config);

        ObjectNode o = NODES.objectNode();
        o.put("id", id);
        o.put("name", name);
        o.put("type", n.kind == 1 ? 1 : 0);
        o.put("mod", mtimeSecs);
        o.put("usn", usn);
        o.put("sortf", n.sortFieldIdx & 0xFFFF);
        if (n.targetDeckIdUnused == 0) {
            o.putNull("did");
        } else {
            o.put("did", n.targetDeckIdUnused);
        }

        ArrayNode tmpls = o.putArray("tmpls");
        List<Template> sortedTemplates = new ArrayList<>(templates);
        sortedTemplates.sort(Comparator.comparingInt(Template::ord));
        for (Template t : sortedTemplates) {
            tmpls.add(template(id, t));
        }
        ArrayNode flds = o.putArray("flds");
        List<Field> sortedFields = new ArrayList<>(fields);
        sortedFields.sort(Comparator.comparingInt(Field::ord));
        for (Field f : sortedFields) {
            flds.add(field(id, f));
        }

        o.put("css", n.css);
        o.put("latexPre", n.latexPre);
        o.put("latexPost", n.latexPost);
        o.put("latexsvg", n.latexSvg);
        ArrayNode req = o.putArray("req");
        for (CardRequirement r : n.reqs) {
            ArrayNode entry = req.addArray();
            entry.add(r.cardOrd() & 0xFFFF);
            entry.add(switch (r.kind()) {
                case 1 -> "any";
                case 2 -> "all";
                default -> "none";
            });
            ArrayNode ords = entry.addArray();
            for (int ord : r.fieldOrds()) {
                ords.add(ord & 0xFFFF);
            }
        }
        if (n.originalStockKind != 0) {
            o.put("originalStockKind", n.originalStockKind);
        }
        Set<String> fromOther = new HashSet<>();
        if (n.originalId != null) {
            o.put("originalId", n.originalId);
        } else {
            fromOther.add("originalId");
        }
        merge(o, LegacyJsonWriter.parseOther(n.other), NOTETYPE_RESERVED, Set.of(), fromOther, false);
        return LegacyJsonWriter.write(o);
    }

    private static ObjectNode field(long notetypeId, Field f) {
        if (f == null) {
            throw new IllegalArgumentException("note type " + notetypeId + ": null field row");
        }
        requireOrd(notetypeId, "field", f.ord());
        requireText(f.name(), "field name");
        FieldConfig c = FieldConfig.decode(f.config());
        Set<String> fromOther = new HashSet<>();
        ObjectNode o = NODES.objectNode();
        o.put("name", f.name());
        o.put("ord", f.ord() & 0xFFFF);
        o.put("sticky", c.sticky);
        o.put("rtl", c.rtl);
        o.put("font", c.fontName);
        o.put("size", c.fontSize & 0xFFFF);
        o.put("description", c.description);
        o.put("plainText", c.plainText);
        o.put("collapsed", c.collapsed);
        o.put("excludeFromSearch", c.excludeFromSearch);
        if (c.id == null) {
            o.putNull("id");
            fromOther.add("id");
        } else {
            o.put("id", c.id);
        }
        if (c.tag == null) {
            o.putNull("tag");
            fromOther.add("tag");
        } else {
            o.put("tag", u32(c.tag));
        }
        putNewer(o, "preventDeletion", c.preventDeletion, c.seen.get(11), fromOther);
        merge(o, LegacyJsonWriter.parseOther(c.other), FIELD_RESERVED, Set.of(), fromOther, false);
        return o;
    }

    private static ObjectNode template(long notetypeId, Template t) {
        if (t == null) {
            throw new IllegalArgumentException("note type " + notetypeId + ": null template row");
        }
        requireOrd(notetypeId, "template", t.ord());
        requireText(t.name(), "template name");
        TemplateConfig c = TemplateConfig.decode(t.config());
        Set<String> fromOther = new HashSet<>();
        ObjectNode o = NODES.objectNode();
        o.put("name", t.name());
        o.put("ord", t.ord() & 0xFFFF);
        o.put("qfmt", c.qFormat);
        o.put("afmt", c.aFormat);
        o.put("bqfmt", c.qFormatBrowser);
        o.put("bafmt", c.aFormatBrowser);
        if (c.targetDeckId > 0) {
            o.put("did", c.targetDeckId);
        } else {
            o.putNull("did");
        }
        o.put("bfont", c.browserFontName);
        o.put("bsize", c.browserFontSize & 0xFF);
        if (c.id == null) {
            o.putNull("id");
            fromOther.add("id");
        } else {
            o.put("id", c.id);
        }
        merge(o, LegacyJsonWriter.parseOther(c.other), TEMPLATE_RESERVED, Set.of(), fromOther, false);
        return o;
    }

    // ---- helpers -------------------------------------------------------------------------------

    /**
     * Adds the non-reserved keys of {@code other}: new keys always, keys already present only if
     * listed in {@code replaceable}, never those in {@code never}. The replaceable keys are the
     * ones newer than 2.1.66 that the blob did not hold: unless {@code keepDefaults}, those that
     * {@code other} does not supply either are left out, as the client that wrote the blob would.
     */
    private static void merge(ObjectNode target, ObjectNode other, Set<String> reserved,
                              Set<String> never, Set<String> replaceable, boolean keepDefaults) {
        for (Map.Entry<String, JsonNode> e : other.properties()) {
            String key = e.getKey();
            if (reserved.contains(key) || never.contains(key)) {
                continue;
            }
            if (!target.has(key) || replaceable.contains(key)) {
                target.set(key, e.getValue());
            }
        }
        if (!keepDefaults) {
            for (String key : replaceable) {
                if (!other.has(key) || reserved.contains(key) || never.contains(key)) {
                    target.remove(key);
                }
            }
        }
    }

    private static void mergeNested(ObjectNode target, JsonNode other, Set<String> reserved) {
        if (other instanceof ObjectNode o) {
            merge(target, o, reserved, Set.of(), Set.of(), true);
        }
    }

    private static void putNewer(ObjectNode o, String key, long value, boolean onWire, Set<String> fromOther) {
        o.put(key, value);
        if (!onWire) {
            fromOther.add(key);
        }
    }

    private static void putNewer(ObjectNode o, String key, boolean value, boolean onWire, Set<String> fromOther) {
        o.put(key, value);
        if (!onWire) {
            fromOther.add(key);
        }
    }

    private static ArrayNode today(int day, int amount) {
        return NODES.arrayNode().add(day).add(amount);
    }

    private static JsonNode dayLimit(DayLimit limit) {
        if (limit == null) {
            return NODES.nullNode();
        }
        ObjectNode o = NODES.objectNode();
        o.put("limit", u32(limit.limit()));
        o.put("today", u32(limit.today()));
        return o;
    }

    private static void putU32OrNull(ObjectNode o, String key, Integer value) {
        if (value == null) {
            o.putNull(key);
        } else {
            o.put(key, u32(value));
        }
    }

    private static ArrayNode floats(List<Float> values) {
        ArrayNode a = NODES.arrayNode(values.size());
        for (float v : values) {
            a.add(v);
        }
        return a;
    }

    private static long u32(int bits) {
        return Integer.toUnsignedLong(bits);
    }

    // Rust's float-to-integer `as`: truncates toward zero, saturates, NaN becomes 0
    private static long saturatingU32(float v) {
        if (Float.isNaN(v) || v <= 0) {
            return 0;
        }
        return v >= 4294967295.0f ? 4294967295L : (long) v;
    }

    private static int saturatingU16(float v) {
        if (Float.isNaN(v) || v <= 0) {
            return 0;
        }
        return v >= 65535.0f ? 65535 : (int) v;
    }

    private static void requireText(String value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(what + " is NULL");
        }
    }

    private static void requireOrd(long notetypeId, String what, int ord) {
        if (ord < 0) {
            throw new IllegalArgumentException(
                    "note type " + notetypeId + ": " + what + " ord " + ord + " is negative");
        }
    }
}
