package dev.isthmus.image;

import dev.isthmus.data.DataFile;
import dev.isthmus.data.DatasetFetcher;
import dev.isthmus.data.DatasetKind;
import dev.isthmus.data.IdxImages;
import dev.isthmus.data.IdxLabels;
import dev.isthmus.data.IdxReader;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Writes image files and ImageFolder trees from grey pixels, e.g. MNIST's own test images (test helper, shared with cli). */
public final class ImageTrees {
    private ImageTrees() {
    }

    /** An 8-bit grey image holding {@code rows * columns} bytes of {@code pixels} from {@code offset}. */
    public static BufferedImage gray(int rows, int columns, byte[] pixels, int offset) {
        BufferedImage image = new BufferedImage(columns, rows, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < columns; x++) image.getRaster().setSample(x, y, 0, pixels[offset + y * columns + x] & 0xFF);
        }
        return image;
    }

    /** Writes {@code image} in {@code format} (an ImageIO writer name, or "pgm": binary P5 written here) and returns the file. */
    public static Path write(BufferedImage image, String format, Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (format.equals("pgm")) {
                byte[] header = ("P5\n" + image.getWidth() + " " + image.getHeight() + "\n255\n").getBytes(StandardCharsets.US_ASCII);
                byte[] body = new byte[image.getWidth() * image.getHeight()];
                image.getRaster().getDataElements(0, 0, image.getWidth(), image.getHeight(), body);
                byte[] all = new byte[header.length + body.length];
                System.arraycopy(header, 0, all, 0, header.length);
                System.arraycopy(body, 0, all, header.length, body.length);
                Files.write(file, all);
            } else if (!ImageIO.write(image, format, file.toFile())) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** MNIST's test images and labels from the cache folder; the test is skipped, saying why, when they are absent. */
    public static IdxImages mnistTestImages() {
        Path folder = DatasetFetcher.defaultFolder(DatasetKind.MNIST);
        boolean present = DatasetFetcher.verify(DatasetKind.MNIST, folder).stream()
                .filter(check -> check.file() == DataFile.TEST_IMAGES || check.file() == DataFile.TEST_LABELS)
                .allMatch(check -> check.status() == DatasetFetcher.Status.OK);
        if (!present) System.out.println("skipping: MNIST's test set is not in " + folder + " (fetch it with `isthmus data fetch`)");
        assumeTrue(present, "MNIST's test set is not in " + folder);
        return IdxReader.readImages(DataFile.TEST_IMAGES.locate(folder), "");
    }

    /** MNIST's test labels (call after {@link #mnistTestImages()}, which skips when they are absent). */
    public static IdxLabels mnistTestLabels() {
        return IdxReader.readLabels(DataFile.TEST_LABELS.locate(DatasetFetcher.defaultFolder(DatasetKind.MNIST)), 10, "");
    }

    /**
     * Writes an ImageFolder tree {@code root/<digit>/<index>.png} holding the first {@code perClass} images of each class
     * among {@code images}, and returns the root.
     */
    public static Path writeTree(Path root, IdxImages images, IdxLabels labels, int perClass) {
        int[] written = new int[10];
        for (int i = 0; i < images.count(); i++) {
            int label = labels.labels()[i];
            if (written[label] == perClass) continue;
            written[label]++;
            write(gray(images.rows(), images.columns(), images.pixels(), i * images.pixelsPerImage()), "png",
                    root.resolve(Integer.toString(label)).resolve(String.format("%05d.png", i)));
        }
        return root;
    }
}
