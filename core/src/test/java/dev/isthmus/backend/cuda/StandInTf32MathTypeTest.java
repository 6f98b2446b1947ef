package dev.isthmus.backend.cuda;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.cuda.ConvolutionAlgorithms.Choice;
import dev.isthmus.backend.cuda.ConvolutionAlgorithms.Direction;
import dev.isthmus.backend.cuda.ConvolutionAlgorithms.Problem;
import dev.isthmus.bindings.cudnn.Cudnn;
import dev.isthmus.tensor.Shape;
import dev.isthmus.testing.standin.CudaStandIn;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * With TF32, the convolution descriptor carries the math type cuDNN returned with the chosen algorithm
 * (PyTorch sets it per algorithm). The stand-in, like cuDNN, reports tensor-op math only for algorithms with
 * tensor-core kernels and FMA math for the others, so a descriptor left at tensor-op math would not match.
 */
@Tag("standin")
class StandInTf32MathTypeTest {

    /** cudnnGetConvolutionMathType, which the generated bindings do not include; called only here. */
    private static int mathTypeOf(MemorySegment convDesc) throws Throwable {
        MethodHandle get = Linker.nativeLinker().downcallHandle(
                SymbolLookup.loaderLookup().find("cudnnGetConvolutionMathType").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
            assertEquals(Cudnn.CUDNN_STATUS_SUCCESS(), (int) get.invokeExact(convDesc, out));
            return out.get(ValueLayout.JAVA_INT, 0);
        }
    }

    @ParameterizedTest
    @EnumSource(AlgorithmSearch.class)
    void descriptorGetsTheMathTypeOfTheChosenAlgorithm(AlgorithmSearch search) throws Throwable {
        CudaStandIn.loadForBindings();
        CudaOptions options = CudaOptions.defaults().withTf32(true).withAlgorithmSearch(search);
        Shape input = Shape.of(2, 3, 8, 8);
        Shape weight = Shape.of(4, 3, 3, 3);
        Conv2dSpec spec = Conv2dSpec.of(1, 1);
        try (NativeScratch scratch = new NativeScratch();
             Descriptors descriptors = new Descriptors(scratch, Cudnn.CUDNN_TENSOR_OP_MATH())) {
            CudaCheck.cudnn(Cudnn.cudnnCreate(scratch.pointer()), "cudnnCreate");
            MemorySegment handle = scratch.pointerValue();
            try {
                ConvolutionAlgorithms algorithms = new ConvolutionAlgorithms(handle, scratch, options);
                MemorySegment convDesc = descriptors.convolution(spec);
                Shape output = spec.outputShape(input, weight);
                Problem forward = new Problem(Direction.FORWARD, input, weight, spec, descriptors.tensor(input),
                        descriptors.filter(weight), convDesc, descriptors.tensor(output));
                Problem backwardData = new Problem(Direction.BACKWARD_DATA, input, weight, spec, descriptors.tensor(input),
                        descriptors.filter(weight), convDesc, descriptors.tensor(output));

                Choice forwardChoice = algorithms.choose(forward);
                assertEquals(forwardChoice.mathType(), mathTypeOf(convDesc), "after choosing the forward algorithm");
                Choice backwardChoice = algorithms.choose(backwardData);
                assertEquals(backwardChoice.mathType(), mathTypeOf(convDesc), "after choosing the backward-data algorithm");
                // The stand-in's first forward choice has no tensor-core kernel, its backward-data one has:
                assertNotEquals(forwardChoice.mathType(), backwardChoice.mathType());
                algorithms.choose(forward); // remembered, and the descriptor set again for this direction
                assertEquals(forwardChoice.mathType(), mathTypeOf(convDesc), "a remembered choice sets its math type again");
            } finally {
                Cudnn.cudnnDestroy(handle);
            }
        }
    }
}
