package dev.isthmus.nn;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs several branches on the same input and concatenates their outputs along channels,
 * {@code torch.cat([b(x) for b in branches], dim=1)}: the Inception block's shape.
 * The branches' layers appear in the state dict under their own names, without a branch prefix,
 * as in the lesson's {@code InceptionA} where every conv is a direct attribute.
 */
public final class ChannelConcat implements Layer {
    private final List<Sequential> branches;
    private int[] branchChannels;

    /**
     * Runs every branch on the same input and concatenates their outputs along the channels.
     *
     * @param branches the branches, named in their Sequential
     */
    public ChannelConcat(List<Sequential> branches) {
        if (branches.isEmpty()) throw new IllegalArgumentException("concat: needs at least one branch");
        this.branches = List.copyOf(branches);
        children(); // fail early on duplicate names
    }

    @Override
    public Tensor forward(Tensor input, StepScope scope) {
        List<Tensor> outputs = new ArrayList<>(branches.size());
        for (Sequential branch : branches) {
            outputs.add(branch.forward(input, scope));
        }
        branchChannels = outputs.stream().mapToInt(t -> t.shape().dim(1)).toArray();
        return scope.track(input.backend().concatChannels(outputs));
    }

    @Override
    public Tensor backward(Tensor gradOutput, StepScope scope) {
        Backend backend = gradOutput.backend();
        List<Tensor> parts = backend.splitChannels(gradOutput, branchChannels);
        parts.forEach(scope::track);
        // The input fed every branch, so its gradient is the sum of the branches' input gradients.
        Tensor sum = null;
        for (int i = 0; i < branches.size(); i++) {
            Tensor grad = branches.get(i).backward(parts.get(i), scope);
            sum = sum == null ? grad : scope.track(backend.add(sum, grad));
        }
        return sum;
    }

    @Override
    public Shape outputShape(Shape input) {
        int channels = 0;
        Shape first = null;
        for (Sequential branch : branches) {
            Shape out = branch.outputShape(input);
            if (first != null && (out.dim(0) != first.dim(0) || out.dim(2) != first.dim(2) || out.dim(3) != first.dim(3))) {
                throw new IllegalArgumentException("concat: branch outputs " + first + " and " + out + " differ outside the channel axis");
            }
            first = first == null ? out : first;
            channels += out.dim(1);
        }
        return Shape.of(first.dim(0), channels, first.dim(2), first.dim(3));
    }

    @Override
    public Map<String, Layer> children() {
        Map<String, Layer> all = new LinkedHashMap<>();
        for (Sequential branch : branches) {
            branch.children().forEach((name, layer) -> {
                if (all.putIfAbsent(name, layer) != null) {
                    throw new IllegalArgumentException("concat: two branches both have a layer named '" + name + "'");
                }
            });
        }
        return all;
    }
}
