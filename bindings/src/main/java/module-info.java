/**
 * jextract's bindings of the CUDA runtime, cuBLAS and cuDNN: generated, never edited by hand, and
 * only for Isthmus's own checked layer (core) and its benchmarks, hence the qualified exports.
 */
module dev.isthmus.bindings {
    exports dev.isthmus.bindings.cudart to dev.isthmus.core, dev.isthmus.bench;
    exports dev.isthmus.bindings.cublas to dev.isthmus.core, dev.isthmus.bench;
    exports dev.isthmus.bindings.cudnn to dev.isthmus.core, dev.isthmus.bench;
    exports dev.isthmus.bindings.dnnl to dev.isthmus.core, dev.isthmus.bench;
}
