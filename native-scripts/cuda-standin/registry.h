/*
 * Helpers compiled into each stand-in library (static, so the libraries stay independent):
 * a thread-safe set of live objects, so that a destroyed or never-created handle is reported with
 * the documented status instead of being dereferenced, and the check that a "device pointer" lies
 * inside a live cudaMalloc allocation when the stand-in's libcudart.so.13 is loaded.
 */
#ifndef ISTHMUS_STANDIN_REGISTRY_H
#define ISTHMUS_STANDIN_REGISTRY_H

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

/* Every object a stand-in hands out starts with this header; kind tells descriptors apart. */
typedef struct {
    uint32_t kind;
} standin_object;

typedef struct {
    pthread_mutex_t lock;
    void **slots; /* open addressing; NULL = empty, TOMBSTONE = deleted */
    size_t capacity;
    size_t used; /* live + tombstones */
    size_t live;
} standin_registry;

/* Helpers are static: each library has its own copy; unused ones are fine. */
#define STANDIN_HELPER static inline __attribute__((unused))

#define STANDIN_REGISTRY_INIT { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, 0 }
#define STANDIN_TOMBSTONE ((void *) 1)

STANDIN_HELPER size_t standin_hash(const void *p, size_t capacity) {
    uintptr_t x = (uintptr_t) p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t) x & (capacity - 1);
}

STANDIN_HELPER int standin_registry_grow(standin_registry *r) {
    size_t capacity = r->capacity ? r->capacity * 2 : 64;
    while (capacity < r->live * 4) {
        capacity *= 2;
    }
    void **slots = calloc(capacity, sizeof(void *));
    if (slots == NULL) {
        return 0;
    }
    for (size_t i = 0; i < r->capacity; i++) {
        void *p = r->slots[i];
        if (p != NULL && p != STANDIN_TOMBSTONE) {
            size_t j = standin_hash(p, capacity);
            while (slots[j] != NULL) {
                j = (j + 1) & (capacity - 1);
            }
            slots[j] = p;
        }
    }
    free(r->slots);
    r->slots = slots;
    r->capacity = capacity;
    r->used = r->live;
    return 1;
}

/* Adds p; returns 0 when memory ran out. */
STANDIN_HELPER int standin_registry_add(standin_registry *r, void *p) {
    pthread_mutex_lock(&r->lock);
    int ok = 1;
    if ((r->used + 1) * 2 > r->capacity) {
        ok = standin_registry_grow(r);
    }
    if (ok) {
        size_t j = standin_hash(p, r->capacity);
        while (r->slots[j] != NULL && r->slots[j] != STANDIN_TOMBSTONE) {
            j = (j + 1) & (r->capacity - 1);
        }
        if (r->slots[j] == NULL) {
            r->used++;
        }
        r->slots[j] = p;
        r->live++;
    }
    pthread_mutex_unlock(&r->lock);
    return ok;
}

STANDIN_HELPER long standin_registry_find_locked(standin_registry *r, const void *p) {
    if (p == NULL || r->capacity == 0) {
        return -1;
    }
    size_t j = standin_hash(p, r->capacity);
    while (r->slots[j] != NULL) {
        if (r->slots[j] == p) {
            return (long) j;
        }
        j = (j + 1) & (r->capacity - 1);
    }
    return -1;
}

/* True when p was added and not removed since. */
STANDIN_HELPER int standin_registry_contains(standin_registry *r, const void *p) {
    pthread_mutex_lock(&r->lock);
    int found = standin_registry_find_locked(r, p) >= 0;
    pthread_mutex_unlock(&r->lock);
    return found;
}

/* Removes p; returns 0 when p was not live (never created, or destroyed already). */
STANDIN_HELPER int standin_registry_remove(standin_registry *r, const void *p) {
    pthread_mutex_lock(&r->lock);
    long j = standin_registry_find_locked(r, p);
    if (j >= 0) {
        r->slots[j] = STANDIN_TOMBSTONE;
        r->live--;
    }
    pthread_mutex_unlock(&r->lock);
    return j >= 0;
}

STANDIN_HELPER size_t standin_registry_live(standin_registry *r) {
    pthread_mutex_lock(&r->lock);
    size_t live = r->live;
    pthread_mutex_unlock(&r->lock);
    return live;
}

/* A live object of the given kind, or NULL. */
STANDIN_HELPER void *standin_registry_get(standin_registry *r, const void *p, uint32_t kind) {
    if (!standin_registry_contains(r, p)) {
        return NULL;
    }
    return ((const standin_object *) p)->kind == kind ? (void *) p : NULL;
}

/*
 * Device-pointer check shared with the stand-in's libcudart.so.13, found by its soname among the
 * libraries already loaded (no link-time dependency). Returns 1 when [p, p + bytes) lies inside one
 * live cudaMalloc allocation, and records that work queued on `stream` uses it (the runtime counts frees
 * of memory that queued work may still use). Also 1 when no stand-in runtime is loaded: a library used
 * alone cannot tell.
 */
typedef int (*standin_range_use)(const void *, size_t, void *);

/* A function of the stand-in's libcudart.so.13 when that is the runtime loaded, else NULL (cached in *slot). */
STANDIN_HELPER void *standin_runtime_function(void **slot, const char *name) {
    void *found = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (found == NULL) {
        void *runtime = dlopen("libcudart.so.13", RTLD_LAZY | RTLD_NOLOAD);
        if (runtime == NULL) {
            return NULL;
        }
        found = dlsym(runtime, name); /* NULL in NVIDIA's runtime */
        dlclose(runtime); /* only drops the reference NOLOAD added; the library stays loaded */
        if (found != NULL) {
            __atomic_store_n(slot, found, __ATOMIC_RELEASE);
        }
    }
    return found;
}

STANDIN_HELPER int standin_use_device_range(const void *p, size_t bytes, void *stream) {
    static void *use;
    standin_range_use found = (standin_range_use) standin_runtime_function(&use, "isthmusStandinUseDeviceRange");
    return found == NULL ? 1 : found(p, bytes, stream); /* no stand-in runtime: nothing to check against */
}

/*
 * Graph capture shared with the stand-in's libcudart.so.13 (see docs/cuda-standin.md, "Graph capture"):
 * when `stream` is capturing, the runtime copies `size` bytes of `args` into the graph being built and
 * returns 1; launching the graph later calls run(copy). Returns 0 when the stream is not capturing (the
 * caller runs the work now) and -1 when the capture was invalidated or memory ran out (nothing recorded).
 */
typedef int (*standin_capture_fn)(void *, void (*)(void *), const void *, size_t);

STANDIN_HELPER int standin_capture_work(void *stream, void (*run)(void *), const void *args, size_t size) {
    static void *capture;
    standin_capture_fn found = (standin_capture_fn) standin_runtime_function(&capture, "isthmusStandinCaptureWork");
    return found == NULL ? 0 : found(stream, run, args, size);
}

#endif
