//===- fluxion/detail/arguments.hpp - Arguments with activities -*- C++ -*-===//
//
// The wrappers that give each argument of fluxion::gradient, value_and_grad
// and tangent (fluxion/detail/activities.hpp) and of fluxion::cuda::gradient
// and tangent (fluxion/cuda.cuh) its activity. One set serves both, so a
// program that uses both namespaces names one function.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_DETAIL_ARGUMENTS_HPP
#define FLUXION_DETAIL_ARGUMENTS_HPP

#include <type_traits>
#include <utility>

namespace fluxion {

/// An inactive argument: no derivative flows into or out of it. A copy of
/// the value; a parameter taken by reference refers to that copy.
template <class Type> struct Constant {
  Type Value;
};
/// A pointer and its shadow: adjoint memory in reverse mode, tangent memory
/// in forward mode.
template <class Pointee> struct Duplicated {
  Pointee *Value;
  std::remove_const_t<Pointee> *Shadow;
};
/// A floating-point scalar whose adjoint reverse mode adds to *Adjoint.
template <class Type> struct Active {
  Type Value;
  Type *Adjoint;
};

template <class Type> constexpr Constant<Type> constant(Type Value) {
  return {std::move(Value)};
}
template <class Pointee>
constexpr Duplicated<Pointee> dup(Pointee *Value,
                                  std::remove_const_t<Pointee> *Shadow) {
  return {Value, Shadow};
}
template <class Type> constexpr Active<Type> active(Type Value, Type *Adjoint) {
  return {Value, Adjoint};
}

namespace detail {

/// Whether \p From converts to \p To without narrowing, as constant(v)
/// must to its parameter.
template <class From, class To, class = void>
struct converts_exactly : std::false_type {};
template <class From, class To>
struct converts_exactly<From, To,
                        std::void_t<decltype(To{std::declval<From>()})>>
    : std::true_type {};

} // namespace detail

} // namespace fluxion

#endif // FLUXION_DETAIL_ARGUMENTS_HPP
