//===- fluxion/ad.hpp - C++ API: gradients, JVPs, Jacobians, Hessians -*- C++
//-*-===//
//
// Templates that expand into Fluxion's builtins at compile time, so the
// plugin sees one builtin call per template instance, plus thin calls into
// libfluxion_rt (fluxion/runtime.h) for the parts that are loops over
// derivative calls (Jacobians, batched Jacobians, Hessians).
//
//   gradient(f, x, grad, n)               T f(const T *x)
//   jvp(f, x, v, y, Jv, n, m)             void f(const T *x, T *y)
//   vjp(f, x, u, y, JTu, n, m)            void f(const T *x, T *y)
//   jacobian(f, x, J, n, m)               J is m x n, row-major
//   batched_jacobian(f, X, J, n, m, B)    f maps one sample; X is B x n,
//                                         J is B x m x n
//   batched_jacobian(whole_batch, f, X, J, n, m, B)
//                                         f maps all B samples at once
//   hvp(f, x, v, Hv, n), hessian(f, x, H, n)
//
// f is a lambda (captures allowed, treated as constant: no derivatives flow
// into captured data), a function object, a function or a function template
// instance. For maps, y must overlap neither x nor the data f captures. The runtime-driven entry points (jacobian, batched_jacobian,
// hessian) and hvp need the function inside a type, because the kernels
// they hand the runtime are compiled once per callable *type*: pass a plain
// function there as fluxion::fn<f> (any lambda works as is).
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_AD_HPP
#define FLUXION_AD_HPP

#include "fluxion/ad.h"
#include "fluxion/runtime.h"

#include <cstddef>
#include <cstring>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

// The API functions are inlined into the caller even at -O0: a plain
// function pointer passed to gradient/jvp/vjp must be a known constant at
// the builtin call, which it is only after inlining. Internal linkage lets
// the inliner delete the out-of-line copy, whose builtin call would see the
// pointer as a parameter.
#define FLUXION_ALWAYS_INLINE static inline __attribute__((always_inline))

namespace fluxion {

// A plain function wrapped in a type: fluxion::fn<f> calls f.
template <auto F> struct fn_t {
  template <class... A> decltype(auto) operator()(A &&...Args) const {
    return F(std::forward<A>(Args)...);
  }
};
template <auto F> inline constexpr fn_t<F> fn{};

// Tag: batched_jacobian's f maps the whole batch at once.
struct whole_batch_t {};
inline constexpr whole_batch_t whole_batch{};

enum class jacobian_mode {
  automatic = FLUXION_JACOBIAN_AUTO, // forward when n <= m, else reverse
  forward = FLUXION_JACOBIAN_FORWARD,
  reverse = FLUXION_JACOBIAN_REVERSE
};

namespace detail {

// The builtins. The plugin recognizes any function whose name contains
// __ad_autodiff / __ad_fwddiff, mangled template instances included; the
// template form gives every call exact parameter types (no float -> double
// promotion as through `...`). noexcept keeps them calls rather than
// invokes in callers with cleanups (the engine does not lower an invoked
// builtin yet).
template <class R, class... A> R __ad_autodiff(void *, A...) noexcept;
template <class R, class... A> R __ad_fwddiff(void *, A...) noexcept;

template <class F>
inline constexpr bool is_plain_function_v =
    std::is_function_v<F> ||
    (std::is_pointer_v<F> && std::is_function_v<std::remove_pointer_t<F>>);

template <class F> FLUXION_ALWAYS_INLINE void *function_address(const F &Fn) {
  if constexpr (std::is_function_v<F>)
    return reinterpret_cast<void *>(&Fn);
  else
    return reinterpret_cast<void *>(Fn);
}

template <class F> FLUXION_ALWAYS_INLINE const void *closure(const F &Fn) {
  return static_cast<const void *>(&Fn);
}

template <class F> constexpr void require_callable_type() {
  static_assert(!is_plain_function_v<F>,
                "fluxion: this entry point needs the function inside a type; "
                "pass a plain function as fluxion::fn<f> (lambdas work as is)");
}

// Trampolines: the closure object is the first, inactive (ad_const)
// argument, so captured data is constant and the call operator is a known
// function the engine can differentiate.
template <class F, class T> T call_scalar(const void *Self, const T *X) {
  return (*static_cast<const F *>(Self))(X);
}
// The output of a map overlaps neither its input nor the captured data; the
// engine then knows that writing y leaves what f reads intact, so the
// reverse sweep reads it again instead of caching it.
template <class F, class T>
void call_map(const void *Self, const T *__restrict X, T *__restrict Y) {
  (*static_cast<const F *>(Self))(X, Y);
}
// The gradient as a function of x, differentiated once more in forward mode
// for Hessian-vector products (forward over reverse). It zeroes g itself
// so that the tangent of g is the tangent of the gradient alone.
template <class F, class T>
void gradient_into(const void *Self, const T *X, T *G, size_t N) {
  for (size_t I = 0; I < N; ++I)
    G[I] = T(0);
  __ad_autodiff<void>(reinterpret_cast<void *>(&call_scalar<F, T>), ad_const,
                      Self, X, G);
}

// Kernels handed to libfluxion_rt: C signatures, one builtin call each.
template <class F, class T>
void kernel_jvp(void *Ctx, const T *X, const T *V, T *Y, T *Jv) {
  __ad_fwddiff<void>(reinterpret_cast<void *>(&call_map<F, T>), ad_const,
                     static_cast<const void *>(Ctx), X, V, Y, Jv);
}
template <class F, class T, size_t... I>
void jvp_lanes(void *Ctx, const T *X, const T *const *V, T *Y, T *const *Jv,
               std::index_sequence<I...>) {
  __ad_fwddiff<void>(reinterpret_cast<void *>(&call_map<F, T>), ad_width,
                     static_cast<int>(sizeof...(I)), ad_const,
                     static_cast<const void *>(Ctx), X, V[I]..., Y, Jv[I]...);
}
template <class F, class T, unsigned W>
void kernel_jvp_vec(void *Ctx, const T *X, const T *const *V, T *Y,
                    T *const *Jv) {
  jvp_lanes<F, T>(Ctx, X, V, Y, Jv, std::make_index_sequence<W>());
}
template <class F, class T>
void kernel_vjp(void *Ctx, const T *X, T *U, T *Y, T *JTu) {
  __ad_autodiff<void>(reinterpret_cast<void *>(&call_map<F, T>), ad_const,
                      static_cast<const void *>(Ctx), X, JTu, Y, U);
}
template <class F, class T> void kernel_grad(void *Ctx, const T *X, T *G) {
  __ad_autodiff<void>(reinterpret_cast<void *>(&call_scalar<F, T>), ad_const,
                      static_cast<const void *>(Ctx), X, G);
}
template <class F, class T>
void kernel_hvp(void *Ctx, const T *X, const T *V, T *Hv, T *Scratch,
                size_t N) {
  __ad_fwddiff<void>(reinterpret_cast<void *>(&gradient_into<F, T>), ad_const,
                     static_cast<const void *>(Ctx), X, V, Scratch, Hv, N);
}

// The runtime's C types and entry points per element type.
template <class T> struct rt;
template <> struct rt<double> {
  using map = fluxion_map_d;
  using scalar = fluxion_scalar_d;
  static constexpr auto jacobian = fluxion_jacobian_d;
  static constexpr auto batched = fluxion_batched_jacobian_d;
  static constexpr auto batched_joint = fluxion_batched_jacobian_joint_d;
  static constexpr auto hessian = fluxion_hessian_d;
};
template <> struct rt<float> {
  using map = fluxion_map_f;
  using scalar = fluxion_scalar_f;
  static constexpr auto jacobian = fluxion_jacobian_f;
  static constexpr auto batched = fluxion_batched_jacobian_f;
  static constexpr auto batched_joint = fluxion_batched_jacobian_joint_f;
  static constexpr auto hessian = fluxion_hessian_f;
};

template <class T> constexpr void require_float() {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, float>,
                "fluxion: the C++ API is for float and double");
}

template <unsigned W, class F, class T>
typename rt<T>::map map_kernels(const F &Fn) {
  static_assert(W >= 1 && W <= FLUXION_MAX_WIDTH, "fluxion: bad width");
  typename rt<T>::map K{};
  K.ctx = const_cast<void *>(closure(Fn));
  K.jvp = &kernel_jvp<F, T>;
  K.width = 1;
  if constexpr (W > 1) {
    K.jvp_vec = &kernel_jvp_vec<F, T, W>;
    K.width = W;
  }
  K.vjp = &kernel_vjp<F, T>;
  return K;
}

inline void check(int Status) {
  if (Status == FLUXION_ENOMEM)
    throw std::bad_alloc();
  if (Status != FLUXION_OK)
    throw std::invalid_argument("fluxion: invalid argument to the runtime");
}

// A work buffer on the stack when small, on the heap otherwise.
template <class T, size_t Small = 64> class work_buffer {
public:
  explicit work_buffer(size_t N) {
    if (N > Small) {
      Heap.resize(N);
      Data = Heap.data();
    }
  }
  T *data() { return Data; }

private:
  T Local[Small];
  std::vector<T> Heap;
  T *Data = Local;
};

} // namespace detail

// grad = ∇f(x) for T f(const T *x), x of n elements (reverse mode).
template <class F, class T>
FLUXION_ALWAYS_INLINE void gradient(const F &f, const T *x, T *grad, size_t n) {
  detail::require_float<T>();
  std::memset(static_cast<void *>(grad), 0, n * sizeof(T));
  if constexpr (detail::is_plain_function_v<F>)
    detail::__ad_autodiff<void>(detail::function_address(f), x, grad);
  else
    detail::__ad_autodiff<void>(
        reinterpret_cast<void *>(&detail::call_scalar<F, T>), ad_const,
        detail::closure(f), x, grad);
}

// y = f(x) and Jv = J(x) v for void f(const T *x, T *y) (forward mode).
template <class F, class T>
FLUXION_ALWAYS_INLINE void jvp(const F &f, const T *x, const T *v, T *y, T *Jv,
                               size_t n, size_t m) {
  detail::require_float<T>();
  (void)n;
  (void)m;
  if constexpr (detail::is_plain_function_v<F>)
    detail::__ad_fwddiff<void>(detail::function_address(f), x, v, y, Jv);
  else
    detail::__ad_fwddiff<void>(
        reinterpret_cast<void *>(&detail::call_map<F, T>), ad_const,
        detail::closure(f), x, v, y, Jv);
}

// y = f(x) and JTu = J(x)^T u for void f(const T *x, T *y) (reverse mode).
// u is left as it was (the derivative consumes a copy).
template <class F, class T>
FLUXION_ALWAYS_INLINE void vjp(const F &f, const T *x, const T *u, T *y, T *JTu,
                               size_t n, size_t m) {
  detail::require_float<T>();
  detail::work_buffer<T> Seed(m);
  std::memcpy(Seed.data(), u, m * sizeof(T));
  std::memset(static_cast<void *>(JTu), 0, n * sizeof(T));
  if constexpr (detail::is_plain_function_v<F>)
    detail::__ad_autodiff<void>(detail::function_address(f), x, JTu, y,
                                Seed.data());
  else
    detail::__ad_autodiff<void>(
        reinterpret_cast<void *>(&detail::call_map<F, T>), ad_const,
        detail::closure(f), x, JTu, y, Seed.data());
}

// J = ∂f/∂x (m x n, row-major) for void f(const T *x, T *y). Forward mode
// in chunks of W directions (vector forward mode; W = 1 gives n scalar
// JVPs) when n <= m, reverse mode row by row otherwise; `mode` overrides.
template <unsigned W = FLUXION_DEFAULT_WIDTH, class F, class T>
FLUXION_ALWAYS_INLINE void
jacobian(const F &f, const T *x, T *J, size_t n, size_t m,
         jacobian_mode mode = jacobian_mode::automatic) {
  detail::require_float<T>();
  detail::require_callable_type<F>();
  if constexpr (!detail::is_plain_function_v<F>) {
    typename detail::rt<T>::map K = detail::map_kernels<W, F, T>(f);
    detail::check(detail::rt<T>::jacobian(
        &K, x, J, nullptr, n, m, static_cast<fluxion_jacobian_mode>(mode)));
  }
}

// B independent samples (X is B x n, J is B x m x n); f maps one sample.
// Samples run in parallel on the runtime's thread pool.
template <unsigned W = FLUXION_DEFAULT_WIDTH, class F, class T>
FLUXION_ALWAYS_INLINE void batched_jacobian(const F &f, const T *X, T *J,
                                            size_t n, size_t m, size_t B) {
  detail::require_float<T>();
  detail::require_callable_type<F>();
  if constexpr (!detail::is_plain_function_v<F>) {
    typename detail::rt<T>::map K = detail::map_kernels<W, F, T>(f);
    detail::check(detail::rt<T>::batched(&K, X, J, n, m, B));
  }
}

// As above, but f maps the whole batch (B*n inputs to B*m outputs) and does
// not mix samples: each vector forward pass seeds one input direction in
// every sample, so ceil(n / W) passes give all B Jacobians (reverse mode,
// m passes, when n > m).
template <unsigned W = FLUXION_DEFAULT_WIDTH, class F, class T>
FLUXION_ALWAYS_INLINE void batched_jacobian(whole_batch_t, const F &f,
                                            const T *X, T *J, size_t n,
                                            size_t m, size_t B) {
  detail::require_float<T>();
  detail::require_callable_type<F>();
  if constexpr (!detail::is_plain_function_v<F>) {
    typename detail::rt<T>::map K = detail::map_kernels<W, F, T>(f);
    detail::check(detail::rt<T>::batched_joint(&K, X, J, n, m, B));
  }
}

// Hv = H(x) v for T f(const T *x): forward mode over the reverse-mode
// gradient, one pass.
template <class F, class T>
FLUXION_ALWAYS_INLINE void hvp(const F &f, const T *x, const T *v, T *Hv,
                               size_t n) {
  detail::require_float<T>();
  detail::require_callable_type<F>();
  if constexpr (!detail::is_plain_function_v<F>) {
    detail::work_buffer<T> Grad(n);
    detail::kernel_hvp<F, T>(const_cast<void *>(detail::closure(f)), x, v, Hv,
                             Grad.data(), n);
  }
}

// H = ∇²f(x) (n x n, row-major): n Hessian-vector products, columns in
// parallel on the runtime's thread pool.
template <class F, class T>
FLUXION_ALWAYS_INLINE void hessian(const F &f, const T *x, T *H, size_t n) {
  detail::require_float<T>();
  detail::require_callable_type<F>();
  if constexpr (!detail::is_plain_function_v<F>) {
    typename detail::rt<T>::scalar K{};
    K.ctx = const_cast<void *>(detail::closure(f));
    K.grad = &detail::kernel_grad<F, T>;
    K.hvp = &detail::kernel_hvp<F, T>;
    detail::check(detail::rt<T>::hessian(&K, x, H, n));
  }
}

// The runtime's thread pool (FLUXION_NUM_THREADS overrides the default).
inline unsigned num_threads() { return fluxion_num_threads(); }
inline void set_num_threads(unsigned n) { fluxion_set_num_threads(n); }

} // namespace fluxion

#endif // FLUXION_AD_HPP
