package dev.isthmus.compare;

import dev.isthmus.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The op catalogue: distinct names, examples that run, and command-line cases built from options. */
class OpCatalogueTest {

    @Test
    void namesAreDistinctAndTheUnknownOpErrorListsThemAll() {
        List<String> ids = OpCatalogue.ids();
        assertEquals(OpCatalogue.values().length, new HashSet<>(ids).size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OpCatalogue.byId("softmax"));
        for (String id : ids) assertTrue(e.getMessage().contains(id), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(OpCatalogue.class)
    void everyExampleRunsAndAgreesWithItselfExactly(OpCatalogue op) {
        try (ReferenceBackend a = new ReferenceBackend(); ReferenceBackend b = new ReferenceBackend()) {
            ComparisonReport report = OpComparison.run(a, b, op.example(), 3, Tolerances.exact());
            assertTrue(report.passed(), op.id());
            assertEquals(op.id(), op.example().name());
            assertEquals(0, a.liveBytes());
        }
    }

    @Test
    void optionsBuildTheNamedCaseOrSayWhatIsMissing() {
        OpCase conv = OpCatalogue.fromOptions(new OpCatalogue.Options("conv2d", new int[] {1, 3, 8, 8}, new int[] {4, 3, 3, 3}, null, 2, 1, 1));
        assertEquals(new Conv2dCase(dev.isthmus.tensor.Shape.of(1, 3, 8, 8), dev.isthmus.tensor.Shape.of(4, 3, 3, 3),
                dev.isthmus.backend.Conv2dSpec.of(2, 1, 1)), conv);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OpCatalogue.fromOptions(new OpCatalogue.Options("linear", new int[] {2, 3}, null, null, null, 0, 1)));
        assertEquals("--op linear needs --features OUT (the output size)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> OpCatalogue.fromOptions(new OpCatalogue.Options("relu", new int[] {2, 3}, null, null, null, 0, 2)));
        assertEquals("--dilation applies to --op conv2d only", e.getMessage());
    }
}
