package dev.isthmus.train;

/**
 * What one epoch achieved: mean training loss, test accuracy, speed, the learning rate it trained with,
 * and how the steps ran on the device.
 *
 * @param epoch           the epoch, from 1
 * @param trainLoss       mean loss over the epoch's batches
 * @param testAccuracy    fraction of the test set classified correctly after the epoch
 * @param seconds         wall time of the epoch's training (not the evaluation)
 * @param imagesPerSecond training images per second
 * @param learningRate    the learning rate of the epoch's steps (0 in metrics files written before schedules existed)
 * @param cudaGraphs      "on", "off", or "capture failed: &lt;why&gt;" on CUDA; "off" elsewhere; null in files of older runs
 */
public record EpochMetrics(int epoch, double trainLoss, double testAccuracy, double seconds, double imagesPerSecond, double learningRate,
                           String cudaGraphs) {
}
