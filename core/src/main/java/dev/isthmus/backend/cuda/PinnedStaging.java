package dev.isthmus.backend.cuda;

import dev.isthmus.bindings.cudart.CudaRuntime;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Page-locked host buffers ({@code cudaMallocHost}) through which every upload and download passes.
 * <p>
 * Copies from pageable memory make the driver stage through a hidden buffer and block; copying into
 * our own pinned buffer first lets {@code cudaMemcpyAsync} really run asynchronously on the stream,
 * and lets callers hand us any segment (heap arrays included). A ring of {@link #UPLOAD_BUFFERS}
 * buffers serves uploads: before one is overwritten, an event recorded after its previous upload is
 * waited for. With several, the host can prepare the next steps' batches while the device still runs
 * earlier ones (a training step uploads two arrays, images and labels).
 * Another serves downloads, which synchronise anyway. Transfers larger than {@link #MAX_CHUNK}
 * go through in chunks so a large tensor does not pin a large host buffer.
 */
final class PinnedStaging implements AutoCloseable {
    static final long MAX_CHUNK = 16L << 20;
    /** Upload buffers in the ring: two steps' images and labels. */
    static final int UPLOAD_BUFFERS = 4;

    private final NativeScratch scratch;
    private final MemorySegment stream;
    private final MemorySegment[] uploadDone = new MemorySegment[UPLOAD_BUFFERS];
    private final MemorySegment[] uploads = new MemorySegment[UPLOAD_BUFFERS];
    private final boolean[] uploadPending = new boolean[UPLOAD_BUFFERS];
    private int nextUpload;
    private MemorySegment download = MemorySegment.NULL;
    private long downloadCapacity;

    PinnedStaging(NativeScratch scratch, MemorySegment stream) {
        this.scratch = scratch;
        this.stream = stream;
        java.util.Arrays.fill(uploads, MemorySegment.NULL);
        java.util.Arrays.fill(uploadDone, MemorySegment.NULL);
        for (int i = 0; i < UPLOAD_BUFFERS; i++) {
            CudaCheck.cuda(CudaRuntime.cudaEventCreate(scratch.pointer()), "cudaEventCreate");
            uploadDone[i] = scratch.pointerValue();
        }
    }

    /** Enqueues a copy of {@code bytes} from {@code host} (any segment) to {@code device} on the stream. */
    void upload(MemorySegment host, MemorySegment device, long bytes) {
        for (long offset = 0; offset < bytes; offset += MAX_CHUNK) {
            long chunk = Math.min(MAX_CHUNK, bytes - offset);
            int slot = nextUpload;
            nextUpload = (nextUpload + 1) % UPLOAD_BUFFERS;
            waitForPreviousUpload(slot);
            MemorySegment upload = ensureUploadCapacity(slot, chunk);
            MemorySegment.copy(host, offset, upload, 0, chunk);
            CudaCheck.cuda(CudaRuntime.cudaMemcpyAsync(DevicePointers.offset(device, offset), upload, chunk,
                    CudaRuntime.cudaMemcpyHostToDevice(), stream), "cudaMemcpyAsync(host to device)");
            CudaCheck.cuda(CudaRuntime.cudaEventRecord(uploadDone[slot], stream), "cudaEventRecord");
            uploadPending[slot] = true;
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

    private void waitForPreviousUpload(int slot) {
        if (uploadPending[slot]) {
            CudaCheck.cuda(CudaRuntime.cudaEventSynchronize(uploadDone[slot]), "cudaEventSynchronize");
            uploadPending[slot] = false;
        }
    }

    private MemorySegment ensureUploadCapacity(int slot, long bytes) {
        if (bytes > uploads[slot].byteSize()) {
            freeHost(uploads[slot]);
            uploads[slot] = MemorySegment.NULL;
            uploads[slot] = allocateHost(bytes);
        }
        return uploads[slot];
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
        long bytes = downloadCapacity;
        for (MemorySegment upload : uploads) bytes += upload.byteSize();
        return bytes;
    }

    @Override
    public void close() {
        CudaException first = null;
        List<Runnable> steps = new ArrayList<>();
        for (int i = 0; i < UPLOAD_BUFFERS; i++) {
            MemorySegment upload = uploads[i], done = uploadDone[i];
            steps.add(() -> freeHost(upload));
            steps.add(() -> CudaCheck.cuda(CudaRuntime.cudaEventDestroy(done), "cudaEventDestroy"));
        }
        MemorySegment downloadBuffer = download;
        steps.add(() -> freeHost(downloadBuffer));
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (CudaException e) {
                if (first == null) first = e;
            }
        }
        java.util.Arrays.fill(uploads, MemorySegment.NULL);
        download = MemorySegment.NULL;
        downloadCapacity = 0;
        if (first != null) throw first;
    }
}
