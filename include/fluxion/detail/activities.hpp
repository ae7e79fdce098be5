//===- fluxion/detail/activities.hpp - Per-argument activities -*- C++ -*-===//
//
// Part of fluxion/ad.hpp: derivatives of functions of several arguments,
// each passed with its activity, as fluxion::cuda::gradient and tangent
// take a kernel's arguments:
//
//   double loss(const double *x, int n, const double *w, double s);
//   fluxion::gradient(loss, fluxion::dup(x, dx), fluxion::constant(n),
//                     fluxion::dup(w, dw), fluxion::active(s, &ds));
//   double v = fluxion::value_and_grad(loss, ...same...);
//   double t = fluxion::tangent(loss, fluxion::dup(x, dx), ...);
//
//   constant(v)            inactive: no derivative flows in or out
//   dup(p, shadow)         a pointer and its shadow: reverse mode adds the
//                          adjoint of *p into *shadow (zero it, or seed it,
//                          beforehand, as Enzyme's enzyme_dup); forward mode
//                          reads the tangent direction there, and writes
//                          the tangent of what f writes through p
//   active(v, &adjoint)    reverse mode: a floating scalar whose adjoint is
//                          added to *adjoint
//
// Each call expands into one __ad_autodiff / __ad_fwddiff call with a
// marker before each argument. f is a function (its address must be a
// constant there, as for gradient(f, x, grad, n)), a lambda or a function
// object; a lambda's captured data is constant, its parameters have the
// activities given. The arguments are checked against f's parameters at
// compile time, with the error at the caller's line.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_DETAIL_ACTIVITIES_HPP
#define FLUXION_DETAIL_ACTIVITIES_HPP

#ifndef FLUXION_AD_HPP
#error "include <fluxion/ad.hpp>, which includes fluxion/detail/activities.hpp"
#endif

#include "fluxion/detail/arguments.hpp"

#include <cstddef>
#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>

// The option that asks reverse mode for f's result too, declared as Enzyme
// (and <enzyme/enzyme>) declare it, so that programs may declare it again.
// The plugin removes every use: it needs no definition.
extern int enzyme_primal_return;

namespace fluxion {
namespace detail {
namespace activities {

// FLUXION_ALWAYS_INLINE, for static member functions.
#define FLUXION_INLINE_MEMBER_ inline __attribute__((always_inline))

template <class... Types> struct type_list {};

template <std::size_t Index, class First, class... Rest>
struct nth_type : nth_type<Index - 1, Rest...> {};
template <class First, class... Rest> struct nth_type<0, First, Rest...> {
  using type = First;
};
template <std::size_t Index, class... Types>
using nth_type_t = typename nth_type<Index, Types...>::type;

template <class... Lists> struct join {
  using type = type_list<>;
};
template <class... Types> struct join<type_list<Types...>> {
  using type = type_list<Types...>;
};
template <class... First, class... Second, class... Rest>
struct join<type_list<First...>, type_list<Second...>, Rest...>
    : join<type_list<First..., Second...>, Rest...> {};
template <class... Lists> using join_t = typename join<Lists...>::type;

//===-- The arguments -----------------------------------------------------===//

template <class Arg> struct is_activity : std::false_type {};
template <class Type> struct is_activity<Constant<Type>> : std::true_type {};
template <class Pointee>
struct is_activity<Duplicated<Pointee>> : std::true_type {};
template <class Type> struct is_activity<Active<Type>> : std::true_type {};

template <class Arg> struct is_active : std::false_type {};
template <class Type> struct is_active<Active<Type>> : std::true_type {};

/// The parameter type a wrapper stands for, when f does not say (a generic
/// lambda): constant(v) and active(v, &a) as v's type, dup(p, s) as p's.
template <class Arg> struct natural {
  using type = void;
};
template <class Type> struct natural<Constant<Type>> {
  using type = Type;
};
template <class Pointee> struct natural<Duplicated<Pointee>> {
  using type = Pointee *;
};
template <class Type> struct natural<Active<Type>> {
  using type = Type;
};
template <class Arg> using natural_t = typename natural<Arg>::type;

//===-- f's parameters ----------------------------------------------------===//

struct unknown_signature {
  static constexpr bool known = false;
  using result = void;
  using params = type_list<>;
  static constexpr std::size_t count = 0;
};
template <class Result, class... Params> struct known_signature {
  static constexpr bool known = true;
  using result = Result;
  using params = type_list<Params...>;
  static constexpr std::size_t count = sizeof...(Params);
};

// A call operator f is called through: const, as the API holds f by const
// reference (a mutable lambda's is not).
template <class Member> struct member_signature : unknown_signature {};
template <class Result, class Class, class... Params>
struct member_signature<Result (Class::*)(Params...) const>
    : known_signature<Result, Params...> {};
template <class Result, class Class, class... Params>
struct member_signature<Result (Class::*)(Params...) const noexcept>
    : known_signature<Result, Params...> {};

template <class Fn, class = void> struct signature : unknown_signature {};
template <class Result, class... Params>
struct signature<Result(Params...), void> : known_signature<Result, Params...> {
};
template <class Result, class... Params>
struct signature<Result(Params...) noexcept, void>
    : known_signature<Result, Params...> {};
template <class Result, class... Params>
struct signature<Result (*)(Params...), void>
    : known_signature<Result, Params...> {};
template <class Result, class... Params>
struct signature<Result (*)(Params...) noexcept, void>
    : known_signature<Result, Params...> {};
// A lambda or function object with one call operator, not a template.
template <class Fn>
struct signature<Fn, std::enable_if_t<std::is_class_v<Fn>,
                                      std::void_t<decltype(&Fn::operator())>>>
    : member_signature<decltype(&Fn::operator())> {};
// fluxion::fn<f> calls f.
template <auto Function>
struct signature<fn_t<Function>, void> : signature<decltype(Function)> {};

//===-- What is wrong with a call -----------------------------------------===//

enum class mode { gradient, value, tangent };

enum class misuse {
  none,
  other_form,        // no wrapper: gradient(f, x, grad, n) and the like
  std_function,      // f is a std::function
  not_an_argument,   // an argument is not constant(), dup() or active()
  count,             // not one argument per parameter of f
  call,              // f cannot be called so (a generic lambda)
  constant,          // constant(v) does not convert to its parameter
  dup,               // dup(p, s) does not point to its parameter's type
  active,            // active(v, &a) is not of its parameter's type
  active_in_tangent, // active(v, &a) in forward mode
  result,            // f returns neither a floating value nor void
  value_result       // value_and_grad: f returns no floating value
};

//===-- The builtin call's arguments --------------------------------------===//

// The call to the builtin is made in one always-inlined function, whose
// arguments are the slots of a plan: each computes one argument from the
// closure and the wrappers. A marker is the address of its global, returned
// by a function whose only statement is the return, so that it reaches the
// builtin as a constant at -O0 too.

template <std::size_t Index, class First, class... Rest>
FLUXION_ALWAYS_INLINE const auto &nth(const First &Head, const Rest &...Tail) {
  if constexpr (Index == 0)
    return Head;
  else
    return nth<Index - 1>(Tail...);
}

// Object pointers reach the builtin as void *: the IR has one pointer type,
// and a builtin instance whose parameter types involve a local class could
// not be declared.
template <class Object> FLUXION_ALWAYS_INLINE void *erase(Object *Pointer) {
  return const_cast<void *>(static_cast<const volatile void *>(Pointer));
}

template <class Param>
inline constexpr bool is_object_pointer_v =
    std::is_pointer_v<Param> && std::is_object_v<std::remove_pointer_t<Param>>;

/// The closure of a lambda or function object, the first argument of the
/// function differentiated for it.
struct closure_argument {
  const void *Object;
};

template <int *Marker> struct marker_slot {
  template <class... All>
  FLUXION_INLINE_MEMBER_ static int *get(const All &...) {
    return Marker;
  }
};
struct closure_slot {
  template <class... Rest>
  FLUXION_INLINE_MEMBER_ static void *get(const closure_argument &Closure,
                                          const Rest &...) {
    return const_cast<void *>(Closure.Object);
  }
};
// The value of constant(v) or active(v, &a) as its parameter's type.
template <std::size_t Index, class Param> struct value_slot {
  template <class... All>
  FLUXION_INLINE_MEMBER_ static auto get(const All &...Arguments) {
    const auto &Arg = nth<Index>(Arguments...);
    if constexpr (is_object_pointer_v<Param>)
      return erase(static_cast<Param>(Arg.Value));
    else
      return static_cast<Param>(Arg.Value);
  }
};
// The address of constant(v)'s copy, for a parameter taken by reference.
template <std::size_t Index, class Type, class Object> struct address_slot {
  template <class... All>
  FLUXION_INLINE_MEMBER_ static void *get(const All &...Arguments) {
    Type *Copy =
        const_cast<Type *>(std::addressof(nth<Index>(Arguments...).Value));
    return erase(static_cast<Object *>(Copy));
  }
};
// dup(p, s): p as a pointer to its parameter's type, then s.
template <std::size_t Index, class Object> struct primal_slot {
  template <class... All>
  FLUXION_INLINE_MEMBER_ static void *get(const All &...Arguments) {
    return erase(static_cast<Object *>(nth<Index>(Arguments...).Value));
  }
};
template <std::size_t Index> struct shadow_slot {
  template <class... All>
  FLUXION_INLINE_MEMBER_ static void *get(const All &...Arguments) {
    return erase(nth<Index>(Arguments...).Shadow);
  }
};

/// One argument against its parameter: what is wrong, the slots it takes at
/// position Index among the builtin's inputs, and the adjoint the builtin
/// returns for it.
template <class Param, class Arg, bool Forward> struct argument {
  static constexpr misuse problem = misuse::not_an_argument;
  template <std::size_t Index> using slots = type_list<>;
  using adjoint = type_list<>;
};
template <class Param, class Type, bool Forward>
struct argument<Param, Constant<Type>, Forward> {
  using Object = std::remove_reference_t<Param>;
  static constexpr bool by_reference = std::is_reference_v<Param>;
  static constexpr misuse problem =
      (by_reference ? std::is_convertible_v<Type *, Object *>
                    : fluxion::detail::converts_exactly<Type, Param>::value)
          ? misuse::none
          : misuse::constant;
  // clang passes an empty class by value as nothing: no marker either.
  template <std::size_t Index>
  using slots = std::conditional_t<
      by_reference,
      type_list<marker_slot<&ad_const>, address_slot<Index, Type, Object>>,
      std::conditional_t<
          std::is_empty_v<Param>, type_list<>,
          type_list<marker_slot<&ad_const>, value_slot<Index, Param>>>>;
  using adjoint = type_list<>;
};
template <class Param, class Pointee, bool Forward>
struct argument<Param, Duplicated<Pointee>, Forward> {
  // The pointed-to (or referred-to) type.
  using Object = std::conditional_t<std::is_reference_v<Param>,
                                    std::remove_reference_t<Param>,
                                    std::remove_pointer_t<Param>>;
  static constexpr misuse problem =
      (std::is_reference_v<Param> || std::is_pointer_v<Param>) &&
              std::is_object_v<Object> &&
              std::is_same_v<std::remove_cv_t<Pointee>,
                             std::remove_cv_t<Object>> &&
              std::is_convertible_v<Pointee *, Object *>
          ? misuse::none
          : misuse::dup;
  template <std::size_t Index>
  using slots = type_list<marker_slot<&ad_dup>, primal_slot<Index, Object>,
                          shadow_slot<Index>>;
  using adjoint = type_list<>;
};
template <class Param, class Type, bool Forward>
struct argument<Param, Active<Type>, Forward> {
  static constexpr misuse problem =
      Forward ? misuse::active_in_tangent
      : std::is_floating_point_v<Type> && std::is_same_v<Type, Param>
          ? misuse::none
          : misuse::active;
  template <std::size_t Index>
  using slots = type_list<marker_slot<&ad_out>, value_slot<Index, Param>>;
  using adjoint = type_list<Param>;
};

/// The builtin's inputs and returned adjoints for f's Params at Args; the
/// closure (or its place) is input 0.
template <bool Forward, class ParamList, class ArgList, class Indices>
struct argument_plan;
template <bool Forward, class... Params, class... Args, std::size_t... Index>
struct argument_plan<Forward, type_list<Params...>, type_list<Args...>,
                     std::index_sequence<Index...>> {
  using slots = join_t<
      typename argument<Params, Args, Forward>::template slots<Index + 1>...>;
  using adjoints = join_t<typename argument<Params, Args, Forward>::adjoint...>;

  static constexpr misuse problem() {
    misuse Found = misuse::none;
    ((Found = Found != misuse::none ? Found
                                    : argument<Params, Args, Forward>::problem),
     ...);
    return Found;
  }
};
template <bool Forward, class ParamList, class... Args>
using argument_plan_t = argument_plan<Forward, ParamList, type_list<Args...>,
                                      std::index_sequence_for<Args...>>;

/// The call to the builtin with the slots' arguments.
template <class SlotList> struct builtin_call;
template <class... Slots> struct builtin_call<type_list<Slots...>> {
  template <bool Forward, class Out, class... All>
  FLUXION_INLINE_MEMBER_ static Out call(void *Function,
                                         const All &...Arguments) {
    if constexpr (Forward)
      return __ad_fwddiff<Out>(Function, Slots::get(Arguments...)...);
    else
      return __ad_autodiff<Out>(Function, Slots::get(Arguments...)...);
  }
};

//===-- What reverse mode returns -----------------------------------------===//

// The adjoints of the active arguments in order, then f's result for
// value_and_grad: one value as is, several as the bytes of a struct of
// them (the plugin writes the struct it computes into the memory of the
// declared result).
template <class... Values> struct packed_layout {
  static constexpr std::size_t sizes[] = {sizeof(Values)...};
  static constexpr std::size_t aligns[] = {alignof(Values)...};
  static constexpr std::size_t round_up(std::size_t Offset,
                                        std::size_t Alignment) {
    return (Offset + Alignment - 1) / Alignment * Alignment;
  }
  static constexpr std::size_t offset(std::size_t Position) {
    std::size_t End = 0;
    for (std::size_t Each = 0; Each < Position; ++Each)
      End = round_up(End, aligns[Each]) + sizes[Each];
    return round_up(End, aligns[Position]);
  }
  static constexpr std::size_t alignment() {
    std::size_t Most = 1;
    for (std::size_t Each : aligns)
      Most = Each > Most ? Each : Most;
    return Most;
  }
  static constexpr std::size_t size() {
    constexpr std::size_t Last = sizeof...(Values) - 1;
    return round_up(offset(Last) + sizes[Last], alignment());
  }
};
template <class... Values>
struct alignas(packed_layout<Values...>::alignment()) packed_values {
  unsigned char Bytes[packed_layout<Values...>::size()];
};

template <class ValueList> struct builtin_result;
template <> struct builtin_result<type_list<>> {
  using type = void;
};
template <class Value> struct builtin_result<type_list<Value>> {
  using type = Value;
  template <std::size_t Position>
  FLUXION_INLINE_MEMBER_ static Value read(const Value &Returned) {
    return Returned;
  }
};
template <class First, class Second, class... Rest>
struct builtin_result<type_list<First, Second, Rest...>> {
  using type = packed_values<First, Second, Rest...>;
  template <std::size_t Position>
  FLUXION_INLINE_MEMBER_ static auto read(const type &Returned) {
    using Value = nth_type_t<Position, First, Second, Rest...>;
    Value Read;
    std::memcpy(&Read,
                Returned.Bytes +
                    packed_layout<First, Second, Rest...>::offset(Position),
                sizeof(Value));
    return Read;
  }
};

template <class... Args> constexpr std::size_t active_before(std::size_t End) {
  constexpr bool Actives[] = {is_active<Args>::value..., false};
  std::size_t Count = 0;
  for (std::size_t Each = 0; Each < End; ++Each)
    Count += Actives[Each];
  return Count;
}

template <class Result, std::size_t Position, class Returned, class Arg>
FLUXION_ALWAYS_INLINE void add_adjoint(const Returned &, const Arg &) {}
template <class Result, std::size_t Position, class Returned, class Type>
FLUXION_ALWAYS_INLINE void add_adjoint(const Returned &Values,
                                       const Active<Type> &Arg) {
  *Arg.Adjoint += Result::template read<Position>(Values);
}
template <class Result, class Returned, class... Args, std::size_t... Index>
FLUXION_ALWAYS_INLINE void add_adjoints(const Returned &Values,
                                        std::index_sequence<Index...>,
                                        const Args &...Arguments) {
  (add_adjoint<Result, active_before<Args...>(Index)>(Values, Arguments), ...);
}

//===-- The function differentiated ---------------------------------------===//

template <class Param>
using passed_t = std::conditional_t<std::is_reference_v<Param>,
                                    std::remove_reference_t<Param> *, Param>;

template <class Param>
FLUXION_ALWAYS_INLINE Param raise(passed_t<Param> &Passed) {
  if constexpr (std::is_reference_v<Param>)
    return static_cast<Param>(*Passed);
  else
    return static_cast<Param &&>(Passed);
}

// A lambda or function object is called from this function, which takes
// its closure as a first, inactive argument (so captured data is constant)
// and each parameter as f does, one taken by reference as a pointer.
template <class Fn, class Result, class... Params>
Result call_with_activities(const void *Self, passed_t<Params>... Passed) {
  return (*static_cast<const Fn *>(Self))(raise<Params>(Passed)...);
}

//===-- Checks and the call -----------------------------------------------===//

// The forms gradient and value_and_grad had before: (f, x, grad, n) over
// pointers and (f, x, grad) over ranges.
template <class... Args> constexpr bool other_form() {
  if constexpr (sizeof...(Args) == 3) {
    return std::is_pointer_v<std::decay_t<nth_type_t<0, Args...>>> &&
           std::is_pointer_v<std::decay_t<nth_type_t<1, Args...>>> &&
           std::is_convertible_v<const nth_type_t<2, Args...> &, std::size_t>;
  } else if constexpr (sizeof...(Args) == 2) {
    return are_ranges_v<Args...>;
  } else {
    return false;
  }
}

template <mode Mode, class Result> constexpr misuse result_misuse() {
  using Bare = std::remove_cv_t<Result>;
  if constexpr (Mode == mode::value)
    return std::is_floating_point_v<Bare> ? misuse::none : misuse::value_result;
  else
    return std::is_floating_point_v<Bare> || std::is_void_v<Bare>
               ? misuse::none
               : misuse::result;
}

/// The parameters f is differentiated with: its own, or the wrappers'
/// types for a generic lambda.
template <class Fn, class... Args> struct call_shape {
  using declared = signature<Fn>;
  static constexpr bool known = declared::known;
  using params = std::conditional_t<known, typename declared::params,
                                    type_list<natural_t<Args>...>>;
};
/// f's result.
template <bool Known, class Fn, class... Args> struct call_result {
  using type = typename signature<Fn>::result;
};
template <class Fn, class... Args> struct call_result<false, Fn, Args...> {
  using type = std::invoke_result_t<const Fn &, natural_t<Args>...>;
};

template <mode Mode, class Fn, class... Args> constexpr misuse misuse_of() {
  constexpr bool Forward = Mode == mode::tangent;
  using Shape = call_shape<Fn, Args...>;
  if constexpr (!Forward && !(is_activity<Args>::value || ...) &&
                other_form<Args...>())
    return misuse::other_form;
  else if constexpr (is_std_function_v<Fn>)
    return misuse::std_function;
  else if constexpr (!(is_activity<Args>::value && ...))
    return misuse::not_an_argument;
  else if constexpr (!is_plain_function_v<Fn> && !std::is_class_v<Fn>)
    return misuse::call;
  else if constexpr (Shape::known) {
    using Declared = typename Shape::declared;
    if constexpr (Declared::count != sizeof...(Args))
      return misuse::count;
    else if constexpr (argument_plan_t<Forward, typename Declared::params,
                                       Args...>::problem() != misuse::none)
      return argument_plan_t<Forward, typename Declared::params,
                             Args...>::problem();
    else
      return result_misuse<Mode, typename Declared::result>();
  } else if constexpr (Forward && (is_active<Args>::value || ...)) {
    return misuse::active_in_tangent;
  } else if constexpr (!std::is_invocable_v<const Fn &, natural_t<Args>...>) {
    return misuse::call;
  } else {
    return result_misuse<
        Mode, std::invoke_result_t<const Fn &, natural_t<Args>...>>();
  }
}

// Address is the function's for a plain function, Object the closure
// otherwise.
template <mode Mode, class Fn, class Result, class... Params, class... Args>
FLUXION_ALWAYS_INLINE auto differentiate_as(void *Address, const void *Object,
                                            type_list<Params...>,
                                            const Args &...Arguments) {
  constexpr bool Forward = Mode == mode::tangent;
  constexpr bool Plain = is_plain_function_v<Fn>;
  using Plan = argument_plan_t<Forward, type_list<Params...>, Args...>;
  using Lead =
      std::conditional_t<Plain, type_list<>,
                         type_list<marker_slot<&ad_const>, closure_slot>>;
  using Options =
      std::conditional_t<Mode == mode::value,
                         type_list<marker_slot<&enzyme_primal_return>>,
                         type_list<>>;
  using Call = builtin_call<join_t<Options, Lead, typename Plan::slots>>;
  using Bare = std::remove_cv_t<Result>;

  void *Function = Address;
  if constexpr (!Plain)
    Function =
        reinterpret_cast<void *>(&call_with_activities<Fn, Result, Params...>);
  closure_argument Closure{Object};

  if constexpr (Forward) {
    return Call::template call<true, Bare>(Function, Closure, Arguments...);
  } else {
    using Values = join_t<
        typename Plan::adjoints,
        std::conditional_t<Mode == mode::value, type_list<Bare>, type_list<>>>;
    using Returned = builtin_result<Values>;
    using Out = typename Returned::type;
    if constexpr (std::is_void_v<Out>) {
      Call::template call<false, void>(Function, Closure, Arguments...);
    } else {
      Out Computed =
          Call::template call<false, Out>(Function, Closure, Arguments...);
      add_adjoints<Returned>(Computed, std::index_sequence_for<Args...>(),
                             Arguments...);
      if constexpr (Mode == mode::value) {
        constexpr std::size_t Last = active_before<Args...>(sizeof...(Args));
        return Bare(Returned::template read<Last>(Computed));
      }
    }
  }
}

template <mode Mode, class Fn, class... Args>
FLUXION_ALWAYS_INLINE auto differentiate(void *Address, const void *Object,
                                         const Args &...Arguments) {
  using Shape = call_shape<Fn, Args...>;
  using Result = typename call_result<Shape::known, Fn, Args...>::type;
  return differentiate_as<Mode, Fn, Result>(
      Address, Object, typename Shape::params(), Arguments...);
}

/// Whether the entry point for a plain function (Plain) or for a callable
/// object takes f at Args.
template <mode Mode, bool Plain, class Fn, class... Args>
inline constexpr bool accepts_v =
    is_plain_function_v<Fn> == Plain &&
    misuse_of<Mode, Fn, Args...>() == misuse::none;

// The overloads that make each misuse an error at the caller's line.
#define FLUXION_ACTIVITY_REJECT_(NAME, MODE, KIND, WHY)                        \
  template <class Fn, class... Args,                                           \
            std::enable_if_t<::fluxion::detail::activities::misuse_of<         \
                                 ::fluxion::detail::activities::mode::MODE,    \
                                 Fn, Args...>() ==                             \
                                 ::fluxion::detail::activities::misuse::KIND,  \
                             int> = 0>                                         \
  void NAME(const Fn &, const Args &...) = delete ("fluxion: " WHY);
#define FLUXION_ACTIVITY_REJECT_ALL_(NAME, MODE)                               \
  FLUXION_ACTIVITY_REJECT_(NAME, MODE, std_function,                           \
                           "f is a std::function, which hides the function "   \
                           "it calls from the compiler; pass the lambda, "     \
                           "function object or function itself")               \
  FLUXION_ACTIVITY_REJECT_(NAME, MODE, not_an_argument,                        \
                           "pass each argument of f as "                       \
                           "fluxion::constant(v), "                            \
                           "fluxion::dup(pointer, shadow) or "                 \
                           "fluxion::active(v, &adjoint)")                     \
  FLUXION_ACTIVITY_REJECT_(NAME, MODE, count,                                  \
                           "pass one argument per parameter of f")             \
  FLUXION_ACTIVITY_REJECT_(                                                    \
      NAME, MODE, call,                                                        \
      "f must be a function, a lambda or a function object callable through "  \
      "a const reference with the arguments (a generic lambda gets "           \
      "constant(v) and active(v, &adjoint) as v's type, dup(p, shadow) as p)") \
  FLUXION_ACTIVITY_REJECT_(                                                    \
      NAME, MODE, constant,                                                    \
      "constant(v) must have its parameter's type or convert to it without "   \
      "narrowing (a size_t for an int parameter narrows: write "               \
      "constant(int(n)))")                                                     \
  FLUXION_ACTIVITY_REJECT_(                                                    \
      NAME, MODE, dup,                                                         \
      "dup(pointer, shadow) must point to its parameter's element type (a "    \
      "float * does not take a double * parameter, a const double * does "     \
      "not take a double * one)")                                              \
  FLUXION_ACTIVITY_REJECT_(                                                    \
      NAME, MODE, active,                                                      \
      "active(v, &adjoint) must have its parameter's floating-point type "     \
      "exactly, the parameter taken by value (for a double parameter, "        \
      "active(3.0, double *), not active(3.0f, float *))")                     \
  FLUXION_ACTIVITY_REJECT_(NAME, MODE, active_in_tangent,                      \
                           "active(v, &adjoint) is for reverse mode "          \
                           "(gradient, value_and_grad); tangent takes "        \
                           "scalars as constant(v) and tangents through "      \
                           "dup(pointer, shadow)")                             \
  FLUXION_ACTIVITY_REJECT_(NAME, MODE, result,                                 \
                           "f must return a floating-point value or void")     \
  FLUXION_ACTIVITY_REJECT_(NAME, MODE, value_result,                           \
                           "value_and_grad needs f to return a "               \
                           "floating-point value")

} // namespace activities
} // namespace detail

//===-- Entry points ------------------------------------------------------===//

// A plain function is taken by value, as a pointer: at -O0 the plugin finds
// the function behind copies of a pointer, not behind a reference to one.

// Reverse mode: the derivative of f's result (seeded with 1; a void f is
// seeded by the shadows of what it writes) is added to the shadows of the
// dup arguments and, for active ones, to *adjoint.
template <class Fn, class... Args,
          std::enable_if_t<
              detail::activities::accepts_v<detail::activities::mode::gradient,
                                            false, Fn, Args...>,
              int> = 0>
FLUXION_ALWAYS_INLINE void gradient(const Fn &f, const Args &...args) {
  detail::activities::differentiate<detail::activities::mode::gradient, Fn>(
      nullptr, detail::closure(f), args...);
}
template <
    class Fn, class... Args,
    std::enable_if_t<detail::activities::accepts_v<
                         detail::activities::mode::gradient, true, Fn, Args...>,
                     int> = 0>
FLUXION_ALWAYS_INLINE void gradient(Fn f, const Args &...args) {
  detail::activities::differentiate<detail::activities::mode::gradient, Fn>(
      reinterpret_cast<void *>(f), nullptr, args...);
}
FLUXION_ACTIVITY_REJECT_ALL_(gradient, gradient)

// As gradient; returns f's result, from the same reverse pass.
template <
    class Fn, class... Args,
    std::enable_if_t<detail::activities::accepts_v<
                         detail::activities::mode::value, false, Fn, Args...>,
                     int> = 0>
FLUXION_ALWAYS_INLINE auto value_and_grad(const Fn &f, const Args &...args) {
  return detail::activities::differentiate<detail::activities::mode::value, Fn>(
      nullptr, detail::closure(f), args...);
}
template <
    class Fn, class... Args,
    std::enable_if_t<detail::activities::accepts_v<
                         detail::activities::mode::value, true, Fn, Args...>,
                     int> = 0>
FLUXION_ALWAYS_INLINE auto value_and_grad(Fn f, const Args &...args) {
  return detail::activities::differentiate<detail::activities::mode::value, Fn>(
      reinterpret_cast<void *>(f), nullptr, args...);
}
FLUXION_ACTIVITY_REJECT_ALL_(value_and_grad, value)

// Forward mode: returns the tangent of f's result along the shadows of the
// dup arguments (void for a void f), and writes the tangents of what f
// writes through dup pointers into their shadows.
template <
    class Fn, class... Args,
    std::enable_if_t<detail::activities::accepts_v<
                         detail::activities::mode::tangent, false, Fn, Args...>,
                     int> = 0>
FLUXION_ALWAYS_INLINE auto tangent(const Fn &f, const Args &...args) {
  return detail::activities::differentiate<detail::activities::mode::tangent,
                                           Fn>(nullptr, detail::closure(f),
                                               args...);
}
template <
    class Fn, class... Args,
    std::enable_if_t<detail::activities::accepts_v<
                         detail::activities::mode::tangent, true, Fn, Args...>,
                     int> = 0>
FLUXION_ALWAYS_INLINE auto tangent(Fn f, const Args &...args) {
  return detail::activities::differentiate<detail::activities::mode::tangent,
                                           Fn>(reinterpret_cast<void *>(f),
                                               nullptr, args...);
}
FLUXION_ACTIVITY_REJECT_ALL_(tangent, tangent)

#undef FLUXION_INLINE_MEMBER_
#undef FLUXION_ACTIVITY_REJECT_ALL_
#undef FLUXION_ACTIVITY_REJECT_

} // namespace fluxion

#endif // FLUXION_DETAIL_ACTIVITIES_HPP
