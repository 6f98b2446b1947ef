package dev.isthmus.backend.cpu;

import dev.isthmus.bindings.dnnl.Dnnl;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;

/** oneDNN's CPU engine and one in-order stream on it; primitives run on the stream synchronously. */
final class DnnlEngine implements AutoCloseable {
    private final MemorySegment engine;
    private final MemorySegment stream;

    DnnlEngine() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = arena.allocate(ADDRESS);
            DnnlException.check(Dnnl.dnnl_engine_create(handle, Dnnl.dnnl_cpu(), 0), "dnnl_engine_create(cpu, 0)");
            engine = handle.get(ADDRESS, 0);
            int status = Dnnl.dnnl_stream_create(handle, engine, Dnnl.dnnl_stream_default_flags());
            if (status != Dnnl.dnnl_success()) {
                Dnnl.dnnl_engine_destroy(engine);
                DnnlException.check(status, "dnnl_stream_create");
            }
            stream = handle.get(ADDRESS, 0);
        }
    }

    MemorySegment engine() {
        return engine;
    }

    MemorySegment stream() {
        return stream;
    }

    @Override
    public void close() {
        Dnnl.dnnl_stream_destroy(stream);
        Dnnl.dnnl_engine_destroy(engine);
    }
}
