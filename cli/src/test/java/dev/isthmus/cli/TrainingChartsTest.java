package dev.isthmus.cli;

import dev.isthmus.train.EpochMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** curves.png shows each epoch's learning rate beside its loss and accuracy, as metrics.json records it. */
class TrainingChartsTest {
    /** A warm-up then cosine decay: the rates a schedule gives, one per epoch. */
    private static final List<EpochMetrics> HISTORY = List.of(
            new EpochMetrics(1, 0.9, 0.80, 10, 6000, 0.025, "off"),
            new EpochMetrics(2, 0.5, 0.88, 10, 6000, 0.05, "off"),
            new EpochMetrics(3, 0.4, 0.90, 10, 6000, 0.025, "off"));

    @Test
    void theThirdPanelPlotsEachEpochsLearningRate() {
        List<XYChart> panels = TrainingCharts.panels("resnet-bn", HISTORY);

        assertEquals(3, panels.size());
        XYChart learningRate = panels.get(2);
        assertEquals("resnet-bn: learning rate", learningRate.getTitle());
        var series = learningRate.getSeriesMap().get("learning rate");
        assertNotNull(series, "series: " + learningRate.getSeriesMap().keySet());
        assertArrayEquals(new double[] {1, 2, 3}, series.getXData());
        assertArrayEquals(new double[] {0.025, 0.05, 0.025}, series.getYData());
    }

    @Test
    void thePngHoldsThreePanelsSideBySide(@TempDir Path folder) throws Exception {
        Path png = folder.resolve("curves.png");
        TrainingCharts.write(png, "cnn", HISTORY);

        BufferedImage image = ImageIO.read(png.toFile());
        List<XYChart> panels = TrainingCharts.panels("cnn", HISTORY);
        assertEquals(3 * panels.getFirst().getWidth(), image.getWidth(), "three panels wide");
        assertEquals(panels.getFirst().getHeight(), image.getHeight());
    }
}
