package dev.isthmus.peer.libtorch;

import static org.bytedeco.pytorch.global.torch.relu;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.MaxPool2dImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * The PyTorch lesson's {@code Net}, layer for layer:
 * conv1 = Conv2d(1, 10, 5); conv2 = Conv2d(10, 20, 5); pooling = MaxPool2d(2); fc = Linear(320, 10);
 * forward: relu(pool(conv1(x))), relu(pool(conv2(x))), view(B, -1), fc.
 * libtorch initialises the layers exactly as PyTorch does (Kaiming-uniform with a = sqrt(5)).
 */
final class LessonCnn extends Module {

    private final Conv2dImpl conv1;
    private final Conv2dImpl conv2;
    private final MaxPool2dImpl pooling;
    private final LinearImpl fc;

    LessonCnn() {
        conv1 = register_module("conv1", new Conv2dImpl(1, 10, new LongPointer(5L, 5L)));
        conv2 = register_module("conv2", new Conv2dImpl(10, 20, new LongPointer(5L, 5L)));
        pooling = register_module("pooling", new MaxPool2dImpl(new LongPointer(2L, 2L)));
        fc = register_module("fc", new LinearImpl(320, 10));
    }

    /** The parameters by PyTorch state-dict name, in registration order (the tensors themselves, not copies). */
    Map<String, Tensor> stateDict() {
        Map<String, Tensor> parameters = new LinkedHashMap<>();
        parameters.put("conv1.weight", conv1.weight());
        parameters.put("conv1.bias", conv1.bias());
        parameters.put("conv2.weight", conv2.weight());
        parameters.put("conv2.bias", conv2.bias());
        parameters.put("fc.weight", fc.weight());
        parameters.put("fc.bias", fc.bias());
        return parameters;
    }

    Tensor forward(Tensor x) {
        long batch = x.size(0);
        x = relu(pooling.forward(conv1.forward(x)));
        x = relu(pooling.forward(conv2.forward(x)));
        x = x.view(batch, -1);
        return fc.forward(x);
    }
}
