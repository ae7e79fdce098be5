/* Custom derivatives for a function whose body is in another translation
 * unit (custom_rules_ext.c), registered with the FLUXION_* macros (static
 * rule functions) and with Enzyme's globals written by hand. The rules are
 * deliberately distinguishable: scaled_log's rules are exact, while
 * marked_exp's rule returns 2x the true derivative, so the check proves the
 * rule, not the body, was used. */
#include "check.h"
#include <fluxion/ad.h>

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

double scaled_log(double x); /* log(x), defined elsewhere */
double marked_exp(double x); /* exp(x), defined elsewhere */

static double scaled_log_fwd(double x, double dx) { return dx / x; }
typedef struct {
  void *tape;
  double result;
} augmented;
static augmented scaled_log_aug(double x) {
  augmented a = {0, scaled_log(x)};
  return a;
}
static double scaled_log_rev(double x, double dret, void *tape) {
  (void)tape;
  return dret / x;
}
FLUXION_FORWARD_RULE(scaled_log, scaled_log_fwd);
FLUXION_REVERSE_RULE(scaled_log, scaled_log_aug, scaled_log_rev);

double marked_exp_fwd(double x, double dx) { return 2 * marked_exp(x) * dx; }
augmented marked_exp_aug(double x) {
  augmented a = {0, marked_exp(x)};
  return a;
}
double marked_exp_rev(double x, double dret, void *tape) {
  (void)tape;
  return 2 * marked_exp(x) * dret;
}
void *__enzyme_register_derivative_marked_exp[] = {(void *)marked_exp,
                                                   (void *)marked_exp_fwd};
void *__enzyme_register_gradient_marked_exp[] = {
    (void *)marked_exp, (void *)marked_exp_aug, (void *)marked_exp_rev};

/* Rules without a tape, as Enzyme accepts them: an augmented rule that
 * returns nothing (the function computes the result itself) and one that
 * returns only the result; the reverse rules then take no tape. Both give
 * 3x the true derivative of cube(x) = x^3, to show they were used. */
static double cube(double x) { return x * x * x; }
static void cube_aug(double x) { (void)x; }
static double cube_rev(double x, double dret) { return 9 * x * x * dret; }
FLUXION_REVERSE_RULE(cube, cube_aug, cube_rev);
static double square(double x) { return x * x; }
static double square_aug(double x) { return x * x; }
static double square_rev(double x, double dret) { return 6 * x * dret; }
FLUXION_REVERSE_RULE(square, square_aug, square_rev);
static double h(double x) { return cube(x) + square(x) * cube(x); }

/* f(x) = x log(x^2) */
static double f(double x) { return scaled_log(x * x) * x; }
/* g(x) = sin(x) e^x with a rule that doubles d/dx e^x */
static double g(double x) { return sin(x) * marked_exp(x); }

int main(void) {
  for (int i = 0; i < 4; ++i) {
    double x = 0.4 + 0.5 * i;
    double df = log(x * x) + 2;
    CHECK_DERIV(__enzyme_autodiff((void *)f, x), df, fd1(f, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)f, x, 1.0), df, fd1(f, x));
    double dg_rule = cos(x) * exp(x) + sin(x) * 2 * exp(x);
    CHECK_DERIV(__enzyme_autodiff((void *)g, x), dg_rule, NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)g, x, 1.0), dg_rule, NAN);
    /* h = c + s c with the rules' dc = 9x^2, ds = 6x */
    double c = x * x * x, q = x * x;
    CHECK_DERIV(__enzyme_autodiff((void *)h, x),
                9 * x * x + 6 * x * c + q * 9 * x * x, NAN);
  }
  return report();
}
