package dev.isthmus.cli;

import dev.isthmus.compare.ComparisonReport;
import dev.isthmus.compare.StepReport;
import dev.isthmus.compare.TensorDiff;
import dev.isthmus.compare.TensorKind;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code isthmus compare --chart}: the largest |a - b| per step of every tensor, one panel per kind
 * (layer outputs with the loss, activation gradients, parameter gradients, parameters), log scale.
 * Zero errors have no place on a log axis and are left out of the line; a panel where every error
 * is zero says so and draws them on a linear axis.
 */
final class CompareChart {
    private static final List<List<TensorKind>> PANELS = List.of(
            List.of(TensorKind.ACTIVATION, TensorKind.LOSS), List.of(TensorKind.ACTIVATION_GRAD),
            List.of(TensorKind.PARAM_GRAD), List.of(TensorKind.PARAM));
    private static final List<String> TITLES = List.of("layer outputs and loss", "activation gradients",
            "parameter gradients", "parameters after the update");

    private CompareChart() {
    }

    static void write(Path png, ComparisonReport report) {
        System.setProperty("java.awt.headless", "true");
        List<XYChart> charts = new ArrayList<>();
        for (int i = 0; i < PANELS.size(); i++) {
            charts.add(panel(report, PANELS.get(i), TITLES.get(i)));
        }
        try {
            Path parent = png.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            // XChart appends the extension itself; write beside the target, then move into place.
            Path temp = png.resolveSibling(png.getFileName() + ".tmp");
            BitmapEncoder.saveBitmap(charts, 2, 2, temp.toString(), BitmapEncoder.BitmapFormat.PNG);
            Files.move(Path.of(temp + ".png"), png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }

    private static XYChart panel(ComparisonReport report, List<TensorKind> kinds, String title) {
        Map<String, double[]> series = new LinkedHashMap<>();
        int steps = report.steps().size();
        for (int s = 0; s < steps; s++) {
            StepReport step = report.steps().get(s);
            for (TensorDiff diff : step.tensors()) {
                if (!kinds.contains(diff.kind())) continue;
                double[] values = series.computeIfAbsent(diff.tensor(), name -> nanArray(steps));
                values[s] = diff.maxAbs();
            }
        }
        boolean anyPositive = series.values().stream().flatMapToDouble(java.util.Arrays::stream)
                .anyMatch(v -> v > 0 && Double.isFinite(v));
        String subject = report.subject() + ", " + report.backendA() + " vs " + report.backendB();
        XYChart chart = new XYChartBuilder().width(900).height(560)
                .title(title + (series.isEmpty() ? " (none in this run)" : anyPositive ? "" : " (all exact: error 0)") + ": " + subject)
                .xAxisTitle("step").yAxisTitle("max |a - b|").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendFont(chart.getStyler().getLegendFont().deriveFont(10f));
        chart.getStyler().setMarkerSize(5);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setYAxisLogarithmic(anyPositive);
        double[] stepNumbers = new double[steps];
        for (int s = 0; s < steps; s++) stepNumbers[s] = report.steps().get(s).step();
        if (series.isEmpty()) {
            chart.addSeries("(none)", stepNumbers, new double[steps]);
            return chart;
        }
        series.forEach((name, values) -> {
            double[] plotted = values.clone();
            for (int s = 0; s < plotted.length; s++) {
                boolean drawable = Double.isFinite(plotted[s]) && (plotted[s] > 0 || !anyPositive);
                if (!drawable) plotted[s] = Double.NaN;
            }
            chart.addSeries(name, stepNumbers, plotted);
        });
        return chart;
    }

    private static double[] nanArray(int length) {
        double[] values = new double[length];
        java.util.Arrays.fill(values, Double.NaN);
        return values;
    }
}
