package dev.isthmus.train;

/**
 * What one epoch achieved: mean training loss, test accuracy and speed, and how the steps ran on the
 * device ({@code cudaGraphs}: "on", "off", or "capture failed: <why>"; null in files of older runs).
 */
public record EpochMetrics(int epoch, double trainLoss, double testAccuracy, double seconds, double imagesPerSecond, String cudaGraphs) {
}
