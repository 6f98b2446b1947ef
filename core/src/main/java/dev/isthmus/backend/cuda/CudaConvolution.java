package dev.isthmus.backend.cuda;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.cuda.ConvolutionAlgorithms.Choice;
import dev.isthmus.backend.cuda.ConvolutionAlgorithms.Direction;
import dev.isthmus.backend.cuda.ConvolutionAlgorithms.Problem;
import dev.isthmus.bindings.cudnn.Cudnn;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/**
 * Convolution through cuDNN: forward, both gradients (algorithm chosen once per shape by
 * {@link ConvolutionAlgorithms}, workspace shared) and the bias gradient, which also serves
 * {@code linear} ([N, out] is described as [N, out, 1, 1]).
 */
final class CudaConvolution {
    private final CudaContext cuda;

    CudaConvolution(CudaContext cuda) {
        this.cuda = cuda;
    }

    /** The descriptors, chosen algorithm and workspace of one convolution problem, in cuDNN's x, w, y naming. */
    private record Plan(MemorySegment xDesc, MemorySegment wDesc, MemorySegment convDesc, MemorySegment yDesc, Choice choice,
                        MemorySegment workspace) {
    }

    /** Descriptors (created once per shape), the algorithm (chosen once per problem) and a large enough workspace. */
    private Plan plan(Direction direction, Shape input, Shape weight, Shape output, Conv2dSpec spec) {
        Descriptors d = cuda.descriptors();
        MemorySegment xDesc = d.tensor(input);
        MemorySegment wDesc = d.filter(weight);
        MemorySegment convDesc = d.convolution(spec);
        MemorySegment yDesc = d.tensor(output);
        Choice choice = cuda.algorithms().choose(new Problem(direction, input, weight, spec, xDesc, wDesc, convDesc, yDesc));
        return new Plan(xDesc, wDesc, convDesc, yDesc, choice, cuda.workspace().ensure(choice.workspaceBytes()));
    }

    void forward(Tensor input, Tensor weight, Tensor bias, Conv2dSpec spec, Tensor output) {
        NativeScratch scratch = cuda.scratch();
        Plan p = plan(Direction.FORWARD, input.shape(), weight.shape(), output.shape(), spec);
        CudaCheck.cudnn(Cudnn.cudnnConvolutionForward(cuda.cudnn(), scratch.one(), p.xDesc(), input.segment(), p.wDesc(), weight.segment(),
                p.convDesc(), p.choice().algorithm(), p.workspace(), p.choice().workspaceBytes(), scratch.zero(), p.yDesc(), output.segment()),
                "cudnnConvolutionForward");
        if (bias != null) {
            addBias(bias, output, "cudnnAddTensor(conv2d bias)");
        }
    }

    /** y += bias broadcast over every axis but the channels: the bias is described as [1, K, 1, 1]. */
    void addBias(Tensor bias, Tensor output, String call) {
        NativeScratch scratch = cuda.scratch();
        CudaCheck.cudnn(Cudnn.cudnnAddTensor(cuda.cudnn(), scratch.one(), cuda.descriptors().tensor(bias.shape()), bias.segment(),
                scratch.one(), cuda.descriptors().tensor(output.shape()), output.segment()), call);
    }

    void backwardInput(Tensor gradOutput, Tensor weight, Conv2dSpec spec, Tensor gradInput) {
        NativeScratch scratch = cuda.scratch();
        Plan p = plan(Direction.BACKWARD_DATA, gradInput.shape(), weight.shape(), gradOutput.shape(), spec);
        CudaCheck.cudnn(Cudnn.cudnnConvolutionBackwardData(cuda.cudnn(), scratch.one(), p.wDesc(), weight.segment(), p.yDesc(), gradOutput.segment(),
                p.convDesc(), p.choice().algorithm(), p.workspace(), p.choice().workspaceBytes(), scratch.zero(), p.xDesc(), gradInput.segment()),
                "cudnnConvolutionBackwardData");
    }

    void backwardWeight(Tensor input, Tensor gradOutput, Conv2dSpec spec, Tensor gradWeight) {
        NativeScratch scratch = cuda.scratch();
        Plan p = plan(Direction.BACKWARD_FILTER, input.shape(), gradWeight.shape(), gradOutput.shape(), spec);
        CudaCheck.cudnn(Cudnn.cudnnConvolutionBackwardFilter(cuda.cudnn(), scratch.one(), p.xDesc(), input.segment(), p.yDesc(), gradOutput.segment(),
                p.convDesc(), p.choice().algorithm(), p.workspace(), p.choice().workspaceBytes(), scratch.zero(), p.wDesc(), gradWeight.segment()),
                "cudnnConvolutionBackwardFilter");
    }

    /** Sums [N, K, (H, W)] over everything but K into [K], with cuDNN's bias gradient. */
    void biasGradient(Tensor gradOutput, Tensor gradBias) {
        NativeScratch scratch = cuda.scratch();
        Shape biasShape = gradBias.shape();
        CudaCheck.cudnn(Cudnn.cudnnConvolutionBackwardBias(cuda.cudnn(), scratch.one(), cuda.descriptors().tensor(gradOutput.shape()),
                gradOutput.segment(), scratch.zero(), cuda.descriptors().tensor(biasShape), gradBias.segment()), "cudnnConvolutionBackwardBias");
    }
}
