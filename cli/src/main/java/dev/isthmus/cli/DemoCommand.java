package dev.isthmus.cli;

import dev.isthmus.backend.Backend;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.backend.Pool2dSpec;
import dev.isthmus.backend.reference.ReferenceBackend;
import dev.isthmus.tensor.Shape;
import dev.isthmus.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Reproduces the four printed examples of the lesson (Conv2d shapes, padding, stride, MaxPool2d),
 * computed by the reference backend and printed the way the lesson's PyTorch script prints them.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Print the lesson's Conv2d/MaxPool2d examples, computed by the reference backend.")
public final class DemoCommand implements Callable<Integer> {
    private static final float[] IMAGE_5X5 = {
            3, 4, 6, 5, 7,
            2, 4, 6, 8, 2,
            1, 6, 7, 8, 4,
            9, 7, 4, 6, 2,
            3, 7, 5, 4, 1};
    private static final float[] KERNEL_1_TO_9 = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    private static final float[] IMAGE_4X4 = {
            3, 4, 6, 5,
            2, 4, 6, 8,
            1, 6, 7, 8,
            9, 7, 4, 6};
    private static final String CONV_GRAD_FN = ", grad_fn=<ConvolutionBackward0>";

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Backend backend = new ReferenceBackend()) {
            printShapes(backend, out);
            printConv(backend, out, "output2", Conv2dSpec.of(1, 1));
            printConv(backend, out, "output3", Conv2dSpec.of(2, 0));
            printMaxPool(backend, out);
        }
        out.flush();
        return 0;
    }

    /** input (1,5,100,100), Conv2d(5, 10, kernel_size=3): only shapes are printed, so values are random. */
    private static void printShapes(Backend backend, PrintWriter out) {
        Shape inputShape = Shape.of(1, 5, 100, 100);
        Shape weightShape = Shape.of(10, 5, 3, 3);
        SplittableRandom random = new SplittableRandom(0);
        try (Tensor input = backend.fromArray(inputShape, gaussian(random, inputShape));
             Tensor weight = backend.fromArray(weightShape, gaussian(random, weightShape));
             Tensor bias = backend.zeros(Shape.of(10));
             Tensor output = backend.conv2d(input, weight, bias, Conv2dSpec.defaults())) {
            out.println("input shape: " + input.shape().toTorchString());
            out.println("output shape: " + output.shape().toTorchString());
            out.println("conv_layer wight: " + weight.shape().toTorchString());
        }
    }

    private static void printConv(Backend backend, PrintWriter out, String name, Conv2dSpec geometry) {
        try (Tensor input = backend.fromArray(Shape.of(1, 1, 5, 5), IMAGE_5X5);
             Tensor kernel = backend.fromArray(Shape.of(1, 1, 3, 3), KERNEL_1_TO_9);
             Tensor output = backend.conv2d(input, kernel, null, geometry)) {
            out.println(name + " shape " + output.shape().toTorchString());
            out.println(name + ": " + TorchFormat.tensor(output.shape(), output.toArray(), CONV_GRAD_FN));
        }
    }

    private static void printMaxPool(Backend backend, PrintWriter out) {
        try (Tensor input = backend.fromArray(Shape.of(1, 1, 4, 4), IMAGE_4X4);
             Tensor output = backend.maxPool2d(input, Pool2dSpec.of(2))) {
            out.println("output4 shape " + output.shape().toTorchString());
            out.println("output " + TorchFormat.tensor(output.shape(), output.toArray(), ""));
        }
    }

    private static float[] gaussian(SplittableRandom random, Shape shape) {
        float[] values = new float[Math.toIntExact(shape.numel())];
        for (int i = 0; i < values.length; i++) {
            // Box-Muller, like torch.randn's distribution (not its stream).
            double u = 1.0 - random.nextDouble();
            values[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble()));
        }
        return values;
    }
}
