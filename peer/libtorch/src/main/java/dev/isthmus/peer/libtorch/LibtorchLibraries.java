package dev.isthmus.peer.libtorch;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.Loader;

/**
 * Makes sure the process runs the libtorch of the JavaCPP jar and no other.
 *
 * <p>JavaCPP extracts each native library into its cache just before loading it, in the preset's order,
 * and that order loads {@code libtorch.so} before {@code libtorch_cpu.so} is extracted beside it. On a fresh
 * cache the dynamic linker then finds {@code libtorch.so}'s dependency {@code libtorch_cpu.so} not through
 * its {@code $ORIGIN} run path but in the system folders, where Debian's {@code libtorch-dev} (installed
 * with {@code python3-torch}) puts libtorch 1.13. Both builds' static initialisers then run in one process
 * and the JVM dies with SIGSEGV in {@code pthread_mutex_lock} inside {@code System.load}; only the first run
 * after the cache was emptied crashes, which hid it. Extracting the whole folder first puts every library's
 * neighbours in place before the first load.
 */
final class LibtorchLibraries {

    private static final String FOLDER = "/org/bytedeco/pytorch/" + Loader.getPlatform() + "/";
    /** File names of libtorch's own libraries in /proc/self/maps, with or without a version suffix. */
    private static final Pattern LIBTORCH_FILE = Pattern.compile("lib(torch|torch_cpu|c10)\\.so(\\.[0-9.]+)?");

    private LibtorchLibraries() {
    }

    /**
     * Extracts all of the jar's native libraries into JavaCPP's cache; call before the first libtorch class.
     *
     * @return the cache folder that holds them
     */
    static Path extract() {
        try {
            File[] folders = Loader.cacheResources(LibtorchLibraries.class, FOLDER);
            if (folders.length == 0 || !new File(folders[0], "libtorch_cpu.so").isFile()) {
                throw new IllegalStateException("the pytorch jar for " + Loader.getPlatform()
                        + " has no libtorch_cpu.so; is org.bytedeco:pytorch's " + Loader.getPlatform()
                        + " classifier on the class path?");
            }
            return folders[0].toPath();
        } catch (IOException e) {
            throw new IllegalStateException("cannot extract libtorch's native libraries into JavaCPP's cache ("
                    + e.getMessage() + "); check that the cache folder (~/.javacpp/cache or"
                    + " -Dorg.bytedeco.javacpp.cachedir) is writable", e);
        }
    }

    /**
     * Fails when a libtorch library from outside {@code cache} is mapped into this process: results from a
     * mix of two libtorch builds would be meaningless.
     */
    static void requireOnlyFrom(Path cache) {
        foreignLibraries(cache).ifPresent(foreign -> {
            throw new IllegalStateException("a second libtorch is loaded beside JavaCPP's (" + foreign
                    + "); remove its folder from LD_LIBRARY_PATH/LD_PRELOAD");
        });
    }

    private static Optional<String> foreignLibraries(Path cache) {
        List<String> maps;
        String cacheFolder;
        try {
            maps = Files.readAllLines(Path.of("/proc/self/maps"));
            cacheFolder = cache.toRealPath() + File.separator; // the maps name files by their real path
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty(); // not Linux: nothing to check against
        }
        Set<String> foreign = new TreeSet<>();
        for (String line : maps) {
            int slash = line.indexOf('/');
            if (slash < 0) {
                continue; // anonymous mapping
            }
            String path = line.substring(slash);
            if (LIBTORCH_FILE.matcher(Path.of(path).getFileName().toString()).matches()
                    && !path.startsWith(cacheFolder)) {
                foreign.add(path);
            }
        }
        return foreign.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", foreign));
    }
}
