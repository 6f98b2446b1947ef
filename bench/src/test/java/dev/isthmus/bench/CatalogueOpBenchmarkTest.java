package dev.isthmus.bench;

import dev.isthmus.compare.OpCatalogue;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The catalogue benchmark's op list is the catalogue itself: a new catalogue entry fails here until it is benchmarked. */
class CatalogueOpBenchmarkTest {
    @Test
    void benchmarksEveryCatalogueOp() throws NoSuchFieldException {
        Param ops = CatalogueOpBenchmark.class.getField("op").getAnnotation(Param.class);
        assertEquals(OpCatalogue.ids(), List.of(ops.value()));
    }
}
