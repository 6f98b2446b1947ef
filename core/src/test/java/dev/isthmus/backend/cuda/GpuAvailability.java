package dev.isthmus.backend.cuda;

import dev.isthmus.backend.cuda.nativelib.Gpu;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Decides whether {@code gpu}-tagged tests can run: the CUDA environment must be usable and its device
 * must not be the CPU stand-in (whose device name says so), unless a dry run of the device check allows
 * it with {@code -Disthmus.gpuTests.allowStandIn=true}. Otherwise the test is skipped through a JUnit
 * assumption whose message, also printed, is the environment's own diagnosis.
 * <p>
 * On a machine without the NVIDIA kernel driver nothing is probed at all, so these tests never load
 * CUDA libraries into the JVM of the ordinary unit tests (whose library-loading tests expect a clean JVM).
 */
final class GpuAvailability {
    static final String ALLOW_STAND_IN = "isthmus.gpuTests.allowStandIn";

    private GpuAvailability() {
    }

    static void assumeRealGpu() {
        boolean allowStandIn = Boolean.getBoolean(ALLOW_STAND_IN);
        if (!allowStandIn && !nvidiaDriverPresent()) {
            skip("no NVIDIA driver on this machine (no /proc/driver/nvidia/version or /dev/nvidiactl); the gpu tests need a GPU");
        }
        CudaEnvironment environment = CudaEnvironment.probe();
        String reason = null;
        if (!environment.usable()) {
            reason = "no usable GPU: " + environment.unusableReason().orElse("unknown");
        } else {
            Gpu gpu = environment.gpus().getFirst();
            if (isStandIn(gpu) && !allowStandIn) {
                reason = "the CUDA libraries found are the CPU stand-in (" + gpu.name() + "), not a GPU; set -D" + ALLOW_STAND_IN
                        + "=true for a dry run";
            }
        }
        if (reason != null) skip(reason);
    }

    private static void skip(String reason) {
        System.out.println("[gpu tests skipped] " + reason);
        assumeTrue(false, reason);
    }

    private static boolean nvidiaDriverPresent() {
        return Files.exists(Path.of("/proc/driver/nvidia/version")) || Files.exists(Path.of("/dev/nvidiactl"));
    }

    static boolean isStandIn(Gpu gpu) {
        return gpu.name().contains("stand-in");
    }
}
