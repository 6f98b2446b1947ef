package dev.isthmus.backend.cuda.nativelib;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The folders in which the dynamic linker's cache ({@code /etc/ld.so.cache}, read through
 * {@code ldconfig -p}) knows CUDA libraries: that is where {@code dlopen("libcudart.so.13")} would
 * look, and where distribution packages put cuDNN.
 */
final class LinkerCache {
    private static final List<String> LDCONFIG = List.of("/sbin/ldconfig", "/usr/sbin/ldconfig", "/usr/bin/ldconfig");
    private static final List<String> PREFIXES = List.of("libcudart.so", "libcublas", "libcudnn");

    private LinkerCache() {
    }

    /** Folders holding CUDA libraries for this JVM's architecture; empty when ldconfig is unavailable. */
    static List<Path> cudaFolders() {
        for (String ldconfig : LDCONFIG) {
            if (Files.isExecutable(Path.of(ldconfig))) {
                return parse(run(ldconfig), System.getProperty("os.arch"));
            }
        }
        return List.of();
    }

    /**
     * Parses {@code ldconfig -p} lines such as
     * {@code "\tlibcudart.so.13 (libc6,x86-64) => /usr/local/cuda-13.0/lib/libcudart.so.13"}.
     */
    static List<Path> parse(List<String> lines, String osArch) {
        String archTag = switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86-64";
            case "aarch64", "arm64" -> "AArch64";
            default -> null;
        };
        Set<Path> folders = new LinkedHashSet<>();
        for (String line : lines) {
            String trimmed = line.strip();
            int arrow = trimmed.indexOf(" => ");
            int flags = trimmed.indexOf(" (");
            if (arrow < 0 || flags < 0 || flags > arrow) {
                continue;
            }
            String name = trimmed.substring(0, flags);
            String flagText = trimmed.substring(flags + 2, trimmed.indexOf(')', flags));
            if (PREFIXES.stream().noneMatch(name::startsWith)) {
                continue;
            }
            if (archTag != null && !flagText.contains(archTag)) {
                continue; // e.g. a 32-bit copy, which a 64-bit JVM cannot load
            }
            Path parent = Path.of(trimmed.substring(arrow + 4).strip()).getParent();
            if (parent != null) {
                folders.add(parent);
            }
        }
        return List.copyOf(folders);
    }

    private static List<String> run(String ldconfig) {
        try {
            Process process = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
            process.getOutputStream().close();
            List<String> lines = new ArrayList<>();
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines.add(line);
                }
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return List.of();
            }
            return lines;
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
