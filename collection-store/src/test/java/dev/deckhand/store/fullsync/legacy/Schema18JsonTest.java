package dev.deckhand.store.fullsync.legacy;

import static dev.deckhand.store.fullsync.legacy.ProtoBytes.hex;
import static dev.deckhand.store.fullsync.legacy.ProtoBytes.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deckhand.store.fullsync.legacy.Schema18Json.Field;
import dev.deckhand.store.fullsync.legacy.Schema18Json.Template;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class Schema18JsonTest {

    private static final byte[] COLLAPSED = hex("08 01 10 01");

    /** The doc's pretty-printed JSON, compacted with number text kept. */
    private static String compact(String json) {
        return LegacyJsonWriter.MAPPER.writeValueAsString(LegacyJsonWriter.MAPPER.readTree(json));
    }

    private static JsonNode tree(String json) {
        return LegacyJsonWriter.MAPPER.readTree(json);
    }

    // ---- decks ---------------------------------------------------------------------------------

    @Test
    void defaultDeckMatchesTheDocExample() {
        String json = Schema18Json.deck(1, "Default", 0, 0, COLLAPSED, hex("0A 02 08 01"));
        assertThat(json).isEqualTo(compact("""
                {
                  "id": 1,
                  "mod": 0,
                  "name": "Default",
                  "usn": 0,
                  "lrnToday": [0, 0],
                  "revToday": [0, 0],
                  "newToday": [0, 0],
                  "timeToday": [0, 0],
                  "collapsed": true,
                  "browserCollapsed": true,
                  "desc": "",
                  "dyn": 0,
                  "conf": 1,
                  "extendNew": 0,
                  "extendRev": 0,
                  "reviewLimit": null,
                  "newLimit": null,
                  "reviewLimitToday": null,
                  "newLimitToday": null
                }"""));
        // desiredRetention: the blob has no field 10, so the key is left out, as 2.1.66 writes it
    }

    @Test
    void filteredDeckMatchesTheDocExample() {
        byte[] kind = message().message(2, message()
                        .bool(1, true)
                        .message(2, message().string(1, "deck:Default is:due").varint(2, 100).varint(3, 1))
                        .message(2, message().string(1, "deck:Default is:new").varint(2, 20).varint(3, 6))
                        .varint(5, 600)
                        .varint(7, 60))
                .build();
        String json = Schema18Json.deck(1735689600123L, "Filtered Deck 00:00", 1735689600L, 0, COLLAPSED, kind);
        assertThat(json).isEqualTo(compact("""
                {
                  "id": 1735689600123,
                  "mod": 1735689600,
                  "name": "Filtered Deck 00:00",
                  "usn": 0,
                  "lrnToday": [0, 0],
                  "revToday": [0, 0],
                  "newToday": [0, 0],
                  "timeToday": [0, 0],
                  "collapsed": true,
                  "browserCollapsed": true,
                  "desc": "",
                  "dyn": 1,
                  "resched": true,
                  "terms": [["deck:Default is:due", 100, 1], ["deck:Default is:new", 20, 6]],
                  "separate": true,
                  "delays": null,
                  "previewDelay": 0,
                  "previewAgainSecs": 60,
                  "previewHardSecs": 600
                }"""));
        // previewGoodSecs 0 is not on the wire, so it is left out: a newer client reads 0 either way
    }

    @Test
    void normalDeckFieldsConvertWithAnkisCasts() {
        byte[] common = message()
                .bool(1, false).bool(2, true)
                .varint(3, 1234).varint(4, -3).varint(5, 17).varint(6, 2).varint(7, 65000)
                .build();
        byte[] kind = message().message(1, message()
                        .varint(1, 1700000000000L)
                        .varint(2, 3_000_000_000L)
                        .varint(3, 5)
                        .string(4, "<b>Grüße</b> \"quoted\" \u0001")
                        .bool(5, true)
                        .varint(6, 4_000_000_000L)
                        .varint(7, 0)
                        .message(8, message().varint(1, 50).varint(2, 1234))
                        .float32(10, 0.9f))
                .build();
        JsonNode o = tree(Schema18Json.deck(1700000000001L, "Parent\u001fChild\u001fLeaf", 1700000000L, 7, common, kind));

        assertThat(o.get("name").asString()).isEqualTo("Parent::Child::Leaf");
        assertThat(o.get("lrnToday").toString()).isEqualTo("[1234,2]");
        assertThat(o.get("revToday").toString()).isEqualTo("[1234,17]");
        assertThat(o.get("newToday").toString()).isEqualTo("[1234,-3]");
        assertThat(o.get("timeToday").toString()).isEqualTo("[1234,65000]");
        assertThat(o.get("collapsed").asBoolean()).isFalse();
        assertThat(o.get("desc").asString()).isEqualTo("<b>Grüße</b> \"quoted\" \u0001");
        assertThat(o.get("md").asBoolean()).isTrue();
        assertThat(o.get("conf").asLong()).isEqualTo(1700000000000L);
        // u32 written through Rust's `as i32`
        assertThat(o.get("extendNew").asLong()).isEqualTo(-1294967296L);
        assertThat(o.get("extendRev").asInt()).isEqualTo(5);
        assertThat(o.get("reviewLimit").asLong()).isEqualTo(4_000_000_000L);
        // optional field present with 0 is 0, not null
        assertThat(o.get("newLimit").isNull()).isFalse();
        assertThat(o.get("newLimit").asInt()).isZero();
        assertThat(o.get("reviewLimitToday").toString()).isEqualTo("{\"limit\":50,\"today\":1234}");
        assertThat(o.get("newLimitToday").isNull()).isTrue();
        assertThat(o.get("desiredRetention").asInt()).isEqualTo(90);
    }

    @Test
    void deckDesiredRetentionTruncatesTheF32Product() {
        // 0.53f * 100 = 52.999996f in f32, truncated as Anki does
        byte[] kind = message().message(1, message().varint(1, 1).float32(10, 0.53f)).build();
        JsonNode o = tree(Schema18Json.deck(5, "x", 0, 0, COLLAPSED, kind));
        assertThat(o.get("desiredRetention").asInt()).isEqualTo(52);
    }

    @Test
    void filteredDeckDelaysAndDescription() {
        byte[] kind = message().message(2, message().packedFloats(3, 1.0f, 2.5f).varint(4, 10)).build();
        JsonNode o = tree(Schema18Json.deck(5, "F", 0, 0, COLLAPSED, kind));
        assertThat(o.get("delays").toString()).isEqualTo("[1.0,2.5]");
        assertThat(o.get("previewDelay").asInt()).isEqualTo(10);
        assertThat(o.get("resched").asBoolean()).isFalse();
        assertThat(o.get("terms").toString()).isEqualTo("[]");
        assertThat(o.has("md")).isFalse();
    }

    @Test
    void deckOtherKeysAreMergedButReservedOnesNeverOverride() {
        byte[] common = message().bool(1, true)
                .other("{\"mid\":1234567890123,\"name\":\"Evil\",\"conf\":9,\"md\":true,"
                        + "\"desiredRetention\":85,\"newFeature\":{\"a\":[1,2.50]},\"big\":123456789012345678901234567890}")
                .build();
        JsonNode o = tree(Schema18Json.deck(3, "Real", 0, 0, common, hex("0A 02 08 01")));
        assertThat(o.get("name").asString()).isEqualTo("Real");
        assertThat(o.get("conf").asInt()).isEqualTo(1);
        assertThat(o.has("md")).isFalse();
        assertThat(o.get("mid").asLong()).isEqualTo(1234567890123L);
        assertThat(o.get("newFeature").toString()).isEqualTo("{\"a\":[1,2.50]}");
        assertThat(o.get("big").toString()).isEqualTo("123456789012345678901234567890");
        // 2.1.66 keeps the newer key in other and never writes proto field 10
        assertThat(o.get("desiredRetention").asInt()).isEqualTo(85);
    }

    @Test
    void deckProtoFieldWinsOverOtherWhenOnTheWire() {
        byte[] common = message().other("{\"desiredRetention\":85}").build();
        byte[] kind = message().message(1, message().varint(1, 1).float32(10, 0.8f)).build();
        assertThat(tree(Schema18Json.deck(3, "x", 0, 0, common, kind)).get("desiredRetention").asInt())
                .isEqualTo(80);
    }

    @Test
    void filteredDeckNewerKeysFromOtherAndNativeKeysProtected() {
        byte[] common = message().other("{\"previewAgainSecs\":30,\"previewHardSecs\":45,"
                + "\"terms\":[[\"evil\",1,1]],\"resched\":false,\"delays\":[9],\"desiredRetention\":80,\"return\":true}").build();
        byte[] kind = message().message(2, message().bool(1, true).varint(4, 10).varint(5, 700)).build();
        JsonNode o = tree(Schema18Json.deck(3, "F", 0, 0, common, kind));
        assertThat(o.get("previewAgainSecs").asInt()).isEqualTo(30);
        // field 5 is on the wire: a newer client's value
        assertThat(o.get("previewHardSecs").asInt()).isEqualTo(700);
        assertThat(o.has("previewGoodSecs")).as("neither on the wire nor in other").isFalse();
        assertThat(o.get("terms").toString()).isEqualTo("[]");
        assertThat(o.get("resched").asBoolean()).isTrue();
        assertThat(o.get("delays").isNull()).isTrue();
        // not a filtered-deck key: passed through like any unknown key
        assertThat(o.get("desiredRetention").asInt()).isEqualTo(80);
        assertThat(o.get("return").asBoolean()).isTrue();
    }

    @Test
    void otherThatIsNotAJsonObjectIsIgnored() {
        String plain = Schema18Json.deck(1, "Default", 0, 0, COLLAPSED, hex("0A 02 08 01"));
        for (String other : List.of("not json", "[1,2]", "42", "{\"a\":1} trailing", "{\"a\":")) {
            byte[] common = message().bool(1, true).bool(2, true).other(other).build();
            assertThat(Schema18Json.deck(1, "Default", 0, 0, common, hex("0A 02 08 01")))
                    .as(other).isEqualTo(plain);
        }
        byte[] invalidUtf8 = message().bool(1, true).bool(2, true)
                .bytes(255, new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'}).build();
        assertThat(Schema18Json.deck(1, "Default", 0, 0, invalidUtf8, hex("0A 02 08 01"))).isEqualTo(plain);
    }

    @Test
    void emptyMessagesDecodeToDefaults() {
        // an all-default KindContainer.normal is a present, empty message
        JsonNode o = tree(Schema18Json.deck(9, "", 0, 0, new byte[0], hex("0A 00")));
        assertThat(o.get("conf").asLong()).isZero();
        assertThat(o.get("collapsed").asBoolean()).isFalse();
        assertThat(o.get("name").asString()).isEmpty();
    }

    @Test
    void repeatedOccurrencesFollowProtobufRules() {
        // scalar: last wins; embedded message: merged; oneof: a later variant replaces
        byte[] kind = message()
                .message(2, message().bool(1, true))
                .message(1, message().varint(1, 7).message(8, message().varint(1, 3)))
                .message(1, message().varint(2, 4).message(8, message().varint(2, 99)))
                .build();
        JsonNode o = tree(Schema18Json.deck(9, "m", 0, 0, message().varint(3, 1).varint(3, 2).build(), kind));
        assertThat(o.get("dyn").asInt()).isZero();
        assertThat(o.get("conf").asInt()).isEqualTo(7);
        assertThat(o.get("extendNew").asInt()).isEqualTo(4);
        assertThat(o.get("reviewLimitToday").toString()).isEqualTo("{\"limit\":3,\"today\":99}");
        assertThat(o.get("timeToday").toString()).isEqualTo("[2,0]");
    }

    @Test
    void unknownFieldsOfEveryWireTypeAreSkipped() {
        byte[] common = message()
                .bool(1, true)
                .varint(100, 5)
                .fixed64(101, -1)
                .string(102, "ignored")
                .startGroup(103).varint(1, 1).startGroup(2).string(3, "x").endGroup(2).endGroup(103)
                .float32(104, 1.5f)
                .bool(2, true)
                .build();
        assertThat(Schema18Json.deck(1, "Default", 0, 0, common, hex("0A 02 08 01")))
                .isEqualTo(Schema18Json.deck(1, "Default", 0, 0, COLLAPSED, hex("0A 02 08 01")));
    }

    // ---- presets -------------------------------------------------------------------------------

    /** The Default preset as 25.09.2 creates it (fields in numeric order). */
    static byte[] defaultPresetBlob() {
        return message()
                .packedFloats(1, 1.0f, 10.0f)
                .packedFloats(2, 10.0f)
                .packedFloats(4, 1f, 1f, 1f, 1f, 1f, 1f, 1f)
                .varint(9, 20)
                .varint(10, 200)
                .float32(11, 2.5f)
                .float32(12, 1.3f)
                .float32(13, 1.2f)
                .float32(15, 1.0f)
                .varint(16, 36500)
                .varint(17, 1)
                .varint(18, 1)
                .varint(19, 4)
                .varint(21, 1)
                .varint(22, 8)
                .varint(24, 60)
                .float32(37, 0.9f)
                .float32(40, 0.9f)
                .bool(44, true)
                .build();
    }

    @Test
    void defaultPresetMatchesTheDocExample() {
        assertThat(Schema18Json.deckConfig(1, "Default", 0, 0, defaultPresetBlob())).isEqualTo(compact("""
                {
                  "id": 1,
                  "mod": 0,
                  "name": "Default",
                  "usn": 0,
                  "maxTaken": 60,
                  "autoplay": true,
                  "timer": 0,
                  "replayq": true,
                  "new": {
                    "bury": false,
                    "delays": [1.0, 10.0],
                    "initialFactor": 2500,
                    "ints": [1, 4, 0],
                    "order": 1,
                    "perDay": 20
                  },
                  "rev": {
                    "bury": false,
                    "ease4": 1.3,
                    "ivlFct": 1.0,
                    "maxIvl": 36500,
                    "perDay": 200,
                    "hardFactor": 1.2
                  },
                  "lapse": {
                    "delays": [10.0],
                    "leechAction": 1,
                    "leechFails": 8,
                    "minInt": 1,
                    "mult": 0.0
                  },
                  "dyn": false,
                  "newMix": 0,
                  "newPerDayMinimum": 0,
                  "interdayLearningMix": 0,
                  "reviewOrder": 0,
                  "newSortOrder": 0,
                  "newGatherPriority": 0,
                  "buryInterdayLearning": false,
                  "fsrsWeights": [],
                  "fsrsParams5": [],
                  "fsrsParams6": [],
                  "desiredRetention": 0.9,
                  "ignoreRevlogsBeforeDate": "",
                  "easyDaysPercentages": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
                  "stopTimerOnAnswer": false,
                  "secondsToShowQuestion": 0.0,
                  "secondsToShowAnswer": 0.0,
                  "questionAction": 0,
                  "answerAction": 0,
                  "waitForAudio": true,
                  "sm2Retention": 0.9,
                  "weightSearch": ""
                }"""));
    }

    @Test
    void presetConversionsInvertSwapAndScale() {
        byte[] blob = message()
                .float32(1, 0.5f).float32(1, 15f)        // unpacked repeated floats
                .packedFloats(2)                          // empty packed run
                .varint(9, 35).varint(10, 1500)
                .float32(11, 2.31f)
                .float32(12, 1.45f).float32(13, 1.15f).float32(14, 0.35f).float32(15, 0.95f)
                .varint(16, 3650).varint(17, 2)
                .varint(18, 70_000).varint(19, 7)         // wraps to 16 bits like Anki's `as u16`
                .varint(20, 1)                            // RANDOM
                .varint(21, 0)
                .varint(22, 5)
                .bool(23, true)
                .varint(24, 90)
                .bool(25, true)
                .bool(26, true)
                .bool(27, true).bool(28, true).bool(29, true)
                .varint(30, 1).varint(31, 2).varint(32, 3).varint(33, 7).varint(34, 5).varint(35, 3)
                .varint(36, 7)                            // unknown question action
                .varint(43, 3)
                .float32(42, 2.5f)
                .string(45, "deck:x")
                .string(46, "2024-01-01")
                .build();
        JsonNode o = tree(Schema18Json.deckConfig(1700000000000L, "Prüfung ✓", 1700000001L, 5, blob));
        assertThat(o.get("autoplay").asBoolean()).isFalse();
        assertThat(o.get("timer").asInt()).isEqualTo(1);
        assertThat(o.get("replayq").asBoolean()).isFalse();
        assertThat(o.get("maxTaken").asInt()).isEqualTo(90);
        JsonNode n = o.get("new");
        assertThat(n.get("delays").toString()).isEqualTo("[0.5,15.0]");
        assertThat(n.get("initialFactor").asInt()).isEqualTo(2310);
        assertThat(n.get("ints").toString()).isEqualTo("[4464,7,0]");
        assertThat(n.get("order").asInt()).isZero();
        assertThat(n.get("bury").asBoolean()).isTrue();
        assertThat(n.get("perDay").asInt()).isEqualTo(35);
        JsonNode rev = o.get("rev");
        assertThat(rev.toString()).isEqualTo(
                "{\"bury\":true,\"ease4\":1.45,\"ivlFct\":0.95,\"maxIvl\":3650,\"perDay\":1500,\"hardFactor\":1.15}");
        assertThat(o.get("lapse").toString()).isEqualTo(
                "{\"delays\":[],\"leechAction\":0,\"leechFails\":5,\"minInt\":2,\"mult\":0.35}");
        assertThat(o.get("newMix").asInt()).isEqualTo(1);
        assertThat(o.get("interdayLearningMix").asInt()).isEqualTo(2);
        assertThat(o.get("newSortOrder").asInt()).isEqualTo(3);
        assertThat(o.get("reviewOrder").asInt()).isEqualTo(7);
        assertThat(o.get("newGatherPriority").asInt()).isEqualTo(5);
        assertThat(o.get("newPerDayMinimum").asInt()).isEqualTo(3);
        assertThat(o.get("buryInterdayLearning").asBoolean()).isTrue();
        assertThat(o.get("questionAction").asInt()).isZero();
        assertThat(o.get("answerAction").asInt()).isEqualTo(3);
        assertThat(o.get("secondsToShowAnswer").toString()).isEqualTo("2.5");
        assertThat(o.get("weightSearch").asString()).isEqualTo("deck:x");
        assertThat(o.get("ignoreRevlogsBeforeDate").asString()).isEqualTo("2024-01-01");
        assertThat(o.get("dyn").asBoolean()).isFalse();
    }

    @Test
    void presetInitialFactorSaturatesLikeRust() {
        JsonNode big = tree(Schema18Json.deckConfig(2, "p", 0, 0, message().float32(11, 1e9f).build()));
        assertThat(big.get("new").get("initialFactor").asInt()).isEqualTo(65535);
        JsonNode nan = tree(Schema18Json.deckConfig(2, "p", 0, 0, message().float32(11, Float.NaN).build()));
        assertThat(nan.get("new").get("initialFactor").asInt()).isZero();
    }

    @Test
    void presetStoredBy2166KeepsNewerKeysFromOther() {
        // a 2.1.66 blob: no fields 3-6 or 36-46, the newer keys in other
        byte[] blob = message()
                .packedFloats(1, 1.0f, 10.0f)
                .varint(9, 20)
                .float32(11, 2.5f)
                .other("{\"desiredRetention\":0.85,\"fsrsWeights\":[0.4,0.6],\"waitForAudio\":false,"
                        + "\"questionAction\":1,\"sm2Retention\":0.8,\"easyDaysPercentages\":[1.0,0.5,1.0,1.0,1.0,1.0,1.0],"
                        + "\"new\":{\"separate\":true,\"perDay\":999},\"rev\":{\"fuzz\":0.05,\"minSpace\":1},"
                        + "\"lapse\":{\"leechFails\":1,\"custom\":\"x\"},"
                        + "\"name\":\"Evil\",\"dyn\":true,\"timer\":1,\"autoplay\":false,\"maxTaken\":1,"
                        + "\"someAddon\":{\"k\":[1,2]}}")
                .build();
        JsonNode o = tree(Schema18Json.deckConfig(1234, "Real", 0, 0, blob));
        assertThat(o.get("desiredRetention").toString()).isEqualTo("0.85");
        assertThat(o.get("fsrsWeights").toString()).isEqualTo("[0.4,0.6]");
        assertThat(o.get("waitForAudio").asBoolean()).isFalse();
        assertThat(o.get("questionAction").asInt()).isEqualTo(1);
        assertThat(o.get("sm2Retention").toString()).isEqualTo("0.8");
        assertThat(o.get("easyDaysPercentages").toString()).isEqualTo("[1.0,0.5,1.0,1.0,1.0,1.0,1.0]");
        // absent from the blob and from other: left out, as the 2.1.66 client that wrote it would
        assertThat(o.has("fsrsParams6")).isFalse();
        assertThat(o.has("stopTimerOnAnswer")).isFalse();
        // nested extras merged back, nested reserved keys ignored
        assertThat(o.get("new").get("separate").asBoolean()).isTrue();
        assertThat(o.get("new").get("perDay").asInt()).isEqualTo(20);
        assertThat(o.get("rev").get("fuzz").toString()).isEqualTo("0.05");
        assertThat(o.get("rev").get("minSpace").asInt()).isEqualTo(1);
        assertThat(o.get("lapse").get("leechFails").asInt()).isZero();
        assertThat(o.get("lapse").get("custom").asString()).isEqualTo("x");
        // keys 2.1.66 knows never come from other
        assertThat(o.get("name").asString()).isEqualTo("Real");
        assertThat(o.get("dyn").asBoolean()).isFalse();
        assertThat(o.get("timer").asInt()).isZero();
        assertThat(o.get("autoplay").asBoolean()).isTrue();
        assertThat(o.get("maxTaken").asInt()).isZero();
        assertThat(o.get("someAddon").toString()).isEqualTo("{\"k\":[1,2]}");
    }

    @Test
    void presetNewerFieldOnTheWireBeatsStaleOther() {
        byte[] blob = message().float32(37, 0.8f).bool(44, true)
                .other("{\"desiredRetention\":0.95,\"waitForAudio\":false,\"stopTimerOnAnswer\":true}")
                .build();
        JsonNode o = tree(Schema18Json.deckConfig(3, "p", 0, 0, blob));
        assertThat(o.get("desiredRetention").toString()).isEqualTo("0.8");
        assertThat(o.get("waitForAudio").asBoolean()).isTrue();
        // field 38 is not on the wire, so other decides
        assertThat(o.get("stopTimerOnAnswer").asBoolean()).isTrue();
    }

    @Test
    void presetNestedOtherThatIsNotAnObjectIsDropped() {
        byte[] blob = message().other("{\"new\":5,\"rev\":[1],\"lapse\":null,\"kept\":1}").build();
        JsonNode o = tree(Schema18Json.deckConfig(3, "p", 0, 0, blob));
        assertThat(o.get("new").isObject()).isTrue();
        assertThat(o.get("rev").isObject()).isTrue();
        assertThat(o.get("lapse").isObject()).isTrue();
        assertThat(o.get("kept").asInt()).isEqualTo(1);
    }

    @Test
    void nonFiniteFloatsBecomeNull() {
        byte[] blob = message().float32(12, Float.NaN).float32(13, Float.POSITIVE_INFINITY)
                .packedFloats(1, Float.NEGATIVE_INFINITY, 1.0f).build();
        String json = Schema18Json.deckConfig(3, "p", 0, 0, blob);
        JsonNode o = tree(json);
        assertThat(o.get("rev").get("ease4").isNull()).isTrue();
        assertThat(o.get("rev").get("hardFactor").isNull()).isTrue();
        assertThat(o.get("new").get("delays").toString()).isEqualTo("[null,1.0]");
    }

    // ---- note types ----------------------------------------------------------------------------

    private static final String BASIC_CSS = ".card {\n    font-family: arial;\n    font-size: 20px;\n"
            + "    line-height: 1.5;\n    text-align: center;\n    color: black;\n    background-color: white;\n}\n";
    private static final String LATEX_PRE = "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n"
            + "\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n"
            + "\\setlength{\\parindent}{0in}\n\\begin{document}\n";

    private static byte[] fieldBlob(long id) {
        return message().string(3, "Arial").varint(4, 20).varint(9, id).build();
    }

    @Test
    void basicNotetypeMatchesTheDocExample() {
        byte[] config = message()
                .string(3, BASIC_CSS)
                .string(5, LATEX_PRE)
                .string(6, "\\end{document}")
                .message(8, message().varint(2, 1).packedVarints(3, 0))
                .varint(9, 1)
                .build();
        // rows in a scrambled order: the converter sorts by ord
        List<Field> fields = List.of(
                new Field(1, "Back", fieldBlob(-1634963170270468923L)),
                new Field(0, "Front", fieldBlob(7256118912540331811L)));
        List<Template> templates = List.of(new Template(0, "Card 1", 0, 0, message()
                .string(1, "{{Front}}")
                .string(2, "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}")
                .varint(8, -4155375468409567286L)
                .build()));
        String json = Schema18Json.notetype(1735689600000L, "Basic", 0, 0, config, fields, templates);
        assertThat(json).isEqualTo(compact("""
                {
                  "id": 1735689600000,
                  "name": "Basic",
                  "type": 0,
                  "mod": 0,
                  "usn": 0,
                  "sortf": 0,
                  "did": null,
                  "tmpls": [
                    {
                      "name": "Card 1",
                      "ord": 0,
                      "qfmt": "{{Front}}",
                      "afmt": "{{FrontSide}}\\n\\n<hr id=answer>\\n\\n{{Back}}",
                      "bqfmt": "",
                      "bafmt": "",
                      "did": null,
                      "bfont": "",
                      "bsize": 0,
                      "id": -4155375468409567286
                    }
                  ],
                  "flds": [
                    {
                      "name": "Front",
                      "ord": 0,
                      "sticky": false,
                      "rtl": false,
                      "font": "Arial",
                      "size": 20,
                      "description": "",
                      "plainText": false,
                      "collapsed": false,
                      "excludeFromSearch": false,
                      "id": 7256118912540331811
                    },
                    {
                      "name": "Back",
                      "ord": 1,
                      "sticky": false,
                      "rtl": false,
                      "font": "Arial",
                      "size": 20,
                      "description": "",
                      "plainText": false,
                      "collapsed": false,
                      "excludeFromSearch": false,
                      "id": -1634963170270468923
                    }
                  ],
                  "css": ".card {\\n    font-family: arial;\\n    font-size: 20px;\\n    line-height: 1.5;\\n    text-align: center;\\n    color: black;\\n    background-color: white;\\n}\\n",
                  "latexPre": "\\\\documentclass[12pt]{article}\\n\\\\special{papersize=3in,5in}\\n\\\\usepackage[utf8]{inputenc}\\n\\\\usepackage{amssymb,amsmath}\\n\\\\pagestyle{empty}\\n\\\\setlength{\\\\parindent}{0in}\\n\\\\begin{document}\\n",
                  "latexPost": "\\\\end{document}",
                  "latexsvg": false,
                  "req": [[0, "any", [0]]],
                  "originalStockKind": 1
                }"""));
    }

    @Test
    void clozeAndCustomNotetypeDetails() {
        byte[] config = message()
                .varint(1, 1)
                .varint(2, 65537)                     // sortf wraps to 16 bits
                .varint(4, -5)                        // legacy did may be anything non-zero
                .bool(7, true)
                .message(8, message().varint(1, 0).varint(2, 2).varint(3, 0).varint(3, 2))  // unpacked ords
                .message(8, message().varint(1, 1).varint(2, 9))                            // unknown kind
                .message(8, message().varint(1, 2))                                          // none, no ords
                .varint(10, 0)                        // originalId present with 0
                .build();
        byte[] textField = message().string(3, "Liberation Sans").varint(4, 65536 + 18).string(5, "Hinweis")
                .bool(1, true).bool(2, true).bool(6, true).bool(7, true).bool(8, true)
                .varint(10, 0).bool(11, true).other("{\"media\":[],\"id\":5}").build();
        byte[] template = message().string(1, "{{cloze:Text}}").string(3, "bq").string(4, "ba")
                .varint(5, 1234).string(6, "Courier").varint(7, 300).build();
        byte[] negativeDid = message().string(1, "q").varint(5, -9).build();
        String json = Schema18Json.notetype(42, "Lückentext ✓", 1700000000, 3, config,
                List.of(new Field(0, "Text", textField), new Field(1, "Rückseite", new byte[0])),
                List.of(new Template(1, "Zwei", 0, 0, negativeDid), new Template(0, "Lücke", 0, 0, template)));
        JsonNode o = tree(json);
        assertThat(o.get("type").asInt()).isEqualTo(1);
        assertThat(o.get("sortf").asInt()).isEqualTo(1);
        assertThat(o.get("did").asLong()).isEqualTo(-5);
        assertThat(o.get("latexsvg").asBoolean()).isTrue();
        assertThat(o.get("req").toString()).isEqualTo("[[0,\"all\",[0,2]],[1,\"none\",[]],[2,\"none\",[]]]");
        assertThat(o.has("originalStockKind")).isFalse();
        assertThat(o.get("originalId").asLong()).isZero();
        assertThat(o.get("css").asString()).isEmpty();
        assertThat(o.get("latexPre").asString()).isEmpty();

        JsonNode text = o.get("flds").get(0);
        assertThat(text.toString()).isEqualTo("{\"name\":\"Text\",\"ord\":0,\"sticky\":true,\"rtl\":true,"
                + "\"font\":\"Liberation Sans\",\"size\":18,\"description\":\"Hinweis\",\"plainText\":true,"
                + "\"collapsed\":true,\"excludeFromSearch\":true,\"id\":5,\"tag\":0,\"preventDeletion\":true,\"media\":[]}");
        JsonNode back = o.get("flds").get(1);
        assertThat(back.toString()).isEqualTo("{\"name\":\"Rückseite\",\"ord\":1,\"sticky\":false,\"rtl\":false,"
                + "\"font\":\"\",\"size\":0,\"description\":\"\",\"plainText\":false,\"collapsed\":false,"
                + "\"excludeFromSearch\":false}");

        JsonNode t0 = o.get("tmpls").get(0);
        assertThat(t0.toString()).isEqualTo("{\"name\":\"Lücke\",\"ord\":0,\"qfmt\":\"{{cloze:Text}}\",\"afmt\":\"\","
                + "\"bqfmt\":\"bq\",\"bafmt\":\"ba\",\"did\":1234,\"bfont\":\"Courier\",\"bsize\":44}");
        assertThat(o.get("tmpls").get(1).get("did").isNull()).isTrue();
        assertThat(o.get("tmpls").get(1).get("name").asString()).isEqualTo("Zwei");
    }

    @Test
    void notetypeOtherMergingAtEveryLevel() {
        byte[] config = message().varint(9, 1)
                .other("{\"originalId\":77,\"vers\":[],\"tags\":[\"a\"],\"name\":\"Evil\",\"sortf\":3,"
                        + "\"originalStockKind\":4,\"addon\":true}")
                .build();
        byte[] field = message().string(3, "Arial")
                .other("{\"id\":-1234567890123456789,\"tag\":3,\"preventDeletion\":true,\"name\":\"Evil\","
                        + "\"ord\":7,\"size\":99,\"media\":[\"x.mp3\"]}")
                .build();
        byte[] fieldWithId = message().varint(9, 11).varint(10, 1).bool(11, false)
                .other("{\"id\":12,\"tag\":2,\"preventDeletion\":true}").build();
        byte[] template = message().string(1, "q").varint(8, 99).other("{\"id\":100,\"qfmt\":\"evil\",\"x\":1}").build();
        byte[] template2166 = message().string(1, "q").other("{\"id\":-100}").build();
        JsonNode o = tree(Schema18Json.notetype(7, "Custom", 0, 0, config,
                List.of(new Field(0, "F", field), new Field(1, "G", fieldWithId)),
                List.of(new Template(0, "T", 0, 0, template), new Template(1, "U", 0, 0, template2166))));
        assertThat(o.get("originalId").asLong()).isEqualTo(77);
        assertThat(o.get("vers").toString()).isEqualTo("[]");
        assertThat(o.get("tags").toString()).isEqualTo("[\"a\"]");
        assertThat(o.get("addon").asBoolean()).isTrue();
        assertThat(o.get("name").asString()).isEqualTo("Custom");
        assertThat(o.get("sortf").asInt()).isZero();
        assertThat(o.get("originalStockKind").asInt()).isEqualTo(1);

        JsonNode f = o.get("flds").get(0);
        assertThat(f.get("id").asLong()).isEqualTo(-1234567890123456789L);
        assertThat(f.get("tag").asInt()).isEqualTo(3);
        assertThat(f.get("preventDeletion").asBoolean()).isTrue();
        assertThat(f.get("name").asString()).isEqualTo("F");
        assertThat(f.get("ord").asInt()).isZero();
        assertThat(f.get("size").asInt()).isZero();
        assertThat(f.get("media").toString()).isEqualTo("[\"x.mp3\"]");

        JsonNode g = o.get("flds").get(1);
        assertThat(g.get("id").asLong()).isEqualTo(11);
        assertThat(g.get("tag").asInt()).isEqualTo(1);
        // field 11 on the wire (even as false): the blob's value
        assertThat(g.get("preventDeletion").asBoolean()).isFalse();

        JsonNode t = o.get("tmpls").get(0);
        assertThat(t.get("id").asLong()).isEqualTo(99);
        assertThat(t.get("qfmt").asString()).isEqualTo("q");
        assertThat(t.get("x").asInt()).isEqualTo(1);
        assertThat(o.get("tmpls").get(1).get("id").asLong()).isEqualTo(-100);
    }

    @Test
    void notetypeWithoutFieldsOrTemplates() {
        JsonNode o = tree(Schema18Json.notetype(1, "Empty", 0, 0, new byte[0], List.of(), List.of()));
        assertThat(o.get("flds").toString()).isEqualTo("[]");
        assertThat(o.get("tmpls").toString()).isEqualTo("[]");
        assertThat(o.get("req").toString()).isEqualTo("[]");
        assertThat(o.get("did").isNull()).isTrue();
    }
}
