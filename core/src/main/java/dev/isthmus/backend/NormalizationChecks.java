package dev.isthmus.backend;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import static dev.isthmus.backend.OpArguments.live;
import static dev.isthmus.backend.OpArguments.rank;
import static dev.isthmus.backend.OpArguments.sameShape;

/** The argument checks of the batch-normalisation ops, for {@link AbstractBackend}. */
final class NormalizationChecks {
    private NormalizationChecks() {
    }

    /**
     * The checks the training and inference forwards share: input [N, C, H, W], four per-channel
     * tensors of shape [C], a positive finite eps.
     */
    static void forward(Backend backend, String op, Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                        double eps) {
        live(backend, op, "input", input);
        rank(op, "input", input, 4, "[N, C, H, W]");
        perChannel(backend, op, input, "weight", weight);
        perChannel(backend, op, input, "bias", bias);
        perChannel(backend, op, input, "runningMean", runningMean);
        perChannel(backend, op, input, "runningVar", runningVar);
        eps(op, eps);
    }

    /** batchNorm2dTraining: momentum in [0, 1] and at least two values per channel (the running variance is unbiased). */
    static void training(String op, Tensor input, double momentum) {
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(op + ": momentum must be between 0 and 1, got " + momentum + "; PyTorch's default is 0.1");
        }
        valuesPerChannel(op, input.shape());
    }

    /** batchNorm2dBackward: gradOutput like input, weight and the saved statistics [C]. */
    static void backward(Backend backend, String op, Tensor input, Tensor gradOutput, Tensor weight, Tensor savedMean, Tensor savedInvStd,
                         double eps) {
        live(backend, op, "input", input);
        live(backend, op, "gradOutput", gradOutput);
        rank(op, "input", input, 4, "[N, C, H, W]");
        sameShape(op, "input", input, "gradOutput", gradOutput);
        perChannel(backend, op, input, "weight", weight);
        perChannel(backend, op, input, "savedMean", savedMean);
        perChannel(backend, op, input, "savedInvStd", savedInvStd);
        eps(op, eps);
        valuesPerChannel(op, input.shape());
    }

    private static void perChannel(Backend backend, String op, Tensor input, String name, Tensor tensor) {
        live(backend, op, name, tensor);
        int channels = input.shape().dim(1);
        if (!tensor.shape().equals(Shape.of(channels))) {
            throw new IllegalArgumentException(op + ": " + name + " has shape " + tensor.shape() + " but input " + input.shape() + " has "
                    + channels + " channels; pass one value per channel, shape [" + channels + "]");
        }
    }

    private static void eps(String op, double eps) {
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException(op + ": eps must be positive and finite, got " + eps + "; PyTorch's default is 1e-5");
        }
    }

    private static void valuesPerChannel(String op, Shape input) {
        long perChannel = (long) input.dim(0) * input.dim(2) * input.dim(3);
        if (perChannel < 2 && input.dim(1) > 0) {
            throw new IllegalArgumentException(op + ": input " + input + " has " + perChannel + " value(s) per channel; batch statistics "
                    + "need at least 2 (use a larger batch, or eval mode)");
        }
    }
}
