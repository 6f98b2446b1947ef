package dev.isthmus.backend.cuda.nativelib;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The site-packages folders of the {@code python3} on PATH: a virtual environment that is on PATH but not
 * activated ({@code VIRTUAL_ENV} unset, as on machines whose image puts a venv's bin first) is where
 * PyTorch's CUDA wheels are, and only that interpreter knows where its packages live.
 */
final class PythonSitePackages {
    private static final String SCRIPT =
            "import site, sys\n"
            + "paths = list(getattr(site, 'getsitepackages', lambda: [])())\n"
            + "paths.append(site.getusersitepackages())\n"
            + "paths += [p for p in sys.path if p.endswith(('site-packages', 'dist-packages'))]\n"
            + "print('\\n'.join(paths))\n";

    private PythonSitePackages() {
    }

    /** Existing folders, in the interpreter's order; empty when there is no python3 or it does not answer in 10 s. */
    static List<Path> ofPythonOnPath() {
        try {
            Path output = Files.createTempFile("isthmus-python-site", ".txt");
            try {
                Process process = new ProcessBuilder("python3", "-c", SCRIPT)
                        .redirectOutput(output.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                process.getOutputStream().close();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return List.of();
                }
                return parse(Files.readAllLines(output, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            return List.of(); // no python3 on PATH
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    static List<Path> parse(List<String> lines) {
        return lines.stream().map(String::strip).filter(line -> line.startsWith("/")).map(Path::of)
                .filter(Files::isDirectory).map(Path::normalize).distinct().toList();
    }
}
