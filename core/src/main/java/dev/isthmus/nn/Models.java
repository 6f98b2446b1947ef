package dev.isthmus.nn;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.tensor.Shape;

import java.util.Arrays;
import java.util.List;

/**
 * The lesson's networks for 1×28×28 images and 10 classes (or as many as an image folder has),
 * built from the reusable layers.
 * Layer names follow the lesson's PyTorch modules so checkpoints load with {@code load_state_dict}.
 */
public enum Models {
    /** The lesson's CNN: conv 1→10 k5, pool, relu, conv 10→20 k5, pool, relu, flatten 320, linear → 10. */
    CNN("cnn", false, Models::cnn),
    /** GoogLeNet-style: conv, pool, relu, Inception(10), conv 88→20, pool, relu, Inception(20), linear 1408 → 10. */
    INCEPTION("inception", false, Models::inception),
    /** Residual: conv 1→16, pool, relu, Residual(16), conv 16→32, pool, relu, Residual(32), linear 512 → 10. */
    RESNET("resnet", false, Models::resnet),
    /**
     * Residual with batch normalisation (not from the lesson): conv 1→32 3×3, BN, relu [32×28×28], pool [32×14×14],
     * BN-Residual(32), conv 32→64 3×3, BN, relu [64×14×14], pool [64×7×7], BN-Residual(64), global average
     * pool [64×1×1], dropout (p 0 unless asked for: no state-dict entry), linear 64 → 10; convolutions without bias
     * (BN's shift replaces it), 112,106 parameters. Widths 32/64 rather than 16/32 because the narrower net
     * (28 k parameters) stopped at 92.4% on Fashion-MNIST in 10 epochs, in PyTorch as in Isthmus.
     */
    RESNET_BN("resnet-bn", true, Models::resnetBn);

    /**
     * One MNIST image without the batch axis: [1, 28, 28].
     */
    public static final Shape MNIST_SAMPLE = Shape.of(1, 28, 28);
    /** MNIST's ten digits: the number of outputs of {@link #create(Backend)}. */
    public static final int MNIST_CLASSES = 10;

    /**
     * A dropout setting: the probability of dropping an element, and the seed of the mask sequence.
     *
     * @param p    the probability, in [0, 1); 0 makes the layer the identity
     * @param seed the seed the masks are drawn from (with the step number)
     */
    public record DropoutSetting(double p, long seed) {
        /** No dropout: the models as the lesson has them. */
        public static final DropoutSetting NONE = new DropoutSetting(0, 0);

        /** Checks p, naming the command-line option. */
        public DropoutSetting {
            if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("--dropout must be at least 0 and below 1, got " + p);
        }
    }

    /** Builds a network with a given id, number of outputs and dropout (ignored by models without dropout). */
    private interface Factory {
        Model create(Backend backend, String id, int classes, DropoutSetting dropout);
    }

    private final String id;
    private final boolean hasDropout;
    private final Factory factory;

    Models(String id, boolean hasDropout, Factory factory) {
        this.id = id;
        this.hasDropout = hasDropout;
        this.factory = factory;
    }

    /**
     * The model's name on the command line and in checkpoints.
     *
     * @return the id, such as {@code cnn}
     */
    public String id() {
        return id;
    }

    /**
     * A new model with zero parameters on {@code backend}; call {@link Model#initialize} or load a checkpoint.
     *
     * @param backend where its parameters live
     * @return the new model
     */
    public Model create(Backend backend) {
        return createWithClasses(backend, MNIST_CLASSES);
    }

    /**
     * A new model for {@code classes} classes, with zero parameters.
     *
     * @param backend where its parameters live
     * @param classes the number of outputs (the last layer's size)
     * @return the new model
     */
    public Model createWithClasses(Backend backend, int classes) {
        return createWithClasses(backend, classes, DropoutSetting.NONE);
    }

    /**
     * A new model for {@code classes} classes with dropout, with zero parameters.
     *
     * @param backend where its parameters live
     * @param classes the number of outputs (the last layer's size)
     * @param dropout the dropout setting; p above 0 only for a model that {@link #hasDropout() has dropout}
     * @return the new model
     * @throws IllegalArgumentException for p above 0 on a model without dropout, naming the ones with it
     */
    public Model createWithClasses(Backend backend, int classes, DropoutSetting dropout) {
        if (classes < 1) throw new IllegalArgumentException("a model needs at least one class, got " + classes);
        requireDropoutSupport(dropout.p());
        return factory.create(backend, id, classes, dropout);
    }

    /**
     * Whether the model has a dropout layer, so that {@code --dropout} applies to it.
     *
     * @return true for the models with dropout
     */
    public boolean hasDropout() {
        return hasDropout;
    }

    /**
     * Refuses a dropout probability above 0 for a model without dropout.
     *
     * @param p the probability asked for
     * @throws IllegalArgumentException naming the models that have dropout
     */
    public void requireDropoutSupport(double p) {
        if (p != 0 && !hasDropout) {
            List<String> withDropout = Arrays.stream(values()).filter(Models::hasDropout).map(Models::id).toList();
            throw new IllegalArgumentException("model '" + id + "' has no dropout layer; --dropout applies to "
                    + String.join(", ", withDropout) + " (pass --model " + withDropout.getFirst() + ", or leave out --dropout)");
        }
    }

    /**
     * A new model initialised like PyTorch from {@code seed}.
     *
     * @param backend where its parameters live
     * @param seed    the initialisation's seed
     * @return the new model
     */
    public Model create(Backend backend, long seed) {
        Model model = create(backend);
        model.initialize(seed);
        return model;
    }

    /**
     * The model of a command-line id.
     *
     * @param id one of {@link #ids()}
     * @return the model
     * @throws IllegalArgumentException naming the unknown id and every known one
     */
    public static Models byId(String id) {
        for (Models m : values()) {
            if (m.id.equals(id)) return m;
        }
        throw new IllegalArgumentException("unknown model '" + id + "'; choose one of: " + String.join(", ", ids()));
    }

    /**
     * Every model's id, in declaration order: the one list the command line's descriptions and errors come from.
     *
     * @return the ids, such as {@code cnn}
     */
    public static List<String> ids() {
        return Arrays.stream(values()).map(Models::id).toList();
    }

    private static Model cnn(Backend backend, String id, int classes, DropoutSetting unused) {
        Sequential net = new Sequential()
                .add("conv1", new Conv2d(backend, 1, 10, 5, 0))
                .add("pool1", new MaxPool2d(Pool2dSpec.of(2)))
                .add("relu1", new ReLU())
                .add("conv2", new Conv2d(backend, 10, 20, 5, 0))
                .add("pool2", new MaxPool2d(Pool2dSpec.of(2)))
                .add("relu2", new ReLU())
                .add("flatten", new Flatten())
                .add("fc", new Linear(backend, 320, classes));
        return new Model(id, backend, net, MNIST_SAMPLE);
    }

    private static Model inception(Backend backend, String id, int classes, DropoutSetting unused) {
        Sequential net = new Sequential()
                .add("conv1", new Conv2d(backend, 1, 10, 5, 0))
                .add("pool1", new MaxPool2d(Pool2dSpec.of(2)))
                .add("relu1", new ReLU())
                .add("incep1", inceptionBlock(backend, 10))
                .add("conv2", new Conv2d(backend, 88, 20, 5, 0))
                .add("pool2", new MaxPool2d(Pool2dSpec.of(2)))
                .add("relu2", new ReLU())
                .add("incep2", inceptionBlock(backend, 20))
                .add("flatten", new Flatten())
                .add("fc", new Linear(backend, 1408, classes));
        return new Model(id, backend, net, MNIST_SAMPLE);
    }

    /**
     * The lesson's InceptionA: four branches of 16 + 24 + 24 + 24 = 88 channels.
     *
     * @param backend where its parameters live
     * @param in      the input channels
     * @return the block
     */
    public static ChannelConcat inceptionBlock(Backend backend, int in) {
        return new ChannelConcat(List.of(
                new Sequential()
                        .add("branch1x1", new Conv2d(backend, in, 16, 1, 0)),
                new Sequential()
                        .add("branch5x5_1", new Conv2d(backend, in, 16, 1, 0))
                        .add("branch5x5_2", new Conv2d(backend, 16, 24, 5, 2)),
                new Sequential()
                        .add("branch3x3_1", new Conv2d(backend, in, 16, 1, 0))
                        .add("branch3x3_2", new Conv2d(backend, 16, 24, 3, 1))
                        .add("branch3x3_3", new Conv2d(backend, 24, 24, 3, 1)),
                new Sequential()
                        .add("branch_pool_avg", new AvgPool2d(Pool2dSpec.of(3, 1, 1)))
                        .add("branch_pool", new Conv2d(backend, in, 24, 1, 0))));
    }

    private static Model resnet(Backend backend, String id, int classes, DropoutSetting unused) {
        Sequential net = new Sequential()
                .add("conv1", new Conv2d(backend, 1, 16, 5, 0))
                .add("pool1", new MaxPool2d(Pool2dSpec.of(2)))
                .add("relu1", new ReLU())
                .add("rblock1", residualBlock(backend, 16))
                .add("conv2", new Conv2d(backend, 16, 32, 5, 0))
                .add("pool2", new MaxPool2d(Pool2dSpec.of(2)))
                .add("relu2", new ReLU())
                .add("rblock2", residualBlock(backend, 32))
                .add("flatten", new Flatten())
                .add("fc", new Linear(backend, 512, classes));
        return new Model(id, backend, net, MNIST_SAMPLE);
    }

    private static Model resnetBn(Backend backend, String id, int classes, DropoutSetting dropout) {
        Sequential net = new Sequential()
                .add("conv1", new Conv2d(backend, 1, 32, 3, Conv2dSpec.of(1, 1), false))
                .add("bn1", new BatchNorm2d(backend, 32))
                .add("relu1", new ReLU())
                .add("pool1", new MaxPool2d(Pool2dSpec.of(2)))
                .add("rblock1", normalizedResidualBlock(backend, 32))
                .add("conv2", new Conv2d(backend, 32, 64, 3, Conv2dSpec.of(1, 1), false))
                .add("bn2", new BatchNorm2d(backend, 64))
                .add("relu2", new ReLU())
                .add("pool2", new MaxPool2d(Pool2dSpec.of(2)))
                .add("rblock2", normalizedResidualBlock(backend, 64))
                .add("gap", new GlobalAvgPool2d())
                .add("flatten", new Flatten())
                .add("dropout", new Dropout(dropout.p(), dropout.seed()))
                .add("fc", new Linear(backend, 64, classes));
        return new Model(id, backend, net, MNIST_SAMPLE);
    }

    /**
     * resnet-bn's residual block: relu(x + bn2(conv2(relu(bn1(conv1(x)))))), 3×3 convs with padding 1 and no bias.
     *
     * @param backend  where its parameters live
     * @param channels input and output channels
     * @return the block
     */
    public static Residual normalizedResidualBlock(Backend backend, int channels) {
        return new Residual(new Sequential()
                .add("conv1", new Conv2d(backend, channels, channels, 3, Conv2dSpec.of(1, 1), false))
                .add("bn1", new BatchNorm2d(backend, channels))
                .add("relu", new ReLU())
                .add("conv2", new Conv2d(backend, channels, channels, 3, Conv2dSpec.of(1, 1), false))
                .add("bn2", new BatchNorm2d(backend, channels)));
    }

    /**
     * The lesson's ResidualBlock: relu(x + conv2(relu(conv1(x)))), 3×3 convs with padding 1.
     *
     * @param backend  where its parameters live
     * @param channels the input and output channels
     * @return the block
     */
    public static Residual residualBlock(Backend backend, int channels) {
        return new Residual(new Sequential()
                .add("conv1", new Conv2d(backend, channels, channels, 3, 1))
                .add("relu", new ReLU())
                .add("conv2", new Conv2d(backend, channels, channels, 3, 1)));
    }
}
