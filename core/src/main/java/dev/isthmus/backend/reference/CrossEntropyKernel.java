package dev.isthmus.backend.reference;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/**
 * {@code nn.CrossEntropyLoss} with mean reduction, in double precision:
 * loss = (1/N) Σ_n [log Σ_c exp(z[n][c] − m_n) + m_n − z[n][label_n]] with m_n = max_c z[n][c]
 * (the shift keeps exp from overflowing), and
 * ∂loss/∂z[n][c] = (softmax(z[n])[c] − [c = label_n]) / N.
 */
final class CrossEntropyKernel {
    private CrossEntropyKernel() {
    }

    /** Writes the gradient into {@code gradLogits} and returns the mean loss. */
    static float compute(MemorySegment logits, int[] labels, int batch, int classes, MemorySegment gradLogits) {
        double total = 0;
        float[] z = new float[classes];
        for (int n = 0; n < batch; n++) {
            MemorySegment.copy(logits, JAVA_FLOAT_UNALIGNED, (long) n * classes * Float.BYTES, z, 0, classes);
            double max = Double.NEGATIVE_INFINITY;
            for (float v : z) max = Math.max(max, v);
            double sumExp = 0;
            for (float v : z) sumExp += Math.exp(v - max);
            double logSumExp = Math.log(sumExp) + max;
            total += logSumExp - z[labels[n]];
            for (int c = 0; c < classes; c++) {
                double softmax = Math.exp(z[c] - logSumExp);
                double grad = (softmax - (c == labels[n] ? 1 : 0)) / batch;
                gradLogits.setAtIndex(JAVA_FLOAT_UNALIGNED, (long) n * classes + c, (float) grad);
            }
        }
        return (float) (total / batch);
    }
}
