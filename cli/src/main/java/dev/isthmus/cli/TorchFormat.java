package dev.isthmus.cli;

import dev.isthmus.tensor.Shape;

import java.util.Locale;

/**
 * Formats values the way PyTorch's {@code print(tensor)} does for small tensors, so that
 * {@code isthmus demo} can be compared line by line with the lesson's printed output.
 * Covers PyTorch's three number modes: integer-valued ({@code 91.}), fixed ({@code 0.1234}) and
 * scientific ({@code 1.0000e+05}), with one common width, and its nested-bracket indentation.
 */
final class TorchFormat {
    private static final int PRECISION = 4;

    private TorchFormat() {
    }

    /** {@code tensor([[...]]` + suffix + ")"}, e.g. suffix {@code ", grad_fn=<ConvolutionBackward0>"}. */
    static String tensor(Shape shape, float[] values, String suffix) {
        String prefix = "tensor(";
        String[] formatted = formatAll(values);
        int width = 0;
        for (String s : formatted) width = Math.max(width, s.length());
        StringBuilder out = new StringBuilder(prefix);
        appendNested(out, shape.dims(), 0, 0, formatted, width, prefix.length());
        return out.append(suffix).append(')').toString();
    }

    private static int appendNested(StringBuilder out, int[] dims, int axis, int offset, String[] values, int width, int indent) {
        out.append('[');
        int remaining = dims.length - axis;
        if (remaining == 1) {
            for (int i = 0; i < dims[axis]; i++) {
                if (i > 0) out.append(", ");
                out.append(" ".repeat(width - values[offset + i].length())).append(values[offset + i]);
            }
            offset += dims[axis];
        } else {
            // PyTorch separates slices of a k-dimensional block with k-1 newlines and indents by one per level.
            String separator = "," + "\n".repeat(remaining - 1) + " ".repeat(indent + 1);
            for (int i = 0; i < dims[axis]; i++) {
                if (i > 0) out.append(separator);
                offset = appendNested(out, dims, axis + 1, offset, values, width, indent + 1);
            }
        }
        out.append(']');
        return offset;
    }

    private static String[] formatAll(float[] values) {
        boolean integers = true;
        double maxAbs = 0;
        double minAbs = Double.POSITIVE_INFINITY;
        for (float v : values) {
            if (!Float.isFinite(v)) continue;
            if (v != Math.rint(v)) integers = false;
            double a = Math.abs(v);
            if (a > 0) {
                maxAbs = Math.max(maxAbs, a);
                minAbs = Math.min(minAbs, a);
            }
        }
        boolean scientific = maxAbs > 0 && (maxAbs / minAbs > 1000 || maxAbs > 1e8 || (!integers && minAbs < 1e-4));
        String[] out = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (Float.isNaN(v)) out[i] = "nan";
            else if (Float.isInfinite(v)) out[i] = v > 0 ? "inf" : "-inf";
            else if (scientific) out[i] = String.format(Locale.ROOT, "%." + PRECISION + "e", v).replaceAll("e([+-])(\\d)$", "e$10$2");
            else if (integers) out[i] = String.format(Locale.ROOT, "%.0f.", v);
            else out[i] = String.format(Locale.ROOT, "%." + PRECISION + "f", v);
        }
        return out;
    }
}
