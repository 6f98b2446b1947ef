/*
 * CPU stand-in for the cuBLAS 13.0 subset Isthmus calls (TEST-ONLY, see docs/cuda-standin.md).
 * Matrices are column-major, as in cuBLAS; work runs synchronously on the calling thread. Every
 * matrix and vector argument is checked to lie inside a live cudaMalloc allocation when the
 * stand-in runtime is loaded. Rules cited as "cuBLAS, f: ..." come from the cuBLAS documentation.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "standin.h"

enum { KIND_CUBLAS_HANDLE = 0x43424c53 };

struct cublasContext {
    standin_object header;
    cudaStream_t stream;
    cublasPointerMode_t pointer_mode;
    cublasMath_t math_mode;
    void *workspace; /* cublasSetWorkspace: the user's workspace, or NULL */
    size_t workspace_bytes;
};

static standin_registry handles = STANDIN_REGISTRY_INIT;
static _Thread_local char error_detail[512];
static _Thread_local cudaStream_t current_stream; /* the stream of the handle the current call runs on */

static cublasStatus_t fail(cublasStatus_t status, const char *function, const char *detail) {
    snprintf(error_detail, sizeof error_detail, "%s: %s", function, detail);
    return status;
}

static struct cublasContext *live_handle(cublasHandle_t handle) {
    return standin_registry_get(&handles, handle, KIND_CUBLAS_HANDLE);
}

static int valid_operation(cublasOperation_t op) {
    return op == CUBLAS_OP_N || op == CUBLAS_OP_T || op == CUBLAS_OP_C;
}

static int max1(int value) {
    return value > 1 ? value : 1;
}

/* Bytes spanned by a rows x cols column-major matrix with leading dimension ld. */
static size_t matrix_bytes(int rows, int cols, int ld) {
    return rows <= 0 || cols <= 0 ? 0 : ((size_t) (cols - 1) * (size_t) ld + (size_t) rows) * sizeof(float);
}

/* Bytes spanned by an n-element vector with increment inc (BLAS: a negative inc walks from the end). */
static size_t vector_bytes(int n, int inc) {
    size_t step = (size_t) (inc < 0 ? -(long) inc : inc);
    return n <= 0 ? 0 : ((size_t) (n - 1) * step + 1) * sizeof(float);
}

/* Position of element i of an n-element vector with increment inc. */
static long vector_index(int i, int n, int inc) {
    return inc >= 0 ? (long) i * inc : (long) (n - 1 - i) * -(long) inc;
}

static cublasStatus_t check_device(const char *function, const char *name, const void *p, size_t bytes) {
    if (bytes == 0) {
        return CUBLAS_STATUS_SUCCESS;
    }
    if (p == NULL || !standin_use_device_range(p, bytes, current_stream)) {
        char detail[200];
        snprintf(detail, sizeof detail, "%s (%zu bytes) is not inside a live cudaMalloc allocation", name, bytes);
        /* On a GPU this is an illegal address inside the kernel; the stand-in reports it at the call. */
        return fail(CUBLAS_STATUS_EXECUTION_FAILED, function, detail);
    }
    return CUBLAS_STATUS_SUCCESS;
}

/* cuBLAS, pointer mode: scalars are read from host memory, or from device memory in CUBLAS_POINTER_MODE_DEVICE. */
static cublasStatus_t read_scalar(const struct cublasContext *h, const char *function, const char *name,
                                  const float *p, float *value) {
    if (p == NULL) {
        char detail[96];
        snprintf(detail, sizeof detail, "%s is NULL", name);
        return fail(CUBLAS_STATUS_INVALID_VALUE, function, detail);
    }
    if (h->pointer_mode == CUBLAS_POINTER_MODE_DEVICE) {
        cublasStatus_t status = check_device(function, name, p, sizeof(float));
        if (status != CUBLAS_STATUS_SUCCESS) {
            return status;
        }
    }
    *value = *p;
    return CUBLAS_STATUS_SUCCESS;
}

#define REQUIRE_HANDLE(function)                                                                   \
    struct cublasContext *h = live_handle(handle);                                                 \
    if (h == NULL) {                                                                               \
        return fail(CUBLAS_STATUS_NOT_INITIALIZED, function, "handle is NULL, destroyed or never created"); \
    }                                                                                              \
    current_stream = h->stream

#define CHECK(call)                                                                                \
    do {                                                                                           \
        cublasStatus_t checked_ = (call);                                                          \
        if (checked_ != CUBLAS_STATUS_SUCCESS) {                                                   \
            return checked_;                                                                       \
        }                                                                                          \
    } while (0)

/*
 * Graph capture (docs/cuda-standin.md): on a capturing stream a call is checked as usual, then recorded
 * instead of run; launching the graph runs the recorded call. A scalar is kept by value in
 * CUBLAS_POINTER_MODE_HOST (cuBLAS reads it when the call is made) and by address in device mode.
 */
typedef struct {
    cublasPointerMode_t mode;
    float value;
    const float *device;
} recorded_scalar;

static recorded_scalar record_scalar(const struct cublasContext *h, const float *p) {
    recorded_scalar scalar = { h->pointer_mode, 0.0f, p };
    if (h->pointer_mode == CUBLAS_POINTER_MODE_HOST && p != NULL) {
        scalar.value = *p;
    }
    return scalar;
}

static const float *scalar_pointer(const recorded_scalar *scalar) {
    return scalar->mode == CUBLAS_POINTER_MODE_HOST ? &scalar->value : scalar->device;
}

/* Runs a recorded call with the pointer mode it was recorded in; a handle destroyed since runs nothing. */
#define REPLAY_WITH_MODE(call_handle, mode, statement)                                             \
    do {                                                                                           \
        struct cublasContext *replayed_ = live_handle(call_handle);                                \
        if (replayed_ != NULL) {                                                                   \
            cublasPointerMode_t saved_ = replayed_->pointer_mode;                                  \
            replayed_->pointer_mode = (mode);                                                      \
            statement;                                                                             \
            replayed_->pointer_mode = saved_;                                                      \
        }                                                                                          \
    } while (0)

#define RECORD_WHEN_CAPTURING(function, name, ...)                                                 \
    do {                                                                                           \
        name##_call call_ = { __VA_ARGS__ };                                                       \
        int recorded_ = standin_capture_work(current_stream, replay_##name, &call_, sizeof call_);  \
        if (recorded_ != 0) {                                                                      \
            return recorded_ > 0 ? CUBLAS_STATUS_SUCCESS                                           \
                                 : fail(CUBLAS_STATUS_EXECUTION_FAILED, function,                 \
                                        "the stream's capture was invalidated earlier; nothing recorded"); \
        }                                                                                          \
    } while (0)

/* ------------------------------------------------------------------ stand-in controls */

/* Stand-in control: number of cuBLAS handles created and not destroyed. */
STANDIN_EXPORT size_t isthmusStandinLiveCublasHandles(void) {
    return standin_registry_live(&handles);
}

/* Stand-in control: the calling thread's explanation of the last failed cuBLAS call. */
STANDIN_EXPORT const char *isthmusStandinCublasLastErrorDetail(void) {
    return error_detail;
}

/* ------------------------------------------------------------------ handle, stream, version, modes */

/* cuBLAS, cublasCreate: creates a handle with the NULL stream, host pointer mode and CUBLAS_DEFAULT_MATH. */
STANDIN_EXPORT cublasStatus_t cublasCreate_v2(cublasHandle_t *handle) {
    if (handle == NULL) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasCreate", "handle is NULL");
    }
    struct cublasContext *created = calloc(1, sizeof *created);
    if (created == NULL || !standin_registry_add(&handles, created)) {
        free(created);
        return fail(CUBLAS_STATUS_ALLOC_FAILED, "cublasCreate", "host memory exhausted");
    }
    created->header.kind = KIND_CUBLAS_HANDLE;
    created->pointer_mode = CUBLAS_POINTER_MODE_HOST;
    created->math_mode = CUBLAS_DEFAULT_MATH;
    *handle = created;
    return CUBLAS_STATUS_SUCCESS;
}

/* cuBLAS, cublasDestroy: releases the handle; a handle not live gives CUBLAS_STATUS_NOT_INITIALIZED. */
STANDIN_EXPORT cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) {
    if (!standin_registry_remove(&handles, handle)) {
        return fail(CUBLAS_STATUS_NOT_INITIALIZED, "cublasDestroy", "handle is NULL, destroyed or never created");
    }
    free(handle);
    return CUBLAS_STATUS_SUCCESS;
}

/* cuBLAS, cublasSetStream: later calls on the handle run on streamId (NULL: the default stream). */
STANDIN_EXPORT cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId) {
    REQUIRE_HANDLE("cublasSetStream");
    h->stream = streamId;
    return CUBLAS_STATUS_SUCCESS;
}

/* cuBLAS, cublasGetStream: stores the handle's stream. */
STANDIN_EXPORT cublasStatus_t cublasGetStream_v2(cublasHandle_t handle, cudaStream_t *streamId) {
    REQUIRE_HANDLE("cublasGetStream");
    if (streamId == NULL) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasGetStream", "streamId is NULL");
    }
    *streamId = h->stream;
    return CUBLAS_STATUS_SUCCESS;
}

/* cuBLAS, cublasGetVersion: stores CUBLAS_VERSION (major*10000 + minor*100 + patch). */
STANDIN_EXPORT cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int *version) {
    if (version == NULL) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasGetVersion", "version is NULL");
    }
    *version = CUBLAS_VERSION;
    return CUBLAS_STATUS_SUCCESS;
}

/* cuBLAS, cublasGetProperty: MAJOR_VERSION, MINOR_VERSION or PATCH_LEVEL of the library. */
STANDIN_EXPORT cublasStatus_t cublasGetProperty(libraryPropertyType type, int *value) {
    if (value == NULL) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasGetProperty", "value is NULL");
    }
    switch (type) {
        case MAJOR_VERSION: *value = CUBLAS_VER_MAJOR; return CUBLAS_STATUS_SUCCESS;
        case MINOR_VERSION: *value = CUBLAS_VER_MINOR; return CUBLAS_STATUS_SUCCESS;
        case PATCH_LEVEL: *value = CUBLAS_VER_PATCH; return CUBLAS_STATUS_SUCCESS;
        default: return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasGetProperty", "type is not a libraryPropertyType");
    }
}

/* cuBLAS, cublasSetMathMode: a cublasMath_t value, optionally OR'ed with CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION. */
STANDIN_EXPORT cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode) {
    REQUIRE_HANDLE("cublasSetMathMode");
    int base = mode & ~CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION;
    if (base < CUBLAS_DEFAULT_MATH || base > CUBLAS_FP32_EMULATED_BF16X9_MATH) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSetMathMode", "mode is not a cublasMath_t value");
    }
    h->math_mode = mode;
    return CUBLAS_STATUS_SUCCESS;
}

/* cuBLAS, cublasGetMathMode: stores the handle's math mode. */
STANDIN_EXPORT cublasStatus_t cublasGetMathMode(cublasHandle_t handle, cublasMath_t *mode) {
    REQUIRE_HANDLE("cublasGetMathMode");
    if (mode == NULL) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasGetMathMode", "mode is NULL");
    }
    *mode = h->math_mode;
    return CUBLAS_STATUS_SUCCESS;
}

/* cuBLAS, cublasSetPointerMode: scalars (alpha, beta, results) are host or device pointers. */
STANDIN_EXPORT cublasStatus_t cublasSetPointerMode_v2(cublasHandle_t handle, cublasPointerMode_t mode) {
    REQUIRE_HANDLE("cublasSetPointerMode");
    if (mode != CUBLAS_POINTER_MODE_HOST && mode != CUBLAS_POINTER_MODE_DEVICE) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSetPointerMode", "mode is not a cublasPointerMode_t value");
    }
    h->pointer_mode = mode;
    return CUBLAS_STATUS_SUCCESS;
}

/* cuBLAS, cublasGetPointerMode: stores the handle's pointer mode. */
STANDIN_EXPORT cublasStatus_t cublasGetPointerMode_v2(cublasHandle_t handle, cublasPointerMode_t *mode) {
    REQUIRE_HANDLE("cublasGetPointerMode");
    if (mode == NULL) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasGetPointerMode", "mode is NULL");
    }
    *mode = h->pointer_mode;
    return CUBLAS_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ status strings */

typedef struct {
    cublasStatus_t status;
    const char *name;
    const char *text;
} status_entry;

static const status_entry STATUSES[] = {
    { CUBLAS_STATUS_SUCCESS, "CUBLAS_STATUS_SUCCESS", "success" },
    { CUBLAS_STATUS_NOT_INITIALIZED, "CUBLAS_STATUS_NOT_INITIALIZED", "the library was not initialized" },
    { CUBLAS_STATUS_ALLOC_FAILED, "CUBLAS_STATUS_ALLOC_FAILED", "the resource allocation failed" },
    { CUBLAS_STATUS_INVALID_VALUE, "CUBLAS_STATUS_INVALID_VALUE", "an invalid numeric value was used as an argument" },
    { CUBLAS_STATUS_ARCH_MISMATCH, "CUBLAS_STATUS_ARCH_MISMATCH", "an absent device architectural feature is required" },
    { CUBLAS_STATUS_MAPPING_ERROR, "CUBLAS_STATUS_MAPPING_ERROR", "an access to GPU memory space failed" },
    { CUBLAS_STATUS_EXECUTION_FAILED, "CUBLAS_STATUS_EXECUTION_FAILED", "the GPU program failed to execute" },
    { CUBLAS_STATUS_INTERNAL_ERROR, "CUBLAS_STATUS_INTERNAL_ERROR", "an internal operation failed" },
    { CUBLAS_STATUS_NOT_SUPPORTED, "CUBLAS_STATUS_NOT_SUPPORTED", "the functionality requested is not supported" },
    { CUBLAS_STATUS_LICENSE_ERROR, "CUBLAS_STATUS_LICENSE_ERROR", "error detected trying to check the license" },
};

static const status_entry *find_status(cublasStatus_t status) {
    for (size_t i = 0; i < sizeof STATUSES / sizeof STATUSES[0]; i++) {
        if (STATUSES[i].status == status) {
            return &STATUSES[i];
        }
    }
    return NULL;
}

/* cuBLAS, cublasGetStatusString: a description of the status. */
STANDIN_EXPORT const char *cublasGetStatusString(cublasStatus_t status) {
    const status_entry *entry = find_status(status);
    return entry != NULL ? entry->text : "unknown error";
}

/* cuBLAS, cublasGetStatusName: the enum name of the status. */
STANDIN_EXPORT const char *cublasGetStatusName(cublasStatus_t status) {
    const status_entry *entry = find_status(status);
    return entry != NULL ? entry->name : "CUBLAS_STATUS_UNKNOWN";
}

/* ------------------------------------------------------------------ level 1 */

typedef struct {
    cublasHandle_t handle;
    int n;
    recorded_scalar alpha;
    const float *x;
    int incx;
    float *y;
    int incy;
} Saxpy_call;
static void replay_Saxpy(void *call);

/* cuBLAS, cublasSaxpy: y[i] = alpha*x[i] + y[i] for i < n; n <= 0 does nothing. */
STANDIN_EXPORT cublasStatus_t cublasSaxpy_v2(cublasHandle_t handle, int n, const float *alpha, const float *x, int incx,
                                            float *y, int incy) {
    REQUIRE_HANDLE("cublasSaxpy");
    float a = 0.0f;
    CHECK(read_scalar(h, "cublasSaxpy", "alpha", alpha, &a));
    if (n <= 0) {
        return CUBLAS_STATUS_SUCCESS;
    }
    CHECK(check_device("cublasSaxpy", "x", x, vector_bytes(n, incx)));
    CHECK(check_device("cublasSaxpy", "y", y, vector_bytes(n, incy)));
    RECORD_WHEN_CAPTURING("cublasSaxpy", Saxpy, handle, n, record_scalar(h, alpha), x, incx, y, incy);
    for (int i = 0; i < n; i++) {
        y[vector_index(i, n, incy)] += a * x[vector_index(i, n, incx)];
    }
    return CUBLAS_STATUS_SUCCESS;
}

static void replay_Saxpy(void *call) {
    const Saxpy_call *c = call;
    REPLAY_WITH_MODE(c->handle, c->alpha.mode, cublasSaxpy_v2(c->handle, c->n, scalar_pointer(&c->alpha), c->x, c->incx, c->y, c->incy));
}

typedef struct {
    cublasHandle_t handle;
    int n;
    recorded_scalar alpha;
    float *x;
    int incx;
} Sscal_call;
static void replay_Sscal(void *call);

/* cuBLAS, cublasSscal: x[i] = alpha*x[i] for i < n; n <= 0 or incx <= 0 does nothing. */
STANDIN_EXPORT cublasStatus_t cublasSscal_v2(cublasHandle_t handle, int n, const float *alpha, float *x, int incx) {
    REQUIRE_HANDLE("cublasSscal");
    float a = 0.0f;
    CHECK(read_scalar(h, "cublasSscal", "alpha", alpha, &a));
    if (n <= 0 || incx <= 0) {
        return CUBLAS_STATUS_SUCCESS;
    }
    CHECK(check_device("cublasSscal", "x", x, vector_bytes(n, incx)));
    RECORD_WHEN_CAPTURING("cublasSscal", Sscal, handle, n, record_scalar(h, alpha), x, incx);
    for (int i = 0; i < n; i++) {
        x[(long) i * incx] *= a;
    }
    return CUBLAS_STATUS_SUCCESS;
}

static void replay_Sscal(void *call) {
    const Sscal_call *c = call;
    REPLAY_WITH_MODE(c->handle, c->alpha.mode, cublasSscal_v2(c->handle, c->n, scalar_pointer(&c->alpha), c->x, c->incx));
}

typedef struct {
    cublasHandle_t handle;
    int n;
    const float *x;
    int incx;
    float *y;
    int incy;
} Scopy_call;
static void replay_Scopy(void *call);

/* cuBLAS, cublasScopy: y[i] = x[i] for i < n; n <= 0 does nothing. */
STANDIN_EXPORT cublasStatus_t cublasScopy_v2(cublasHandle_t handle, int n, const float *x, int incx, float *y, int incy) {
    REQUIRE_HANDLE("cublasScopy");
    if (n <= 0) {
        return CUBLAS_STATUS_SUCCESS;
    }
    CHECK(check_device("cublasScopy", "x", x, vector_bytes(n, incx)));
    CHECK(check_device("cublasScopy", "y", y, vector_bytes(n, incy)));
    RECORD_WHEN_CAPTURING("cublasScopy", Scopy, handle, n, x, incx, y, incy);
    for (int i = 0; i < n; i++) {
        y[vector_index(i, n, incy)] = x[vector_index(i, n, incx)];
    }
    return CUBLAS_STATUS_SUCCESS;
}

static void replay_Scopy(void *call) {
    const Scopy_call *c = call;
    cublasScopy_v2(c->handle, c->n, c->x, c->incx, c->y, c->incy);
}

static void run_nothing(void *call) {
    (void) call;
}

typedef struct {
    cublasHandle_t handle;
    int n;
    const float *x;
    int incx;
    const float *y;
    int incy;
    float *result;
} Sdot_call;
static void replay_Sdot(void *call);

/* cuBLAS, cublasSdot: *result = sum x[i]*y[i] (0 when n <= 0); result is host or device memory per pointer mode. */
STANDIN_EXPORT cublasStatus_t cublasSdot_v2(cublasHandle_t handle, int n, const float *x, int incx, const float *y, int incy,
                                           float *result) {
    REQUIRE_HANDLE("cublasSdot");
    if (result == NULL) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSdot", "result is NULL");
    }
    if (h->pointer_mode == CUBLAS_POINTER_MODE_DEVICE) {
        CHECK(check_device("cublasSdot", "result", result, sizeof(float)));
    }
    if (n > 0) {
        CHECK(check_device("cublasSdot", "x", x, vector_bytes(n, incx)));
        CHECK(check_device("cublasSdot", "y", y, vector_bytes(n, incy)));
    }
    if (h->pointer_mode == CUBLAS_POINTER_MODE_DEVICE) {
        RECORD_WHEN_CAPTURING("cublasSdot", Sdot, handle, n, x, incx, y, incy, result);
    } else if (standin_capture_work(current_stream, run_nothing, NULL, 0) % 2 != 0) { /* 1 recorded, -1 invalidated */
        /* A host result needs the host to wait for the stream, which a capturing stream cannot do. */
        return fail(CUBLAS_STATUS_NOT_SUPPORTED, "cublasSdot", "a host-memory result cannot be produced during graph capture (use CUBLAS_POINTER_MODE_DEVICE)");
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
        sum += (double) x[vector_index(i, n, incx)] * y[vector_index(i, n, incy)];
    }
    *result = (float) sum;
    return CUBLAS_STATUS_SUCCESS;
}

static void replay_Sdot(void *call) {
    const Sdot_call *c = call;
    REPLAY_WITH_MODE(c->handle, CUBLAS_POINTER_MODE_DEVICE, cublasSdot_v2(c->handle, c->n, c->x, c->incx, c->y, c->incy, c->result));
}

/* ------------------------------------------------------------------ level 2 */

typedef struct {
    cublasHandle_t handle;
    cublasOperation_t trans;
    int m, n;
    recorded_scalar alpha;
    const float *A;
    int lda;
    const float *x;
    int incx;
    recorded_scalar beta;
    float *y;
    int incy;
} Sgemv_call;
static void replay_Sgemv(void *call);

/* cuBLAS, cublasSgemv: y = alpha*op(A)*x + beta*y, A m x n column-major; INVALID_VALUE if m,n < 0, incx or incy == 0, lda < max(1,m). */
STANDIN_EXPORT cublasStatus_t cublasSgemv_v2(cublasHandle_t handle, cublasOperation_t trans, int m, int n, const float *alpha,
                                            const float *A, int lda, const float *x, int incx, const float *beta, float *y,
                                            int incy) {
    REQUIRE_HANDLE("cublasSgemv");
    if (!valid_operation(trans)) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSgemv", "trans is not a cublasOperation_t value");
    }
    if (m < 0 || n < 0 || incx == 0 || incy == 0 || lda < max1(m)) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSgemv", "m, n < 0, incx or incy == 0, or lda < max(1, m)");
    }
    float a = 0.0f, b = 0.0f;
    CHECK(read_scalar(h, "cublasSgemv", "alpha", alpha, &a));
    CHECK(read_scalar(h, "cublasSgemv", "beta", beta, &b));
    if (m == 0 || n == 0) {
        return CUBLAS_STATUS_SUCCESS;
    }
    int x_length = trans == CUBLAS_OP_N ? n : m;
    int y_length = trans == CUBLAS_OP_N ? m : n;
    CHECK(check_device("cublasSgemv", "A", A, matrix_bytes(m, n, lda)));
    CHECK(check_device("cublasSgemv", "x", x, vector_bytes(x_length, incx)));
    CHECK(check_device("cublasSgemv", "y", y, vector_bytes(y_length, incy)));
    RECORD_WHEN_CAPTURING("cublasSgemv", Sgemv, handle, trans, m, n, record_scalar(h, alpha), A, lda, x, incx,
                          record_scalar(h, beta), y, incy);
    for (int i = 0; i < y_length; i++) {
        float sum = 0;
        for (int p = 0; p < x_length; p++) {
            float element = trans == CUBLAS_OP_N ? A[i + (long) p * lda] : A[p + (long) i * lda];
            sum += element * x[vector_index(p, x_length, incx)];
        }
        float *target = &y[vector_index(i, y_length, incy)];
        *target = b == 0.0f ? a * sum : a * sum + b * *target; /* beta == 0: y is not read */
    }
    return CUBLAS_STATUS_SUCCESS;
}

static void replay_Sgemv(void *call) {
    const Sgemv_call *c = call;
    REPLAY_WITH_MODE(c->handle, c->alpha.mode,
                     cublasSgemv_v2(c->handle, c->trans, c->m, c->n, scalar_pointer(&c->alpha), c->A, c->lda, c->x, c->incx,
                                    scalar_pointer(&c->beta), c->y, c->incy));
}

typedef struct {
    cublasHandle_t handle;
    cublasFillMode_t uplo;
    cublasOperation_t trans;
    cublasDiagType_t diag;
    int n, k;
    const float *A;
    int lda;
    float *x;
    int incx;
} Stbsv_call;
static void replay_Stbsv(void *call);

/* Element (row i, column j) of a band matrix with k off-diagonals stored column-major in band form. */
static inline float band_element(const float *A, int lda, cublasFillMode_t uplo, int k, int i, int j) {
    return uplo == CUBLAS_FILL_MODE_UPPER ? A[(long) (k + i - j) + (long) j * lda] : A[(long) (i - j) + (long) j * lda];
}

/*
 * cuBLAS, cublasStbsv: solves op(A)·x = b in place (x holds b on entry), A an n x n triangular band matrix with
 * k sub- or super-diagonals in band storage; INVALID_VALUE if uplo, trans or diag is not one of its enum's
 * values, n < 0, k < 0, lda < 1 + k or incx == 0. No test for singularity (BLAS): a zero diagonal divides by
 * zero. With k = 0 it is the elementwise quotient x[i] / A[i·lda].
 */
STANDIN_EXPORT cublasStatus_t cublasStbsv_v2(cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans,
                                            cublasDiagType_t diag, int n, int k, const float *A, int lda, float *x, int incx) {
    REQUIRE_HANDLE("cublasStbsv");
    if (uplo != CUBLAS_FILL_MODE_LOWER && uplo != CUBLAS_FILL_MODE_UPPER) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasStbsv", "uplo is not a cublasFillMode_t value");
    }
    if (!valid_operation(trans)) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasStbsv", "trans is not a cublasOperation_t value");
    }
    if (diag != CUBLAS_DIAG_NON_UNIT && diag != CUBLAS_DIAG_UNIT) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasStbsv", "diag is not a cublasDiagType_t value");
    }
    if (n < 0 || k < 0 || lda < 1 + k || incx == 0) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasStbsv", "n < 0, k < 0, lda < 1 + k or incx == 0");
    }
    if (n == 0) {
        return CUBLAS_STATUS_SUCCESS;
    }
    CHECK(check_device("cublasStbsv", "A", A, matrix_bytes(k + 1, n, lda)));
    CHECK(check_device("cublasStbsv", "x", x, vector_bytes(n, incx)));
    RECORD_WHEN_CAPTURING("cublasStbsv", Stbsv, handle, uplo, trans, diag, n, k, A, lda, x, incx);
    int unit = diag == CUBLAS_DIAG_UNIT;
    /* Forward substitution for lower·x and upperᵀ·x (row i needs the rows before it), backward otherwise. */
    int forward = (uplo == CUBLAS_FILL_MODE_LOWER) == (trans == CUBLAS_OP_N);
    for (int step = 0; step < n; step++) {
        int i = forward ? step : n - 1 - step;
        float value = x[vector_index(i, n, incx)];
        int first = forward ? (i - k > 0 ? i - k : 0) : i + 1;
        int last = forward ? i - 1 : (i + k < n - 1 ? i + k : n - 1);
        for (int j = first; j <= last; j++) {
            /* op(A)(i, j): A(i, j) without transposition, A(j, i) with it. */
            float element = trans == CUBLAS_OP_N ? band_element(A, lda, uplo, k, i, j) : band_element(A, lda, uplo, k, j, i);
            value -= element * x[vector_index(j, n, incx)];
        }
        x[vector_index(i, n, incx)] = unit ? value : value / band_element(A, lda, uplo, k, i, i);
    }
    return CUBLAS_STATUS_SUCCESS;
}

static void replay_Stbsv(void *call) {
    const Stbsv_call *c = call;
    cublasStbsv_v2(c->handle, c->uplo, c->trans, c->diag, c->n, c->k, c->A, c->lda, c->x, c->incx);
}

/* ------------------------------------------------------------------ level 3 */

/* Element (i, p) of op(M) where op(M) has `rows` rows. */
static inline float op_element(const float *M, int ld, cublasOperation_t op, int i, int p) {
    return op == CUBLAS_OP_N ? M[i + (long) p * ld] : M[p + (long) i * ld];
}

/* C = alpha*op(A)*op(B) + beta*C for one matrix; arguments already validated. */
static void gemm_one(cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, float alpha, const float *A,
                     int lda, const float *B, int ldb, float beta, float *C, int ldc, float *column) {
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < m; i++) {
            column[i] = 0.0f;
        }
        if (alpha != 0.0f) {
            if (transa == CUBLAS_OP_N) {
                for (int p = 0; p < k; p++) {
                    float bpj = op_element(B, ldb, transb, p, j);
                    const float *a_column = A + (long) p * lda;
                    for (int i = 0; i < m; i++) {
                        column[i] += a_column[i] * bpj;
                    }
                }
            } else {
                for (int i = 0; i < m; i++) {
                    const float *a_row = A + (long) i * lda; /* column i of A = row i of op(A) */
                    float sum = 0.0f;
                    for (int p = 0; p < k; p++) {
                        sum += a_row[p] * op_element(B, ldb, transb, p, j);
                    }
                    column[i] = sum;
                }
            }
        }
        float *c_column = C + (long) j * ldc;
        for (int i = 0; i < m; i++) {
            c_column[i] = beta == 0.0f ? alpha * column[i] : alpha * column[i] + beta * c_column[i]; /* beta == 0: C is not read */
        }
    }
}

/* cuBLAS, cublas<t>gemm argument rules: INVALID_VALUE if m,n,k < 0, bad trans, lda < max(1, transa==N ? m : k), ldb < max(1, transb==N ? k : n), ldc < max(1, m). */
static cublasStatus_t check_gemm(const char *function, cublasOperation_t transa, cublasOperation_t transb, int m, int n,
                                 int k, int lda, int ldb, int ldc) {
    if (!valid_operation(transa) || !valid_operation(transb)) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, function, "transa or transb is not a cublasOperation_t value");
    }
    if (m < 0 || n < 0 || k < 0) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, function, "m, n or k is negative");
    }
    char detail[160];
    if (lda < max1(transa == CUBLAS_OP_N ? m : k)) {
        snprintf(detail, sizeof detail, "lda %d < max(1, %s) = %d", lda, transa == CUBLAS_OP_N ? "m" : "k",
                 max1(transa == CUBLAS_OP_N ? m : k));
        return fail(CUBLAS_STATUS_INVALID_VALUE, function, detail);
    }
    if (ldb < max1(transb == CUBLAS_OP_N ? k : n)) {
        snprintf(detail, sizeof detail, "ldb %d < max(1, %s) = %d", ldb, transb == CUBLAS_OP_N ? "k" : "n",
                 max1(transb == CUBLAS_OP_N ? k : n));
        return fail(CUBLAS_STATUS_INVALID_VALUE, function, detail);
    }
    if (ldc < max1(m)) {
        snprintf(detail, sizeof detail, "ldc %d < max(1, m) = %d", ldc, max1(m));
        return fail(CUBLAS_STATUS_INVALID_VALUE, function, detail);
    }
    return CUBLAS_STATUS_SUCCESS;
}

typedef struct {
    const char *function;
    cublasHandle_t handle;
    cublasOperation_t transa, transb;
    int m, n, k;
    recorded_scalar alpha;
    const float *A;
    int lda;
    long long strideA;
    const float *B;
    int ldb;
    long long strideB;
    recorded_scalar beta;
    float *C;
    int ldc;
    long long strideC;
    int batchCount;
} Gemm_call;
static void replay_Gemm(void *call);

static cublasStatus_t gemm_batched(const char *function, struct cublasContext *h, cublasOperation_t transa,
                                   cublasOperation_t transb, int m, int n, int k, const float *alpha, const float *A, int lda,
                                   long long strideA, const float *B, int ldb, long long strideB, const float *beta,
                                   float *C, int ldc, long long strideC, int batchCount) {
    CHECK(check_gemm(function, transa, transb, m, n, k, lda, ldb, ldc));
    if (batchCount < 0) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, function, "batchCount is negative");
    }
    float a = 0.0f, b = 0.0f;
    CHECK(read_scalar(h, function, "alpha", alpha, &a));
    CHECK(read_scalar(h, function, "beta", beta, &b));
    /* cuBLAS, gemm: quick return when m or n is 0, or when (k == 0 or alpha == 0) and beta == 1. */
    if (m == 0 || n == 0 || batchCount == 0 || ((k == 0 || a == 0.0f) && b == 1.0f)) {
        return CUBLAS_STATUS_SUCCESS;
    }
    int reads_inputs = k > 0 && a != 0.0f;
    for (int batch = 0; batch < batchCount; batch++) {
        const float *Ab = A + batch * strideA, *Bb = B + batch * strideB;
        float *Cb = C + batch * strideC;
        if (reads_inputs) {
            CHECK(check_device(function, "A", Ab, transa == CUBLAS_OP_N ? matrix_bytes(m, k, lda) : matrix_bytes(k, m, lda)));
            CHECK(check_device(function, "B", Bb, transb == CUBLAS_OP_N ? matrix_bytes(k, n, ldb) : matrix_bytes(n, k, ldb)));
        }
        CHECK(check_device(function, "C", Cb, matrix_bytes(m, n, ldc)));
    }
    RECORD_WHEN_CAPTURING(function, Gemm, function, (cublasHandle_t) h, transa, transb, m, n, k, record_scalar(h, alpha), A, lda,
                          strideA, B, ldb, strideB, record_scalar(h, beta), C, ldc, strideC, batchCount);
    float *column = malloc((size_t) m * sizeof(float));
    if (column == NULL) {
        return fail(CUBLAS_STATUS_ALLOC_FAILED, function, "host memory exhausted");
    }
    for (int batch = 0; batch < batchCount; batch++) {
        gemm_one(transa, transb, m, n, reads_inputs ? k : 0, reads_inputs ? a : 0.0f, A + batch * strideA, lda,
                 B + batch * strideB, ldb, b, C + batch * strideC, ldc, column);
    }
    free(column);
    return CUBLAS_STATUS_SUCCESS;
}

static void replay_Gemm(void *call) {
    const Gemm_call *c = call;
    REPLAY_WITH_MODE(c->handle, c->alpha.mode,
                     gemm_batched(c->function, replayed_, c->transa, c->transb, c->m, c->n, c->k, scalar_pointer(&c->alpha), c->A,
                                  c->lda, c->strideA, c->B, c->ldb, c->strideB, scalar_pointer(&c->beta), c->C, c->ldc,
                                  c->strideC, c->batchCount));
}

/* cuBLAS, cublasSgemm: C = alpha*op(A)*op(B) + beta*C, column-major, op(A) m x k, op(B) k x n; beta == 0: C is not read. */
STANDIN_EXPORT cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m,
                                            int n, int k, const float *alpha, const float *A, int lda, const float *B, int ldb,
                                            const float *beta, float *C, int ldc) {
    REQUIRE_HANDLE("cublasSgemm");
    return gemm_batched("cublasSgemm", h, transa, transb, m, n, k, alpha, A, lda, 0, B, ldb, 0, beta, C, ldc, 0, 1);
}

/* cuBLAS, cublasSgemmStridedBatched: for i < batchCount, C+i*strideC = alpha*op(A+i*strideA)*op(B+i*strideB) + beta*(C+i*strideC). */
STANDIN_EXPORT cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa,
                                                       cublasOperation_t transb, int m, int n, int k, const float *alpha,
                                                       const float *A, int lda, long long strideA, const float *B, int ldb,
                                                       long long strideB, const float *beta, float *C, int ldc,
                                                       long long strideC, int batchCount) {
    REQUIRE_HANDLE("cublasSgemmStridedBatched");
    return gemm_batched("cublasSgemmStridedBatched", h, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB,
                        beta, C, ldc, strideC, batchCount);
}

/* cuBLAS, cublasGemmEx: gemm with typed operands; the stand-in computes FP32 (A, B, C CUDA_R_32F, CUBLAS_COMPUTE_32F*) and reports NOT_SUPPORTED otherwise. */
STANDIN_EXPORT cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m,
                                          int n, int k, const void *alpha, const void *A, cudaDataType Atype, int lda,
                                          const void *B, cudaDataType Btype, int ldb, const void *beta, void *C,
                                          cudaDataType Ctype, int ldc, cublasComputeType_t computeType,
                                          cublasGemmAlgo_t algo) {
    REQUIRE_HANDLE("cublasGemmEx");
    int algo_value = (int) algo;
    if (!(algo_value == CUBLAS_GEMM_DEFAULT || (algo_value >= CUBLAS_GEMM_ALGO0 && algo_value <= CUBLAS_GEMM_ALGO23)
          || (algo_value >= CUBLAS_GEMM_DEFAULT_TENSOR_OP && algo_value <= CUBLAS_GEMM_ALGO15_TENSOR_OP)
          || algo_value == 999 /* CUBLAS_GEMM_AUTOTUNE */)) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasGemmEx", "algo is not a cublasGemmAlgo_t value");
    }
    switch (computeType) {
        case CUBLAS_COMPUTE_32F:
        case CUBLAS_COMPUTE_32F_PEDANTIC:
        case CUBLAS_COMPUTE_32F_FAST_16F:
        case CUBLAS_COMPUTE_32F_FAST_16BF:
        case CUBLAS_COMPUTE_32F_FAST_TF32:
            break;
        default:
            return fail(CUBLAS_STATUS_NOT_SUPPORTED, "cublasGemmEx", "the stand-in computes only CUBLAS_COMPUTE_32F variants");
    }
    if (Atype != CUDA_R_32F || Btype != CUDA_R_32F || Ctype != CUDA_R_32F) {
        return fail(CUBLAS_STATUS_NOT_SUPPORTED, "cublasGemmEx", "the stand-in supports only CUDA_R_32F operands");
    }
    return gemm_batched("cublasGemmEx", h, transa, transb, m, n, k, alpha, A, lda, 0, B, ldb, 0, beta, C, ldc, 0, 1);
}

typedef struct {
    cublasHandle_t handle;
    cublasOperation_t transa, transb;
    int m, n;
    recorded_scalar alpha;
    const float *A;
    int lda;
    recorded_scalar beta;
    const float *B;
    int ldb;
    float *C;
    int ldc;
} Sgeam_call;
static void replay_Sgeam(void *call);

/* cuBLAS, cublasSgeam: C = alpha*op(A) + beta*op(B), m x n; in place only as C == A with transa N and lda == ldc (same for B). */
STANDIN_EXPORT cublasStatus_t cublasSgeam(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m,
                                         int n, const float *alpha, const float *A, int lda, const float *beta, const float *B,
                                         int ldb, float *C, int ldc) {
    REQUIRE_HANDLE("cublasSgeam");
    if (!valid_operation(transa) || !valid_operation(transb)) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSgeam", "transa or transb is not a cublasOperation_t value");
    }
    if (m < 0 || n < 0 || lda < max1(transa == CUBLAS_OP_N ? m : n) || ldb < max1(transb == CUBLAS_OP_N ? m : n)
        || ldc < max1(m)) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSgeam",
                    "m, n < 0, or lda/ldb < max(1, trans==N ? m : n), or ldc < max(1, m)");
    }
    if ((C == A && (transa != CUBLAS_OP_N || lda != ldc)) || (C == B && (transb != CUBLAS_OP_N || ldb != ldc))) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSgeam", "in-place geam needs trans N and the same leading dimension");
    }
    float a = 0.0f, b = 0.0f;
    CHECK(read_scalar(h, "cublasSgeam", "alpha", alpha, &a));
    CHECK(read_scalar(h, "cublasSgeam", "beta", beta, &b));
    if (m == 0 || n == 0) {
        return CUBLAS_STATUS_SUCCESS;
    }
    if (a != 0.0f) {
        CHECK(check_device("cublasSgeam", "A", A, transa == CUBLAS_OP_N ? matrix_bytes(m, n, lda) : matrix_bytes(n, m, lda)));
    }
    if (b != 0.0f) {
        CHECK(check_device("cublasSgeam", "B", B, transb == CUBLAS_OP_N ? matrix_bytes(m, n, ldb) : matrix_bytes(n, m, ldb)));
    }
    CHECK(check_device("cublasSgeam", "C", C, matrix_bytes(m, n, ldc)));
    RECORD_WHEN_CAPTURING("cublasSgeam", Sgeam, handle, transa, transb, m, n, record_scalar(h, alpha), A, lda,
                          record_scalar(h, beta), B, ldb, C, ldc);
    /* Transposing into a separate C: read everything first only matters in place, which needs trans N. */
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < m; i++) {
            float value = 0.0f;
            if (a != 0.0f) { /* alpha == 0: A is not read */
                value += a * op_element(A, lda, transa, i, j);
            }
            if (b != 0.0f) { /* beta == 0: B is not read */
                value += b * op_element(B, ldb, transb, i, j);
            }
            C[i + (long) j * ldc] = value;
        }
    }
    return CUBLAS_STATUS_SUCCESS;
}

static void replay_Sgeam(void *call) {
    const Sgeam_call *c = call;
    REPLAY_WITH_MODE(c->handle, c->alpha.mode,
                     cublasSgeam(c->handle, c->transa, c->transb, c->m, c->n, scalar_pointer(&c->alpha), c->A, c->lda,
                                 scalar_pointer(&c->beta), c->B, c->ldb, c->C, c->ldc));
}

/* ------------------------------------------------------------------ workspace */

/*
 * cuBLAS, cublasSetWorkspace: the handle uses the given device workspace instead of its own pool (needed for graph
 * capture, where cuBLAS may not allocate); the pointer must be 256-byte aligned; NULL with 0 bytes turns it off.
 */
STANDIN_EXPORT cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle, void *workspace, size_t workspaceSizeInBytes) {
    REQUIRE_HANDLE("cublasSetWorkspace");
    if (workspace == NULL && workspaceSizeInBytes > 0) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSetWorkspace", "workspace is NULL but workspaceSizeInBytes > 0");
    }
    if ((uintptr_t) workspace % 256 != 0) {
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSetWorkspace", "workspace must be aligned to 256 bytes");
    }
    if (workspace != NULL) {
        CHECK(check_device("cublasSetWorkspace", "workspace", workspace, workspaceSizeInBytes));
    }
    h->workspace = workspace;
    h->workspace_bytes = workspaceSizeInBytes;
    return CUBLAS_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ constants table */

static const isthmus_standin_constant CONSTANTS[] = {
    STANDIN_CONSTANT(CUBLAS_STATUS_SUCCESS),
    STANDIN_CONSTANT(CUBLAS_STATUS_NOT_INITIALIZED),
    STANDIN_CONSTANT(CUBLAS_STATUS_ALLOC_FAILED),
    STANDIN_CONSTANT(CUBLAS_STATUS_INVALID_VALUE),
    STANDIN_CONSTANT(CUBLAS_STATUS_ARCH_MISMATCH),
    STANDIN_CONSTANT(CUBLAS_STATUS_MAPPING_ERROR),
    STANDIN_CONSTANT(CUBLAS_STATUS_EXECUTION_FAILED),
    STANDIN_CONSTANT(CUBLAS_STATUS_INTERNAL_ERROR),
    STANDIN_CONSTANT(CUBLAS_STATUS_NOT_SUPPORTED),
    STANDIN_CONSTANT(CUBLAS_STATUS_LICENSE_ERROR),
    STANDIN_CONSTANT(CUBLAS_OP_N),
    STANDIN_CONSTANT(CUBLAS_OP_T),
    STANDIN_CONSTANT(CUBLAS_OP_C),
    STANDIN_CONSTANT(CUBLAS_FILL_MODE_LOWER),
    STANDIN_CONSTANT(CUBLAS_FILL_MODE_UPPER),
    STANDIN_CONSTANT(CUBLAS_DIAG_NON_UNIT),
    STANDIN_CONSTANT(CUBLAS_DIAG_UNIT),
    STANDIN_CONSTANT(CUBLAS_POINTER_MODE_HOST),
    STANDIN_CONSTANT(CUBLAS_POINTER_MODE_DEVICE),
    STANDIN_CONSTANT(CUBLAS_DEFAULT_MATH),
    STANDIN_CONSTANT(CUBLAS_TENSOR_OP_MATH),
    STANDIN_CONSTANT(CUBLAS_PEDANTIC_MATH),
    STANDIN_CONSTANT(CUBLAS_TF32_TENSOR_OP_MATH),
    STANDIN_CONSTANT(CUBLAS_FP32_EMULATED_BF16X9_MATH),
    STANDIN_CONSTANT(CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION),
    STANDIN_CONSTANT(CUBLAS_COMPUTE_32F),
    STANDIN_CONSTANT(CUBLAS_COMPUTE_32F_PEDANTIC),
    STANDIN_CONSTANT(CUBLAS_COMPUTE_32F_FAST_16F),
    STANDIN_CONSTANT(CUBLAS_COMPUTE_32F_FAST_16BF),
    STANDIN_CONSTANT(CUBLAS_COMPUTE_32F_FAST_TF32),
    STANDIN_CONSTANT(CUBLAS_GEMM_DEFAULT),
    STANDIN_CONSTANT(CUBLAS_GEMM_ALGO0),
    STANDIN_CONSTANT(CUBLAS_GEMM_ALGO23),
    STANDIN_CONSTANT(CUBLAS_GEMM_DEFAULT_TENSOR_OP),
    STANDIN_CONSTANT(CUBLAS_GEMM_ALGO0_TENSOR_OP),
    STANDIN_CONSTANT(CUBLAS_GEMM_ALGO15_TENSOR_OP),
    STANDIN_CONSTANT(CUDA_R_32F),
    STANDIN_CONSTANT(CUDA_R_16F),
    STANDIN_CONSTANT(CUDA_R_16BF),
    STANDIN_CONSTANT(MAJOR_VERSION),
    STANDIN_CONSTANT(MINOR_VERSION),
    STANDIN_CONSTANT(PATCH_LEVEL),
    STANDIN_CONSTANT(CUBLAS_VER_MAJOR),
    STANDIN_CONSTANT(CUBLAS_VER_MINOR),
    STANDIN_CONSTANT(CUBLAS_VER_PATCH),
    STANDIN_CONSTANT(CUBLAS_VER_BUILD),
    STANDIN_CONSTANT(CUBLAS_VERSION),
    { NULL, 0 }
};

/* Stand-in control: the enum values this library uses, ending with a NULL name. */
STANDIN_EXPORT const isthmus_standin_constant *isthmusStandinCublasConstants(void) {
    return CONSTANTS;
}
