package dev.isthmus.peer.libtorch;

import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/** Everything the peer run measured, and its JSON form for the side-by-side script. */
record PeerResult(LibtorchRuntime runtime, PeerOptions options, int trainImages, int testImages,
                  List<EpochResult> epochs, double testAccuracy, OptionalLong peakResidentBytes) {

    EpochResult lastEpoch() {
        return epochs.getLast();
    }

    String toJson() {
        EpochResult last = lastEpoch();
        String epochList = epochs.stream()
                .map(e -> String.format(Locale.ROOT,
                        "{\"epoch\": %d, \"seconds\": %.3f, \"images_per_second\": %.1f, \"mean_train_loss\": %.6f,"
                                + " \"test_accuracy\": %.4f}",
                        e.epoch(), e.seconds(), e.imagesPerSecond(), e.meanTrainLoss(), e.testAccuracy()))
                .collect(Collectors.joining(",\n    ", "[\n    ", "\n  ]"));
        return String.format(Locale.ROOT, """
                {
                  "harness": "libtorch-cpu",
                  "libtorch_version": %s,
                  "javacpp_version": %s,
                  "threads": %d,
                  "onednn_available": %b,
                  "onednn_enabled": %b,
                  "onednn_note": %s,
                  "model": "lesson cnn: conv(1,10,5)-pool-relu, conv(10,20,5)-pool-relu, linear(320,10)",
                  "batch_size": %d,
                  "learning_rate": %s,
                  "momentum": %s,
                  "train_images": %d,
                  "test_images": %d,
                  "epoch_seconds": %.3f,
                  "images_per_second": %.1f,
                  "mean_train_loss": %.6f,
                  "test_accuracy": %.4f,
                  "peak_rss_bytes": %s,
                  "epochs": %s
                }
                """,
                quote(runtime.libtorchVersion()), quote(runtime.javacppVersion()), runtime.threads(),
                runtime.oneDnnAvailable(), runtime.oneDnnEnabled(),
                quote(runtime.oneDnnEnabled() ? "oneDNN kept on (--onednn)" : LibtorchRuntime.ONEDNN_NOTE),
                options.batchSize(), options.learningRate(), options.momentum(), trainImages, testImages,
                last.seconds(), last.imagesPerSecond(), last.meanTrainLoss(), testAccuracy,
                peakResidentBytes.isPresent() ? Long.toString(peakResidentBytes.getAsLong()) : "null",
                epochList);
    }

    private static String quote(String text) {
        StringBuilder json = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                default -> json.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return json.append('"').toString();
    }
}
