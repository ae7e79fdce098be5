/* Copies of structs that hold pointers to active data beside active
 * doubles, by a memcpy whose length is known only at run time (it stays a
 * copy at every level): reverse mode copies the shadows of the pointer
 * fields in the forward sweep and moves the adjoints of the doubles back in
 * the reverse sweep.
 *   f(s, n) = s[0].p[0] * s[1].p[1] * s[1].d + s[0].d, s copied first;
 *   with both p = x: df/dx = (x1 d1, x0 d1), df/dd = (1, x0 x1).
 * Closed forms (TOL_CLOSED) and central finite differences (TOL_FD). */
#include "memcheck.h"
#include <string.h>

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

struct term {
  double *p;
  double d;
};

/* Recursive, so that it stays a call of its own. */
static double use(const struct term *t, int depth) {
  if (depth > 0)
    return use(t, depth - 1);
  return t[0].p[0] * t[1].p[1] * t[1].d;
}

static double f(const struct term *in, int n) {
  struct term local[4];
  memcpy(local, in, n * sizeof(struct term));
  return use(local, 1) + local[0].d;
}

static double X0 = 1.5, X1 = 2.5, D0 = 3.0, D1 = 4.0;
static double f_of(const double *v) {
  double x[2] = {v[0], v[1]};
  struct term t[2] = {{x, v[2]}, {x, v[3]}};
  return f(t, 2);
}

int main(void) {
  double v[4] = {X0, X1, D0, D1}, fd[4];
  fd_gradient(f_of, v, 4, fd);
  double closed[4] = {X1 * D1, X0 * D1, 1, X0 * X1};

  double x[2] = {X0, X1}, dx[2] = {0, 0};
  struct term t[2] = {{x, D0}, {x, D1}}, dt[2] = {{dx, 0}, {dx, 0}};
  __enzyme_autodiff((void *)f, t, dt, 2);
  double rev[4] = {dx[0], dx[1], dt[0].d, dt[1].d};
  CHECK_ARRAY(rev, closed, fd, 4);

  double fwd[4];
  for (int i = 0; i < 4; ++i) {
    double tx[2] = {i == 0, i == 1};
    struct term tt[2] = {{tx, i == 2}, {tx, i == 3}};
    fwd[i] = __enzyme_fwddiff((void *)f, t, tt, 2);
  }
  CHECK_ARRAY(fwd, closed, fd, 4);
  return report();
}
