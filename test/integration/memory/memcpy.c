/* memcpy / memmove of double buffers and struct copies inside the
 * differentiated function.
 *   cube(x, n):     memcpy x into a stack buffer, square it in place,
 *                   result sum_i buf_i x_i = sum x_i^3;  d/dx_i = 3 x_i^2
 *   shift(x, n):    memcpy into a malloc'd buffer, memmove it one slot
 *                   right, b = (x0, x0, x1, ..., x_{n-2});
 *                   result sum_i b_i x_i;  d/dx_0 = 2 x_0 + x_1,
 *                   d/dx_i = x_{i-1} + x_{i+1} (0<i<n-1),
 *                   d/dx_{n-1} = x_{n-2}
 *   pairs(x, y, n): void; memcpy x into the output y, then
 *                   y_i *= x_{(i+1)%n}: y_i = x_i x_{i+1}.  Reverse seeded
 *                   with dy = w: dx_k = w_k x_{k+1} + w_{k-1} x_{k-1};
 *                   forward: ty_i = tx_i x_{i+1} + x_i tx_{i+1}
 *   relay(x, n):    one-element memcpys within a stack buffer b:
 *                   b_{2i} = x_i, b_{2i+1} = b_{2i-2} (memcpy), b_1 = 0;
 *                   result sum_i b_{2i} b_{2i+1} = sum_{i>0} x_i x_{i-1};
 *                   d/dx_k = x_{k-1} [k>0] + x_{k+1} [k<n-1]
 *   vcopy(p):       struct assignment (a memcpy at -O0) of a struct with
 *                   an array member, then |v|^2 of the copy times p->s.
 * Closed forms (TOL_CLOSED) and central finite differences (TOL_FD). */
#include "memcheck.h"
#include <string.h>

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

static double cube(const double *x, int n) {
  double buf[32];
  memcpy(buf, x, (size_t)n * sizeof(double));
  for (int i = 0; i < n; ++i)
    buf[i] *= buf[i];
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += buf[i] * x[i];
  return s;
}

static double shift(const double *x, int n) {
  double *b = (double *)malloc((size_t)n * sizeof(double));
  memcpy(b, x, (size_t)n * sizeof(double));
  memmove(b + 1, b, (size_t)(n - 1) * sizeof(double));
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += b[i] * x[i];
  free(b);
  return s;
}

static void pairs(const double *x, double *y, int n) {
  memcpy(y, x, (size_t)n * sizeof *x);
  for (int i = 0; i < n; ++i)
    y[i] *= x[(i + 1) % n];
}

static double relay(const double *x, int n) {
  double b[32];
  for (int i = 0; i < n; ++i)
    b[2 * i] = x[i];
  b[1] = 0.0;
  for (int i = 1; i < n; ++i)
    memcpy(&b[2 * i + 1], &b[2 * i - 2], sizeof(double));
  double e = 0;
  for (int i = 0; i < n; ++i)
    e += b[2 * i] * b[2 * i + 1];
  return e;
}

struct vec5 {
  double v[5];
  double s;
};

static double vcopy(const struct vec5 *p) {
  struct vec5 c = *p;
  double r = 0;
  for (int i = 0; i < 5; ++i)
    r += c.v[i] * c.v[i];
  return r * c.s;
}

enum { NC = 8 };
static double cube_n(const double *x) { return cube(x, NC); }
static double shift_n(const double *x) { return shift(x, NC); }
static double relay_n(const double *x) { return relay(x, NC); }
static double vcopy_packed(const double *x) {
  struct vec5 p;
  memcpy(p.v, x, sizeof p.v);
  p.s = x[5];
  return vcopy(&p);
}

int main(void) {
  double x[NC], dx[NC], want[NC], fd[NC], v[NC];
  for (int i = 0; i < NC; ++i) {
    x[i] = 1.2 * sin(1.3 * i + 0.2);
    v[i] = cos(0.7 * i + 0.4);
  }

  for (int i = 0; i < NC; ++i)
    want[i] = 3.0 * x[i] * x[i];
  fd_gradient(cube_n, x, NC, fd);
  memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)cube, x, dx, NC);
  CHECK_ARRAY(dx, want, fd, NC);
  CHECK_DERIV(__enzyme_fwddiff((void *)cube, x, v, NC), dotn(want, v, NC),
              fd_dir(cube_n, x, v, NC));

  want[0] = 2.0 * x[0] + x[1];
  for (int i = 1; i < NC - 1; ++i)
    want[i] = x[i - 1] + x[i + 1];
  want[NC - 1] = x[NC - 2];
  fd_gradient(shift_n, x, NC, fd);
  memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)shift, x, dx, NC);
  CHECK_ARRAY(dx, want, fd, NC);
  CHECK_DERIV(__enzyme_fwddiff((void *)shift, x, v, NC), dotn(want, v, NC),
              fd_dir(shift_n, x, v, NC));

  for (int k = 0; k < NC; ++k)
    want[k] = (k > 0 ? x[k - 1] : 0.0) + (k < NC - 1 ? x[k + 1] : 0.0);
  fd_gradient(relay_n, x, NC, fd);
  memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)relay, x, dx, NC);
  CHECK_ARRAY(dx, want, fd, NC);
  CHECK_DERIV(__enzyme_fwddiff((void *)relay, x, v, NC), dotn(want, v, NC),
              fd_dir(relay_n, x, v, NC));

  /* pairs: output array; seeded reverse and forward */
  {
    double y[NC], dy[NC], w[NC], ty[NC], wy[NC];
    for (int i = 0; i < NC; ++i) {
      w[i] = dy[i] = 0.5 - 0.25 * i;
      wy[i] = x[i] * x[(i + 1) % NC];
    }
    for (int k = 0; k < NC; ++k)
      want[k] = w[k] * x[(k + 1) % NC] +
                w[(k + NC - 1) % NC] * x[(k + NC - 1) % NC];
    memset(dx, 0, sizeof dx);
    __enzyme_autodiff((void *)pairs, x, dx, y, dy, NC);
    CHECK_ARRAY(dx, want, NULL, NC);
    CHECK_ARRAY(y, wy, NULL, NC);
    for (int i = 0; i < NC; ++i)
      CHECK_TRUE(dy[i] == 0.0);
    memset(ty, 0, sizeof ty);
    __enzyme_fwddiff((void *)pairs, x, v, y, ty, NC);
    for (int i = 0; i < NC; ++i)
      want[i] = v[i] * x[(i + 1) % NC] + x[i] * v[(i + 1) % NC];
    CHECK_ARRAY(ty, want, NULL, NC);
  }

  /* struct copy */
  {
    struct vec5 p, dp, tp;
    double pk[6], g[6];
    memcpy(p.v, x, sizeof p.v);
    p.s = 0.75;
    memcpy(pk, p.v, sizeof p.v);
    pk[5] = p.s;
    double n2 = 0;
    for (int i = 0; i < 5; ++i)
      n2 += x[i] * x[i];
    for (int i = 0; i < 5; ++i)
      want[i] = 2.0 * x[i] * p.s;
    want[5] = n2;
    fd_gradient(vcopy_packed, pk, 6, fd);
    memset(&dp, 0, sizeof dp);
    __enzyme_autodiff((void *)vcopy, &p, &dp);
    memcpy(g, dp.v, sizeof dp.v);
    g[5] = dp.s;
    CHECK_ARRAY(g, want, fd, 6);
    memcpy(tp.v, v, sizeof tp.v);
    tp.s = v[5];
    CHECK_DERIV(__enzyme_fwddiff((void *)vcopy, &p, &tp), dotn(want, v, 6),
                fd_dir(vcopy_packed, pk, v, 6));
  }
  return report();
}
