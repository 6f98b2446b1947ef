package dev.isthmus.nn;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.BatchNormGradients;
import dev.isthmus.backend.BatchNormOutput;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code nn.BatchNorm2d(channels, eps, momentum, affine)} with PyTorch's state-dict names: parameters
 * {@code weight} (starts at 1) and {@code bias} (starts at 0) when affine; buffers {@code running_mean}
 * (0), {@code running_var} (1) and {@code num_batches_tracked} (0, a float scalar here; PyTorch's
 * int64 {@code load_state_dict} converts it).
 * <p>
 * Training mode normalises with the batch statistics (biased variance) and updates the running
 * statistics with {@code momentum} (unbiased variance); eval mode normalises with the running
 * statistics. The backward pass exists in training mode only.
 */
public final class BatchNorm2d implements Layer {
    private final int channels;
    private final double eps;
    private final double momentum;
    private final Parameter weight;
    private final Parameter bias;
    private final Buffer runningMean;
    private final Buffer runningVar;
    private final Buffer numBatchesTracked;
    private boolean training = true;
    private Tensor input;
    private Tensor scale;
    private BatchNormOutput saved;

    /**
     * PyTorch's defaults: eps 1e-5, momentum 0.1, affine.
     *
     * @param backend  where the state lives
     * @param channels C of the [N, C, H, W] input
     */
    public BatchNorm2d(Backend backend, int channels) {
        this(backend, channels, 1e-5, 0.1, true);
    }

    /**
     * A batch-normalisation layer with the given options.
     *
     * @param backend  where the state lives
     * @param channels C of the [N, C, H, W] input
     * @param eps      added to the variance, positive
     * @param momentum weight of the batch statistic in the running statistics, in [0, 1]
     * @param affine   whether a learnable scale and shift follow the normalisation
     */
    public BatchNorm2d(Backend backend, int channels, double eps, double momentum, boolean affine) {
        if (channels <= 0) throw new IllegalArgumentException("BatchNorm2d: channels must be positive, got " + channels);
        if (!(eps > 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("BatchNorm2d: eps must be positive and finite, got " + eps);
        if (!(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException("BatchNorm2d: momentum must be in [0, 1], got " + momentum);
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        Shape c = Shape.of(channels);
        this.weight = affine ? new Parameter(backend.fromArray(c, ones()), 1, Initializer.constant(1)) : null;
        this.bias = affine ? new Parameter(backend.zeros(c), 1, Initializer.constant(0)) : null;
        this.runningMean = new Buffer(backend.zeros(c), Initializer.constant(0));
        this.runningVar = new Buffer(backend.fromArray(c, ones()), Initializer.constant(1));
        this.numBatchesTracked = new Buffer(backend.zeros(Shape.of()), Initializer.constant(0));
    }

    @Override
    public Tensor forward(Tensor input, StepScope scope) {
        this.input = input;
        Backend backend = input.backend();
        this.scale = weight != null ? weight.value() : scope.track(backend.fromArray(Shape.of(channels), ones()));
        Tensor shift = bias != null ? bias.value() : scope.track(backend.zeros(Shape.of(channels)));
        if (!training) {
            return scope.track(backend.batchNorm2dInference(input, scale, shift, runningMean.value(), runningVar.value(), eps));
        }
        saved = backend.batchNorm2dTraining(input, scale, shift, runningMean.value(), runningVar.value(), momentum, eps);
        scope.track(saved.savedMean());
        scope.track(saved.savedInvStd());
        Tensor output = scope.track(saved.output()); // tracked before the count's upload, which may fail
        numBatchesTracked.load(new float[] {numBatchesTracked.value().toArray()[0] + 1});
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOutput, StepScope scope) {
        if (!training || saved == null) {
            throw new IllegalStateException("BatchNorm2d.backward needs a forward pass in training mode; call model.train() first");
        }
        BatchNormGradients g = gradOutput.backend().batchNorm2dBackward(input, gradOutput, scale, saved.savedMean(), saved.savedInvStd(), eps);
        if (weight != null) {
            weight.setGrad(g.gradWeight());
            bias.setGrad(g.gradBias());
        } else {
            g.gradWeight().close();
            g.gradBias().close();
        }
        return scope.track(g.gradInput());
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.rank() != 4 || input.dim(1) != channels) {
            throw new IllegalArgumentException("BatchNorm2d(" + channels + "): input must be [N, " + channels + ", H, W], got " + input);
        }
        return input;
    }

    @Override
    public Map<String, Parameter> parameters() {
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        if (weight != null) {
            parameters.put("weight", weight);
            parameters.put("bias", bias);
        }
        return parameters;
    }

    @Override
    public Map<String, Buffer> buffers() {
        Map<String, Buffer> buffers = new LinkedHashMap<>();
        buffers.put("running_mean", runningMean);
        buffers.put("running_var", runningVar);
        buffers.put("num_batches_tracked", numBatchesTracked);
        return buffers;
    }

    @Override
    public void setTraining(boolean training) {
        this.training = training;
        Layer.super.setTraining(training);
    }

    private float[] ones() {
        float[] values = new float[channels];
        java.util.Arrays.fill(values, 1f);
        return values;
    }
}
