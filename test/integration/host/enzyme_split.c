/* Enzyme's split-mode and return options, as programs written for Enzyme
 * spell them: __enzyme_augmentfwd / __enzyme_reverse with a heap tape, with
 * the tape in the caller's memory (enzyme_allocated + enzyme_tape), with a
 * tape pointer kept in the caller's memory (enzyme_tape alone), and
 * __enzyme_augmentsize; enzyme_primal_return in both modes,
 * enzyme_const_return and enzyme_noret. Every derivative is checked against
 * a closed form and a central finite difference of the primal. */
#include "check.h"

#include <string.h>

int enzyme_dup, enzyme_const, enzyme_out;
int enzyme_tape, enzyme_allocated, enzyme_nofree;
int enzyme_primal_return, enzyme_const_return, enzyme_noret;

void *__enzyme_augmentfwd(void *, ...);
void __enzyme_reverse(void *, ...);
unsigned long __enzyme_augmentsize(void *, ...);

typedef struct {
  void *tape;
  double result;
} tape_and_result;
tape_and_result __enzyme_augmentfwd_result(void *, ...);
double __enzyme_augmentfwd_primal(void *, ...);
double __enzyme_reverse_scalar(void *, ...);

typedef struct {
  double primal, tangent;
} primal_and_tangent;
primal_and_tangent __enzyme_fwddiff(void *, ...);
double __enzyme_fwddiff_primal(void *, ...);

typedef struct {
  double dx, dy, primal;
} adjoints_and_primal;
adjoints_and_primal __enzyme_autodiff(void *, ...);
double __enzyme_autodiff_one(void *, ...);

/* x[0] += x[1]^2 * sin(x[2]); x[1] = -x[1]: a loop makes the tape hold a
 * stack. */
static void update(double *x, int n) {
  for (int i = 0; i + 2 < n; ++i)
    x[i] += x[i + 1] * x[i + 1] * sin(x[i + 2]);
  x[n - 1] = -x[n - 1];
}

/* sum_i exp(a * x_i) / n */
static double mean_exp(const double *x, int n, double a) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += exp(a * x[i]);
  return s / n;
}
static double mean_exp_a(double a) {
  const double x[3] = {0.3, -0.2, 0.9};
  return mean_exp(x, 3, a);
}

static double g(double x, double y) { return x * x * y + cos(y); }
static double g_x(double x) { return g(x, 0.4); }
static double g_y(double y) { return g(1.3, y); }

/* The reverse sweep of update from seed xb, compared with finite differences
 * of the primal: xb_new[j] = sum_i xb[i] d(update(x))_i / dx_j. */
static void check_update_adjoint(const double *x0, const double *xb_seed,
                                 const double *xb, int n) {
  const double h = 1e-6;
  for (int j = 0; j < n; ++j) {
    double plus[4], minus[4];
    memcpy(plus, x0, sizeof plus);
    memcpy(minus, x0, sizeof minus);
    plus[j] += h;
    minus[j] -= h;
    update(plus, n);
    update(minus, n);
    double fd = 0;
    for (int i = 0; i < n; ++i)
      fd += xb_seed[i] * (plus[i] - minus[i]) / (2 * h);
    CHECK_DERIV(xb[j], NAN, fd);
  }
}

int main(void) {
  const int n = 4;
  const double x0[4] = {0.5, 1.2, -0.7, 0.3}, seed[4] = {1.0, 2.0, -1.0, 0.5};

  /* Heap tape returned by __enzyme_augmentfwd and freed by the reverse. */
  double x[4], xb[4];
  memcpy(x, x0, sizeof x);
  memcpy(xb, seed, sizeof xb);
  void *tape = __enzyme_augmentfwd((void *)update, x, xb, n);
  double after[4];
  memcpy(after, x0, sizeof after);
  update(after, n);
  for (int i = 0; i < n; ++i)
    CHECK_DERIV(x[i], after[i], NAN);
  __enzyme_reverse((void *)update, x, xb, n, tape);
  check_update_adjoint(x0, seed, xb, n);

  /* The tape in the caller's memory: enzyme_allocated says how much there
   * is, __enzyme_augmentsize how much it takes. */
  unsigned long bytes = __enzyme_augmentsize((void *)update, enzyme_dup, x, xb,
                                             enzyme_const, n);
  CHECK_DERIV(bytes > 0 && bytes <= 256, 1, NAN);
  _Alignas(16) char memory[256];
  memcpy(x, x0, sizeof x);
  memcpy(xb, seed, sizeof xb);
  __enzyme_augmentfwd((void *)update, enzyme_dup, x, xb, enzyme_const, n,
                      enzyme_allocated, 256, enzyme_tape, memory);
  __enzyme_reverse((void *)update, enzyme_dup, x, xb, enzyme_const, n,
                   enzyme_allocated, 256, enzyme_tape, memory);
  check_update_adjoint(x0, seed, xb, n);

  /* enzyme_tape alone: the caller's memory holds the tape's pointer. */
  void *slot;
  memcpy(x, x0, sizeof x);
  memcpy(xb, seed, sizeof xb);
  __enzyme_augmentfwd((void *)update, x, xb, n, enzyme_tape, &slot);
  __enzyme_reverse((void *)update, x, xb, n, enzyme_tape, &slot);
  check_update_adjoint(x0, seed, xb, n);

  /* A floating result: {tape, result}, then its adjoint before the tape;
   * enzyme_noret leaves the result out. */
  const double v[3] = {0.3, -0.2, 0.9};
  const double a = 0.8, dret = 1.5;
  double vb[3] = {0, 0, 0};
  tape_and_result aug =
      __enzyme_augmentfwd_result((void *)mean_exp, v, vb, 3, a);
  CHECK_DERIV(aug.result, mean_exp(v, 3, a), NAN);
  double da = __enzyme_reverse_scalar((void *)mean_exp, v, vb, 3, a, dret,
                                      aug.tape);
  double want_da = 0;
  for (int i = 0; i < 3; ++i) {
    want_da += dret * v[i] * exp(a * v[i]) / 3;
    CHECK_DERIV(vb[i], dret * a * exp(a * v[i]) / 3, NAN);
  }
  CHECK_DERIV(da, want_da, dret * fd1(mean_exp_a, a));
  void *only_tape =
      __enzyme_augmentfwd((void *)mean_exp, v, vb, 3, a, enzyme_noret);
  __enzyme_reverse_scalar((void *)mean_exp, v, vb, 3, a, 0.0, only_tape);

  /* With enzyme_tape the augmented call returns the result alone. */
  double stored;
  double result = __enzyme_augmentfwd_primal((void *)mean_exp, v, vb, 3, a,
                                             enzyme_tape, &stored);
  CHECK_DERIV(result, mean_exp(v, 3, a), NAN);
  __enzyme_reverse_scalar((void *)mean_exp, v, vb, 3, a, 0.0, enzyme_tape,
                          &stored);

  /* enzyme_primal_return: forward mode returns {result, tangent}, reverse
   * mode the adjoints then the result. */
  const double px = 1.3, py = 0.4;
  primal_and_tangent pt =
      __enzyme_fwddiff((void *)g, enzyme_primal_return, px, 1.0, py, 0.0);
  CHECK_DERIV(pt.primal, g(px, py), NAN);
  CHECK_DERIV(pt.tangent, 2 * px * py, fd1(g_x, px));
  adjoints_and_primal ap =
      __enzyme_autodiff((void *)g, enzyme_primal_return, px, py);
  CHECK_DERIV(ap.dx, 2 * px * py, fd1(g_x, px));
  CHECK_DERIV(ap.dy, px * px - sin(py), fd1(g_y, py));
  CHECK_DERIV(ap.primal, g(px, py), NAN);

  /* enzyme_const_return: the result is not differentiated. */
  double primal_only = __enzyme_fwddiff_primal(
      (void *)g, enzyme_const_return, enzyme_primal_return, px, 1.0, py, 0.0);
  CHECK_DERIV(primal_only, g(px, py), NAN);
  double vb2[3] = {1, 2, 3};
  __enzyme_autodiff_one((void *)mean_exp, enzyme_const_return, v, vb2, 3,
                        enzyme_const, a);
  for (int i = 0; i < 3; ++i)
    CHECK_DERIV(vb2[i], i + 1.0, NAN);
  return report();
}
