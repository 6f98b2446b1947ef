package dev.isthmus.backend.cpu;

import dev.isthmus.bindings.dnnl.Dnnl;
import dev.isthmus.bindings.dnnl.dnnl_exec_arg_t;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;

/**
 * Moves one tensor between Isthmus's plain layout (the caller's buffer) and the blocked layout a oneDNN
 * convolution chose for it (e.g. {@code nChw16c} for AVX-512 kernels), through a buffer of its own allocated once.
 * PyTorch's oneDNN path (ideep) does the same reorders around each convolution.
 */
final class DnnlReorder implements AutoCloseable {
    private final DnnlEngine engine;
    private final MemorySegment plain;
    private final MemorySegment blocked;
    private final MemorySegment primitive;
    private final MemorySegment args;

    /** {@code intoBlocked}: plain → blocked (an input of the convolution), else blocked → plain (its output). */
    DnnlReorder(DnnlEngine engine, Arena arena, MemorySegment plainDesc, MemorySegment blockedDesc, boolean intoBlocked) {
        this.engine = engine;
        MemorySegment handle = arena.allocate(ADDRESS);
        DnnlException.check(Dnnl.dnnl_memory_create(handle, plainDesc, engine.engine(), MemorySegment.NULL), "dnnl_memory_create (plain)");
        plain = handle.get(ADDRESS, 0);
        MemorySegment buffer = arena.allocate(Dnnl.dnnl_memory_desc_get_size(blockedDesc), 64);
        DnnlException.check(Dnnl.dnnl_memory_create(handle, blockedDesc, engine.engine(), buffer), "dnnl_memory_create (blocked)");
        blocked = handle.get(ADDRESS, 0);
        MemorySegment from = intoBlocked ? plainDesc : blockedDesc, to = intoBlocked ? blockedDesc : plainDesc;
        DnnlException.check(Dnnl.dnnl_reorder_primitive_desc_create(handle, from, engine.engine(), to, engine.engine(), MemorySegment.NULL),
                "dnnl_reorder_primitive_desc_create");
        MemorySegment pd = handle.get(ADDRESS, 0);
        try {
            DnnlException.check(Dnnl.dnnl_primitive_create(handle, pd), "dnnl_primitive_create (reorder)");
        } finally {
            Dnnl.dnnl_primitive_desc_destroy(pd);
        }
        primitive = handle.get(ADDRESS, 0);
        args = dnnl_exec_arg_t.allocateArray(2, arena);
        dnnl_exec_arg_t.arg(dnnl_exec_arg_t.asSlice(args, 0), Dnnl.DNNL_ARG_FROM());
        dnnl_exec_arg_t.memory(dnnl_exec_arg_t.asSlice(args, 0), intoBlocked ? plain : blocked);
        dnnl_exec_arg_t.arg(dnnl_exec_arg_t.asSlice(args, 1), Dnnl.DNNL_ARG_TO());
        dnnl_exec_arg_t.memory(dnnl_exec_arg_t.asSlice(args, 1), intoBlocked ? blocked : plain);
    }

    /** The blocked-layout memory, which the convolution reads or writes. */
    MemorySegment blockedMemory() {
        return blocked;
    }

    /** Runs the reorder with {@code userBuffer} as the plain side. */
    void run(MemorySegment userBuffer) {
        DnnlException.check(Dnnl.dnnl_memory_set_data_handle(plain, userBuffer), "dnnl_memory_set_data_handle");
        DnnlException.check(Dnnl.dnnl_primitive_execute(primitive, engine.stream(), 2, args), "dnnl_primitive_execute (reorder)");
    }

    @Override
    public void close() {
        Dnnl.dnnl_primitive_destroy(primitive);
        Dnnl.dnnl_memory_destroy(plain);
        Dnnl.dnnl_memory_destroy(blocked);
    }
}
