package dev.isthmus.backend.cpu;

import dev.isthmus.bindings.dnnl.Dnnl;
import dev.isthmus.bindings.dnnl.dnnl_version_t;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Finds and loads oneDNN ({@code libdnnl.so.2}) once per JVM and says why when it cannot.
 * <p>
 * The bindings were generated from oneDNN 2.6's headers; oneDNN 3 changed the memory-descriptor API, so only
 * major version 2 is accepted. Search order: {@code ISTHMUS_DNNL_PATH} (a file), then the Debian/Ubuntu and
 * other usual library folders. On Debian: {@code apt-get install libdnnl2}.
 */
public final class DnnlLibrary {
    /** The one-line remedy every "not found" diagnosis ends with. */
    public static final String INSTALL_HINT = "install oneDNN 2 (Debian/Ubuntu: apt-get install libdnnl2) or set ISTHMUS_DNNL_PATH to libdnnl.so.2";

    private static final List<String> FOLDERS = List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib");
    private static final String FILE = "libdnnl.so.2";

    /**
     * What loading found: the library's path and version, or why it is not usable.
     *
     * @param path           the library file loaded, if found
     * @param version        its version as oneDNN reports it (empty when not loaded)
     * @param unusableReason why the cpu backend cannot use it, or empty when it can
     */
    public record Status(Optional<Path> path, String version, Optional<String> unusableReason) {
        /**
         * Whether the cpu backend can use the library.
         *
         * @return true when nothing stands in the way
         */
        public boolean usable() {
            return unusableReason.isEmpty();
        }
    }

    private static Status status;

    private DnnlLibrary() {
    }

    /**
     * Loads libdnnl on first call; later calls return the same answer.
     *
     * @return what loading found
     */
    public static synchronized Status load() {
        if (status == null) {
            status = tryLoad();
        }
        return status;
    }

    private static Status tryLoad() {
        return tryLoad(System.getenv("ISTHMUS_DNNL_PATH"), FOLDERS);
    }

    /** The search with its inputs explicit: the override (or null) and the folders to look in. */
    static Status tryLoad(String override, List<String> folders) {
        List<Path> candidates = new ArrayList<>();
        if (override != null && !override.isBlank()) {
            Path path = Path.of(override);
            if (!Files.isRegularFile(path)) {
                return unusable(null, "ISTHMUS_DNNL_PATH=" + override + " is not a file; point it at libdnnl.so.2 or unset it");
            }
            candidates.add(path);
        } else {
            folders.stream().map(folder -> Path.of(folder, FILE)).filter(Files::isRegularFile).forEach(candidates::add);
        }
        if (candidates.isEmpty()) {
            return unusable(null, FILE + " not found in " + String.join(", ", folders) + "; " + INSTALL_HINT);
        }
        Path path = candidates.getFirst().toAbsolutePath();
        try {
            singleThreadedOpenMp();
            System.load(path.toString());
        } catch (UnsatisfiedLinkError e) {
            return unusable(path, path + " could not be loaded (" + e.getMessage() + "); " + INSTALL_HINT);
        }
        var v = Dnnl.dnnl_version().reinterpret(dnnl_version_t.sizeof());
        String version = dnnl_version_t.major(v) + "." + dnnl_version_t.minor(v) + "." + dnnl_version_t.patch(v);
        if (dnnl_version_t.major(v) != 2) {
            return new Status(Optional.of(path), version, Optional.of("oneDNN " + version + " at " + path
                    + " is not major version 2, which Isthmus's bindings were generated for; " + INSTALL_HINT));
        }
        return new Status(Optional.of(path), version, Optional.empty());
    }

    /**
     * Debian's oneDNN uses OpenMP, whose runtime reads OMP_NUM_THREADS once, when it loads (with libdnnl). Isthmus
     * makes its own parallel decision per op (a batch split on the ForkJoin pool), so OpenMP gets one thread: no
     * oversubscription, and no OpenMP barrier waiting for a thread the OS has descheduled on a busy machine.
     */
    private static void singleThreadedOpenMp() {
        Linker linker = Linker.nativeLinker();
        MethodHandle setenv = linker.downcallHandle(linker.defaultLookup().findOrThrow("setenv"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            int status = (int) setenv.invokeExact(arena.allocateFrom("OMP_NUM_THREADS"), arena.allocateFrom("1"), 1);
            if (status != 0) {
                throw new IllegalStateException("setenv(OMP_NUM_THREADS) failed");
            }
        } catch (Throwable e) {
            throw new IllegalStateException("could not set OMP_NUM_THREADS=1 for oneDNN: " + e.getMessage(), e);
        }
    }

    private static Status unusable(Path path, String reason) {
        return new Status(Optional.ofNullable(path), "", Optional.of(reason));
    }
}
