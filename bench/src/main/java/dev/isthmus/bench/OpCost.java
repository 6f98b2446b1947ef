package dev.isthmus.bench;

/**
 * What one benchmark operation must do at least: floating-point operations (for GFLOP/s) and bytes
 * of memory traffic (for GB/s, where arithmetic is negligible). Zero means "not meaningful here".
 */
public record OpCost(long flops, long bytes) {
    public static final OpCost NONE = new OpCost(0, 0);

    public static OpCost flops(long flops) {
        return new OpCost(flops, 0);
    }

    public static OpCost bytes(long bytes) {
        return new OpCost(0, bytes);
    }
}
