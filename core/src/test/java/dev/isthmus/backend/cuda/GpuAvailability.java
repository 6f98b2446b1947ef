package dev.isthmus.backend.cuda;

import dev.isthmus.backend.cuda.nativelib.Gpu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Decides whether {@code gpu}-tagged tests can run: the CUDA environment must be usable and its device
 * must not be the CPU stand-in (whose device name says so), unless a dry run of the device check allows
 * it with {@code -Disthmus.gpuTests.allowStandIn=true}. Otherwise the test is skipped through a JUnit
 * assumption whose message, also printed, is the environment's own diagnosis.
 */
final class GpuAvailability {
    static final String ALLOW_STAND_IN = "isthmus.gpuTests.allowStandIn";

    private GpuAvailability() {
    }

    static void assumeRealGpu() {
        CudaEnvironment environment = CudaEnvironment.probe();
        String reason = null;
        if (!environment.usable()) {
            reason = "no usable GPU: " + environment.unusableReason().orElse("unknown");
        } else {
            Gpu gpu = environment.gpus().getFirst();
            if (isStandIn(gpu) && !Boolean.getBoolean(ALLOW_STAND_IN)) {
                reason = "the CUDA libraries found are the CPU stand-in (" + gpu.name() + "), not a GPU; set -D" + ALLOW_STAND_IN
                        + "=true for a dry run";
            }
        }
        if (reason != null) {
            System.out.println("[gpu tests skipped] " + reason);
        }
        assumeTrue(reason == null, reason);
    }

    static boolean isStandIn(Gpu gpu) {
        return gpu.name().contains("stand-in");
    }
}
