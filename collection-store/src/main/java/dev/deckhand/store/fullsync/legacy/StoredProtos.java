package dev.deckhand.store.fullsync.legacy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The protobuf messages a schema-18 collection stores in blob columns, decoded field by field
 * (field numbers from Anki 25.09.2's {@code decks.proto}, {@code deck_config.proto} and
 * {@code notetypes.proto}).
 *
 * <p>Scalars hold the proto3 default when absent, a repeated scalar may arrive packed or not, a
 * scalar seen twice keeps the last value, and an embedded message seen twice is merged (its
 * occurrences are concatenated before decoding, which is protobuf's merge). {@code seen} records
 * which field numbers were on the wire: for the fields 2.1.66 does not know, absence is how we
 * tell a blob written by 2.1.66 (see {@link Schema18Json}).
 *
 * <p>Longer than most files here on purpose: one small record per stored message, each beside its
 * decoder with the field numbers of the {@code .proto} files, so that the whole set can be read
 * against Anki's definitions in one place.
 */
final class StoredProtos {

    static final byte[] EMPTY = new byte[0];

    private StoredProtos() {
    }

    // ---- decks ---------------------------------------------------------------------------------

    /** {@code anki.decks.Deck.Common} ({@code decks.common}). */
    static final class DeckCommon {
        boolean studyCollapsed;
        boolean browserCollapsed;
        int lastDayStudied;
        int newStudied;
        int reviewStudied;
        int learningStudied;
        int millisecondsStudied;
        byte[] other = EMPTY;

        static DeckCommon decode(byte[] blob) {
            DeckCommon m = new DeckCommon();
            WireReader r = new WireReader(blob, "Deck.Common");
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> m.studyCollapsed = r.bool();
                    case 2 -> m.browserCollapsed = r.bool();
                    case 3 -> m.lastDayStudied = r.int32();
                    case 4 -> m.newStudied = r.int32();
                    case 5 -> m.reviewStudied = r.int32();
                    case 6 -> m.learningStudied = r.int32();
                    case 7 -> m.millisecondsStudied = r.int32();
                    case 255 -> m.other = r.bytes();
                    default -> r.skip();
                }
            }
            return m;
        }
    }

    /** {@code anki.decks.Deck.KindContainer} ({@code decks.kind}): exactly one variant. */
    static final class DeckKind {
        NormalDeck normal;
        FilteredDeck filtered;

        static DeckKind decode(byte[] blob) {
            WireReader r = new WireReader(blob, "Deck.KindContainer");
            int variant = 0;
            ByteArrayOutputStream payload = new ByteArrayOutputStream();
            while (r.next()) {
                switch (r.field()) {
                    case 1, 2 -> {
                        byte[] bytes = r.bytes();
                        // oneof: another variant replaces, the same one merges
                        if (variant != r.field()) {
                            payload.reset();
                            variant = r.field();
                        }
                        payload.writeBytes(bytes);
                    }
                    default -> r.skip();
                }
            }
            DeckKind k = new DeckKind();
            switch (variant) {
                case 1 -> k.normal = NormalDeck.decode(payload.toByteArray());
                case 2 -> k.filtered = FilteredDeck.decode(payload.toByteArray());
                default -> throw new IllegalArgumentException(
                        "malformed Deck.KindContainer blob: neither normal (1) nor filtered (2) is set");
            }
            return k;
        }
    }

    /** {@code anki.decks.Deck.Normal.DayLimit}. */
    record DayLimit(int limit, int today) {
        static DayLimit decode(byte[] blob) {
            int limit = 0;
            int today = 0;
            WireReader r = new WireReader(blob, "Deck.Normal.DayLimit");
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> limit = r.int32();
                    case 2 -> today = r.int32();
                    default -> r.skip();
                }
            }
            return new DayLimit(limit, today);
        }
    }

    /** {@code anki.decks.Deck.Normal}. */
    static final class NormalDeck {
        long configId;
        int extendNew;
        int extendReview;
        String description = "";
        boolean markdownDescription;
        Integer reviewLimit;
        Integer newLimit;
        DayLimit reviewLimitToday;
        DayLimit newLimitToday;
        Float desiredRetention;

        static NormalDeck decode(byte[] blob) {
            NormalDeck m = new NormalDeck();
            ByteArrayOutputStream reviewToday = null;
            ByteArrayOutputStream newToday = null;
            WireReader r = new WireReader(blob, "Deck.Normal");
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> m.configId = r.varint();
                    case 2 -> m.extendNew = r.int32();
                    case 3 -> m.extendReview = r.int32();
                    case 4 -> m.description = r.string();
                    case 5 -> m.markdownDescription = r.bool();
                    case 6 -> m.reviewLimit = r.int32();
                    case 7 -> m.newLimit = r.int32();
                    case 8 -> reviewToday = append(reviewToday, r.bytes());
                    case 9 -> newToday = append(newToday, r.bytes());
                    case 10 -> m.desiredRetention = r.float32();
                    default -> r.skip();
                }
            }
            m.reviewLimitToday = reviewToday == null ? null : DayLimit.decode(reviewToday.toByteArray());
            m.newLimitToday = newToday == null ? null : DayLimit.decode(newToday.toByteArray());
            return m;
        }
    }

    /** {@code anki.decks.Deck.Filtered.SearchTerm}. */
    record SearchTerm(String search, int limit, int order) {
        static SearchTerm decode(byte[] blob) {
            String search = "";
            int limit = 0;
            int order = 0;
            WireReader r = new WireReader(blob, "Deck.Filtered.SearchTerm");
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> search = r.string();
                    case 2 -> limit = r.int32();
                    case 3 -> order = r.int32();
                    default -> r.skip();
                }
            }
            return new SearchTerm(search, limit, order);
        }
    }

    /** {@code anki.decks.Deck.Filtered}. */
    static final class FilteredDeck {
        boolean reschedule;
        final List<SearchTerm> searchTerms = new ArrayList<>();
        final List<Float> delays = new ArrayList<>();
        int previewDelay;
        int previewAgainSecs;
        int previewHardSecs;
        int previewGoodSecs;
        final BitSet seen = new BitSet();

        static FilteredDeck decode(byte[] blob) {
            FilteredDeck m = new FilteredDeck();
            WireReader r = new WireReader(blob, "Deck.Filtered");
            while (r.next()) {
                m.seen.set(Math.min(r.field(), 256));
                switch (r.field()) {
                    case 1 -> m.reschedule = r.bool();
                    case 2 -> m.searchTerms.add(SearchTerm.decode(r.bytes()));
                    case 3 -> r.floats(m.delays);
                    case 4 -> m.previewDelay = r.int32();
                    case 5 -> m.previewHardSecs = r.int32();
                    case 6 -> m.previewGoodSecs = r.int32();
                    case 7 -> m.previewAgainSecs = r.int32();
                    default -> r.skip();
                }
            }
            return m;
        }
    }

    // ---- deck configs --------------------------------------------------------------------------

    /** {@code anki.deck_config.DeckConfig.Config} ({@code deck_config.config}). */
    static final class DeckConfig {
        final List<Float> learnSteps = new ArrayList<>();
        final List<Float> relearnSteps = new ArrayList<>();
        final List<Float> fsrsParams4 = new ArrayList<>();
        final List<Float> easyDaysPercentages = new ArrayList<>();
        final List<Float> fsrsParams5 = new ArrayList<>();
        final List<Float> fsrsParams6 = new ArrayList<>();
        int newPerDay;
        int reviewsPerDay;
        float initialEase;
        float easyMultiplier;
        float hardMultiplier;
        float lapseMultiplier;
        float intervalMultiplier;
        int maximumReviewInterval;
        int minimumLapseInterval;
        int graduatingIntervalGood;
        int graduatingIntervalEasy;
        int newCardInsertOrder;
        int leechAction;
        int leechThreshold;
        boolean disableAutoplay;
        int capAnswerTimeToSecs;
        boolean showTimer;
        boolean skipQuestionWhenReplayingAnswer;
        boolean buryNew;
        boolean buryReviews;
        boolean buryInterdayLearning;
        int newMix;
        int interdayLearningMix;
        int newCardSortOrder;
        int reviewOrder;
        int newCardGatherPriority;
        int newPerDayMinimum;
        int questionAction;
        float desiredRetention;
        boolean stopTimerOnAnswer;
        float historicalRetention;
        float secondsToShowQuestion;
        float secondsToShowAnswer;
        int answerAction;
        boolean waitForAudio;
        String paramSearch = "";
        String ignoreRevlogsBeforeDate = "";
        byte[] other = EMPTY;
        final BitSet seen = new BitSet();

        static DeckConfig decode(byte[] blob) {
            DeckConfig m = new DeckConfig();
            WireReader r = new WireReader(blob, "DeckConfig.Config");
            while (r.next()) {
                m.seen.set(Math.min(r.field(), 256));
                switch (r.field()) {
                    case 1 -> r.floats(m.learnSteps);
                    case 2 -> r.floats(m.relearnSteps);
                    case 3 -> r.floats(m.fsrsParams4);
                    case 4 -> r.floats(m.easyDaysPercentages);
                    case 5 -> r.floats(m.fsrsParams5);
                    case 6 -> r.floats(m.fsrsParams6);
                    case 9 -> m.newPerDay = r.int32();
                    case 10 -> m.reviewsPerDay = r.int32();
                    case 11 -> m.initialEase = r.float32();
                    case 12 -> m.easyMultiplier = r.float32();
                    case 13 -> m.hardMultiplier = r.float32();
                    case 14 -> m.lapseMultiplier = r.float32();
                    case 15 -> m.intervalMultiplier = r.float32();
                    case 16 -> m.maximumReviewInterval = r.int32();
                    case 17 -> m.minimumLapseInterval = r.int32();
                    case 18 -> m.graduatingIntervalGood = r.int32();
                    case 19 -> m.graduatingIntervalEasy = r.int32();
                    case 20 -> m.newCardInsertOrder = r.int32();
                    case 21 -> m.leechAction = r.int32();
                    case 22 -> m.leechThreshold = r.int32();
                    case 23 -> m.disableAutoplay = r.bool();
                    case 24 -> m.capAnswerTimeToSecs = r.int32();
                    case 25 -> m.showTimer = r.bool();
                    case 26 -> m.skipQuestionWhenReplayingAnswer = r.bool();
                    case 27 -> m.buryNew = r.bool();
                    case 28 -> m.buryReviews = r.bool();
                    case 29 -> m.buryInterdayLearning = r.bool();
                    case 30 -> m.newMix = r.int32();
                    case 31 -> m.interdayLearningMix = r.int32();
                    case 32 -> m.newCardSortOrder = r.int32();
                    case 33 -> m.reviewOrder = r.int32();
                    case 34 -> m.newCardGatherPriority = r.int32();
                    case 35 -> m.newPerDayMinimum = r.int32();
                    case 36 -> m.questionAction = r.int32();
                    case 37 -> m.desiredRetention = r.float32();
                    case 38 -> m.stopTimerOnAnswer = r.bool();
                    case 40 -> m.historicalRetention = r.float32();
                    case 41 -> m.secondsToShowQuestion = r.float32();
                    case 42 -> m.secondsToShowAnswer = r.float32();
                    case 43 -> m.answerAction = r.int32();
                    case 44 -> m.waitForAudio = r.bool();
                    case 45 -> m.paramSearch = r.string();
                    case 46 -> m.ignoreRevlogsBeforeDate = r.string();
                    case 255 -> m.other = r.bytes();
                    default -> r.skip();
                }
            }
            return m;
        }
    }

    // ---- note types ----------------------------------------------------------------------------

    /** {@code anki.notetypes.Notetype.Config.CardRequirement}. */
    record CardRequirement(int cardOrd, int kind, List<Integer> fieldOrds) {
        static CardRequirement decode(byte[] blob) {
            int cardOrd = 0;
            int kind = 0;
            List<Integer> fieldOrds = new ArrayList<>();
            WireReader r = new WireReader(blob, "Notetype.Config.CardRequirement");
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> cardOrd = r.int32();
                    case 2 -> kind = r.int32();
                    case 3 -> r.uint32s(fieldOrds);
                    default -> r.skip();
                }
            }
            return new CardRequirement(cardOrd, kind, fieldOrds);
        }
    }

    /** {@code anki.notetypes.Notetype.Config} ({@code notetypes.config}). */
    static final class NotetypeConfig {
        int kind;
        int sortFieldIdx;
        String css = "";
        long targetDeckIdUnused;
        String latexPre = "";
        String latexPost = "";
        boolean latexSvg;
        final List<CardRequirement> reqs = new ArrayList<>();
        int originalStockKind;
        Long originalId;
        byte[] other = EMPTY;

        static NotetypeConfig decode(byte[] blob) {
            NotetypeConfig m = new NotetypeConfig();
            WireReader r = new WireReader(blob, "Notetype.Config");
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> m.kind = r.int32();
                    case 2 -> m.sortFieldIdx = r.int32();
                    case 3 -> m.css = r.string();
                    case 4 -> m.targetDeckIdUnused = r.varint();
                    case 5 -> m.latexPre = r.string();
                    case 6 -> m.latexPost = r.string();
                    case 7 -> m.latexSvg = r.bool();
                    case 8 -> m.reqs.add(CardRequirement.decode(r.bytes()));
                    case 9 -> m.originalStockKind = r.int32();
                    case 10 -> m.originalId = r.varint();
                    case 255 -> m.other = r.bytes();
                    default -> r.skip();
                }
            }
            return m;
        }
    }

    /** {@code anki.notetypes.Notetype.Field.Config} ({@code fields.config}). */
    static final class FieldConfig {
        boolean sticky;
        boolean rtl;
        String fontName = "";
        int fontSize;
        String description = "";
        boolean plainText;
        boolean collapsed;
        boolean excludeFromSearch;
        Long id;
        Integer tag;
        boolean preventDeletion;
        byte[] other = EMPTY;
        final BitSet seen = new BitSet();

        static FieldConfig decode(byte[] blob) {
            FieldConfig m = new FieldConfig();
            WireReader r = new WireReader(blob, "Notetype.Field.Config");
            while (r.next()) {
                m.seen.set(Math.min(r.field(), 256));
                switch (r.field()) {
                    case 1 -> m.sticky = r.bool();
                    case 2 -> m.rtl = r.bool();
                    case 3 -> m.fontName = r.string();
                    case 4 -> m.fontSize = r.int32();
                    case 5 -> m.description = r.string();
                    case 6 -> m.plainText = r.bool();
                    case 7 -> m.collapsed = r.bool();
                    case 8 -> m.excludeFromSearch = r.bool();
                    case 9 -> m.id = r.varint();
                    case 10 -> m.tag = r.int32();
                    case 11 -> m.preventDeletion = r.bool();
                    case 255 -> m.other = r.bytes();
                    default -> r.skip();
                }
            }
            return m;
        }
    }

    /** {@code anki.notetypes.Notetype.Template.Config} ({@code templates.config}). */
    static final class TemplateConfig {
        String qFormat = "";
        String aFormat = "";
        String qFormatBrowser = "";
        String aFormatBrowser = "";
        long targetDeckId;
        String browserFontName = "";
        int browserFontSize;
        Long id;
        byte[] other = EMPTY;

        static TemplateConfig decode(byte[] blob) {
            TemplateConfig m = new TemplateConfig();
            WireReader r = new WireReader(blob, "Notetype.Template.Config");
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> m.qFormat = r.string();
                    case 2 -> m.aFormat = r.string();
                    case 3 -> m.qFormatBrowser = r.string();
                    case 4 -> m.aFormatBrowser = r.string();
                    case 5 -> m.targetDeckId = r.varint();
                    case 6 -> m.browserFontName = r.string();
                    case 7 -> m.browserFontSize = r.int32();
                    case 8 -> m.id = r.varint();
                    case 255 -> m.other = r.bytes();
                    default -> r.skip();
                }
            }
            return m;
        }
    }

    private static ByteArrayOutputStream append(ByteArrayOutputStream to, byte[] occurrence) {
        ByteArrayOutputStream out = to == null ? new ByteArrayOutputStream() : to;
        out.writeBytes(occurrence);
        return out;
    }
}
