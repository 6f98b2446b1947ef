package dev.isthmus.backend.cuda.nativelib;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the files of each component for a {@link SearchConfig}. Pure: it only reads the file system
 * and loads nothing, so any configuration can be examined without side effects.
 *
 * <p>Rules: a file named by {@code ISTHMUS_<KEY>_LIBRARY} replaces the search; otherwise the override
 * folders come first (any supported major version, most preferred first), then for each supported
 * major version, most preferred first, every other folder in order. cuBLAS prefers the major version
 * of the runtime found. A component's other libraries are taken from the main library's folder, and
 * required ones that are not there are searched for like the main library; optional ones are taken only
 * from beside it, except those another library opens by name (NVRTC), which are searched for like required
 * ones but may be absent.
 *
 * <p>When the user named no folder and no file, the first {@link LibrarySet} (one Python or conda
 * environment) that alone provides the runtime, cuBLAS and cuDNN of one CUDA major version is taken whole,
 * rather than mixing, say, a toolkit's runtime with another installation's cuDNN.
 */
public final class LibrarySearch {
    private static final Pattern MAJOR = Pattern.compile("\\.so\\.(\\d+)");

    private LibrarySearch() {
    }

    /**
     * The result of searching for every component.
     *
     * @param chosenSet the installation all three components were taken from, when one was consistent
     * @param config   the search configuration
     * @param outcomes one outcome per component
     */
    public record Result(SearchConfig config, List<SearchOutcome> outcomes, Optional<LibrarySet> chosenSet) {
        /**
         * Copies the outcomes.
         */
        public Result {
            outcomes = List.copyOf(outcomes);
        }

        /**
         * A result without a chosen installation.
         *
         * @param config   the search configuration
         * @param outcomes one outcome per component
         */
        public Result(SearchConfig config, List<SearchOutcome> outcomes) {
            this(config, outcomes, Optional.empty());
        }

        /**
         * The outcome of one component.
         *
         * @param component the component
         * @return its outcome
         */
        public SearchOutcome of(CudaComponent component) {
            return outcomes.stream().filter(outcome -> outcome.component() == component).findFirst().orElseThrow();
        }
    }

    /**
     * Looks for every component's libraries as {@code config} says; reads the file system only.
     *
     * @param config where to look
     * @return what was found
     */
    public static Result search(SearchConfig config) {
        boolean userNamedSomething = !config.explicitFiles().isEmpty()
                || config.locations().stream().anyMatch(SearchLocation::override);
        if (!userNamedSomething) {
            for (LibrarySet set : config.sets()) {
                Result within = searchEverywhere(config.within(set));
                if (consistent(within, set)) {
                    return new Result(config, within.outcomes(), Optional.of(set));
                }
            }
        }
        return searchEverywhere(config);
    }

    /** All three found, cuBLAS and (when its package says so) cuDNN of the runtime's CUDA major. */
    private static boolean consistent(Result result, LibrarySet set) {
        if (!(result.of(CudaComponent.RUNTIME) instanceof SearchOutcome.Located runtime)
                || !(result.of(CudaComponent.CUBLAS) instanceof SearchOutcome.Located cublas)
                || !(result.of(CudaComponent.CUDNN) instanceof SearchOutcome.Located)) {
            return false;
        }
        return cublas.major() == runtime.major()
                && (set.cudnnCudaMajor().isEmpty() || set.cudnnCudaMajor().getAsInt() == runtime.major());
    }

    private static Result searchEverywhere(SearchConfig config) {
        SearchOutcome runtime = locate(config, CudaComponent.RUNTIME, CudaLibrary.CUDART.supportedMajors());
        List<Integer> cublasMajors = new ArrayList<>(CudaLibrary.CUBLAS.supportedMajors());
        if (runtime instanceof SearchOutcome.Located located && cublasMajors.remove((Integer) located.major())) {
            cublasMajors.addFirst(located.major()); // cuBLAS of the runtime's CUDA version first
        }
        SearchOutcome cublas = locate(config, CudaComponent.CUBLAS, cublasMajors);
        SearchOutcome cudnn = locate(config, CudaComponent.CUDNN, CudaLibrary.CUDNN.supportedMajors());
        return new Result(config, List.of(runtime, cublas, cudnn));
    }

    static SearchOutcome locate(SearchConfig config, CudaComponent component, List<Integer> majors) {
        CudaLibrary main = CudaLibrary.mainOf(component);
        SearchConfig.ExplicitFile explicit = config.explicitFiles().get(component);
        LibraryFile mainFile;
        int major;
        if (explicit != null) {
            Path file = explicit.file().toAbsolutePath().normalize();
            if (!Files.isRegularFile(file)) {
                return new NotFound(component, explicit.source() + " names " + file + ", which is not an existing file",
                        List.of(), List.of());
            }
            Optional<Integer> named = majorOf(file);
            if (named.isPresent() && !majors.contains(named.get())) {
                return new NotFound(component, explicit.source() + " names " + file + ", which is major version "
                        + named.get() + " but Isthmus needs " + main.wantedFileNames(), List.of(), List.of());
            }
            mainFile = new LibraryFile(main, file, explicit.source());
            major = named.orElse(majors.getFirst());
        } else {
            Optional<LibraryFile> found = find(config, main, majors);
            if (found.isEmpty()) {
                return new NotFound(component, main.wantedFileNames() + " not found", config.locations(),
                        unsupportedSeen(config, main));
            }
            mainFile = found.get();
            major = majorOf(mainFile.path()).orElseThrow();
        }

        Path folder = mainFile.path().getParent();
        List<LibraryFile> files = new ArrayList<>();
        List<CudaLibrary> absentOptional = new ArrayList<>();
        for (CudaLibrary library : CudaLibrary.of(component)) {
            if (library == main) {
                files.add(mainFile);
                continue;
            }
            Path beside = folder.resolve(library.fileName(major));
            if (Files.isRegularFile(beside)) {
                files.add(new LibraryFile(library, beside, "beside " + mainFile.path().getFileName()));
            } else if (library.role() == CudaLibrary.Role.OPTIONAL) {
                absentOptional.add(library);
            } else {
                Optional<LibraryFile> elsewhere = find(config, library, List.of(major));
                if (elsewhere.isPresent()) {
                    files.add(elsewhere.get());
                } else if (library.role().optional()) {
                    absentOptional.add(library);
                } else {
                    return new NotFound(component, library.fileName(major) + " (needed by " + mainFile.path()
                            + ") not found", prepend(new SearchLocation(folder, "beside " + main.fileName(major), false),
                            config.locations()), List.of());
                }
            }
        }
        return new SearchOutcome.Located(component, major, files, absentOptional);
    }

    /** Override folders first with any allowed major, then each major over the other folders. */
    private static Optional<LibraryFile> find(SearchConfig config, CudaLibrary library, List<Integer> majors) {
        for (SearchLocation location : config.locations()) {
            if (location.override()) {
                for (int major : majors) {
                    Optional<LibraryFile> file = fileIn(location, library, major);
                    if (file.isPresent()) {
                        return file;
                    }
                }
            }
        }
        for (int major : majors) {
            for (SearchLocation location : config.locations()) {
                if (!location.override()) {
                    Optional<LibraryFile> file = fileIn(location, library, major);
                    if (file.isPresent()) {
                        return file;
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<LibraryFile> fileIn(SearchLocation location, CudaLibrary library, int major) {
        Path candidate = location.folder().resolve(library.fileName(major));
        // Files.exists follows symbolic links: a dangling link (a half-removed install) does not count.
        return Files.isRegularFile(candidate)
                ? Optional.of(new LibraryFile(library, candidate, location.source()))
                : Optional.empty();
    }

    private static List<Path> unsupportedSeen(SearchConfig config, CudaLibrary main) {
        LinkedHashSet<Path> seen = new LinkedHashSet<>();
        for (SearchLocation location : config.locations()) {
            for (int major : main.unsupportedMajors()) {
                Path candidate = location.folder().resolve(main.fileName(major));
                if (Files.isRegularFile(candidate)) {
                    seen.add(candidate);
                }
            }
        }
        return List.copyOf(seen);
    }

    /** The major version in a file name such as libcudart.so.13 or libcudart.so.13.0.96. */
    static Optional<Integer> majorOf(Path file) {
        Matcher matcher = MAJOR.matcher(file.getFileName().toString());
        return matcher.find() ? Optional.of(Integer.parseInt(matcher.group(1))) : Optional.empty();
    }

    private static List<SearchLocation> prepend(SearchLocation first, List<SearchLocation> rest) {
        return Stream.concat(Stream.of(first), rest.stream()).distinct().toList();
    }
}
