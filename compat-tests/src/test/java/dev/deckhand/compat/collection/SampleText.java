package dev.deckhand.compat.collection;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deterministic note content for {@link VariedCollection}: every value depends only on the
 * {@link Random} passed in, so the same seed gives the same notes.
 *
 * <p>The text deliberately mixes scripts and encodings a server must carry unchanged: accents,
 * CJK, right-to-left Arabic, emoji with modifiers and joiners, combining characters, HTML markup,
 * entities and image references.
 */
final class SampleText {

    private static final String[] FRENCH_VERBS = {
        "être", "avoir", "aller", "faire", "pouvoir", "vouloir", "savoir", "venir", "devoir", "croire",
        "prendre", "manger", "boire", "écrire", "lire", "naître", "mourir", "s'asseoir", "haïr", "résoudre",
    };
    private static final String[] ENGLISH_VERBS = {
        "to be", "to have", "to go", "to do", "can", "to want", "to know", "to come", "must", "to believe",
        "to take", "to eat", "to drink", "to write", "to read", "to be born", "to die", "to sit", "to hate",
        "to solve",
    };
    private static final String[] FRENCH_NOUNS = {
        "la forêt", "le château", "l'élève", "la façade", "le cœur", "l'œuvre", "la fenêtre", "le garçon",
        "la Noël", "l'hôpital", "le maïs", "la crème brûlée",
    };
    private static final String[] JAPANESE = {
        "日本語", "漢字", "食べる", "飲む", "東京", "勉強", "ありがとう", "猫", "犬", "桜", "雨", "電車",
    };
    private static final String[] READINGS = {
        "にほんご", "かんじ", "たべる", "のむ", "とうきょう", "べんきょう", "ありがとう", "ねこ", "いぬ", "さくら",
        "あめ", "でんしゃ",
    };
    private static final String[] ARABIC = {
        "مرحبا", "شكرا", "كتاب", "مدرسة", "قلم", "بيت", "سلام", "ماء", "شمس", "قمر",
    };
    private static final String[] EMOJI = {
        "🦊", "🎉", "👍🏽", "🇫🇷", "👨‍👩‍👧", "🧬", "🍣", "🌸", "✍️", "🔁",
    };
    /** Combining sequences without a precomposed form survive the client's NFC normalisation. */
    private static final String[] COMBINING = {
        "x\u0304", "q\u0323\u0307", "Z\u0335", "ṩ\u0301", "a\u0328\u0301", "e\u0301",
    };
    private static final String[] CELL_PARTS = {
        "mitochondrie", "ribosome", "appareil de Golgi", "lysosome", "noyau", "réticulum endoplasmique",
        "membrane plasmique", "centriole",
    };
    private static final String[] MATH = {
        "∫₀¹ x² dx = ⅓", "e^{iπ} + 1 = 0", "√2 ≈ 1.41421", "2³ = 8", "∑ 1/n² = π²/6", "a² + b² = c²",
        "lim x→0 sin(x)/x = 1", "∀ε>0 ∃δ>0",
    };
    private static final String[] CLOZE_FACTS = {
        "la capitale de la France est %s", "東京は%sの首都です", "the powerhouse of the cell is the %s",
        "%s + 1 = 0", "عاصمة مصر هي %s", "H₂O est de l'%s", "%s wrote Les Misérables",
        "the speed of light is %s km/s",
    };
    private static final String[] CLOZE_ANSWERS = {
        "Paris", "日本", "mitochondria", "e^(iπ)", "القاهرة", "eau", "Victor Hugo", "299 792",
    };
    private static final String[] TAGS = {
        "vocab", "langue::français::verbe", "langue::français::nom", "日本語::漢字::N5", "grammaire",
        "important", "عربي", "sci::bio::cellule", "maths::algèbre", "🦊renard", "révision_2024",
    };

    private SampleText() {
    }

    static <T> T pick(Random random, T[] values) {
        return values[random.nextInt(values.length)];
    }

    /** Front/back of a Basic note; some fronts carry markup, an image reference or entities. */
    static List<String> basic(Random random, int n) {
        int i = random.nextInt(FRENCH_VERBS.length);
        String front = FRENCH_VERBS[i] + " #" + n;
        String back = ENGLISH_VERBS[i];
        switch (random.nextInt(6)) {
            case 0 -> front = "<b>" + front + "</b>";
            case 1 -> back = back + "<br><img src=\"fox_" + (n % 7) + "_" + EMOJI[0] + ".png\">";
            case 2 -> back = back + "&nbsp;" + pick(random, EMOJI) + " &amp; " + pick(random, COMBINING);
            case 3 -> front = front + " " + pick(random, MATH);
            default -> { }
        }
        return List.of(front, back);
    }

    /** Front/back of a "Basic (and reversed card)" note. */
    static List<String> reversed(Random random, int n) {
        return switch (random.nextInt(3)) {
            case 0 -> List.of(pick(random, FRENCH_NOUNS) + " (" + n + ")", "<i>noun</i> " + pick(random, EMOJI));
            case 1 -> List.of("<div dir=\"rtl\">" + pick(random, ARABIC) + " " + n + "</div>", pick(random, FRENCH_NOUNS));
            default -> {
                int i = random.nextInt(JAPANESE.length);
                yield List.of(JAPANESE[i] + "・" + n, READINGS[i]);
            }
        };
    }

    /**
     * Text/Back Extra of a Cloze note with 2 to 6 deletions; hints and a repeated deletion number
     * appear now and then (a repeated number means fewer cards than deletions).
     */
    static List<String> cloze(Random random, int n) {
        int deletions = 2 + random.nextInt(5);
        StringBuilder text = new StringBuilder();
        for (int c = 1; c <= deletions; c++) {
            int fact = random.nextInt(CLOZE_FACTS.length);
            int number = c > 2 && random.nextInt(5) == 0 ? c - 1 : c;
            String answer = random.nextInt(4) == 0
                    ? CLOZE_ANSWERS[fact] + "::" + "indice " + pick(random, EMOJI)
                    : CLOZE_ANSWERS[fact];
            if (c > 1) {
                text.append(random.nextBoolean() ? "; " : "<br>");
            }
            text.append(String.format(CLOZE_FACTS[fact], "{{c" + number + "::" + answer + "}}"));
        }
        text.append(" [").append(n).append(']');
        String extra = switch (random.nextInt(4)) {
            case 0 -> "";
            case 1 -> "<b>" + pick(random, CELL_PARTS) + "</b> — " + pick(random, MATH);
            case 2 -> "<img src=\"diagram_" + (n % 11) + ".jpg\"> " + pick(random, COMBINING);
            default -> pick(random, ARABIC) + " " + pick(random, JAPANESE);
        };
        return List.of(text.toString(), extra);
    }

    /** The five fields of the custom vocabulary note type; the example is sometimes empty. */
    static List<String> vocabulary(Random random, int n) {
        int i = random.nextInt(JAPANESE.length);
        String example = random.nextInt(3) == 0 ? "" : JAPANESE[i] + "が好きです。" + pick(random, EMOJI);
        String notes = random.nextBoolean()
                ? pick(random, ARABIC) + " — " + pick(random, COMBINING)
                : "<ul><li>" + pick(random, FRENCH_NOUNS) + "</li><li>" + n + "</li></ul>";
        return List.of(JAPANESE[i] + " " + n, pick(random, FRENCH_VERBS), example, READINGS[i], notes);
    }

    /** Zero to three tags; the client sorts and de-duplicates them. */
    static List<String> tags(Random random) {
        int count = random.nextInt(4);
        List<String> tags = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            tags.add(pick(random, TAGS));
        }
        return tags;
    }

    /** An edited field value, for {@link VariedCollection#mutate}. */
    static String edited(Random random, String old) {
        return old + " ✎ " + pick(random, EMOJI) + " " + pick(random, ARABIC);
    }
}
