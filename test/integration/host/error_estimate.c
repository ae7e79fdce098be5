/* __enzyme_error_estimate: forward mode carrying estimates of relative
 * floating-point error (Enzyme's model): an operation's error is the larger
 * of one ulp of its result and the sum over its operands x_i of
 * |dy/dx_i * x_i / y * error_i|; the program's enzymeLogError, if it has
 * one, sees each active operation. Checked against that model evaluated
 * by hand (closed forms), including catastrophic cancellation. */
#include "check.h"
#include <string.h>

double __enzyme_error_estimate(void *, ...);

static int logged = 0;
void enzymeLogError(double result, double error, const char *opcode,
                    const char *callee, const char *module,
                    const char *function, const char *block) {
  (void)result, (void)error, (void)callee, (void)module, (void)block;
  logged += strcmp(function, "cancel") == 0;
  (void)opcode;
}

/* One unit in the last place of x, as the model defines it. */
static double ulp(double x) {
  double y = nextafter(x, x > 0 ? INFINITY : -INFINITY);
  double z = nextafter(x, 0.0);
  /* The neighbor whose lowest mantissa bit differs is one of the two. */
  unsigned long long bits;
  memcpy(&bits, &x, sizeof bits);
  return bits & 1 ? fabs(x - z) : fabs(y - x);
}

static double sum(double a, double b) { return a + b; }

/* (1 - cos x) / x^2 loses half its digits near 0 */
static double cancel(double x) {
  double c = cos(x);
  double d = 1 - c;
  double s = x * x;
  return d / s;
}

static void add_into(const double *a, const double *b, double *out) {
  *out = *a + *b;
}

int main(void) {
  /* a + b with exact inputs: one ulp of the result. */
  CHECK_DERIV(__enzyme_error_estimate((void *)sum, 99.0, 0.0, 127.0, 0.0),
              ulp(226.0), NAN);
  /* With relative input errors e_a, e_b: |a e_a + b e_b| / (a + b). */
  double ea = 1e-10, eb = 3e-10;
  CHECK_DERIV(__enzyme_error_estimate((void *)sum, 99.0, ea, 127.0, eb),
              (99.0 * ea + 127.0 * eb) / 226.0, NAN);

  /* Cancellation: e(c) = ulp(c), e(d) = ulp(c) c / d, e(s) = ulp(s),
   * e(d/s) = max(ulp, e(d) + e(s)). */
  double x = 1e-7, c = cos(x), d = 1 - c, s = x * x, q = d / s;
  double ed = fmax(ulp(d), ulp(c) * c / d);
  double want = fmax(ulp(q), ed + ulp(s));
  CHECK_DERIV(__enzyme_error_estimate((void *)cancel, x, 0.0), want, NAN);
  CHECK_TRUE(logged == 4);

  /* Through memory: the error travels with the value. */
  double a = 99.0, b = 127.0, out = 0, err_a = 0, err_b = 0, err_out = 0;
  __enzyme_error_estimate((void *)add_into, &a, &err_a, &b, &err_b, &out,
                          &err_out);
  CHECK_DERIV(err_out, ulp(226.0), NAN);
  return report();
}
