package dev.isthmus.cli;

import dev.isthmus.train.EpochMetrics;
import dev.isthmus.train.Trainer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Shows a progress bar per epoch (images/s and running loss) on an interactive terminal, and always
 * one summary line per epoch on standard output.
 */
final class ProgressReporter implements Trainer.Listener {
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean showBar;
    private ProgressBar bar;
    private double runningLoss = Double.NaN;

    ProgressReporter(PrintWriter out, PrintWriter err, boolean wanted) {
        this.out = out;
        this.err = err;
        this.showBar = wanted && System.console() != null && System.console().isTerminal();
    }

    @Override
    public void epochStarted(int epoch, int steps) {
        runningLoss = Double.NaN;
        if (showBar) {
            bar = new ProgressBarBuilder()
                    .setTaskName("epoch " + epoch)
                    .setInitialMax(steps)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250)
                    .setUnit(" batches", 1)
                    .showSpeed()
                    .setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS)
                    .setEtaFunction(state -> java.util.Optional.of(Duration.ZERO))
                    .hideEta()
                    .clearDisplayOnFinish()
                    .build();
        }
    }

    @Override
    public void graphsUnavailable(String reason) {
        err.println("note: " + reason + "; training goes on without CUDA graphs (recorded in metrics.json)");
    }

    @Override
    public void stepFinished(int epoch, long step, float loss, int batchSize) {
        // Exponential moving average, the "running loss" a user watches for trends.
        runningLoss = Double.isNaN(runningLoss) ? loss : 0.98 * runningLoss + 0.02 * loss;
        if (bar != null) {
            bar.step();
            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f", runningLoss));
        }
    }

    @Override
    public void epochFinished(EpochMetrics m) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        out.printf(Locale.ROOT, "epoch %d  train loss %.4f  test accuracy %.2f%%  %.1f s  %,.0f images/s%n",
                m.epoch(), m.trainLoss(), 100 * m.testAccuracy(), m.seconds(), m.imagesPerSecond());
        out.flush();
    }
}
