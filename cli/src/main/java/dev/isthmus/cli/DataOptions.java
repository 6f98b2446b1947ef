package dev.isthmus.cli;

import dev.isthmus.data.DataFile;
import dev.isthmus.data.Dataset;
import dev.isthmus.data.DatasetFetcher;
import dev.isthmus.data.DatasetKind;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/** Where the data set lives, shared by train, eval, compare and bench. */
final class DataOptions {
    @Option(names = "--dataset", defaultValue = "mnist", converter = KindConverter.class,
            description = "mnist or fashion-mnist (default: ${DEFAULT-VALUE}).")
    DatasetKind dataset = DatasetKind.MNIST;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Folder holding (or receiving) the four IDX files; default: ~/.cache/isthmus/<dataset>."
                    + " For train and eval also an image folder: DIR/<class name>/*.png|jpg|... (torchvision's ImageFolder layout).")
    Path folder;

    Path folder() {
        return folder != null ? folder : DatasetFetcher.defaultFolder(dataset);
    }

    /** Whether {@code --data} is an image folder (root/<class>/*.png): it holds sub-folders and none of the IDX files. */
    boolean isImageFolder() {
        if (folder == null || !Files.isDirectory(folder)) return false;
        if (Arrays.stream(DataFile.values()).anyMatch(file -> file.locate(folder) != null)) return false;
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.anyMatch(Files::isDirectory);
        } catch (IOException e) {
            return false; // Dataset.load reports the folder's problem with the usual message
        }
    }

    /** Loads the data set, fetching the files first when any is missing (progress lines go to {@code err}). */
    Dataset load(PrintWriter err) {
        if (isImageFolder()) {
            // Never fetch MNIST into someone's image folder.
            throw new IllegalArgumentException(folder + " is an image folder (class sub-folders, no IDX files); this command takes the IDX"
                    + " files of " + dataset.displayName() + " (image folders work with train, eval and predict)");
        }
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
