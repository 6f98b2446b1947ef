package dev.isthmus.peer.libtorch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** One MNIST split (training or test) as raw pixels and labels, exactly as stored in the IDX files. */
record MnistSplit(byte[] pixels, byte[] labels, int count, int rows, int columns) {

    /** Loads {@code prefix}-images / {@code prefix}-labels ("train" or "t10k") from a folder. */
    static MnistSplit load(Path folder, String prefix) throws IOException {
        IdxFile images = IdxFile.read(find(folder, prefix + "-images", "idx3-ubyte"));
        IdxFile labels = IdxFile.read(find(folder, prefix + "-labels", "idx1-ubyte"));
        if (images.dimensions().length != 3 || labels.dimensions().length != 1
                || images.items() != labels.items()) {
            throw new IOException("MNIST " + prefix + " files in " + folder + " do not match (images "
                    + images + ", labels " + labels + "); fetch MNIST again.");
        }
        return new MnistSplit(images.data(), labels.data(), images.items(),
                images.dimensions()[1], images.dimensions()[2]);
    }

    int pixelsPerImage() {
        return rows * columns;
    }

    /** Accepts the usual spellings: train-images-idx3-ubyte, train-images.idx3-ubyte, either with .gz. */
    private static Path find(Path folder, String stem, String kind) throws IOException {
        List<String> names = List.of(stem + "-" + kind, stem + "." + kind, stem + "-" + kind + ".gz",
                stem + "." + kind + ".gz");
        for (String name : names) {
            Path candidate = folder.resolve(name);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IOException("MNIST file " + names.getFirst() + "[.gz] not found in " + folder
                + "; fetch it with native-scripts/peer-cpu-side-by-side.sh (or pass --data DIR).");
    }
}
