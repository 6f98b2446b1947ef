package dev.isthmus.backend.cuda.nativelib;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds and loads the CUDA runtime, cuBLAS and cuDNN so that the generated bindings
 * ({@code dev.isthmus.bindings.*}) can call them. Loading happens once per JVM and is thread-safe;
 * call {@link #loadAll()} (or {@code CudaEnvironment.probe()}, which does it too) before touching any
 * binding function: a binding whose symbol is looked up before its library is loaded fails for good.
 */
public final class CudaLibraries {

    private CudaLibraries() {
    }

    /**
     * What loading did, per component, for one search configuration.
     *
     * @param chosenSet the one installation all components came from, when the search found a consistent one
     * @param config   the search configuration
     * @param outcomes one outcome per component
     */
    public record LoadReport(SearchConfig config, List<LoadOutcome> outcomes, Optional<LibrarySet> chosenSet) {
        /**
         * Copies the outcomes.
         */
        public LoadReport {
            outcomes = List.copyOf(outcomes);
        }

        /**
         * A report without a chosen installation.
         *
         * @param config   the search configuration
         * @param outcomes one outcome per component
         */
        public LoadReport(SearchConfig config, List<LoadOutcome> outcomes) {
            this(config, outcomes, Optional.empty());
        }

        /**
         * The outcome of one component.
         *
         * @param component the component
         * @return its outcome
         */
        public LoadOutcome of(CudaComponent component) {
            return outcomes.stream().filter(outcome -> outcome.component() == component).findFirst().orElseThrow();
        }
    }

    /**
     * Searches as {@link SearchConfig#fromEnvironment()} says and loads what it finds. Never throws for a missing or broken library.
     *
     * @return the report
     */
    public static LoadReport loadAll() {
        return load(LibrarySearch.search(SearchConfig.fromEnvironment()));
    }

    /**
     * Loads the files a search found, each component's dependencies first.
     *
     * @param search what the search found
     * @return the report
     */
    public static LoadReport load(LibrarySearch.Result search) {
        List<LoadOutcome> outcomes = new ArrayList<>();
        for (SearchOutcome outcome : search.outcomes()) {
            outcomes.add(switch (outcome) {
                case NotFound notFound -> notFound;
                case SearchOutcome.Located located -> load(located);
            });
        }
        return new LoadReport(search.config(), outcomes, search.chosenSet());
    }

    /** A required file that fails makes the component unusable; an optional one is skipped with its reason. */
    private static LoadOutcome load(SearchOutcome.Located located) {
        List<LibraryFile> loaded = new ArrayList<>();
        List<LoadOutcome.OptionalFailure> optionalFailed = new ArrayList<>();
        for (LibraryFile file : located.files()) {
            Optional<String> failure = LibraryLoader.load(file);
            if (failure.isEmpty()) {
                loaded.add(file);
            } else if (file.library().role().optional()) {
                optionalFailed.add(new LoadOutcome.OptionalFailure(file, failure.get()));
            } else {
                return new LoadOutcome.LoadFailed(located.component(), file, failure.get());
            }
        }
        return new LoadOutcome.Loaded(located.component(), located.major(), loaded, located.absentOptional(), optionalFailed);
    }

    /**
     * Whether the component's main library (loaded after all its dependencies) is in this JVM.
     *
     * @param component the component
     * @return whether it is loaded
     */
    public static boolean isLoaded(CudaComponent component) {
        return LibraryLoader.isLoaded(CudaLibrary.mainOf(component));
    }
}
