package dev.isthmus.peer.libtorch;

/**
 * One training epoch: wall-clock seconds of the training loop only, its throughput, mean batch loss and the
 * test accuracy measured after it (outside the timed loop; NaN when the epoch stopped on a non-finite loss).
 */
record EpochResult(int epoch, double seconds, double imagesPerSecond, double meanTrainLoss, double testAccuracy) {
    EpochResult withTestAccuracy(double accuracy) {
        return new EpochResult(epoch, seconds, imagesPerSecond, meanTrainLoss, accuracy);
    }
}
