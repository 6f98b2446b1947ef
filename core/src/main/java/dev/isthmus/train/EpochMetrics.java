package dev.isthmus.train;

/**
 * What one epoch achieved: mean training loss, test accuracy, speed, and the learning rate it trained with
 * (0 in metrics files written before schedules existed).
 */
public record EpochMetrics(int epoch, double trainLoss, double testAccuracy, double seconds, double imagesPerSecond, double learningRate) {
}
