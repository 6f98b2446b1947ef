package dev.isthmus.cli;

import dev.isthmus.compare.ComparisonReport;
import dev.isthmus.compare.LayerSummary;
import dev.isthmus.compare.Numbers;
import dev.isthmus.compare.StepReport;
import dev.isthmus.compare.TensorDiff;
import dev.isthmus.compare.Tolerances;

import java.io.PrintWriter;
import java.util.Locale;

/** {@code compare}'s plain-text report: the header, one row per step, the per-tensor summary and the single-op table. */
final class CompareTable {

    private static final String ROW = "%5s  %14s  %14s  %-40s %9s %9s %9s  %s%n";
    private static final String SUMMARY_ROW = "%-40s %-16s %9s %9s %9s %5s  %s%n";

    private CompareTable() {
    }

    /** The model comparison's header: {@code description} (what runs against what), the tolerance rule and the column names. */
    static void printModelHeader(String description, Tolerances tolerances, PrintWriter out) {
        out.println(description);
        printTolerances(tolerances, out);
        out.printf(Locale.ROOT, ROW, "step", "loss a", "loss b", "worst tensor", "max abs", "max rel", "tol used", "result");
    }

    private static void printTolerances(Tolerances tolerances, PrintWriter out) {
        if (tolerances.isExact()) {
            out.println("tolerance: exact (bit-identical values required)");
        } else {
            out.println("tolerance: |a-b| <= (atol*rms(a) + rtol*|a|) * sqrt(terms); base atol:rtol " + tolerances);
        }
    }

    static void printStepRow(StepReport step, PrintWriter out) {
        TensorDiff worst = step.worst().orElse(null); // none when every value is equal
        out.printf(Locale.ROOT, ROW, step.step(), loss(step.lossA()), loss(step.lossB()),
                worst == null ? "(all equal)" : worst.label(), worst == null ? "0" : Numbers.format(worst.maxAbs()),
                worst == null ? "0" : Numbers.format(worst.maxRel()), worst == null ? "0" : Numbers.format(worst.worstRatio()),
                step.passed() ? "OK" : "FAIL " + step.firstFailure().map(TensorDiff::label).orElse(""));
    }

    private static String loss(float value) {
        return Float.isNaN(value) ? "NaN" : String.format(Locale.ROOT, "%.8f", value);
    }

    static void printLayerSummary(ComparisonReport report, PrintWriter out) {
        out.println();
        out.println("per tensor, worst over " + report.steps().size() + " step" + (report.steps().size() == 1 ? "" : "s") + ":");
        out.printf(Locale.ROOT, SUMMARY_ROW, "tensor", "kind", "max abs", "max rel", "tol used", "step", "result");
        for (LayerSummary summary : report.layerSummary()) {
            out.printf(Locale.ROOT, SUMMARY_ROW, summary.tensor(), summary.kind().id(), Numbers.format(summary.maxAbs()),
                    Numbers.format(summary.maxRel()), Numbers.format(summary.worstRatio()), summary.worstStep(), summary.passed() ? "OK" : "FAIL");
        }
        report.notes().forEach(note -> out.println("note: " + note));
    }

    static void printOpTable(ComparisonReport report, PrintWriter out) {
        StringBuilder setup = new StringBuilder();
        report.setup().forEach((key, value) -> {
            if (!key.equals("op")) setup.append(setup.isEmpty() ? "" : ", ").append(key).append(' ').append(value);
        });
        out.printf(Locale.ROOT, "compare %s: a = %s, b = %s; %s%n", report.subject(), report.backendA(), report.backendB(), setup);
        printTolerances(report.tolerances(), out);
        String row = "%-12s %-16s %8s %9s %9s %9s  %-16s %-14s %-14s %s%n";
        out.printf(Locale.ROOT, row, "tensor", "kind", "terms", "max abs", "max rel", "tol used", "worst at", "a", "b", "result");
        for (TensorDiff diff : report.steps().getFirst().tensors()) {
            boolean equal = diff.maxAbs() == 0 && diff.passed(); // no element worse than another
            out.printf(Locale.ROOT, row, diff.tensor(), diff.kind().id(), diff.terms(), Numbers.format(diff.maxAbs()),
                    Numbers.format(diff.maxRel()), Numbers.format(diff.worstRatio()), equal ? "-" : diff.index(diff.worstIndex()),
                    equal ? "-" : Numbers.value(diff.worstA()), equal ? "-" : Numbers.value(diff.worstB()), diff.passed() ? "OK" : "FAIL");
        }
    }
}
