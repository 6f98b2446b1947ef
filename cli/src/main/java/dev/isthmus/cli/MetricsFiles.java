package dev.isthmus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.isthmus.IsthmusException;
import dev.isthmus.train.EpochMetrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Per-epoch metrics as CSV (spreadsheets) and JSON (scripts), next to the checkpoint. */
final class MetricsFiles {
    static final String CSV = "metrics.csv";
    static final String JSON = "metrics.json";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private MetricsFiles() {
    }

    static void write(Path folder, List<EpochMetrics> history) {
        StringBuilder csv = new StringBuilder("epoch,train_loss,test_accuracy,seconds,images_per_second,learning_rate\n");
        for (EpochMetrics m : history) {
            csv.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.3f,%.1f,%s%n", m.epoch(), m.trainLoss(), m.testAccuracy(), m.seconds(), m.imagesPerSecond(),
                    (float) m.learningRate()));
        }
        try {
            writeAtomically(folder.resolve(CSV), csv.toString().getBytes());
            writeAtomically(folder.resolve(JSON), MAPPER.writeValueAsBytes(history));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics to " + folder + ": " + e.getMessage(), e);
        }
    }

    /** Metrics of the epochs already done by a run being resumed (missing file: none). */
    static List<EpochMetrics> readIfPresent(Path json, int epochsDone) {
        if (!Files.isRegularFile(json)) return List.of();
        try {
            return Arrays.stream(MAPPER.readValue(json.toFile(), EpochMetrics[].class)).filter(m -> m.epoch() <= epochsDone).toList();
        } catch (IOException e) {
            throw new IsthmusException(IsthmusException.EXIT_BAD_INPUT, json + " is not a metrics file written by isthmus (" + e.getMessage().lines().findFirst().orElse("")
                    + "); move it away or choose another --out");
        }
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(temp, bytes);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
