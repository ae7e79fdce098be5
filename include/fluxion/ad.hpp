//===- fluxion/ad.hpp - C++ API: gradients, Jacobians, Hessians -*- C++ -*-===//
//
// Templates that expand into Fluxion's builtins at compile time, so the
// plugin sees one builtin call per template instance, plus thin calls into
// libfluxion_rt (fluxion/runtime.h) for the parts that are loops over
// derivative calls (Jacobians, batched Jacobians, Hessians).
//
//   gradient(f, x, grad, n)               T f(const T *x)
//   value_and_grad(f, x, grad, n)         as gradient; returns f(x)
//   jvp(f, x, v, y, Jv, n, m)             void f(const T *x, T *y)
//   vjp(f, x, u, y, JTu, n, m)            void f(const T *x, T *y)
//   jacobian(f, x, J, n, m)               J is m x n, row-major
//   batched_jacobian(f, X, J, n, m, B)    f maps one sample; X is B x n,
//                                         J is B x m x n
//   batched_jacobian(whole_batch, f, X, J, n, m, B)
//                                         f maps all B samples at once
//   hvp(f, x, v, Hv, n), hessian(f, x, H, n)
//
// Functions of several arrays and scalars take an activity per argument,
// constant(v), dup(p, shadow) or active(v, &adjoint), as
// fluxion::cuda::gradient takes a kernel's (fluxion/detail/activities.hpp):
//
//   gradient(f, dup(x, dx), constant(n), active(s, &ds))
//                                         adds the adjoints into dx, ds
//   value_and_grad(f, ...same...)         as gradient; returns f's value
//   tangent(f, dup(x, v), constant(n), constant(s))
//                                         the tangent of f's result
//
// T is float or double, the element type of the data: f must take a
// pointer to exactly that type (a function of float data does not take
// double data). Misuse is a compile error at the call.
//
// Containers: every entry point but batched_jacobian also takes contiguous
// ranges (std::vector, std::array, C arrays, anything with data() and
// size()) in place of pointer and sizes:
//
//   gradient(f, x, grad)                  n = size(x)
//   value_and_grad(f, x, grad)            returns f(x)
//   jvp(f, x, v, y, Jv), vjp(f, x, u, y, JTu)
//                                         m = size(y): size y beforehand
//   jacobian(f, x, J, m), hvp(f, x, v, Hv), hessian(f, x, H)
//
// Outputs that are std::vector (anything with resize()) are resized, the
// others must have the right size (std::invalid_argument otherwise). f
// takes pointers there as above, or, for gradient, value_and_grad, jvp and
// vjp, the container itself: T f(const std::vector<T> &x) or
// void f(const std::array<T, N> &x, std::array<T, M> &y) (a plain function
// by reference; one of a copy or of a view such as std::span goes through
// fluxion::fn<f> or a lambda). The derivative arguments then have the
// container type of x (of y for Jv and u), and f must not resize its
// output.
//
// f is a lambda (captures allowed, treated as constant: no derivatives flow
// into captured data), a function object, a function or a function template
// instance, not a std::function (it hides its target from the compiler).
// For maps, y must overlap neither x nor the data f captures. The
// runtime-driven entry points (jacobian, batched_jacobian, hessian) and hvp
// need the function inside a type, because the kernels they hand the
// runtime are compiled once per callable *type*: pass a plain function
// there as fluxion::fn<f> (any lambda works as is). value_and_grad of a
// plain function runs it once more for the value (fluxion::fn<f> does not).
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_AD_HPP
#define FLUXION_AD_HPP

#include "fluxion/ad.h"
#include "fluxion/runtime.h"

#include <array>
#include <cstddef>
#include <cstring>
#include <functional>
#include <iterator>
#include <new>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

// The API functions are inlined into the caller even at -O0: a plain
// function pointer passed to gradient/jvp/vjp must be a known constant at
// the builtin call, which it is only after inlining. Internal linkage lets
// the inliner delete the out-of-line copy, whose builtin call would see the
// pointer as a parameter.
#define FLUXION_ALWAYS_INLINE static inline __attribute__((always_inline))

// Misuse of the API selects a deleted overload, so that the error is at the
// caller's line and says what is wrong (`= delete("why")`, C++26, which
// clang-22 accepts in every language mode).
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wc++26-extensions"

namespace fluxion {

// A plain function wrapped in a type: fluxion::fn<f> calls f.
template <auto Function> struct fn_t {
  template <class... Params>
  auto operator()(Params &&...Arguments) const
      -> decltype(Function(std::forward<Params>(Arguments)...)) {
    return Function(std::forward<Params>(Arguments)...);
  }
};
template <auto Function> inline constexpr fn_t<Function> fn{};

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
template <class Result, class... Params>
Result __ad_autodiff(void *, Params...) noexcept;
template <class Result, class... Params>
Result __ad_fwddiff(void *, Params...) noexcept;

//===-- What the arguments are --------------------------------------------===//

template <class Real>
inline constexpr bool is_real_v =
    std::is_same_v<Real, float> || std::is_same_v<Real, double>;

template <class Fn>
inline constexpr bool is_plain_function_v =
    std::is_function_v<Fn> ||
    (std::is_pointer_v<Fn> && std::is_function_v<std::remove_pointer_t<Fn>>);

template <class Fn> struct is_std_function : std::false_type {};
template <class Signature>
struct is_std_function<std::function<Signature>> : std::true_type {};
template <class Fn>
inline constexpr bool is_std_function_v =
    is_std_function<std::remove_cv_t<Fn>>::value;

// A scalar function of the data: f(const T *x) (or f(T *x)).
template <class Fn, class Real>
inline constexpr bool takes_data_v =
    std::is_invocable_v<const Fn &, const Real *> ||
    std::is_invocable_v<const Fn &, Real *>;
// A map of the data: f(const T *x, T *y) (or f(T *x, T *y)).
template <class Fn, class Real>
inline constexpr bool maps_data_v =
    std::is_invocable_v<const Fn &, const Real *, Real *> ||
    std::is_invocable_v<const Fn &, Real *, Real *>;

// Calls f with the data pointer its parameter takes.
template <class Fn, class Real>
FLUXION_ALWAYS_INLINE decltype(auto) invoke_scalar(const Fn &Callee,
                                                   const Real *In) {
  if constexpr (std::is_invocable_v<const Fn &, const Real *>)
    return Callee(In);
  else
    return Callee(const_cast<Real *>(In));
}
template <class Fn, class Real>
FLUXION_ALWAYS_INLINE void invoke_map(const Fn &Callee, const Real *In,
                                      Real *Out) {
  if constexpr (std::is_invocable_v<const Fn &, const Real *, Real *>)
    Callee(In, Out);
  else
    Callee(const_cast<Real *>(In), Out);
}

template <class Fn, class Real>
using scalar_result_t = std::decay_t<decltype(invoke_scalar(
    std::declval<const Fn &>(), std::declval<const Real *>()))>;

// Contiguous ranges: std::data and std::size apply (std::vector, std::array,
// C arrays, spans, Eigen vectors, ...).
template <class Range, class = void> struct range_traits {
  static constexpr bool is_range = false;
  static constexpr bool is_writable = false;
  using element = void;
};
template <class Range>
struct range_traits<Range,
                    std::void_t<decltype(std::data(std::declval<Range &>())),
                                decltype(std::size(std::declval<Range &>()))>> {
  using pointer = decltype(std::data(std::declval<Range &>()));
  static constexpr bool is_range = std::is_pointer_v<pointer>;
  static constexpr bool is_writable =
      is_range && !std::is_const_v<std::remove_pointer_t<pointer>>;
  using element = std::remove_cv_t<std::remove_pointer_t<pointer>>;
};
template <class Range>
inline constexpr bool is_range_v =
    range_traits<std::remove_reference_t<Range>>::is_range;
template <class Range>
inline constexpr bool is_writable_range_v =
    range_traits<std::remove_reference_t<Range>>::is_writable;
template <class Range>
using range_element_t =
    typename range_traits<std::remove_reference_t<Range>>::element;
template <class... Ranges>
inline constexpr bool are_ranges_v = (is_range_v<Ranges> && ...);

// The containers f may take by reference: the derivative is a second
// container of the same type (the shadow object), whose elements are the
// derivatives of x's.
template <class Range> struct is_container : std::false_type {};
template <class Element, class Allocator>
struct is_container<std::vector<Element, Allocator>> : std::true_type {};
template <class Element, size_t Count>
struct is_container<std::array<Element, Count>> : std::true_type {};
template <class Range>
inline constexpr bool is_container_v =
    is_container<std::remove_cv_t<std::remove_reference_t<Range>>>::value;

template <class Range>
using bare_t = std::remove_cv_t<std::remove_reference_t<Range>>;

//===-- What is wrong with a call -----------------------------------------===//

enum class misuse {
  none,
  element,          // the data is not float or double
  mixed_elements,   // the derivative arrays differ from x in element type
  std_function,     // f is a std::function
  scalar_signature, // f is not callable as f(const T *x)
  map_signature,    // f is not callable as f(const T *x, T *y)
  result,           // f does not return a floating-point value
  plain_function,   // a runtime-driven entry point got a plain function
  container_type,   // f takes a container other than std::vector/array
  container_output, // f takes a container, the derivatives are of another
  container_driver, // f takes a container, the entry point needs pointers
  container_copy    // a plain function takes the container other than by
                    // reference
};

// The parameters of a plain function.
template <class Fn> struct plain_parameters {
  using type = void;
};
template <class Result, class... Params>
struct plain_parameters<Result(Params...)> {
  using type = std::tuple<Params...>;
};
template <class Result, class... Params>
struct plain_parameters<Result(Params...) noexcept> {
  using type = std::tuple<Params...>;
};
template <class Fn>
struct plain_parameters<Fn *> : plain_parameters<std::remove_cv_t<Fn>> {};
template <class Fn>
struct plain_parameters<Fn *const> : plain_parameters<std::remove_cv_t<Fn>> {};

// A plain function of containers is called directly, with the containers'
// addresses: it must take them by reference (a function of a copy, or of a
// std::span it converts to, goes through fluxion::fn<f> or a lambda).
template <class Fn, class... Containers>
inline constexpr bool takes_references_v =
    !is_plain_function_v<Fn> ||
    std::is_same_v<typename plain_parameters<Fn>::type,
                   std::tuple<Containers &...>> ||
    std::is_same_v<typename plain_parameters<Fn>::type,
                   std::tuple<const Containers &...>>;

// The first problem of a scalar function over pointers.
template <class Fn, class Real> constexpr misuse scalar_misuse() {
  if constexpr (!is_real_v<Real>)
    return misuse::element;
  else if constexpr (is_std_function_v<Fn>)
    return misuse::std_function;
  else if constexpr (!takes_data_v<Fn, Real>)
    return misuse::scalar_signature;
  else if constexpr (!std::is_floating_point_v<scalar_result_t<Fn, Real>>)
    return misuse::result;
  else
    return misuse::none;
}

// The first problem of a map over pointers.
template <class Fn, class Real> constexpr misuse map_misuse() {
  if constexpr (!is_real_v<Real>)
    return misuse::element;
  else if constexpr (is_std_function_v<Fn>)
    return misuse::std_function;
  else if constexpr (!maps_data_v<Fn, Real>)
    return misuse::map_signature;
  else
    return misuse::none;
}

// The entry points that hand the runtime kernels compiled per callable type.
template <class Fn, class Real> constexpr misuse driven_scalar_misuse() {
  if constexpr (scalar_misuse<Fn, Real>() != misuse::none)
    return scalar_misuse<Fn, Real>();
  else if constexpr (is_plain_function_v<Fn>)
    return misuse::plain_function;
  else
    return misuse::none;
}
template <class Fn, class Real> constexpr misuse driven_map_misuse() {
  if constexpr (map_misuse<Fn, Real>() != misuse::none)
    return map_misuse<Fn, Real>();
  else if constexpr (is_plain_function_v<Fn>)
    return misuse::plain_function;
  else
    return misuse::none;
}

// The element type shared by the ranges x and outs..., or what is wrong.
template <class In, class... Outs> constexpr misuse elements_misuse() {
  using Real = range_element_t<In>;
  if constexpr (!is_real_v<Real>)
    return misuse::element;
  else if constexpr (!((std::is_same_v<range_element_t<Outs>, Real> &&
                        is_writable_range_v<Outs>) &&
                       ...))
    return misuse::mixed_elements;
  else
    return misuse::none;
}

// f takes the container x (not its data): the outputs must be containers of
// x's type.
template <class Fn, class In, class... Outs>
constexpr misuse scalar_container_misuse() {
  if constexpr (!is_container_v<In>)
    return misuse::container_type;
  else if constexpr (!(std::is_same_v<bare_t<Outs>, bare_t<In>> && ...))
    return misuse::container_output;
  else if constexpr (!std::is_floating_point_v<std::decay_t<
                         std::invoke_result_t<const Fn &, const bare_t<In> &>>>)
    return misuse::result;
  else if constexpr (!takes_references_v<Fn, bare_t<In>>)
    return misuse::container_copy;
  else
    return misuse::none;
}

// gradient(f, x, grad), value_and_grad(f, x, grad).
template <class Fn, class In, class Out>
constexpr misuse range_scalar_misuse() {
  using Real = range_element_t<In>;
  if constexpr (elements_misuse<In, Out>() != misuse::none)
    return elements_misuse<In, Out>();
  else if constexpr (is_std_function_v<Fn>)
    return misuse::std_function;
  else if constexpr (takes_data_v<Fn, Real>)
    return scalar_misuse<Fn, Real>();
  else if constexpr (std::is_invocable_v<const Fn &, const bare_t<In> &>)
    return scalar_container_misuse<Fn, In, Out>();
  else
    return misuse::scalar_signature;
}

// jvp(f, x, v, y, Jv) and vjp(f, x, u, y, JTu): DIn and DOut are the
// derivatives of x and y (v and Jv, or JTu and u); Reverse says which of
// them is written (Jv, or JTu).
template <bool Reverse, class Fn, class In, class DIn, class Out, class DOut>
constexpr misuse range_map_misuse() {
  using Real = range_element_t<In>;
  using Written = std::conditional_t<Reverse, DIn, DOut>;
  using Read = std::conditional_t<Reverse, DOut, DIn>;
  using InObject = const bare_t<In> &;
  using OutObject = bare_t<Out> &;
  if constexpr (elements_misuse<In, Out, Written>() != misuse::none)
    return elements_misuse<In, Out, Written>();
  else if constexpr (!std::is_same_v<range_element_t<Read>, Real>)
    return misuse::mixed_elements;
  else if constexpr (is_std_function_v<Fn>)
    return misuse::std_function;
  else if constexpr (maps_data_v<Fn, Real>)
    return misuse::none;
  else if constexpr (!std::is_invocable_v<const Fn &, InObject, OutObject>)
    return misuse::map_signature;
  else if constexpr (!is_container_v<In> || !is_container_v<Out>)
    return misuse::container_type;
  else if constexpr (!std::is_same_v<bare_t<DIn>, bare_t<In>> ||
                     !std::is_same_v<bare_t<DOut>, bare_t<Out>>)
    return misuse::container_output;
  else if constexpr (!takes_references_v<Fn, bare_t<In>, bare_t<Out>> &&
                     !std::is_same_v<
                         typename plain_parameters<Fn>::type,
                         std::tuple<const bare_t<In> &, bare_t<Out> &>>)
    return misuse::container_copy;
  else
    return misuse::none;
}

// jacobian, hvp and hessian over ranges: f takes pointers.
template <class Fn, class In, class... Outs>
constexpr misuse range_driven_scalar_misuse() {
  using Real = range_element_t<In>;
  if constexpr (elements_misuse<In, Outs...>() != misuse::none)
    return elements_misuse<In, Outs...>();
  else if constexpr (is_std_function_v<Fn> || takes_data_v<Fn, Real>)
    return driven_scalar_misuse<Fn, Real>();
  else if constexpr (std::is_invocable_v<const Fn &, const bare_t<In> &>)
    return misuse::container_driver;
  else
    return misuse::scalar_signature;
}
template <class Fn, class In, class Out>
constexpr misuse range_driven_map_misuse() {
  using Real = range_element_t<In>;
  if constexpr (elements_misuse<In, Out>() != misuse::none)
    return elements_misuse<In, Out>();
  else
    return driven_map_misuse<Fn, Real>();
}

// The overloads that make each misuse an error at the caller's line.
#define FLUXION_UNPAREN_(...) __VA_ARGS__
#define FLUXION_REJECT_(HEAD, CHECK, KIND, DECL, WHY)                          \
  template <                                                                   \
      FLUXION_UNPAREN_ HEAD,                                                   \
      std::enable_if_t<(CHECK) == ::fluxion::detail::misuse::KIND, int> = 0>   \
  void DECL = delete ("fluxion: " WHY);
#define FLUXION_REJECT_MISUSE_(HEAD, CHECK, DECL)                              \
  FLUXION_REJECT_(HEAD, CHECK, element, DECL,                                  \
                  "the data must be float or double")                          \
  FLUXION_REJECT_(HEAD, CHECK, mixed_elements, DECL,                           \
                  "the derivative arguments must be writable and hold the "    \
                  "element type of x (float or double)")                       \
  FLUXION_REJECT_(HEAD, CHECK, std_function, DECL,                             \
                  "f is a std::function, which hides the function it calls "   \
                  "from the compiler; pass the lambda, function object or "    \
                  "function itself")                                           \
  FLUXION_REJECT_(HEAD, CHECK, scalar_signature, DECL,                         \
                  "f must be callable as f(const T *x), T the element type "   \
                  "of x: a function of float data does not take double data; " \
                  "a function of a std::vector or std::array takes the "       \
                  "container, which gradient, value_and_grad, jvp and vjp "    \
                  "accept in place of the pointer")                            \
  FLUXION_REJECT_(HEAD, CHECK, map_signature, DECL,                            \
                  "f must be callable as f(const T *x, T *y), T the element "  \
                  "type of x and y: a function of float data does not take "   \
                  "double data; a function of std::vector or std::array "      \
                  "takes the containers, which jvp and vjp accept in place "   \
                  "of the pointers")                                           \
  FLUXION_REJECT_(HEAD, CHECK, result, DECL,                                   \
                  "f must return a floating-point value")                      \
  FLUXION_REJECT_(HEAD, CHECK, plain_function, DECL,                           \
                  "this entry point needs the function inside a type; pass "   \
                  "a plain function as fluxion::fn<f> (lambdas work as is)")   \
  FLUXION_REJECT_(HEAD, CHECK, container_type, DECL,                           \
                  "f takes a container, which works for std::vector and "      \
                  "std::array; make f take const T * or pass one of those")    \
  FLUXION_REJECT_(HEAD, CHECK, container_output, DECL,                         \
                  "f takes the container: the derivative arguments must be "   \
                  "containers of the same type as x (as y for Jv and u)")      \
  FLUXION_REJECT_(HEAD, CHECK, container_driver, DECL,                         \
                  "jacobian, hvp and hessian call f through pointers; make f " \
                  "take const T *x (and T *y)")                                \
  FLUXION_REJECT_(HEAD, CHECK, container_copy, DECL,                           \
                  "a plain function of containers must take them by "          \
                  "reference (const std::vector<T> &x); pass one that takes "  \
                  "a copy or a view as fluxion::fn<f> or in a lambda")

//===-- Trampolines and kernels -------------------------------------------===//

template <class Fn> FLUXION_ALWAYS_INLINE void *function_address(const Fn &F0) {
  if constexpr (std::is_function_v<Fn>)
    return reinterpret_cast<void *>(&F0);
  else
    return reinterpret_cast<void *>(F0);
}

template <class Fn> FLUXION_ALWAYS_INLINE const void *closure(const Fn &F0) {
  return static_cast<const void *>(&F0);
}

// Trampolines: the closure object is the first, inactive (ad_const)
// argument, so captured data is constant and the call operator is a known
// function the engine can differentiate.
template <class Fn, class Real>
scalar_result_t<Fn, Real> call_scalar(const void *Self, const Real *In) {
  return invoke_scalar(*static_cast<const Fn *>(Self), In);
}
// The output of a map overlaps neither its input nor the captured data; the
// engine then knows that writing y leaves what f reads intact, so the
// reverse sweep reads it again instead of caching it.
template <class Fn, class Real>
void call_map(const void *Self, const Real *__restrict In,
              Real *__restrict Out) {
  invoke_map(*static_cast<const Fn *>(Self), In, Out);
}
// f's value stored through a pointer, whose shadow seeds the reverse sweep:
// value_and_grad in one pass.
template <class Fn, class Real>
void call_store(const void *Self, const Real *In,
                scalar_result_t<Fn, Real> *Value) {
  *Value = invoke_scalar(*static_cast<const Fn *>(Self), In);
}
// f of a container (std::vector, std::array): the shadow of the container
// is a second container, whose elements are the derivatives.
template <class Fn, class Container>
auto call_scalar_container(const void *Self, const Container *In) {
  return (*static_cast<const Fn *>(Self))(*In);
}
template <class Fn, class Container, class Result>
void call_store_container(const void *Self, const Container *In,
                          Result *Value) {
  *Value = (*static_cast<const Fn *>(Self))(*In);
}
template <class Fn, class InContainer, class OutContainer>
void call_map_container(const void *Self, const InContainer *In,
                        OutContainer *Out) {
  (*static_cast<const Fn *>(Self))(*In, *Out);
}
// The gradient as a function of x, differentiated once more in forward mode
// for Hessian-vector products (forward over reverse). It zeroes g itself
// so that the tangent of g is the tangent of the gradient alone.
template <class Fn, class Real>
void gradient_into(const void *Self, const Real *In, Real *Grad, size_t Count) {
  for (size_t Index = 0; Index < Count; ++Index)
    Grad[Index] = Real(0);
  __ad_autodiff<void>(reinterpret_cast<void *>(&call_scalar<Fn, Real>),
                      ad_const, Self, In, Grad);
}

// Kernels handed to libfluxion_rt: C signatures, one builtin call each.
template <class Fn, class Real>
void kernel_jvp(void *Ctx, const Real *In, const Real *Tangent, Real *Out,
                Real *OutTangent) {
  __ad_fwddiff<void>(reinterpret_cast<void *>(&call_map<Fn, Real>), ad_const,
                     static_cast<const void *>(Ctx), In, Tangent, Out,
                     OutTangent);
}
template <class Fn, class Real, size_t... Lane>
void jvp_lanes(void *Ctx, const Real *In, const Real *const *Tangents,
               Real *Out, Real *const *OutTangents,
               std::index_sequence<Lane...>) {
  __ad_fwddiff<void>(reinterpret_cast<void *>(&call_map<Fn, Real>), ad_width,
                     static_cast<int>(sizeof...(Lane)), ad_const,
                     static_cast<const void *>(Ctx), In, Tangents[Lane]..., Out,
                     OutTangents[Lane]...);
}
template <class Fn, class Real, unsigned Width>
void kernel_jvp_vec(void *Ctx, const Real *In, const Real *const *Tangents,
                    Real *Out, Real *const *OutTangents) {
  jvp_lanes<Fn, Real>(Ctx, In, Tangents, Out, OutTangents,
                      std::make_index_sequence<Width>());
}
template <class Fn, class Real>
void kernel_vjp(void *Ctx, const Real *In, Real *Seed, Real *Out,
                Real *Adjoint) {
  __ad_autodiff<void>(reinterpret_cast<void *>(&call_map<Fn, Real>), ad_const,
                      static_cast<const void *>(Ctx), In, Adjoint, Out, Seed);
}
template <class Fn, class Real>
void kernel_grad(void *Ctx, const Real *In, Real *Grad) {
  __ad_autodiff<void>(reinterpret_cast<void *>(&call_scalar<Fn, Real>),
                      ad_const, static_cast<const void *>(Ctx), In, Grad);
}
template <class Fn, class Real>
void kernel_hvp(void *Ctx, const Real *In, const Real *Direction, Real *Product,
                Real *Scratch, size_t Count) {
  __ad_fwddiff<void>(reinterpret_cast<void *>(&gradient_into<Fn, Real>),
                     ad_const, static_cast<const void *>(Ctx), In, Direction,
                     Scratch, Product, Count);
}

// The runtime's C types and entry points per element type.
template <class Real> struct rt;
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

template <unsigned Width, class Fn, class Real>
typename rt<Real>::map map_kernels(const Fn &F0) {
  static_assert(Width >= 1 && Width <= FLUXION_MAX_WIDTH,
                "fluxion: the width must be between 1 and FLUXION_MAX_WIDTH");
  typename rt<Real>::map Kernels{};
  Kernels.ctx = const_cast<void *>(closure(F0));
  Kernels.jvp = &kernel_jvp<Fn, Real>;
  Kernels.width = 1;
  if constexpr (Width > 1) {
    Kernels.jvp_vec = &kernel_jvp_vec<Fn, Real, Width>;
    Kernels.width = Width;
  }
  Kernels.vjp = &kernel_vjp<Fn, Real>;
  return Kernels;
}

inline void check(int Status) {
  if (Status == FLUXION_ENOMEM)
    throw std::bad_alloc();
  if (Status != FLUXION_OK)
    throw std::invalid_argument("fluxion: invalid argument to the runtime");
}

// A work buffer on the stack when small, on the heap otherwise.
template <class Real, size_t Small = 64> class work_buffer {
public:
  explicit work_buffer(size_t Count) {
    if (Count > Small) {
      Heap.resize(Count);
      Data = Heap.data();
    }
  }
  Real *data() { return Data; }

private:
  Real Local[Small];
  std::vector<Real> Heap;
  Real *Data = Local;
};

//===-- Ranges ------------------------------------------------------------===//

template <class Range, class = void>
inline constexpr bool is_resizable_v = false;
template <class Range>
inline constexpr bool is_resizable_v<
    Range, std::void_t<decltype(std::declval<Range &>().resize(size_t()))>> =
    true;

template <class Range> FLUXION_ALWAYS_INLINE size_t range_size(Range &Data) {
  return static_cast<size_t>(std::size(Data));
}

// An input must have \p Count elements.
template <class Range>
FLUXION_ALWAYS_INLINE void require_size(const Range &Data, size_t Count,
                                        const char *Why) {
  if (range_size(Data) != Count)
    throw std::invalid_argument(Why);
}

// An output gets \p Count elements: resized when it can be, checked
// otherwise.
template <class Range>
FLUXION_ALWAYS_INLINE void fit_size(Range &Data, size_t Count,
                                    const char *Why) {
  if constexpr (is_resizable_v<Range>) {
    if (range_size(Data) != Count)
      Data.resize(Count);
  } else {
    require_size(Data, Count, Why);
  }
}

// Zeroes a container shadow.
template <class Range> FLUXION_ALWAYS_INLINE void zero(Range &Data) {
  using Real = range_element_t<Range>;
  for (Real &Element : Data)
    Element = Real(0);
}

} // namespace detail

//===-- Pointer and size
//----------------------------------------------------===//

// grad = ∇f(x) for T f(const T *x), x of n elements (reverse mode).
template <
    class Fn, class Real,
    std::enable_if_t<detail::scalar_misuse<Fn, Real>() == detail::misuse::none,
                     int> = 0>
FLUXION_ALWAYS_INLINE void gradient(const Fn &f, const Real *x, Real *grad,
                                    size_t n) {
  std::memset(static_cast<void *>(grad), 0, n * sizeof(Real));
  if constexpr (detail::is_plain_function_v<Fn>)
    detail::__ad_autodiff<void>(detail::function_address(f), x, grad);
  else
    detail::__ad_autodiff<void>(
        reinterpret_cast<void *>(&detail::call_scalar<Fn, Real>), ad_const,
        detail::closure(f), x, grad);
}
FLUXION_REJECT_MISUSE_((class Fn, class Real),
                       (detail::scalar_misuse<Fn, Real>()),
                       gradient(const Fn &, const Real *, Real *, size_t))

// Returns f(x) and sets grad = ∇f(x), for T f(const T *x): one reverse
// pass (a plain function runs once more for the value; fluxion::fn<f>
// does not).
template <
    class Fn, class Real,
    std::enable_if_t<detail::scalar_misuse<Fn, Real>() == detail::misuse::none,
                     int> = 0>
FLUXION_ALWAYS_INLINE detail::scalar_result_t<Fn, Real>
value_and_grad(const Fn &f, const Real *x, Real *grad, size_t n) {
  using Result = detail::scalar_result_t<Fn, Real>;
  std::memset(static_cast<void *>(grad), 0, n * sizeof(Real));
  if constexpr (detail::is_plain_function_v<Fn>) {
    detail::__ad_autodiff<void>(detail::function_address(f), x, grad);
    return detail::invoke_scalar(f, x);
  } else {
    Result Value = Result(0), Seed = Result(1);
    detail::__ad_autodiff<void>(
        reinterpret_cast<void *>(&detail::call_store<Fn, Real>), ad_const,
        detail::closure(f), x, grad, &Value, &Seed);
    return Value;
  }
}
FLUXION_REJECT_MISUSE_((class Fn, class Real),
                       (detail::scalar_misuse<Fn, Real>()),
                       value_and_grad(const Fn &, const Real *, Real *, size_t))

// y = f(x) and Jv = J(x) v for void f(const T *x, T *y) (forward mode).
template <class Fn, class Real,
          std::enable_if_t<
              detail::map_misuse<Fn, Real>() == detail::misuse::none, int> = 0>
FLUXION_ALWAYS_INLINE void jvp(const Fn &f, const Real *x, const Real *v,
                               Real *y, Real *Jv, size_t n, size_t m) {
  (void)n;
  (void)m;
  if constexpr (detail::is_plain_function_v<Fn>)
    detail::__ad_fwddiff<void>(detail::function_address(f), x, v, y, Jv);
  else
    detail::__ad_fwddiff<void>(
        reinterpret_cast<void *>(&detail::call_map<Fn, Real>), ad_const,
        detail::closure(f), x, v, y, Jv);
}
FLUXION_REJECT_MISUSE_((class Fn, class Real), (detail::map_misuse<Fn, Real>()),
                       jvp(const Fn &, const Real *, const Real *, Real *,
                           Real *, size_t, size_t))

// y = f(x) and JTu = J(x)^T u for void f(const T *x, T *y) (reverse mode).
// u is left as it was (the derivative consumes a copy).
template <class Fn, class Real,
          std::enable_if_t<
              detail::map_misuse<Fn, Real>() == detail::misuse::none, int> = 0>
FLUXION_ALWAYS_INLINE void vjp(const Fn &f, const Real *x, const Real *u,
                               Real *y, Real *JTu, size_t n, size_t m) {
  detail::work_buffer<Real> Seed(m);
  std::memcpy(Seed.data(), u, m * sizeof(Real));
  std::memset(static_cast<void *>(JTu), 0, n * sizeof(Real));
  if constexpr (detail::is_plain_function_v<Fn>)
    detail::__ad_autodiff<void>(detail::function_address(f), x, JTu, y,
                                Seed.data());
  else
    detail::__ad_autodiff<void>(
        reinterpret_cast<void *>(&detail::call_map<Fn, Real>), ad_const,
        detail::closure(f), x, JTu, y, Seed.data());
}
FLUXION_REJECT_MISUSE_((class Fn, class Real), (detail::map_misuse<Fn, Real>()),
                       vjp(const Fn &, const Real *, const Real *, Real *,
                           Real *, size_t, size_t))

// J = ∂f/∂x (m x n, row-major) for void f(const T *x, T *y). Forward mode
// in chunks of Width directions (vector forward mode; Width = 1 gives n
// scalar JVPs) when n <= m, reverse mode row by row otherwise; `mode`
// overrides.
template <
    unsigned Width = FLUXION_DEFAULT_WIDTH, class Fn, class Real,
    std::enable_if_t<
        detail::driven_map_misuse<Fn, Real>() == detail::misuse::none, int> = 0>
FLUXION_ALWAYS_INLINE void
jacobian(const Fn &f, const Real *x, Real *jac, size_t n, size_t m,
         jacobian_mode mode = jacobian_mode::automatic) {
  typename detail::rt<Real>::map Kernels =
      detail::map_kernels<Width, Fn, Real>(f);
  detail::check(
      detail::rt<Real>::jacobian(&Kernels, x, jac, nullptr, n, m,
                                 static_cast<fluxion_jacobian_mode>(mode)));
}
FLUXION_REJECT_MISUSE_((unsigned Width = FLUXION_DEFAULT_WIDTH, class Fn,
                        class Real),
                       (detail::driven_map_misuse<Fn, Real>()),
                       jacobian(const Fn &, const Real *, Real *, size_t,
                                size_t,
                                jacobian_mode = jacobian_mode::automatic))

// B independent samples (X is B x n, J is B x m x n); f maps one sample.
// Samples run in parallel on the runtime's thread pool.
template <
    unsigned Width = FLUXION_DEFAULT_WIDTH, class Fn, class Real,
    std::enable_if_t<
        detail::driven_map_misuse<Fn, Real>() == detail::misuse::none, int> = 0>
FLUXION_ALWAYS_INLINE void batched_jacobian(const Fn &f, const Real *xs,
                                            Real *jac, size_t n, size_t m,
                                            size_t batch) {
  typename detail::rt<Real>::map Kernels =
      detail::map_kernels<Width, Fn, Real>(f);
  detail::check(detail::rt<Real>::batched(&Kernels, xs, jac, n, m, batch));
}
FLUXION_REJECT_MISUSE_((unsigned Width = FLUXION_DEFAULT_WIDTH, class Fn,
                        class Real),
                       (detail::driven_map_misuse<Fn, Real>()),
                       batched_jacobian(const Fn &, const Real *, Real *,
                                        size_t, size_t, size_t))

// As above, but f maps the whole batch (B*n inputs to B*m outputs) and does
// not mix samples: each vector forward pass seeds one input direction in
// every sample, so ceil(n / Width) passes give all B Jacobians (reverse
// mode, m passes, when n > m).
template <
    unsigned Width = FLUXION_DEFAULT_WIDTH, class Fn, class Real,
    std::enable_if_t<
        detail::driven_map_misuse<Fn, Real>() == detail::misuse::none, int> = 0>
FLUXION_ALWAYS_INLINE void batched_jacobian(whole_batch_t, const Fn &f,
                                            const Real *xs, Real *jac, size_t n,
                                            size_t m, size_t batch) {
  typename detail::rt<Real>::map Kernels =
      detail::map_kernels<Width, Fn, Real>(f);
  detail::check(
      detail::rt<Real>::batched_joint(&Kernels, xs, jac, n, m, batch));
}
FLUXION_REJECT_MISUSE_((unsigned Width = FLUXION_DEFAULT_WIDTH, class Fn,
                        class Real),
                       (detail::driven_map_misuse<Fn, Real>()),
                       batched_jacobian(whole_batch_t, const Fn &, const Real *,
                                        Real *, size_t, size_t, size_t))

// Hv = H(x) v for T f(const T *x): forward mode over the reverse-mode
// gradient, one pass.
template <class Fn, class Real,
          std::enable_if_t<detail::driven_scalar_misuse<Fn, Real>() ==
                               detail::misuse::none,
                           int> = 0>
FLUXION_ALWAYS_INLINE void hvp(const Fn &f, const Real *x, const Real *v,
                               Real *Hv, size_t n) {
  detail::work_buffer<Real> Grad(n);
  detail::kernel_hvp<Fn, Real>(const_cast<void *>(detail::closure(f)), x, v, Hv,
                               Grad.data(), n);
}
FLUXION_REJECT_MISUSE_((class Fn, class Real),
                       (detail::driven_scalar_misuse<Fn, Real>()),
                       hvp(const Fn &, const Real *, const Real *, Real *,
                           size_t))

// H = ∇²f(x) (n x n, row-major): n Hessian-vector products, columns in
// parallel on the runtime's thread pool.
template <class Fn, class Real,
          std::enable_if_t<detail::driven_scalar_misuse<Fn, Real>() ==
                               detail::misuse::none,
                           int> = 0>
FLUXION_ALWAYS_INLINE void hessian(const Fn &f, const Real *x, Real *hess,
                                   size_t n) {
  typename detail::rt<Real>::scalar Kernels{};
  Kernels.ctx = const_cast<void *>(detail::closure(f));
  Kernels.grad = &detail::kernel_grad<Fn, Real>;
  Kernels.hvp = &detail::kernel_hvp<Fn, Real>;
  detail::check(detail::rt<Real>::hessian(&Kernels, x, hess, n));
}
FLUXION_REJECT_MISUSE_((class Fn, class Real),
                       (detail::driven_scalar_misuse<Fn, Real>()),
                       hessian(const Fn &, const Real *, Real *, size_t))

//===-- Ranges: std::vector, std::array, C arrays, spans
//----------------------===//

// grad = ∇f(x), grad resized (or checked) to x's size. f takes x's data
// (T f(const T *x)) or x itself (T f(const std::vector<T> &x), grad then a
// std::vector<T> too).
template <class Fn, class In, class Out,
          std::enable_if_t<detail::are_ranges_v<In, Out> &&
                               detail::range_scalar_misuse<Fn, In, Out>() ==
                                   detail::misuse::none,
                           int> = 0>
FLUXION_ALWAYS_INLINE void gradient(const Fn &f, const In &x, Out &&grad) {
  using Real = detail::range_element_t<In>;
  size_t Count = detail::range_size(x);
  detail::fit_size(grad, Count, "fluxion::gradient: grad must have x's size");
  if constexpr (detail::takes_data_v<Fn, Real>) {
    fluxion::gradient(f, std::data(x), std::data(grad), Count);
  } else {
    detail::zero(grad);
    if constexpr (detail::is_plain_function_v<Fn>)
      detail::__ad_autodiff<void>(detail::function_address(f), &x, &grad);
    else
      detail::__ad_autodiff<void>(
          reinterpret_cast<void *>(&detail::call_scalar_container<Fn, In>),
          ad_const, detail::closure(f), &x, &grad);
  }
}
FLUXION_REJECT_MISUSE_((class Fn, class In, class Out),
                       (detail::are_ranges_v<In, Out>
                            ? detail::range_scalar_misuse<Fn, In, Out>()
                            : detail::misuse::none),
                       gradient(const Fn &, const In &, Out &&))

// Returns f(x) and sets grad = ∇f(x), as gradient(f, x, grad).
template <class Fn, class In, class Out,
          std::enable_if_t<detail::are_ranges_v<In, Out> &&
                               detail::range_scalar_misuse<Fn, In, Out>() ==
                                   detail::misuse::none,
                           int> = 0>
FLUXION_ALWAYS_INLINE auto value_and_grad(const Fn &f, const In &x,
                                          Out &&grad) {
  using Real = detail::range_element_t<In>;
  size_t Count = detail::range_size(x);
  detail::fit_size(grad, Count,
                   "fluxion::value_and_grad: grad must have x's size");
  if constexpr (detail::takes_data_v<Fn, Real>) {
    return fluxion::value_and_grad(f, std::data(x), std::data(grad), Count);
  } else {
    using Result = std::decay_t<std::invoke_result_t<const Fn &, const In &>>;
    detail::zero(grad);
    if constexpr (detail::is_plain_function_v<Fn>) {
      detail::__ad_autodiff<void>(detail::function_address(f), &x, &grad);
      return Result(f(x));
    } else {
      Result Value = Result(0), Seed = Result(1);
      detail::__ad_autodiff<void>(
          reinterpret_cast<void *>(
              &detail::call_store_container<Fn, In, Result>),
          ad_const, detail::closure(f), &x, &grad, &Value, &Seed);
      return Value;
    }
  }
}
FLUXION_REJECT_MISUSE_((class Fn, class In, class Out),
                       (detail::are_ranges_v<In, Out>
                            ? detail::range_scalar_misuse<Fn, In, Out>()
                            : detail::misuse::none),
                       value_and_grad(const Fn &, const In &, Out &&))

// y = f(x) and Jv = J(x) v; m = size(y) (size y beforehand), Jv resized or
// checked. f takes the data (void f(const T *x, T *y)) or the containers
// (void f(const std::vector<T> &x, std::vector<T> &y), v and Jv then of the
// types of x and y; f must not resize y).
template <class Fn, class In, class Tangent, class Out, class OutTangent,
          std::enable_if_t<detail::are_ranges_v<In, Tangent, Out, OutTangent> &&
                               detail::range_map_misuse<false, Fn, In, Tangent,
                                                        Out, OutTangent>() ==
                                   detail::misuse::none,
                           int> = 0>
FLUXION_ALWAYS_INLINE void jvp(const Fn &f, const In &x, const Tangent &v,
                               Out &&y, OutTangent &&Jv) {
  using Real = detail::range_element_t<In>;
  size_t Count = detail::range_size(x), Outputs = detail::range_size(y);
  detail::require_size(v, Count, "fluxion::jvp: v must have x's size");
  detail::fit_size(Jv, Outputs, "fluxion::jvp: Jv must have y's size");
  if constexpr (detail::maps_data_v<Fn, Real>) {
    fluxion::jvp(f, std::data(x), std::data(v), std::data(y), std::data(Jv),
                 Count, Outputs);
  } else if constexpr (detail::is_plain_function_v<Fn>) {
    detail::__ad_fwddiff<void>(detail::function_address(f), &x, &v, &y, &Jv);
  } else {
    using InObject = detail::bare_t<In>;
    using OutObject = detail::bare_t<Out>;
    detail::__ad_fwddiff<void>(
        reinterpret_cast<void *>(
            &detail::call_map_container<Fn, InObject, OutObject>),
        ad_const, detail::closure(f), &x, &v, &y, &Jv);
  }
}
FLUXION_REJECT_MISUSE_(
    (class Fn, class In, class Tangent, class Out, class OutTangent),
    (detail::are_ranges_v<In, Tangent, Out, OutTangent>
         ? detail::range_map_misuse<false, Fn, In, Tangent, Out, OutTangent>()
         : detail::misuse::none),
    jvp(const Fn &, const In &, const Tangent &, Out &&, OutTangent &&))

// y = f(x) and JTu = J(x)^T u; u has y's size (size y beforehand), JTu is
// resized or checked to x's. f as for jvp (u and JTu then of the types of y
// and x).
template <class Fn, class In, class Seed, class Out, class Adjoint,
          std::enable_if_t<detail::are_ranges_v<In, Seed, Out, Adjoint> &&
                               detail::range_map_misuse<true, Fn, In, Adjoint,
                                                        Out, Seed>() ==
                                   detail::misuse::none,
                           int> = 0>
FLUXION_ALWAYS_INLINE void vjp(const Fn &f, const In &x, const Seed &u, Out &&y,
                               Adjoint &&JTu) {
  using Real = detail::range_element_t<In>;
  size_t Count = detail::range_size(x), Outputs = detail::range_size(y);
  detail::require_size(u, Outputs, "fluxion::vjp: u must have y's size");
  detail::fit_size(JTu, Count, "fluxion::vjp: JTu must have x's size");
  if constexpr (detail::maps_data_v<Fn, Real>) {
    fluxion::vjp(f, std::data(x), std::data(u), std::data(y), std::data(JTu),
                 Count, Outputs);
  } else {
    using InObject = detail::bare_t<In>;
    using OutObject = detail::bare_t<Out>;
    // The derivative consumes its seed: it works on a copy of u.
    OutObject SeedCopy = u;
    detail::zero(JTu);
    if constexpr (detail::is_plain_function_v<Fn>)
      detail::__ad_autodiff<void>(detail::function_address(f), &x, &JTu, &y,
                                  &SeedCopy);
    else
      detail::__ad_autodiff<void>(
          reinterpret_cast<void *>(
              &detail::call_map_container<Fn, InObject, OutObject>),
          ad_const, detail::closure(f), &x, &JTu, &y, &SeedCopy);
  }
}
FLUXION_REJECT_MISUSE_(
    (class Fn, class In, class Seed, class Out, class Adjoint),
    (detail::are_ranges_v<In, Seed, Out, Adjoint>
         ? detail::range_map_misuse<true, Fn, In, Adjoint, Out, Seed>()
         : detail::misuse::none),
    vjp(const Fn &, const In &, const Seed &, Out &&, Adjoint &&))

// J = ∂f/∂x (m x n, row-major; resized or checked to m * size(x)) for
// void f(const T *x, T *y) with m outputs.
template <unsigned Width = FLUXION_DEFAULT_WIDTH, class Fn, class In, class Out,
          std::enable_if_t<detail::are_ranges_v<In, Out> &&
                               detail::range_driven_map_misuse<Fn, In, Out>() ==
                                   detail::misuse::none,
                           int> = 0>
FLUXION_ALWAYS_INLINE void
jacobian(const Fn &f, const In &x, Out &&jac, size_t m,
         jacobian_mode mode = jacobian_mode::automatic) {
  size_t Count = detail::range_size(x);
  detail::fit_size(jac, m * Count,
                   "fluxion::jacobian: J must have m * size(x) elements");
  fluxion::jacobian<Width>(f, std::data(x), std::data(jac), Count, m, mode);
}
FLUXION_REJECT_MISUSE_((unsigned Width = FLUXION_DEFAULT_WIDTH, class Fn,
                        class In, class Out),
                       (detail::are_ranges_v<In, Out>
                            ? detail::range_driven_map_misuse<Fn, In, Out>()
                            : detail::misuse::none),
                       jacobian(const Fn &, const In &, Out &&, size_t,
                                jacobian_mode = jacobian_mode::automatic))

// Hv = H(x) v, Hv resized or checked to x's size.
template <
    class Fn, class In, class Direction, class Out,
    std::enable_if_t<detail::are_ranges_v<In, Direction, Out> &&
                         detail::range_driven_scalar_misuse<Fn, In, Out>() ==
                             detail::misuse::none &&
                         std::is_same_v<detail::range_element_t<Direction>,
                                        detail::range_element_t<In>>,
                     int> = 0>
FLUXION_ALWAYS_INLINE void hvp(const Fn &f, const In &x, const Direction &v,
                               Out &&Hv) {
  size_t Count = detail::range_size(x);
  detail::require_size(v, Count, "fluxion::hvp: v must have x's size");
  detail::fit_size(Hv, Count, "fluxion::hvp: Hv must have x's size");
  fluxion::hvp(f, std::data(x), std::data(v), std::data(Hv), Count);
}
FLUXION_REJECT_MISUSE_(
    (class Fn, class In, class Direction, class Out),
    (!detail::are_ranges_v<In, Direction, Out> ? detail::misuse::none
     : !std::is_same_v<detail::range_element_t<Direction>,
                       detail::range_element_t<In>>
         ? detail::misuse::mixed_elements
         : detail::range_driven_scalar_misuse<Fn, In, Out>()),
    hvp(const Fn &, const In &, const Direction &, Out &&))

// H = ∇²f(x), n x n row-major, resized or checked to size(x)^2.
template <class Fn, class In, class Out,
          std::enable_if_t<detail::are_ranges_v<In, Out> &&
                               detail::range_driven_scalar_misuse<
                                   Fn, In, Out>() == detail::misuse::none,
                           int> = 0>
FLUXION_ALWAYS_INLINE void hessian(const Fn &f, const In &x, Out &&hess) {
  size_t Count = detail::range_size(x);
  detail::fit_size(hess, Count * Count,
                   "fluxion::hessian: H must have size(x)^2 elements");
  fluxion::hessian(f, std::data(x), std::data(hess), Count);
}
FLUXION_REJECT_MISUSE_((class Fn, class In, class Out),
                       (detail::are_ranges_v<In, Out>
                            ? detail::range_driven_scalar_misuse<Fn, In, Out>()
                            : detail::misuse::none),
                       hessian(const Fn &, const In &, Out &&))

#undef FLUXION_REJECT_MISUSE_
#undef FLUXION_REJECT_
#undef FLUXION_UNPAREN_

// The runtime's thread pool (FLUXION_NUM_THREADS overrides the default).
inline unsigned num_threads() { return fluxion_num_threads(); }
inline void set_num_threads(unsigned n) { fluxion_set_num_threads(n); }

} // namespace fluxion

// gradient, value_and_grad and tangent of functions of several arguments,
// each passed as constant(v), dup(p, shadow) or active(v, &adjoint).
#include "fluxion/detail/activities.hpp"

#pragma clang diagnostic pop

#endif // FLUXION_AD_HPP
