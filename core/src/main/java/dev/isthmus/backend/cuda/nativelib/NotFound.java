package dev.isthmus.backend.cuda.nativelib;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A component whose libraries could not be found.
 *
 * @param component       the component
 * @param problem         what is missing, e.g. "libcudnn.so.9 not found" or
 *                        "ISTHMUS_CUDNN_LIBRARY names /x/libcudnn.so.9, which does not exist"
 * @param lookedIn        every folder that was searched, in order (including ones that do not exist)
 * @param unsupportedSeen files of versions Isthmus cannot use that were seen instead (e.g. libcudnn.so.8)
 */
public record NotFound(CudaComponent component, String problem, List<SearchLocation> lookedIn, List<Path> unsupportedSeen)
        implements SearchOutcome, LoadOutcome {

    /**
     * Copies the lists.
     */
    public NotFound {
        lookedIn = List.copyOf(lookedIn);
        unsupportedSeen = List.copyOf(unsupportedSeen);
    }

    /**
     * One line naming what is missing, where it was looked for and the fix, e.g.
     * "cuDNN not found: libcudnn.so.9 not found (looked in: /a, /b); install cuDNN 9, e.g. `pip install
     * nvidia-cudnn-cu13`, or set ISTHMUS_CUDA_PATH".
     *
     * @return one line
     */
    public String diagnosis() {
        StringBuilder line = new StringBuilder(component.displayName()).append(" not usable: ").append(problem);
        List<SearchLocation> existing = lookedIn.stream().filter(SearchLocation::exists).toList();
        if (!lookedIn.isEmpty()) {
            line.append(" (looked in: ");
            line.append(existing.isEmpty() ? "nothing: none of the " + lookedIn.size() + " candidate folders exists"
                    : existing.stream().map(location -> location.folder().toString()).collect(Collectors.joining(", ")));
            line.append(')');
        }
        if (!unsupportedSeen.isEmpty()) {
            line.append("; found only unsupported ")
                    .append(unsupportedSeen.stream().map(Path::toString).collect(Collectors.joining(", ")));
        }
        line.append("; install ").append(component.installHint()).append(", or set ")
                .append(SearchConfig.PATH_VARIABLE).append(" to the folder that holds it");
        return line.toString();
    }
}
