package dev.isthmus.backend.cuda.nativelib;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where to look for the CUDA libraries: an ordered list of folders and, per component, an optional
 * file the user named. Discovery ({@link LibrarySearch}) is a pure function of this value, so tests
 * build one by hand ({@link #onlyFolders}) instead of touching the process environment.
 *
 * <p>{@link #fromEnvironment()} lists, in this order:
 * <ol>
 *   <li>the folders of {@code -Disthmus.cuda.path} and {@code ISTHMUS_CUDA_PATH} (path-separated lists;
 *       searched first, and any supported version found there wins);</li>
 *   <li>{@code CUDA_HOME}, {@code CUDA_PATH}, {@code CUDNN_HOME}: their lib64, lib, lib/x64 and
 *       targets/&lt;arch&gt;-linux/lib;</li>
 *   <li>{@code LD_LIBRARY_PATH};</li>
 *   <li>the folders the dynamic linker's cache knows CUDA libraries in ({@code ldconfig -p});</li>
 *   <li>system folders: /usr/lib/&lt;arch&gt;-linux-gnu, /usr/lib64, /usr/lib, /usr/local/cuda/lib64,
 *       /usr/local/cuda-*&#47;lib64;</li>
 *   <li>Python installs (where PyTorch users have cuDNN and cuBLAS): nvidia/*&#47;lib and torch/lib in the
 *       site-packages of the {@code python3} on PATH (asked directly, so an environment that is on PATH
 *       without {@code VIRTUAL_ENV} counts), then of /usr/lib/python3*, /usr/local/lib/python3*,
 *       ~/.local/lib/python3*, {@code VIRTUAL_ENV}, pyenv versions and conda environments;</li>
 *   <li>conda environments: {@code CONDA_PREFIX}/lib, ~/miniconda3, ~/anaconda3, ~/miniforge3,
 *       /opt/conda and their envs/*.</li>
 * </ol>
 * Each Python environment and conda environment is also a {@link LibrarySet}: when no folder or file is
 * named by the user, {@link LibrarySearch} prefers the first set that holds all three libraries of one
 * CUDA major version over gathering them from several installations.
 *
 * @param locations     folders to search, in order, without duplicates
 * @param explicitFiles per component, the main library file named by {@code -Disthmus.<key>.library} or
 *                      {@code ISTHMUS_<KEY>_LIBRARY}; it replaces the search for that component
 * @param scanned       folders inspected only to find more locations (Python site-packages, conda
 *                      installs), listed so that a report can say they were considered
 * @param sets          installations whose libraries belong together, in order of preference
 */
public record SearchConfig(List<SearchLocation> locations,
                           Map<CudaComponent, ExplicitFile> explicitFiles,
                           List<Path> scanned,
                           List<LibrarySet> sets) {

    /** System property with a path-separated list of folders searched before all others. */
    public static final String PATH_PROPERTY = "isthmus.cuda.path";
    /** Environment variable with a path-separated list of folders searched before all others. */
    public static final String PATH_VARIABLE = "ISTHMUS_CUDA_PATH";

    /**
     * A library file named by the user, and the setting that named it.
     *
     * @param file   the file
     * @param source the setting, e.g. {@code ISTHMUS_CUDNN_LIBRARY}
     */
    public record ExplicitFile(Path file, String source) {
    }

    /**
     * Copies the lists and the map.
     */
    public SearchConfig {
        locations = List.copyOf(locations);
        explicitFiles = Map.copyOf(explicitFiles);
        scanned = List.copyOf(scanned);
        sets = List.copyOf(sets);
    }

    /**
     * A search without installation sets: every library is looked for over all locations.
     *
     * @param locations     folders to search, in order
     * @param explicitFiles per component, a file named by the user
     * @param scanned       folders inspected to find more locations
     */
    public SearchConfig(List<SearchLocation> locations, Map<CudaComponent, ExplicitFile> explicitFiles, List<Path> scanned) {
        this(locations, explicitFiles, scanned, List.of());
    }

    /** The same search limited to one set's folders. */
    SearchConfig within(LibrarySet set) {
        return new SearchConfig(locations.stream().filter(set::contains).toList(), explicitFiles, scanned, List.of());
    }

    /**
     * Searches only the given folders, as overrides, in order (for tests and tools).
     *
     * @param folders the folders
     * @return the configuration
     */
    public static SearchConfig onlyFolders(List<Path> folders) {
        return new SearchConfig(
                folders.stream().map(folder -> new SearchLocation(folder, "given folder", true)).toList(),
                Map.of(), List.of());
    }

    /**
     * The search this process would do: system properties, environment variables, well-known folders.
     *
     * @return the configuration
     */
    public static SearchConfig fromEnvironment() {
        return from(System.getenv(), System::getProperty, Path.of(System.getProperty("user.home")),
                LinkerCache.cudaFolders(), System.getProperty("os.arch"), PythonSitePackages.ofPythonOnPath());
    }

    /**
     * {@link #from(Map, Function, Path, List, String, List)} without asking a python3 for its site-packages.
     *
     * @param environment        environment variables
     * @param properties         system properties (returns null when unset)
     * @param home               the user's home folder
     * @param linkerCacheFolders folders where the dynamic linker's cache knows CUDA libraries
     * @param osArch             {@code os.arch} of the JVM
     * @return the configuration
     */
    public static SearchConfig from(Map<String, String> environment, Function<String, String> properties, Path home,
                                    List<Path> linkerCacheFolders, String osArch) {
        return from(environment, properties, home, linkerCacheFolders, osArch, List.of());
    }

    /**
     * The search for the given settings; the file system is only read to expand wildcards.
     *
     * @param environment        environment variables
     * @param properties         system properties (returns null when unset)
     * @param home               the user's home folder
     * @param linkerCacheFolders folders where the dynamic linker's cache knows CUDA libraries
     * @param osArch             {@code os.arch} of the JVM
     * @param pythonSitePackages the site-packages of the python3 on PATH, searched before other Python installs
     * @return the configuration
     */
    public static SearchConfig from(Map<String, String> environment, Function<String, String> properties, Path home,
                                    List<Path> linkerCacheFolders, String osArch, List<Path> pythonSitePackages) {
        LocationBuilder builder = new LocationBuilder();
        String arch = gnuArch(osArch);

        builder.addPathList(properties.apply(PATH_PROPERTY), "-D" + PATH_PROPERTY, true);
        builder.addPathList(environment.get(PATH_VARIABLE), PATH_VARIABLE, true);

        for (String variable : List.of("CUDA_HOME", "CUDA_PATH", "CUDNN_HOME", "CUDNN_PATH")) {
            String value = environment.get(variable);
            if (value != null && !value.isBlank()) {
                Path root = Path.of(value.strip());
                for (String sub : List.of("lib64", "lib", "lib/x64", "targets/" + arch + "-linux/lib")) {
                    builder.add(root.resolve(sub), variable);
                }
            }
        }

        builder.addPathList(environment.get("LD_LIBRARY_PATH"), "LD_LIBRARY_PATH", false);

        linkerCacheFolders.forEach(folder -> builder.add(folder, "ld.so.cache"));

        Path root = Path.of("/");
        builder.add(Path.of("/usr/lib/" + arch + "-linux-gnu"), "system");
        builder.add(Path.of("/usr/lib64"), "system");
        builder.add(Path.of("/usr/lib"), "system");
        builder.add(Path.of("/usr/local/cuda/lib64"), "system");
        builder.add(Path.of("/usr/local/cuda/targets/" + arch + "-linux/lib"), "system");
        Globs.expand(root, "usr/local/cuda-*/lib64").forEach(folder -> builder.add(folder, "system"));
        Globs.expand(root, "usr/local/cuda-*/targets/" + arch + "-linux/lib").forEach(folder -> builder.add(folder, "system"));

        List<Path> condaRoots = condaRoots(environment, home);
        List<Path> onPath = pythonSitePackages.stream().map(Path::normalize).toList();
        List<Path> allSitePackages = Stream.concat(onPath.stream(), sitePackages(environment, home, condaRoots).stream())
                .distinct().toList();
        for (Path sitePackages : allSitePackages) {
            builder.scanned.add(sitePackages);
            String source = onPath.contains(sitePackages) ? "Python packages of the python3 on PATH" : "Python packages";
            List<Path> folders = new ArrayList<>(Globs.expand(sitePackages, "nvidia/*/lib"));
            if (Files.isDirectory(sitePackages.resolve("torch/lib"))) {
                folders.add(sitePackages.resolve("torch/lib"));
            }
            folders.forEach(folder -> builder.add(folder, source));
            if (!folders.isEmpty()) {
                builder.sets.add(new LibrarySet("Python packages in " + sitePackages, folders, cudnnCudaMajor(sitePackages)));
            }
        }
        for (Path conda : condaRoots) {
            builder.scanned.add(conda);
            builder.addIfExists(conda.resolve("lib"), "conda");
            if (Files.isDirectory(conda.resolve("lib"))) {
                builder.sets.add(new LibrarySet("conda environment " + conda, List.of(conda.resolve("lib")), OptionalInt.empty()));
            }
        }

        Map<CudaComponent, ExplicitFile> explicit = new EnumMap<>(CudaComponent.class);
        for (CudaComponent component : CudaComponent.values()) {
            Optional.ofNullable(properties.apply(component.fileProperty())).filter(s -> !s.isBlank())
                    .map(s -> new ExplicitFile(Path.of(s.strip()), "-D" + component.fileProperty()))
                    .or(() -> Optional.ofNullable(environment.get(component.fileEnvironmentVariable()))
                            .filter(s -> !s.isBlank())
                            .map(s -> new ExplicitFile(Path.of(s.strip()), component.fileEnvironmentVariable())))
                    .ifPresent(file -> explicit.put(component, file));
        }
        return new SearchConfig(builder.locations(), explicit, builder.scanned, builder.sets);
    }

    private static final Pattern CUDNN_WHEEL = Pattern.compile("nvidia_cudnn_cu(\\d+)-.*\\.dist-info");

    /** The CUDA major of the cuDNN wheel installed in a site-packages (nvidia_cudnn_cu13-9.13.0.50.dist-info: 13). */
    static OptionalInt cudnnCudaMajor(Path sitePackages) {
        try (Stream<Path> children = Files.list(sitePackages)) {
            return children.map(child -> CUDNN_WHEEL.matcher(child.getFileName().toString()))
                    .filter(Matcher::matches).mapToInt(matcher -> Integer.parseInt(matcher.group(1))).max();
        } catch (IOException | SecurityException e) {
            return OptionalInt.empty();
        }
    }

    private static List<Path> condaRoots(Map<String, String> environment, Path home) {
        List<Path> roots = new ArrayList<>();
        String prefix = environment.get("CONDA_PREFIX");
        if (prefix != null && !prefix.isBlank()) {
            roots.add(Path.of(prefix.strip()));
        }
        for (Path install : List.of(home.resolve("miniconda3"), home.resolve("anaconda3"), home.resolve("miniforge3"),
                home.resolve("mambaforge"), Path.of("/opt/conda"))) {
            if (Files.isDirectory(install)) {
                roots.add(install);
                roots.addAll(Globs.expand(install, "envs/*"));
            }
        }
        return roots.stream().distinct().toList();
    }

    private static List<Path> sitePackages(Map<String, String> environment, Path home, List<Path> condaRoots) {
        List<Path> roots = new ArrayList<>();
        String virtualEnv = environment.get("VIRTUAL_ENV");
        if (virtualEnv != null && !virtualEnv.isBlank()) {
            roots.add(Path.of(virtualEnv.strip()));
        }
        roots.addAll(condaRoots);
        roots.add(home.resolve(".local"));
        roots.add(Path.of("/usr/local"));
        roots.add(Path.of("/usr"));
        roots.addAll(Globs.expand(home, ".pyenv/versions/*"));

        List<Path> found = new ArrayList<>();
        for (Path root : roots) {
            found.addAll(Globs.expand(root, "lib/python3*/site-packages"));
            found.addAll(Globs.expand(root, "lib/python3*/dist-packages"));
        }
        // Debian's own packages: /usr/lib/python3/dist-packages.
        Path debian = Path.of("/usr/lib/python3/dist-packages");
        if (Files.isDirectory(debian)) {
            found.add(debian);
        }
        return found.stream().map(Path::normalize).distinct().toList();
    }

    private static String gnuArch(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> osArch;
        };
    }
}
