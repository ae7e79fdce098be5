/* The n-dimensional Rosenbrock function (n = 10), double and float:
 *   f(x) = sum_{i<n-1} 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2
 * with the closed-form gradient
 *   df/dx[i] = -400 x[i] (x[i+1] - x[i]^2) - 2 (1 - x[i])    (i < n-1)
 *            + 200 (x[i] - x[i-1]^2)                          (i > 0)
 * Reverse mode fills the whole gradient through the dup shadow; forward
 * mode gives each coordinate (basis tangents) and a mixed direction. */
#include "memcheck.h"
#include <string.h>

int enzyme_const;

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
float __ad_autodiff(void *, ...);
float __ad_fwddiff(void *, ...);

enum { NDIM = 10 };

static double rosen(const double *x, int n) {
  double f = 0;
  for (int i = 0; i < n - 1; ++i) {
    double a = x[i + 1] - x[i] * x[i], b = 1.0 - x[i];
    f += 100.0 * a * a + b * b;
  }
  return f;
}

static float rosenf(const float *x, int n) {
  float f = 0;
  for (int i = 0; i < n - 1; ++i) {
    float a = x[i + 1] - x[i] * x[i], b = 1.0f - x[i];
    f += 100.0f * a * a + b * b;
  }
  return f;
}

static void rosen_grad(const double *x, int n, double *g) {
  for (int i = 0; i < n; ++i) {
    g[i] = 0;
    if (i < n - 1)
      g[i] += -400.0 * x[i] * (x[i + 1] - x[i] * x[i]) - 2.0 * (1.0 - x[i]);
    if (i > 0)
      g[i] += 200.0 * (x[i] - x[i - 1] * x[i - 1]);
  }
}

static double rosen10(const double *x) { return rosen(x, NDIM); }

int main(void) {
  double x[NDIM], dx[NDIM], g[NDIM], fd[NDIM], e[NDIM], v[NDIM];
  /* point 2 is the minimum x = (1, ..., 1), where the gradient vanishes */
  for (int pt = 0; pt < 3; ++pt) {
    for (int i = 0; i < NDIM; ++i)
      x[i] = pt == 2 ? 1.0 : 1.2 * sin(0.9 * i + 0.4 * pt) + 0.1 * pt;
    rosen_grad(x, NDIM, g);
    fd_gradient(rosen10, x, NDIM, fd);

    memset(dx, 0, sizeof dx);
    __enzyme_autodiff((void *)rosen, x, dx, NDIM);
    CHECK_ARRAY(dx, g, fd, NDIM);

    for (int i = 0; i < NDIM; ++i) {
      memset(e, 0, sizeof e);
      e[i] = 1.0;
      CHECK_DERIV(__enzyme_fwddiff((void *)rosen, x, e, NDIM), g[i], fd[i]);
    }
    for (int i = 0; i < NDIM; ++i)
      v[i] = cos(2.1 * i + pt);
    CHECK_DERIV(__enzyme_fwddiff((void *)rosen, x, v, NDIM), dotn(g, v, NDIM),
                fd_dir(rosen10, x, v, NDIM));

    /* float twin vs the double closed form at the rounded point */
    float xf[NDIM], dxf[NDIM], vf[NDIM];
    double xr[NDIM], gr[NDIM];
    for (int i = 0; i < NDIM; ++i) {
      xf[i] = (float)x[i];
      xr[i] = xf[i];
      vf[i] = (float)v[i];
      dxf[i] = 0;
    }
    rosen_grad(xr, NDIM, gr);
    __ad_autodiff((void *)rosenf, xf, dxf, NDIM);
    CHECK_ARRAY_F(dxf, gr, NULL, NDIM);
    double want = 0;
    for (int i = 0; i < NDIM; ++i)
      want += gr[i] * (double)vf[i];
    CHECK_DERIV_F(__ad_fwddiff((void *)rosenf, xf, vf, NDIM), want, NAN);
  }
  return report();
}
