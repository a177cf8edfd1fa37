package dev.deckhand.store.fullsync.legacy;

import static dev.deckhand.store.fullsync.legacy.ProtoBytes.message;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Float text as serde_json/ryu writes an f32. */
class Schema18JsonFloatTest {

    @ParameterizedTest
    @CsvSource({
            "1.3, 1.3",
            "0.9, 0.9",
            "10, 10.0",
            "0, 0.0",
            "-0.0, -0.0",
            "0.0005, 0.0005",
            "0.001, 0.001",
            "1.15, 1.15",
            "0.95, 0.95",
            "3.3, 3.3",
            "2.5, 2.5",
            "1.2, 1.2",
            "-1.25, -1.25",
            "10000000, 10000000.0",
            "12345678, 12345678.0",
            "123456789, 123456790.0",
            "16777217, 16777216.0",
            "9999999000000, 9999999000000.0",
            "1e13, 1e13",
            "1.5e13, 1.5e13",
            "1e20, 1e20",
            "-1.2345e30, -1.2345e30",
            "1e-6, 0.000001",
            "1.5e-6, 0.0000015",
            "1e-7, 1e-7",
            "1.5e-7, 1.5e-7",
            "3.4028235e38, 3.4028235e38",
            "1.17549435e-38, 1.1754944e-38",
            "1.4e-45, 1e-45",
            "2.8e-45, 3e-45",
            "0.1, 0.1",
            "0.3, 0.3",
            "0.2, 0.2",
            "100.25, 100.25",
    })
    void formatsLikeRyu(String input, String expected) {
        assertThat(F32Text.format(Float.parseFloat(input))).isEqualTo(expected);
    }

    @Test
    void sumsStayInF32() {
        assertThat(F32Text.format(0.1f + 0.2f)).isEqualTo("0.3");
        assertThat(F32Text.format(0.9f)).isNotEqualTo(Double.toString(0.9f));
    }

    @Test
    void randomFloatsRoundTripWithTheShortestDigits() {
        SplittableRandom random = new SplittableRandom(18);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(random.nextInt());
            if (!Float.isFinite(f)) {
                continue;
            }
            String text = F32Text.format(f);
            assertThat(Float.parseFloat(text)).as(text).isEqualTo(f);
            if (Math.abs(f) >= Float.MIN_NORMAL) {
                // Java's own shortest digits agree for normal floats; only the notation differs
                assertThat(new BigDecimal(text).compareTo(new BigDecimal(Float.toString(f))))
                        .as("%s vs %s", text, Float.toString(f)).isZero();
            }
            if (!text.contains("e")) {
                assertThat(text).contains(".");
            }
        }
    }

    @Test
    void floatsInsideTheJsonKeepTheirF32Text() {
        byte[] blob = message()
                .packedFloats(1, 0.0005f, 1e7f, 1.5e-7f, 1e20f)
                .float32(12, 1.3f)
                .float32(37, 0.9f)
                .build();
        String json = Schema18Json.deckConfig(1, "p", 0, 0, blob);
        assertThat(json).contains("\"delays\":[0.0005,10000000.0,1.5e-7,1e20]");
        assertThat(json).contains("\"ease4\":1.3,");
        assertThat(json).contains("\"desiredRetention\":0.9,");
        assertThat(json).doesNotContain("0.8999999").doesNotContain("1.29999");
    }
}
