package dev.isthmus.cli;

import dev.isthmus.data.IoProblems;
import dev.isthmus.image.ImageFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

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
            List<Path> files;
            try (Stream<Path> walk = Files.walk(argument)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            } catch (IOException e) {
                problems.add(argument + ": cannot list the folder (" + IoProblems.describe(e) + ")");
                continue;
            }
            List<Path> found = files.stream().filter(ImageFiles::hasImageExtension).toList();
            if (found.isEmpty()) {
                problems.add(argument + ": folder holds no image file (PNG, JPEG, GIF, BMP or PGM); pass image files or a folder of them");
            }
            if (found.size() < files.size()) {
                skipped.add("skipped " + (files.size() - found.size()) + " file(s) in " + argument + " whose names do not end in an image extension");
            }
            images.addAll(found);
        }
        return new ImageInputs(images, problems, skipped);
    }
}
