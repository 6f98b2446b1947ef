package dev.isthmus.peer.libtorch;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Command-line settings of the peer run. Defaults are the lesson's: one epoch, batch 64,
 * SGD lr 0.01 momentum 0.5, all cores, oneDNN off.
 */
record PeerOptions(Path data, int epochs, int batchSize, double learningRate, double momentum, int threads,
                   long seed, boolean oneDnn, Optional<Path> json) {

    static final String USAGE = """
            Usage: PeerMain --data DIR [--epochs N] [--batch-size N] [--lr X] [--momentum X]
                            [--threads N] [--seed N] [--onednn] [--json FILE]
              --data DIR      folder with the MNIST IDX files (raw or .gz)
              --epochs N      epochs to train (default 1)
              --batch-size N  images per step (default 64)
              --lr X          SGD learning rate (default 0.01)
              --momentum X    SGD momentum (default 0.5)
              --threads N     libtorch intra-op threads (default: the machine's cores)
              --seed N        seed for initialisation and shuffling (default 1)
              --onednn        keep libtorch's oneDNN (mkldnn) kernels on; off by default because its
                              convolution backward gives NaN losses on Zen 5 CPUs
              --json FILE     also write the results as JSON to FILE""";

    static PeerOptions parse(String[] args) {
        Path data = null;
        int epochs = 1;
        int batchSize = 64;
        double learningRate = 0.01;
        double momentum = 0.5;
        int threads = Runtime.getRuntime().availableProcessors();
        long seed = 1;
        boolean oneDnn = false;
        Path json = null;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--onednn" -> oneDnn = true;
                case "--help", "-h" -> throw new UsageException(null);
                default -> {
                    if (i + 1 >= args.length) {
                        throw new UsageException("option " + option + " is unknown or lacks its value");
                    }
                    String value = args[++i];
                    switch (option) {
                        case "--data" -> data = Path.of(value);
                        case "--epochs" -> epochs = positiveInt(option, value);
                        case "--batch-size" -> batchSize = positiveInt(option, value);
                        case "--lr" -> learningRate = number(option, value);
                        case "--momentum" -> momentum = number(option, value);
                        case "--threads" -> threads = positiveInt(option, value);
                        case "--seed" -> seed = (long) number(option, value);
                        case "--json" -> json = Path.of(value);
                        default -> throw new UsageException("unknown option " + option);
                    }
                }
            }
        }
        if (data == null) {
            throw new UsageException("--data DIR is required (the folder with the MNIST IDX files)");
        }
        return new PeerOptions(data, epochs, batchSize, learningRate, momentum, threads, seed, oneDnn,
                Optional.ofNullable(json));
    }

    private static int positiveInt(String option, String value) {
        double number = number(option, value);
        if (number < 1 || number != Math.rint(number) || number > Integer.MAX_VALUE) {
            throw new UsageException(option + " needs a positive whole number, got '" + value + "'");
        }
        return (int) number;
    }

    private static double number(String option, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs a number, got '" + value + "'");
        }
    }

    /** A bad command line: the message says what is wrong; null means "just show the usage". */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
