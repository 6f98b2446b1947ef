package dev.isthmus.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where the validation images of an image folder come from: a folder of their own, or a seeded share of --data. */
final class ValidationOptions {
    /** The share of an image folder held out when neither option is given. */
    static final double DEFAULT_SPLIT = 0.1;

    @Option(names = "--val", paramLabel = "DIR",
            description = "With an image folder as --data: the validation images, in the same class folders.")
    Path folder;

    @Option(names = "--val-split", paramLabel = "FRACTION",
            description = "With an image folder as --data: hold out this share of it for validation, chosen with --seed"
                    + " (train's default: " + DEFAULT_SPLIT + " when --val is not given).")
    Double split;

    void validate() {
        if (folder != null && split != null) {
            throw new IllegalArgumentException("--val and --val-split exclude each other: pass a validation folder or a share of --data, not both");
        }
        if (split != null && !(split > 0 && split < 1)) {
            throw new IllegalArgumentException("--val-split must be above 0 and below 1, got " + split);
        }
    }
}
