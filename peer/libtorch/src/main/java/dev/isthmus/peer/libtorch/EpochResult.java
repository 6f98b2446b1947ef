package dev.isthmus.peer.libtorch;

/** One training epoch: wall-clock seconds of the training loop only, its throughput and mean batch loss. */
record EpochResult(int epoch, double seconds, double imagesPerSecond, double meanTrainLoss) {
}
