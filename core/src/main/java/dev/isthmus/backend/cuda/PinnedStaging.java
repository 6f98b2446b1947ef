package dev.isthmus.backend.cuda;

import dev.isthmus.bindings.cudart.CudaRuntime;

import java.lang.foreign.MemorySegment;

/**
 * Page-locked host buffers ({@code cudaMallocHost}) through which every upload and download passes.
 * <p>
 * Copies from pageable memory make the driver stage through a hidden buffer and block; copying into
 * our own pinned buffer first lets {@code cudaMemcpyAsync} really run asynchronously on the stream,
 * and lets callers hand us any segment (heap arrays included). One buffer serves uploads: before it
 * is overwritten, an event recorded after the previous upload is waited for (normally long done).
 * Another serves downloads, which synchronise anyway. Transfers larger than {@link #MAX_CHUNK}
 * go through in chunks so a large tensor does not pin a large host buffer.
 */
final class PinnedStaging implements AutoCloseable {
    static final long MAX_CHUNK = 16L << 20;

    private final NativeScratch scratch;
    private final MemorySegment stream;
    private final MemorySegment uploadDone;
    private MemorySegment upload = MemorySegment.NULL;
    private long uploadCapacity;
    private boolean uploadPending;
    private MemorySegment download = MemorySegment.NULL;
    private long downloadCapacity;

    PinnedStaging(NativeScratch scratch, MemorySegment stream) {
        this.scratch = scratch;
        this.stream = stream;
        CudaCheck.cuda(CudaRuntime.cudaEventCreate(scratch.pointer()), "cudaEventCreate");
        this.uploadDone = scratch.pointerValue();
    }

    /** Enqueues a copy of {@code bytes} from {@code host} (any segment) to {@code device} on the stream. */
    void upload(MemorySegment host, MemorySegment device, long bytes) {
        for (long offset = 0; offset < bytes; offset += MAX_CHUNK) {
            long chunk = Math.min(MAX_CHUNK, bytes - offset);
            waitForPreviousUpload();
            ensureUploadCapacity(chunk);
            MemorySegment.copy(host, offset, upload, 0, chunk);
            CudaCheck.cuda(CudaRuntime.cudaMemcpyAsync(DevicePointers.offset(device, offset), upload, chunk,
                    CudaRuntime.cudaMemcpyHostToDevice(), stream), "cudaMemcpyAsync(host to device)");
            CudaCheck.cuda(CudaRuntime.cudaEventRecord(uploadDone, stream), "cudaEventRecord");
            uploadPending = true;
        }
    }

    /** Copies {@code bytes} from {@code device} into {@code host}, waiting for all work queued before. */
    void download(MemorySegment device, MemorySegment host, long bytes) {
        for (long offset = 0; offset < bytes; offset += MAX_CHUNK) {
            long chunk = Math.min(MAX_CHUNK, bytes - offset);
            ensureDownloadCapacity(chunk);
            CudaCheck.cuda(CudaRuntime.cudaMemcpyAsync(download, DevicePointers.offset(device, offset), chunk,
                    CudaRuntime.cudaMemcpyDeviceToHost(), stream), "cudaMemcpyAsync(device to host)");
            CudaCheck.cuda(CudaRuntime.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
            MemorySegment.copy(download, 0, host, offset, chunk);
        }
    }

    private void waitForPreviousUpload() {
        if (uploadPending) {
            CudaCheck.cuda(CudaRuntime.cudaEventSynchronize(uploadDone), "cudaEventSynchronize");
            uploadPending = false;
        }
    }

    private void ensureUploadCapacity(long bytes) {
        if (bytes <= uploadCapacity) return;
        freeHost(upload);
        upload = MemorySegment.NULL;
        uploadCapacity = 0;
        upload = allocateHost(bytes);
        uploadCapacity = upload.byteSize();
    }

    private void ensureDownloadCapacity(long bytes) {
        if (bytes <= downloadCapacity) return;
        freeHost(download);
        download = MemorySegment.NULL;
        downloadCapacity = 0;
        download = allocateHost(bytes);
        downloadCapacity = download.byteSize();
    }

    private MemorySegment allocateHost(long bytes) {
        // Grow geometrically (at least 64 KiB) so a slowly increasing size does not reallocate every time.
        long capacity = Math.min(MAX_CHUNK, Math.max(bytes, Math.max(64 << 10, Long.highestOneBit(bytes - 1) << 1)));
        CudaCheck.cuda(CudaRuntime.cudaMallocHost(scratch.pointer(), capacity), "cudaMallocHost(" + capacity + " bytes)");
        return scratch.pointerValue().reinterpret(capacity);
    }

    private static void freeHost(MemorySegment buffer) {
        if (!buffer.equals(MemorySegment.NULL)) {
            CudaCheck.cuda(CudaRuntime.cudaFreeHost(buffer), "cudaFreeHost");
        }
    }

    /** Bytes of pinned host memory held. */
    long pinnedBytes() {
        return uploadCapacity + downloadCapacity;
    }

    @Override
    public void close() {
        CudaException first = null;
        for (Runnable step : new Runnable[] {
                () -> freeHost(upload),
                () -> freeHost(download),
                () -> CudaCheck.cuda(CudaRuntime.cudaEventDestroy(uploadDone), "cudaEventDestroy")}) {
            try {
                step.run();
            } catch (CudaException e) {
                if (first == null) first = e;
            }
        }
        upload = download = MemorySegment.NULL;
        uploadCapacity = downloadCapacity = 0;
        if (first != null) throw first;
    }
}
