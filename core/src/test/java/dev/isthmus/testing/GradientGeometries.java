package dev.isthmus.testing;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.tensor.Shape;
import org.junit.jupiter.params.provider.Arguments;

import java.util.stream.Stream;

/** The convolution and pooling geometries {@link BackendGradientSuite} checks beyond the catalogue's examples. */
final class GradientGeometries {
    private GradientGeometries() {
    }

    /** One convolution geometry: input [n, c, h, w], weight [k, c, r, s]. */
    record ConvCase(String name, int n, int c, int h, int w, int k, int r, int s, Conv2dSpec spec) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Convolutions: stride > 1, padding > 0, dilation > 1, unequal settings per axis, batch 1 and > 1. */
    static Stream<ConvCase> convCases() {
        return Stream.of(
                new ConvCase("plain 3x2 kernel", 2, 3, 7, 6, 4, 3, 2, Conv2dSpec.defaults()),
                new ConvCase("stride 2 padding 1", 2, 2, 7, 7, 3, 3, 3, Conv2dSpec.of(2, 1)),
                new ConvCase("batch 1, dilation 2, padding 2", 1, 2, 9, 8, 2, 3, 3, Conv2dSpec.of(1, 2, 2)),
                new ConvCase("per-axis stride 2x1 padding 1x0 dilation 1x2", 3, 1, 5, 6, 2, 2, 2, new Conv2dSpec(2, 1, 1, 0, 1, 2)),
                new ConvCase("1x1 kernel stride 3", 2, 4, 5, 5, 3, 1, 1, Conv2dSpec.of(3, 0)),
                new ConvCase("long weight rows (c·r·s = 72)", 2, 8, 5, 4, 2, 3, 3, Conv2dSpec.of(1, 1)));
    }

    /** Pool windows: square and not, overlapping, padded, strided unequally; odd input sizes. */
    static Stream<Arguments> poolCases() {
        return Stream.of(
                Arguments.of("kernel 2", Shape.of(2, 3, 6, 7), Pool2dSpec.of(2)),
                Arguments.of("kernel 3 stride 2 padding 1", Shape.of(2, 2, 7, 5), Pool2dSpec.of(3, 2, 1)),
                Arguments.of("kernel 3x2 stride 1x2 padding 1x0", Shape.of(1, 2, 5, 6), new Pool2dSpec(3, 2, 1, 2, 1, 0)),
                Arguments.of("kernel 2 stride 1 padding 1", Shape.of(3, 1, 4, 5), Pool2dSpec.of(2, 1, 1)));
    }
}
