package dev.isthmus.peer.libtorch;

import static org.bytedeco.pytorch.global.torch.from_blob;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * One MNIST split as libtorch tensors, held in memory for the whole run: images N x 1 x 28 x 28 float,
 * normalised as the lesson's transforms do (ToTensor, then Normalize(0.1307, 0.3081)); labels N int64.
 */
record MnistTensors(Tensor images, Tensor labels, int count) {

    static final float MEAN = 0.1307f;
    static final float STD = 0.3081f;

    static MnistTensors of(MnistSplit split) {
        int pixelsPerImage = split.pixelsPerImage();
        float[] normalised = new float[split.count() * pixelsPerImage];
        for (int i = 0; i < normalised.length; i++) {
            normalised[i] = ((split.pixels()[i] & 0xFF) / 255f - MEAN) / STD;
        }
        long[] labels = new long[split.count()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = split.labels()[i] & 0xFF;
        }
        // from_blob only borrows the native buffer; clone() gives tensors that own their memory.
        try (FloatPointer pixelBuffer = new FloatPointer(normalised);
             LongPointer labelBuffer = new LongPointer(labels)) {
            Tensor images = from_blob(pixelBuffer, new long[] {split.count(), 1, split.rows(), split.columns()},
                    new TensorOptions(ScalarType.Float)).clone();
            Tensor labelTensor = from_blob(labelBuffer, new long[] {split.count()},
                    new TensorOptions(ScalarType.Long)).clone();
            return new MnistTensors(images, labelTensor, split.count());
        }
    }
}
