package dev.isthmus.bench;

import dev.isthmus.compare.OpCatalogue;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;

import java.lang.reflect.Field;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The catalogue benchmark's op list is the catalogue itself: its {@code op} parameter is the
 * {@link OpCatalogue} enum with no listed values, which JMH expands to every constant, so a new
 * catalogue entry is benchmarked without an edit here.
 */
class CatalogueOpBenchmarkTest {
    @Test
    void theOpParameterIsTheWholeCatalogue() throws NoSuchFieldException {
        Field op = CatalogueOpBenchmark.class.getField("op");
        assertEquals(OpCatalogue.class, op.getType());
        assertArrayEquals(new String[] {Param.BLANK_ARGS}, op.getAnnotation(Param.class).value(), "no constant list in @Param");
    }
}
