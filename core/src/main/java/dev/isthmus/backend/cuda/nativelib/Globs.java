package dev.isthmus.backend.cuda.nativelib;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Wildcard expansion over existing folders, newest-looking names first (cuda-13.0 before cuda-12.6). */
final class Globs {
    private Globs() {
    }

    static List<Path> expand(Path root, String pattern) {
        List<Path> current = List.of(root);
        for (String segment : pattern.split("/")) {
            List<Path> next = new ArrayList<>();
            for (Path folder : current) {
                if (!segment.contains("*")) {
                    Path child = folder.resolve(segment);
                    if (Files.isDirectory(child)) {
                        next.add(child);
                    }
                    continue;
                }
                PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + segment);
                try (Stream<Path> children = Files.list(folder)) {
                    children.filter(child -> matcher.matches(child.getFileName()) && Files.isDirectory(child))
                            .sorted(Comparator.comparing((Path child) -> child.getFileName().toString()).reversed())
                            .forEach(next::add);
                } catch (IOException | SecurityException e) {
                    // An unreadable or vanished folder holds nothing we can load.
                }
            }
            current = next;
        }
        return current;
    }
}
