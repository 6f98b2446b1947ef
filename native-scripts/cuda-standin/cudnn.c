/*
 * CPU stand-in for the cuDNN 9.13 legacy-API subset Isthmus calls (TEST-ONLY, see docs/cuda-standin.md).
 * FP32 only, 4-d tensors with arbitrary positive strides, work on the calling thread. Descriptors are
 * validated as cuDNN documents; every data argument is checked to lie inside a live cudaMalloc
 * allocation when the stand-in runtime is loaded; workspaces are checked against the sizes this
 * library reports and are overwritten, so that a workspace shared with live data shows up in tests.
 * Rules cited as "cuDNN, f: ..." come from NVIDIA's cuDNN API reference for function f.
 */
#define _GNU_SOURCE
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "standin.h"

#define CUDART_VERSION_BUILT_AGAINST 13000
#define MAX_TENSOR_ELEMENTS 2147483647LL /* cuDNN, cudnnSetTensor4dDescriptor: NOT_SUPPORTED above 2 giga-elements */

enum {
    KIND_HANDLE = 0x444e4e48,
    KIND_TENSOR,
    KIND_FILTER,
    KIND_CONVOLUTION,
    KIND_POOLING,
    KIND_ACTIVATION,
    KIND_OP_TENSOR,
    KIND_REDUCE_TENSOR
};

/* A 4-d view: sizes and element strides. Filters use n for k (output channels). */
typedef struct {
    int n, c, h, w;
    long ns, cs, hs, ws;
} dims4;

struct cudnnContext {
    standin_object header;
    cudaStream_t stream;
};

struct cudnnTensorStruct {
    standin_object header;
    int set;
    cudnnDataType_t type;
    dims4 d;
};

struct cudnnFilterStruct {
    standin_object header;
    int set;
    cudnnDataType_t type;
    cudnnTensorFormat_t format;
    dims4 d;
};

struct cudnnConvolutionStruct {
    standin_object header;
    int set;
    int pad_h, pad_w, stride_h, stride_w, dilation_h, dilation_w;
    cudnnConvolutionMode_t mode;
    cudnnDataType_t compute_type;
    cudnnMathType_t math_type;
};

struct cudnnPoolingStruct {
    standin_object header;
    int set;
    cudnnPoolingMode_t mode;
    cudnnNanPropagation_t nan;
    int window_h, window_w, pad_h, pad_w, stride_h, stride_w;
};

struct cudnnActivationStruct {
    standin_object header;
    int set;
    cudnnActivationMode_t mode;
    cudnnNanPropagation_t nan;
    double coef;
};

struct cudnnOpTensorStruct {
    standin_object header;
    int set;
    cudnnOpTensorOp_t op;
    cudnnDataType_t compute_type;
    cudnnNanPropagation_t nan;
};

struct cudnnReduceTensorStruct {
    standin_object header;
    int set;
    cudnnReduceTensorOp_t op;
    cudnnDataType_t compute_type;
    cudnnNanPropagation_t nan;
    cudnnReduceTensorIndices_t indices;
    cudnnIndicesType_t indices_type;
};

static standin_registry objects = STANDIN_REGISTRY_INIT;
static _Thread_local char last_error[1024];
static _Thread_local cudaStream_t current_stream; /* the stream of the handle the current call runs on */

__attribute__((format(printf, 3, 4)))
static cudnnStatus_t fail(cudnnStatus_t status, const char *function, const char *format, ...) {
    int used = snprintf(last_error, sizeof last_error, "%s: ", function);
    va_list args;
    va_start(args, format);
    vsnprintf(last_error + used, sizeof last_error - (size_t) used, format, args);
    va_end(args);
    return status;
}

#define CHECK(call)                                                                                \
    do {                                                                                           \
        cudnnStatus_t checked_ = (call);                                                           \
        if (checked_ != CUDNN_STATUS_SUCCESS) {                                                    \
            return checked_;                                                                       \
        }                                                                                          \
    } while (0)

#define REQUIRE_HANDLE(function)                                                                   \
    do {                                                                                           \
        if (standin_registry_get(&objects, handle, KIND_HANDLE) == NULL) {                         \
            return fail(CUDNN_STATUS_BAD_PARAM, function, "handle is NULL, destroyed or never created"); \
        }                                                                                          \
        current_stream = handle->stream;                                                           \
    } while (0)

/* ------------------------------------------------------------------ object lifetimes */

static cudnnStatus_t create_object(const char *function, void **out, size_t size, uint32_t kind) {
    if (out == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "the output pointer is NULL");
    }
    standin_object *created = calloc(1, size);
    if (created == NULL || !standin_registry_add(&objects, created)) {
        free(created);
        return fail(CUDNN_STATUS_ALLOC_FAILED, function, "host memory exhausted");
    }
    created->kind = kind;
    *out = created;
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnDestroy*Descriptor: destroying NULL is a no-op; anything not live is BAD_PARAM here. */
static cudnnStatus_t destroy_object(const char *function, void *object, uint32_t kind) {
    if (object == NULL) {
        return CUDNN_STATUS_SUCCESS;
    }
    if (standin_registry_get(&objects, object, kind) == NULL || !standin_registry_remove(&objects, object)) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "not a live descriptor of this kind (destroyed twice?)");
    }
    free(object);
    return CUDNN_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ descriptor access */

static cudnnStatus_t tensor_of(const char *function, const char *name, cudnnTensorDescriptor_t desc, dims4 *d) {
    struct cudnnTensorStruct *t = standin_registry_get(&objects, desc, KIND_TENSOR);
    if (t == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "%s is not a live tensor descriptor", name);
    }
    if (!t->set) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "%s was created but never set", name);
    }
    *d = t->d;
    return CUDNN_STATUS_SUCCESS;
}

static cudnnStatus_t filter_of(const char *function, const char *name, cudnnFilterDescriptor_t desc, dims4 *d) {
    struct cudnnFilterStruct *f = standin_registry_get(&objects, desc, KIND_FILTER);
    if (f == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "%s is not a live filter descriptor", name);
    }
    if (!f->set) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "%s was created but never set", name);
    }
    *d = f->d;
    return CUDNN_STATUS_SUCCESS;
}

static cudnnStatus_t convolution_of(const char *function, cudnnConvolutionDescriptor_t desc,
                                    struct cudnnConvolutionStruct **conv) {
    *conv = standin_registry_get(&objects, desc, KIND_CONVOLUTION);
    if (*conv == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "convDesc is not a live convolution descriptor");
    }
    if (!(*conv)->set) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "convDesc was created but never set");
    }
    return CUDNN_STATUS_SUCCESS;
}

static int same_sizes(const dims4 *a, const dims4 *b) {
    return a->n == b->n && a->c == b->c && a->h == b->h && a->w == b->w;
}

static long element_count(const dims4 *d) {
    return (long) d->n * d->c * d->h * d->w;
}

static size_t extent_bytes(const dims4 *d) {
    long last = (long) (d->n - 1) * d->ns + (long) (d->c - 1) * d->cs + (long) (d->h - 1) * d->hs + (long) (d->w - 1) * d->ws;
    return (size_t) (last + 1) * sizeof(float);
}

static inline long offset(const dims4 *d, int n, int c, int h, int w) {
    return n * d->ns + c * d->cs + h * d->hs + w * d->ws;
}

/* Data pointers: NULL is BAD_PARAM (documented); outside any cudaMalloc allocation fails as a kernel would. */
static cudnnStatus_t check_data(const char *function, const char *name, const void *p, size_t bytes) {
    if (p == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "%s is NULL", name);
    }
    if (((uintptr_t) p % sizeof(float)) != 0) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "%s is not aligned to its 4-byte elements", name);
    }
    if (!standin_use_device_range(p, bytes, current_stream)) {
        return fail(CUDNN_STATUS_EXECUTION_FAILED, function,
                    "%s (%zu bytes) is not inside a live cudaMalloc allocation", name, bytes);
    }
    return CUDNN_STATUS_SUCCESS;
}

static cudnnStatus_t scaling(const char *function, const void *alpha, const void *beta, float *a, float *b) {
    if (alpha == NULL || (b != NULL && beta == NULL)) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "alpha or beta is NULL");
    }
    *a = *(const float *) alpha; /* cuDNN: scaling factors are float for FLOAT tensors, in host memory */
    if (b != NULL) {
        *b = *(const float *) beta;
    }
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, scaling parameters: dst = alpha*result + beta*dst, and with beta == 0 dst is not read. */
static inline void blend(float *dst, float result, float alpha, float beta) {
    *dst = beta == 0.0f ? alpha * result : alpha * result + beta * *dst;
}

static void describe(char *out, size_t size, const dims4 *d) {
    snprintf(out, size, "%dx%dx%dx%d", d->n, d->c, d->h, d->w);
}

static cudnnStatus_t shape_mismatch(const char *function, const char *what, const dims4 *got, const dims4 *expected) {
    char a[64], b[64];
    describe(a, sizeof a, got);
    describe(b, sizeof b, expected);
    return fail(CUDNN_STATUS_BAD_PARAM, function, "%s is %s, expected %s", what, a, b);
}

/* Overwrites a workspace with NaN bytes: the stand-in "uses" it, as an algorithm would. */
static void scribble(void *workspace, size_t bytes) {
    if (workspace != NULL && bytes > 0) {
        memset(workspace, 0xFF, bytes);
    }
}

static cudnnStatus_t check_workspace(const char *function, void *workspace, size_t given, size_t required) {
    if (given < required) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "workspace of %zu bytes is smaller than the %zu bytes the algorithm needs",
                    given, required);
    }
    if (required > 0 && workspace == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "workspace is NULL but the algorithm needs %zu bytes", required);
    }
    if (workspace != NULL && given > 0 && !standin_use_device_range(workspace, given, current_stream)) {
        return fail(CUDNN_STATUS_EXECUTION_FAILED, function,
                    "workspace (%zu bytes) is not inside a live cudaMalloc allocation", given);
    }
    return CUDNN_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ stand-in controls */

/* Stand-in control: number of cuDNN handles and descriptors created and not destroyed. */
STANDIN_EXPORT size_t isthmusStandinLiveCudnnObjects(void) {
    return standin_registry_live(&objects);
}

/* ------------------------------------------------------------------ handle, versions, errors */

/* cuDNN, cudnnCreate: creates a handle on the NULL stream; handle NULL is BAD_PARAM. */
STANDIN_EXPORT cudnnStatus_t cudnnCreate(cudnnHandle_t *handle) {
    return create_object("cudnnCreate", (void **) handle, sizeof(struct cudnnContext), KIND_HANDLE);
}

/* cuDNN, cudnnDestroy: releases the handle. */
STANDIN_EXPORT cudnnStatus_t cudnnDestroy(cudnnHandle_t handle) {
    if (handle == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, "cudnnDestroy", "handle is NULL");
    }
    return destroy_object("cudnnDestroy", handle, KIND_HANDLE);
}

/* cuDNN, cudnnSetStream: later calls on the handle run on streamId. */
STANDIN_EXPORT cudnnStatus_t cudnnSetStream(cudnnHandle_t handle, cudaStream_t streamId) {
    REQUIRE_HANDLE("cudnnSetStream");
    handle->stream = streamId;
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnGetStream: stores the handle's stream. */
STANDIN_EXPORT cudnnStatus_t cudnnGetStream(cudnnHandle_t handle, cudaStream_t *streamId) {
    REQUIRE_HANDLE("cudnnGetStream");
    if (streamId == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, "cudnnGetStream", "streamId is NULL");
    }
    *streamId = handle->stream;
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnGetVersion: CUDNN_VERSION = major*10000 + minor*100 + patch (91300 for 9.13.0). */
STANDIN_EXPORT size_t cudnnGetVersion(void) {
    return CUDNN_VERSION;
}

/* cuDNN, cudnnGetCudartVersion: the CUDA runtime version cuDNN was built against. */
STANDIN_EXPORT size_t cudnnGetCudartVersion(void) {
    return CUDART_VERSION_BUILT_AGAINST;
}

/* cuDNN, cudnnGetProperty: MAJOR_VERSION, MINOR_VERSION or PATCH_LEVEL; anything else is BAD_PARAM. */
STANDIN_EXPORT cudnnStatus_t cudnnGetProperty(libraryPropertyType type, int *value) {
    if (value == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, "cudnnGetProperty", "value is NULL");
    }
    switch (type) {
        case MAJOR_VERSION: *value = CUDNN_MAJOR; return CUDNN_STATUS_SUCCESS;
        case MINOR_VERSION: *value = CUDNN_MINOR; return CUDNN_STATUS_SUCCESS;
        case PATCH_LEVEL: *value = CUDNN_PATCHLEVEL; return CUDNN_STATUS_SUCCESS;
        default: return fail(CUDNN_STATUS_BAD_PARAM, "cudnnGetProperty", "type is not a libraryPropertyType");
    }
}

#define STATUS_NAME(status) { status, #status }
static const struct {
    cudnnStatus_t status;
    const char *name;
} STATUS_NAMES[] = {
    STATUS_NAME(CUDNN_STATUS_SUCCESS),
    STATUS_NAME(CUDNN_STATUS_NOT_INITIALIZED),
    STATUS_NAME(CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH),
    STATUS_NAME(CUDNN_STATUS_SERIALIZATION_VERSION_MISMATCH),
    STATUS_NAME(CUDNN_STATUS_DEPRECATED),
    STATUS_NAME(CUDNN_STATUS_LICENSE_ERROR),
    STATUS_NAME(CUDNN_STATUS_RUNTIME_IN_PROGRESS),
    STATUS_NAME(CUDNN_STATUS_RUNTIME_FP_OVERFLOW),
    STATUS_NAME(CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED),
    STATUS_NAME(CUDNN_STATUS_BAD_PARAM),
    STATUS_NAME(CUDNN_STATUS_INVALID_VALUE),
    STATUS_NAME(CUDNN_STATUS_BAD_PARAM_NULL_POINTER),
    STATUS_NAME(CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER),
    STATUS_NAME(CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED),
    STATUS_NAME(CUDNN_STATUS_BAD_PARAM_OUT_OF_BOUND),
    STATUS_NAME(CUDNN_STATUS_BAD_PARAM_SIZE_INSUFFICIENT),
    STATUS_NAME(CUDNN_STATUS_BAD_PARAM_STREAM_MISMATCH),
    STATUS_NAME(CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH),
    STATUS_NAME(CUDNN_STATUS_BAD_PARAM_DUPLICATED_ENTRIES),
    STATUS_NAME(CUDNN_STATUS_BAD_PARAM_ATTRIBUTE_TYPE),
    STATUS_NAME(CUDNN_STATUS_BAD_PARAM_CUDA_GRAPH_MISMATCH),
    STATUS_NAME(CUDNN_STATUS_BAD_PARAM_DESCRIPTOR_TYPE),
    STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED),
    STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_GRAPH_PATTERN),
    STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_SHAPE),
    STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_DATA_TYPE),
    STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_LAYOUT),
    STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDA_DRIVER),
    STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDART),
    STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH),
    STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_RUNTIME_PREREQUISITE_MISSING),
    STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_SUBLIBRARY_UNAVAILABLE),
    STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_SHARED_MEMORY_INSUFFICIENT),
    STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_PADDING),
    STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_BAD_LAUNCH_PARAM),
    STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_CUDA_GRAPH_NATIVE_API),
    STATUS_NAME(CUDNN_STATUS_INTERNAL_ERROR),
    STATUS_NAME(CUDNN_STATUS_INTERNAL_ERROR_COMPILATION_FAILED),
    STATUS_NAME(CUDNN_STATUS_INTERNAL_ERROR_UNEXPECTED_VALUE),
    STATUS_NAME(CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED),
    STATUS_NAME(CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED),
    STATUS_NAME(CUDNN_STATUS_INTERNAL_ERROR_BAD_LAUNCH_PARAM),
    STATUS_NAME(CUDNN_STATUS_INTERNAL_ERROR_TEXTURE_CREATION_FAILED),
    STATUS_NAME(CUDNN_STATUS_EXECUTION_FAILED),
    STATUS_NAME(CUDNN_STATUS_EXECUTION_FAILED_CUDA_DRIVER),
    STATUS_NAME(CUDNN_STATUS_EXECUTION_FAILED_CUBLAS),
    STATUS_NAME(CUDNN_STATUS_EXECUTION_FAILED_CUDART),
    STATUS_NAME(CUDNN_STATUS_EXECUTION_FAILED_CURAND),
};

/* cuDNN, cudnnGetErrorString: the status as a string, e.g. "CUDNN_STATUS_BAD_PARAM". */
STANDIN_EXPORT const char *cudnnGetErrorString(cudnnStatus_t status) {
    for (size_t i = 0; i < sizeof STATUS_NAMES / sizeof STATUS_NAMES[0]; i++) {
        if (STATUS_NAMES[i].status == status) {
            return STATUS_NAMES[i].name;
        }
    }
    return "CUDNN_UNKNOWN_STATUS";
}

/* cuDNN, cudnnGetLastErrorString: copies the calling thread's last error message (NUL-terminated, at most max_size bytes). */
STANDIN_EXPORT void cudnnGetLastErrorString(char *message, size_t max_size) {
    if (message != NULL && max_size > 0) {
        snprintf(message, max_size, "%s", last_error);
    }
}

/* ------------------------------------------------------------------ tensor descriptors */

/* cuDNN data types: a valid enumerant the stand-in cannot compute is NOT_SUPPORTED, anything else BAD_PARAM. */
static cudnnStatus_t check_data_type(const char *function, cudnnDataType_t type) {
    if ((int) type < 0 || (int) type > CUDNN_DATA_UINT32) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "dataType %d is not a cudnnDataType_t value", (int) type);
    }
    if (type != CUDNN_DATA_FLOAT) {
        return fail(CUDNN_STATUS_NOT_SUPPORTED, function, "the stand-in supports only CUDNN_DATA_FLOAT, got %d", (int) type);
    }
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnCreateTensorDescriptor: creates an unset descriptor. */
STANDIN_EXPORT cudnnStatus_t cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t *tensorDesc) {
    return create_object("cudnnCreateTensorDescriptor", (void **) tensorDesc, sizeof(struct cudnnTensorStruct), KIND_TENSOR);
}

/* cuDNN, cudnnDestroyTensorDescriptor: releases the descriptor. */
STANDIN_EXPORT cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t tensorDesc) {
    return destroy_object("cudnnDestroyTensorDescriptor", tensorDesc, KIND_TENSOR);
}

static cudnnStatus_t set_tensor(const char *function, cudnnTensorDescriptor_t desc, cudnnDataType_t type, dims4 d) {
    struct cudnnTensorStruct *t = standin_registry_get(&objects, desc, KIND_TENSOR);
    if (t == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "tensorDesc is not a live tensor descriptor");
    }
    if (d.n <= 0 || d.c <= 0 || d.h <= 0 || d.w <= 0) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "dimensions must be positive, got %dx%dx%dx%d", d.n, d.c, d.h, d.w);
    }
    if (d.ns <= 0 || d.cs <= 0 || d.hs <= 0 || d.ws <= 0) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "strides must be positive, got %ld,%ld,%ld,%ld", d.ns, d.cs, d.hs, d.ws);
    }
    CHECK(check_data_type(function, type));
    if ((long long) d.n * d.c * d.h * d.w > MAX_TENSOR_ELEMENTS) {
        return fail(CUDNN_STATUS_NOT_SUPPORTED, function, "more than 2 giga-elements");
    }
    t->type = type;
    t->d = d;
    t->set = 1;
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnSetTensor4dDescriptor: n,c,h,w with NCHW or NHWC packed strides; bad dims or enumerants are BAD_PARAM. */
STANDIN_EXPORT cudnnStatus_t cudnnSetTensor4dDescriptor(cudnnTensorDescriptor_t tensorDesc, cudnnTensorFormat_t format,
                                                       cudnnDataType_t dataType, int n, int c, int h, int w) {
    dims4 d = { n, c, h, w, 0, 0, 0, 0 };
    switch (format) {
        case CUDNN_TENSOR_NCHW:
            d.ws = 1; d.hs = w; d.cs = (long) h * w; d.ns = (long) c * h * w;
            break;
        case CUDNN_TENSOR_NHWC:
            d.cs = 1; d.ws = c; d.hs = (long) w * c; d.ns = (long) h * w * c;
            break;
        case CUDNN_TENSOR_NCHW_VECT_C:
            return fail(CUDNN_STATUS_NOT_SUPPORTED, "cudnnSetTensor4dDescriptor", "NCHW_VECT_C needs vector data types");
        default:
            return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetTensor4dDescriptor", "format is not a cudnnTensorFormat_t value");
    }
    if (n <= 0 || c <= 0 || h <= 0 || w <= 0) {
        return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetTensor4dDescriptor", "dimensions must be positive, got %dx%dx%dx%d", n, c, h, w);
    }
    return set_tensor("cudnnSetTensor4dDescriptor", tensorDesc, dataType, d);
}

/* cuDNN, cudnnSetTensor4dDescriptorEx: n,c,h,w with explicit element strides. */
STANDIN_EXPORT cudnnStatus_t cudnnSetTensor4dDescriptorEx(cudnnTensorDescriptor_t tensorDesc, cudnnDataType_t dataType, int n,
                                                         int c, int h, int w, int nStride, int cStride, int hStride,
                                                         int wStride) {
    dims4 d = { n, c, h, w, nStride, cStride, hStride, wStride };
    return set_tensor("cudnnSetTensor4dDescriptorEx", tensorDesc, dataType, d);
}

/* cuDNN, cudnnGetTensor4dDescriptor: reads back type, sizes and strides of a set descriptor. */
STANDIN_EXPORT cudnnStatus_t cudnnGetTensor4dDescriptor(const cudnnTensorDescriptor_t tensorDesc, cudnnDataType_t *dataType,
                                                       int *n, int *c, int *h, int *w, int *nStride, int *cStride,
                                                       int *hStride, int *wStride) {
    dims4 d;
    CHECK(tensor_of("cudnnGetTensor4dDescriptor", "tensorDesc", tensorDesc, &d));
    if (!dataType || !n || !c || !h || !w || !nStride || !cStride || !hStride || !wStride) {
        return fail(CUDNN_STATUS_BAD_PARAM, "cudnnGetTensor4dDescriptor", "an output pointer is NULL");
    }
    *dataType = tensorDesc->type;
    *n = d.n; *c = d.c; *h = d.h; *w = d.w;
    *nStride = (int) d.ns; *cStride = (int) d.cs; *hStride = (int) d.hs; *wStride = (int) d.ws;
    return CUDNN_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ filter descriptors */

/* cuDNN, cudnnCreateFilterDescriptor: creates an unset descriptor. */
STANDIN_EXPORT cudnnStatus_t cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t *filterDesc) {
    return create_object("cudnnCreateFilterDescriptor", (void **) filterDesc, sizeof(struct cudnnFilterStruct), KIND_FILTER);
}

/* cuDNN, cudnnDestroyFilterDescriptor: releases the descriptor. */
STANDIN_EXPORT cudnnStatus_t cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t filterDesc) {
    return destroy_object("cudnnDestroyFilterDescriptor", filterDesc, KIND_FILTER);
}

/* cuDNN, cudnnSetFilter4dDescriptor: k output maps, c input maps, h x w; NCHW = KCRS layout, NHWC = KRSC. */
STANDIN_EXPORT cudnnStatus_t cudnnSetFilter4dDescriptor(cudnnFilterDescriptor_t filterDesc, cudnnDataType_t dataType,
                                                       cudnnTensorFormat_t format, int k, int c, int h, int w) {
    const char *function = "cudnnSetFilter4dDescriptor";
    struct cudnnFilterStruct *f = standin_registry_get(&objects, filterDesc, KIND_FILTER);
    if (f == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "filterDesc is not a live filter descriptor");
    }
    if (k <= 0 || c <= 0 || h <= 0 || w <= 0) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "dimensions must be positive, got %dx%dx%dx%d", k, c, h, w);
    }
    dims4 d = { k, c, h, w, 0, 0, 0, 0 };
    switch (format) {
        case CUDNN_TENSOR_NCHW:
            d.ws = 1; d.hs = w; d.cs = (long) h * w; d.ns = (long) c * h * w;
            break;
        case CUDNN_TENSOR_NHWC:
            d.cs = 1; d.ws = c; d.hs = (long) w * c; d.ns = (long) h * w * c;
            break;
        case CUDNN_TENSOR_NCHW_VECT_C:
            return fail(CUDNN_STATUS_NOT_SUPPORTED, function, "NCHW_VECT_C needs vector data types");
        default:
            return fail(CUDNN_STATUS_BAD_PARAM, function, "format is not a cudnnTensorFormat_t value");
    }
    CHECK(check_data_type(function, dataType));
    f->type = dataType;
    f->format = format;
    f->d = d;
    f->set = 1;
    return CUDNN_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ convolution descriptors */

/* cuDNN, cudnnCreateConvolutionDescriptor: creates an unset descriptor (math type CUDNN_DEFAULT_MATH). */
STANDIN_EXPORT cudnnStatus_t cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t *convDesc) {
    return create_object("cudnnCreateConvolutionDescriptor", (void **) convDesc, sizeof(struct cudnnConvolutionStruct),
                         KIND_CONVOLUTION);
}

/* cuDNN, cudnnDestroyConvolutionDescriptor: releases the descriptor. */
STANDIN_EXPORT cudnnStatus_t cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t convDesc) {
    return destroy_object("cudnnDestroyConvolutionDescriptor", convDesc, KIND_CONVOLUTION);
}

/* cuDNN, cudnnSetConvolution2dDescriptor: BAD_PARAM if a padding is negative, a stride or dilation is not positive, or mode is invalid. */
STANDIN_EXPORT cudnnStatus_t cudnnSetConvolution2dDescriptor(cudnnConvolutionDescriptor_t convDesc, int pad_h, int pad_w,
                                                            int u, int v, int dilation_h, int dilation_w,
                                                            cudnnConvolutionMode_t mode, cudnnDataType_t computeType) {
    const char *function = "cudnnSetConvolution2dDescriptor";
    struct cudnnConvolutionStruct *conv = standin_registry_get(&objects, convDesc, KIND_CONVOLUTION);
    if (conv == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "convDesc is not a live convolution descriptor");
    }
    if (pad_h < 0 || pad_w < 0 || u <= 0 || v <= 0 || dilation_h <= 0 || dilation_w <= 0) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "pad %d,%d stride %d,%d dilation %d,%d: pads must be >= 0, the rest > 0",
                    pad_h, pad_w, u, v, dilation_h, dilation_w);
    }
    if (mode != CUDNN_CONVOLUTION && mode != CUDNN_CROSS_CORRELATION) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "mode is not a cudnnConvolutionMode_t value");
    }
    CHECK(check_data_type(function, computeType));
    conv->pad_h = pad_h; conv->pad_w = pad_w;
    conv->stride_h = u; conv->stride_w = v;
    conv->dilation_h = dilation_h; conv->dilation_w = dilation_w;
    conv->mode = mode;
    conv->compute_type = computeType;
    conv->set = 1;
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnSetConvolutionMathType: one of the cudnnMathType_t values, else BAD_PARAM. */
STANDIN_EXPORT cudnnStatus_t cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t convDesc, cudnnMathType_t mathType) {
    struct cudnnConvolutionStruct *conv = standin_registry_get(&objects, convDesc, KIND_CONVOLUTION);
    if (conv == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionMathType", "convDesc is not a live convolution descriptor");
    }
    if ((int) mathType < CUDNN_DEFAULT_MATH || (int) mathType > CUDNN_FMA_MATH) {
        return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionMathType", "mathType is not a cudnnMathType_t value");
    }
    conv->math_type = mathType;
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnGetConvolutionMathType: the math type last set on a live descriptor; BAD_PARAM otherwise or for a NULL pointer. */
STANDIN_EXPORT cudnnStatus_t cudnnGetConvolutionMathType(cudnnConvolutionDescriptor_t convDesc, cudnnMathType_t *mathType) {
    struct cudnnConvolutionStruct *conv = standin_registry_get(&objects, convDesc, KIND_CONVOLUTION);
    if (conv == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, "cudnnGetConvolutionMathType", "convDesc is not a live convolution descriptor");
    }
    if (mathType == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, "cudnnGetConvolutionMathType", "mathType is NULL");
    }
    *mathType = conv->math_type;
    return CUDNN_STATUS_SUCCESS;
}

/* Output size of a convolution (see cudnnGetConvolution2dForwardOutputDim). */
static cudnnStatus_t output_dims(const char *function, const struct cudnnConvolutionStruct *conv, const dims4 *x,
                                 const dims4 *w, dims4 *y) {
    if (x->c != w->c) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "input has %d channels but the filter expects %d", x->c, w->c);
    }
    int extent_h = (w->h - 1) * conv->dilation_h + 1;
    int extent_w = (w->w - 1) * conv->dilation_w + 1;
    if (x->h + 2 * conv->pad_h < extent_h || x->w + 2 * conv->pad_w < extent_w) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "the dilated filter (%dx%d) is larger than the padded input (%dx%d)",
                    extent_h, extent_w, x->h + 2 * conv->pad_h, x->w + 2 * conv->pad_w);
    }
    y->n = x->n;
    y->c = w->n;
    y->h = 1 + (x->h + 2 * conv->pad_h - extent_h) / conv->stride_h;
    y->w = 1 + (x->w + 2 * conv->pad_w - extent_w) / conv->stride_w;
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnGetConvolution2dForwardOutputDim: out = 1 + (in + 2*pad - ((filter-1)*dilation + 1)) / stride; input and filter channels must agree. */
STANDIN_EXPORT cudnnStatus_t cudnnGetConvolution2dForwardOutputDim(const cudnnConvolutionDescriptor_t convDesc,
                                                                  const cudnnTensorDescriptor_t inputTensorDesc,
                                                                  const cudnnFilterDescriptor_t filterDesc, int *n, int *c,
                                                                  int *h, int *w) {
    const char *function = "cudnnGetConvolution2dForwardOutputDim";
    struct cudnnConvolutionStruct *conv;
    dims4 x, f, y;
    CHECK(convolution_of(function, convDesc, &conv));
    CHECK(tensor_of(function, "inputTensorDesc", inputTensorDesc, &x));
    CHECK(filter_of(function, "filterDesc", filterDesc, &f));
    if (!n || !c || !h || !w) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "an output pointer is NULL");
    }
    CHECK(output_dims(function, conv, &x, &f, &y));
    *n = y.n; *c = y.c; *h = y.h; *w = y.w;
    return CUDNN_STATUS_SUCCESS;
}

/* The shapes of one convolution: x (input), w (filter), y (output); checks y against the computed output. */
typedef struct {
    struct cudnnConvolutionStruct *conv;
    dims4 x, w, y;
} conv_shapes;

static cudnnStatus_t conv_shapes_of(const char *function, cudnnTensorDescriptor_t xDesc, cudnnFilterDescriptor_t wDesc,
                                    cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t yDesc,
                                    const char *x_name, const char *y_name, conv_shapes *s) {
    CHECK(convolution_of(function, convDesc, &s->conv));
    CHECK(tensor_of(function, x_name, xDesc, &s->x));
    CHECK(filter_of(function, "wDesc", wDesc, &s->w));
    CHECK(tensor_of(function, y_name, yDesc, &s->y));
    dims4 expected;
    CHECK(output_dims(function, s->conv, &s->x, &s->w, &expected));
    if (!same_sizes(&s->y, &expected)) {
        return shape_mismatch(function, y_name, &s->y, &expected);
    }
    return CUDNN_STATUS_SUCCESS;
}

/* Filter tap (r, s) used at kernel position (r, s): CUDNN_CONVOLUTION flips the filter, cross-correlation does not. */
static inline long tap(const conv_shapes *s, int k, int c, int r, int q) {
    if (s->conv->mode == CUDNN_CONVOLUTION) {
        r = s->w.h - 1 - r;
        q = s->w.w - 1 - q;
    }
    return offset(&s->w, k, c, r, q);
}

/* ------------------------------------------------------------------ algorithms and workspaces */

/*
 * The stand-in implements a few algorithms of each kind, each with a workspace size of its own
 * (not NVIDIA's sizes: callers must query, never assume). Listed in the stand-in's order of preference.
 */
typedef struct {
    int algo;
    cudnnDeterminism_t determinism;
    int tensor_cores; /* whether the algorithm has tensor-core kernels (see perf_math_type) */
} algo_entry;

enum { FWD, BWD_DATA, BWD_FILTER };

static const algo_entry FWD_ALGOS[] = {
    { CUDNN_CONVOLUTION_FWD_ALGO_GEMM, CUDNN_DETERMINISTIC, 0 },
    { CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, CUDNN_DETERMINISTIC, 1 },
    { CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, CUDNN_DETERMINISTIC, 0 },
};
static const algo_entry BWD_DATA_ALGOS[] = {
    { CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, CUDNN_DETERMINISTIC, 1 },
    { CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, CUDNN_NON_DETERMINISTIC, 0 },
};
static const algo_entry BWD_FILTER_ALGOS[] = {
    { CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, CUDNN_DETERMINISTIC, 1 },
    { CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0, CUDNN_NON_DETERMINISTIC, 0 },
    { CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3, CUDNN_NON_DETERMINISTIC, 0 },
};

/*
 * The math type reported with an algorithm (the perf struct's mathType, "the math type provided to the
 * algorithm"): where the descriptor allows tensor-core math, only algorithms with tensor-core kernels report
 * it and the others report CUDNN_FMA_MATH, so that a caller must set the reported math type per algorithm
 * (as PyTorch does) to run what was chosen; otherwise the descriptor's own math type.
 */
static cudnnMathType_t perf_math_type(const struct cudnnConvolutionStruct *conv, const algo_entry *entry) {
    int tensor_op = conv->math_type == CUDNN_TENSOR_OP_MATH || conv->math_type == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
    return tensor_op && !entry->tensor_cores ? CUDNN_FMA_MATH : conv->math_type;
}

static int algo_count(int kind) {
    return kind == FWD ? CUDNN_CONVOLUTION_FWD_ALGO_COUNT
           : kind == BWD_DATA ? CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT : CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT;
}

static const algo_entry *supported_algos(int kind, size_t *count) {
    switch (kind) {
        case FWD: *count = sizeof FWD_ALGOS / sizeof FWD_ALGOS[0]; return FWD_ALGOS;
        case BWD_DATA: *count = sizeof BWD_DATA_ALGOS / sizeof BWD_DATA_ALGOS[0]; return BWD_DATA_ALGOS;
        default: *count = sizeof BWD_FILTER_ALGOS / sizeof BWD_FILTER_ALGOS[0]; return BWD_FILTER_ALGOS;
    }
}

/* Workspace of an algorithm; BAD_PARAM for a value outside the enum, NOT_SUPPORTED for one the stand-in lacks. */
static cudnnStatus_t workspace_size(const char *function, int kind, int algo, const conv_shapes *s, size_t *bytes) {
    if (algo < 0 || algo >= algo_count(kind)) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "algo %d is not a valid algorithm enumerant", algo);
    }
    size_t columns = (size_t) s->w.c * s->w.h * s->w.w * s->y.h * s->y.w * sizeof(float); /* one image's im2col matrix */
    switch (kind) {
        case FWD:
            switch (algo) {
                case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM: *bytes = 0; return CUDNN_STATUS_SUCCESS;
                case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM:
                    *bytes = (size_t) s->w.c * s->w.h * s->w.w * sizeof(int); /* precomputed input offsets */
                    return CUDNN_STATUS_SUCCESS;
                case CUDNN_CONVOLUTION_FWD_ALGO_GEMM: *bytes = columns; return CUDNN_STATUS_SUCCESS;
                default: break;
            }
            break;
        case BWD_DATA:
            switch (algo) {
                case CUDNN_CONVOLUTION_BWD_DATA_ALGO_0: *bytes = 0; return CUDNN_STATUS_SUCCESS;
                case CUDNN_CONVOLUTION_BWD_DATA_ALGO_1: *bytes = columns; return CUDNN_STATUS_SUCCESS;
                default: break;
            }
            break;
        default:
            switch (algo) {
                case CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0: *bytes = 0; return CUDNN_STATUS_SUCCESS;
                case CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1: *bytes = columns; return CUDNN_STATUS_SUCCESS;
                case CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3:
                    *bytes = (size_t) s->w.n * s->w.c * s->w.h * s->w.w * sizeof(float); /* partial filter sums */
                    return CUDNN_STATUS_SUCCESS;
                default: break;
            }
            break;
    }
    return fail(CUDNN_STATUS_NOT_SUPPORTED, function, "algo %d is not implemented by the stand-in", algo);
}

/*
 * cuDNN, cudnnGetConvolution*Algorithm_v7 / cudnnFindConvolution*Algorithm: fills up to requestedAlgoCount
 * perf results, algorithms that can run first (status SUCCESS, fastest first), then those that cannot
 * (their status says why). Heuristic (_v7) results carry time -1; Find results carry the stand-in's
 * modelled times (0.1 ms steps in its order of preference), not measurements. With workspace_limit set
 * (the Ex variants), algorithms needing more workspace than given report CUDNN_STATUS_ALLOC_FAILED.
 */
/* The three perf structs of cudnn_cnn.h have one layout, so one filler serves all (checked when built against them). */
_Static_assert(sizeof(cudnnConvolutionBwdDataAlgoPerf_t) == sizeof(cudnnConvolutionFwdAlgoPerf_t)
               && sizeof(cudnnConvolutionBwdFilterAlgoPerf_t) == sizeof(cudnnConvolutionFwdAlgoPerf_t)
               && offsetof(cudnnConvolutionBwdDataAlgoPerf_t, memory) == offsetof(cudnnConvolutionFwdAlgoPerf_t, memory)
               && offsetof(cudnnConvolutionBwdFilterAlgoPerf_t, mathType) == offsetof(cudnnConvolutionFwdAlgoPerf_t, mathType),
               "perf structs differ in layout");

static cudnnStatus_t fill_perf_results(const char *function, int kind, const conv_shapes *s, int heuristic,
                                       size_t workspace_limit, int requested, int *returned,
                                       cudnnConvolutionFwdAlgoPerf_t *results) {
    if (requested < 1) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "requestedAlgoCount must be at least 1, got %d", requested);
    }
    if (returned == NULL || results == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "returnedAlgoCount or perfResults is NULL");
    }
    size_t supported_count;
    const algo_entry *supported = supported_algos(kind, &supported_count);
    cudnnConvolutionFwdAlgoPerf_t all[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    int filled = 0, failing = 0;
    cudnnConvolutionFwdAlgoPerf_t failed[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    for (size_t i = 0; i < supported_count; i++) {
        size_t bytes = 0;
        workspace_size(function, kind, supported[i].algo, s, &bytes);
        cudnnConvolutionFwdAlgoPerf_t perf = { supported[i].algo, CUDNN_STATUS_SUCCESS, heuristic ? -1.0f : 0.1f * (float) (i + 1),
                                               bytes, supported[i].determinism, perf_math_type(s->conv, &supported[i]),
                                               { 0, 0, 0 } };
        if (bytes > workspace_limit) {
            perf.status = CUDNN_STATUS_ALLOC_FAILED;
            perf.time = -1.0f;
            failed[failing++] = perf;
        } else {
            all[filled++] = perf;
        }
    }
    for (int algo = 0; algo < algo_count(kind); algo++) {
        int is_supported = 0;
        for (size_t i = 0; i < supported_count; i++) {
            is_supported |= supported[i].algo == algo;
        }
        if (!is_supported) {
            cudnnConvolutionFwdAlgoPerf_t perf = { algo, CUDNN_STATUS_NOT_SUPPORTED, -1.0f, 0, CUDNN_DETERMINISTIC,
                                                   s->conv->math_type, { 0, 0, 0 } };
            failed[failing++] = perf;
        }
    }
    for (int i = 0; i < failing; i++) {
        all[filled++] = failed[i];
    }
    *returned = requested < filled ? requested : filled;
    memcpy(results, all, (size_t) *returned * sizeof all[0]);
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnGetConvolutionForwardAlgorithmMaxCount: CUDNN_CONVOLUTION_FWD_ALGO_COUNT. */
STANDIN_EXPORT cudnnStatus_t cudnnGetConvolutionForwardAlgorithmMaxCount(cudnnHandle_t handle, int *count) {
    REQUIRE_HANDLE("cudnnGetConvolutionForwardAlgorithmMaxCount");
    if (count == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, "cudnnGetConvolutionForwardAlgorithmMaxCount", "count is NULL");
    }
    *count = CUDNN_CONVOLUTION_FWD_ALGO_COUNT;
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnGetConvolutionBackwardDataAlgorithmMaxCount: CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT. */
STANDIN_EXPORT cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithmMaxCount(cudnnHandle_t handle, int *count) {
    REQUIRE_HANDLE("cudnnGetConvolutionBackwardDataAlgorithmMaxCount");
    if (count == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, "cudnnGetConvolutionBackwardDataAlgorithmMaxCount", "count is NULL");
    }
    *count = CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT;
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnGetConvolutionBackwardFilterAlgorithmMaxCount: CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT. */
STANDIN_EXPORT cudnnStatus_t cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(cudnnHandle_t handle, int *count) {
    REQUIRE_HANDLE("cudnnGetConvolutionBackwardFilterAlgorithmMaxCount");
    if (count == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, "cudnnGetConvolutionBackwardFilterAlgorithmMaxCount", "count is NULL");
    }
    *count = CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT;
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnGetConvolutionForwardAlgorithm_v7: heuristic ranking of forward algorithms for these descriptors. */
STANDIN_EXPORT cudnnStatus_t cudnnGetConvolutionForwardAlgorithm_v7(cudnnHandle_t handle, const cudnnTensorDescriptor_t srcDesc,
                                                                   const cudnnFilterDescriptor_t filterDesc,
                                                                   const cudnnConvolutionDescriptor_t convDesc,
                                                                   const cudnnTensorDescriptor_t destDesc,
                                                                   const int requestedAlgoCount, int *returnedAlgoCount,
                                                                   cudnnConvolutionFwdAlgoPerf_t *perfResults) {
    const char *function = "cudnnGetConvolutionForwardAlgorithm_v7";
    REQUIRE_HANDLE(function);
    conv_shapes s;
    CHECK(conv_shapes_of(function, srcDesc, filterDesc, convDesc, destDesc, "srcDesc", "destDesc", &s));
    return fill_perf_results(function, FWD, &s, 1, SIZE_MAX, requestedAlgoCount, returnedAlgoCount, perfResults);
}

/* cuDNN, cudnnFindConvolutionForwardAlgorithm: benchmarked ranking of forward algorithms (modelled times here). */
STANDIN_EXPORT cudnnStatus_t cudnnFindConvolutionForwardAlgorithm(cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc,
                                                                 const cudnnFilterDescriptor_t wDesc,
                                                                 const cudnnConvolutionDescriptor_t convDesc,
                                                                 const cudnnTensorDescriptor_t yDesc,
                                                                 const int requestedAlgoCount, int *returnedAlgoCount,
                                                                 cudnnConvolutionFwdAlgoPerf_t *perfResults) {
    const char *function = "cudnnFindConvolutionForwardAlgorithm";
    REQUIRE_HANDLE(function);
    conv_shapes s;
    CHECK(conv_shapes_of(function, xDesc, wDesc, convDesc, yDesc, "xDesc", "yDesc", &s));
    return fill_perf_results(function, FWD, &s, 0, SIZE_MAX, requestedAlgoCount, returnedAlgoCount, perfResults);
}

/* cuDNN, cudnnGetConvolutionBackwardDataAlgorithm_v7: heuristic ranking of backward-data algorithms. */
STANDIN_EXPORT cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithm_v7(
        cudnnHandle_t handle, const cudnnFilterDescriptor_t filterDesc, const cudnnTensorDescriptor_t diffDesc,
        const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t gradDesc, const int requestedAlgoCount,
        int *returnedAlgoCount, cudnnConvolutionBwdDataAlgoPerf_t *perfResults) {
    const char *function = "cudnnGetConvolutionBackwardDataAlgorithm_v7";
    REQUIRE_HANDLE(function);
    conv_shapes s;
    CHECK(conv_shapes_of(function, gradDesc, filterDesc, convDesc, diffDesc, "gradDesc (dx)", "diffDesc (dy)", &s));
    return fill_perf_results(function, BWD_DATA, &s, 1, SIZE_MAX, requestedAlgoCount, returnedAlgoCount, (cudnnConvolutionFwdAlgoPerf_t *) perfResults);
}

/* cuDNN, cudnnFindConvolutionBackwardDataAlgorithm: benchmarked ranking of backward-data algorithms (modelled times). */
STANDIN_EXPORT cudnnStatus_t cudnnFindConvolutionBackwardDataAlgorithm(
        cudnnHandle_t handle, const cudnnFilterDescriptor_t wDesc, const cudnnTensorDescriptor_t dyDesc,
        const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t dxDesc, const int requestedAlgoCount,
        int *returnedAlgoCount, cudnnConvolutionBwdDataAlgoPerf_t *perfResults) {
    const char *function = "cudnnFindConvolutionBackwardDataAlgorithm";
    REQUIRE_HANDLE(function);
    conv_shapes s;
    CHECK(conv_shapes_of(function, dxDesc, wDesc, convDesc, dyDesc, "dxDesc", "dyDesc", &s));
    return fill_perf_results(function, BWD_DATA, &s, 0, SIZE_MAX, requestedAlgoCount, returnedAlgoCount, (cudnnConvolutionFwdAlgoPerf_t *) perfResults);
}

/* cuDNN, cudnnGetConvolutionBackwardFilterAlgorithm_v7: heuristic ranking of backward-filter algorithms. */
STANDIN_EXPORT cudnnStatus_t cudnnGetConvolutionBackwardFilterAlgorithm_v7(
        cudnnHandle_t handle, const cudnnTensorDescriptor_t srcDesc, const cudnnTensorDescriptor_t diffDesc,
        const cudnnConvolutionDescriptor_t convDesc, const cudnnFilterDescriptor_t gradDesc, const int requestedAlgoCount,
        int *returnedAlgoCount, cudnnConvolutionBwdFilterAlgoPerf_t *perfResults) {
    const char *function = "cudnnGetConvolutionBackwardFilterAlgorithm_v7";
    REQUIRE_HANDLE(function);
    conv_shapes s;
    CHECK(conv_shapes_of(function, srcDesc, gradDesc, convDesc, diffDesc, "srcDesc (x)", "diffDesc (dy)", &s));
    return fill_perf_results(function, BWD_FILTER, &s, 1, SIZE_MAX, requestedAlgoCount, returnedAlgoCount, (cudnnConvolutionFwdAlgoPerf_t *) perfResults);
}

/* cuDNN, cudnnFindConvolutionBackwardFilterAlgorithm: benchmarked ranking of backward-filter algorithms (modelled times). */
STANDIN_EXPORT cudnnStatus_t cudnnFindConvolutionBackwardFilterAlgorithm(
        cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, const cudnnTensorDescriptor_t dyDesc,
        const cudnnConvolutionDescriptor_t convDesc, const cudnnFilterDescriptor_t dwDesc, const int requestedAlgoCount,
        int *returnedAlgoCount, cudnnConvolutionBwdFilterAlgoPerf_t *perfResults) {
    const char *function = "cudnnFindConvolutionBackwardFilterAlgorithm";
    REQUIRE_HANDLE(function);
    conv_shapes s;
    CHECK(conv_shapes_of(function, xDesc, dwDesc, convDesc, dyDesc, "xDesc", "dyDesc", &s));
    return fill_perf_results(function, BWD_FILTER, &s, 0, SIZE_MAX, requestedAlgoCount, returnedAlgoCount, (cudnnConvolutionFwdAlgoPerf_t *) perfResults);
}

/* The Ex searches write arbitrary values into their output buffer (cuDNN: "the content ... will be overwritten"). */
static cudnnStatus_t search_buffers(const char *function, const conv_shapes *s, const void *input, const char *input_name,
                                    size_t input_bytes, const void *second, const char *second_name, size_t second_bytes,
                                    void *output, const char *output_name, size_t output_bytes, void *workspace,
                                    size_t workspace_bytes) {
    CHECK(check_data(function, input_name, input, input_bytes));
    CHECK(check_data(function, second_name, second, second_bytes));
    CHECK(check_data(function, output_name, output, output_bytes));
    CHECK(check_workspace(function, workspace, workspace_bytes, 0));
    scribble(output, output_bytes);
    scribble(workspace, workspace_bytes);
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnFindConvolutionForwardAlgorithmEx: like Find, on the caller's buffers; y is overwritten, algorithms needing more than workSpaceSizeInBytes fail. */
STANDIN_EXPORT cudnnStatus_t cudnnFindConvolutionForwardAlgorithmEx(
        cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnFilterDescriptor_t wDesc,
        const void *w, const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t yDesc, void *y,
        const int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionFwdAlgoPerf_t *perfResults, void *workSpace,
        size_t workSpaceSizeInBytes) {
    const char *function = "cudnnFindConvolutionForwardAlgorithmEx";
    REQUIRE_HANDLE(function);
    conv_shapes s;
    CHECK(conv_shapes_of(function, xDesc, wDesc, convDesc, yDesc, "xDesc", "yDesc", &s));
    CHECK(search_buffers(function, &s, x, "x", extent_bytes(&s.x), w, "w", extent_bytes(&s.w), y, "y", extent_bytes(&s.y),
                         workSpace, workSpaceSizeInBytes));
    return fill_perf_results(function, FWD, &s, 0, workSpaceSizeInBytes, requestedAlgoCount, returnedAlgoCount, perfResults);
}

/* cuDNN, cudnnFindConvolutionBackwardDataAlgorithmEx: like Find, on the caller's buffers; dx is overwritten. */
STANDIN_EXPORT cudnnStatus_t cudnnFindConvolutionBackwardDataAlgorithmEx(
        cudnnHandle_t handle, const cudnnFilterDescriptor_t wDesc, const void *w, const cudnnTensorDescriptor_t dyDesc,
        const void *dy, const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t dxDesc, void *dx,
        const int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionBwdDataAlgoPerf_t *perfResults, void *workSpace,
        size_t workSpaceSizeInBytes) {
    const char *function = "cudnnFindConvolutionBackwardDataAlgorithmEx";
    REQUIRE_HANDLE(function);
    conv_shapes s;
    CHECK(conv_shapes_of(function, dxDesc, wDesc, convDesc, dyDesc, "dxDesc", "dyDesc", &s));
    CHECK(search_buffers(function, &s, dy, "dy", extent_bytes(&s.y), w, "w", extent_bytes(&s.w), dx, "dx", extent_bytes(&s.x),
                         workSpace, workSpaceSizeInBytes));
    return fill_perf_results(function, BWD_DATA, &s, 0, workSpaceSizeInBytes, requestedAlgoCount, returnedAlgoCount,
                             (cudnnConvolutionFwdAlgoPerf_t *) perfResults);
}

/* cuDNN, cudnnFindConvolutionBackwardFilterAlgorithmEx: like Find, on the caller's buffers; dw is overwritten. */
STANDIN_EXPORT cudnnStatus_t cudnnFindConvolutionBackwardFilterAlgorithmEx(
        cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnTensorDescriptor_t dyDesc,
        const void *y, const cudnnConvolutionDescriptor_t convDesc, const cudnnFilterDescriptor_t dwDesc, void *dw,
        const int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionBwdFilterAlgoPerf_t *perfResults,
        void *workSpace, size_t workSpaceSizeInBytes) {
    const char *function = "cudnnFindConvolutionBackwardFilterAlgorithmEx";
    REQUIRE_HANDLE(function);
    conv_shapes s;
    CHECK(conv_shapes_of(function, xDesc, dwDesc, convDesc, dyDesc, "xDesc", "dyDesc", &s));
    CHECK(search_buffers(function, &s, x, "x", extent_bytes(&s.x), y, "dy", extent_bytes(&s.y), dw, "dw", extent_bytes(&s.w),
                         workSpace, workSpaceSizeInBytes));
    return fill_perf_results(function, BWD_FILTER, &s, 0, workSpaceSizeInBytes, requestedAlgoCount, returnedAlgoCount,
                             (cudnnConvolutionFwdAlgoPerf_t *) perfResults);
}

/* cuDNN, cudnnGetConvolutionForwardWorkspaceSize: bytes of workspace the algorithm needs with these descriptors. */
STANDIN_EXPORT cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc,
                                                                    const cudnnFilterDescriptor_t wDesc,
                                                                    const cudnnConvolutionDescriptor_t convDesc,
                                                                    const cudnnTensorDescriptor_t yDesc,
                                                                    cudnnConvolutionFwdAlgo_t algo, size_t *sizeInBytes) {
    const char *function = "cudnnGetConvolutionForwardWorkspaceSize";
    REQUIRE_HANDLE(function);
    conv_shapes s;
    CHECK(conv_shapes_of(function, xDesc, wDesc, convDesc, yDesc, "xDesc", "yDesc", &s));
    if (sizeInBytes == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "sizeInBytes is NULL");
    }
    return workspace_size(function, FWD, (int) algo, &s, sizeInBytes);
}

/* cuDNN, cudnnGetConvolutionBackwardDataWorkspaceSize: bytes of workspace the algorithm needs. */
STANDIN_EXPORT cudnnStatus_t cudnnGetConvolutionBackwardDataWorkspaceSize(
        cudnnHandle_t handle, const cudnnFilterDescriptor_t wDesc, const cudnnTensorDescriptor_t dyDesc,
        const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t dxDesc, cudnnConvolutionBwdDataAlgo_t algo,
        size_t *sizeInBytes) {
    const char *function = "cudnnGetConvolutionBackwardDataWorkspaceSize";
    REQUIRE_HANDLE(function);
    conv_shapes s;
    CHECK(conv_shapes_of(function, dxDesc, wDesc, convDesc, dyDesc, "dxDesc", "dyDesc", &s));
    if (sizeInBytes == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "sizeInBytes is NULL");
    }
    return workspace_size(function, BWD_DATA, (int) algo, &s, sizeInBytes);
}

/* cuDNN, cudnnGetConvolutionBackwardFilterWorkspaceSize: bytes of workspace the algorithm needs. */
STANDIN_EXPORT cudnnStatus_t cudnnGetConvolutionBackwardFilterWorkspaceSize(
        cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, const cudnnTensorDescriptor_t dyDesc,
        const cudnnConvolutionDescriptor_t convDesc, const cudnnFilterDescriptor_t gradDesc,
        cudnnConvolutionBwdFilterAlgo_t algo, size_t *sizeInBytes) {
    const char *function = "cudnnGetConvolutionBackwardFilterWorkspaceSize";
    REQUIRE_HANDLE(function);
    conv_shapes s;
    CHECK(conv_shapes_of(function, xDesc, gradDesc, convDesc, dyDesc, "xDesc", "dyDesc", &s));
    if (sizeInBytes == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "sizeInBytes is NULL");
    }
    return workspace_size(function, BWD_FILTER, (int) algo, &s, sizeInBytes);
}

/* ------------------------------------------------------------------ convolution kernels */

/* Output columns [*lo, *hi) whose input column ow*stride + shift lies inside [0, width). */
static void valid_columns(int outputs, int stride, int shift, int width, int *lo, int *hi) {
    *lo = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
    *hi = width - 1 - shift < 0 ? 0 : (width - 1 - shift) / stride + 1;
    *hi = *hi < outputs ? *hi : outputs;
    *lo = *lo < *hi ? *lo : *hi;
}

/*
 * The kernels below compute each convolution as matrix products over "columns": for one image, row
 * (c, r, q) of the column matrix holds the input value each output position (oh, ow) multiplies with
 * filter tap (r, q) of channel c (0 where that falls into the padding). Straightforward and fast enough.
 */
typedef struct {
    int taps;      /* C*R*S */
    int positions; /* OH*OW */
    float *filter; /* [K][taps], filter taps as the mode applies them (flipped for CUDNN_CONVOLUTION) */
    float *columns;
    float *grad;   /* [K][positions]: one image's dy, packed */
    float *acc;
} conv_scratch;

static void free_scratch(conv_scratch *m) {
    free(m->filter);
    free(m->columns);
    free(m->grad);
    free(m->acc);
}

static int alloc_scratch(const conv_shapes *s, conv_scratch *m, size_t acc_floats) {
    m->taps = s->w.c * s->w.h * s->w.w;
    m->positions = s->y.h * s->y.w;
    m->filter = malloc((size_t) s->w.n * m->taps * sizeof(float));
    m->columns = malloc((size_t) m->taps * m->positions * sizeof(float));
    m->grad = malloc((size_t) s->y.c * m->positions * sizeof(float));
    m->acc = calloc(acc_floats, sizeof(float));
    if (!m->filter || !m->columns || !m->grad || !m->acc) {
        free_scratch(m);
        return 0;
    }
    return 1;
}

static void pack_filter(const conv_shapes *s, const float *w, conv_scratch *m) {
    for (int k = 0; k < s->w.n; k++)
        for (int c = 0; c < s->w.c; c++)
            for (int r = 0; r < s->w.h; r++)
                for (int q = 0; q < s->w.w; q++)
                    m->filter[(long) k * m->taps + (c * s->w.h + r) * s->w.w + q] = w[tap(s, k, c, r, q)];
}

static void pack_grad(const conv_shapes *s, const float *dy, int n, conv_scratch *m) {
    for (int k = 0; k < s->y.c; k++)
        for (int oh = 0; oh < s->y.h; oh++)
            for (int ow = 0; ow < s->y.w; ow++)
                m->grad[((long) k * s->y.h + oh) * s->y.w + ow] = dy[offset(&s->y, n, k, oh, ow)];
}

/* Row (c, r, q), column (oh, ow) = x[n, c, oh*u - pad_h + r*dil_h, ow*v - pad_w + q*dil_w], 0 in the padding. */
static void image_to_columns(const conv_shapes *s, const float *x, int n, conv_scratch *m) {
    const struct cudnnConvolutionStruct *cv = s->conv;
    int OH = s->y.h, OW = s->y.w;
    for (int c = 0; c < s->w.c; c++)
        for (int r = 0; r < s->w.h; r++)
            for (int q = 0; q < s->w.w; q++) {
                float *row = m->columns + (long) ((c * s->w.h + r) * s->w.w + q) * m->positions;
                int shift = q * cv->dilation_w - cv->pad_w, lo, hi;
                valid_columns(OW, cv->stride_w, shift, s->x.w, &lo, &hi);
                for (int oh = 0; oh < OH; oh++) {
                    float *out = row + (long) oh * OW;
                    int ih = oh * cv->stride_h - cv->pad_h + r * cv->dilation_h;
                    if (ih < 0 || ih >= s->x.h) {
                        memset(out, 0, (size_t) OW * sizeof(float));
                        continue;
                    }
                    const float *in = x + offset(&s->x, n, c, ih, 0);
                    for (int ow = 0; ow < lo; ow++) out[ow] = 0.0f;
                    for (int ow = lo; ow < hi; ow++) out[ow] = in[(long) (ow * cv->stride_w + shift) * s->x.ws];
                    for (int ow = hi; ow < OW; ow++) out[ow] = 0.0f;
                }
            }
}

/* The adjoint of image_to_columns: adds each column entry back onto its input position (plane c of acc). */
static void columns_to_image(const conv_shapes *s, const conv_scratch *m, float *acc) {
    const struct cudnnConvolutionStruct *cv = s->conv;
    int OH = s->y.h, OW = s->y.w;
    for (int c = 0; c < s->w.c; c++)
        for (int r = 0; r < s->w.h; r++)
            for (int q = 0; q < s->w.w; q++) {
                const float *row = m->columns + (long) ((c * s->w.h + r) * s->w.w + q) * m->positions;
                int shift = q * cv->dilation_w - cv->pad_w, lo, hi;
                valid_columns(OW, cv->stride_w, shift, s->x.w, &lo, &hi);
                for (int oh = 0; oh < OH; oh++) {
                    int ih = oh * cv->stride_h - cv->pad_h + r * cv->dilation_h;
                    if (ih < 0 || ih >= s->x.h) {
                        continue;
                    }
                    float *plane_row = acc + ((long) c * s->x.h + ih) * s->x.w;
                    for (int ow = lo; ow < hi; ow++) {
                        plane_row[ow * cv->stride_w + shift] += row[(long) oh * OW + ow];
                    }
                }
            }
}

static float dot(const float *a, const float *b, int count) {
    float partial[4] = { 0.0f, 0.0f, 0.0f, 0.0f }; /* independent sums the CPU can overlap */
    int i = 0;
    for (; i + 4 <= count; i += 4) {
        for (int j = 0; j < 4; j++) {
            partial[j] += a[i + j] * b[i + j];
        }
    }
    for (; i < count; i++) {
        partial[0] += a[i] * b[i];
    }
    return (partial[0] + partial[1]) + (partial[2] + partial[3]);
}

/* y[n, k] = filter[k] · columns(x[n]); returns 0 when host memory ran out. */
static int forward_kernel(const conv_shapes *s, const float *x, const float *w, float *y, float alpha, float beta) {
    conv_scratch m;
    if (!alloc_scratch(s, &m, (size_t) s->y.c * s->y.h * s->y.w)) {
        return 0;
    }
    pack_filter(s, w, &m);
    for (int n = 0; n < s->y.n; n++) {
        image_to_columns(s, x, n, &m);
        memset(m.acc, 0, (size_t) s->y.c * m.positions * sizeof(float));
        for (int k = 0; k < s->y.c; k++) {
            float *out = m.acc + (long) k * m.positions;
            for (int t = 0; t < m.taps; t++) {
                float weight = m.filter[(long) k * m.taps + t];
                const float *row = m.columns + (long) t * m.positions;
                for (int p = 0; p < m.positions; p++) {
                    out[p] += weight * row[p];
                }
            }
            for (int oh = 0; oh < s->y.h; oh++)
                for (int ow = 0; ow < s->y.w; ow++)
                    blend(&y[offset(&s->y, n, k, oh, ow)], out[oh * s->y.w + ow], alpha, beta);
        }
    }
    free_scratch(&m);
    return 1;
}

/* columns(dx[n]) = filterᵀ · dy[n], folded back onto the image; returns 0 when host memory ran out. */
static int backward_data_kernel(const conv_shapes *s, const float *w, const float *dy, float *dx, float alpha, float beta) {
    conv_scratch m;
    if (!alloc_scratch(s, &m, (size_t) s->x.c * s->x.h * s->x.w)) {
        return 0;
    }
    pack_filter(s, w, &m);
    for (int n = 0; n < s->x.n; n++) {
        pack_grad(s, dy, n, &m);
        memset(m.columns, 0, (size_t) m.taps * m.positions * sizeof(float));
        for (int k = 0; k < s->y.c; k++) {
            const float *grad = m.grad + (long) k * m.positions;
            for (int t = 0; t < m.taps; t++) {
                float weight = m.filter[(long) k * m.taps + t];
                float *row = m.columns + (long) t * m.positions;
                for (int p = 0; p < m.positions; p++) {
                    row[p] += weight * grad[p];
                }
            }
        }
        memset(m.acc, 0, (size_t) s->x.c * s->x.h * s->x.w * sizeof(float));
        columns_to_image(s, &m, m.acc);
        for (int c = 0; c < s->x.c; c++)
            for (int h = 0; h < s->x.h; h++)
                for (int x = 0; x < s->x.w; x++)
                    blend(&dx[offset(&s->x, n, c, h, x)], m.acc[((long) c * s->x.h + h) * s->x.w + x], alpha, beta);
    }
    free_scratch(&m);
    return 1;
}

/* dw[k] = sum over n of dy[n, k] · columns(x[n])ᵀ; returns 0 when host memory ran out. */
static int backward_filter_kernel(const conv_shapes *s, const float *x, const float *dy, float *dw, float alpha, float beta) {
    conv_scratch m;
    if (!alloc_scratch(s, &m, (size_t) s->w.n * s->w.c * s->w.h * s->w.w)) {
        return 0;
    }
    for (int n = 0; n < s->x.n; n++) {
        image_to_columns(s, x, n, &m);
        pack_grad(s, dy, n, &m);
        for (int k = 0; k < s->w.n; k++) {
            for (int t = 0; t < m.taps; t++) {
                m.acc[(long) k * m.taps + t] += dot(m.grad + (long) k * m.positions, m.columns + (long) t * m.positions,
                                                   m.positions);
            }
        }
    }
    for (int k = 0; k < s->w.n; k++)
        for (int c = 0; c < s->w.c; c++)
            for (int r = 0; r < s->w.h; r++)
                for (int q = 0; q < s->w.w; q++)
                    blend(&dw[tap(s, k, c, r, q)], m.acc[(long) k * m.taps + (c * s->w.h + r) * s->w.w + q], alpha, beta);
    free_scratch(&m);
    return 1;
}

static int ranges_overlap(const void *a, size_t a_bytes, const void *b, size_t b_bytes) {
    uintptr_t a0 = (uintptr_t) a, b0 = (uintptr_t) b;
    return a0 < b0 + b_bytes && b0 < a0 + a_bytes;
}

/* cuDNN, cudnnConvolutionForward: y = alpha*conv(x, w) + beta*y; workspace must be >= cudnnGetConvolutionForwardWorkspaceSize(algo). */
STANDIN_EXPORT cudnnStatus_t cudnnConvolutionForward(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t xDesc,
                                                    const void *x, const cudnnFilterDescriptor_t wDesc, const void *w,
                                                    const cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionFwdAlgo_t algo,
                                                    void *workSpace, size_t workSpaceSizeInBytes, const void *beta,
                                                    const cudnnTensorDescriptor_t yDesc, void *y) {
    const char *function = "cudnnConvolutionForward";
    REQUIRE_HANDLE(function);
    conv_shapes s;
    float a = 0.0f, b = 0.0f;
    size_t required;
    CHECK(conv_shapes_of(function, xDesc, wDesc, convDesc, yDesc, "xDesc", "yDesc", &s));
    CHECK(scaling(function, alpha, beta, &a, &b));
    CHECK(workspace_size(function, FWD, (int) algo, &s, &required));
    CHECK(check_workspace(function, workSpace, workSpaceSizeInBytes, required));
    CHECK(check_data(function, "x", x, extent_bytes(&s.x)));
    CHECK(check_data(function, "w", w, extent_bytes(&s.w)));
    CHECK(check_data(function, "y", y, extent_bytes(&s.y)));
    if (ranges_overlap(x, extent_bytes(&s.x), y, extent_bytes(&s.y))) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "x and y overlap: convolution is not in-place");
    }
    scribble(workSpace, required);
    return forward_kernel(&s, x, w, y, a, b) ? CUDNN_STATUS_SUCCESS
                                             : fail(CUDNN_STATUS_ALLOC_FAILED, function, "host memory exhausted");
}

/* cuDNN, cudnnConvolutionBackwardData: dx = alpha*conv_transpose(dy, w) + beta*dx; workspace must be >= the queried size. */
STANDIN_EXPORT cudnnStatus_t cudnnConvolutionBackwardData(cudnnHandle_t handle, const void *alpha,
                                                         const cudnnFilterDescriptor_t wDesc, const void *w,
                                                         const cudnnTensorDescriptor_t dyDesc, const void *dy,
                                                         const cudnnConvolutionDescriptor_t convDesc,
                                                         cudnnConvolutionBwdDataAlgo_t algo, void *workSpace,
                                                         size_t workSpaceSizeInBytes, const void *beta,
                                                         const cudnnTensorDescriptor_t dxDesc, void *dx) {
    const char *function = "cudnnConvolutionBackwardData";
    REQUIRE_HANDLE(function);
    conv_shapes s;
    float a = 0.0f, b = 0.0f;
    size_t required;
    CHECK(conv_shapes_of(function, dxDesc, wDesc, convDesc, dyDesc, "dxDesc", "dyDesc", &s));
    CHECK(scaling(function, alpha, beta, &a, &b));
    CHECK(workspace_size(function, BWD_DATA, (int) algo, &s, &required));
    CHECK(check_workspace(function, workSpace, workSpaceSizeInBytes, required));
    CHECK(check_data(function, "w", w, extent_bytes(&s.w)));
    CHECK(check_data(function, "dy", dy, extent_bytes(&s.y)));
    CHECK(check_data(function, "dx", dx, extent_bytes(&s.x)));
    if (ranges_overlap(dx, extent_bytes(&s.x), dy, extent_bytes(&s.y))) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "dx and dy overlap: convolution is not in-place");
    }
    scribble(workSpace, required);
    return backward_data_kernel(&s, w, dy, dx, a, b) ? CUDNN_STATUS_SUCCESS
                                                     : fail(CUDNN_STATUS_ALLOC_FAILED, function, "host memory exhausted");
}

/* cuDNN, cudnnConvolutionBackwardFilter: dw = alpha*correlate(x, dy) + beta*dw; workspace must be >= the queried size. */
STANDIN_EXPORT cudnnStatus_t cudnnConvolutionBackwardFilter(cudnnHandle_t handle, const void *alpha,
                                                           const cudnnTensorDescriptor_t xDesc, const void *x,
                                                           const cudnnTensorDescriptor_t dyDesc, const void *dy,
                                                           const cudnnConvolutionDescriptor_t convDesc,
                                                           cudnnConvolutionBwdFilterAlgo_t algo, void *workSpace,
                                                           size_t workSpaceSizeInBytes, const void *beta,
                                                           const cudnnFilterDescriptor_t dwDesc, void *dw) {
    const char *function = "cudnnConvolutionBackwardFilter";
    REQUIRE_HANDLE(function);
    conv_shapes s;
    float a = 0.0f, b = 0.0f;
    size_t required;
    CHECK(conv_shapes_of(function, xDesc, dwDesc, convDesc, dyDesc, "xDesc", "dyDesc", &s));
    CHECK(scaling(function, alpha, beta, &a, &b));
    CHECK(workspace_size(function, BWD_FILTER, (int) algo, &s, &required));
    CHECK(check_workspace(function, workSpace, workSpaceSizeInBytes, required));
    CHECK(check_data(function, "x", x, extent_bytes(&s.x)));
    CHECK(check_data(function, "dy", dy, extent_bytes(&s.y)));
    CHECK(check_data(function, "dw", dw, extent_bytes(&s.w)));
    scribble(workSpace, required);
    return backward_filter_kernel(&s, x, dy, dw, a, b) ? CUDNN_STATUS_SUCCESS
                                                       : fail(CUDNN_STATUS_ALLOC_FAILED, function, "host memory exhausted");
}

/* cuDNN, cudnnConvolutionBackwardBias: db (1 x C x 1 x 1) = alpha * sum over n,h,w of dy + beta*db. */
STANDIN_EXPORT cudnnStatus_t cudnnConvolutionBackwardBias(cudnnHandle_t handle, const void *alpha,
                                                         const cudnnTensorDescriptor_t dyDesc, const void *dy,
                                                         const void *beta, const cudnnTensorDescriptor_t dbDesc, void *db) {
    const char *function = "cudnnConvolutionBackwardBias";
    REQUIRE_HANDLE(function);
    dims4 g, bias;
    float a = 0.0f, b = 0.0f;
    CHECK(tensor_of(function, "dyDesc", dyDesc, &g));
    CHECK(tensor_of(function, "dbDesc", dbDesc, &bias));
    dims4 expected = { 1, g.c, 1, 1, 0, 0, 0, 0 };
    if (!same_sizes(&bias, &expected)) {
        return shape_mismatch(function, "dbDesc", &bias, &expected);
    }
    CHECK(scaling(function, alpha, beta, &a, &b));
    CHECK(check_data(function, "dy", dy, extent_bytes(&g)));
    CHECK(check_data(function, "db", db, extent_bytes(&bias)));
    const float *grad = dy;
    for (int c = 0; c < g.c; c++) {
        float sum = 0.0f;
        for (int n = 0; n < g.n; n++) {
            for (int h = 0; h < g.h; h++) {
                for (int w = 0; w < g.w; w++) {
                    sum += grad[offset(&g, n, c, h, w)];
                }
            }
        }
        blend(&((float *) db)[offset(&bias, 0, c, 0, 0)], sum, a, b);
    }
    return CUDNN_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ pooling */

/* cuDNN, cudnnCreatePoolingDescriptor: creates an unset descriptor. */
STANDIN_EXPORT cudnnStatus_t cudnnCreatePoolingDescriptor(cudnnPoolingDescriptor_t *poolingDesc) {
    return create_object("cudnnCreatePoolingDescriptor", (void **) poolingDesc, sizeof(struct cudnnPoolingStruct), KIND_POOLING);
}

/* cuDNN, cudnnDestroyPoolingDescriptor: releases the descriptor. */
STANDIN_EXPORT cudnnStatus_t cudnnDestroyPoolingDescriptor(cudnnPoolingDescriptor_t poolingDesc) {
    return destroy_object("cudnnDestroyPoolingDescriptor", poolingDesc, KIND_POOLING);
}

/* cuDNN, cudnnSetPooling2dDescriptor: BAD_PARAM for an invalid mode or NaN option, a non-positive window or stride, or negative padding. */
STANDIN_EXPORT cudnnStatus_t cudnnSetPooling2dDescriptor(cudnnPoolingDescriptor_t poolingDesc, cudnnPoolingMode_t mode,
                                                        cudnnNanPropagation_t maxpoolingNanOpt, int windowHeight,
                                                        int windowWidth, int verticalPadding, int horizontalPadding,
                                                        int verticalStride, int horizontalStride) {
    const char *function = "cudnnSetPooling2dDescriptor";
    struct cudnnPoolingStruct *p = standin_registry_get(&objects, poolingDesc, KIND_POOLING);
    if (p == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "poolingDesc is not a live pooling descriptor");
    }
    if ((int) mode < CUDNN_POOLING_MAX || (int) mode > CUDNN_POOLING_MAX_DETERMINISTIC) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "mode is not a cudnnPoolingMode_t value");
    }
    if (maxpoolingNanOpt != CUDNN_NOT_PROPAGATE_NAN && maxpoolingNanOpt != CUDNN_PROPAGATE_NAN) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "maxpoolingNanOpt is not a cudnnNanPropagation_t value");
    }
    if (windowHeight <= 0 || windowWidth <= 0 || verticalStride <= 0 || horizontalStride <= 0 || verticalPadding < 0
        || horizontalPadding < 0) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "window %dx%d stride %dx%d padding %dx%d: window and stride must be > 0",
                    windowHeight, windowWidth, verticalStride, horizontalStride, verticalPadding, horizontalPadding);
    }
    p->mode = mode;
    p->nan = maxpoolingNanOpt;
    p->window_h = windowHeight; p->window_w = windowWidth;
    p->pad_h = verticalPadding; p->pad_w = horizontalPadding;
    p->stride_h = verticalStride; p->stride_w = horizontalStride;
    p->set = 1;
    return CUDNN_STATUS_SUCCESS;
}

static cudnnStatus_t pooling_of(const char *function, cudnnPoolingDescriptor_t desc, struct cudnnPoolingStruct **p) {
    *p = standin_registry_get(&objects, desc, KIND_POOLING);
    if (*p == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "poolingDesc is not a live pooling descriptor");
    }
    if (!(*p)->set) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "poolingDesc was created but never set");
    }
    return CUDNN_STATUS_SUCCESS;
}

/* Output size of a pooling (see cudnnGetPooling2dForwardOutputDim). */
static cudnnStatus_t pooled_dims(const char *function, const struct cudnnPoolingStruct *p, const dims4 *x, dims4 *y) {
    if (x->h + 2 * p->pad_h < p->window_h || x->w + 2 * p->pad_w < p->window_w) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "window %dx%d is larger than the padded input %dx%d", p->window_h,
                    p->window_w, x->h + 2 * p->pad_h, x->w + 2 * p->pad_w);
    }
    y->n = x->n;
    y->c = x->c;
    y->h = 1 + (x->h + 2 * p->pad_h - p->window_h) / p->stride_h;
    y->w = 1 + (x->w + 2 * p->pad_w - p->window_w) / p->stride_w;
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnGetPooling2dForwardOutputDim: out = 1 + (in + 2*padding - window) / stride; the window must fit the padded input. */
STANDIN_EXPORT cudnnStatus_t cudnnGetPooling2dForwardOutputDim(const cudnnPoolingDescriptor_t poolingDesc,
                                                              const cudnnTensorDescriptor_t inputTensorDesc, int *n, int *c,
                                                              int *h, int *w) {
    const char *function = "cudnnGetPooling2dForwardOutputDim";
    struct cudnnPoolingStruct *p;
    dims4 x, y;
    CHECK(pooling_of(function, poolingDesc, &p));
    CHECK(tensor_of(function, "inputTensorDesc", inputTensorDesc, &x));
    if (!n || !c || !h || !w) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "an output pointer is NULL");
    }
    CHECK(pooled_dims(function, p, &x, &y));
    *n = y.n; *c = y.c; *h = y.h; *w = y.w;
    return CUDNN_STATUS_SUCCESS;
}

static int is_max_pooling(const struct cudnnPoolingStruct *p) {
    return p->mode == CUDNN_POOLING_MAX || p->mode == CUDNN_POOLING_MAX_DETERMINISTIC;
}

/* The window of output (oh, ow) clipped to the input; *area is the divisor for average pooling. */
static void pooling_window(const struct cudnnPoolingStruct *p, const dims4 *x, int oh, int ow, int *h0, int *h1, int *w0,
                           int *w1, int *area) {
    int top = oh * p->stride_h - p->pad_h, left = ow * p->stride_w - p->pad_w;
    *h0 = top < 0 ? 0 : top;
    *w0 = left < 0 ? 0 : left;
    *h1 = top + p->window_h > x->h ? x->h : top + p->window_h;
    *w1 = left + p->window_w > x->w ? x->w : left + p->window_w;
    /* cuDNN, cudnnPoolingMode_t: INCLUDE_PADDING divides by the whole window, EXCLUDE_PADDING by the elements inside. */
    *area = p->mode == CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING ? p->window_h * p->window_w
                                                                   : (*h1 - *h0) * (*w1 - *w0);
}

/* cuDNN, cudnnPoolingForward: y = alpha*pool(x) + beta*y; padded positions never win a max and count only for INCLUDE_PADDING. */
STANDIN_EXPORT cudnnStatus_t cudnnPoolingForward(cudnnHandle_t handle, const cudnnPoolingDescriptor_t poolingDesc,
                                                const void *alpha, const cudnnTensorDescriptor_t xDesc, const void *x,
                                                const void *beta, const cudnnTensorDescriptor_t yDesc, void *y) {
    const char *function = "cudnnPoolingForward";
    REQUIRE_HANDLE(function);
    struct cudnnPoolingStruct *p;
    dims4 xd, yd, expected;
    float a = 0.0f, b = 0.0f;
    CHECK(pooling_of(function, poolingDesc, &p));
    CHECK(tensor_of(function, "xDesc", xDesc, &xd));
    CHECK(tensor_of(function, "yDesc", yDesc, &yd));
    CHECK(pooled_dims(function, p, &xd, &expected));
    if (!same_sizes(&yd, &expected)) {
        return shape_mismatch(function, "yDesc", &yd, &expected);
    }
    CHECK(scaling(function, alpha, beta, &a, &b));
    CHECK(check_data(function, "x", x, extent_bytes(&xd)));
    CHECK(check_data(function, "y", y, extent_bytes(&yd)));
    const float *in = x;
    float *out = y;
    for (int n = 0; n < yd.n; n++) {
        for (int c = 0; c < yd.c; c++) {
            for (int oh = 0; oh < yd.h; oh++) {
                for (int ow = 0; ow < yd.w; ow++) {
                    int h0, h1, w0, w1, area;
                    pooling_window(p, &xd, oh, ow, &h0, &h1, &w0, &w1, &area);
                    float result;
                    if (is_max_pooling(p)) {
                        result = -FLT_MAX;
                        int seen_nan = 0;
                        for (int h = h0; h < h1; h++) {
                            for (int w = w0; w < w1; w++) {
                                float v = in[offset(&xd, n, c, h, w)];
                                seen_nan |= isnan(v);
                                result = v > result ? v : result;
                            }
                        }
                        if (seen_nan && p->nan == CUDNN_PROPAGATE_NAN) {
                            result = NAN;
                        }
                    } else {
                        float sum = 0.0f;
                        for (int h = h0; h < h1; h++) {
                            for (int w = w0; w < w1; w++) {
                                sum += in[offset(&xd, n, c, h, w)];
                            }
                        }
                        result = area > 0 ? sum / (float) area : 0.0f;
                    }
                    blend(&out[offset(&yd, n, c, oh, ow)], result, a, b);
                }
            }
        }
    }
    return CUDNN_STATUS_SUCCESS;
}

/*
 * cuDNN, cudnnPoolingBackward: dx = alpha*pool'(y, dy, x) + beta*dx. Max pooling routes each dy to the first
 * input in the window (row-major) equal to the forward result y, so y and x must be the forward pass's.
 */
STANDIN_EXPORT cudnnStatus_t cudnnPoolingBackward(cudnnHandle_t handle, const cudnnPoolingDescriptor_t poolingDesc,
                                                 const void *alpha, const cudnnTensorDescriptor_t yDesc, const void *y,
                                                 const cudnnTensorDescriptor_t dyDesc, const void *dy,
                                                 const cudnnTensorDescriptor_t xDesc, const void *x, const void *beta,
                                                 const cudnnTensorDescriptor_t dxDesc, void *dx) {
    const char *function = "cudnnPoolingBackward";
    REQUIRE_HANDLE(function);
    struct cudnnPoolingStruct *p;
    dims4 yd, dyd, xd, dxd, expected;
    float a = 0.0f, b = 0.0f;
    CHECK(pooling_of(function, poolingDesc, &p));
    CHECK(tensor_of(function, "yDesc", yDesc, &yd));
    CHECK(tensor_of(function, "dyDesc", dyDesc, &dyd));
    CHECK(tensor_of(function, "xDesc", xDesc, &xd));
    CHECK(tensor_of(function, "dxDesc", dxDesc, &dxd));
    CHECK(pooled_dims(function, p, &xd, &expected));
    if (!same_sizes(&yd, &expected)) {
        return shape_mismatch(function, "yDesc", &yd, &expected);
    }
    if (!same_sizes(&dyd, &yd)) {
        return shape_mismatch(function, "dyDesc", &dyd, &yd);
    }
    if (!same_sizes(&dxd, &xd)) {
        return shape_mismatch(function, "dxDesc", &dxd, &xd);
    }
    CHECK(scaling(function, alpha, beta, &a, &b));
    CHECK(check_data(function, "y", y, extent_bytes(&yd)));
    CHECK(check_data(function, "dy", dy, extent_bytes(&dyd)));
    CHECK(check_data(function, "x", x, extent_bytes(&xd)));
    CHECK(check_data(function, "dx", dx, extent_bytes(&dxd)));
    float *grad = calloc((size_t) element_count(&xd), sizeof(float)); /* packed NCHW accumulator */
    if (grad == NULL) {
        return fail(CUDNN_STATUS_ALLOC_FAILED, function, "host memory exhausted");
    }
    const float *in = x, *out = y, *g = dy;
    for (int n = 0; n < yd.n; n++) {
        for (int c = 0; c < yd.c; c++) {
            float *grad_plane = grad + ((long) n * xd.c + c) * xd.h * xd.w;
            for (int oh = 0; oh < yd.h; oh++) {
                for (int ow = 0; ow < yd.w; ow++) {
                    int h0, h1, w0, w1, area;
                    pooling_window(p, &xd, oh, ow, &h0, &h1, &w0, &w1, &area);
                    float gradient = g[offset(&dyd, n, c, oh, ow)];
                    if (is_max_pooling(p)) {
                        float result = out[offset(&yd, n, c, oh, ow)];
                        int found = 0;
                        for (int h = h0; h < h1 && !found; h++) {
                            for (int w = w0; w < w1 && !found; w++) {
                                if (in[offset(&xd, n, c, h, w)] == result) {
                                    grad_plane[(long) h * xd.w + w] += gradient;
                                    found = 1;
                                }
                            }
                        }
                    } else if (area > 0) {
                        for (int h = h0; h < h1; h++) {
                            for (int w = w0; w < w1; w++) {
                                grad_plane[(long) h * xd.w + w] += gradient / (float) area;
                            }
                        }
                    }
                }
            }
        }
    }
    float *out_grad = dx;
    for (int n = 0; n < xd.n; n++) {
        for (int c = 0; c < xd.c; c++) {
            for (int h = 0; h < xd.h; h++) {
                for (int w = 0; w < xd.w; w++) {
                    blend(&out_grad[offset(&dxd, n, c, h, w)], grad[(((long) n * xd.c + c) * xd.h + h) * xd.w + w], a, b);
                }
            }
        }
    }
    free(grad);
    return CUDNN_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ activation */

/* cuDNN, cudnnCreateActivationDescriptor: creates an unset descriptor. */
STANDIN_EXPORT cudnnStatus_t cudnnCreateActivationDescriptor(cudnnActivationDescriptor_t *activationDesc) {
    return create_object("cudnnCreateActivationDescriptor", (void **) activationDesc, sizeof(struct cudnnActivationStruct),
                         KIND_ACTIVATION);
}

/* cuDNN, cudnnDestroyActivationDescriptor: releases the descriptor. */
STANDIN_EXPORT cudnnStatus_t cudnnDestroyActivationDescriptor(cudnnActivationDescriptor_t activationDesc) {
    return destroy_object("cudnnDestroyActivationDescriptor", activationDesc, KIND_ACTIVATION);
}

/* cuDNN, cudnnSetActivationDescriptor: mode and NaN option must be valid enumerants (BAD_PARAM); coef is the clip or ELU alpha. */
STANDIN_EXPORT cudnnStatus_t cudnnSetActivationDescriptor(cudnnActivationDescriptor_t activationDesc, cudnnActivationMode_t mode,
                                                         cudnnNanPropagation_t reluNanOpt, double coef) {
    const char *function = "cudnnSetActivationDescriptor";
    struct cudnnActivationStruct *act = standin_registry_get(&objects, activationDesc, KIND_ACTIVATION);
    if (act == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "activationDesc is not a live activation descriptor");
    }
    if ((int) mode < CUDNN_ACTIVATION_SIGMOID || (int) mode > CUDNN_ACTIVATION_SWISH) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "mode is not a cudnnActivationMode_t value");
    }
    if (reluNanOpt != CUDNN_NOT_PROPAGATE_NAN && reluNanOpt != CUDNN_PROPAGATE_NAN) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "reluNanOpt is not a cudnnNanPropagation_t value");
    }
    act->mode = mode;
    act->nan = reluNanOpt;
    act->coef = coef;
    act->set = 1;
    return CUDNN_STATUS_SUCCESS;
}

static cudnnStatus_t activation_of(const char *function, cudnnActivationDescriptor_t desc, struct cudnnActivationStruct **act) {
    *act = standin_registry_get(&objects, desc, KIND_ACTIVATION);
    if (*act == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "activationDesc is not a live activation descriptor");
    }
    if (!(*act)->set) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "activationDesc was created but never set");
    }
    switch ((*act)->mode) {
        case CUDNN_ACTIVATION_RELU:
        case CUDNN_ACTIVATION_SIGMOID:
        case CUDNN_ACTIVATION_TANH:
        case CUDNN_ACTIVATION_CLIPPED_RELU:
        case CUDNN_ACTIVATION_ELU:
            return CUDNN_STATUS_SUCCESS;
        default:
            /* IDENTITY only works inside cudnnConvolutionBiasActivationForward; SWISH is not in the stand-in. */
            return fail(CUDNN_STATUS_NOT_SUPPORTED, function, "activation mode %d is not supported here", (int) (*act)->mode);
    }
}

static float activate(const struct cudnnActivationStruct *act, float x) {
    switch (act->mode) {
        case CUDNN_ACTIVATION_RELU: return x > 0.0f ? x : (isnan(x) && act->nan == CUDNN_PROPAGATE_NAN ? x : 0.0f);
        case CUDNN_ACTIVATION_SIGMOID: return 1.0f / (1.0f + expf(-x));
        case CUDNN_ACTIVATION_TANH: return tanhf(x);
        case CUDNN_ACTIVATION_CLIPPED_RELU: return x <= 0.0f ? 0.0f : (x >= (float) act->coef ? (float) act->coef : x);
        default: return x > 0.0f ? x : (float) act->coef * (expf(x) - 1.0f); /* ELU */
    }
}

/* f'(x) times dy; sigmoid and tanh use y as cuDNN does, the piecewise modes test x. */
static float activation_gradient(const struct cudnnActivationStruct *act, float y, float dy, float x) {
    switch (act->mode) {
        case CUDNN_ACTIVATION_RELU: return x > 0.0f ? dy : 0.0f;
        case CUDNN_ACTIVATION_SIGMOID: return dy * y * (1.0f - y);
        case CUDNN_ACTIVATION_TANH: return dy * (1.0f - y * y);
        case CUDNN_ACTIVATION_CLIPPED_RELU: return x > 0.0f && x < (float) act->coef ? dy : 0.0f;
        default: return x > 0.0f ? dy : dy * (y + (float) act->coef); /* ELU */
    }
}

/* cuDNN, cudnnActivationForward: y = alpha*f(x) + beta*y elementwise; x and y must have the same dimensions (in place allowed). */
STANDIN_EXPORT cudnnStatus_t cudnnActivationForward(cudnnHandle_t handle, cudnnActivationDescriptor_t activationDesc,
                                                   const void *alpha, const cudnnTensorDescriptor_t xDesc, const void *x,
                                                   const void *beta, const cudnnTensorDescriptor_t yDesc, void *y) {
    const char *function = "cudnnActivationForward";
    REQUIRE_HANDLE(function);
    struct cudnnActivationStruct *act;
    dims4 xd, yd;
    float a = 0.0f, b = 0.0f;
    CHECK(activation_of(function, activationDesc, &act));
    CHECK(tensor_of(function, "xDesc", xDesc, &xd));
    CHECK(tensor_of(function, "yDesc", yDesc, &yd));
    if (!same_sizes(&xd, &yd)) {
        return shape_mismatch(function, "yDesc", &yd, &xd);
    }
    CHECK(scaling(function, alpha, beta, &a, &b));
    CHECK(check_data(function, "x", x, extent_bytes(&xd)));
    CHECK(check_data(function, "y", y, extent_bytes(&yd)));
    const float *in = x;
    float *out = y;
    for (int n = 0; n < xd.n; n++)
        for (int c = 0; c < xd.c; c++)
            for (int h = 0; h < xd.h; h++)
                for (int w = 0; w < xd.w; w++)
                    blend(&out[offset(&yd, n, c, h, w)], activate(act, in[offset(&xd, n, c, h, w)]), a, b);
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnActivationBackward: dx = alpha*f'(x)*dy + beta*dx, with y = f(x) from the forward pass; all four shapes equal. */
STANDIN_EXPORT cudnnStatus_t cudnnActivationBackward(cudnnHandle_t handle, cudnnActivationDescriptor_t activationDesc,
                                                    const void *alpha, const cudnnTensorDescriptor_t yDesc, const void *y,
                                                    const cudnnTensorDescriptor_t dyDesc, const void *dy,
                                                    const cudnnTensorDescriptor_t xDesc, const void *x, const void *beta,
                                                    const cudnnTensorDescriptor_t dxDesc, void *dx) {
    const char *function = "cudnnActivationBackward";
    REQUIRE_HANDLE(function);
    struct cudnnActivationStruct *act;
    dims4 yd, dyd, xd, dxd;
    float a = 0.0f, b = 0.0f;
    CHECK(activation_of(function, activationDesc, &act));
    CHECK(tensor_of(function, "yDesc", yDesc, &yd));
    CHECK(tensor_of(function, "dyDesc", dyDesc, &dyd));
    CHECK(tensor_of(function, "xDesc", xDesc, &xd));
    CHECK(tensor_of(function, "dxDesc", dxDesc, &dxd));
    if (!same_sizes(&dyd, &yd)) {
        return shape_mismatch(function, "dyDesc", &dyd, &yd);
    }
    if (!same_sizes(&xd, &yd)) {
        return shape_mismatch(function, "xDesc", &xd, &yd);
    }
    if (!same_sizes(&dxd, &yd)) {
        return shape_mismatch(function, "dxDesc", &dxd, &yd);
    }
    CHECK(scaling(function, alpha, beta, &a, &b));
    CHECK(check_data(function, "y", y, extent_bytes(&yd)));
    CHECK(check_data(function, "dy", dy, extent_bytes(&dyd)));
    CHECK(check_data(function, "x", x, extent_bytes(&xd)));
    CHECK(check_data(function, "dx", dx, extent_bytes(&dxd)));
    const float *out = y, *g = dy, *in = x;
    float *grad = dx;
    for (int n = 0; n < yd.n; n++)
        for (int c = 0; c < yd.c; c++)
            for (int h = 0; h < yd.h; h++)
                for (int w = 0; w < yd.w; w++) {
                    float value = activation_gradient(act, out[offset(&yd, n, c, h, w)], g[offset(&dyd, n, c, h, w)],
                                                      in[offset(&xd, n, c, h, w)]);
                    blend(&grad[offset(&dxd, n, c, h, w)], value, a, b);
                }
    return CUDNN_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ softmax */

/* One softmax group: count elements at base + i*step in the tensor's memory (INSTANCE: C*H*W per n, CHANNEL: C per n,h,w). */
typedef struct {
    int groups;
    int count;
} softmax_layout;

static long softmax_position(const dims4 *d, cudnnSoftmaxMode_t mode, int group, int i) {
    if (mode == CUDNN_SOFTMAX_MODE_INSTANCE) {
        int c = i / (d->h * d->w), h = i / d->w % d->h, w = i % d->w;
        return offset(d, group, c, h, w);
    }
    int n = group / (d->h * d->w), h = group / d->w % d->h, w = group % d->w;
    return offset(d, n, i, h, w);
}

static cudnnStatus_t softmax_check(const char *function, cudnnSoftmaxAlgorithm_t algo, cudnnSoftmaxMode_t mode,
                                   const dims4 *d, softmax_layout *layout) {
    if ((int) algo < CUDNN_SOFTMAX_FAST || (int) algo > CUDNN_SOFTMAX_LOG) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "algo is not a cudnnSoftmaxAlgorithm_t value");
    }
    if (mode != CUDNN_SOFTMAX_MODE_INSTANCE && mode != CUDNN_SOFTMAX_MODE_CHANNEL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "mode is not a cudnnSoftmaxMode_t value");
    }
    layout->groups = mode == CUDNN_SOFTMAX_MODE_INSTANCE ? d->n : d->n * d->h * d->w;
    layout->count = mode == CUDNN_SOFTMAX_MODE_INSTANCE ? d->c * d->h * d->w : d->c;
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnSoftmaxForward: y = alpha*softmax(x) + beta*y; ACCURATE subtracts the max, FAST does not, LOG gives log-softmax. */
STANDIN_EXPORT cudnnStatus_t cudnnSoftmaxForward(cudnnHandle_t handle, cudnnSoftmaxAlgorithm_t algo, cudnnSoftmaxMode_t mode,
                                                const void *alpha, const cudnnTensorDescriptor_t xDesc, const void *x,
                                                const void *beta, const cudnnTensorDescriptor_t yDesc, void *y) {
    const char *function = "cudnnSoftmaxForward";
    REQUIRE_HANDLE(function);
    dims4 xd, yd;
    softmax_layout layout;
    float a = 0.0f, b = 0.0f;
    CHECK(tensor_of(function, "xDesc", xDesc, &xd));
    CHECK(tensor_of(function, "yDesc", yDesc, &yd));
    if (!same_sizes(&xd, &yd)) {
        return shape_mismatch(function, "yDesc", &yd, &xd);
    }
    CHECK(softmax_check(function, algo, mode, &xd, &layout));
    CHECK(scaling(function, alpha, beta, &a, &b));
    CHECK(check_data(function, "x", x, extent_bytes(&xd)));
    CHECK(check_data(function, "y", y, extent_bytes(&yd)));
    const float *in = x;
    float *out = y;
    float *values = malloc((size_t) layout.count * sizeof(float));
    if (values == NULL) {
        return fail(CUDNN_STATUS_ALLOC_FAILED, function, "host memory exhausted");
    }
    for (int group = 0; group < layout.groups; group++) {
        float max = -INFINITY;
        for (int i = 0; i < layout.count; i++) {
            values[i] = in[softmax_position(&xd, mode, group, i)];
            max = values[i] > max ? values[i] : max;
        }
        float shift = algo == CUDNN_SOFTMAX_FAST ? 0.0f : max;
        double sum = 0.0;
        for (int i = 0; i < layout.count; i++) {
            sum += exp((double) values[i] - shift);
        }
        for (int i = 0; i < layout.count; i++) {
            float result = algo == CUDNN_SOFTMAX_LOG ? (float) ((double) values[i] - shift - log(sum))
                                                     : (float) (exp((double) values[i] - shift) / sum);
            blend(&out[softmax_position(&yd, mode, group, i)], result, a, b);
        }
    }
    free(values);
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnSoftmaxBackward: dx = alpha*y*(dy - sum(dy*y)) + beta*dx; for LOG, dx = alpha*(dy - exp(y)*sum(dy)) + beta*dx. */
STANDIN_EXPORT cudnnStatus_t cudnnSoftmaxBackward(cudnnHandle_t handle, cudnnSoftmaxAlgorithm_t algo, cudnnSoftmaxMode_t mode,
                                                 const void *alpha, const cudnnTensorDescriptor_t yDesc, const void *y,
                                                 const cudnnTensorDescriptor_t dyDesc, const void *dy, const void *beta,
                                                 const cudnnTensorDescriptor_t dxDesc, void *dx) {
    const char *function = "cudnnSoftmaxBackward";
    REQUIRE_HANDLE(function);
    dims4 yd, dyd, dxd;
    softmax_layout layout;
    float a = 0.0f, b = 0.0f;
    CHECK(tensor_of(function, "yDesc", yDesc, &yd));
    CHECK(tensor_of(function, "dyDesc", dyDesc, &dyd));
    CHECK(tensor_of(function, "dxDesc", dxDesc, &dxd));
    if (!same_sizes(&dyd, &yd)) {
        return shape_mismatch(function, "dyDesc", &dyd, &yd);
    }
    if (!same_sizes(&dxd, &yd)) {
        return shape_mismatch(function, "dxDesc", &dxd, &yd);
    }
    CHECK(softmax_check(function, algo, mode, &yd, &layout));
    CHECK(scaling(function, alpha, beta, &a, &b));
    CHECK(check_data(function, "y", y, extent_bytes(&yd)));
    CHECK(check_data(function, "dy", dy, extent_bytes(&dyd)));
    CHECK(check_data(function, "dx", dx, extent_bytes(&dxd)));
    const float *out = y, *g = dy;
    float *grad = dx;
    float *results = malloc((size_t) layout.count * sizeof(float));
    if (results == NULL) {
        return fail(CUDNN_STATUS_ALLOC_FAILED, function, "host memory exhausted");
    }
    for (int group = 0; group < layout.groups; group++) {
        double sum = 0.0;
        for (int i = 0; i < layout.count; i++) {
            float gi = g[softmax_position(&dyd, mode, group, i)];
            sum += algo == CUDNN_SOFTMAX_LOG ? gi : (double) gi * out[softmax_position(&yd, mode, group, i)];
        }
        for (int i = 0; i < layout.count; i++) { /* computed before writing: dx may alias dy */
            float yi = out[softmax_position(&yd, mode, group, i)], gi = g[softmax_position(&dyd, mode, group, i)];
            results[i] = algo == CUDNN_SOFTMAX_LOG ? (float) (gi - exp((double) yi) * sum) : (float) (yi * (gi - sum));
        }
        for (int i = 0; i < layout.count; i++) {
            blend(&grad[softmax_position(&dxd, mode, group, i)], results[i], a, b);
        }
    }
    free(results);
    return CUDNN_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ tensor arithmetic */

/* Broadcasting: each dimension of `small` equals the one of `full` or is 1. */
static int broadcasts_to(const dims4 *small, const dims4 *full) {
    return (small->n == full->n || small->n == 1) && (small->c == full->c || small->c == 1)
           && (small->h == full->h || small->h == 1) && (small->w == full->w || small->w == 1);
}

static inline long broadcast_offset(const dims4 *d, int n, int c, int h, int w) {
    return offset(d, d->n == 1 ? 0 : n, d->c == 1 ? 0 : c, d->h == 1 ? 0 : h, d->w == 1 ? 0 : w);
}

/* cuDNN, cudnnAddTensor: C = alpha*A + beta*C; each dimension of A must equal C's or be 1 (broadcast, e.g. a 1xCx1x1 bias). */
STANDIN_EXPORT cudnnStatus_t cudnnAddTensor(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t aDesc,
                                           const void *A, const void *beta, const cudnnTensorDescriptor_t cDesc, void *C) {
    const char *function = "cudnnAddTensor";
    REQUIRE_HANDLE(function);
    dims4 ad, cd;
    float a = 0.0f, b = 0.0f;
    CHECK(tensor_of(function, "aDesc", aDesc, &ad));
    CHECK(tensor_of(function, "cDesc", cDesc, &cd));
    if (!broadcasts_to(&ad, &cd)) {
        return shape_mismatch(function, "aDesc (each dimension must match cDesc or be 1)", &ad, &cd);
    }
    CHECK(scaling(function, alpha, beta, &a, &b));
    CHECK(check_data(function, "A", A, extent_bytes(&ad)));
    CHECK(check_data(function, "C", C, extent_bytes(&cd)));
    const float *in = A;
    float *out = C;
    for (int n = 0; n < cd.n; n++)
        for (int c = 0; c < cd.c; c++)
            for (int h = 0; h < cd.h; h++)
                for (int w = 0; w < cd.w; w++)
                    blend(&out[offset(&cd, n, c, h, w)], in[broadcast_offset(&ad, n, c, h, w)], a, b);
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnSetTensor: every element of y = *valuePtr. */
STANDIN_EXPORT cudnnStatus_t cudnnSetTensor(cudnnHandle_t handle, const cudnnTensorDescriptor_t yDesc, void *y,
                                           const void *valuePtr) {
    const char *function = "cudnnSetTensor";
    REQUIRE_HANDLE(function);
    dims4 yd;
    CHECK(tensor_of(function, "yDesc", yDesc, &yd));
    if (valuePtr == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "valuePtr is NULL");
    }
    CHECK(check_data(function, "y", y, extent_bytes(&yd)));
    float value = *(const float *) valuePtr;
    float *out = y;
    for (int n = 0; n < yd.n; n++)
        for (int c = 0; c < yd.c; c++)
            for (int h = 0; h < yd.h; h++)
                for (int w = 0; w < yd.w; w++)
                    out[offset(&yd, n, c, h, w)] = value;
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnScaleTensor: every element of y = alpha*y. */
STANDIN_EXPORT cudnnStatus_t cudnnScaleTensor(cudnnHandle_t handle, const cudnnTensorDescriptor_t yDesc, void *y,
                                             const void *alpha) {
    const char *function = "cudnnScaleTensor";
    REQUIRE_HANDLE(function);
    dims4 yd;
    float a = 0.0f;
    CHECK(tensor_of(function, "yDesc", yDesc, &yd));
    CHECK(scaling(function, alpha, NULL, &a, NULL));
    CHECK(check_data(function, "y", y, extent_bytes(&yd)));
    float *out = y;
    for (int n = 0; n < yd.n; n++)
        for (int c = 0; c < yd.c; c++)
            for (int h = 0; h < yd.h; h++)
                for (int w = 0; w < yd.w; w++)
                    out[offset(&yd, n, c, h, w)] *= a;
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnTransformTensor: y = alpha*x + beta*y between layouts (strides) of the same dimensions. */
STANDIN_EXPORT cudnnStatus_t cudnnTransformTensor(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t xDesc,
                                                 const void *x, const void *beta, const cudnnTensorDescriptor_t yDesc,
                                                 void *y) {
    const char *function = "cudnnTransformTensor";
    REQUIRE_HANDLE(function);
    dims4 xd, yd;
    float a = 0.0f, b = 0.0f;
    CHECK(tensor_of(function, "xDesc", xDesc, &xd));
    CHECK(tensor_of(function, "yDesc", yDesc, &yd));
    if (!same_sizes(&xd, &yd)) {
        return shape_mismatch(function, "yDesc", &yd, &xd);
    }
    CHECK(scaling(function, alpha, beta, &a, &b));
    CHECK(check_data(function, "x", x, extent_bytes(&xd)));
    CHECK(check_data(function, "y", y, extent_bytes(&yd)));
    const float *in = x;
    float *out = y;
    for (int n = 0; n < xd.n; n++)
        for (int c = 0; c < xd.c; c++)
            for (int h = 0; h < xd.h; h++)
                for (int w = 0; w < xd.w; w++)
                    blend(&out[offset(&yd, n, c, h, w)], in[offset(&xd, n, c, h, w)], a, b);
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnCreateOpTensorDescriptor: creates an unset descriptor. */
STANDIN_EXPORT cudnnStatus_t cudnnCreateOpTensorDescriptor(cudnnOpTensorDescriptor_t *opTensorDesc) {
    return create_object("cudnnCreateOpTensorDescriptor", (void **) opTensorDesc, sizeof(struct cudnnOpTensorStruct),
                         KIND_OP_TENSOR);
}

/* cuDNN, cudnnDestroyOpTensorDescriptor: releases the descriptor. */
STANDIN_EXPORT cudnnStatus_t cudnnDestroyOpTensorDescriptor(cudnnOpTensorDescriptor_t opTensorDesc) {
    return destroy_object("cudnnDestroyOpTensorDescriptor", opTensorDesc, KIND_OP_TENSOR);
}

/* cuDNN, cudnnSetOpTensorDescriptor: op, compute type and NaN option must be valid enumerants (BAD_PARAM). */
STANDIN_EXPORT cudnnStatus_t cudnnSetOpTensorDescriptor(cudnnOpTensorDescriptor_t opTensorDesc, cudnnOpTensorOp_t opTensorOp,
                                                       cudnnDataType_t opTensorCompType, cudnnNanPropagation_t opTensorNanOpt) {
    const char *function = "cudnnSetOpTensorDescriptor";
    struct cudnnOpTensorStruct *op = standin_registry_get(&objects, opTensorDesc, KIND_OP_TENSOR);
    if (op == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "opTensorDesc is not a live op-tensor descriptor");
    }
    if ((int) opTensorOp < CUDNN_OP_TENSOR_ADD || (int) opTensorOp > CUDNN_OP_TENSOR_NOT) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "opTensorOp is not a cudnnOpTensorOp_t value");
    }
    if (opTensorNanOpt != CUDNN_NOT_PROPAGATE_NAN && opTensorNanOpt != CUDNN_PROPAGATE_NAN) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "opTensorNanOpt is not a cudnnNanPropagation_t value");
    }
    CHECK(check_data_type(function, opTensorCompType));
    op->op = opTensorOp;
    op->compute_type = opTensorCompType;
    op->nan = opTensorNanOpt;
    op->set = 1;
    return CUDNN_STATUS_SUCCESS;
}

/*
 * cuDNN, cudnnOpTensor: C = op(alpha1*A, alpha2*B) + beta*C; A has C's dimensions, each dimension of B equals C's
 * or is 1. SQRT and NOT are unary: C = sqrt(alpha1*A) or 1 - alpha1*A (plus beta*C), and B is not read.
 */
STANDIN_EXPORT cudnnStatus_t cudnnOpTensor(cudnnHandle_t handle, const cudnnOpTensorDescriptor_t opTensorDesc, const void *alpha1,
                                          const cudnnTensorDescriptor_t aDesc, const void *A, const void *alpha2,
                                          const cudnnTensorDescriptor_t bDesc, const void *B, const void *beta,
                                          const cudnnTensorDescriptor_t cDesc, void *C) {
    const char *function = "cudnnOpTensor";
    REQUIRE_HANDLE(function);
    struct cudnnOpTensorStruct *op = standin_registry_get(&objects, opTensorDesc, KIND_OP_TENSOR);
    if (op == NULL || !op->set) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "opTensorDesc is not a live, set op-tensor descriptor");
    }
    int unary = op->op == CUDNN_OP_TENSOR_SQRT || op->op == CUDNN_OP_TENSOR_NOT;
    dims4 ad, bd, cd;
    float a1 = 0.0f, a2 = 0.0f, b = 0.0f;
    CHECK(tensor_of(function, "aDesc", aDesc, &ad));
    CHECK(tensor_of(function, "cDesc", cDesc, &cd));
    if (!same_sizes(&ad, &cd)) {
        return shape_mismatch(function, "aDesc", &ad, &cd);
    }
    if (!unary) {
        CHECK(tensor_of(function, "bDesc", bDesc, &bd));
        if (!broadcasts_to(&bd, &cd)) {
            return shape_mismatch(function, "bDesc (each dimension must match cDesc or be 1)", &bd, &cd);
        }
        if (alpha2 == NULL) {
            return fail(CUDNN_STATUS_BAD_PARAM, function, "alpha2 is NULL");
        }
        a2 = *(const float *) alpha2;
        CHECK(check_data(function, "B", B, extent_bytes(&bd)));
    }
    CHECK(scaling(function, alpha1, beta, &a1, &b));
    CHECK(check_data(function, "A", A, extent_bytes(&ad)));
    CHECK(check_data(function, "C", C, extent_bytes(&cd)));
    const float *in_a = A, *in_b = B;
    float *out = C;
    for (int n = 0; n < cd.n; n++)
        for (int c = 0; c < cd.c; c++)
            for (int h = 0; h < cd.h; h++)
                for (int w = 0; w < cd.w; w++) {
                    float x = a1 * in_a[offset(&ad, n, c, h, w)];
                    float y = unary ? 0.0f : a2 * in_b[broadcast_offset(&bd, n, c, h, w)];
                    float result;
                    switch (op->op) {
                        case CUDNN_OP_TENSOR_ADD: result = x + y; break;
                        case CUDNN_OP_TENSOR_MUL: result = x * y; break;
                        case CUDNN_OP_TENSOR_MIN: result = x < y ? x : y; break;
                        case CUDNN_OP_TENSOR_MAX: result = x > y ? x : y; break;
                        case CUDNN_OP_TENSOR_SQRT: result = sqrtf(x); break;
                        default: result = 1.0f - x; break; /* NOT */
                    }
                    blend(&out[offset(&cd, n, c, h, w)], result, 1.0f, b);
                }
    return CUDNN_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ reductions */

/* cuDNN, cudnnCreateReduceTensorDescriptor: creates an unset descriptor. */
STANDIN_EXPORT cudnnStatus_t cudnnCreateReduceTensorDescriptor(cudnnReduceTensorDescriptor_t *reduceTensorDesc) {
    return create_object("cudnnCreateReduceTensorDescriptor", (void **) reduceTensorDesc,
                         sizeof(struct cudnnReduceTensorStruct), KIND_REDUCE_TENSOR);
}

/* cuDNN, cudnnDestroyReduceTensorDescriptor: releases the descriptor. */
STANDIN_EXPORT cudnnStatus_t cudnnDestroyReduceTensorDescriptor(cudnnReduceTensorDescriptor_t reduceTensorDesc) {
    return destroy_object("cudnnDestroyReduceTensorDescriptor", reduceTensorDesc, KIND_REDUCE_TENSOR);
}

/* cuDNN, cudnnSetReduceTensorDescriptor: enumerants must be valid (BAD_PARAM); indices only for MIN/MAX/AMAX and only 32-bit (NOT_SUPPORTED otherwise). */
STANDIN_EXPORT cudnnStatus_t cudnnSetReduceTensorDescriptor(cudnnReduceTensorDescriptor_t reduceTensorDesc,
                                                           cudnnReduceTensorOp_t reduceTensorOp,
                                                           cudnnDataType_t reduceTensorCompType,
                                                           cudnnNanPropagation_t reduceTensorNanOpt,
                                                           cudnnReduceTensorIndices_t reduceTensorIndices,
                                                           cudnnIndicesType_t reduceTensorIndicesType) {
    const char *function = "cudnnSetReduceTensorDescriptor";
    struct cudnnReduceTensorStruct *r = standin_registry_get(&objects, reduceTensorDesc, KIND_REDUCE_TENSOR);
    if (r == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "reduceTensorDesc is not a live reduce-tensor descriptor");
    }
    if ((int) reduceTensorOp < CUDNN_REDUCE_TENSOR_ADD || (int) reduceTensorOp > CUDNN_REDUCE_TENSOR_MUL_NO_ZEROS) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "reduceTensorOp is not a cudnnReduceTensorOp_t value");
    }
    if (reduceTensorNanOpt != CUDNN_NOT_PROPAGATE_NAN && reduceTensorNanOpt != CUDNN_PROPAGATE_NAN) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "reduceTensorNanOpt is not a cudnnNanPropagation_t value");
    }
    if (reduceTensorIndices != CUDNN_REDUCE_TENSOR_NO_INDICES && reduceTensorIndices != CUDNN_REDUCE_TENSOR_FLATTENED_INDICES) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "reduceTensorIndices is not a cudnnReduceTensorIndices_t value");
    }
    if ((int) reduceTensorIndicesType < CUDNN_32BIT_INDICES || (int) reduceTensorIndicesType > CUDNN_8BIT_INDICES) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "reduceTensorIndicesType is not a cudnnIndicesType_t value");
    }
    CHECK(check_data_type(function, reduceTensorCompType));
    if (reduceTensorIndices == CUDNN_REDUCE_TENSOR_FLATTENED_INDICES) {
        if (reduceTensorOp != CUDNN_REDUCE_TENSOR_MIN && reduceTensorOp != CUDNN_REDUCE_TENSOR_MAX
            && reduceTensorOp != CUDNN_REDUCE_TENSOR_AMAX) {
            return fail(CUDNN_STATUS_NOT_SUPPORTED, function, "indices exist only for MIN, MAX and AMAX");
        }
        if (reduceTensorIndicesType != CUDNN_32BIT_INDICES) {
            return fail(CUDNN_STATUS_NOT_SUPPORTED, function, "only CUDNN_32BIT_INDICES are supported");
        }
    }
    r->op = reduceTensorOp;
    r->compute_type = reduceTensorCompType;
    r->nan = reduceTensorNanOpt;
    r->indices = reduceTensorIndices;
    r->indices_type = reduceTensorIndicesType;
    r->set = 1;
    return CUDNN_STATUS_SUCCESS;
}

typedef struct {
    struct cudnnReduceTensorStruct *r;
    dims4 a, c;
    size_t workspace, indices;
} reduce_shapes;

/* The stand-in's sizes: a workspace of one float per element of A when anything is reduced, one int32 index per element of C. */
static cudnnStatus_t reduce_shapes_of(const char *function, cudnnReduceTensorDescriptor_t desc,
                                      cudnnTensorDescriptor_t aDesc, cudnnTensorDescriptor_t cDesc, reduce_shapes *s) {
    s->r = standin_registry_get(&objects, desc, KIND_REDUCE_TENSOR);
    if (s->r == NULL || !s->r->set) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "reduceTensorDesc is not a live, set reduce-tensor descriptor");
    }
    CHECK(tensor_of(function, "aDesc", aDesc, &s->a));
    CHECK(tensor_of(function, "cDesc", cDesc, &s->c));
    if (!broadcasts_to(&s->c, &s->a)) {
        return shape_mismatch(function, "cDesc (each dimension must match aDesc or be 1)", &s->c, &s->a);
    }
    s->workspace = same_sizes(&s->a, &s->c) ? 0 : (size_t) element_count(&s->a) * sizeof(float);
    s->indices = s->r->indices == CUDNN_REDUCE_TENSOR_FLATTENED_INDICES ? (size_t) element_count(&s->c) * sizeof(int) : 0;
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnGetReductionWorkspaceSize: bytes of workspace cudnnReduceTensor needs for A -> C. */
STANDIN_EXPORT cudnnStatus_t cudnnGetReductionWorkspaceSize(cudnnHandle_t handle, const cudnnReduceTensorDescriptor_t reduceTensorDesc,
                                                           const cudnnTensorDescriptor_t aDesc,
                                                           const cudnnTensorDescriptor_t cDesc, size_t *sizeInBytes) {
    const char *function = "cudnnGetReductionWorkspaceSize";
    REQUIRE_HANDLE(function);
    reduce_shapes s;
    CHECK(reduce_shapes_of(function, reduceTensorDesc, aDesc, cDesc, &s));
    if (sizeInBytes == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "sizeInBytes is NULL");
    }
    *sizeInBytes = s.workspace;
    return CUDNN_STATUS_SUCCESS;
}

/* cuDNN, cudnnGetReductionIndicesSize: bytes of indices cudnnReduceTensor writes (0 without FLATTENED_INDICES). */
STANDIN_EXPORT cudnnStatus_t cudnnGetReductionIndicesSize(cudnnHandle_t handle, const cudnnReduceTensorDescriptor_t reduceTensorDesc,
                                                         const cudnnTensorDescriptor_t aDesc, const cudnnTensorDescriptor_t cDesc,
                                                         size_t *sizeInBytes) {
    const char *function = "cudnnGetReductionIndicesSize";
    REQUIRE_HANDLE(function);
    reduce_shapes s;
    CHECK(reduce_shapes_of(function, reduceTensorDesc, aDesc, cDesc, &s));
    if (sizeInBytes == NULL) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "sizeInBytes is NULL");
    }
    *sizeInBytes = s.indices;
    return CUDNN_STATUS_SUCCESS;
}

/*
 * cuDNN, cudnnReduceTensor: C = alpha*reduce(A) + beta*C over the dimensions where C is 1; workspace and indices
 * must be at least the queried sizes (BAD_PARAM). Indices are flattened row-major within each reduced block.
 */
STANDIN_EXPORT cudnnStatus_t cudnnReduceTensor(cudnnHandle_t handle, const cudnnReduceTensorDescriptor_t reduceTensorDesc,
                                              void *indices, size_t indicesSizeInBytes, void *workspace,
                                              size_t workspaceSizeInBytes, const void *alpha,
                                              const cudnnTensorDescriptor_t aDesc, const void *A, const void *beta,
                                              const cudnnTensorDescriptor_t cDesc, void *C) {
    const char *function = "cudnnReduceTensor";
    REQUIRE_HANDLE(function);
    reduce_shapes s;
    float alpha_value = 0.0f, beta_value = 0.0f;
    CHECK(reduce_shapes_of(function, reduceTensorDesc, aDesc, cDesc, &s));
    CHECK(check_workspace(function, workspace, workspaceSizeInBytes, s.workspace));
    if (indicesSizeInBytes < s.indices || (s.indices > 0 && indices == NULL)) {
        return fail(CUDNN_STATUS_BAD_PARAM, function, "indices need %zu bytes, got %zu", s.indices, indicesSizeInBytes);
    }
    if (s.indices > 0) {
        CHECK(check_data(function, "indices", indices, s.indices));
    }
    CHECK(scaling(function, alpha, beta, &alpha_value, &beta_value));
    CHECK(check_data(function, "A", A, extent_bytes(&s.a)));
    CHECK(check_data(function, "C", C, extent_bytes(&s.c)));
    scribble(workspace, s.workspace);
    const float *in = A;
    float *out = C;
    int *index_out = indices;
    /* The block of A reduced into one element of C: a dimension where C is 1 (and A is not) is reduced. */
    int bn = s.c.n == 1 ? s.a.n : 1, bc = s.c.c == 1 ? s.a.c : 1, bh = s.c.h == 1 ? s.a.h : 1, bw = s.c.w == 1 ? s.a.w : 1;
    cudnnReduceTensorOp_t op = s.r->op;
    long out_index = 0;
    for (int n = 0; n < s.c.n; n++)
        for (int c = 0; c < s.c.c; c++)
            for (int h = 0; h < s.c.h; h++)
                for (int w = 0; w < s.c.w; w++, out_index++) {
                    double acc = op == CUDNN_REDUCE_TENSOR_MUL || op == CUDNN_REDUCE_TENSOR_MUL_NO_ZEROS ? 1.0
                                 : op == CUDNN_REDUCE_TENSOR_MIN ? INFINITY
                                 : op == CUDNN_REDUCE_TENSOR_MAX ? -INFINITY : 0.0;
                    int best = 0, position = 0;
                    for (int i = 0; i < bn; i++)
                        for (int j = 0; j < bc; j++)
                            for (int k = 0; k < bh; k++)
                                for (int l = 0; l < bw; l++, position++) {
                                    double v = in[offset(&s.a, n + i, c + j, h + k, w + l)];
                                    switch (op) {
                                        case CUDNN_REDUCE_TENSOR_ADD:
                                        case CUDNN_REDUCE_TENSOR_AVG: acc += v; break;
                                        case CUDNN_REDUCE_TENSOR_MUL: acc *= v; break;
                                        case CUDNN_REDUCE_TENSOR_MUL_NO_ZEROS: acc *= v != 0.0 ? v : 1.0; break;
                                        case CUDNN_REDUCE_TENSOR_MIN: if (v < acc) { acc = v; best = position; } break;
                                        case CUDNN_REDUCE_TENSOR_MAX: if (v > acc) { acc = v; best = position; } break;
                                        case CUDNN_REDUCE_TENSOR_AMAX: if (fabs(v) > acc || position == 0) { acc = fabs(v); best = position; } break;
                                        case CUDNN_REDUCE_TENSOR_NORM1: acc += fabs(v); break;
                                        default: acc += v * v; break; /* NORM2 */
                                    }
                                }
                    if (op == CUDNN_REDUCE_TENSOR_AVG) {
                        acc /= (double) bn * bc * bh * bw;
                    } else if (op == CUDNN_REDUCE_TENSOR_NORM2) {
                        acc = sqrt(acc);
                    }
                    blend(&out[offset(&s.c, n, c, h, w)], (float) acc, alpha_value, beta_value);
                    if (s.indices > 0) {
                        index_out[out_index] = best;
                    }
                }
    return CUDNN_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ constants table */

static const isthmus_standin_constant CONSTANTS[] = {
#define STATUS_CONSTANT(status) STANDIN_CONSTANT(status),
    STATUS_CONSTANT(CUDNN_STATUS_SUCCESS)
    STATUS_CONSTANT(CUDNN_STATUS_NOT_INITIALIZED)
    STATUS_CONSTANT(CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH)
    STATUS_CONSTANT(CUDNN_STATUS_SERIALIZATION_VERSION_MISMATCH)
    STATUS_CONSTANT(CUDNN_STATUS_DEPRECATED)
    STATUS_CONSTANT(CUDNN_STATUS_LICENSE_ERROR)
    STATUS_CONSTANT(CUDNN_STATUS_RUNTIME_IN_PROGRESS)
    STATUS_CONSTANT(CUDNN_STATUS_RUNTIME_FP_OVERFLOW)
    STATUS_CONSTANT(CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED)
    STATUS_CONSTANT(CUDNN_STATUS_BAD_PARAM)
    STATUS_CONSTANT(CUDNN_STATUS_INVALID_VALUE)
    STATUS_CONSTANT(CUDNN_STATUS_BAD_PARAM_NULL_POINTER)
    STATUS_CONSTANT(CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER)
    STATUS_CONSTANT(CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED)
    STATUS_CONSTANT(CUDNN_STATUS_BAD_PARAM_OUT_OF_BOUND)
    STATUS_CONSTANT(CUDNN_STATUS_BAD_PARAM_SIZE_INSUFFICIENT)
    STATUS_CONSTANT(CUDNN_STATUS_BAD_PARAM_STREAM_MISMATCH)
    STATUS_CONSTANT(CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH)
    STATUS_CONSTANT(CUDNN_STATUS_BAD_PARAM_DUPLICATED_ENTRIES)
    STATUS_CONSTANT(CUDNN_STATUS_BAD_PARAM_ATTRIBUTE_TYPE)
    STATUS_CONSTANT(CUDNN_STATUS_BAD_PARAM_CUDA_GRAPH_MISMATCH)
    STATUS_CONSTANT(CUDNN_STATUS_BAD_PARAM_DESCRIPTOR_TYPE)
    STATUS_CONSTANT(CUDNN_STATUS_NOT_SUPPORTED)
    STATUS_CONSTANT(CUDNN_STATUS_NOT_SUPPORTED_GRAPH_PATTERN)
    STATUS_CONSTANT(CUDNN_STATUS_NOT_SUPPORTED_SHAPE)
    STATUS_CONSTANT(CUDNN_STATUS_NOT_SUPPORTED_DATA_TYPE)
    STATUS_CONSTANT(CUDNN_STATUS_NOT_SUPPORTED_LAYOUT)
    STATUS_CONSTANT(CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDA_DRIVER)
    STATUS_CONSTANT(CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDART)
    STATUS_CONSTANT(CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH)
    STATUS_CONSTANT(CUDNN_STATUS_NOT_SUPPORTED_RUNTIME_PREREQUISITE_MISSING)
    STATUS_CONSTANT(CUDNN_STATUS_NOT_SUPPORTED_SUBLIBRARY_UNAVAILABLE)
    STATUS_CONSTANT(CUDNN_STATUS_NOT_SUPPORTED_SHARED_MEMORY_INSUFFICIENT)
    STATUS_CONSTANT(CUDNN_STATUS_NOT_SUPPORTED_PADDING)
    STATUS_CONSTANT(CUDNN_STATUS_NOT_SUPPORTED_BAD_LAUNCH_PARAM)
    STATUS_CONSTANT(CUDNN_STATUS_NOT_SUPPORTED_CUDA_GRAPH_NATIVE_API)
    STATUS_CONSTANT(CUDNN_STATUS_INTERNAL_ERROR)
    STATUS_CONSTANT(CUDNN_STATUS_INTERNAL_ERROR_COMPILATION_FAILED)
    STATUS_CONSTANT(CUDNN_STATUS_INTERNAL_ERROR_UNEXPECTED_VALUE)
    STATUS_CONSTANT(CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED)
    STATUS_CONSTANT(CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED)
    STATUS_CONSTANT(CUDNN_STATUS_INTERNAL_ERROR_BAD_LAUNCH_PARAM)
    STATUS_CONSTANT(CUDNN_STATUS_INTERNAL_ERROR_TEXTURE_CREATION_FAILED)
    STATUS_CONSTANT(CUDNN_STATUS_EXECUTION_FAILED)
    STATUS_CONSTANT(CUDNN_STATUS_EXECUTION_FAILED_CUDA_DRIVER)
    STATUS_CONSTANT(CUDNN_STATUS_EXECUTION_FAILED_CUBLAS)
    STATUS_CONSTANT(CUDNN_STATUS_EXECUTION_FAILED_CUDART)
    STATUS_CONSTANT(CUDNN_STATUS_EXECUTION_FAILED_CURAND)
    STATUS_CONSTANT(CUDNN_STATUS_ALLOC_FAILED)
    STATUS_CONSTANT(CUDNN_STATUS_ARCH_MISMATCH)
    STATUS_CONSTANT(CUDNN_STATUS_MAPPING_ERROR)
    STATUS_CONSTANT(CUDNN_STATUS_RUNTIME_PREREQUISITE_MISSING)
    STATUS_CONSTANT(CUDNN_STATUS_VERSION_MISMATCH)
#undef STATUS_CONSTANT
    STANDIN_CONSTANT(CUDNN_DATA_FLOAT),
    STANDIN_CONSTANT(CUDNN_DATA_DOUBLE),
    STANDIN_CONSTANT(CUDNN_DATA_HALF),
    STANDIN_CONSTANT(CUDNN_DATA_INT8),
    STANDIN_CONSTANT(CUDNN_DATA_INT32),
    STANDIN_CONSTANT(CUDNN_DATA_BFLOAT16),
    STANDIN_CONSTANT(CUDNN_DATA_UINT32),
    STANDIN_CONSTANT(CUDNN_DEFAULT_MATH),
    STANDIN_CONSTANT(CUDNN_TENSOR_OP_MATH),
    STANDIN_CONSTANT(CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION),
    STANDIN_CONSTANT(CUDNN_FMA_MATH),
    STANDIN_CONSTANT(CUDNN_NOT_PROPAGATE_NAN),
    STANDIN_CONSTANT(CUDNN_PROPAGATE_NAN),
    STANDIN_CONSTANT(CUDNN_NON_DETERMINISTIC),
    STANDIN_CONSTANT(CUDNN_DETERMINISTIC),
    STANDIN_CONSTANT(CUDNN_TENSOR_NCHW),
    STANDIN_CONSTANT(CUDNN_TENSOR_NHWC),
    STANDIN_CONSTANT(CUDNN_TENSOR_NCHW_VECT_C),
    STANDIN_CONSTANT(CUDNN_OP_TENSOR_ADD),
    STANDIN_CONSTANT(CUDNN_OP_TENSOR_MUL),
    STANDIN_CONSTANT(CUDNN_OP_TENSOR_MIN),
    STANDIN_CONSTANT(CUDNN_OP_TENSOR_MAX),
    STANDIN_CONSTANT(CUDNN_OP_TENSOR_SQRT),
    STANDIN_CONSTANT(CUDNN_OP_TENSOR_NOT),
    STANDIN_CONSTANT(CUDNN_REDUCE_TENSOR_ADD),
    STANDIN_CONSTANT(CUDNN_REDUCE_TENSOR_MUL),
    STANDIN_CONSTANT(CUDNN_REDUCE_TENSOR_MIN),
    STANDIN_CONSTANT(CUDNN_REDUCE_TENSOR_MAX),
    STANDIN_CONSTANT(CUDNN_REDUCE_TENSOR_AMAX),
    STANDIN_CONSTANT(CUDNN_REDUCE_TENSOR_AVG),
    STANDIN_CONSTANT(CUDNN_REDUCE_TENSOR_NORM1),
    STANDIN_CONSTANT(CUDNN_REDUCE_TENSOR_NORM2),
    STANDIN_CONSTANT(CUDNN_REDUCE_TENSOR_MUL_NO_ZEROS),
    STANDIN_CONSTANT(CUDNN_REDUCE_TENSOR_NO_INDICES),
    STANDIN_CONSTANT(CUDNN_REDUCE_TENSOR_FLATTENED_INDICES),
    STANDIN_CONSTANT(CUDNN_32BIT_INDICES),
    STANDIN_CONSTANT(CUDNN_64BIT_INDICES),
    STANDIN_CONSTANT(CUDNN_16BIT_INDICES),
    STANDIN_CONSTANT(CUDNN_8BIT_INDICES),
    STANDIN_CONSTANT(CUDNN_SOFTMAX_FAST),
    STANDIN_CONSTANT(CUDNN_SOFTMAX_ACCURATE),
    STANDIN_CONSTANT(CUDNN_SOFTMAX_LOG),
    STANDIN_CONSTANT(CUDNN_SOFTMAX_MODE_INSTANCE),
    STANDIN_CONSTANT(CUDNN_SOFTMAX_MODE_CHANNEL),
    STANDIN_CONSTANT(CUDNN_POOLING_MAX),
    STANDIN_CONSTANT(CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING),
    STANDIN_CONSTANT(CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING),
    STANDIN_CONSTANT(CUDNN_POOLING_MAX_DETERMINISTIC),
    STANDIN_CONSTANT(CUDNN_ACTIVATION_SIGMOID),
    STANDIN_CONSTANT(CUDNN_ACTIVATION_RELU),
    STANDIN_CONSTANT(CUDNN_ACTIVATION_TANH),
    STANDIN_CONSTANT(CUDNN_ACTIVATION_CLIPPED_RELU),
    STANDIN_CONSTANT(CUDNN_ACTIVATION_ELU),
    STANDIN_CONSTANT(CUDNN_ACTIVATION_IDENTITY),
    STANDIN_CONSTANT(CUDNN_ACTIVATION_SWISH),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION),
    STANDIN_CONSTANT(CUDNN_CROSS_CORRELATION),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_FWD_ALGO_GEMM),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_FWD_ALGO_DIRECT),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_FWD_ALGO_FFT),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_FWD_ALGO_COUNT),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_BWD_DATA_ALGO_0),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_BWD_DATA_ALGO_1),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED),
    STANDIN_CONSTANT(CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT),
    STANDIN_CONSTANT(MAJOR_VERSION),
    STANDIN_CONSTANT(MINOR_VERSION),
    STANDIN_CONSTANT(PATCH_LEVEL),
    STANDIN_CONSTANT(CUDNN_MAJOR),
    STANDIN_CONSTANT(CUDNN_MINOR),
    STANDIN_CONSTANT(CUDNN_PATCHLEVEL),
    STANDIN_CONSTANT(CUDNN_VERSION),
    { "sizeof(cudnnConvolutionFwdAlgoPerf_t)", (long long) sizeof(cudnnConvolutionFwdAlgoPerf_t) },
    { "offsetof(cudnnConvolutionFwdAlgoPerf_t.memory)", (long long) offsetof(cudnnConvolutionFwdAlgoPerf_t, memory) },
    { "offsetof(cudnnConvolutionFwdAlgoPerf_t.determinism)", (long long) offsetof(cudnnConvolutionFwdAlgoPerf_t, determinism) },
    { NULL, 0 }
};

/* Stand-in control: the enum values and layout facts this library uses, ending with a NULL name. */
STANDIN_EXPORT const isthmus_standin_constant *isthmusStandinCudnnConstants(void) {
    return CONSTANTS;
}
