package dev.isthmus.backend.cuda.nativelib;

import java.util.List;

/** What loading did for one component: all its libraries are in the process, or why not. */
public sealed interface LoadOutcome permits LoadOutcome.Loaded, LoadOutcome.LoadFailed, NotFound {

    /**
     * The component this outcome is about.
     *
     * @return the component
     */
    CudaComponent component();

    /**
     * Every required library of the component is loaded; the bindings can call it.
     *
     * @param files          the files loaded, dependencies first, the main library last
     * @param absentOptional optional libraries that were not found
     * @param optionalFailed optional libraries that were found but did not load, with the reason; the
     *                       component works without them (cuDNN then offers fewer engines)
     * @param component      the component
     * @param major          the major version loaded
     */
    record Loaded(CudaComponent component, int major, List<LibraryFile> files, List<CudaLibrary> absentOptional,
                  List<OptionalFailure> optionalFailed) implements LoadOutcome {
        /**
         * Copies the lists.
         */
        public Loaded {
            files = List.copyOf(files);
            absentOptional = List.copyOf(absentOptional);
            optionalFailed = List.copyOf(optionalFailed);
        }

        /**
         * The component's main library file (libcudart, libcublas, libcudnn).
         *
         * @return the file
         */
        public LibraryFile mainFile() {
            return files.getLast();
        }
    }

    /**
     * An optional library that was found but did not load, and the operating system's reason.
     *
     * @param file     the file
     * @param osReason the dynamic linker's words
     */
    record OptionalFailure(LibraryFile file, String osReason) {
        /**
         * "libcudnn_adv.so.9: libcublasLt.so.13: cannot open shared object file: No such file or directory".
         *
         * @return one line
         */
        public String describe() {
            return file.path().getFileName() + " (" + file.path() + "): " + osReason;
        }
    }

    /**
     * A file was found but the operating system refused to load it.
     *
     * @param file     the file that failed (files before it in load order were loaded)
     * @param osReason the dynamic linker's own words, e.g. "wrong ELF class: ELFCLASS32" or
     *                 "libcublasLt.so.13: cannot open shared object file: No such file or directory"
     * @param component the component
     */
    record LoadFailed(CudaComponent component, LibraryFile file, String osReason) implements LoadOutcome {

        /**
         * One line naming the file, the operating system's reason and the fix.
         *
         * @return one line
         */
        public String diagnosis() {
            return component.displayName() + " not usable: " + file.path() + " (" + file.source()
                    + ") failed to load: " + osReason + "; install a working copy (" + component.installHint()
                    + ") or point " + SearchConfig.PATH_VARIABLE + " at one";
        }
    }
}
