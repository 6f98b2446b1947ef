package dev.isthmus.compare;

import dev.isthmus.tensor.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TolerancesTest {

    @Test
    void theAllcloseRuleIsMeasuredAgainstSideA() {
        Tolerance tolerance = new Tolerance(1e-3, 0.1);
        assertTrue(tolerance.allows(10f, 11f));      // 1 <= 0.001 + 0.1·10
        assertFalse(tolerance.allows(1f, 0.5f));     // 0.5 > 0.001 + 0.1·1
        assertTrue(tolerance.allows(0f, 9e-4f));
        assertFalse(tolerance.allows(0f, 2e-3f));
        assertEquals(0.5, tolerance.ratio(10f, 10.5005f), 1e-4);
    }

    @Test
    void nonFiniteValuesAgreeOnlyWithThemselves() {
        Tolerance loose = new Tolerance(1, 1);
        assertTrue(loose.allows(Float.NaN, Float.NaN));
        assertTrue(loose.allows(Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY));
        assertFalse(loose.allows(Float.NaN, 1f));
        assertFalse(loose.allows(1f, Float.POSITIVE_INFINITY));
        assertFalse(loose.allows(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY));
        assertTrue(Tolerance.EXACT.allows(-0f, 0f));
    }

    @Test
    void exactToleranceRejectsAnyDifference() {
        assertTrue(Tolerance.EXACT.allows(1.5f, 1.5f));
        assertFalse(Tolerance.EXACT.allows(1f, Math.nextUp(1f)));
        assertEquals(Double.POSITIVE_INFINITY, Tolerance.EXACT.ratio(1f, Math.nextUp(1f)));
        assertTrue(Tolerances.exact().isExact());
        assertFalse(Tolerances.defaults().isExact());
    }

    @Test
    void tolerancesScaleWithTheSquareRootOfTheTermsSummedAndAtolWithTheTensorsMagnitude() {
        Tolerances defaults = Tolerances.defaults();
        Tolerance base = defaults.base(TensorKind.PARAM_GRAD);
        Tolerance scaled = defaults.forTensor(TensorKind.PARAM_GRAD, 36_864, 0.5);
        assertEquals(base.atol() * 0.5 * 192, scaled.atol(), 1e-15);
        assertEquals(base.rtol() * 192, scaled.rtol(), 1e-15);
        assertEquals(base, defaults.forTensor(TensorKind.PARAM_GRAD, 0, 1));
    }

    @Test
    void theSameRelativeErrorPassesWhateverTheTensorsScale() {
        // An element that cancelled to near zero, off by 1e-6 of the tensor's size, in tensors of very different magnitudes.
        for (float scale : new float[] {1e-4f, 1f, 1e4f}) {
            float[] a = {scale, -scale, 1e-3f * scale};
            float[] b = {scale, -scale, 1e-3f * scale + 1e-6f * scale};
            TensorDiff diff = TensorDiff.compare("t", TensorKind.ACTIVATION_GRAD, Shape.of(3), a, b, 1, Tolerances.defaults());
            assertTrue(diff.passed(), diff.describeWorst());
            assertEquals(scale * Math.sqrt((2 + 1e-6) / 3), diff.magnitude(), scale * 1e-6);
            // Off by 1e-4 of the tensor's size (ten times atol) fails at every scale.
            float[] wrong = {scale, -scale, 1e-3f * scale + 1e-4f * scale};
            assertFalse(TensorDiff.compare("t", TensorKind.ACTIVATION_GRAD, Shape.of(3), a, wrong, 1, Tolerances.defaults()).passed());
        }
    }

    @Test
    void rmsIgnoresNonFiniteValues() {
        assertEquals(5, TensorDiff.rms(new float[] {5, Float.NaN, -5, Float.POSITIVE_INFINITY}), 0.0);
        assertEquals(0, TensorDiff.rms(new float[] {Float.NaN}));
    }

    @Test
    void settingsReplaceOneKindAtATime() {
        Tolerances tolerances = Tolerances.defaults().with("param-grad=1e-7:2e-4").withRtol(TensorKind.LOSS, 0.5);
        assertEquals(new Tolerance(1e-7, 2e-4), tolerances.base(TensorKind.PARAM_GRAD));
        assertEquals(0.5, tolerances.base(TensorKind.LOSS).rtol());
        assertEquals(Tolerances.defaults().base(TensorKind.LOSS).atol(), tolerances.base(TensorKind.LOSS).atol());
        assertEquals(Tolerances.defaults().base(TensorKind.ACTIVATION), tolerances.base(TensorKind.ACTIVATION));
    }

    @Test
    void malformedSettingsSayWhatIsExpected() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tolerances.defaults().with("param-grad=1e-7"))
                .getMessage().contains("kind=atol:rtol"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tolerances.defaults().with("weights=1:1"))
                .getMessage().contains("unknown tensor kind 'weights'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tolerances.defaults().with("loss=a:1"))
                .getMessage().contains("must be numbers"));
        assertThrows(IllegalArgumentException.class, () -> new Tolerance(-1, 0));
    }

    @Test
    void aDiffFindsTheLargestErrorsAndTheWorstElementWithCoordinates() {
        Shape shape = Shape.of(2, 3);
        float[] a = {1, 2, 3, 100, 0, 6};
        float[] b = {1, 2, 3.5f, 100.6f, 0.01f, 6};
        TensorDiff diff = TensorDiff.compare("t", TensorKind.ACTIVATION, shape, a, b, 1, new Tolerance(0.001, 0.01));

        assertEquals(0.6, diff.maxAbs(), 1e-5);
        assertEquals(3, diff.maxAbsIndex());
        assertEquals(1.0, diff.maxRel(), 1e-6); // 0 against 0.01
        assertEquals(4, diff.maxRelIndex());
        assertEquals(0.5 / 0.031, diff.worstRatio(), 1e-6); // beats 0.01 / 0.001 at [1, 1] and 0.6 / 1.001 at [1, 0]
        assertEquals(2, diff.worstIndex());
        assertEquals("[0, 2]", diff.index(diff.worstIndex()));
        assertEquals(3f, diff.worstA());
        assertEquals(3.5f, diff.worstB());
        assertFalse(diff.passed());
        assertTrue(diff.describeWorst().startsWith("t (activation) at [0, 2]: a=3.0, b=3.5, |a-b|=5.00e-01 > tolerance 3.10e-02"),
                diff.describeWorst());
    }

    @Test
    void identicalTensorsHaveZeroErrorAndDifferentSizesAreAMismatch() {
        float[] values = {1, Float.NaN, -0f};
        TensorDiff same = TensorDiff.compare("t", TensorKind.PARAM, Shape.of(3), values, values.clone(), 1, Tolerance.EXACT);
        assertTrue(same.passed());
        assertEquals(0, same.maxAbs());
        assertNull(same.problem());

        TensorDiff sizes = TensorDiff.compare("t", TensorKind.PARAM, Shape.of(3), values, new float[2], 1, Tolerance.EXACT);
        assertFalse(sizes.passed());
        assertTrue(sizes.describeWorst().contains("backend A gave 3 values and backend B 2"), sizes.describeWorst());
    }
}
