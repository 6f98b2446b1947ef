package dev.isthmus.peer.libtorch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** The process's peak resident set size, as the Linux kernel counts it (VmHWM), native memory included. */
final class ProcessMemory {

    private ProcessMemory() {
    }

    static OptionalLong peakResidentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String kibibytes = line.substring("VmHWM:".length()).replace("kB", "").trim();
                    return OptionalLong.of(Long.parseLong(kibibytes) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Not Linux, or an unexpected format: the figure is simply not reported.
        }
        return OptionalLong.empty();
    }
}
