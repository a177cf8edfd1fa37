package dev.deckhand.store.fullsync.legacy;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The JSON text Anki writes for an {@code f32} (serde_json, which uses the ryu crate): the
 * shortest decimal that reads back as the same 32-bit float, printed plainly with a fractional
 * part for 1e-6 &lt;= |x| &lt; 1e13 ({@code 1.3}, {@code 0.0005}, {@code 10000000.0}) and as
 * {@code 1e13} / {@code 1.5e-7} outside that range.
 *
 * <p>{@link Float#toString(float)} picks the same digits for normal floats but switches to
 * {@code 1.0E7} notation much earlier, and for subnormals may print two digits where one
 * suffices ({@code 1.4E-45} vs {@code 1e-45}), so the digits are searched here directly.
 */
final class F32Text {

    private F32Text() {
    }

    /** Text for a finite float; callers write JSON {@code null} for NaN and infinities, as serde does. */
    static String format(float value) {
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException("not a finite float: " + value);
        }
        boolean negative = (Float.floatToRawIntBits(value) & 0x8000_0000) != 0;
        if (value == 0.0f) {
            return negative ? "-0.0" : "0.0";
        }
        BigDecimal shortest = shortest(Math.abs(value));
        String digits = shortest.unscaledValue().toString();
        int length = digits.length();
        int k = -shortest.scale();
        int kk = length + k; // 10^(kk-1) <= |value| < 10^kk
        StringBuilder out = new StringBuilder(24);
        if (negative) {
            out.append('-');
        }
        if (k >= 0 && kk <= 13) {
            out.append(digits).repeat('0', k).append(".0");
        } else if (kk > 0 && kk <= 13) {
            out.append(digits, 0, kk).append('.').append(digits, kk, length);
        } else if (kk > -6 && kk <= 0) {
            out.append("0.").repeat('0', -kk).append(digits);
        } else {
            out.append(digits.charAt(0));
            if (length > 1) {
                out.append('.').append(digits, 1, length);
            }
            out.append('e').append(kk - 1);
        }
        return out.toString();
    }

    /**
     * The shortest decimal that rounds to {@code value} (positive, finite); among equally short
     * ones the closest, and on a tie the one with an even last digit.
     */
    static BigDecimal shortest(float value) {
        BigDecimal exact = new BigDecimal(value);
        for (int precision = 1; precision <= 9; precision++) {
            BigDecimal down = exact.round(new MathContext(precision, RoundingMode.DOWN));
            BigDecimal up = exact.round(new MathContext(precision, RoundingMode.UP));
            boolean downOk = roundTrips(down, value);
            boolean upOk = roundTrips(up, value);
            BigDecimal pick = null;
            if (downOk && upOk && down.compareTo(up) != 0) {
                int cmp = exact.subtract(down).compareTo(up.subtract(exact));
                if (cmp < 0) {
                    pick = down;
                } else if (cmp > 0) {
                    pick = up;
                } else {
                    pick = down.unscaledValue().testBit(0) ? up : down;
                }
            } else if (downOk) {
                pick = down;
            } else if (upOk) {
                pick = up;
            }
            if (pick != null) {
                return pick.stripTrailingZeros();
            }
        }
        // nine significant digits always identify a float
        throw new IllegalStateException("no round-trip decimal for " + value);
    }

    private static boolean roundTrips(BigDecimal candidate, float value) {
        return Float.parseFloat(candidate.toString()) == value;
    }
}
