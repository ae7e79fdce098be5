/* Local arrays on the stack, written and then read back inside the
 * differentiated function.
 *   prefix(x, n)  double tmp[16]: u_i = x_i^2 + sin x_i, then in place
 *                 t_i = u_i + t_{i-1} / 2, result s = sum_i t_i t_{n-1-i}.
 *                 ds/dt_k = 2 t_{n-1-k};  ds/du_j = sum_{i>=j} 2^{j-i}
 *                 ds/dt_i;  ds/dx_j = ds/du_j (2 x_j + cos x_j)
 *   gram(x)       double M[4][4] = x x^T + I, result sum_ij M_ij^2;
 *                 df/dx_k = 4 sum_j M_kj x_j
 *   vla(x, n)     double buf[n] (a run-time sized stack array) holding
 *                 exp(x_i / 2); result sum_i buf_i * buf_{(i+1)%n};
 *                 df/dx_k = (b_{k+1} b_k + b_k b_{k-1}) / 2
 *   local_struct(x) a struct with an array member on the stack.
 * Closed forms (TOL_CLOSED) and central finite differences (TOL_FD). */
#include "memcheck.h"
#include <string.h>

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

static double prefix(const double *x, int n) {
  double tmp[16];
  for (int i = 0; i < n; ++i)
    tmp[i] = x[i] * x[i] + sin(x[i]);
  for (int i = 1; i < n; ++i)
    tmp[i] += 0.5 * tmp[i - 1];
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += tmp[i] * tmp[n - 1 - i];
  return s;
}

static double gram(const double *x) {
  double M[4][4];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      M[i][j] = x[i] * x[j] + (i == j ? 1.0 : 0.0);
  double f = 0;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      f += M[i][j] * M[i][j];
  return f;
}

static double vla(const double *x, int n) {
  double buf[n];
  for (int i = 0; i < n; ++i)
    buf[i] = exp(0.5 * x[i]);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += buf[i] * buf[(i + 1) % n];
  return s;
}

struct acc {
  double v[4];
  double total;
  int count;
};

/* sum_i (x_i + x_{3-i})^2 / (1 + i) through a local struct */
static double local_struct(const double *x) {
  struct acc a;
  a.total = 0;
  a.count = 0;
  for (int i = 0; i < 4; ++i)
    a.v[i] = x[i] + x[3 - i];
  for (int i = 0; i < 4; ++i) {
    a.total += a.v[i] * a.v[i] / (1.0 + a.count);
    ++a.count;
  }
  return a.total;
}

enum { NX = 9, NV = 6 };
static double prefix_n(const double *x) { return prefix(x, NX); }
static double vla_n(const double *x) { return vla(x, NV); }

int main(void) {
  double x[NX], dx[NX], want[NX], fd[NX], v[NX];
  for (int i = 0; i < NX; ++i) {
    x[i] = 0.9 * sin(1.7 * i + 0.3);
    v[i] = cos(0.6 * i);
  }

  /* prefix: closed form via the explicit lower-triangular map */
  {
    double t[NX], u[NX], dt[NX];
    for (int i = 0; i < NX; ++i)
      u[i] = x[i] * x[i] + sin(x[i]);
    for (int i = 0; i < NX; ++i) {
      t[i] = 0;
      for (int j = 0; j <= i; ++j)
        t[i] += pow(0.5, i - j) * u[j];
    }
    for (int k = 0; k < NX; ++k)
      dt[k] = 2.0 * t[NX - 1 - k];
    for (int j = 0; j < NX; ++j) {
      double du = 0;
      for (int i = j; i < NX; ++i)
        du += pow(0.5, i - j) * dt[i];
      want[j] = du * (2.0 * x[j] + cos(x[j]));
    }
    fd_gradient(prefix_n, x, NX, fd);
    memset(dx, 0, sizeof dx);
    __enzyme_autodiff((void *)prefix, x, dx, NX);
    CHECK_ARRAY(dx, want, fd, NX);
    CHECK_DERIV(__enzyme_fwddiff((void *)prefix, x, v, NX),
                dotn(want, v, NX), fd_dir(prefix_n, x, v, NX));
  }

  /* gram */
  {
    double M[4][4];
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j)
        M[i][j] = x[i] * x[j] + (i == j);
    for (int k = 0; k < 4; ++k) {
      want[k] = 0;
      for (int j = 0; j < 4; ++j)
        want[k] += 4.0 * M[k][j] * x[j];
    }
    fd_gradient(gram, x, 4, fd);
    memset(dx, 0, sizeof dx);
    __enzyme_autodiff((void *)gram, x, dx);
    CHECK_ARRAY(dx, want, fd, 4);
    CHECK_DERIV(__enzyme_fwddiff((void *)gram, x, v), dotn(want, v, 4),
                fd_dir(gram, x, v, 4));
  }

  /* vla */
  {
    double b[NV];
    for (int i = 0; i < NV; ++i)
      b[i] = exp(0.5 * x[i]);
    for (int k = 0; k < NV; ++k)
      want[k] = 0.5 * b[k] * (b[(k + 1) % NV] + b[(k + NV - 1) % NV]);
    fd_gradient(vla_n, x, NV, fd);
    memset(dx, 0, sizeof dx);
    __enzyme_autodiff((void *)vla, x, dx, NV);
    CHECK_ARRAY(dx, want, fd, NV);
    CHECK_DERIV(__enzyme_fwddiff((void *)vla, x, v, NV), dotn(want, v, NV),
                fd_dir(vla_n, x, v, NV));
  }

  /* local struct: d/dx_k = sum_i 2 a_i / (1 + i) [k == i or k == 3 - i] */
  {
    double a[4];
    for (int i = 0; i < 4; ++i)
      a[i] = x[i] + x[3 - i];
    for (int k = 0; k < 4; ++k)
      want[k] = 2.0 * a[k] / (1.0 + k) + 2.0 * a[3 - k] / (4.0 - k);
    fd_gradient(local_struct, x, 4, fd);
    memset(dx, 0, sizeof dx);
    __enzyme_autodiff((void *)local_struct, x, dx);
    CHECK_ARRAY(dx, want, fd, 4);
    CHECK_DERIV(__enzyme_fwddiff((void *)local_struct, x, v),
                dotn(want, v, 4), fd_dir(local_struct, x, v, 4));
  }
  return report();
}
