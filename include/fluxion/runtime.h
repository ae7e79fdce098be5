/*===- fluxion/runtime.h - C interface of libfluxion_rt --------------------===*
 *
 * libfluxion_rt drives derivative functions that the Fluxion plugin
 * synthesized at compile time: it builds Jacobians, batched Jacobians and
 * Hessians from JVP, VJP and HVP kernels, chooses forward or reverse mode,
 * chunks vector forward mode, owns the seed and tangent buffers and runs
 * independent work on a thread pool.
 *
 * The runtime never differentiates anything itself: the caller hands it
 * pointers to compiled kernels (small functions whose body is one
 * __ad_fwddiff / __ad_autodiff call, see include/fluxion/ad.hpp for the C++
 * versions that write them for you) and an opaque context passed back to
 * every kernel call. Kernels may run on several threads at once with the
 * same context, so they must not write to it.
 *
 * Every entry point exists for double (suffix _d) and float (suffix _f).
 * Matrices are dense and row-major. Functions return 0 on success and a
 * FLUXION_E* code when an argument is missing.
 *
 *===----------------------------------------------------------------------===*/
#ifndef FLUXION_RUNTIME_H
#define FLUXION_RUNTIME_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  FLUXION_OK = 0,
  FLUXION_EINVAL = 1, /* a required kernel or pointer is NULL */
  FLUXION_ENOMEM = 2  /* a work buffer could not be allocated */
};

/* The widest vector forward mode the drivers accept. */
#define FLUXION_MAX_WIDTH 16
/* The chunk width the C++ API uses by default. */
#define FLUXION_DEFAULT_WIDTH 8

/* Kernels of a map y = f(x), x in T^n, y in T^m (void f(const T *x, T *y)).
 *   jvp:      y = f(x), jv = J v.
 *   jvp_vec:  y = f(x), jv[k] = J v[k] for k < width (one vector forward
 *             pass; v and jv are arrays of `width` pointers).
 *   vjp:      y = f(x), jtu += J^T u. The seed u is consumed: the kernel
 *             zeroes it (reverse mode clears an output's shadow).
 * The drivers use jvp_vec when it is set and width > 1, otherwise jvp;
 * vjp is needed for reverse mode only. */
#define FLUXION_DECLARE_MAP(T, S)                                              \
  typedef struct fluxion_map_##S {                                            \
    void *ctx;                                                                 \
    void (*jvp)(void *ctx, const T *x, const T *v, T *y, T *jv);               \
    void (*jvp_vec)(void *ctx, const T *x, const T *const *v, T *y,            \
                    T *const *jv);                                             \
    unsigned width;                                                            \
    void (*vjp)(void *ctx, const T *x, T *u, T *y, T *jtu);                    \
  } fluxion_map_##S;

/* Kernels of a scalar function f: T^n -> T (T f(const T *x)).
 *   grad: g += grad f(x).
 *   hvp:  hv = H(x) v; `scratch` is n elements of work memory (the
 *         gradient the forward-over-reverse kernel differentiates). */
#define FLUXION_DECLARE_SCALAR(T, S)                                           \
  typedef struct fluxion_scalar_##S {                                         \
    void *ctx;                                                                 \
    void (*grad)(void *ctx, const T *x, T *g);                                 \
    void (*hvp)(void *ctx, const T *x, const T *v, T *hv, T *scratch,          \
                size_t n);                                                     \
  } fluxion_scalar_##S;

FLUXION_DECLARE_MAP(double, d)
FLUXION_DECLARE_MAP(float, f)
FLUXION_DECLARE_SCALAR(double, d)
FLUXION_DECLARE_SCALAR(float, f)

/* How fluxion_jacobian_* computes J. */
typedef enum fluxion_jacobian_mode {
  FLUXION_JACOBIAN_AUTO = 0,    /* forward when n <= m, else reverse */
  FLUXION_JACOBIAN_FORWARD = 1, /* ceil(n / width) (vector) forward passes */
  FLUXION_JACOBIAN_REVERSE = 2  /* m reverse passes, one row each */
} fluxion_jacobian_mode;

/* (Parameter names are never single capital letters, which user macros
 * such as -DN=4 would replace.) */
#define FLUXION_DECLARE_DRIVERS(T, S)                                          \
  /* J (m x n, row-major) of f at x. y, when not NULL, receives f(x). */       \
  int fluxion_jacobian_##S(const fluxion_map_##S *f, const T *x, T *jac,       \
                           T *y, size_t n, size_t m,                           \
                           fluxion_jacobian_mode mode);                        \
  /* B samples, X is B x n, J is B x m x n: f maps one sample; samples run    \
   * in parallel on the thread pool, each through fluxion_jacobian. */        \
  int fluxion_batched_jacobian_##S(const fluxion_map_##S *f, const T *xs,     \
                                   T *jac, size_t n, size_t m, size_t batch);  \
  /* As above, but f maps the whole batch (B*n -> B*m) and must not mix       \
   * samples: each forward pass seeds the same input direction in every       \
   * sample, so ceil(n / width) passes give every sample's Jacobian. */       \
  int fluxion_batched_jacobian_joint_##S(const fluxion_map_##S *f,            \
                                         const T *xs, T *jac, size_t n,       \
                                         size_t m, size_t batch);              \
  /* H (n x n, row-major) of a scalar f at x: n Hessian-vector products     \
   * against the unit vectors, run in parallel on the thread pool. */        \
  int fluxion_hessian_##S(const fluxion_scalar_##S *f, const T *x, T *hess,   \
                          size_t n);                                           \
  /* Hv = H v through one kernel call with runtime-owned scratch. */         \
  int fluxion_hvp_##S(const fluxion_scalar_##S *f, const T *x, const T *v,   \
                      T *Hv, size_t n);

FLUXION_DECLARE_DRIVERS(double, d)
FLUXION_DECLARE_DRIVERS(float, f)

/* The thread pool. It starts on first use with FLUXION_NUM_THREADS threads
 * (the environment variable), else one per hardware thread. The calling
 * thread takes part, so 1 means no worker threads. */
unsigned fluxion_num_threads(void);
/* Resizes the pool (0 restores the default). Not to be called while a
 * parallel loop runs. */
void fluxion_set_num_threads(unsigned n);
/* Calls body(ctx, i) for every i < count, spread over the pool; returns
 * when all calls have returned. A parallel loop started from inside a body
 * runs serially on the calling thread. */
void fluxion_parallel_for(size_t count, void (*body)(void *ctx, size_t i),
                          void *ctx);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FLUXION_RUNTIME_H */
