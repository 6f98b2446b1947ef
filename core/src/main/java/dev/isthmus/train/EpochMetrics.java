package dev.isthmus.train;

/**
 * What one epoch achieved: mean training loss, test accuracy and speed.
 *
 * @param epoch           the epoch, from 1
 * @param trainLoss       mean loss over the epoch's batches
 * @param testAccuracy    fraction of the test set classified correctly after the epoch
 * @param seconds         wall time of the epoch's training (not the evaluation)
 * @param imagesPerSecond training images per second
 */
public record EpochMetrics(int epoch, double trainLoss, double testAccuracy, double seconds, double imagesPerSecond) {
}
