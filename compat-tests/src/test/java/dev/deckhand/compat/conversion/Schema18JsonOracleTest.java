package dev.deckhand.compat.conversion;

import static org.assertj.core.api.Assertions.assertThat;

import anki.deck_config.DeckConfig;
import anki.deck_config.DeckConfigsForUpdate;
import anki.decks.Deck;
import anki.decks.FilteredDeckForUpdate;
import anki.generic.UInt32;
import anki.notetypes.Notetype;
import anki.notetypes.NotetypeNameId;
import anki.notetypes.StockNotetype;
import com.google.protobuf.ByteString;
import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.store.fullsync.legacy.Schema18Json;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import anki.backend.GeneratedBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.Collation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@link Schema18Json} against the real client: a varied collection is built with Anki 2.1.66,
 * closed (a schema-18 file), its rows converted, and every deck, preset and note type compared
 * with the legacy JSON the client itself produces for it. Every key of the client's object must
 * be in ours with the same value (same JSON type; integers exactly; floats equal as f32 and with
 * the same text). Extra keys of ours are allowed only where 25.09.2 added keys.
 *
 * <p>The report goes to {@code target/schema18-oracle-report.txt}, both JSON texts of every object
 * to {@code target/schema18-oracle-objects.txt} (the native library owns stdout).
 */
class Schema18JsonOracleTest {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    // keys added after 2.1.66 (the doc's Appendix A), per object kind
    private static final Set<String> NEWER_DECK_KEYS = Set.of(
            "desiredRetention", "previewAgainSecs", "previewHardSecs", "previewGoodSecs");
    private static final Set<String> NEWER_PRESET_KEYS = Set.of(
            "fsrsWeights", "fsrsParams5", "fsrsParams6", "desiredRetention", "ignoreRevlogsBeforeDate",
            "easyDaysPercentages", "stopTimerOnAnswer", "secondsToShowQuestion", "secondsToShowAnswer",
            "questionAction", "answerAction", "waitForAudio", "sm2Retention", "weightSearch");
    private static final Set<String> NEWER_NOTETYPE_KEYS = Set.of("originalId");
    private static final Set<String> NEWER_FIELD_KEYS = Set.of("id", "tag", "preventDeletion");
    private static final Set<String> NEWER_TEMPLATE_KEYS = Set.of("id");

    @Test
    void convertedRowsEqualTheClientsLegacyJson(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("device");
        Oracle oracle;
        try (AnkiDevice device = AnkiDevice.open(folder)) {
            buildCollection(device);
            oracle = Oracle.read(device);
        }

        Path copy = Files.createDirectories(dir.resolve("copy"));
        for (String suffix : List.of("", "-wal")) {
            Path file = folder.resolve("collection.anki2" + suffix);
            if (Files.exists(file)) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        Report report = new Report();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + copy.resolve("collection.anki2"))) {
            report.line("collation: " + registerUnicase(db));
            assertThat(scalar(db, "select ver from col")).isEqualTo("18");
            assertThat(scalar(db, "select decks from col")).isEmpty();
            compareDecks(db, oracle, report);
            comparePresets(db, oracle, report);
            compareNotetypes(db, oracle, report);
        } finally {
            report.write(Path.of("target", "schema18-oracle-report.txt"),
                    Path.of("target", "schema18-oracle-objects.txt"));
        }
        assertThat(report.mismatches).as("mismatches, see target/schema18-oracle-report.txt").isEmpty();
        assertThat(report.objects.get("deck")).isGreaterThanOrEqualTo(8);
        assertThat(report.objects.get("preset")).isGreaterThanOrEqualTo(3);
        assertThat(report.objects.get("notetype")).isGreaterThanOrEqualTo(8);

        // the client still opens the file and still describes the same objects
        try (AnkiDevice again = AnkiDevice.open(folder)) {
            Oracle reopened = Oracle.read(again);
            assertThat(reopened.decks).isEqualTo(oracle.decks);
            assertThat(reopened.presets).isEqualTo(oracle.presets);
            assertThat(reopened.notetypes).isEqualTo(oracle.notetypes);
        }
    }

    // ---- building the collection with the client -----------------------------------------------

    private static void buildCollection(AnkiDevice device) {
        GeneratedBackend b = device.backend();
        device.call(() -> {
            long languages = device.deckId("Sprachen");
            long german = device.deckId("Sprachen::Deutsch::Vokabeln");
            long japanese = device.deckId("Sprachen::日本語");
            long algebra = device.deckId("Mathe ∑::Algebra");
            for (int i = 0; i < 12; i++) {
                device.addBasicNote("Vorderseite " + i, "Rückseite \"" + i + "\"");
            }

            // presets: one through the legacy JSON (with keys 2.1.66 does not know), one through the
            // deck options API
            long intensive = b.addOrUpdateDeckConfigLegacy(bytes(intensivePreset(b)));
            long easy = addPresetThroughOptionsScreen(b, algebra);

            // decks
            ObjectNode vocab = parse(b.getDeckLegacy(german));
            vocab.put("desc", "<b>Wortschatz</b>\n\"Zitat\" & Ω – 単語");
            vocab.put("md", true);
            vocab.put("conf", intensive);
            vocab.put("newLimit", 15);
            vocab.put("reviewLimit", 150);
            vocab.putObject("reviewLimitToday").put("limit", 5).put("today", 400);
            vocab.putObject("newLimitToday").put("limit", 0).put("today", 399);
            vocab.put("extendNew", 3);
            vocab.put("extendRev", 4);
            vocab.put("collapsed", false);
            vocab.put("browserCollapsed", false);
            vocab.set("newToday", JSON.createArrayNode().add(400).add(7));
            vocab.set("revToday", JSON.createArrayNode().add(400).add(12));
            vocab.set("lrnToday", JSON.createArrayNode().add(400).add(2));
            vocab.set("timeToday", JSON.createArrayNode().add(400).add(123456));
            vocab.put("mid", 1234567890123L);
            vocab.put("desiredRetention", 85);
            vocab.putObject("addonDeckData").put("x", 1.5).putArray("list").add("a").add(2);
            b.addOrUpdateDeckLegacy(bytes(vocab), false);

            ObjectNode jp = parse(b.getDeckLegacy(japanese));
            jp.put("desc", "日本語の単語");
            jp.put("conf", easy);
            b.addOrUpdateDeckLegacy(bytes(jp), false);

            ObjectNode lang = parse(b.getDeckLegacy(languages));
            lang.put("conf", intensive);
            lang.put("collapsed", false);
            b.addOrUpdateDeckLegacy(bytes(lang), false);

            // filtered decks: through the filtered-deck screen and through legacy JSON
            FilteredDeckForUpdate filtered = b.getOrCreateFilteredDeck(0);
            Deck.Filtered config = filtered.getConfig().toBuilder()
                    .clearSearchTerms()
                    .addSearchTerms(Deck.Filtered.SearchTerm.newBuilder()
                            .setSearch("deck:Default").setLimit(50).setOrder(Deck.Filtered.SearchTerm.Order.ADDED))
                    .addSearchTerms(Deck.Filtered.SearchTerm.newBuilder()
                            .setSearch("is:new \"Zitat ✓\"").setLimit(20)
                            .setOrder(Deck.Filtered.SearchTerm.Order.DUE_PRIORITY))
                    .setReschedule(false)
                    .setPreviewDelay(15)
                    .build();
            b.addOrUpdateFilteredDeck(filtered.toBuilder().setName("Wiederholung ⏳").setConfig(config).build());

            ObjectNode preview = parse(b.newDeckLegacy(true));
            preview.put("name", "Sprachen::Vorschau (gefiltert)");
            preview.set("terms", JSON.createArrayNode().add(JSON.createArrayNode().add("is:due").add(100).add(6)));
            preview.put("resched", true);
            preview.set("delays", JSON.createArrayNode().add(0.5).add(2.0).add(1.3));
            preview.put("previewDelay", 0);
            preview.put("previewAgainSecs", 30);
            preview.put("previewHardSecs", 600);
            preview.put("previewGoodSecs", 0);
            preview.put("addonKey", "v");
            b.addOrUpdateDeckLegacy(bytes(preview), false);

            buildNotetypes(device, b, languages, japanese);
            return null;
        });
    }

    private static ObjectNode intensivePreset(GeneratedBackend b) {
        ObjectNode p = parse(b.newDeckConfigLegacy());
        p.put("id", 0);
        p.put("name", "Intensiv 🔥");
        p.put("maxTaken", 90);
        p.put("autoplay", false);
        p.put("timer", 1);
        p.put("replayq", false);
        ObjectNode n = (ObjectNode) p.get("new");
        n.set("delays", JSON.createArrayNode().add(0.5).add(3).add(15).add(60.25));
        n.put("initialFactor", 2300);
        n.set("ints", JSON.createArrayNode().add(2).add(5).add(0));
        n.put("order", 0);
        n.put("perDay", 35);
        n.put("bury", true);
        n.put("separate", true);
        ObjectNode r = (ObjectNode) p.get("rev");
        r.put("ease4", 1.45);
        r.put("ivlFct", 0.95);
        r.put("maxIvl", 3650);
        r.put("perDay", 500);
        r.put("hardFactor", 1.15);
        r.put("bury", true);
        r.put("fuzz", 0.05);
        r.put("minSpace", 1);
        ObjectNode l = (ObjectNode) p.get("lapse");
        l.set("delays", JSON.createArrayNode().add(5).add(30.5));
        l.put("leechAction", 0);
        l.put("leechFails", 6);
        l.put("minInt", 2);
        l.put("mult", 0.35);
        l.put("lapseExtra", "x");
        p.put("newMix", 1);
        p.put("interdayLearningMix", 2);
        p.put("reviewOrder", 3);
        p.put("newSortOrder", 2);
        p.put("newGatherPriority", 1);
        p.put("newPerDayMinimum", 5);
        p.put("buryInterdayLearning", true);
        // keys of newer clients: 2.1.66 keeps them in other
        p.put("desiredRetention", 0.85);
        ArrayNode weights = p.putArray("fsrsWeights");
        for (double w : new double[] {0.4, 0.6, 2.4, 5.8, 4.93, 0.94, 0.86, 0.01, 1.49, 0.14, 0.94, 2.18,
                0.05, 0.34, 1.26, 0.29, 2.61}) {
            weights.add(w);
        }
        p.putArray("fsrsParams6").add(0.2172).add(1.1771);
        p.put("sm2Retention", 0.88);
        p.set("easyDaysPercentages", JSON.createArrayNode().add(1.0).add(1.0).add(1.0).add(1.0).add(1.0).add(0.5).add(0.0));
        p.put("waitForAudio", false);
        p.put("questionAction", 1);
        p.put("answerAction", 2);
        p.put("secondsToShowQuestion", 2.5);
        p.put("weightSearch", "deck:Sprachen");
        p.put("ignoreRevlogsBeforeDate", "2024-01-01");
        p.putObject("addonSetting").putArray("a").add(1).add(2).addObject().putNull("b");
        return p;
    }

    private static long addPresetThroughOptionsScreen(GeneratedBackend b, long deckId) {
        DeckConfigsForUpdate current = b.getDeckConfigsForUpdate(deckId);
        DeckConfig.Config config = current.getDefaults().getConfig().toBuilder()
                .clearLearnSteps().addAllLearnSteps(List.of(1f, 5f, 10f, 20.5f))
                .clearRelearnSteps().addAllRelearnSteps(List.of(15f))
                .setNewPerDay(9999)
                .setReviewsPerDay(0)
                .setInitialEase(3.1f)
                .setEasyMultiplier(1.5f)
                .setHardMultiplier(1.3f)
                .setLapseMultiplier(0.5f)
                .setIntervalMultiplier(1.5f)
                .setMaximumReviewInterval(30000)
                .setMinimumLapseInterval(3)
                .setGraduatingIntervalGood(3)
                .setGraduatingIntervalEasy(10)
                .setNewCardInsertOrderValue(1)
                .setNewCardGatherPriorityValue(4)
                .setNewCardSortOrderValue(4)
                .setNewMixValue(2)
                .setReviewOrderValue(7)
                .setInterdayLearningMixValue(1)
                .setLeechActionValue(0)
                .setLeechThreshold(20)
                .setCapAnswerTimeToSecs(120)
                .setShowTimer(true)
                .setDisableAutoplay(true)
                .setSkipQuestionWhenReplayingAnswer(true)
                .setBuryNew(true)
                .setBuryReviews(false)
                .setBuryInterdayLearning(true)
                .build();
        DeckConfig preset = DeckConfig.newBuilder().setName("Leicht & schnell").setConfig(config).build();
        b.updateDeckConfigs(deckId, List.of(preset), List.of(), false, "",
                DeckConfigsForUpdate.CurrentDeck.Limits.getDefaultInstance(), false);
        for (JsonNode p : parseAny(b.allDeckConfigLegacy())) {
            if (p.get("name").asString().equals("Leicht & schnell")) {
                return p.get("id").asLong();
            }
        }
        throw new IllegalStateException("preset not created");
    }

    private static void buildNotetypes(AnkiDevice device, GeneratedBackend b, long languages, long japanese) {
        // a custom type through legacy JSON, with keys only newer clients know
        ObjectNode nt = parse(b.getStockNotetypeLegacy(StockNotetype.Kind.KIND_BASIC));
        nt.put("id", 0);
        nt.put("name", "Vokabeln – Ελληνικά ✓");
        nt.put("sortf", 1);
        nt.put("did", languages);
        nt.put("css", ".card { font-family: 'Noto Sans'; }\n.fremd { color: #c00; }\n");
        nt.put("latexPre", "\\documentclass{article}\n\\begin{document}\n");
        nt.put("latexsvg", true);
        nt.put("originalId", 98765);
        nt.putArray("vers");
        nt.putArray("tags").add("sprache");
        nt.putObject("addonNt").putArray("k").add(1).add(2.5);
        ObjectNode template = (ObjectNode) nt.get("flds").get(0);
        ArrayNode fields = nt.putArray("flds");
        String[] names = {"Wort", "Übersetzung", "Beispiel 例文", "Notiz 📝"};
        for (int i = 0; i < names.length; i++) {
            ObjectNode f = template.deepCopy();
            f.put("name", names[i]);
            f.put("ord", i);
            fields.add(f);
        }
        ((ObjectNode) fields.get(0)).put("sticky", true).put("font", "Noto Sans").put("size", 28)
                .put("description", "Das Wort").put("id", 1234567890123456789L).put("tag", 3);
        ((ObjectNode) fields.get(1)).put("rtl", true).put("plainText", true).put("collapsed", true)
                .put("preventDeletion", true).putArray("media");
        ((ObjectNode) fields.get(2)).put("excludeFromSearch", true).put("id", -42).putObject("fieldExtra").put("a", 1);
        ArrayNode tmpls = nt.putArray("tmpls");
        ObjectNode forward = tmpls.addObject();
        forward.put("name", "Karte 1 → Übersetzung");
        forward.put("ord", 0);
        forward.put("qfmt", "{{Wort}}<br>{{hint:Notiz 📝}}");
        forward.put("afmt", "{{FrontSide}}<hr id=answer>{{Übersetzung}}<br>{{Beispiel 例文}}");
        forward.put("bqfmt", "{{Wort}}");
        forward.put("bafmt", "{{Übersetzung}}");
        forward.put("did", japanese);
        forward.put("bfont", "Arial");
        forward.put("bsize", 14);
        forward.put("id", -77);
        forward.put("addonT", true);
        ObjectNode backward = tmpls.addObject();
        backward.put("name", "Rückwärts ←");
        backward.put("ord", 1);
        backward.put("qfmt", "{{Übersetzung}}");
        backward.put("afmt", "{{FrontSide}}<hr id=answer>{{Wort}}");
        backward.put("bqfmt", "");
        backward.put("bafmt", "");
        backward.putNull("did");
        backward.put("bfont", "");
        backward.put("bsize", 0);
        long custom = b.addOrUpdateNotetype(bytes(nt), false, false);
        device.addNote("Vokabeln – Ελληνικά ✓", "Sprachen::日本語", "猫", "Katze", "猫がいる", "");

        // a copy of a stock type through the note type API, with an extra field and renamed templates
        Notetype reversed = b.getNotetype(b.getNotetypeIdByName("Basic (and reversed card)"));
        Notetype.Builder copy = reversed.toBuilder().setId(0).setName("Zwei Richtungen (Ελληνικά)");
        copy.setTemplates(0, copy.getTemplates(0).toBuilder().setName("Vorwärts ✓"));
        copy.setTemplates(1, copy.getTemplates(1).toBuilder().setName("Rückwärts ✓")
                .setConfig(copy.getTemplates(1).getConfig().toBuilder().setTargetDeckId(japanese)));
        copy.addFields(copy.getFields(1).toBuilder().clearOrd().setName("Extra ✎")
                .setConfig(copy.getFields(1).getConfig().toBuilder().setDescription("optional").setFontSize(16)));
        copy.setConfig(copy.getConfig().toBuilder().setCss(copy.getConfig().getCss() + ".extra { color: blue; }\n"));
        b.addNotetype(copy.build());

        // changed stock types: Cloze via the API, Basic via legacy JSON
        Notetype cloze = b.getNotetype(b.getNotetypeIdByName("Cloze"));
        Notetype.Builder clozeEdit = cloze.toBuilder();
        clozeEdit.setConfig(cloze.getConfig().toBuilder().setCss(cloze.getConfig().getCss() + "\n.cloze { color: green; }\n"));
        clozeEdit.setTemplates(0, cloze.getTemplates(0).toBuilder().setConfig(cloze.getTemplates(0).getConfig()
                .toBuilder().setAFormat("{{cloze:Text}}<hr>{{Back Extra}}")));
        clozeEdit.setFields(1, cloze.getFields(1).toBuilder().setConfig(cloze.getFields(1).getConfig().toBuilder()
                .setDescription("Zusatz").setCollapsed(true)));
        b.updateNotetype(clozeEdit.build());

        ObjectNode basic = parse(b.getNotetypeLegacy(b.getNotetypeIdByName("Basic")));
        ((ObjectNode) basic.get("tmpls").get(0)).put("afmt", "{{FrontSide}}\n\n<hr id=answer>\n\n<div class=back>{{Back}}</div>");
        basic.put("css", basic.get("css").asString() + ".back { font-style: italic; }\n");
        b.addOrUpdateNotetype(bytes(basic), false, false);

        try {
            b.addImageOcclusionNotetype();
        } catch (RuntimeException notInThisBuild) {
            // 2.1.66's backend may lack it; the other types are enough
        }
        assertThat(custom).isPositive();
    }

    // ---- the client's own JSON -----------------------------------------------------------------

    private record Oracle(Map<Long, JsonNode> decks, Map<Long, JsonNode> presets, Map<Long, JsonNode> notetypes) {
        static Oracle read(AnkiDevice device) {
            GeneratedBackend b = device.backend();
            return device.call(() -> {
                Map<Long, JsonNode> decks = new TreeMap<>();
                for (Map.Entry<String, JsonNode> e : parse(b.getAllDecksLegacy()).properties()) {
                    decks.put(Long.parseLong(e.getKey()), e.getValue());
                }
                Map<Long, JsonNode> presets = new TreeMap<>();
                for (JsonNode p : parseAny(b.allDeckConfigLegacy())) {
                    presets.put(p.get("id").asLong(), p);
                }
                Map<Long, JsonNode> notetypes = new TreeMap<>();
                for (NotetypeNameId n : b.getNotetypeNames()) {
                    notetypes.put(n.getId(), parse(b.getNotetypeLegacy(n.getId())));
                }
                return new Oracle(decks, presets, notetypes);
            });
        }
    }

    // ---- reading the schema-18 rows and comparing ----------------------------------------------

    private static void compareDecks(Connection db, Oracle oracle, Report report) throws SQLException {
        Map<Long, String> ours = new TreeMap<>();
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("select id, name, mtime_secs, usn, common, kind from decks")) {
            while (rs.next()) {
                ours.put(rs.getLong(1), Schema18Json.deck(rs.getLong(1), rs.getString(2), rs.getLong(3),
                        rs.getInt(4), rs.getBytes(5), rs.getBytes(6)));
            }
        }
        compareAll("deck", oracle.decks, ours, report);
    }

    private static void comparePresets(Connection db, Oracle oracle, Report report) throws SQLException {
        Map<Long, String> ours = new TreeMap<>();
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("select id, name, mtime_secs, usn, config from deck_config")) {
            while (rs.next()) {
                ours.put(rs.getLong(1), Schema18Json.deckConfig(rs.getLong(1), rs.getString(2), rs.getLong(3),
                        rs.getInt(4), rs.getBytes(5)));
            }
        }
        compareAll("preset", oracle.presets, ours, report);
    }

    private static void compareNotetypes(Connection db, Oracle oracle, Report report) throws SQLException {
        Map<Long, List<Schema18Json.Field>> fields = new HashMap<>();
        Map<Long, List<Schema18Json.Template>> templates = new HashMap<>();
        try (Statement s = db.createStatement()) {
            try (ResultSet rs = s.executeQuery("select ntid, ord, name, config from fields")) {
                while (rs.next()) {
                    fields.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                            .add(new Schema18Json.Field(rs.getInt(2), rs.getString(3), rs.getBytes(4)));
                }
            }
            // reversed, so the converter's sorting is exercised
            try (ResultSet rs = s.executeQuery(
                    "select ntid, ord, name, mtime_secs, usn, config from templates order by ntid, ord desc")) {
                while (rs.next()) {
                    templates.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                            .add(new Schema18Json.Template(rs.getInt(2), rs.getString(3), rs.getLong(4),
                                    rs.getInt(5), rs.getBytes(6)));
                }
            }
        }
        Map<Long, String> ours = new TreeMap<>();
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("select id, name, mtime_secs, usn, config from notetypes")) {
            while (rs.next()) {
                long id = rs.getLong(1);
                List<Schema18Json.Field> f = fields.getOrDefault(id, List.of());
                List<Schema18Json.Template> t = templates.getOrDefault(id, List.of());
                report.count("field", f.size());
                report.count("template", t.size());
                ours.put(id, Schema18Json.notetype(id, rs.getString(2), rs.getLong(3), rs.getInt(4),
                        rs.getBytes(5), f, t));
            }
        }
        compareAll("notetype", oracle.notetypes, ours, report);
    }

    private static void compareAll(String kind, Map<Long, JsonNode> oracle, Map<Long, String> ours, Report report) {
        if (!oracle.keySet().equals(ours.keySet())) {
            report.mismatch(kind + " ids differ: client " + oracle.keySet() + ", rows " + ours.keySet());
        }
        for (Map.Entry<Long, JsonNode> e : oracle.entrySet()) {
            String json = ours.get(e.getKey());
            if (json == null) {
                continue;
            }
            report.count(kind, 1);
            report.dump("client " + kind + " " + e.getKey() + ": " + e.getValue());
            report.dump("ours   " + kind + " " + e.getKey() + ": " + json);
            int before = report.mismatches.size();
            compare(kind, kind + " " + e.getKey(), e.getValue(), parse(json), report);
            if (report.mismatches.size() > before) {
                report.line("client " + kind + " " + e.getKey() + ": " + e.getValue());
                report.line("ours   " + kind + " " + e.getKey() + ": " + json);
            }
        }
    }

    /** {@code kind} names the object level whose newer keys are allowed as extras; null below it. */
    private static void compare(String kind, String path, JsonNode client, JsonNode ours, Report report) {
        if (client.isObject()) {
            if (!ours.isObject()) {
                report.mismatch(path + ": client has an object, ours " + ours);
                return;
            }
            for (Map.Entry<String, JsonNode> e : client.properties()) {
                String key = e.getKey();
                if (kind != null) {
                    report.key(kind, key);
                }
                if (!ours.has(key)) {
                    report.mismatch(path + "." + key + ": missing in ours (client " + e.getValue() + ")");
                    continue;
                }
                String childKind = switch (kind == null ? "" : kind + "." + key) {
                    case "notetype.flds" -> "field";
                    case "notetype.tmpls" -> "template";
                    default -> null;
                };
                compare(childKind, path + "." + key, e.getValue(), ours.get(key), report);
            }
            for (Map.Entry<String, JsonNode> e : ours.properties()) {
                if (!client.has(e.getKey())) {
                    if (newerKeys(kind).contains(e.getKey())) {
                        report.extra(kind, e.getKey());
                    } else {
                        report.mismatch(path + "." + e.getKey() + ": extra key in ours " + e.getValue());
                    }
                }
            }
        } else if (client.isArray()) {
            if (!ours.isArray() || ours.size() != client.size()) {
                report.mismatch(path + ": client " + client + ", ours " + ours);
                return;
            }
            for (int i = 0; i < client.size(); i++) {
                // elements of flds/tmpls are field/template objects
                compare(kind, path + "[" + i + "]", client.get(i), ours.get(i), report);
            }
        } else if (client.isNumber()) {
            if (!ours.isNumber() || client.isIntegralNumber() != ours.isIntegralNumber()) {
                report.mismatch(path + ": client " + client + ", ours " + ours);
            } else if (client.isIntegralNumber()) {
                if (!client.bigIntegerValue().equals(ours.bigIntegerValue())) {
                    report.mismatch(path + ": client " + client + ", ours " + ours);
                }
            } else {
                report.floats++;
                if (client.decimalValue().floatValue() != ours.decimalValue().floatValue()) {
                    report.mismatch(path + ": client " + client + ", ours " + ours + " (as f32)");
                } else if (!client.decimalValue().equals(ours.decimalValue())) {
                    report.mismatch(path + ": same f32 but different text: client " + client + ", ours " + ours);
                }
            }
        } else if (!client.equals(ours)) {
            report.mismatch(path + ": client " + client + ", ours " + ours);
        }
    }

    private static Set<String> newerKeys(String kind) {
        if (kind == null) {
            return Set.of();
        }
        return switch (kind) {
            case "deck" -> NEWER_DECK_KEYS;
            case "preset" -> NEWER_PRESET_KEYS;
            case "notetype" -> NEWER_NOTETYPE_KEYS;
            case "field" -> NEWER_FIELD_KEYS;
            case "template" -> NEWER_TEMPLATE_KEYS;
            default -> Set.of();
        };
    }

    // ---- helpers -------------------------------------------------------------------------------

    /**
     * Registers the project's {@code unicase} collation if it exists yet, otherwise a stand-in
     * (ASCII case folding): enough to read these tables, not to check or write them.
     */
    private static String registerUnicase(Connection db) throws SQLException {
        try {
            Class<?> unicase = Class.forName("dev.deckhand.store.fullsync.sqlite.Unicase");
            unicase.getMethod("register", Connection.class).invoke(null, db);
            return unicase.getName();
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
            Collation.create(db, "unicase", new Collation() {
                @Override
                protected int xCompare(String a, String b) {
                    return a.toLowerCase(Locale.ROOT).compareTo(b.toLowerCase(Locale.ROOT));
                }
            });
            return "temporary ASCII-lowercase stand-in (" + e + ")";
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("Unicase.register failed", e.getCause());
        }
    }

    private static String scalar(Connection db, String sql) throws SQLException {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static ObjectNode parse(ByteString json) {
        return (ObjectNode) JSON.readTree(json.toStringUtf8());
    }

    private static JsonNode parseAny(ByteString json) {
        return JSON.readTree(json.toStringUtf8());
    }

    private static JsonNode parse(String json) {
        return JSON.readTree(json);
    }

    private static ByteString bytes(JsonNode json) {
        return ByteString.copyFrom(JSON.writeValueAsString(json), StandardCharsets.UTF_8);
    }

    private static final class Report {
        final List<String> mismatches = new ArrayList<>();
        final Map<String, Integer> objects = new LinkedHashMap<>();
        final Map<String, Set<String>> keys = new LinkedHashMap<>();
        final Map<String, Set<String>> extras = new LinkedHashMap<>();
        final List<String> lines = new ArrayList<>();
        final List<String> dump = new ArrayList<>();
        int floats;

        void count(String kind, int n) {
            objects.merge(kind, n, Integer::sum);
        }

        void key(String kind, String key) {
            keys.computeIfAbsent(kind, k -> new TreeSet<>()).add(key);
        }

        void extra(String kind, String key) {
            extras.computeIfAbsent(kind, k -> new TreeSet<>()).add(key);
        }

        void mismatch(String text) {
            mismatches.add(text);
        }

        void line(String text) {
            lines.add(text);
        }

        void dump(String text) {
            dump.add(text);
        }

        void write(Path file, Path objectsFile) throws IOException {
            StringBuilder out = new StringBuilder("Schema18Json vs the Anki 2.1.66 client\n\n");
            out.append("objects compared: ").append(objects).append('\n');
            out.append("floats compared: ").append(floats).append('\n');
            keys.forEach((kind, set) -> out.append("client keys (").append(kind).append(", ")
                    .append(set.size()).append("): ").append(set).append('\n'));
            extras.forEach((kind, set) -> out.append("our extra keys (").append(kind).append("): ")
                    .append(set).append('\n'));
            out.append("\nmismatches: ").append(mismatches.size()).append('\n');
            mismatches.forEach(m -> out.append("  ").append(m).append('\n'));
            out.append('\n');
            lines.forEach(l -> out.append(l).append('\n'));
            Files.createDirectories(file.getParent());
            Files.writeString(file, out.toString());
            Files.writeString(objectsFile, String.join("\n", dump) + "\n");
        }
    }
}
