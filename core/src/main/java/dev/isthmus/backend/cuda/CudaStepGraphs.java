package dev.isthmus.backend.cuda;

import dev.isthmus.backend.CapturedGraph;
import dev.isthmus.backend.GraphCaptureException;
import dev.isthmus.bindings.cublas.Cublas;
import dev.isthmus.bindings.cudart.CudaRuntime;
import dev.isthmus.tensor.Memory;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * CUDA graphs of whole training steps (docs/cuda-graphs.md): {@code cudaStreamBeginCapture} in Global
 * mode on the backend's stream, the step's work (which only queues), {@code cudaStreamEndCapture},
 * {@code cudaGraphInstantiate}; launching is one {@code cudaGraphLaunch}.
 * <p>
 * What a graph needs fixed is fixed here: the blocks the capture touched stay the graph's
 * ({@link DeviceAllocator#endCapture}), the cuDNN workspace is never freed while graphs may use it, and
 * cuBLAS gets its own workspace ({@code cublasSetWorkspace}), which it needs during capture. Algorithm
 * choices and descriptors are cached per shape by the eager step that precedes every capture. Graphs
 * are owned like every native resource: closed by their owner, and at the latest by the backend.
 */
final class CudaStepGraphs implements AutoCloseable {
    /** cuBLAS's recommended workspace on Hopper (32 MiB), enough for any GPU's GEMM kernels. */
    static final long CUBLAS_WORKSPACE_BYTES = 32L << 20;

    private final CudaContext cuda;
    private final List<Graph> live = new ArrayList<>();
    private Memory cublasWorkspace;

    CudaStepGraphs(CudaContext cuda) {
        this.cuda = cuda;
    }

    CapturedGraph capture(Runnable step) {
        prepareWorkspaces(); // before capture: allocating is not allowed during it
        NativeScratch scratch = cuda.scratch();
        MemorySegment stream = cuda.stream();
        CudaCheck.cuda(CudaRuntime.cudaStreamBeginCapture(stream, CudaRuntime.cudaStreamCaptureModeGlobal()), "cudaStreamBeginCapture");
        cuda.allocator().beginCapture();
        RuntimeException failure = null;
        try {
            step.run();
        } catch (RuntimeException e) {
            failure = e;
        }
        int ended = CudaRuntime.cudaStreamEndCapture(stream, scratch.pointer());
        MemorySegment graph = scratch.pointerValue();
        Set<Long> blocks = cuda.allocator().endCapture();
        if (failure != null || ended != 0) {
            cuda.allocator().unreserve(blocks);
            if (ended == 0) CudaRuntime.cudaGraphDestroy(graph);
            CudaRuntime.cudaGetLastError(); // capture errors are not sticky; clear them for the eager run that follows
            String reason = failure != null ? failure.getMessage() : CudaCheck.cudaFailure(ended, "cudaStreamEndCapture").getMessage();
            throw new GraphCaptureException("the training step could not be captured as a CUDA graph: " + reason, failure);
        }
        try {
            CudaCheck.cuda(CudaRuntime.cudaGraphInstantiate(scratch.pointer(), graph, 0), "cudaGraphInstantiate");
        } catch (CudaException e) {
            cuda.allocator().unreserve(blocks);
            throw new GraphCaptureException("the captured training step could not be instantiated: " + e.getMessage(), e);
        } finally {
            CudaCheck.cuda(CudaRuntime.cudaGraphDestroy(graph), "cudaGraphDestroy");
        }
        Graph captured = new Graph(scratch.pointerValue(), blocks);
        live.add(captured);
        return captured;
    }

    /** How many captured graphs are open. */
    int liveGraphs() {
        return live.size();
    }

    /** Fixes the workspaces before capture; no room for cuBLAS's is a reason not to capture, not an error. */
    private void prepareWorkspaces() {
        cuda.workspace().keepReplacedBuffers();
        if (cublasWorkspace == null) {
            try {
                cublasWorkspace = cuda.allocator().allocate(CUBLAS_WORKSPACE_BYTES);
            } catch (RuntimeException e) {
                throw new GraphCaptureException("no device memory for cuBLAS's " + (CUBLAS_WORKSPACE_BYTES >> 20)
                        + " MiB graph-capture workspace (" + e.getMessage() + ")", e);
            }
            CudaCheck.cublas(Cublas.cublasSetWorkspace_v2(cuda.cublas(), cublasWorkspace.segment(), CUBLAS_WORKSPACE_BYTES),
                    "cublasSetWorkspace_v2");
        }
    }

    /** Destroys every open graph and the cuBLAS workspace (the backend is closing; the stream is drained first). */
    @Override
    public void close() {
        cuda.synchronize();
        new ArrayList<>(live).forEach(Graph::close);
        if (cublasWorkspace != null) {
            CudaCheck.cublas(Cublas.cublasSetWorkspace_v2(cuda.cublas(), MemorySegment.NULL, 0), "cublasSetWorkspace_v2");
            cublasWorkspace.close(); // back to the pool, which the backend frees
            cublasWorkspace = null;
        }
    }

    private final class Graph implements CapturedGraph {
        private final MemorySegment exec;
        private final Set<Long> blocks;
        private boolean closed;

        Graph(MemorySegment exec, Set<Long> blocks) {
            this.exec = exec;
            this.blocks = blocks;
        }

        @Override
        public void launch() {
            if (closed) throw new IllegalStateException("this captured step was closed; capture it again");
            CudaCheck.cuda(CudaRuntime.cudaGraphLaunch(exec, cuda.stream()), "cudaGraphLaunch");
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            live.remove(this);
            // Queued launches still complete after cudaGraphExecDestroy; the blocks must wait for them.
            cuda.synchronize();
            cuda.allocator().unreserve(blocks);
            CudaCheck.cuda(CudaRuntime.cudaGraphExecDestroy(exec), "cudaGraphExecDestroy");
        }
    }
}
