package dev.isthmus.backend.cuda;

import dev.isthmus.bindings.cudnn.Cudnn;

/**
 * The cuDNN activation functions the backend uses. Each one's backward needs only the forward
 * output, so {@code cudnnActivationBackward} gets the output where cuDNN names the input.
 */
enum Activation {
    /** {@code torch.relu}. */
    RELU,
    /** {@code torch.sigmoid}. */
    SIGMOID;

    /** The {@code cudnnActivationMode_t} value. */
    int mode() {
        return switch (this) {
            case RELU -> Cudnn.CUDNN_ACTIVATION_RELU();
            case SIGMOID -> Cudnn.CUDNN_ACTIVATION_SIGMOID();
        };
    }
}
