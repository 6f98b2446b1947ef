package dev.isthmus.backend;

import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

import static dev.isthmus.backend.OpArguments.live;
import static dev.isthmus.backend.OpArguments.rank;
import static dev.isthmus.backend.OpArguments.sameShape;

/** The argument checks and result shapes of the linear, loss, elementwise and channel ops, for {@link AbstractBackend}. */
final class DenseChecks {
    private DenseChecks() {
    }

    /** linear: returns the output shape [N, out]. */
    static Shape linear(Backend backend, Tensor input, Tensor weight, Tensor bias) {
        String op = "linear";
        live(backend, op, "input", input);
        live(backend, op, "weight", weight);
        if (bias != null) live(backend, op, "bias", bias);
        rank(op, "input", input, 2, "[N, in] (flatten images first)");
        rank(op, "weight", weight, 2, "[out, in]");
        int in = input.shape().dim(1), out = weight.shape().dim(0);
        if (weight.shape().dim(1) != in) {
            throw new IllegalArgumentException(op + ": input " + input.shape() + " has " + in + " features but weight " + weight.shape()
                    + " expects " + weight.shape().dim(1) + "; make the layer's in-features match the input");
        }
        OpArguments.bias(op, bias, weight, out, "outputs");
        return Shape.of(input.shape().dim(0), out);
    }

    /** linearBackwardInput: returns the gradient's shape [N, in]. */
    static Shape linearBackwardInput(Backend backend, Tensor gradOutput, Tensor weight) {
        String op = "linearBackwardInput";
        live(backend, op, "gradOutput", gradOutput);
        live(backend, op, "weight", weight);
        rank(op, "gradOutput", gradOutput, 2, "[N, out]");
        rank(op, "weight", weight, 2, "[out, in]");
        int out = weight.shape().dim(0);
        if (gradOutput.shape().dim(1) != out) {
            throw new IllegalArgumentException(op + ": gradOutput " + gradOutput.shape() + " has " + gradOutput.shape().dim(1)
                    + " features but weight " + weight.shape() + " has " + out + " outputs");
        }
        return Shape.of(gradOutput.shape().dim(0), weight.shape().dim(1));
    }

    /** linearBackwardWeight: returns the gradient's shape [out, in]. */
    static Shape linearBackwardWeight(Backend backend, Tensor input, Tensor gradOutput) {
        String op = "linearBackwardWeight";
        live(backend, op, "input", input);
        live(backend, op, "gradOutput", gradOutput);
        rank(op, "input", input, 2, "[N, in]");
        rank(op, "gradOutput", gradOutput, 2, "[N, out]");
        if (gradOutput.shape().dim(0) != input.shape().dim(0)) {
            throw new IllegalArgumentException(op + ": input " + input.shape() + " and gradOutput " + gradOutput.shape()
                    + " have different batch sizes");
        }
        return Shape.of(gradOutput.shape().dim(1), input.shape().dim(1));
    }

    /** softmaxCrossEntropy: logits [N ≥ 1, classes ≥ 1] and one label in [0, classes) per sample. */
    static void crossEntropy(Backend backend, Tensor logits, int[] labels) {
        String op = "softmaxCrossEntropy";
        live(backend, op, "logits", logits);
        rank(op, "logits", logits, 2, "[N, classes]");
        int batch = logits.shape().dim(0), classes = logits.shape().dim(1);
        if (batch == 0 || classes == 0) {
            throw new IllegalArgumentException(op + ": logits " + logits.shape() + " are empty; pass at least one sample and one class");
        }
        if (labels == null || labels.length != batch) {
            throw new IllegalArgumentException(op + ": " + (labels == null ? "labels are null" : labels.length + " labels")
                    + " for logits " + logits.shape() + "; pass one label per sample");
        }
        for (int n = 0; n < batch; n++) {
            if (labels[n] < 0 || labels[n] >= classes) {
                throw new IllegalArgumentException(op + ": label " + labels[n] + " at index " + n + " is outside [0, " + classes
                        + ") for logits " + logits.shape());
            }
        }
    }

    /** Two tensors of the same shape (add, reluBackward). */
    static void pair(Backend backend, String op, String firstName, Tensor first, String secondName, Tensor second) {
        live(backend, op, firstName, first);
        live(backend, op, secondName, second);
        sameShape(op, firstName, first, secondName, second);
    }

    /** concatChannels: returns the output shape [N, ΣC, H, W]. */
    static Shape concat(Backend backend, List<Tensor> inputs) {
        String op = "concatChannels";
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException(op + ": no inputs; pass at least one [N, C, H, W] tensor");
        }
        Shape first = null;
        int channels = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Tensor t = inputs.get(i);
            live(backend, op, "inputs[" + i + "]", t);
            rank(op, "inputs[" + i + "]", t, 4, "[N, C, H, W]");
            Shape s = t.shape();
            if (first == null) {
                first = s;
            } else if (s.dim(0) != first.dim(0) || s.dim(2) != first.dim(2) || s.dim(3) != first.dim(3)) {
                throw new IllegalArgumentException(op + ": inputs[" + i + "] " + s + " differs from inputs[0] " + first
                        + " in N, H or W; only the channel counts may differ");
            }
            channels += s.dim(1);
        }
        return Shape.of(first.dim(0), channels, first.dim(2), first.dim(3));
    }

    /** splitChannels: non-negative channel counts that add up to the input's. */
    static void split(Backend backend, Tensor input, int[] channels) {
        String op = "splitChannels";
        live(backend, op, "input", input);
        rank(op, "input", input, 4, "[N, C, H, W]");
        Shape s = input.shape();
        if (channels == null || channels.length == 0) {
            throw new IllegalArgumentException(op + ": no channel counts for input " + s + "; pass one count per part");
        }
        long sum = 0;
        for (int c : channels) {
            if (c < 0) {
                throw new IllegalArgumentException(op + ": channel count " + c + " is negative (input " + s + ")");
            }
            sum += c;
        }
        if (sum != s.dim(1)) {
            throw new IllegalArgumentException(op + ": channel counts " + Arrays.toString(channels) + " add up to " + sum
                    + " but input " + s + " has " + s.dim(1) + " channels");
        }
    }

    /** sgdMomentumStep: param, grad and momentum buffer of one shape. */
    static void sgd(Backend backend, Tensor param, Tensor grad, Tensor momentumBuffer) {
        String op = "sgdMomentumStep";
        live(backend, op, "param", param);
        live(backend, op, "grad", grad);
        live(backend, op, "momentumBuffer", momentumBuffer);
        sameShape(op, "param", param, "grad", grad);
        sameShape(op, "param", param, "momentumBuffer", momentumBuffer);
    }

    /** adamStep: param, grad and both moments of one shape; the hyper-parameters in range. */
    static void adam(Backend backend, Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamStep step) {
        String op = "adamStep";
        live(backend, op, "param", param);
        live(backend, op, "grad", grad);
        live(backend, op, "expAvg", expAvg);
        live(backend, op, "expAvgSq", expAvgSq);
        sameShape(op, "param", param, "grad", grad);
        sameShape(op, "param", param, "expAvg", expAvg);
        sameShape(op, "param", param, "expAvgSq", expAvgSq);
        if (step == null) throw new IllegalArgumentException(op + ": step settings are null; pass an AdamStep");
        step.check(op);
    }
}
