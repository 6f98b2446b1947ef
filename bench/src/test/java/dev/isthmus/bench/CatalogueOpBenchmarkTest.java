package dev.isthmus.bench;

import dev.isthmus.compare.OpCatalogue;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalogue benchmark's op list is the catalogue itself, supplied at run time: a new catalogue entry is benchmarked without an edit here. */
class CatalogueOpBenchmarkTest {
    @Test
    void theOpListIsLeftToTheLauncher() throws NoSuchFieldException {
        Param ops = CatalogueOpBenchmark.class.getField("op").getAnnotation(Param.class);
        assertArrayEquals(new String[] {Param.BLANK_ARGS}, ops.value(), "no constant list in @Param");
    }

    @Test
    void theLauncherBenchmarksEveryCatalogueOpUnlessSomeAreAsked() {
        assertEquals(OpCatalogue.ids(), BenchMain.catalogueOps(List.of()));
        assertEquals(List.of("relu", "linear"), BenchMain.catalogueOps(List.of("relu", "linear")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchMain.catalogueOps(List.of("nope")));
        assertTrue(e.getMessage().contains("unknown --op 'nope'"), e.getMessage());
    }
}
