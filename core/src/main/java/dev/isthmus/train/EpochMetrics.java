package dev.isthmus.train;

/** What one epoch achieved: mean training loss, test accuracy and speed. */
public record EpochMetrics(int epoch, double trainLoss, double testAccuracy, double seconds, double imagesPerSecond) {
}
