/*
 * CPU stand-in for the CUDA runtime 13.0 subset Isthmus calls (TEST-ONLY, see docs/cuda-standin.md).
 * One fake device; "device memory" is host memory from aligned_alloc, tracked so that every copy,
 * memset and (through isthmusStandinIsDeviceRange) every cuBLAS/cuDNN argument can be checked to lie
 * inside a live allocation. Streams run their work synchronously; events read clock_gettime.
 * Rules cited as "RT API, f: ..." come from NVIDIA's CUDA Runtime API reference for function f.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registry.h"
#include "standin.h"

#define DEVICE_NAME "Isthmus CPU stand-in (not a GPU)"
#define ALLOCATION_ALIGNMENT 256 /* RT API, cudaMalloc: memory is suitably aligned for any kind of variable */
#define DEFAULT_DEVICE_MEMORY (16ULL << 30)
#define MAX_PITCH 2147483647 /* cudaDeviceProp.memPitch of current NVIDIA GPUs */
#define UNINITIALISED_BYTE 0xFF /* fresh allocations read as NaN floats: cudaMalloc does not clear memory */

enum { KIND_STREAM = 0x5354524d, KIND_EVENT = 0x45564e54, KIND_GRAPH = 0x47525048, KIND_GRAPH_EXEC = 0x47455845 };

/* One recorded piece of work: launching the graph calls run(payload). */
typedef struct {
    void (*run)(void *payload);
    void *payload;
    void (*release)(void *payload); /* frees the payload with the graph */
} graph_node;

/* The nodes of a graph, shared by the graph and its executable instances (freed with the last of them). */
typedef struct {
    int references;
    size_t count;
    size_t capacity;
    graph_node *nodes;
} node_list;

/*
 * Work is done at once, but the stand-in keeps the books a GPU would: each use of a buffer by queued work
 * (an Async copy, a cuBLAS or cuDNN call on the stream) is one more position on its stream, and the host
 * only knows the work finished up to the position it last synchronised with. Freeing a buffer whose last
 * use lies beyond that is counted (isthmusStandinFreesWithPendingWork): cudaFree only "may" synchronise.
 */
typedef struct {
    standin_object header;
    unsigned int flags;
    unsigned long long enqueued;  /* positions handed out */
    unsigned long long completed; /* positions the host has synchronised with */
    enum cudaStreamCaptureStatus capture_status;
    enum cudaStreamCaptureMode capture_mode;
    pthread_t capture_thread; /* the thread that began the capture */
    node_list *captured;      /* the graph being built while capturing */
} stream_object;

typedef struct {
    standin_object header;
    unsigned int flags;
    int recorded;
    struct timespec when;
    stream_object *stream; /* where it was recorded, and at which position */
    unsigned long long position;
    int captured; /* last recorded into a capture: it has no completion the host can wait for */
} event_object;

typedef struct {
    uintptr_t start;
    size_t size;
    int pinned; /* cudaMallocHost memory (host side of copies), not device memory */
    stream_object *last_stream; /* the stream whose queued work used it last, or NULL */
    unsigned long long last_position;
} allocation;

/* ------------------------------------------------------------------ state */

static pthread_mutex_t memory_lock = PTHREAD_MUTEX_INITIALIZER;
static allocation *allocations; /* sorted by start */
static size_t allocation_count;
static size_t allocation_capacity;
static size_t live_device_bytes;
static size_t device_memory_total = DEFAULT_DEVICE_MEMORY;
static long allocations_before_failure = -1; /* -1: never fail */
static int device_count = 1;

static size_t frees_with_pending_work;
static char pending_free_detail[256];

static standin_registry streams = STANDIN_REGISTRY_INIT;
static standin_registry events = STANDIN_REGISTRY_INIT;
static stream_object legacy_stream = { .header = { KIND_STREAM } };     /* NULL and cudaStreamLegacy */
static stream_object per_thread_stream = { .header = { KIND_STREAM } }; /* cudaStreamPerThread (one for all threads) */
static standin_registry graphs = STANDIN_REGISTRY_INIT;
static standin_registry executables = STANDIN_REGISTRY_INIT;

static _Thread_local cudaError_t last_error = cudaSuccess;
static _Thread_local int current_device = 0;
static _Thread_local char error_detail[512];

static pthread_once_t settings_once = PTHREAD_ONCE_INIT;

static unsigned long long parse_size(const char *text) {
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text) {
        return 0;
    }
    switch (*end) {
        case 'k': case 'K': return value << 10;
        case 'm': case 'M': return value << 20;
        case 'g': case 'G': return value << 30;
        default: return value;
    }
}

/* Settings from the environment: ISTHMUS_STANDIN_DEVICE_MEMORY, ISTHMUS_STANDIN_FAIL_ALLOCATIONS_AFTER. */
static void read_settings(void) {
    const char *memory = getenv("ISTHMUS_STANDIN_DEVICE_MEMORY");
    if (memory != NULL && parse_size(memory) > 0) {
        device_memory_total = (size_t) parse_size(memory);
    }
    const char *fail = getenv("ISTHMUS_STANDIN_FAIL_ALLOCATIONS_AFTER");
    if (fail != NULL && *fail != '\0') {
        allocations_before_failure = strtol(fail, NULL, 10);
    }
}

static void settings(void) {
    pthread_once(&settings_once, read_settings);
}

/* Records the error for cudaGetLastError/cudaPeekAtLastError and returns it. */
static cudaError_t fail(cudaError_t error, const char *function, const char *detail) {
    last_error = error;
    snprintf(error_detail, sizeof error_detail, "%s: %s", function, detail);
    return error;
}

static cudaError_t require_device(const char *function) {
    settings();
    return device_count > 0 ? cudaSuccess : fail(cudaErrorNoDevice, function, "the stand-in was told to have no device");
}

/* Index of the allocation containing address p, or -1. Caller holds memory_lock. */
static long find_allocation_locked(uintptr_t p) {
    size_t low = 0, high = allocation_count;
    while (low < high) {
        size_t mid = (low + high) / 2;
        if (allocations[mid].start <= p) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    if (low == 0) {
        return -1;
    }
    const allocation *candidate = &allocations[low - 1];
    return p < candidate->start + (candidate->size ? candidate->size : 1) ? (long) (low - 1) : -1;
}

/* True when p lies in device memory from cudaMalloc (not cudaMallocHost). */
static int is_device_pointer(const void *p) {
    pthread_mutex_lock(&memory_lock);
    long index = find_allocation_locked((uintptr_t) p);
    int found = index >= 0 && !allocations[index].pinned;
    pthread_mutex_unlock(&memory_lock);
    return found;
}

static int inside_locked(long index, const void *p, size_t bytes) {
    return index >= 0 && bytes <= allocations[index].size - ((uintptr_t) p - allocations[index].start);
}

static int insert_allocation_locked(void *memory, size_t size, int is_pinned) {
    if (allocation_count == allocation_capacity) {
        size_t capacity = allocation_capacity ? allocation_capacity * 2 : 256;
        allocation *grown = realloc(allocations, capacity * sizeof *grown);
        if (grown == NULL) {
            return 0;
        }
        allocations = grown;
        allocation_capacity = capacity;
    }
    size_t position = allocation_count;
    while (position > 0 && allocations[position - 1].start > (uintptr_t) memory) {
        allocations[position] = allocations[position - 1];
        position--;
    }
    allocations[position] = (allocation) { (uintptr_t) memory, size, is_pinned, NULL, 0 };
    allocation_count++;
    return 1;
}

/* Counts a free whose last queued use the host has not synchronised with, then drops the entry. */
static void remove_allocation_locked(long index, const char *function) {
    allocation *a = &allocations[index];
    if (a->last_stream != NULL && a->last_position > a->last_stream->completed) {
        frees_with_pending_work++;
        snprintf(pending_free_detail, sizeof pending_free_detail,
                 "%s of %zu bytes while queued work on stream %p may still use it (no synchronisation since)", function,
                 a->size, (a->last_stream == &legacy_stream ? NULL : (void *) a->last_stream));
    }
    memmove(&allocations[index], &allocations[index + 1], (allocation_count - index - 1) * sizeof *allocations);
    allocation_count--;
}

static int valid_stream(cudaStream_t stream) {
    return stream == NULL || stream == STANDIN_STREAM_LEGACY || stream == STANDIN_STREAM_PER_THREAD
            || standin_registry_get(&streams, stream, KIND_STREAM) != NULL;
}

/* The bookkeeping object of a stream handle, or NULL for an invalid one. */
static stream_object *stream_of(cudaStream_t stream) {
    if (stream == NULL || stream == STANDIN_STREAM_LEGACY) {
        return &legacy_stream;
    }
    if (stream == STANDIN_STREAM_PER_THREAD) {
        return &per_thread_stream;
    }
    return standin_registry_get(&streams, stream, KIND_STREAM);
}

/* Records that work queued on the stream uses the buffer containing p. Caller holds memory_lock. */
static void note_use_locked(const void *p, stream_object *stream) {
    long index = find_allocation_locked((uintptr_t) p);
    if (index >= 0 && stream != NULL) {
        allocations[index].last_stream = stream;
        allocations[index].last_position = ++stream->enqueued;
    }
}

static void note_use(const void *p, cudaStream_t stream) {
    stream_object *queue = stream_of(stream);
    pthread_mutex_lock(&memory_lock);
    note_use_locked(p, queue);
    pthread_mutex_unlock(&memory_lock);
}

/* The host waited for everything queued on the stream so far. */
static void synchronised(stream_object *stream) {
    pthread_mutex_lock(&memory_lock);
    if (stream != NULL) {
        stream->completed = stream->enqueued;
    }
    pthread_mutex_unlock(&memory_lock);
}

/* ------------------------------------------------------------------ graph capture (docs/cuda-standin.md) */

/*
 * Streams capturing now. RT API, cudaStreamBeginCapture / cudaThreadExchangeStreamCaptureMode: while a
 * thread captures in Global mode (any thread) or ThreadLocal mode (this thread), "potentially unsafe" calls
 * such as cudaMalloc and synchronous copies are prohibited: they return cudaErrorStreamCaptureUnsupported and
 * the capture is invalidated. Relaxed captures prohibit nothing.
 */
#define MAX_CAPTURES 64
static pthread_mutex_t capture_lock = PTHREAD_MUTEX_INITIALIZER;
static stream_object *capturing[MAX_CAPTURES];
static size_t capturing_count;

/* Benchmark controls (isthmusStandinSkipWork, isthmusStandinWorkItems): see docs/cuda-standin.md. */
static int skip_work;
static unsigned long long work_items;

static void release_nodes(node_list *list) {
    if (list == NULL || --list->references > 0) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        if (list->nodes[i].release != NULL) {
            list->nodes[i].release(list->nodes[i].payload);
        }
    }
    free(list->nodes);
    free(list);
}

/* Copies the work into the list; 0 when memory ran out. Caller holds capture_lock. */
static int append_node_locked(node_list *list, void (*run)(void *), const void *args, size_t size, void (*release)(void *)) {
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 64;
        graph_node *nodes = realloc(list->nodes, capacity * sizeof *nodes);
        if (nodes == NULL) {
            return 0;
        }
        list->nodes = nodes;
        list->capacity = capacity;
    }
    void *payload = (void *) args;
    if (release == free) {
        payload = malloc(size > 0 ? size : 1);
        if (payload == NULL) {
            return 0;
        }
        memcpy(payload, args, size);
    }
    list->nodes[list->count++] = (graph_node) { run, payload, release };
    return 1;
}

/* Ends the stream's capture and returns what it recorded. Caller holds capture_lock. */
static node_list *end_capture_locked(stream_object *stream) {
    node_list *list = stream->captured;
    stream->captured = NULL;
    stream->capture_status = cudaStreamCaptureStatusNone;
    for (size_t i = 0; i < capturing_count; i++) {
        if (capturing[i] == stream) {
            capturing[i] = capturing[--capturing_count];
            break;
        }
    }
    return list;
}

static void invalidate_locked(stream_object *stream) {
    stream->capture_status = cudaStreamCaptureStatusInvalidated;
}

/* Whether the capture forbids unsafe calls on this thread (see above). Caller holds capture_lock. */
static int prohibits_unsafe_calls_locked(const stream_object *stream) {
    return stream->capture_status != cudaStreamCaptureStatusNone
            && (stream->capture_mode == cudaStreamCaptureModeGlobal
                || (stream->capture_mode == cudaStreamCaptureModeThreadLocal && pthread_equal(stream->capture_thread, pthread_self())));
}

/* For a "potentially unsafe" call: cudaErrorStreamCaptureUnsupported, invalidating the captures that forbid it. */
static cudaError_t refuse_while_capturing(const char *function) {
    int refused = 0;
    pthread_mutex_lock(&capture_lock);
    for (size_t i = 0; i < capturing_count; i++) {
        if (prohibits_unsafe_calls_locked(capturing[i])) {
            invalidate_locked(capturing[i]);
            refused = 1;
        }
    }
    pthread_mutex_unlock(&capture_lock);
    return refused ? fail(cudaErrorStreamCaptureUnsupported, function,
                          "not permitted while a stream is capturing (Global or ThreadLocal mode); the capture is invalidated")
                   : cudaSuccess;
}

/*
 * Where work queued on stream goes: 0 = run it now, 1 = it was recorded into the capture, 2 = skipped
 * (isthmusStandinSkipWork), or an error:
 * cudaErrorStreamCaptureInvalidated when the stream's capture was invalidated earlier, and
 * cudaErrorStreamCaptureImplicit for work on the legacy stream while a blocking stream captures (RT API,
 * cudaErrorStreamCaptureImplicit: the legacy stream would depend on the capturing stream).
 */
static int capture_or_run(const char *function, stream_object *stream, void (*run)(void *), const void *args, size_t size,
                          cudaError_t *error) {
    int outcome = 0;
    *error = cudaSuccess;
    pthread_mutex_lock(&capture_lock);
    if (stream == &legacy_stream) {
        for (size_t i = 0; i < capturing_count; i++) {
            if (capturing[i]->flags == cudaStreamDefault) {
                invalidate_locked(capturing[i]);
                *error = cudaErrorStreamCaptureImplicit;
            }
        }
    } else if (stream->capture_status == cudaStreamCaptureStatusInvalidated) {
        *error = cudaErrorStreamCaptureInvalidated;
    } else if (stream->capture_status == cudaStreamCaptureStatusActive) {
        if (append_node_locked(stream->captured, run, args, size, free)) {
            outcome = 1;
        } else {
            invalidate_locked(stream);
            *error = cudaErrorMemoryAllocation;
        }
    } else if (skip_work) {
        outcome = 2; /* checked, counted, not run: host-cost benchmarks */
    }
    if (*error == cudaSuccess) {
        work_items++;
    }
    pthread_mutex_unlock(&capture_lock);
    if (*error != cudaSuccess) {
        fail(*error, function, *error == cudaErrorStreamCaptureImplicit
                                       ? "work on the legacy stream while a blocking stream is capturing; that capture is invalidated"
                                       : "the stream's capture was invalidated by an earlier error (end the capture and start again)");
    }
    return outcome;
}

/* Stand-in control for cuBLAS/cuDNN: records their work into the stream's capture (registry.h, standin_capture_work). */
STANDIN_EXPORT int isthmusStandinCaptureWork(void *stream, void (*run)(void *), const void *args, size_t size) {
    stream_object *queue = stream_of((cudaStream_t) stream);
    if (queue == NULL) {
        return 0; /* the library reports the bad stream itself */
    }
    cudaError_t error;
    int outcome = capture_or_run("isthmusStandinCaptureWork", queue, run, args, size, &error);
    return error != cudaSuccess ? -1 : outcome;
}

/*
 * Stand-in control for host-cost benchmarks: with on != 0, work queued on streams (copies, memsets, cuBLAS
 * and cuDNN calls) is checked and counted but not run, and graph launches run nothing. Returns the previous
 * setting. Results are meaningless while it is on.
 */
STANDIN_EXPORT int isthmusStandinSkipWork(int on) {
    pthread_mutex_lock(&capture_lock);
    int previous = skip_work;
    skip_work = on != 0;
    pthread_mutex_unlock(&capture_lock);
    return previous;
}

/* Stand-in control: pieces of stream work queued so far (run, recorded into a capture, or skipped). */
STANDIN_EXPORT unsigned long long isthmusStandinWorkItems(void) {
    pthread_mutex_lock(&capture_lock);
    unsigned long long items = work_items;
    pthread_mutex_unlock(&capture_lock);
    return items;
}

/* Stand-in control: how many streams are capturing now. */
STANDIN_EXPORT size_t isthmusStandinActiveCaptures(void) {
    pthread_mutex_lock(&capture_lock);
    size_t count = capturing_count;
    pthread_mutex_unlock(&capture_lock);
    return count;
}

typedef struct {
    void *dst;
    const void *src;
    size_t dpitch, spitch, width, height;
} copy_work;

static void run_copy(void *payload) {
    const copy_work *work = payload;
    for (size_t row = 0; row < work->height; row++) {
        memmove((char *) work->dst + row * work->dpitch, (const char *) work->src + row * work->spitch, work->width);
    }
}

typedef struct {
    void *dst;
    int value;
    size_t count;
} fill_work;

static void run_fill(void *payload) {
    const fill_work *work = payload;
    memset(work->dst, work->value & 0xff, work->count);
}

typedef struct {
    event_object *event;
} stamp_work;

static void run_stamp(void *payload) {
    event_object *event = ((stamp_work *) payload)->event;
    if (standin_registry_get(&events, event, KIND_EVENT) != NULL) { /* destroyed since: nothing to stamp */
        clock_gettime(CLOCK_MONOTONIC, &event->when);
        event->recorded = 1;
    }
}

/* ------------------------------------------------------------------ stand-in controls */

/* Stand-in control: 1 when [p, p + bytes) lies inside one live cudaMalloc allocation. */
STANDIN_EXPORT int isthmusStandinIsDeviceRange(const void *p, size_t bytes) {
    pthread_mutex_lock(&memory_lock);
    long index = find_allocation_locked((uintptr_t) p);
    int inside = index >= 0 && !allocations[index].pinned && inside_locked(index, p, bytes);
    pthread_mutex_unlock(&memory_lock);
    return inside;
}

/* Stand-in control for cuBLAS/cuDNN: as isthmusStandinIsDeviceRange, and records that work queued on stream uses the buffer. */
STANDIN_EXPORT int isthmusStandinUseDeviceRange(const void *p, size_t bytes, void *stream) {
    stream_object *queue = stream_of((cudaStream_t) stream);
    pthread_mutex_lock(&memory_lock);
    long index = find_allocation_locked((uintptr_t) p);
    int inside = index >= 0 && !allocations[index].pinned && inside_locked(index, p, bytes);
    if (inside) {
        note_use_locked(p, queue);
    }
    pthread_mutex_unlock(&memory_lock);
    return inside;
}

/* Stand-in control: how many cudaFree/cudaFreeHost calls freed memory that queued work might still use. */
STANDIN_EXPORT size_t isthmusStandinFreesWithPendingWork(void) {
    pthread_mutex_lock(&memory_lock);
    size_t count = frees_with_pending_work;
    pthread_mutex_unlock(&memory_lock);
    return count;
}

/* Stand-in control: a description of the last such free (empty when none). */
STANDIN_EXPORT const char *isthmusStandinLastPendingFree(void) {
    return pending_free_detail;
}

/* Stand-in control: after n more successful cudaMalloc calls, every cudaMalloc fails with cudaErrorMemoryAllocation; -1 disables. Returns the previous setting. */
STANDIN_EXPORT int isthmusStandinFailAllocationsAfter(int n) {
    settings();
    pthread_mutex_lock(&memory_lock);
    int previous = (int) allocations_before_failure;
    allocations_before_failure = n < 0 ? -1 : n;
    pthread_mutex_unlock(&memory_lock);
    return previous;
}

/* Stand-in control: bytes currently held by cudaMalloc allocations. */
STANDIN_EXPORT size_t isthmusStandinLiveDeviceBytes(void) {
    pthread_mutex_lock(&memory_lock);
    size_t bytes = live_device_bytes;
    pthread_mutex_unlock(&memory_lock);
    return bytes;
}

/* Stand-in control: number of live cudaMalloc allocations. */
STANDIN_EXPORT size_t isthmusStandinLiveDeviceAllocations(void) {
    pthread_mutex_lock(&memory_lock);
    size_t count = 0;
    for (size_t i = 0; i < allocation_count; i++) {
        count += !allocations[i].pinned;
    }
    pthread_mutex_unlock(&memory_lock);
    return count;
}

/* Stand-in control: number of streams created and not destroyed. */
STANDIN_EXPORT size_t isthmusStandinLiveStreams(void) {
    return standin_registry_live(&streams);
}

/* Stand-in control: number of events created and not destroyed. */
STANDIN_EXPORT size_t isthmusStandinLiveEvents(void) {
    return standin_registry_live(&events);
}

/* Stand-in control: the device memory cudaMemGetInfo reports and cudaMalloc may hand out; returns the previous total. */
STANDIN_EXPORT size_t isthmusStandinSetDeviceMemory(size_t total_bytes) {
    settings();
    pthread_mutex_lock(&memory_lock);
    size_t previous = device_memory_total;
    device_memory_total = total_bytes;
    pthread_mutex_unlock(&memory_lock);
    return previous;
}

/* Stand-in control: 1 (default) or 0 devices, to exercise the "no GPU" paths; returns the previous count. */
STANDIN_EXPORT int isthmusStandinSetDeviceCount(int count) {
    settings();
    int previous = device_count;
    device_count = count > 0 ? 1 : 0;
    return previous;
}

/* Stand-in control: the calling thread's explanation of the runtime's last error (empty when none). */
STANDIN_EXPORT const char *isthmusStandinLastErrorDetail(void) {
    return error_detail;
}

/* ------------------------------------------------------------------ devices and versions */

/* RT API, cudaGetDeviceCount: stores the number of devices; with none, *count = 0 and cudaErrorNoDevice. */
STANDIN_EXPORT cudaError_t cudaGetDeviceCount(int *count) {
    settings();
    if (count == NULL) {
        return fail(cudaErrorInvalidValue, "cudaGetDeviceCount", "count is NULL");
    }
    *count = device_count;
    return device_count > 0 ? cudaSuccess : fail(cudaErrorNoDevice, "cudaGetDeviceCount", "no device");
}

/* RT API, cudaSetDevice: device must be in [0, count) else cudaErrorInvalidDevice. */
STANDIN_EXPORT cudaError_t cudaSetDevice(int device) {
    cudaError_t status = require_device("cudaSetDevice");
    if (status != cudaSuccess) {
        return status;
    }
    if (device < 0 || device >= device_count) {
        return fail(cudaErrorInvalidDevice, "cudaSetDevice", "device ordinal out of range");
    }
    current_device = device;
    return cudaSuccess;
}

/* RT API, cudaGetDevice: stores the calling thread's current device. */
STANDIN_EXPORT cudaError_t cudaGetDevice(int *device) {
    cudaError_t status = require_device("cudaGetDevice");
    if (status != cudaSuccess) {
        return status;
    }
    if (device == NULL) {
        return fail(cudaErrorInvalidValue, "cudaGetDevice", "device is NULL");
    }
    *device = current_device;
    return cudaSuccess;
}

/* RT API, cudaGetDeviceProperties: fills struct cudaDeviceProp (CUDA 13 layout) for a valid ordinal. */
STANDIN_EXPORT cudaError_t cudaGetDeviceProperties(struct cudaDeviceProp *prop, int device) {
    cudaError_t status = require_device("cudaGetDeviceProperties");
    if (status != cudaSuccess) {
        return status;
    }
    if (prop == NULL) {
        return fail(cudaErrorInvalidValue, "cudaGetDeviceProperties", "prop is NULL");
    }
    if (device < 0 || device >= device_count) {
        return fail(cudaErrorInvalidDevice, "cudaGetDeviceProperties", "device ordinal out of range");
    }
    memset(prop, 0, sizeof *prop);
    snprintf(prop->name, sizeof prop->name, "%s", DEVICE_NAME);
    memcpy(prop->uuid.bytes, "isthmus-standin", 16);
    prop->totalGlobalMem = device_memory_total;
    prop->sharedMemPerBlock = 48 << 10;
    prop->regsPerBlock = 65536;
    prop->warpSize = 32;
    prop->memPitch = MAX_PITCH;
    prop->maxThreadsPerBlock = 1024;
    prop->maxThreadsDim[0] = 1024;
    prop->maxThreadsDim[1] = 1024;
    prop->maxThreadsDim[2] = 64;
    prop->maxGridSize[0] = 0x7fffffff;
    prop->maxGridSize[1] = 65535;
    prop->maxGridSize[2] = 65535;
    prop->totalConstMem = 64 << 10;
    prop->major = 9;
    prop->minor = 0;
    prop->textureAlignment = 512;
    prop->texturePitchAlignment = 32;
    prop->multiProcessorCount = 1;
    prop->canMapHostMemory = 1;
    prop->concurrentKernels = 1;
    prop->unifiedAddressing = 1;
    prop->memoryBusWidth = 64;
    prop->l2CacheSize = 1 << 20;
    prop->maxThreadsPerMultiProcessor = 2048;
    prop->sharedMemPerMultiprocessor = 228 << 10;
    prop->regsPerMultiprocessor = 65536;
    prop->sharedMemPerBlockOptin = 227 << 10;
    prop->maxBlocksPerMultiProcessor = 32;
    prop->hostNumaId = -1;
    prop->deviceNumaId = -1;
    return cudaSuccess;
}

/* RT API, cudaDeviceGetAttribute: stores one attribute of a valid device; unknown attributes give cudaErrorInvalidValue. */
STANDIN_EXPORT cudaError_t cudaDeviceGetAttribute(int *value, enum cudaDeviceAttr attr, int device) {
    cudaError_t status = require_device("cudaDeviceGetAttribute");
    if (status != cudaSuccess) {
        return status;
    }
    if (value == NULL) {
        return fail(cudaErrorInvalidValue, "cudaDeviceGetAttribute", "value is NULL");
    }
    if (device < 0 || device >= device_count) {
        return fail(cudaErrorInvalidDevice, "cudaDeviceGetAttribute", "device ordinal out of range");
    }
    switch (attr) {
        case cudaDevAttrMaxThreadsPerBlock: *value = 1024; break;
        case cudaDevAttrMaxBlockDimX: *value = 1024; break;
        case cudaDevAttrMaxGridDimX: *value = 0x7fffffff; break;
        case cudaDevAttrMaxSharedMemoryPerBlock: *value = 48 << 10; break;
        case cudaDevAttrTotalConstantMemory: *value = 64 << 10; break;
        case cudaDevAttrWarpSize: *value = 32; break;
        case cudaDevAttrMaxRegistersPerBlock: *value = 65536; break;
        case cudaDevAttrClockRate: *value = 1000000; break;
        case cudaDevAttrMultiProcessorCount: *value = 1; break;
        case cudaDevAttrIntegrated: *value = 0; break;
        case cudaDevAttrConcurrentKernels: *value = 1; break;
        case cudaDevAttrPciBusId: *value = 0; break;
        case cudaDevAttrMemoryClockRate: *value = 1000000; break;
        case cudaDevAttrGlobalMemoryBusWidth: *value = 64; break;
        case cudaDevAttrL2CacheSize: *value = 1 << 20; break;
        case cudaDevAttrMaxThreadsPerMultiProcessor: *value = 2048; break;
        case cudaDevAttrUnifiedAddressing: *value = 1; break;
        case cudaDevAttrComputeCapabilityMajor: *value = 9; break;
        case cudaDevAttrComputeCapabilityMinor: *value = 0; break;
        case cudaDevAttrMaxSharedMemoryPerMultiprocessor: *value = 228 << 10; break;
        case cudaDevAttrMaxSharedMemoryPerBlockOptin: *value = 227 << 10; break;
        default:
            return fail(cudaErrorInvalidValue, "cudaDeviceGetAttribute", "attribute not known to the stand-in");
    }
    return cudaSuccess;
}

/* RT API, cudaDriverGetVersion: stores the driver's CUDA version (1000*major + 10*minor). */
STANDIN_EXPORT cudaError_t cudaDriverGetVersion(int *driverVersion) {
    if (driverVersion == NULL) {
        return fail(cudaErrorInvalidValue, "cudaDriverGetVersion", "driverVersion is NULL");
    }
    *driverVersion = CUDART_VERSION;
    return cudaSuccess;
}

/* RT API, cudaRuntimeGetVersion: stores CUDART_VERSION (13000 for 13.0). */
STANDIN_EXPORT cudaError_t cudaRuntimeGetVersion(int *runtimeVersion) {
    if (runtimeVersion == NULL) {
        return fail(cudaErrorInvalidValue, "cudaRuntimeGetVersion", "runtimeVersion is NULL");
    }
    *runtimeVersion = CUDART_VERSION;
    return cudaSuccess;
}

/* RT API, cudaDeviceSynchronize: waits for all work; the stand-in's work is already done. */
STANDIN_EXPORT cudaError_t cudaDeviceSynchronize(void) {
    cudaError_t status = require_device("cudaDeviceSynchronize");
    if (status == cudaSuccess && isthmusStandinActiveCaptures() > 0) {
        /* RT API: synchronising the device would wait on a capturing stream; every capture is invalidated. */
        pthread_mutex_lock(&capture_lock);
        for (size_t i = 0; i < capturing_count; i++) {
            invalidate_locked(capturing[i]);
        }
        pthread_mutex_unlock(&capture_lock);
        return fail(cudaErrorStreamCaptureUnsupported, "cudaDeviceSynchronize", "not permitted while a stream is capturing; the capture is invalidated");
    }
    if (status == cudaSuccess) {
        pthread_mutex_lock(&streams.lock);
        pthread_mutex_lock(&memory_lock);
        for (size_t i = 0; i < streams.capacity; i++) {
            stream_object *stream = streams.slots[i];
            if (stream != NULL && stream != STANDIN_TOMBSTONE) {
                stream->completed = stream->enqueued;
            }
        }
        legacy_stream.completed = legacy_stream.enqueued;
        per_thread_stream.completed = per_thread_stream.enqueued;
        pthread_mutex_unlock(&memory_lock);
        pthread_mutex_unlock(&streams.lock);
    }
    return status;
}

static void free_all_objects(standin_registry *registry) {
    pthread_mutex_lock(&registry->lock);
    for (size_t i = 0; i < registry->capacity; i++) {
        if (registry->slots[i] != NULL && registry->slots[i] != STANDIN_TOMBSTONE) {
            free(registry->slots[i]);
        }
        registry->slots[i] = NULL;
    }
    registry->used = 0;
    registry->live = 0;
    pthread_mutex_unlock(&registry->lock);
}

/* RT API, cudaDeviceReset: destroys all allocations and resources of the device in this process. */
STANDIN_EXPORT cudaError_t cudaDeviceReset(void) {
    pthread_mutex_lock(&memory_lock);
    size_t kept = 0;
    for (size_t i = 0; i < allocation_count; i++) {
        if (allocations[i].pinned) { /* host memory survives a device reset */
            allocations[i].last_stream = NULL;
            allocations[kept++] = allocations[i];
        } else {
            free((void *) allocations[i].start);
        }
    }
    allocation_count = kept;
    live_device_bytes = 0;
    pthread_mutex_unlock(&memory_lock);
    free_all_objects(&streams);
    free_all_objects(&events);
    return cudaSuccess;
}

/* ------------------------------------------------------------------ memory */

/* RT API, cudaMalloc: allocates size bytes of device memory (not cleared); cudaErrorMemoryAllocation when it cannot. */
STANDIN_EXPORT cudaError_t cudaMalloc(void **devPtr, size_t size) {
    cudaError_t status = require_device("cudaMalloc");
    if (status == cudaSuccess) {
        status = refuse_while_capturing("cudaMalloc");
    }
    if (status != cudaSuccess) {
        return status;
    }
    if (devPtr == NULL) {
        return fail(cudaErrorInvalidValue, "cudaMalloc", "devPtr is NULL");
    }
    if (size == 0) {
        *devPtr = NULL; /* what NVIDIA's runtime does for a zero-byte request */
        return cudaSuccess;
    }
    pthread_mutex_lock(&memory_lock);
    if (allocations_before_failure == 0) {
        pthread_mutex_unlock(&memory_lock);
        return fail(cudaErrorMemoryAllocation, "cudaMalloc", "injected failure (isthmusStandinFailAllocationsAfter)");
    }
    if (size > device_memory_total - live_device_bytes || live_device_bytes > device_memory_total) {
        pthread_mutex_unlock(&memory_lock);
        return fail(cudaErrorMemoryAllocation, "cudaMalloc", "request exceeds the stand-in's free device memory");
    }
    size_t rounded = (size + ALLOCATION_ALIGNMENT - 1) / ALLOCATION_ALIGNMENT * ALLOCATION_ALIGNMENT;
    void *memory = aligned_alloc(ALLOCATION_ALIGNMENT, rounded);
    if (memory == NULL) {
        pthread_mutex_unlock(&memory_lock);
        return fail(cudaErrorMemoryAllocation, "cudaMalloc", "host memory exhausted");
    }
    if (!insert_allocation_locked(memory, size, 0)) {
        free(memory);
        pthread_mutex_unlock(&memory_lock);
        return fail(cudaErrorMemoryAllocation, "cudaMalloc", "host memory exhausted");
    }
    live_device_bytes += size;
    if (allocations_before_failure > 0) {
        allocations_before_failure--;
    }
    pthread_mutex_unlock(&memory_lock);
    memset(memory, UNINITIALISED_BYTE, rounded);
    *devPtr = memory;
    return cudaSuccess;
}

/* RT API, cudaFree: frees memory from cudaMalloc; NULL is a no-op; any other pointer gives cudaErrorInvalidValue; it only "may" synchronise. */
STANDIN_EXPORT cudaError_t cudaFree(void *devPtr) {
    if (devPtr == NULL) {
        return cudaSuccess;
    }
    if (refuse_while_capturing("cudaFree") != cudaSuccess) {
        return cudaErrorStreamCaptureUnsupported;
    }
    pthread_mutex_lock(&memory_lock);
    long index = find_allocation_locked((uintptr_t) devPtr);
    if (index < 0 || allocations[index].start != (uintptr_t) devPtr || allocations[index].pinned) {
        pthread_mutex_unlock(&memory_lock);
        return fail(cudaErrorInvalidValue, "cudaFree",
                index < 0 ? "not a live cudaMalloc pointer (freed twice, or never allocated)"
                : allocations[index].pinned ? "memory from cudaMallocHost is freed with cudaFreeHost"
                                            : "points inside an allocation, not at its start");
    }
    live_device_bytes -= allocations[index].size;
    remove_allocation_locked(index, "cudaFree");
    pthread_mutex_unlock(&memory_lock);
    free(devPtr);
    return cudaSuccess;
}

/* RT API, cudaMallocHost: allocates page-locked host memory (plain host memory here). */
STANDIN_EXPORT cudaError_t cudaMallocHost(void **ptr, size_t size) {
    if (ptr == NULL) {
        return fail(cudaErrorInvalidValue, "cudaMallocHost", "ptr is NULL");
    }
    if (refuse_while_capturing("cudaMallocHost") != cudaSuccess) {
        return cudaErrorStreamCaptureUnsupported;
    }
    void *memory = aligned_alloc(ALLOCATION_ALIGNMENT, (size + ALLOCATION_ALIGNMENT) / ALLOCATION_ALIGNMENT * ALLOCATION_ALIGNMENT);
    pthread_mutex_lock(&memory_lock);
    int added = memory != NULL && insert_allocation_locked(memory, size, 1);
    pthread_mutex_unlock(&memory_lock);
    if (!added) {
        free(memory);
        return fail(cudaErrorMemoryAllocation, "cudaMallocHost", "host memory exhausted");
    }
    *ptr = memory;
    return cudaSuccess;
}

/* RT API, cudaFreeHost: frees memory from cudaMallocHost; any other pointer gives cudaErrorInvalidValue. */
STANDIN_EXPORT cudaError_t cudaFreeHost(void *ptr) {
    if (ptr == NULL) {
        return cudaSuccess;
    }
    if (refuse_while_capturing("cudaFreeHost") != cudaSuccess) {
        return cudaErrorStreamCaptureUnsupported;
    }
    pthread_mutex_lock(&memory_lock);
    long index = find_allocation_locked((uintptr_t) ptr);
    if (index < 0 || allocations[index].start != (uintptr_t) ptr || !allocations[index].pinned) {
        pthread_mutex_unlock(&memory_lock);
        return fail(cudaErrorInvalidValue, "cudaFreeHost", "not a live cudaMallocHost pointer");
    }
    remove_allocation_locked(index, "cudaFreeHost");
    pthread_mutex_unlock(&memory_lock);
    free(ptr);
    return cudaSuccess;
}

/*
 * Checks one side of a copy. The direction says where each pointer must live; NVIDIA documents a
 * mismatch as undefined behaviour, the stand-in reports it as cudaErrorInvalidValue so the bug shows.
 */
static cudaError_t check_side(const char *function, const char *side, const void *p, size_t bytes, int on_device) {
    if (p == NULL) {
        char detail[96];
        snprintf(detail, sizeof detail, "%s pointer is NULL", side);
        return fail(cudaErrorInvalidValue, function, detail);
    }
    if (on_device && !isthmusStandinIsDeviceRange(p, bytes)) {
        char detail[160];
        snprintf(detail, sizeof detail, "%s range of %zu bytes is not inside a live cudaMalloc allocation", side, bytes);
        return fail(cudaErrorInvalidValue, function, detail);
    }
    if (!on_device && is_device_pointer(p)) {
        char detail[160];
        snprintf(detail, sizeof detail, "%s is device memory but the copy kind says host", side);
        return fail(cudaErrorInvalidValue, function, detail);
    }
    return cudaSuccess;
}

/* The extent in bytes of `rows` rows of `width` bytes, `pitch` apart. */
static size_t pitched_extent(size_t pitch, size_t width, size_t rows) {
    return rows == 0 ? 0 : (rows - 1) * pitch + width;
}

static cudaError_t check_copy(const char *function, void *dst, size_t dpitch, const void *src, size_t spitch,
                              size_t width, size_t height, enum cudaMemcpyKind kind) {
    int dst_device, src_device;
    switch (kind) {
        case cudaMemcpyHostToHost: dst_device = 0; src_device = 0; break;
        case cudaMemcpyHostToDevice: dst_device = 1; src_device = 0; break;
        case cudaMemcpyDeviceToHost: dst_device = 0; src_device = 1; break;
        case cudaMemcpyDeviceToDevice: dst_device = 1; src_device = 1; break;
        case cudaMemcpyDefault: dst_device = is_device_pointer(dst); src_device = is_device_pointer(src); break;
        default: return fail(cudaErrorInvalidMemcpyDirection, function, "kind is not a cudaMemcpyKind value");
    }
    if (width == 0 || height == 0) {
        return cudaSuccess;
    }
    cudaError_t status = check_side(function, "dst", dst, pitched_extent(dpitch, width, height), dst_device);
    return status != cudaSuccess ? status
                                 : check_side(function, "src", src, pitched_extent(spitch, width, height), src_device);
}

/* RT API, cudaMemcpy: copies count bytes in the direction kind names (cudaMemcpyDefault infers it). */
STANDIN_EXPORT cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind) {
    if (refuse_while_capturing("cudaMemcpy") != cudaSuccess) {
        return cudaErrorStreamCaptureUnsupported; /* a synchronous copy: the host would read results mid-capture */
    }
    cudaError_t status = check_copy("cudaMemcpy", dst, count, src, count, count, 1, kind);
    if (status == cudaSuccess && count > 0) {
        memmove(dst, src, count);
    }
    synchronised(&legacy_stream); /* it runs on the legacy stream and returns when done */
    return status;
}

/* RT API, cudaMemcpyAsync: as cudaMemcpy, ordered on stream (done at once here); invalid stream gives cudaErrorInvalidResourceHandle. */
STANDIN_EXPORT cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind, cudaStream_t stream) {
    if (!valid_stream(stream)) {
        return fail(cudaErrorInvalidResourceHandle, "cudaMemcpyAsync", "stream is not a live stream");
    }
    cudaError_t status = check_copy("cudaMemcpyAsync", dst, count, src, count, count, 1, kind);
    if (status == cudaSuccess && count > 0) {
        copy_work work = { dst, src, count, count, count, 1 };
        if (capture_or_run("cudaMemcpyAsync", stream_of(stream), run_copy, &work, sizeof work, &status) == 0 && status == cudaSuccess) {
            run_copy(&work);
        }
    }
    if (status == cudaSuccess && count > 0) {
        note_use(dst, stream);
        note_use(src, stream); /* pinned host buffers too: freeing them early is the same bug */
    }
    return status;
}

/* A 2-D copy; on a stream (queue not NULL) it may be recorded into the stream's capture instead. */
static cudaError_t copy_2d(const char *function, void *dst, size_t dpitch, const void *src, size_t spitch,
                           size_t width, size_t height, enum cudaMemcpyKind kind, stream_object *queue) {
    /* RT API, cudaMemcpy2D: width is in bytes; dpitch and spitch must be >= width, else cudaErrorInvalidPitchValue. */
    if (dpitch < width || spitch < width) {
        return fail(cudaErrorInvalidPitchValue, function, "dpitch and spitch must be at least width (bytes)");
    }
    /* RT API, cudaMemcpy2D: an error if dpitch or spitch exceeds the maximum (cudaDeviceProp.memPitch). */
    if (dpitch > MAX_PITCH || spitch > MAX_PITCH) {
        return fail(cudaErrorInvalidPitchValue, function, "dpitch or spitch exceeds the maximum pitch");
    }
    cudaError_t status = check_copy(function, dst, dpitch, src, spitch, width, height, kind);
    if (status != cudaSuccess) {
        return status;
    }
    /* RT API, cudaMemcpy2D: the memory areas may not overlap. */
    uintptr_t d = (uintptr_t) dst, s = (uintptr_t) src;
    if (width > 0 && height > 0 && d < s + pitched_extent(spitch, width, height) && s < d + pitched_extent(dpitch, width, height)) {
        return fail(cudaErrorInvalidValue, function, "source and destination areas overlap");
    }
    copy_work work = { dst, src, dpitch, spitch, width, height };
    if (width > 0 && height > 0
        && (queue == NULL || capture_or_run(function, queue, run_copy, &work, sizeof work, &status) == 0) && status == cudaSuccess) {
        run_copy(&work);
    }
    return status;
}

/* RT API, cudaMemcpy2D: copies height rows of width bytes between pitched buffers. */
STANDIN_EXPORT cudaError_t cudaMemcpy2D(void *dst, size_t dpitch, const void *src, size_t spitch, size_t width,
                                       size_t height, enum cudaMemcpyKind kind) {
    if (refuse_while_capturing("cudaMemcpy2D") != cudaSuccess) {
        return cudaErrorStreamCaptureUnsupported;
    }
    cudaError_t status = copy_2d("cudaMemcpy2D", dst, dpitch, src, spitch, width, height, kind, NULL);
    synchronised(&legacy_stream);
    return status;
}

/* RT API, cudaMemcpy2DAsync: as cudaMemcpy2D, ordered on stream (done at once here). */
STANDIN_EXPORT cudaError_t cudaMemcpy2DAsync(void *dst, size_t dpitch, const void *src, size_t spitch, size_t width,
                                            size_t height, enum cudaMemcpyKind kind, cudaStream_t stream) {
    if (!valid_stream(stream)) {
        return fail(cudaErrorInvalidResourceHandle, "cudaMemcpy2DAsync", "stream is not a live stream");
    }
    cudaError_t status = copy_2d("cudaMemcpy2DAsync", dst, dpitch, src, spitch, width, height, kind, stream_of(stream));
    if (status == cudaSuccess && width > 0 && height > 0) {
        note_use(dst, stream);
        note_use(src, stream);
    }
    return status;
}

/* A memset; on a stream (queue not NULL) it may be recorded into the stream's capture instead. */
static cudaError_t fill(const char *function, void *devPtr, int value, size_t count, stream_object *queue) {
    if (count == 0) {
        return cudaSuccess;
    }
    cudaError_t status = check_side(function, "devPtr", devPtr, count, 1);
    fill_work work = { devPtr, value, count };
    if (status == cudaSuccess && (queue == NULL || capture_or_run(function, queue, run_fill, &work, sizeof work, &status) == 0)
        && status == cudaSuccess) {
        run_fill(&work);
    }
    return status;
}

/* RT API, cudaMemset: fills count bytes of device memory with the byte value (value & 0xff). */
STANDIN_EXPORT cudaError_t cudaMemset(void *devPtr, int value, size_t count) {
    if (refuse_while_capturing("cudaMemset") != cudaSuccess) {
        return cudaErrorStreamCaptureUnsupported;
    }
    return fill("cudaMemset", devPtr, value, count, NULL);
}

/* RT API, cudaMemsetAsync: as cudaMemset, ordered on stream (done at once here). */
STANDIN_EXPORT cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count, cudaStream_t stream) {
    if (!valid_stream(stream)) {
        return fail(cudaErrorInvalidResourceHandle, "cudaMemsetAsync", "stream is not a live stream");
    }
    cudaError_t status = fill("cudaMemsetAsync", devPtr, value, count, stream_of(stream));
    if (status == cudaSuccess && count > 0) {
        note_use(devPtr, stream);
    }
    return status;
}

/* RT API, cudaMemGetInfo: stores free and total device memory in bytes. */
STANDIN_EXPORT cudaError_t cudaMemGetInfo(size_t *free_bytes, size_t *total_bytes) {
    cudaError_t status = require_device("cudaMemGetInfo");
    if (status != cudaSuccess) {
        return status;
    }
    if (free_bytes == NULL || total_bytes == NULL) {
        return fail(cudaErrorInvalidValue, "cudaMemGetInfo", "free or total is NULL");
    }
    pthread_mutex_lock(&memory_lock);
    *total_bytes = device_memory_total;
    *free_bytes = live_device_bytes < device_memory_total ? device_memory_total - live_device_bytes : 0;
    pthread_mutex_unlock(&memory_lock);
    return cudaSuccess;
}

/* ------------------------------------------------------------------ streams and events */

/* RT API, cudaStreamCreateWithFlags: creates a stream; flags are cudaStreamDefault or cudaStreamNonBlocking. */
STANDIN_EXPORT cudaError_t cudaStreamCreateWithFlags(cudaStream_t *pStream, unsigned int flags) {
    cudaError_t status = require_device("cudaStreamCreateWithFlags");
    if (status != cudaSuccess) {
        return status;
    }
    if (pStream == NULL) {
        return fail(cudaErrorInvalidValue, "cudaStreamCreateWithFlags", "pStream is NULL");
    }
    if ((flags & ~(unsigned int) cudaStreamNonBlocking) != 0) {
        return fail(cudaErrorInvalidValue, "cudaStreamCreateWithFlags", "unknown flags");
    }
    stream_object *stream = calloc(1, sizeof *stream);
    if (stream == NULL || !standin_registry_add(&streams, stream)) {
        free(stream);
        return fail(cudaErrorMemoryAllocation, "cudaStreamCreateWithFlags", "host memory exhausted");
    }
    stream->header.kind = KIND_STREAM;
    stream->flags = flags;
    *pStream = (cudaStream_t) stream;
    return cudaSuccess;
}

/* RT API, cudaStreamCreate: creates a stream with default flags. */
STANDIN_EXPORT cudaError_t cudaStreamCreate(cudaStream_t *pStream) {
    return cudaStreamCreateWithFlags(pStream, cudaStreamDefault);
}

/* RT API, cudaStreamDestroy: destroys a created stream; anything else gives cudaErrorInvalidResourceHandle. */
STANDIN_EXPORT cudaError_t cudaStreamDestroy(cudaStream_t stream) {
    if (!standin_registry_remove(&streams, stream)) {
        return fail(cudaErrorInvalidResourceHandle, "cudaStreamDestroy", "not a live stream (destroyed twice, or a default stream)");
    }
    pthread_mutex_lock(&capture_lock);
    if (((stream_object *) stream)->capture_status != cudaStreamCaptureStatusNone) {
        release_nodes(end_capture_locked((stream_object *) stream)); /* an unfinished capture is dropped */
    }
    pthread_mutex_unlock(&capture_lock);
    /* RT API, cudaStreamDestroy: queued work still completes; forget the stream's bookkeeping. */
    pthread_mutex_lock(&memory_lock);
    for (size_t i = 0; i < allocation_count; i++) {
        if (allocations[i].last_stream == (stream_object *) stream) {
            allocations[i].last_stream = NULL;
        }
    }
    pthread_mutex_unlock(&memory_lock);
    free(stream);
    return cudaSuccess;
}

/* RT API, cudaStreamSynchronize: waits for the stream's work (already done here). */
STANDIN_EXPORT cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
    stream_object *queue = stream_of(stream);
    if (queue == NULL) {
        return fail(cudaErrorInvalidResourceHandle, "cudaStreamSynchronize", "not a live stream");
    }
    pthread_mutex_lock(&capture_lock);
    int capturing_now = queue->capture_status != cudaStreamCaptureStatusNone;
    if (capturing_now) {
        invalidate_locked(queue); /* RT API: synchronising a capturing stream is not permitted */
    }
    pthread_mutex_unlock(&capture_lock);
    if (capturing_now) {
        return fail(cudaErrorStreamCaptureUnsupported, "cudaStreamSynchronize",
                    "the stream is capturing: nothing has run yet, so the host cannot wait for it; the capture is invalidated");
    }
    synchronised(queue);
    return cudaSuccess;
}

/* RT API, cudaEventCreateWithFlags: creates an event; flags combine cudaEventBlockingSync, DisableTiming, Interprocess. */
STANDIN_EXPORT cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags) {
    cudaError_t status = require_device("cudaEventCreateWithFlags");
    if (status != cudaSuccess) {
        return status;
    }
    if (event == NULL) {
        return fail(cudaErrorInvalidValue, "cudaEventCreateWithFlags", "event is NULL");
    }
    if ((flags & ~(unsigned int) (cudaEventBlockingSync | cudaEventDisableTiming | cudaEventInterprocess)) != 0) {
        return fail(cudaErrorInvalidValue, "cudaEventCreateWithFlags", "unknown flags");
    }
    event_object *created = calloc(1, sizeof *created);
    if (created == NULL || !standin_registry_add(&events, created)) {
        free(created);
        return fail(cudaErrorMemoryAllocation, "cudaEventCreateWithFlags", "host memory exhausted");
    }
    created->header.kind = KIND_EVENT;
    created->flags = flags;
    *event = (cudaEvent_t) created;
    return cudaSuccess;
}

/* RT API, cudaEventCreate: creates an event with default flags. */
STANDIN_EXPORT cudaError_t cudaEventCreate(cudaEvent_t *event) {
    return cudaEventCreateWithFlags(event, cudaEventDefault);
}

/* RT API, cudaEventRecord: captures the stream's work so far; the stand-in's is done, so it stamps the time now. */
STANDIN_EXPORT cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
    event_object *recorded = standin_registry_get(&events, event, KIND_EVENT);
    if (recorded == NULL) {
        return fail(cudaErrorInvalidResourceHandle, "cudaEventRecord", "not a live event");
    }
    stream_object *queue = stream_of(stream);
    if (queue == NULL) {
        return fail(cudaErrorInvalidResourceHandle, "cudaEventRecord", "not a live stream");
    }
    stamp_work work = { recorded };
    cudaError_t status;
    int captured = capture_or_run("cudaEventRecord", queue, run_stamp, &work, sizeof work, &status);
    if (status != cudaSuccess) {
        return status;
    }
    recorded->captured = captured == 1;
    if (captured != 1) {
        run_stamp(&work);
    }
    pthread_mutex_lock(&memory_lock);
    recorded->stream = queue;
    recorded->position = queue->enqueued;
    pthread_mutex_unlock(&memory_lock);
    return cudaSuccess;
}

/* RT API, cudaEventSynchronize: waits until the work recorded before the event is done; an event never recorded returns at once. */
STANDIN_EXPORT cudaError_t cudaEventSynchronize(cudaEvent_t event) {
    event_object *waited = standin_registry_get(&events, event, KIND_EVENT);
    if (waited == NULL) {
        return fail(cudaErrorInvalidResourceHandle, "cudaEventSynchronize", "not a live event");
    }
    if (waited->captured) {
        return fail(cudaErrorCapturedEvent, "cudaEventSynchronize", "the event was last recorded in a capturing stream");
    }
    stream_object *queue = waited->stream;
    int live = queue == &legacy_stream || queue == &per_thread_stream
            || (queue != NULL && standin_registry_contains(&streams, queue));
    pthread_mutex_lock(&memory_lock);
    if (live && queue->completed < waited->position) {
        queue->completed = waited->position;
    }
    pthread_mutex_unlock(&memory_lock);
    return cudaSuccess;
}

/* RT API, cudaEventElapsedTime: ms between two recorded events; unrecorded or DisableTiming events give cudaErrorInvalidResourceHandle. */
STANDIN_EXPORT cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end) {
    if (ms == NULL) {
        return fail(cudaErrorInvalidValue, "cudaEventElapsedTime", "ms is NULL");
    }
    event_object *first = standin_registry_get(&events, start, KIND_EVENT);
    event_object *second = standin_registry_get(&events, end, KIND_EVENT);
    if (first == NULL || second == NULL) {
        return fail(cudaErrorInvalidResourceHandle, "cudaEventElapsedTime", "start or end is not a live event");
    }
    if (!first->recorded || !second->recorded) {
        return fail(cudaErrorInvalidResourceHandle, "cudaEventElapsedTime", "start or end was never recorded");
    }
    if ((first->flags | second->flags) & cudaEventDisableTiming) {
        return fail(cudaErrorInvalidResourceHandle, "cudaEventElapsedTime", "an event was created with cudaEventDisableTiming");
    }
    *ms = (float) ((second->when.tv_sec - first->when.tv_sec) * 1e3 + (second->when.tv_nsec - first->when.tv_nsec) / 1e6);
    return cudaSuccess;
}

/* RT API, cudaEventDestroy: destroys a created event; anything else gives cudaErrorInvalidResourceHandle. */
STANDIN_EXPORT cudaError_t cudaEventDestroy(cudaEvent_t event) {
    if (!standin_registry_remove(&events, event)) {
        return fail(cudaErrorInvalidResourceHandle, "cudaEventDestroy", "not a live event (destroyed twice?)");
    }
    free(event);
    return cudaSuccess;
}

/* ------------------------------------------------------------------ graphs */

typedef struct {
    standin_object header;
    node_list *nodes;
} graph_object;

/* RT API, cudaStreamBeginCapture: starts capturing work queued on stream into a new graph; the legacy stream cannot capture. */
STANDIN_EXPORT cudaError_t cudaStreamBeginCapture(cudaStream_t stream, enum cudaStreamCaptureMode mode) {
    stream_object *queue = stream_of(stream);
    if (queue == NULL) {
        return fail(cudaErrorInvalidResourceHandle, "cudaStreamBeginCapture", "not a live stream");
    }
    if (queue == &legacy_stream) {
        return fail(cudaErrorStreamCaptureUnsupported, "cudaStreamBeginCapture", "the legacy (NULL) stream cannot be captured");
    }
    if (mode != cudaStreamCaptureModeGlobal && mode != cudaStreamCaptureModeThreadLocal && mode != cudaStreamCaptureModeRelaxed) {
        return fail(cudaErrorInvalidValue, "cudaStreamBeginCapture", "mode is not a cudaStreamCaptureMode value");
    }
    node_list *list = calloc(1, sizeof *list);
    if (list == NULL) {
        return fail(cudaErrorMemoryAllocation, "cudaStreamBeginCapture", "host memory exhausted");
    }
    list->references = 1;
    cudaError_t status = cudaSuccess;
    pthread_mutex_lock(&capture_lock);
    if (queue->capture_status != cudaStreamCaptureStatusNone) {
        status = cudaErrorIllegalState; /* RT API: the stream is already capturing */
    } else if (capturing_count == MAX_CAPTURES) {
        status = cudaErrorMemoryAllocation;
    } else {
        queue->capture_status = cudaStreamCaptureStatusActive;
        queue->capture_mode = mode;
        queue->capture_thread = pthread_self();
        queue->captured = list;
        capturing[capturing_count++] = queue;
    }
    pthread_mutex_unlock(&capture_lock);
    if (status != cudaSuccess) {
        free(list);
        return fail(status, "cudaStreamBeginCapture", status == cudaErrorIllegalState ? "the stream is already capturing"
                                                                                        : "too many captures at once");
    }
    return cudaSuccess;
}

/*
 * RT API, cudaStreamEndCapture: ends the capture and returns the graph; cudaErrorIllegalState when the stream
 * is not capturing, cudaErrorStreamCaptureWrongThread when a non-Relaxed capture is ended from another thread,
 * cudaErrorStreamCaptureInvalidated (and *pGraph = NULL) when the capture was invalidated; the capture ends either way.
 */
STANDIN_EXPORT cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t *pGraph) {
    stream_object *queue = stream_of(stream);
    if (queue == NULL) {
        return fail(cudaErrorInvalidResourceHandle, "cudaStreamEndCapture", "not a live stream");
    }
    if (pGraph == NULL) {
        return fail(cudaErrorInvalidValue, "cudaStreamEndCapture", "pGraph is NULL");
    }
    pthread_mutex_lock(&capture_lock);
    cudaError_t status = cudaSuccess;
    node_list *list = NULL;
    if (queue->capture_status == cudaStreamCaptureStatusNone) {
        status = cudaErrorIllegalState;
    } else if (queue->capture_mode != cudaStreamCaptureModeRelaxed && !pthread_equal(queue->capture_thread, pthread_self())) {
        status = cudaErrorStreamCaptureWrongThread;
    } else {
        int invalidated = queue->capture_status == cudaStreamCaptureStatusInvalidated;
        list = end_capture_locked(queue);
        if (invalidated) {
            release_nodes(list);
            list = NULL;
            status = cudaErrorStreamCaptureInvalidated;
        }
    }
    pthread_mutex_unlock(&capture_lock);
    if (status != cudaSuccess) {
        if (status == cudaErrorStreamCaptureInvalidated) {
            *pGraph = NULL;
        }
        return fail(status, "cudaStreamEndCapture",
                    status == cudaErrorIllegalState ? "the stream is not capturing"
                    : status == cudaErrorStreamCaptureWrongThread ? "the capture was begun on another thread"
                                                                   : "the capture was invalidated by an earlier error; no graph");
    }
    graph_object *graph = calloc(1, sizeof *graph);
    if (graph == NULL || !standin_registry_add(&graphs, graph)) {
        free(graph);
        release_nodes(list);
        return fail(cudaErrorMemoryAllocation, "cudaStreamEndCapture", "host memory exhausted");
    }
    graph->header.kind = KIND_GRAPH;
    graph->nodes = list;
    *pGraph = (cudaGraph_t) graph;
    return cudaSuccess;
}

/* RT API, cudaStreamIsCapturing: stores None, Active or Invalidated. */
STANDIN_EXPORT cudaError_t cudaStreamIsCapturing(cudaStream_t stream, enum cudaStreamCaptureStatus *pCaptureStatus) {
    stream_object *queue = stream_of(stream);
    if (queue == NULL) {
        return fail(cudaErrorInvalidResourceHandle, "cudaStreamIsCapturing", "not a live stream");
    }
    if (pCaptureStatus == NULL) {
        return fail(cudaErrorInvalidValue, "cudaStreamIsCapturing", "pCaptureStatus is NULL");
    }
    pthread_mutex_lock(&capture_lock);
    *pCaptureStatus = queue->capture_status;
    pthread_mutex_unlock(&capture_lock);
    return cudaSuccess;
}

/* RT API, cudaGraphInstantiate: an executable graph of graph's nodes; it stays valid after cudaGraphDestroy(graph). */
STANDIN_EXPORT cudaError_t cudaGraphInstantiate(cudaGraphExec_t *pGraphExec, cudaGraph_t graph, unsigned long long flags) {
    if (pGraphExec == NULL) {
        return fail(cudaErrorInvalidValue, "cudaGraphInstantiate", "pGraphExec is NULL");
    }
    graph_object *source = standin_registry_get(&graphs, graph, KIND_GRAPH);
    if (source == NULL) {
        return fail(cudaErrorInvalidValue, "cudaGraphInstantiate", "graph is not a live graph");
    }
    if ((flags & ~0xFULL) != 0) {
        return fail(cudaErrorInvalidValue, "cudaGraphInstantiate", "unknown flags");
    }
    graph_object *exec = calloc(1, sizeof *exec);
    if (exec == NULL || !standin_registry_add(&executables, exec)) {
        free(exec);
        return fail(cudaErrorMemoryAllocation, "cudaGraphInstantiate", "host memory exhausted");
    }
    exec->header.kind = KIND_GRAPH_EXEC;
    pthread_mutex_lock(&capture_lock);
    exec->nodes = source->nodes;
    exec->nodes->references++;
    pthread_mutex_unlock(&capture_lock);
    *pGraphExec = (cudaGraphExec_t) exec;
    return cudaSuccess;
}

static void run_nodes(void *payload) {
    const node_list *list = payload;
    for (size_t i = 0; i < list->count; i++) {
        list->nodes[i].run(list->nodes[i].payload);
    }
}

static void release_nested(void *payload) {
    pthread_mutex_lock(&capture_lock);
    release_nodes(payload);
    pthread_mutex_unlock(&capture_lock);
}

/* RT API, cudaGraphLaunch: runs the graph's work on stream, in the order it was captured; into a capturing stream it is recorded. */
STANDIN_EXPORT cudaError_t cudaGraphLaunch(cudaGraphExec_t graphExec, cudaStream_t stream) {
    graph_object *exec = standin_registry_get(&executables, graphExec, KIND_GRAPH_EXEC);
    if (exec == NULL) {
        return fail(cudaErrorInvalidValue, "cudaGraphLaunch", "graphExec is not a live executable graph");
    }
    stream_object *queue = stream_of(stream);
    if (queue == NULL) {
        return fail(cudaErrorInvalidResourceHandle, "cudaGraphLaunch", "not a live stream");
    }
    pthread_mutex_lock(&capture_lock);
    int nested = queue->capture_status == cudaStreamCaptureStatusActive;
    int invalid = queue->capture_status == cudaStreamCaptureStatusInvalidated;
    if (nested && append_node_locked(queue->captured, run_nodes, exec->nodes, 0, release_nested)) {
        exec->nodes->references++;
    } else if (nested) {
        invalidate_locked(queue);
        invalid = 1;
    }
    pthread_mutex_unlock(&capture_lock);
    if (invalid) {
        return fail(cudaErrorStreamCaptureInvalidated, "cudaGraphLaunch", "the stream's capture was invalidated");
    }
    if (!nested) {
        pthread_mutex_lock(&capture_lock);
        int skip = skip_work;
        pthread_mutex_unlock(&capture_lock);
        if (!skip) {
            run_nodes(exec->nodes);
        }
        pthread_mutex_lock(&memory_lock);
        queue->enqueued++;
        pthread_mutex_unlock(&memory_lock);
    }
    return cudaSuccess;
}

static cudaError_t destroy_graph(const char *function, standin_registry *registry, void *handle, uint32_t kind) {
    graph_object *graph = standin_registry_get(registry, handle, kind);
    if (graph == NULL || !standin_registry_remove(registry, graph)) {
        return fail(cudaErrorInvalidValue, function, "not a live graph of this kind (destroyed twice?)");
    }
    pthread_mutex_lock(&capture_lock);
    release_nodes(graph->nodes);
    pthread_mutex_unlock(&capture_lock);
    free(graph);
    return cudaSuccess;
}

/* RT API, cudaGraphExecDestroy: destroys an executable graph (its queued launches still complete). */
STANDIN_EXPORT cudaError_t cudaGraphExecDestroy(cudaGraphExec_t graphExec) {
    return destroy_graph("cudaGraphExecDestroy", &executables, graphExec, KIND_GRAPH_EXEC);
}

/* RT API, cudaGraphDestroy: destroys a graph; executable graphs instantiated from it stay valid. */
STANDIN_EXPORT cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
    return destroy_graph("cudaGraphDestroy", &graphs, graph, KIND_GRAPH);
}

/* Stand-in control: live graphs plus live executable graphs (tests check that closing frees them). */
STANDIN_EXPORT size_t isthmusStandinLiveGraphs(void) {
    return standin_registry_live(&graphs) + standin_registry_live(&executables);
}

/*
 * RT API, cudaStreamWaitEvent: later work on stream waits for the event's work (flags 0 or cudaEventWaitExternal).
 * The stand-in runs work at once, so there is nothing to wait for; joining another stream's capture
 * (an event recorded in a capture, waited on by a stream outside it) is not implemented and is refused.
 */
STANDIN_EXPORT cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags) {
    stream_object *queue = stream_of(stream);
    event_object *waited = standin_registry_get(&events, event, KIND_EVENT);
    if (queue == NULL || waited == NULL) {
        return fail(cudaErrorInvalidResourceHandle, "cudaStreamWaitEvent", "not a live stream or event");
    }
    if (flags > 1) {
        return fail(cudaErrorInvalidValue, "cudaStreamWaitEvent", "unknown flags");
    }
    if (waited->captured && waited->stream != queue) {
        return fail(cudaErrorStreamCaptureUnsupported, "cudaStreamWaitEvent",
                    "the stand-in cannot join another stream into a capture (cross-stream capture is not implemented)");
    }
    return cudaSuccess;
}

/* ------------------------------------------------------------------ errors */

/* RT API, cudaGetLastError: returns the calling thread's last error and resets it to cudaSuccess. */
STANDIN_EXPORT cudaError_t cudaGetLastError(void) {
    cudaError_t error = last_error;
    last_error = cudaSuccess;
    error_detail[0] = '\0';
    return error;
}

/* RT API, cudaPeekAtLastError: returns the calling thread's last error without resetting it. */
STANDIN_EXPORT cudaError_t cudaPeekAtLastError(void) {
    return last_error;
}

typedef struct {
    cudaError_t code;
    const char *name;
    const char *text;
} error_entry;

/* Names and descriptions as NVIDIA's libcudart.so.13 returns them. */
static const error_entry ERRORS[] = {
    { cudaSuccess, "cudaSuccess", "no error" },
    { cudaErrorInvalidValue, "cudaErrorInvalidValue", "invalid argument" },
    { cudaErrorMemoryAllocation, "cudaErrorMemoryAllocation", "out of memory" },
    { cudaErrorInitializationError, "cudaErrorInitializationError", "initialization error" },
    { cudaErrorInvalidPitchValue, "cudaErrorInvalidPitchValue", "invalid pitch argument" },
    { cudaErrorInvalidDevicePointer, "cudaErrorInvalidDevicePointer", "invalid device pointer" },
    { cudaErrorInvalidMemcpyDirection, "cudaErrorInvalidMemcpyDirection", "invalid copy direction for memcpy" },
    { cudaErrorInsufficientDriver, "cudaErrorInsufficientDriver", "CUDA driver version is insufficient for CUDA runtime version" },
    { cudaErrorNoDevice, "cudaErrorNoDevice", "no CUDA-capable device is detected" },
    { cudaErrorInvalidDevice, "cudaErrorInvalidDevice", "invalid device ordinal" },
    { cudaErrorInvalidResourceHandle, "cudaErrorInvalidResourceHandle", "invalid resource handle" },
    { cudaErrorNotReady, "cudaErrorNotReady", "device not ready" },
    { cudaErrorIllegalState, "cudaErrorIllegalState", "the operation cannot be performed in the present state" },
    { cudaErrorIllegalAddress, "cudaErrorIllegalAddress", "an illegal memory access was encountered" },
    { cudaErrorStreamCaptureUnsupported, "cudaErrorStreamCaptureUnsupported", "operation not permitted when stream is capturing" },
    { cudaErrorStreamCaptureInvalidated, "cudaErrorStreamCaptureInvalidated", "operation failed due to a previous error during capture" },
    { cudaErrorStreamCaptureUnmatched, "cudaErrorStreamCaptureUnmatched", "the capture was not initiated in this stream" },
    { cudaErrorStreamCaptureImplicit, "cudaErrorStreamCaptureImplicit", "operation would make the legacy stream depend on a capturing blocking stream" },
    { cudaErrorCapturedEvent, "cudaErrorCapturedEvent", "operation not permitted on an event last recorded in a capturing stream" },
    { cudaErrorStreamCaptureWrongThread, "cudaErrorStreamCaptureWrongThread", "attempt to terminate a thread-local capture sequence from another thread" },
    { cudaErrorUnknown, "cudaErrorUnknown", "unknown error" },
};

static const error_entry *find_error(cudaError_t error) {
    for (size_t i = 0; i < sizeof ERRORS / sizeof ERRORS[0]; i++) {
        if (ERRORS[i].code == error) {
            return &ERRORS[i];
        }
    }
    return NULL;
}

/* RT API, cudaGetErrorString: the description of an error code; "unrecognized error code" otherwise. */
STANDIN_EXPORT const char *cudaGetErrorString(cudaError_t error) {
    const error_entry *entry = find_error(error);
    return entry != NULL ? entry->text : "unrecognized error code";
}

/* RT API, cudaGetErrorName: the enum name of an error code; "unrecognized error code" otherwise. */
STANDIN_EXPORT const char *cudaGetErrorName(cudaError_t error) {
    const error_entry *entry = find_error(error);
    return entry != NULL ? entry->name : "unrecognized error code";
}

/* ------------------------------------------------------------------ constants table */

static const isthmus_standin_constant CONSTANTS[] = {
    STANDIN_CONSTANT(cudaSuccess),
    STANDIN_CONSTANT(cudaErrorInvalidValue),
    STANDIN_CONSTANT(cudaErrorMemoryAllocation),
    STANDIN_CONSTANT(cudaErrorInitializationError),
    STANDIN_CONSTANT(cudaErrorInvalidPitchValue),
    STANDIN_CONSTANT(cudaErrorInvalidDevicePointer),
    STANDIN_CONSTANT(cudaErrorInvalidMemcpyDirection),
    STANDIN_CONSTANT(cudaErrorInsufficientDriver),
    STANDIN_CONSTANT(cudaErrorNoDevice),
    STANDIN_CONSTANT(cudaErrorInvalidDevice),
    STANDIN_CONSTANT(cudaErrorInvalidResourceHandle),
    STANDIN_CONSTANT(cudaErrorNotReady),
    STANDIN_CONSTANT(cudaErrorIllegalAddress),
    STANDIN_CONSTANT(cudaErrorIllegalState),
    STANDIN_CONSTANT(cudaErrorStreamCaptureUnsupported),
    STANDIN_CONSTANT(cudaErrorStreamCaptureInvalidated),
    STANDIN_CONSTANT(cudaErrorStreamCaptureUnmatched),
    STANDIN_CONSTANT(cudaErrorStreamCaptureImplicit),
    STANDIN_CONSTANT(cudaErrorCapturedEvent),
    STANDIN_CONSTANT(cudaErrorStreamCaptureWrongThread),
    STANDIN_CONSTANT(cudaStreamCaptureModeGlobal),
    STANDIN_CONSTANT(cudaStreamCaptureModeThreadLocal),
    STANDIN_CONSTANT(cudaStreamCaptureModeRelaxed),
    STANDIN_CONSTANT(cudaStreamCaptureStatusNone),
    STANDIN_CONSTANT(cudaStreamCaptureStatusActive),
    STANDIN_CONSTANT(cudaStreamCaptureStatusInvalidated),
    STANDIN_CONSTANT(cudaErrorUnknown),
    STANDIN_CONSTANT(cudaMemcpyHostToHost),
    STANDIN_CONSTANT(cudaMemcpyHostToDevice),
    STANDIN_CONSTANT(cudaMemcpyDeviceToHost),
    STANDIN_CONSTANT(cudaMemcpyDeviceToDevice),
    STANDIN_CONSTANT(cudaMemcpyDefault),
    STANDIN_CONSTANT(cudaStreamDefault),
    STANDIN_CONSTANT(cudaStreamNonBlocking),
    STANDIN_CONSTANT(cudaEventDefault),
    STANDIN_CONSTANT(cudaEventBlockingSync),
    STANDIN_CONSTANT(cudaEventDisableTiming),
    STANDIN_CONSTANT(cudaEventInterprocess),
    STANDIN_CONSTANT(cudaDevAttrMaxThreadsPerBlock),
    STANDIN_CONSTANT(cudaDevAttrMaxBlockDimX),
    STANDIN_CONSTANT(cudaDevAttrMaxGridDimX),
    STANDIN_CONSTANT(cudaDevAttrMaxSharedMemoryPerBlock),
    STANDIN_CONSTANT(cudaDevAttrTotalConstantMemory),
    STANDIN_CONSTANT(cudaDevAttrWarpSize),
    STANDIN_CONSTANT(cudaDevAttrMaxRegistersPerBlock),
    STANDIN_CONSTANT(cudaDevAttrClockRate),
    STANDIN_CONSTANT(cudaDevAttrMultiProcessorCount),
    STANDIN_CONSTANT(cudaDevAttrIntegrated),
    STANDIN_CONSTANT(cudaDevAttrConcurrentKernels),
    STANDIN_CONSTANT(cudaDevAttrPciBusId),
    STANDIN_CONSTANT(cudaDevAttrMemoryClockRate),
    STANDIN_CONSTANT(cudaDevAttrGlobalMemoryBusWidth),
    STANDIN_CONSTANT(cudaDevAttrL2CacheSize),
    STANDIN_CONSTANT(cudaDevAttrMaxThreadsPerMultiProcessor),
    STANDIN_CONSTANT(cudaDevAttrUnifiedAddressing),
    STANDIN_CONSTANT(cudaDevAttrComputeCapabilityMajor),
    STANDIN_CONSTANT(cudaDevAttrComputeCapabilityMinor),
    STANDIN_CONSTANT(cudaDevAttrMaxSharedMemoryPerMultiprocessor),
    STANDIN_CONSTANT(cudaDevAttrMaxSharedMemoryPerBlockOptin),
    STANDIN_CONSTANT(CUDART_VERSION),
    { "sizeof(cudaDeviceProp)", (long long) sizeof(struct cudaDeviceProp) },
    { "offsetof(cudaDeviceProp.totalGlobalMem)", (long long) offsetof(struct cudaDeviceProp, totalGlobalMem) },
    { "offsetof(cudaDeviceProp.major)", (long long) offsetof(struct cudaDeviceProp, major) },
    { "offsetof(cudaDeviceProp.minor)", (long long) offsetof(struct cudaDeviceProp, minor) },
    { "offsetof(cudaDeviceProp.multiProcessorCount)", (long long) offsetof(struct cudaDeviceProp, multiProcessorCount) },
    { NULL, 0 }
};

/* Stand-in control: the enum values and layout facts this library uses, ending with a NULL name. */
STANDIN_EXPORT const isthmus_standin_constant *isthmusStandinCudartConstants(void) {
    return CONSTANTS;
}
