package dev.isthmus.cli;

import dev.isthmus.data.DatasetException;
import dev.isthmus.image.ImageFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The image files named on predict's command line: files as given, folders searched recursively for
 * files with an image extension (sorted by path; other files skipped and counted).
 *
 * @param images   the files to classify, in order
 * @param problems one line per argument that yields nothing (missing, unlistable, no image in a folder)
 * @param skipped  one note per folder that held files without an image extension
 */
record ImageInputs(List<Path> images, List<String> problems, List<String> skipped) {

    static ImageInputs expand(List<Path> arguments) {
        List<Path> images = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Path argument : arguments) {
            if (!Files.isDirectory(argument)) {
                images.add(argument); // ImageFiles.read names what is wrong with it
                continue;
            }
            ImageFiles.Listing listing;
            try {
                listing = ImageFiles.list(argument);
            } catch (DatasetException e) {
                problems.add(e.getMessage());
                continue;
            }
            if (listing.images().isEmpty()) {
                problems.add(argument + ": folder holds no image file (PNG, JPEG, GIF, BMP or PGM); pass image files or a folder of them");
            }
            if (listing.skipped() > 0) {
                skipped.add("skipped " + listing.skipped() + " file(s) in " + argument + " whose names do not end in an image extension");
            }
            images.addAll(listing.images());
        }
        return new ImageInputs(images, problems, skipped);
    }
}
