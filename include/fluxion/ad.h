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

#endif /* FLUXION_AD_H */
