/*===- fluxion/ad.h - Activity markers for Fluxion's AD builtins ----------===*
 *
 * Declare the builtins with the prototype your call needs, for example
 *
 *   double __ad_autodiff(void *fn, ...);   // reverse mode
 *   double __ad_fwddiff(void *fn, ...);    // forward mode
 *
 * and pass each argument of fn in order, optionally preceded by a marker:
 *   ad_const      inactive; one value
 *   ad_dup        value, then shadow (tangent or adjoint memory)
 *   ad_dupnoneed  as ad_dup; the primal result is not needed
 *   ad_out        active scalar by value; reverse mode returns its adjoint
 * The Enzyme spellings (__enzyme_autodiff, enzyme_dup, ...) work unchanged.
 * The plugin removes every use of the markers: they need no definition.
 *
 * In CUDA device code (declare the markers there as
 * `extern "C" __device__ int ...;`), reverse mode can keep its tape stacks
 * in memory the caller provides, a slice of a per-launch tape arena:
 *   unsigned long long __ad_tape_bytes(void *fn, ...);    // bytes a thread
 *                                                        // takes for args
 *   unsigned long long __ad_tape_reserved(void *fn, ...); // 0: none, 1: some,
 *                                                        // 2: the same for
 *                                                        // any args
 *   __ad_autodiff(fn, ad_tape_arena, slice, bytes, args...);
 * take the same arguments as __ad_autodiff; stacks that do not fit in the
 * slice come from the device heap. fluxion/cuda.cuh's gradient does this
 * for whole kernels.
 *
 *===----------------------------------------------------------------------===*/
#ifndef FLUXION_AD_H
#define FLUXION_AD_H

#ifdef __cplusplus
extern "C" {
#endif

extern int ad_const;
extern int ad_dup;
extern int ad_dupnoneed;
extern int ad_out;
extern int ad_width;

#ifdef __cplusplus
}
#endif

/* Custom derivatives, for any function, defined or external.
 *
 * Forward rule: takes the function's parameters, each floating or pointer
 * parameter followed by its tangent, and returns the tangent of the result:
 *   double my_exp(double);
 *   double my_exp_fwd(double x, double dx) { return my_exp(x) * dx; }
 *   FLUXION_FORWARD_RULE(my_exp, my_exp_fwd);
 *
 * Reverse rule: an augmented forward function taking the parameters (each
 * pointer followed by its shadow) and returning {void *tape, result} (just
 * the tape for a void function; the result alone, or nothing, when no tape
 * is needed: without the result the function itself computes it), and a
 * reverse function taking the same parameters, the adjoint of the result
 * (if floating) and the tape (if any), and returning the adjoints of the
 * floating parameters (one value, or a struct of them in order):
 *   typedef struct { void *tape; double result; } my_exp_aug_t;
 *   my_exp_aug_t my_exp_aug(double x) { my_exp_aug_t r = {0, my_exp(x)}; return
 * r; } double my_exp_rev(double x, double dret, void *tape) { return my_exp(x)
 * * dret; } FLUXION_REVERSE_RULE(my_exp, my_exp_aug, my_exp_rev);
 *
 * FLUXION_INACTIVE(fn) declares that fn carries no derivative (logging,
 * random numbers, ...). These expand to Enzyme's registration globals, which
 * Fluxion also accepts when written by hand.
 *
 * FLUXION_CHECKPOINT(fn) trades time for memory in reverse mode: a call of
 * fn stores only a snapshot of the memory it reads through its pointer
 * parameters, and the reverse sweep runs the call again before
 * differentiating it (JAX's checkpoint). Mark the step function of a long
 * time loop and the tape holds one state per step:
 *   static void rk4_step(double *y, double k) { ... }
 *   FLUXION_CHECKPOINT(rk4_step);
 * fn may call math functions and must reach memory only through its pointer
 * parameters, at offsets the compiler can bound; otherwise its calls are
 * taped as usual and -Rpass-missed=fluxion says why.
 *
 * fn may be any expression naming a function: a qualified name
 * (phys::potential, Body::energy for a static member function), a function
 * template instance (kinetic<double>), or, for an overloaded function, a
 * cast that picks one (static_cast<double (*)(double)>(phys::potential)).
 * The _SIG forms take the signature instead of the cast:
 *   FLUXION_FORWARD_RULE_SIG(double(double), phys::potential, potential_fwd);
 *   FLUXION_REVERSE_RULE_SIG(double(double), phys::potential, aug, rev);
 *   FLUXION_INACTIVE_SIG(void(const char *), log_message);
 *   FLUXION_CHECKPOINT_SIG(void(double *, double), step);
 * (an overloaded rule takes a cast). Use the macros at file or namespace
 * scope, any number of times per file and in headers: each expands to a
 * weak global whose symbol is the registration prefix, the spelling of fn
 * and a number unique in the file; Fluxion removes it once read. */
#define FLUXION_STRINGIFY_TEXT_(text) #text
#define FLUXION_STRINGIFY_(text) FLUXION_STRINGIFY_TEXT_(text)
#define FLUXION_PASTE_TOKENS_(head, tail) head##tail
#define FLUXION_PASTE_(head, tail) FLUXION_PASTE_TOKENS_(head, tail)
#define FLUXION_REGISTRATION_(prefix, name, id, count)                         \
  __attribute__((weak)) void *FLUXION_PASTE_(                                  \
      fluxion_registration_,                                                   \
      id)[count] __asm__(prefix name "." FLUXION_STRINGIFY_(id))

#define FLUXION_FORWARD_RULE_(id, name, fn, rule)                              \
  FLUXION_REGISTRATION_("__enzyme_register_derivative_", name, id,             \
                        2) = {(void *)(fn), (void *)(rule)}
#define FLUXION_REVERSE_RULE_(id, name, fn, augmented, reverse)                \
  FLUXION_REGISTRATION_("__enzyme_register_gradient_", name, id, 3) = {        \
      (void *)(fn), (void *)(augmented), (void *)(reverse)}
#define FLUXION_INACTIVE_(id, name, fn)                                        \
  FLUXION_REGISTRATION_("__fluxion_inactive_", name, id, 1) = {(void *)(fn)}
#define FLUXION_CHECKPOINT_(id, name, fn)                                      \
  FLUXION_REGISTRATION_("__fluxion_checkpoint_", name, id, 1) = {(void *)(fn)}

#define FLUXION_FORWARD_RULE(fn, rule)                                         \
  FLUXION_FORWARD_RULE_(__COUNTER__, #fn, fn, rule)
#define FLUXION_REVERSE_RULE(fn, augmented, reverse)                           \
  FLUXION_REVERSE_RULE_(__COUNTER__, #fn, fn, augmented, reverse)
#define FLUXION_INACTIVE(fn) FLUXION_INACTIVE_(__COUNTER__, #fn, fn)
#define FLUXION_CHECKPOINT(fn) FLUXION_CHECKPOINT_(__COUNTER__, #fn, fn)

/* The function of the given signature named fn: picks one overload. */
#define FLUXION_SIGNATURE_(signature, fn) ((__typeof__(signature) *)(fn))
#define FLUXION_FORWARD_RULE_SIG(signature, fn, rule)                          \
  FLUXION_FORWARD_RULE_(__COUNTER__, #fn, FLUXION_SIGNATURE_(signature, fn),   \
                        rule)
#define FLUXION_REVERSE_RULE_SIG(signature, fn, augmented, reverse)            \
  FLUXION_REVERSE_RULE_(__COUNTER__, #fn, FLUXION_SIGNATURE_(signature, fn),   \
                        augmented, reverse)
#define FLUXION_INACTIVE_SIG(signature, fn)                                    \
  FLUXION_INACTIVE_(__COUNTER__, #fn, FLUXION_SIGNATURE_(signature, fn))
#define FLUXION_CHECKPOINT_SIG(signature, fn)                                  \
  FLUXION_CHECKPOINT_(__COUNTER__, #fn, FLUXION_SIGNATURE_(signature, fn))

#ifdef __cplusplus
/* Non-static member functions (C++): member is &Class::method, or a cast
 * that picks an overload,
 *   static_cast<double (Spring::*)(double) const>(&Spring::energy),
 * and the method is not virtual. The rules are free functions whose first
 * parameter is `this`, a pointer (followed by its shadow as any pointer):
 *   double energy_fwd(const Spring *s, const Spring *ds, double x,
 *                     double dx);
 *   FLUXION_FORWARD_RULE_MEMBER(&Spring::energy, energy_fwd);
 * The globals are structs here, a member function pointer being no void *.
 */
namespace fluxion {
namespace detail {
template <class Member> struct member_registration_1 {
  Member function;
};
template <class Member> struct member_registration_2 {
  Member function;
  void *rule;
};
template <class Member> struct member_registration_3 {
  Member function;
  void *augmented;
  void *reverse;
};
} // namespace detail
} // namespace fluxion
#define FLUXION_MEMBER_REGISTRATION_(prefix, name, id, count, member)          \
  __attribute__((                                                              \
      weak)) ::fluxion::detail::member_registration_##count<decltype(member)>  \
  FLUXION_PASTE_(fluxion_registration_,                                        \
                 id) __asm__(prefix name "." FLUXION_STRINGIFY_(id))
#define FLUXION_FORWARD_RULE_MEMBER_(id, name, member, rule)                   \
  FLUXION_MEMBER_REGISTRATION_("__enzyme_register_derivative_", name, id, 2,   \
                               member) = {member, (void *)(rule)}
#define FLUXION_REVERSE_RULE_MEMBER_(id, name, member, augmented, reverse)     \
  FLUXION_MEMBER_REGISTRATION_("__enzyme_register_gradient_", name, id, 3,     \
                               member) = {member, (void *)(augmented),         \
                                          (void *)(reverse)}
#define FLUXION_INACTIVE_MEMBER_(id, name, member)                             \
  FLUXION_MEMBER_REGISTRATION_("__fluxion_inactive_", name, id, 1,             \
                               member) = {member}
#define FLUXION_CHECKPOINT_MEMBER_(id, name, member)                           \
  FLUXION_MEMBER_REGISTRATION_("__fluxion_checkpoint_", name, id, 1,           \
                               member) = {member}
#define FLUXION_FORWARD_RULE_MEMBER(member, rule)                              \
  FLUXION_FORWARD_RULE_MEMBER_(__COUNTER__, #member, member, rule)
#define FLUXION_REVERSE_RULE_MEMBER(member, augmented, reverse)                \
  FLUXION_REVERSE_RULE_MEMBER_(__COUNTER__, #member, member, augmented, reverse)
#define FLUXION_INACTIVE_MEMBER(member)                                        \
  FLUXION_INACTIVE_MEMBER_(__COUNTER__, #member, member)
#define FLUXION_CHECKPOINT_MEMBER(member)                                      \
  FLUXION_CHECKPOINT_MEMBER_(__COUNTER__, #member, member)
#endif /* __cplusplus */

#endif /* FLUXION_AD_H */
