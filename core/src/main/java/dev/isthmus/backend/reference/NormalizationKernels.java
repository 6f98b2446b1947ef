package dev.isthmus.backend.reference;

import dev.isthmus.backend.parallel.ForkJoinParts;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/**
 * Batch normalisation over NCHW, one channel per task (channels are independent, so results do not
 * depend on threads). Sums are accumulated in double, in a fixed order: the reference is the oracle.
 * (Σ dy·x̂ is computed as invStd · Σ dy·(x − mean), per plane.)
 * A channel {@code c} of sample {@code n} is the {@code plane} floats starting at {@code (n·C + c)·plane}.
 */
final class NormalizationKernels {
    private NormalizationKernels() {
    }

    /** The layout of one NCHW tensor: N samples of C channels of {@code plane = H·W} values. */
    record Layout(int batch, int channels, int plane) {
        long start(int n, int c) {
            return ((long) n * channels + c) * plane;
        }

        /** Values per channel: the m of the statistics. */
        long count() {
            return (long) batch * plane;
        }
    }

    /**
     * Training forward: mean and biased variance per channel; {@code y = (x − mean)·invStd·w + b};
     * running statistics {@code (1 − momentum)·running + momentum·batch}, the variance unbiased (m/(m − 1)).
     */
    static void training(Layout l, MemorySegment x, MemorySegment w, MemorySegment b, MemorySegment runningMean, MemorySegment runningVar,
                         double momentum, double eps, MemorySegment y, MemorySegment savedMean, MemorySegment savedInvStd) {
        ForkJoinParts.forEach(l.channels(), c -> {
            double sum = 0;
            for (int n = 0; n < l.batch(); n++) sum += planeSum(x, l.start(n, c), l.plane());
            long m = l.count();
            double mean = sum / m;
            double squares = 0;
            for (int n = 0; n < l.batch(); n++) squares += planeSquaredDeviations(x, l.start(n, c), l.plane(), mean);
            double variance = squares / m;
            double invStd = 1 / Math.sqrt(variance + eps);
            normalize(l, c, x, y, mean, invStd, w.getAtIndex(JAVA_FLOAT_UNALIGNED, c), b.getAtIndex(JAVA_FLOAT_UNALIGNED, c));
            savedMean.setAtIndex(JAVA_FLOAT_UNALIGNED, c, (float) mean);
            savedInvStd.setAtIndex(JAVA_FLOAT_UNALIGNED, c, (float) invStd);
            blend(runningMean, c, mean, momentum);
            blend(runningVar, c, variance * m / (m - 1), momentum);
        });
    }

    /** Eval forward: {@code y = (x − runningMean)/sqrt(runningVar + eps)·w + b}. */
    static void inference(Layout l, MemorySegment x, MemorySegment w, MemorySegment b, MemorySegment runningMean, MemorySegment runningVar,
                          double eps, MemorySegment y) {
        ForkJoinParts.forEach(l.channels(), c -> {
            double invStd = 1 / Math.sqrt(runningVar.getAtIndex(JAVA_FLOAT_UNALIGNED, c) + eps);
            normalize(l, c, x, y, runningMean.getAtIndex(JAVA_FLOAT_UNALIGNED, c), invStd, w.getAtIndex(JAVA_FLOAT_UNALIGNED, c),
                    b.getAtIndex(JAVA_FLOAT_UNALIGNED, c));
        });
    }

    /**
     * Backward with x̂ = (x − mean)·invStd: {@code db = Σdy}, {@code dw = Σdy·x̂},
     * {@code dx = w·invStd/m · (m·dy − db − x̂·dw)}.
     */
    static void backward(Layout l, MemorySegment x, MemorySegment dy, MemorySegment w, MemorySegment savedMean, MemorySegment savedInvStd,
                         MemorySegment dx, MemorySegment dw, MemorySegment db) {
        ForkJoinParts.forEach(l.channels(), c -> {
            double mean = savedMean.getAtIndex(JAVA_FLOAT_UNALIGNED, c);
            double invStd = savedInvStd.getAtIndex(JAVA_FLOAT_UNALIGNED, c);
            double sumDy = 0, sumDyXhat = 0;
            for (int n = 0; n < l.batch(); n++) {
                long start = l.start(n, c);
                sumDy += planeSum(dy, start, l.plane());
                sumDyXhat += planeDotDeviations(dy, x, start, l.plane(), mean) * invStd;
            }
            long m = l.count();
            double scale = w.getAtIndex(JAVA_FLOAT_UNALIGNED, c) * invStd / m;
            for (int n = 0; n < l.batch(); n++) {
                long start = l.start(n, c);
                for (int i = 0; i < l.plane(); i++) {
                    double xhat = (x.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i) - mean) * invStd;
                    double g = dy.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i);
                    dx.setAtIndex(JAVA_FLOAT_UNALIGNED, start + i, (float) (scale * (m * g - sumDy - xhat * sumDyXhat)));
                }
            }
            dw.setAtIndex(JAVA_FLOAT_UNALIGNED, c, (float) sumDyXhat);
            db.setAtIndex(JAVA_FLOAT_UNALIGNED, c, (float) sumDy);
        });
    }

    /*
     * Per-plane sums in four interleaved double accumulators, added at the end in a fixed order: the same result on
     * every run and thread count, and four independent additions in flight instead of one long chain (a double add
     * waits ~4 cycles for the previous one; one chain made batch norm the largest cost of a resnet-bn step).
     */

    /** Σ x over {@code count} values from {@code start}. */
    private static double planeSum(MemorySegment x, long start, int count) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < count; i += 4) {
            s0 += x.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i);
            s1 += x.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i + 1);
            s2 += x.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i + 2);
            s3 += x.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i + 3);
        }
        for (; i < count; i++) s0 += x.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i);
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ (x − mean)² over {@code count} values from {@code start}. */
    private static double planeSquaredDeviations(MemorySegment x, long start, int count, double mean) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < count; i += 4) {
            double d0 = x.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i) - mean, d1 = x.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i + 1) - mean;
            double d2 = x.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i + 2) - mean, d3 = x.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i + 3) - mean;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < count; i++) {
            double d = x.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i) - mean;
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ dy·(x − mean) over {@code count} values from {@code start}. */
    private static double planeDotDeviations(MemorySegment dy, MemorySegment x, long start, int count, double mean) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < count; i += 4) {
            s0 += dy.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i) * (x.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i) - mean);
            s1 += dy.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i + 1) * (x.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i + 1) - mean);
            s2 += dy.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i + 2) * (x.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i + 2) - mean);
            s3 += dy.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i + 3) * (x.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i + 3) - mean);
        }
        for (; i < count; i++) s0 += dy.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i) * (x.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i) - mean);
        return (s0 + s1) + (s2 + s3);
    }

    private static void normalize(Layout l, int c, MemorySegment x, MemorySegment y, double mean, double invStd, double w, double b) {
        for (int n = 0; n < l.batch(); n++) {
            long start = l.start(n, c);
            for (int i = 0; i < l.plane(); i++) {
                double xhat = (x.getAtIndex(JAVA_FLOAT_UNALIGNED, start + i) - mean) * invStd;
                y.setAtIndex(JAVA_FLOAT_UNALIGNED, start + i, (float) (xhat * w + b));
            }
        }
    }

    private static void blend(MemorySegment running, int c, double batch, double momentum) {
        double old = running.getAtIndex(JAVA_FLOAT_UNALIGNED, c);
        running.setAtIndex(JAVA_FLOAT_UNALIGNED, c, (float) ((1 - momentum) * old + momentum * batch));
    }
}
