package dev.isthmus.backend.reference;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Channel concatenation and its inverse on NCHW memory: each sample's channel blocks are contiguous,
 * so both are one block copy per sample and part.
 */
final class ChannelCopies {
    private ChannelCopies() {
    }

    /** out[n] = input_0[n] ‖ input_1[n] ‖ … along the channels. */
    static void concat(List<Tensor> inputs, Tensor output) {
        copyBlocks(output, inputs, true);
    }

    /** part_i[n] = input[n][channels c_0 + … + c_(i−1) … + c_i − 1]: the inverse of {@link #concat}. */
    static void split(Tensor input, List<Tensor> parts) {
        copyBlocks(input, parts, false);
    }

    /** Copies between the whole tensor and its channel blocks: into the whole when {@code gather}, out of it otherwise. */
    private static void copyBlocks(Tensor whole, List<Tensor> blocks, boolean gather) {
        Shape s = whole.shape();
        long plane = (long) s.dim(2) * s.dim(3) * Float.BYTES;
        MemorySegment all = whole.segment();
        for (int n = 0; n < s.dim(0); n++) {
            long channelOffset = (long) n * s.dim(1);
            for (Tensor block : blocks) {
                long bytes = block.shape().dim(1) * plane;
                MemorySegment part = block.segment();
                if (gather) {
                    MemorySegment.copy(part, n * bytes, all, channelOffset * plane, bytes);
                } else {
                    MemorySegment.copy(all, channelOffset * plane, part, n * bytes, bytes);
                }
                channelOffset += block.shape().dim(1);
            }
        }
    }
}
