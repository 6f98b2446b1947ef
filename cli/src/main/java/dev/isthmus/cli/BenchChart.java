package dev.isthmus.cli;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** {@code isthmus bench --chart}: images/s and ms per step of each backend, as two bar charts in one PNG. */
final class BenchChart {
    private BenchChart() {
    }

    static void write(Path png, BenchCommand.Report report) {
        System.setProperty("java.awt.headless", "true");
        List<String> backends = report.results().stream().map(BenchCommand.Result::backend).toList();
        String subject = report.model() + ", batch " + report.batchSize();

        CategoryChart throughput = chart("Training throughput: " + subject, "images/s", "#,##0");
        throughput.getStyler().setLegendVisible(false);
        throughput.addSeries("images/s", backends, report.results().stream().map(r -> (Number) r.imagesPerSecond()).toList());

        CategoryChart latency = chart("Time per step: " + subject, "ms per step", "#,##0.#");
        latency.addSeries("mean", backends, report.results().stream().map(r -> (Number) r.msPerStepMean()).toList());
        latency.addSeries("p50", backends, report.results().stream().map(r -> (Number) r.msPerStepP50()).toList());
        latency.addSeries("p90", backends, report.results().stream().map(r -> (Number) r.msPerStepP90()).toList());

        try {
            Path parent = png.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            // XChart appends the extension itself; write beside the target, then move into place.
            Path temp = png.resolveSibling(png.getFileName() + ".tmp");
            BitmapEncoder.saveBitmap(List.of(throughput, latency), 1, 2, temp.toString(), BitmapEncoder.BitmapFormat.PNG);
            Files.move(Path.of(temp + ".png"), png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }

    private static CategoryChart chart(String title, String yTitle, String numberPattern) {
        CategoryChart chart = new CategoryChartBuilder().width(640).height(420).title(title)
                .xAxisTitle("backend").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisDecimalPattern(numberPattern);
        // The value on each bar: backends differ by orders of magnitude, so the axis alone is hard to read.
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setDecimalPattern(numberPattern);
        return chart;
    }
}
