package dev.isthmus.backend.cuda.nativelib;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** For {@link SearchConfig#from}: collects locations in order, keeping the first occurrence of each folder. */
final class LocationBuilder {
    private final Map<Path, SearchLocation> byFolder = new LinkedHashMap<>();
    final List<Path> scanned = new ArrayList<>();
    final List<LibrarySet> sets = new ArrayList<>();

    void add(Path folder, String source) {
        add(folder, source, false);
    }

    void add(Path folder, String source, boolean override) {
        Path normalized = folder.toAbsolutePath().normalize();
        // Symbolic links (lib64 -> lib, cuda -> cuda-13.0) would list one folder several times.
        Path identity = normalized;
        try {
            identity = normalized.toRealPath();
        } catch (IOException | SecurityException e) {
            // Missing folders are still listed: a setting that names one is worth reporting.
        }
        byFolder.putIfAbsent(identity, new SearchLocation(normalized, source, override));
    }

    void addIfExists(Path folder, String source) {
        if (Files.isDirectory(folder)) {
            add(folder, source);
        }
    }

    void addPathList(String list, String source, boolean override) {
        if (list == null) {
            return;
        }
        for (String entry : list.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                add(Path.of(entry.strip()), source, override);
            }
        }
    }

    List<SearchLocation> locations() {
        return List.copyOf(byFolder.values());
    }
}
