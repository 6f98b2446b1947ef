package dev.isthmus.backend.cuda;

import java.lang.foreign.MemorySegment;

/** Arithmetic on device addresses, which the host holds as zero-length segments it must never dereference. */
final class DevicePointers {
    private DevicePointers() {
    }

    /** The device address {@code bytes} past {@code device}. */
    static MemorySegment offset(MemorySegment device, long bytes) {
        return bytes == 0 ? device : MemorySegment.ofAddress(device.address() + bytes);
    }
}
