package dev.isthmus.image;

import dev.isthmus.data.DatasetException;
import dev.isthmus.data.IoProblems;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** Reads image files with ImageIO (PNG, JPEG, GIF, BMP; PGM/PPM through the TwelveMonkeys plugin). */
public final class ImageFiles {
    /** File-name extensions taken as images when a folder is listed, lower case. */
    public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "gif", "bmp", "pgm", "ppm", "pnm");

    /**
     * The files found in a folder.
     *
     * @param images  files with an image extension, sorted by path
     * @param skipped how many other files there were
     */
    public record Listing(List<Path> images, int skipped) {
    }

    private ImageFiles() {
    }

    /**
     * The image files under {@code folder}, searched recursively, sorted by path.
     *
     * @param folder the folder to search
     * @return the image files and the count of other files
     * @throws DatasetException naming the folder when it cannot be listed
     */
    public static Listing list(Path folder) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            IOException cause = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : (IOException) e;
            throw new DatasetException(folder + ": cannot list the folder (" + IoProblems.describe(cause) + ")", e);
        }
        List<Path> images = files.stream().filter(ImageFiles::hasImageExtension).toList();
        return new Listing(images, files.size() - images.size());
    }

    /**
     * Whether a file is taken as an image when a folder is listed.
     *
     * @param file a file name or path
     * @return whether its name ends in one of {@link #EXTENSIONS}, in any case
     */
    public static boolean hasImageExtension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /**
     * Decodes {@code file}.
     *
     * @param file an image file
     * @return the decoded image
     * @throws DatasetException (exit code 2) naming the file when it cannot be read or no ImageIO reader knows its format
     */
    public static BufferedImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetException(file + ": " + (Files.exists(file) ? "is not a regular file" : "no such file")
                    + "; pass an image file (PNG, JPEG, GIF, BMP or PGM) or a folder of them");
        }
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            // ImageIO's decoders throw runtime exceptions too on damaged files.
            throw new DatasetException(file + ": cannot decode the image (" + IoProblems.describe(e instanceof IOException io ? io : new IOException(e))
                    + "); replace the file or remove it", e);
        }
        if (image == null) {
            throw new DatasetException(file + ": not an image in a format ImageIO can read (PNG, JPEG, GIF, BMP or PGM); convert it or remove it");
        }
        return image;
    }
}
