package dev.isthmus.compare;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.tensor.Shape;

import java.util.Arrays;
import java.util.List;

/**
 * The one list of ops: every {@link OpCase} kind, with its name on the command line, how a case is
 * built from {@code compare --op} options, and an example case. {@code isthmus compare --op} (its
 * choices, help and errors), the conformance, gradient and argument-error suites and the JMH op
 * benchmark enumerate this list, so a new op is covered everywhere by one entry here and its
 * {@link OpCase} record (which brings its evaluation, its backward passes and its bad arguments).
 */
public enum OpCatalogue {
    /** 2-D convolution with bias, forward and the three gradients. */
    CONV2D("conv2d", new Conv2dCase(Shape.of(2, 3, 7, 6), Shape.of(4, 3, 3, 2), Conv2dSpec.of(1, 1))) {
        @Override
        OpCase build(Options o) {
            int[] weight = o.require(o.kernel(), "--kernel K,C,R,S (the weight shape, e.g. 16,3,3,3)");
            if (weight.length != 4) throw o.invalid("--kernel must be K,C,R,S, got " + text(weight));
            return new Conv2dCase(o.input(), Shape.of(weight), Conv2dSpec.of(o.stride() == null ? 1 : o.stride(), o.padding(), o.dilation()));
        }
    },
    /** Max pooling, forward and backward. */
    MAXPOOL2D("maxpool2d", new Pool2dCase(true, Shape.of(2, 3, 6, 7), Pool2dSpec.of(2))) {
        @Override
        OpCase build(Options o) {
            return new Pool2dCase(true, o.input(), poolSpec(o));
        }
    },
    /** Average pooling (padding counted), forward and backward. */
    AVGPOOL2D("avgpool2d", new Pool2dCase(false, Shape.of(2, 3, 6, 7), Pool2dSpec.of(3, 1, 1))) {
        @Override
        OpCase build(Options o) {
            return new Pool2dCase(false, o.input(), poolSpec(o));
        }
    },
    /** Global average pooling ({@code AdaptiveAvgPool2d(1)}), forward and backward. */
    GLOBAL_AVGPOOL2D("global-avgpool2d", new GlobalAvgPool2dCase(Shape.of(3, 5, 6, 7))) {
        @Override
        OpCase build(Options o) {
            return new GlobalAvgPool2dCase(o.input());
        }
    },
    /** Batch normalisation: training forward (running statistics too), backward, eval forward. */
    BATCHNORM2D("batchnorm2d", new BatchNorm2dCase(Shape.of(3, 4, 5, 6))) {
        @Override
        OpCase build(Options o) {
            return new BatchNorm2dCase(o.input());
        }
    },
    /** ReLU, forward and backward. */
    RELU("relu", new ReluCase(Shape.of(2, 3, 4, 5))) {
        @Override
        OpCase build(Options o) {
            return new ReluCase(o.input());
        }
    },
    /** Sigmoid ({@code nn.Sigmoid}), forward and backward. */
    SIGMOID("sigmoid", new SigmoidCase(Shape.of(2, 3, 4, 5))) {
        @Override
        OpCase build(Options o) {
            return new SigmoidCase(o.input());
        }
    },
    /** Elementwise product (dropout's mask), forward and both gradients. */
    MULTIPLY("multiply", new MultiplyCase(Shape.of(2, 3, 5, 7))) {
        @Override
        OpCase build(Options o) {
            return new MultiplyCase(o.input());
        }
    },
    /** Fully connected layer with bias, forward and the three gradients. */
    LINEAR("linear", new LinearCase(Shape.of(4, 10), 6)) {
        @Override
        OpCase build(Options o) {
            if (o.features() == null) throw o.missing("--features OUT (the output size)");
            Shape input = o.input();
            return new LinearCase(input.rank() > 2 ? Shape.of(input.dim(0), (int) (input.numel() / Math.max(1, input.dim(0)))) : input,
                    o.features());
        }
    },
    /** Softmax cross-entropy loss and its gradient. */
    CROSS_ENTROPY("cross-entropy", new CrossEntropyCase(Shape.of(5, 7))) {
        @Override
        OpCase build(Options o) {
            return new CrossEntropyCase(o.input());
        }
    },
    /** Adam and AdamW updates in place: the parameter and both moments after three steps. */
    ADAM("adam", new AdamCase(Shape.of(3, 4, 5, 6))) {
        @Override
        OpCase build(Options o) {
            return new AdamCase(o.input());
        }
    };

    /**
     * What {@code compare --op} gives for one op; the fields an op does not use are null (or their defaults).
     *
     * @param op       the op's name, for messages
     * @param shape    the input shape ({@code --shape})
     * @param kernel   the weight shape or pooling window ({@code --kernel}), or null
     * @param features linear's output features ({@code --features}), or null
     * @param stride   the stride ({@code --stride}), or null for the op's default
     * @param padding  the padding ({@code --padding})
     * @param dilation the dilation ({@code --dilation}), 1 unless conv2d
     */
    public record Options(String op, int[] shape, int[] kernel, Integer features, Integer stride, int padding, int dilation) {
        Shape input() {
            return Shape.of(shape);
        }

        int[] require(int[] value, String what) {
            if (value == null) throw missing(what);
            return value;
        }

        IllegalArgumentException missing(String what) {
            return new IllegalArgumentException("--op " + op + " needs " + what);
        }

        IllegalArgumentException invalid(String problem) {
            return new IllegalArgumentException("--op " + op + ": " + problem);
        }
    }

    private final String id;
    private final OpCase example;

    OpCatalogue(String id, OpCase example) {
        this.id = id;
        this.example = example;
    }

    /**
     * The op's name on the command line and in reports.
     *
     * @return the name, such as {@code conv2d}
     */
    public String id() {
        return id;
    }

    /**
     * A small case with odd sizes that every backend must agree on, for the conformance suites.
     *
     * @return the example case
     */
    public OpCase example() {
        return example;
    }

    /** Builds this op's case from the command-line options; throws naming the option that is missing or wrong. */
    abstract OpCase build(Options options);

    /**
     * The case {@code compare --op} asked for.
     *
     * @param options the parsed options; {@code options.op()} names the entry
     * @return the case
     * @throws IllegalArgumentException naming the unknown op and every known one, or the wrong option
     */
    public static OpCase fromOptions(Options options) {
        OpCatalogue entry = byId(options.op());
        if (options.shape() == null) {
            throw new IllegalArgumentException("--op " + options.op() + " needs --shape (for example --shape 8,3,32,32)");
        }
        if (entry != CONV2D && options.dilation() != 1) {
            throw new IllegalArgumentException("--dilation applies to --op conv2d only");
        }
        return entry.build(options);
    }

    /**
     * The entry of an op name.
     *
     * @param id one of {@link #ids()}
     * @return the entry
     * @throws IllegalArgumentException naming the unknown op and every known one
     */
    public static OpCatalogue byId(String id) {
        for (OpCatalogue entry : values()) {
            if (entry.id.equals(id)) return entry;
        }
        List<String> ids = ids();
        throw new IllegalArgumentException("unknown --op '" + id + "'; choose " + String.join(", ", ids.subList(0, ids.size() - 1))
                + " or " + ids.getLast());
    }

    /**
     * Every op's name, in catalogue order.
     *
     * @return the names, such as {@code conv2d}
     */
    public static List<String> ids() {
        return Arrays.stream(values()).map(OpCatalogue::id).toList();
    }

    private static String text(int[] values) {
        return String.join(",", Arrays.stream(values).mapToObj(Integer::toString).toList());
    }

    private static Pool2dSpec poolSpec(Options o) {
        int[] window = o.require(o.kernel(), "--kernel R or R,S (the window, e.g. 2)");
        if (window.length != 1 && window.length != 2) throw o.invalid("--kernel must be R or R,S, got " + text(window));
        int r = window[0], s = window[window.length - 1];
        Integer stride = o.stride();
        return new Pool2dSpec(r, s, stride == null ? r : stride, stride == null ? s : stride, o.padding(), o.padding());
    }
}
