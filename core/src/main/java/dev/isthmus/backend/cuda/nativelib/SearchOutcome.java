package dev.isthmus.backend.cuda.nativelib;

import java.nio.file.Path;
import java.util.List;

/** What discovery found for one component: every file to load, or why there is none. */
public sealed interface SearchOutcome permits SearchOutcome.Located, NotFound {

    /**
     * The component this outcome is about.
     *
     * @return the component
     */
    CudaComponent component();

    /**
     * All files of a component, in load order.
     *
     * @param major           the major version chosen (13 or 12 for the runtime and cuBLAS, 9 for cuDNN)
     * @param files           the files to load, dependencies first; the main library is last
     * @param absentOptional  optional libraries not present beside the main one (e.g. cuDNN's adv library)
     * @param component       the component
     */
    record Located(CudaComponent component, int major, List<LibraryFile> files, List<CudaLibrary> absentOptional)
            implements SearchOutcome {
        /**
         * Copies the lists.
         */
        public Located {
            files = List.copyOf(files);
            absentOptional = List.copyOf(absentOptional);
        }

        /**
         * The component's main library file (libcudart, libcublas, libcudnn).
         *
         * @return the file
         */
        public LibraryFile mainFile() {
            return files.getLast();
        }

        /**
         * The folder of the main library.
         *
         * @return the folder
         */
        public Path folder() {
            return mainFile().path().getParent();
        }
    }
}
