package dev.isthmus.cli;

import dev.isthmus.checkpoint.SafeTensors;
import dev.isthmus.nn.Models;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** train's {@code --dropout P}: its checks, and its record in the checkpoint so that {@code --resume} repeats it. */
final class DropoutOption {
    /** The checkpoint metadata entry holding p when it is not 0. */
    static final String METADATA_KEY = "dropout";

    @Option(names = "--dropout", defaultValue = "0", paramLabel = "P",
            description = "Dropout probability before the classifier, in [0, 1), for a model with dropout (resnet-bn); masks"
                    + " follow from --seed and the step; eval and predict never drop (default: ${DEFAULT-VALUE}).")
    double p;

    /**
     * The layer's setting, after the checks of {@link #validate}.
     *
     * @param seed the run's seed, which the masks are drawn from
     */
    Models.DropoutSetting setting(long seed) {
        return new Models.DropoutSetting(p, seed);
    }

    /** p in [0, 1), and above 0 only for a model with dropout; each a one-line error naming the option. */
    void validate(Models model) {
        setting(0);
        model.requireDropoutSupport(p);
    }

    /** {@code metadata} and p, when it is not 0. */
    Map<String, String> withMetadata(Map<String, String> metadata) {
        Map<String, String> all = new LinkedHashMap<>(metadata);
        if (p != 0) all.put(METADATA_KEY, Double.toString(p));
        return all;
    }

    /** Another p would draw other masks: the resumed run would not be the one the checkpoint began. */
    void requireSameAs(Path checkpoint) {
        double trained = Double.parseDouble(SafeTensors.read(checkpoint).metadata().getOrDefault(METADATA_KEY, "0"));
        if (trained != p) {
            throw new IllegalArgumentException(checkpoint + " was trained with --dropout " + trained + ", not " + p
                    + "; pass --dropout " + trained + " to continue that run");
        }
    }
}
