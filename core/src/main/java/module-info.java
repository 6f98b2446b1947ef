/**
 * Isthmus: tensors in off-heap memory, the {@code Backend} contract with a pure-Java reference backend
 * and a cuDNN/cuBLAS backend, layers and models, MNIST-style data, training, safetensors checkpoints,
 * backend comparison, and prediction on images. Run with
 * {@code --enable-native-access=dev.isthmus.core,dev.isthmus.bindings}.
 */
module dev.isthmus.core {
    requires dev.isthmus.bindings;
    requires java.net.http;
    requires transitive java.desktop; // BufferedImage in the Predictor API; ImageIO reads images
    requires transitive com.fasterxml.jackson.databind; // ObjectNode in the JSON reports' signatures
    requires org.apache.commons.compress;
    requires org.apache.commons.io;
    // The Vector API kernels (backend.vector) only: optional at run time, so the incubator module, and the JVM's
    // "Using incubator modules" warning, appear only where --add-modules jdk.incubator.vector asks for them.
    requires static jdk.incubator.vector;

    exports dev.isthmus;
    exports dev.isthmus.tensor;
    exports dev.isthmus.backend;
    exports dev.isthmus.backend.reference;
    exports dev.isthmus.backend.cpu;
    exports dev.isthmus.backend.vector;
    exports dev.isthmus.backend.cuda;
    exports dev.isthmus.nn;
    exports dev.isthmus.train;
    exports dev.isthmus.data;
    exports dev.isthmus.checkpoint;
    exports dev.isthmus.compare;
    exports dev.isthmus.image;
    exports dev.isthmus.infer;
    // Where the CUDA libraries are searched for and how they load. Exported to all because CudaEnvironment
    // and CudaException (backend.cuda) show its types; once they stop, export it only to dev.isthmus.cli.
    exports dev.isthmus.backend.cuda.nativelib;

    // Jackson writes these packages' records (comparison reports, training metrics) as JSON.
    opens dev.isthmus.compare to com.fasterxml.jackson.databind;
    opens dev.isthmus.train to com.fasterxml.jackson.databind;
}
