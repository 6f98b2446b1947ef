package dev.isthmus.cli;

import dev.isthmus.train.EpochMetrics;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** The training curves as one PNG: loss, test accuracy and learning rate per epoch, side by side. */
final class TrainingCharts {
    private TrainingCharts() {
    }

    static void write(Path png, String title, List<EpochMetrics> history) {
        System.setProperty("java.awt.headless", "true");
        List<XYChart> panels = panels(title, history);
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            // XChart appends the extension itself; write beside the target, then move into place atomically.
            Path temp = png.resolveSibling(png.getFileName() + ".tmp");
            BitmapEncoder.saveBitmap(panels, 1, panels.size(), temp.toString(), BitmapEncoder.BitmapFormat.PNG);
            Files.move(Path.of(temp + ".png"), png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }

    /** The three panels, left to right: training loss, test accuracy, and the learning rate each epoch trained with. */
    static List<XYChart> panels(String title, List<EpochMetrics> history) {
        double[] epochs = history.stream().mapToDouble(EpochMetrics::epoch).toArray();
        XYChart loss = chart(title + ": training loss", "loss");
        loss.addSeries("train loss", epochs, history.stream().mapToDouble(EpochMetrics::trainLoss).toArray());
        XYChart accuracy = chart(title + ": test accuracy", "accuracy (%)");
        accuracy.addSeries("test accuracy", epochs, history.stream().mapToDouble(m -> 100 * m.testAccuracy()).toArray());
        XYChart learningRate = chart(title + ": learning rate", "learning rate");
        learningRate.addSeries("learning rate", epochs, history.stream().mapToDouble(EpochMetrics::learningRate).toArray());
        // From 0, so a decay reads as one; the rates are floats, whose digits beyond the sixth are noise.
        learningRate.getStyler().setYAxisMin(0.0);
        learningRate.getStyler().setYAxisDecimalPattern("0.0#####");
        return List.of(loss, accuracy, learningRate);
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(640).height(420).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(6);
        chart.getStyler().setXAxisDecimalPattern("0");
        return chart;
    }
}
