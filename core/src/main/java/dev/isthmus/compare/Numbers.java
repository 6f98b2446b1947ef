package dev.isthmus.compare;

import java.util.Locale;

/** Compact number formatting for comparison tables and messages. */
public final class Numbers {
    private Numbers() {
    }

    /**
     * Three significant digits in scientific notation ({@code 1.23e-05}), plain {@code 0} for zero.
     *
     * @param value the number
     * @return its text
     */
    public static String format(double value) {
        if (value == 0) return "0";
        if (Double.isNaN(value)) return "NaN";
        if (Double.isInfinite(value)) return value > 0 ? "inf" : "-inf";
        return String.format(Locale.ROOT, "%.2e", value);
    }

    /**
     * A float value exactly enough to tell neighbours apart ({@link Float#toString}).
     *
     * @param value the number
     * @return its text
     */
    public static String value(float value) {
        return Float.toString(value);
    }
}
