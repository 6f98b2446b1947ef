package dev.isthmus.backend.cuda;

import dev.isthmus.IsthmusException;
import dev.isthmus.bindings.cudart.CudaRuntime;
import dev.isthmus.tensor.Memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;

/**
 * Device memory for tensors: a caching allocator in front of {@code cudaMalloc}/{@code cudaFree}.
 * <p>
 * {@code cudaFree} synchronises the whole device, which would stall the stream on every freed
 * activation. Instead a freed block goes back to a free list for its (rounded) size and the next
 * allocation of that size reuses it. This is safe without events because every use of a block is
 * enqueued on the backend's one stream: work that reads the new owner's data is ordered after the
 * old owner's work. {@link #trim()} hands cached blocks back to the driver; {@link #close()} frees
 * everything, live blocks included.
 * <p>
 * Releasing may happen on any thread (a tensor closed elsewhere) and only moves the block into the
 * pool, so the bookkeeping is synchronised; driver calls happen on the backend's thread.
 */
final class DeviceAllocator implements AutoCloseable {
    /** Sizes are rounded up to this many bytes so nearby sizes share blocks (and cuDNN sees aligned pointers). */
    static final long GRANULE = 512;

    private final NativeScratch scratch;
    private final Runnable drainStream;
    private final Map<Long, ArrayDeque<Long>> freeBySize = new HashMap<>();
    private final Map<Long, Long> liveBlocks = new HashMap<>();
    /** Blocks handed out or given back while a graph is being captured (null when not capturing). */
    private Set<Long> captureBlocks;
    /**
     * Blocks that open graphs read or write, with how many graphs use each (the graphs of several batch
     * sizes share blocks): never pooled for others until the last of those graphs is closed.
     */
    private final Map<Long, Integer> graphBlocks = new HashMap<>();
    /** The size of every block obtained from the driver and not yet freed. */
    private final Map<Long, Long> blockSizes = new HashMap<>();
    private long liveBytes;
    private long pooledBytes;
    private long mallocCalls;
    private boolean closed;

    /** @param drainStream waits until the backend's queued work has finished (before any cudaFree) */
    DeviceAllocator(NativeScratch scratch, Runnable drainStream) {
        this.scratch = scratch;
        this.drainStream = drainStream;
    }

    static long blockSize(long bytes) {
        long size = Math.max(bytes, 1);
        return (size + GRANULE - 1) / GRANULE * GRANULE;
    }

    /**
     * A block of at least {@code bytes}, owned by the returned {@link Memory}: closing it returns the
     * block to the pool. Called on the backend's thread.
     *
     * @throws CudaException when the device is out of memory even after emptying the pool
     */
    Memory allocate(long bytes) {
        long size = blockSize(bytes);
        long address = takeCached(size);
        if (address == 0) {
            address = mallocOrTrimAndRetry(size, bytes);
        }
        synchronized (this) {
            blockSizes.put(address, size);
            liveBlocks.put(address, size);
            liveBytes += bytes;
            if (captureBlocks != null) captureBlocks.add(address);
        }
        long blockAddress = address;
        return new Memory(MemorySegment.ofAddress(address), bytes, (segment, released) -> release(blockAddress, released));
    }

    private synchronized long takeCached(long size) {
        ArrayDeque<Long> free = freeBySize.get(size);
        if (free == null || free.isEmpty()) return 0;
        pooledBytes -= size;
        return free.pop();
    }

    private long mallocOrTrimAndRetry(long size, long requested) {
        int status = malloc(size);
        if (status == CudaRuntime.cudaErrorMemoryAllocation() && pooledBytes() > 0) {
            CudaRuntime.cudaGetLastError(); // clear the (non-sticky) error before retrying
            trim();
            status = malloc(size);
        }
        if (status != 0) {
            CudaException failure = CudaCheck.cudaFailure(status, "cudaMalloc(" + size + " bytes)");
            if (status == CudaRuntime.cudaErrorMemoryAllocation()) {
                CudaRuntime.cudaGetLastError();
                throw new IsthmusException(IsthmusException.EXIT_FAILURE, "out of GPU memory: a tensor of "
                        + mib(requested) + " did not fit (tensors hold " + mib(liveBytes()) + "); use a smaller --batch-size"
                        + " or free the GPU from other processes (" + failure.getMessage() + ")", failure);
            }
            throw failure;
        }
        mallocCalls++;
        return scratch.pointer().get(ValueLayout.ADDRESS, 0).address();
    }

    private int malloc(long size) {
        return CudaRuntime.cudaMalloc(scratch.pointer(), size);
    }

    private synchronized void release(long address, long bytes) {
        if (closed) return; // the backend already freed everything and stopped counting
        liveBytes -= bytes;
        Long size = liveBlocks.remove(address);
        if (captureBlocks != null) captureBlocks.add(address);
        if (graphBlocks.containsKey(address)) return; // a graph still uses it; unreserve() pools it
        freeBySize.computeIfAbsent(size, s -> new ArrayDeque<>()).push(address);
        pooledBytes += size;
    }

    /**
     * Starts recording the blocks a graph capture touches. Within the capture blocks are reused as usual
     * (a graph replays its work in order), and a block the pool lacks makes cudaMalloc fail, which fails
     * the capture: run the step once eagerly first so the pool holds what it needs.
     */
    synchronized void beginCapture() {
        captureBlocks = new HashSet<>();
    }

    /**
     * Ends the recording and reserves the blocks for the graph: pooled ones leave the pool, live ones
     * do not return to it when released. Returns them, for {@link #unreserve}.
     */
    synchronized Set<Long> endCapture() {
        Set<Long> blocks = captureBlocks;
        captureBlocks = null;
        freeBySize.forEach((size, free) -> {
            int before = free.size();
            free.removeIf(blocks::contains);
            pooledBytes -= size * (before - free.size());
        });
        for (long address : blocks) graphBlocks.merge(address, 1, Integer::sum);
        return blocks;
    }

    /** Gives a closed graph's blocks back: those no tensor holds return to the pool. */
    synchronized void unreserve(Set<Long> blocks) {
        if (closed) return;
        for (long address : blocks) {
            if (graphBlocks.computeIfPresent(address, (block, graphs) -> graphs > 1 ? graphs - 1 : null) != null) continue;
            if (liveBlocks.containsKey(address)) continue;
            Long size = blockSizes.get(address);
            if (size == null) continue;
            freeBySize.computeIfAbsent(size, s -> new ArrayDeque<>()).push(address);
            pooledBytes += size;
        }
    }

    /** Bytes of live tensors (their requested sizes). */
    synchronized long liveBytes() {
        return liveBytes;
    }

    /** Bytes of freed blocks kept for reuse. */
    synchronized long pooledBytes() {
        return pooledBytes;
    }

    /** How many times the driver was asked for memory (tests use it to see the pool working). */
    synchronized long mallocCalls() {
        return mallocCalls;
    }

    /**
     * Returns every cached block to the driver. Queued work may still use a cached block (it was
     * released, not finished), and {@code cudaFree} only "may" synchronise: drain the stream first.
     */
    void trim() {
        long[] addresses;
        synchronized (this) {
            addresses = freeBySize.values().stream().flatMap(ArrayDeque::stream).mapToLong(Long::longValue).toArray();
            freeBySize.clear();
            pooledBytes = 0;
            for (long address : addresses) blockSizes.remove(address);
        }
        freeAll(addresses);
    }

    /** Frees pooled and live blocks; later releases of live tensors do nothing. Harmless when repeated. */
    @Override
    public void close() {
        long[] live;
        synchronized (this) {
            if (closed) return;
            closed = true;
            // Live blocks, and blocks only graphs still hold (released by their tensors, never pooled).
            Set<Long> held = new HashSet<>(liveBlocks.keySet());
            held.addAll(graphBlocks.keySet());
            live = held.stream().mapToLong(Long::longValue).toArray();
            liveBlocks.clear();
            graphBlocks.clear();
            liveBytes = 0;
        }
        CudaException first = null;
        try {
            trim();
        } catch (CudaException e) {
            first = e;
        }
        try {
            freeAll(live);
        } catch (CudaException e) {
            if (first == null) first = e;
        }
        if (first != null) throw first;
    }

    private void freeAll(long[] addresses) {
        if (addresses.length == 0) return;
        drainStream.run();
        CudaException first = null;
        for (long address : addresses) {
            int status = CudaRuntime.cudaFree(MemorySegment.ofAddress(address));
            if (status != 0 && first == null) first = CudaCheck.cudaFailure(status, "cudaFree");
        }
        if (first != null) throw first;
    }

    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
