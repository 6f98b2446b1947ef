package dev.isthmus.testing.standin;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The stand-in's own exported functions (not part of any NVIDIA API): fault injection, live-object
 * counters, error details and the constants tables. Opening a library here uses the same loaded copy as
 * {@code System.load} of the same file, so the counters see what the CUDA backend does.
 */
public final class StandInControls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CONSTANT = MemoryLayout.structLayout(ADDRESS.withName("name"), JAVA_LONG.withName("value"));

    private final SymbolLookup cudart;
    private final SymbolLookup cublas;
    private final SymbolLookup cudnn;

    private StandInControls(SymbolLookup cudart, SymbolLookup cublas, SymbolLookup cudnn) {
        this.cudart = cudart;
        this.cublas = cublas;
        this.cudnn = cudnn;
    }

    /** Controls of the libraries in {@link CudaStandIn#libraryDir()} (building them if needed). */
    public static StandInControls open() {
        Arena forever = Arena.global();
        return new StandInControls(
                SymbolLookup.libraryLookup(CudaStandIn.library("libcudart.so.13"), forever),
                SymbolLookup.libraryLookup(CudaStandIn.library("libcublas.so.13"), forever),
                SymbolLookup.libraryLookup(CudaStandIn.library("libcudnn.so.9"), forever));
    }

    /**
     * After {@code n} more successful cudaMalloc calls, every cudaMalloc returns cudaErrorMemoryAllocation
     * until this is called with -1. Returns the previous setting. The environment variable
     * ISTHMUS_STANDIN_FAIL_ALLOCATIONS_AFTER sets the initial value.
     */
    public int failAllocationsAfter(int n) {
        return (int) invoke(cudart, "isthmusStandinFailAllocationsAfter", FunctionDescriptor.of(JAVA_INT, JAVA_INT), n);
    }

    /** Bytes held by live cudaMalloc allocations. */
    public long liveDeviceBytes() {
        return (long) invoke(cudart, "isthmusStandinLiveDeviceBytes", FunctionDescriptor.of(JAVA_LONG));
    }

    /** Live graphs plus live executable graphs. */
    public long liveGraphs() {
        return (long) invoke(cudart, "isthmusStandinLiveGraphs", FunctionDescriptor.of(JAVA_LONG));
    }

    /** Streams capturing now. */
    public long activeCaptures() {
        return (long) invoke(cudart, "isthmusStandinActiveCaptures", FunctionDescriptor.of(JAVA_LONG));
    }

    /** Number of live cudaMalloc allocations. */
    public long liveDeviceAllocations() {
        return (long) invoke(cudart, "isthmusStandinLiveDeviceAllocations", FunctionDescriptor.of(JAVA_LONG));
    }

    /** Streams created and not destroyed. */
    public long liveStreams() {
        return (long) invoke(cudart, "isthmusStandinLiveStreams", FunctionDescriptor.of(JAVA_LONG));
    }

    /** Events created and not destroyed. */
    public long liveEvents() {
        return (long) invoke(cudart, "isthmusStandinLiveEvents", FunctionDescriptor.of(JAVA_LONG));
    }

    /** cuBLAS handles created and not destroyed. */
    public long liveCublasHandles() {
        return (long) invoke(cublas, "isthmusStandinLiveCublasHandles", FunctionDescriptor.of(JAVA_LONG));
    }

    /** cuDNN handles and descriptors created and not destroyed. */
    public long liveCudnnObjects() {
        return (long) invoke(cudnn, "isthmusStandinLiveCudnnObjects", FunctionDescriptor.of(JAVA_LONG));
    }

    /** Sets the device memory cudaMemGetInfo reports and cudaMalloc may hand out; returns the previous total. */
    public long setDeviceMemory(long totalBytes) {
        return (long) invoke(cudart, "isthmusStandinSetDeviceMemory", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), totalBytes);
    }

    /** 1 device (the default) or 0, to exercise "no GPU" paths; returns the previous count. */
    public int setDeviceCount(int count) {
        return (int) invoke(cudart, "isthmusStandinSetDeviceCount", FunctionDescriptor.of(JAVA_INT, JAVA_INT), count);
    }

    /**
     * How many cudaFree/cudaFreeHost calls so far freed memory that work queued on a stream (an Async copy or
     * memset, a cuBLAS or cuDNN call) last used with no synchronisation of that stream since. The stand-in runs
     * everything at once, so nothing breaks here, but NVIDIA documents only that cudaFree "may" synchronise:
     * on a GPU such a free can release memory a kernel is still using. Tests can assert this does not grow.
     */
    public long freesWithPendingWork() {
        return (long) invoke(cudart, "isthmusStandinFreesWithPendingWork", FunctionDescriptor.of(JAVA_LONG));
    }

    /** What the last free counted by {@link #freesWithPendingWork()} freed, and on which stream work was pending. */
    public String lastPendingFree() {
        return string(invoke(cudart, "isthmusStandinLastPendingFree", FunctionDescriptor.of(ADDRESS)));
    }

    /** True when [address, address + bytes) lies inside one live cudaMalloc allocation. */
    public boolean isDeviceRange(MemorySegment address, long bytes) {
        return (int) invoke(cudart, "isthmusStandinIsDeviceRange", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG),
                address, bytes) != 0;
    }

    /** Why the calling thread's last failing runtime call failed, e.g. "cudaMemcpyAsync: dst range ... not inside ...". */
    public String runtimeErrorDetail() {
        return string(invoke(cudart, "isthmusStandinLastErrorDetail", FunctionDescriptor.of(ADDRESS)));
    }

    /** Why the calling thread's last failing cuBLAS call failed (cuDNN has cudnnGetLastErrorString). */
    public String cublasErrorDetail() {
        return string(invoke(cublas, "isthmusStandinCublasLastErrorDetail", FunctionDescriptor.of(ADDRESS)));
    }

    /** The three libraries' stand-in constants tables. */
    public enum Library {
        CUDART("isthmusStandinCudartConstants"),
        CUBLAS("isthmusStandinCublasConstants"),
        CUDNN("isthmusStandinCudnnConstants");

        private final String function;

        Library(String function) {
            this.function = function;
        }
    }

    /**
     * Every enum value and layout fact (entries such as {@code "sizeof(struct cudaDeviceProp)"}) the library's C
     * code uses, by name, in table order.
     */
    public Map<String, Long> constants(Library library) {
        SymbolLookup lookup = switch (library) {
            case CUDART -> cudart;
            case CUBLAS -> cublas;
            case CUDNN -> cudnn;
        };
        MemorySegment table = ((MemorySegment) invoke(lookup, library.function, FunctionDescriptor.of(ADDRESS)))
                .reinterpret(Long.MAX_VALUE);
        Map<String, Long> constants = new LinkedHashMap<>();
        for (long row = 0; ; row++) {
            MemorySegment entry = table.asSlice(row * CONSTANT.byteSize(), CONSTANT.byteSize());
            MemorySegment name = entry.get(ADDRESS, 0);
            if (name.equals(MemorySegment.NULL)) {
                return constants;
            }
            constants.put(string(name), entry.get(JAVA_LONG, ADDRESS.byteSize()));
        }
    }

    private static String string(Object address) {
        return ((MemorySegment) address).reinterpret(Long.MAX_VALUE).getString(0);
    }

    private static Object invoke(SymbolLookup lookup, String name, FunctionDescriptor descriptor, Object... arguments) {
        MemorySegment symbol = lookup.find(name).orElseThrow(
                () -> new IllegalStateException("the stand-in library does not export " + name + "; rebuild it"));
        MethodHandle handle = LINKER.downcallHandle(symbol, descriptor);
        try {
            return handle.invokeWithArguments(arguments);
        } catch (Throwable e) {
            throw new IllegalStateException("calling " + name + " failed", e);
        }
    }
}
