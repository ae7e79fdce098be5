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
 *   my_exp_aug_t my_exp_aug(double x) { my_exp_aug_t r = {0, my_exp(x)}; return r; }
 *   double my_exp_rev(double x, double dret, void *tape) { return my_exp(x) * dret; }
 *   FLUXION_REVERSE_RULE(my_exp, my_exp_aug, my_exp_rev);
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
 * taped as usual and -Rpass-missed=fluxion says why. */
#define FLUXION_FORWARD_RULE(fn, rule)                                         \
  void *__enzyme_register_derivative_##fn[2] = {(void *)(fn), (void *)(rule)}
#define FLUXION_REVERSE_RULE(fn, augmented, reverse)                           \
  void *__enzyme_register_gradient_##fn[3] = {                                 \
      (void *)(fn), (void *)(augmented), (void *)(reverse)}
#define FLUXION_INACTIVE(fn)                                                   \
  void *__fluxion_inactive_##fn[1] = {(void *)(fn)}
#define FLUXION_CHECKPOINT(fn)                                                 \
  void *__fluxion_checkpoint_##fn[1] = {(void *)(fn)}

#endif /* FLUXION_AD_H */
