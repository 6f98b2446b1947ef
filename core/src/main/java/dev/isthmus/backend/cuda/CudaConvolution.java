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

    void forward(Tensor input, Tensor weight, Tensor bias, Conv2dSpec spec, Tensor output) {
        Descriptors d = cuda.descriptors();
        NativeScratch scratch = cuda.scratch();
        MemorySegment xDesc = d.tensor(input.shape());
        MemorySegment wDesc = d.filter(weight.shape());
        MemorySegment convDesc = d.convolution(spec);
        MemorySegment yDesc = d.tensor(output.shape());
        Choice choice = cuda.algorithms().choose(new Problem(Direction.FORWARD, input.shape(), weight.shape(), spec, xDesc, wDesc, convDesc, yDesc));
        MemorySegment ws = cuda.workspace().ensure(choice.workspaceBytes());
        CudaCheck.cudnn(Cudnn.cudnnConvolutionForward(cuda.cudnn(), scratch.one(), xDesc, input.segment(), wDesc, weight.segment(), convDesc,
                choice.algorithm(), ws, choice.workspaceBytes(), scratch.zero(), yDesc, output.segment()), "cudnnConvolutionForward");
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
        Descriptors d = cuda.descriptors();
        NativeScratch scratch = cuda.scratch();
        MemorySegment dxDesc = d.tensor(gradInput.shape());
        MemorySegment wDesc = d.filter(weight.shape());
        MemorySegment convDesc = d.convolution(spec);
        MemorySegment dyDesc = d.tensor(gradOutput.shape());
        Choice choice = cuda.algorithms().choose(new Problem(Direction.BACKWARD_DATA, gradInput.shape(), weight.shape(), spec,
                dxDesc, wDesc, convDesc, dyDesc));
        MemorySegment ws = cuda.workspace().ensure(choice.workspaceBytes());
        CudaCheck.cudnn(Cudnn.cudnnConvolutionBackwardData(cuda.cudnn(), scratch.one(), wDesc, weight.segment(), dyDesc, gradOutput.segment(),
                convDesc, choice.algorithm(), ws, choice.workspaceBytes(), scratch.zero(), dxDesc, gradInput.segment()), "cudnnConvolutionBackwardData");
    }

    void backwardWeight(Tensor input, Tensor gradOutput, Conv2dSpec spec, Tensor gradWeight) {
        Descriptors d = cuda.descriptors();
        NativeScratch scratch = cuda.scratch();
        MemorySegment xDesc = d.tensor(input.shape());
        MemorySegment dwDesc = d.filter(gradWeight.shape());
        MemorySegment convDesc = d.convolution(spec);
        MemorySegment dyDesc = d.tensor(gradOutput.shape());
        Choice choice = cuda.algorithms().choose(new Problem(Direction.BACKWARD_FILTER, input.shape(), gradWeight.shape(), spec,
                xDesc, dwDesc, convDesc, dyDesc));
        MemorySegment ws = cuda.workspace().ensure(choice.workspaceBytes());
        CudaCheck.cudnn(Cudnn.cudnnConvolutionBackwardFilter(cuda.cudnn(), scratch.one(), xDesc, input.segment(), dyDesc, gradOutput.segment(),
                convDesc, choice.algorithm(), ws, choice.workspaceBytes(), scratch.zero(), dwDesc, gradWeight.segment()), "cudnnConvolutionBackwardFilter");
    }

    /** Sums [N, K, (H, W)] over everything but K into [K], with cuDNN's bias gradient. */
    void biasGradient(Tensor gradOutput, Tensor gradBias) {
        NativeScratch scratch = cuda.scratch();
        Shape biasShape = gradBias.shape();
        CudaCheck.cudnn(Cudnn.cudnnConvolutionBackwardBias(cuda.cudnn(), scratch.one(), cuda.descriptors().tensor(gradOutput.shape()),
                gradOutput.segment(), scratch.zero(), cuda.descriptors().tensor(biasShape), gradBias.segment()), "cudnnConvolutionBackwardBias");
    }
}
