package dev.isthmus.cli;

import dev.isthmus.data.Dataset;
import dev.isthmus.data.DatasetFetcher;
import dev.isthmus.data.DatasetKind;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

/** Where the data set lives, shared by train, eval, compare and bench. */
final class DataOptions {
    @Option(names = "--dataset", defaultValue = "mnist", converter = KindConverter.class,
            description = "mnist or fashion-mnist (default: ${DEFAULT-VALUE}).")
    DatasetKind dataset = DatasetKind.MNIST;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Folder holding (or receiving) the four IDX files; default: ~/.cache/isthmus/<dataset>.")
    Path folder;

    Path folder() {
        return folder != null ? folder : DatasetFetcher.defaultFolder(dataset);
    }

    /** Loads the data set, fetching the files first when any is missing (progress lines go to {@code err}). */
    Dataset load(PrintWriter err) {
        Path target = folder();
        boolean missing = DatasetFetcher.verify(dataset, target).stream()
                .anyMatch(check -> check.status() == DatasetFetcher.Status.MISSING);
        if (missing) {
            err.println(dataset.displayName() + " is not in " + target + "; fetching it...");
            new DatasetFetcher(dataset, target, DatasetFetcher.defaultSources(dataset, null), line -> err.println("  " + line)).fetch();
        }
        return Dataset.load(dataset, target);
    }

    static final class KindConverter implements ITypeConverter<DatasetKind> {
        @Override
        public DatasetKind convert(String value) {
            for (DatasetKind kind : DatasetKind.values()) {
                if (kind.id().equals(value)) return kind;
            }
            throw new picocli.CommandLine.TypeConversionException("unknown dataset '" + value + "'; choose mnist or fashion-mnist");
        }
    }
}
