package dev.isthmus.backend.cpu;

import dev.isthmus.backend.Conv2dSpec;
import dev.isthmus.bindings.dnnl.Dnnl;
import dev.isthmus.bindings.dnnl.dnnl_exec_arg_t;
import dev.isthmus.bindings.dnnl.dnnl_memory_desc_t;
import dev.isthmus.tensor.Shape;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One oneDNN convolution primitive for one geometry and direction, created once and executed every step.
 * <p>
 * Tensors stay in Isthmus's plain layouts (NCHW data, OIHW weights); the convolution chooses its own layouts
 * (blocked ones for its fastest kernels) and {@link DnnlReorder}s bridge the two where they differ. The buffers are attached per execution with
 * {@code dnnl_memory_set_data_handle}, which is why {@link #execute} is synchronized. Each primitive owns its
 * scratchpad (oneDNN's user scratchpad mode), allocated once, so primitives may run at the same time on
 * different threads and a step allocates nothing. oneDNN runs single-threaded here ({@link DnnlLibrary});
 * {@link DnnlConvolutions} splits the batch across threads.
 */
final class DnnlConvolution implements AutoCloseable {
    /** The three directions, with the oneDNN argument ids of their buffers in {@link #execute}'s order. */
    enum Direction { FORWARD, BACKWARD_DATA, BACKWARD_WEIGHTS }

    /**
     * An upper bound of {@code sizeof(dnnl_convolution_desc_t)} in oneDNN 2.x: three enums, eight memory descriptors,
     * four {@code dnnl_dims_t} (12 longs each) and one enum. jextract's class for that struct is not generated (see
     * native-scripts/bindings/dnnl.args); oneDNN only writes the struct, so a larger buffer is harmless.
     */
    private static final long OP_DESC_BYTES = 8 * dnnl_memory_desc_t.sizeof() + 4 * 12 * Long.BYTES + 64;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment attributes;
    private final MemorySegment primitiveDesc;
    private final MemorySegment primitive;
    private final List<MemorySegment> memories = new ArrayList<>();
    private final List<MemorySegment> ownedMemories = new ArrayList<>();
    private DnnlReorder[] reorders;
    private final MemorySegment args;
    private final DnnlEngine engine;
    private final String implementation;

    /**
     * Validated shapes: {@code output} is what {@link Conv2dSpec#outputShape} gave; bias only matters forward.
     * {@code ownLayouts}: let oneDNN choose the layouts (and reorder), else keep every tensor plain.
     */
    DnnlConvolution(DnnlEngine engine, Direction direction, Shape input, Shape weight, Shape output, Conv2dSpec spec, boolean bias,
                    boolean ownLayouts) {
        this.engine = engine;
        MemorySegment src = plain(input, Dnnl.dnnl_nchw());
        MemorySegment weights = plain(weight, Dnnl.dnnl_oihw());
        MemorySegment dst = plain(output, Dnnl.dnnl_nchw());
        // With ownLayouts the convolution picks its layouts ("any"); reorders bridge them to the plain buffers where they differ.
        MemorySegment anySrc = ownLayouts ? plain(input, Dnnl.dnnl_format_tag_any()) : src;
        MemorySegment anyWeights = ownLayouts ? plain(weight, Dnnl.dnnl_format_tag_any()) : weights;
        MemorySegment anyDst = ownLayouts ? plain(output, Dnnl.dnnl_format_tag_any()) : dst;
        MemorySegment biasDesc = bias ? plain(Shape.of(weight.dim(0)), Dnnl.dnnl_x()) : MemorySegment.NULL;
        MemorySegment strides = arena.allocateFrom(JAVA_LONG, spec.strideH(), spec.strideW());
        MemorySegment padL = arena.allocateFrom(JAVA_LONG, spec.padH(), spec.padW());
        MemorySegment padR = arena.allocateFrom(JAVA_LONG, DnnlConvolutions.rightPadding(input.dim(2), weight.dim(2), output.dim(2), spec.strideH(), spec.padH()),
                DnnlConvolutions.rightPadding(input.dim(3), weight.dim(3), output.dim(3), spec.strideW(), spec.padW()));
        MemorySegment forward = arena.allocate(OP_DESC_BYTES, 64);
        DnnlException.check(Dnnl.dnnl_convolution_forward_desc_init(forward, Dnnl.dnnl_forward_training(), Dnnl.dnnl_convolution_direct(),
                anySrc, anyWeights, direction == Direction.FORWARD ? biasDesc : MemorySegment.NULL, anyDst, strides, padL, padR),
                "dnnl_convolution_forward_desc_init" + describe(input, weight, output, spec));
        MemorySegment handle = arena.allocate(ADDRESS);
        DnnlException.check(Dnnl.dnnl_primitive_attr_create(handle), "dnnl_primitive_attr_create");
        attributes = handle.get(ADDRESS, 0);
        DnnlException.check(Dnnl.dnnl_primitive_attr_set_scratchpad_mode(attributes, Dnnl.dnnl_scratchpad_mode_user()),
                "dnnl_primitive_attr_set_scratchpad_mode(user)");
        MemorySegment forwardPd = createDesc(forward, MemorySegment.NULL, "forward", input, weight, output, spec);
        try {
            int[] ids;
            switch (direction) {
                case FORWARD -> {
                    primitiveDesc = forwardPd;
                    ids = bias ? new int[] {Dnnl.DNNL_ARG_SRC(), Dnnl.DNNL_ARG_WEIGHTS(), Dnnl.DNNL_ARG_BIAS(), Dnnl.DNNL_ARG_DST()}
                            : new int[] {Dnnl.DNNL_ARG_SRC(), Dnnl.DNNL_ARG_WEIGHTS(), Dnnl.DNNL_ARG_DST()};
                }
                case BACKWARD_DATA -> {
                    MemorySegment desc = arena.allocate(OP_DESC_BYTES, 64);
                    DnnlException.check(Dnnl.dnnl_convolution_backward_data_desc_init(desc, Dnnl.dnnl_convolution_direct(),
                            anySrc, anyWeights, anyDst, strides, padL, padR), "dnnl_convolution_backward_data_desc_init" + describe(input, weight, output, spec));
                    primitiveDesc = createDesc(desc, forwardPd, "backward data", input, weight, output, spec);
                    ids = new int[] {Dnnl.DNNL_ARG_DIFF_DST(), Dnnl.DNNL_ARG_WEIGHTS(), Dnnl.DNNL_ARG_DIFF_SRC()};
                }
                default -> {
                    MemorySegment desc = arena.allocate(OP_DESC_BYTES, 64);
                    DnnlException.check(Dnnl.dnnl_convolution_backward_weights_desc_init(desc, Dnnl.dnnl_convolution_direct(),
                            anySrc, anyWeights, MemorySegment.NULL, anyDst, strides, padL, padR),
                            "dnnl_convolution_backward_weights_desc_init" + describe(input, weight, output, spec));
                    primitiveDesc = createDesc(desc, forwardPd, "backward weights", input, weight, output, spec);
                    ids = new int[] {Dnnl.DNNL_ARG_SRC(), Dnnl.DNNL_ARG_DIFF_DST(), Dnnl.DNNL_ARG_DIFF_WEIGHTS()};
                }
            }
            if (direction != Direction.FORWARD) {
                Dnnl.dnnl_primitive_desc_destroy(forwardPd);
            }
            DnnlException.check(Dnnl.dnnl_primitive_create(handle, primitiveDesc), "dnnl_primitive_create" + describe(input, weight, output, spec));
            primitive = handle.get(ADDRESS, 0);
            MemorySegment scratchpadDesc = Dnnl.dnnl_primitive_desc_query_md(primitiveDesc, Dnnl.dnnl_query_scratchpad_md(), 0);
            long scratchpadBytes = scratchpadDesc.equals(MemorySegment.NULL) ? 0 : Dnnl.dnnl_memory_desc_get_size(scratchpadDesc);
            args = dnnl_exec_arg_t.allocateArray(ids.length + (scratchpadBytes > 0 ? 1 : 0), arena);
            reorders = new DnnlReorder[ids.length];
            for (int i = 0; i < ids.length; i++) {
                MemorySegment plainDesc = descriptorFor(ids[i], src, weights, dst, biasDesc);
                MemorySegment chosen = ids[i] == Dnnl.DNNL_ARG_BIAS() ? plainDesc : Dnnl.dnnl_primitive_desc_query_md(primitiveDesc, query(ids[i]), 0);
                if (Dnnl.dnnl_memory_desc_equal(plainDesc, chosen) != 0) {
                    addArgument(i, ids[i], plainDesc, MemorySegment.NULL, handle);
                } else {
                    boolean isOutput = i == ids.length - 1;
                    reorders[i] = new DnnlReorder(engine, arena, plainDesc, chosen, !isOutput);
                    addMemory(i, ids[i], reorders[i].blockedMemory(), false);
                }
            }
            if (scratchpadBytes > 0) {
                addArgument(ids.length, Dnnl.DNNL_ARG_SCRATCHPAD(), scratchpadDesc, arena.allocate(scratchpadBytes, 64), handle);
            }
            MemorySegment info = arena.allocate(ADDRESS);
            DnnlException.check(Dnnl.dnnl_primitive_desc_query(primitiveDesc, Dnnl.dnnl_query_impl_info_str(), 0, info), "dnnl_primitive_desc_query");
            implementation = info.get(ADDRESS, 0).reinterpret(256).getString(0);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void addArgument(int index, int id, MemorySegment descriptor, MemorySegment buffer, MemorySegment handle) {
        DnnlException.check(Dnnl.dnnl_memory_create(handle, descriptor, engine.engine(), buffer), "dnnl_memory_create");
        addMemory(index, id, handle.get(ADDRESS, 0), true);
    }

    /** Binds argument {@code index}; {@code owned} memories are destroyed with this primitive (a reorder owns the others). */
    private void addMemory(int index, int id, MemorySegment memory, boolean owned) {
        memories.add(memory);
        if (owned) {
            ownedMemories.add(memory);
        }
        dnnl_exec_arg_t.arg(dnnl_exec_arg_t.asSlice(args, index), id);
        dnnl_exec_arg_t.memory(dnnl_exec_arg_t.asSlice(args, index), memory);
    }

    private static int query(int argument) {
        if (argument == Dnnl.DNNL_ARG_SRC()) return Dnnl.dnnl_query_src_md();
        if (argument == Dnnl.DNNL_ARG_WEIGHTS()) return Dnnl.dnnl_query_weights_md();
        if (argument == Dnnl.DNNL_ARG_DST()) return Dnnl.dnnl_query_dst_md();
        if (argument == Dnnl.DNNL_ARG_DIFF_SRC()) return Dnnl.dnnl_query_diff_src_md();
        if (argument == Dnnl.DNNL_ARG_DIFF_DST()) return Dnnl.dnnl_query_diff_dst_md();
        return Dnnl.dnnl_query_diff_weights_md();
    }

    /** True when some argument goes through a reorder (the convolution chose a layout other than the plain one). */
    boolean reorders() {
        for (DnnlReorder reorder : reorders) {
            if (reorder != null) return true;
        }
        return false;
    }

    /** oneDNN's name of the kernel it picked, e.g. {@code jit:avx512_core} or {@code gemm:jit}. */
    String implementation() {
        return implementation;
    }

    /** Runs the primitive on these buffers, in the order of the direction's arguments (see the constructor). */
    synchronized void execute(MemorySegment... buffers) {
        int output = buffers.length - 1;
        for (int i = 0; i < buffers.length; i++) {
            if (reorders[i] == null) {
                DnnlException.check(Dnnl.dnnl_memory_set_data_handle(memories.get(i), buffers[i]), "dnnl_memory_set_data_handle");
            } else if (i != output) {
                reorders[i].run(buffers[i]);
            }
        }
        DnnlException.check(Dnnl.dnnl_primitive_execute(primitive, engine.stream(), memories.size(), args), "dnnl_primitive_execute (" + implementation + ")");
        if (reorders[output] != null) {
            reorders[output].run(buffers[output]);
        }
        DnnlException.check(Dnnl.dnnl_stream_wait(engine.stream()), "dnnl_stream_wait");
    }

    @Override
    public synchronized void close() {
        ownedMemories.forEach(Dnnl::dnnl_memory_destroy);
        ownedMemories.clear();
        memories.clear();
        if (reorders != null) {
            for (DnnlReorder reorder : reorders) {
                if (reorder != null) reorder.close();
            }
        }
        if (primitive != null) {
            Dnnl.dnnl_primitive_destroy(primitive);
        }
        if (primitiveDesc != null) {
            Dnnl.dnnl_primitive_desc_destroy(primitiveDesc);
        }
        if (attributes != null) {
            Dnnl.dnnl_primitive_attr_destroy(attributes);
        }
        arena.close();
    }

    private MemorySegment createDesc(MemorySegment opDesc, MemorySegment hint, String what, Shape input, Shape weight, Shape output, Conv2dSpec spec) {
        MemorySegment handle = arena.allocate(ADDRESS);
        DnnlException.check(Dnnl.dnnl_primitive_desc_create(handle, opDesc, attributes, engine.engine(), hint),
                "dnnl_primitive_desc_create (convolution " + what + ")" + describe(input, weight, output, spec));
        return handle.get(ADDRESS, 0);
    }

    private static MemorySegment descriptorFor(int id, MemorySegment src, MemorySegment weights, MemorySegment dst, MemorySegment bias) {
        if (id == Dnnl.DNNL_ARG_SRC() || id == Dnnl.DNNL_ARG_DIFF_SRC()) {
            return src;
        }
        if (id == Dnnl.DNNL_ARG_WEIGHTS() || id == Dnnl.DNNL_ARG_DIFF_WEIGHTS()) {
            return weights;
        }
        return id == Dnnl.DNNL_ARG_BIAS() ? bias : dst;
    }

    private MemorySegment plain(Shape shape, int tag) {
        MemorySegment md = arena.allocate(dnnl_memory_desc_t.layout());
        long[] dims = new long[shape.rank()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.dim(i);
        }
        DnnlException.check(Dnnl.dnnl_memory_desc_init_by_tag(md, dims.length, arena.allocateFrom(JAVA_LONG, dims), Dnnl.dnnl_f32(), tag),
                "dnnl_memory_desc_init_by_tag " + shape);
        return md;
    }

    private static String describe(Shape input, Shape weight, Shape output, Conv2dSpec spec) {
        return " for input " + input + ", weight " + weight + ", output " + output + ", " + spec;
    }
}
