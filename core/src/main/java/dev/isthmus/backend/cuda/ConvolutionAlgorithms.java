package dev.isthmus.backend.cuda;

import dev.isthmus.IsthmusException;
import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.bindings.cudnn.Cudnn;
import dev.isthmus.bindings.cudnn.cudnnConvolutionBwdDataAlgoPerfStruct;
import dev.isthmus.bindings.cudnn.cudnnConvolutionBwdFilterAlgoPerfStruct;
import dev.isthmus.bindings.cudnn.cudnnConvolutionFwdAlgoPerfStruct;
import dev.isthmus.tensor.Shape;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses a cuDNN algorithm for each convolution direction and shape, once, and remembers it.
 * <p>
 * Candidates come from {@code cudnnFind*Algorithm} (timed, fastest first) or
 * {@code cudnnGet*Algorithm_v7} (heuristic order), see {@link AlgorithmSearch}. The first candidate
 * that succeeded, is deterministic when {@link CudaOptions#deterministic()} asks for it, does not
 * use tensor-core math when TF32 is off, and whose workspace fits the cap is taken; when the best
 * algorithm needs more workspace than the cap, a slower one that fits is used instead.
 */
final class ConvolutionAlgorithms {

    enum Direction {
        FORWARD("conv2d forward", "IMPLICIT_GEMM", "IMPLICIT_PRECOMP_GEMM", "GEMM", "DIRECT", "FFT", "FFT_TILING", "WINOGRAD",
                "WINOGRAD_NONFUSED"),
        BACKWARD_DATA("conv2d backward input", "ALGO_0", "ALGO_1", "FFT", "FFT_TILING", "WINOGRAD", "WINOGRAD_NONFUSED"),
        BACKWARD_FILTER("conv2d backward weight", "ALGO_0", "ALGO_1", "FFT", "ALGO_3", "WINOGRAD", "WINOGRAD_NONFUSED", "FFT_TILING");

        private final String opName;
        /** cuDNN's enumerator names by value (cudnnConvolutionFwdAlgo_t, ...BwdDataAlgo_t, ...BwdFilterAlgo_t). */
        private final String[] algorithmNames;

        Direction(String opName, String... algorithmNames) {
            this.opName = opName;
            this.algorithmNames = algorithmNames;
        }

        String algorithmName(int algorithm) {
            return algorithm >= 0 && algorithm < algorithmNames.length ? algorithmNames[algorithm] : "algorithm " + algorithm;
        }
    }

    /**
     * The algorithm to run and the workspace it needs, with what cuDNN reported about it.
     *
     * @param milliseconds the time cuDNN measured (find), or a negative value (heuristics)
     */
    record Choice(int algorithm, long workspaceBytes, float milliseconds, boolean deterministic, int mathType) {
    }

    /** Descriptors of one convolution: input x, filter w, convolution, output y. */
    record Problem(Direction direction, Shape input, Shape weight, Conv2dSpec spec,
                   MemorySegment xDesc, MemorySegment wDesc, MemorySegment convDesc, MemorySegment yDesc) {
    }

    private record Key(Direction direction, Shape input, Shape weight, Conv2dSpec spec) {
    }

    private record Candidate(int algorithm, int status, float milliseconds, long memory, int determinism, int mathType) {
    }

    private final MemorySegment handle;
    private final NativeScratch scratch;
    private final CudaOptions options;
    private final Map<Key, Choice> chosen = new LinkedHashMap<>();

    ConvolutionAlgorithms(MemorySegment cudnnHandle, NativeScratch scratch, CudaOptions options) {
        this.handle = cudnnHandle;
        this.scratch = scratch;
        this.options = options;
    }

    /**
     * The remembered choice for this problem, searching on first use. With TF32 the convolution descriptor
     * (shared by the three directions) gets the math type cuDNN returned with the chosen algorithm, as
     * PyTorch sets it per algorithm: cuDNN needs algorithm and math type together to run what was chosen.
     */
    Choice choose(Problem problem) {
        Key key = new Key(problem.direction(), problem.input(), problem.weight(), problem.spec());
        Choice choice = chosen.get(key);
        if (choice == null) {
            if (options.tf32()) setMathType(problem, Cudnn.CUDNN_TENSOR_OP_MATH()); // search with what TF32 allows
            choice = search(problem);
            chosen.put(key, choice);
        }
        if (options.tf32()) setMathType(problem, choice.mathType());
        return choice;
    }

    private static void setMathType(Problem problem, int mathType) {
        CudaCheck.cudnn(Cudnn.cudnnSetConvolutionMathType(problem.convDesc(), mathType), "cudnnSetConvolutionMathType");
    }

    /** How many choices were made (one per direction and distinct shape). */
    int size() {
        return chosen.size();
    }

    /** One line per choice, e.g. "conv2d forward input [64, 1, 28, 28] weight [10, 1, 5, 5] stride 1x1 ...: IMPLICIT_PRECOMP_GEMM ...". */
    List<String> describe() {
        List<String> lines = new ArrayList<>(chosen.size());
        chosen.forEach((key, choice) -> {
            Conv2dSpec s = key.spec();
            String math = choice.mathType() == Cudnn.CUDNN_FMA_MATH() ? "FMA math"
                    : usesTensorOps(choice.mathType()) ? "tensor-op math" : "default math";
            lines.add(String.format(java.util.Locale.ROOT, "%s input %s weight %s stride %dx%d padding %dx%d dilation %dx%d: %s, workspace %d bytes, %s, %s%s",
                    key.direction().opName, key.input(), key.weight(), s.strideH(), s.strideW(), s.padH(), s.padW(), s.dilationH(), s.dilationW(),
                    key.direction().algorithmName(choice.algorithm()), choice.workspaceBytes(),
                    choice.deterministic() ? "deterministic" : "non-deterministic", math,
                    choice.milliseconds() >= 0 ? String.format(java.util.Locale.ROOT, ", %.3f ms measured", choice.milliseconds()) : ""));
        });
        return lines;
    }

    private Choice search(Problem problem) {
        List<Candidate> candidates = candidates(problem);
        boolean sawDeterministicRejection = false;
        boolean sawMathRejection = false;
        long smallestOverCap = Long.MAX_VALUE;
        for (Candidate candidate : candidates) {
            if (candidate.status() != Cudnn.CUDNN_STATUS_SUCCESS()) continue;
            if (options.deterministic() && candidate.determinism() != Cudnn.CUDNN_DETERMINISTIC()) {
                sawDeterministicRejection = true;
                continue;
            }
            if (!options.tf32() && usesTensorOps(candidate.mathType())) {
                sawMathRejection = true;
                continue;
            }
            if (options.tf32()) setMathType(problem, candidate.mathType()); // the workspace depends on it
            long workspace = workspaceSize(problem, candidate.algorithm());
            if (workspace < 0) continue; // cuDNN rejects this algorithm for the shape after all
            if (workspace <= options.workspaceCapBytes()) {
                return new Choice(candidate.algorithm(), workspace, candidate.milliseconds(),
                        candidate.determinism() == Cudnn.CUDNN_DETERMINISTIC(), candidate.mathType());
            }
            smallestOverCap = Math.min(smallestOverCap, workspace);
        }
        String what = problem.direction().opName + " (input " + problem.input() + ", weight " + problem.weight() + ", " + problem.spec() + ")";
        if (smallestOverCap != Long.MAX_VALUE) {
            throw new IsthmusException(IsthmusException.EXIT_FAILURE, what + ": every usable cuDNN algorithm needs more workspace than the cap of "
                    + DeviceAllocator.mib(options.workspaceCapBytes()) + " (the smallest needs " + DeviceAllocator.mib(smallestOverCap)
                    + "); raise the workspace cap");
        }
        if (sawDeterministicRejection) {
            throw new IsthmusException(IsthmusException.EXIT_FAILURE, what + ": cuDNN offers no deterministic algorithm here; run without deterministic mode");
        }
        String reason = sawMathRejection ? "; only TF32 tensor-core algorithms are available: enable TF32" : "";
        throw new IsthmusException(IsthmusException.EXIT_FAILURE, what + ": cuDNN reports no usable algorithm (" + candidates.size()
                + " candidates)" + reason);
    }

    private static boolean usesTensorOps(int mathType) {
        return mathType == Cudnn.CUDNN_TENSOR_OP_MATH() || mathType == Cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION();
    }

    private List<Candidate> candidates(Problem p) {
        boolean find = options.algorithmSearch() == AlgorithmSearch.FIND;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = scratch.intOut();
            int maxCount;
            MemorySegment results;
            int returned;
            switch (p.direction()) {
                case FORWARD -> {
                    CudaCheck.cudnn(Cudnn.cudnnGetConvolutionForwardAlgorithmMaxCount(handle, count), "cudnnGetConvolutionForwardAlgorithmMaxCount");
                    maxCount = Math.max(1, scratch.intValue());
                    results = cudnnConvolutionFwdAlgoPerfStruct.allocateArray(maxCount, arena);
                    if (find) {
                        CudaCheck.cudnn(Cudnn.cudnnFindConvolutionForwardAlgorithm(handle, p.xDesc(), p.wDesc(), p.convDesc(), p.yDesc(),
                                maxCount, count, results), "cudnnFindConvolutionForwardAlgorithm");
                    } else {
                        CudaCheck.cudnn(Cudnn.cudnnGetConvolutionForwardAlgorithm_v7(handle, p.xDesc(), p.wDesc(), p.convDesc(), p.yDesc(),
                                maxCount, count, results), "cudnnGetConvolutionForwardAlgorithm_v7");
                    }
                }
                case BACKWARD_DATA -> {
                    CudaCheck.cudnn(Cudnn.cudnnGetConvolutionBackwardDataAlgorithmMaxCount(handle, count), "cudnnGetConvolutionBackwardDataAlgorithmMaxCount");
                    maxCount = Math.max(1, scratch.intValue());
                    results = cudnnConvolutionBwdDataAlgoPerfStruct.allocateArray(maxCount, arena);
                    if (find) {
                        CudaCheck.cudnn(Cudnn.cudnnFindConvolutionBackwardDataAlgorithm(handle, p.wDesc(), p.yDesc(), p.convDesc(), p.xDesc(),
                                maxCount, count, results), "cudnnFindConvolutionBackwardDataAlgorithm");
                    } else {
                        CudaCheck.cudnn(Cudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, p.wDesc(), p.yDesc(), p.convDesc(), p.xDesc(),
                                maxCount, count, results), "cudnnGetConvolutionBackwardDataAlgorithm_v7");
                    }
                }
                case BACKWARD_FILTER -> {
                    CudaCheck.cudnn(Cudnn.cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(handle, count), "cudnnGetConvolutionBackwardFilterAlgorithmMaxCount");
                    maxCount = Math.max(1, scratch.intValue());
                    results = cudnnConvolutionBwdFilterAlgoPerfStruct.allocateArray(maxCount, arena);
                    if (find) {
                        CudaCheck.cudnn(Cudnn.cudnnFindConvolutionBackwardFilterAlgorithm(handle, p.xDesc(), p.yDesc(), p.convDesc(), p.wDesc(),
                                maxCount, count, results), "cudnnFindConvolutionBackwardFilterAlgorithm");
                    } else {
                        CudaCheck.cudnn(Cudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(handle, p.xDesc(), p.yDesc(), p.convDesc(), p.wDesc(),
                                maxCount, count, results), "cudnnGetConvolutionBackwardFilterAlgorithm_v7");
                    }
                }
                default -> throw new IllegalStateException();
            }
            returned = Math.min(scratch.intValue(), maxCount);
            List<Candidate> candidates = new ArrayList<>(returned);
            for (int i = 0; i < returned; i++) {
                candidates.add(read(p.direction(), results, i));
            }
            return candidates;
        }
    }

    private static Candidate read(Direction direction, MemorySegment results, int index) {
        return switch (direction) {
            case FORWARD -> {
                MemorySegment r = cudnnConvolutionFwdAlgoPerfStruct.asSlice(results, index);
                yield new Candidate(cudnnConvolutionFwdAlgoPerfStruct.algo(r), cudnnConvolutionFwdAlgoPerfStruct.status(r),
                        cudnnConvolutionFwdAlgoPerfStruct.time(r), cudnnConvolutionFwdAlgoPerfStruct.memory(r),
                        cudnnConvolutionFwdAlgoPerfStruct.determinism(r), cudnnConvolutionFwdAlgoPerfStruct.mathType(r));
            }
            case BACKWARD_DATA -> {
                MemorySegment r = cudnnConvolutionBwdDataAlgoPerfStruct.asSlice(results, index);
                yield new Candidate(cudnnConvolutionBwdDataAlgoPerfStruct.algo(r), cudnnConvolutionBwdDataAlgoPerfStruct.status(r),
                        cudnnConvolutionBwdDataAlgoPerfStruct.time(r), cudnnConvolutionBwdDataAlgoPerfStruct.memory(r),
                        cudnnConvolutionBwdDataAlgoPerfStruct.determinism(r), cudnnConvolutionBwdDataAlgoPerfStruct.mathType(r));
            }
            case BACKWARD_FILTER -> {
                MemorySegment r = cudnnConvolutionBwdFilterAlgoPerfStruct.asSlice(results, index);
                yield new Candidate(cudnnConvolutionBwdFilterAlgoPerfStruct.algo(r), cudnnConvolutionBwdFilterAlgoPerfStruct.status(r),
                        cudnnConvolutionBwdFilterAlgoPerfStruct.time(r), cudnnConvolutionBwdFilterAlgoPerfStruct.memory(r),
                        cudnnConvolutionBwdFilterAlgoPerfStruct.determinism(r), cudnnConvolutionBwdFilterAlgoPerfStruct.mathType(r));
            }
        };
    }

    /** The workspace an algorithm needs for this problem, or -1 when cuDNN says it cannot run it. */
    private long workspaceSize(Problem p, int algorithm) {
        MemorySegment size = scratch.sizeOut();
        int status = switch (p.direction()) {
            case FORWARD -> Cudnn.cudnnGetConvolutionForwardWorkspaceSize(handle, p.xDesc(), p.wDesc(), p.convDesc(), p.yDesc(), algorithm, size);
            case BACKWARD_DATA -> Cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(handle, p.wDesc(), p.yDesc(), p.convDesc(), p.xDesc(), algorithm, size);
            case BACKWARD_FILTER -> Cudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, p.xDesc(), p.yDesc(), p.convDesc(), p.wDesc(), algorithm, size);
        };
        return status == Cudnn.CUDNN_STATUS_SUCCESS() ? scratch.sizeValue() : -1;
    }
}
