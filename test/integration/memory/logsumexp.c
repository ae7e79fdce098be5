/* Log-sum-exp (shifted by the maximum), softmax cross-entropy, and a
 * softmax written into an output array, in double and float.
 *   lse(z)        d/dz = softmax(z)
 *   xent(z, c)    = lse(z) - z[c];       d/dz = softmax(z) - onehot(c)
 *   softmax(z, p) reverse with dp = w:   dz = p * (w - <p, w>)
 *                 forward with tz:       tp = p * (tz - <p, tz>)
 * Closed forms (TOL_CLOSED) and central finite differences (TOL_FD). */
#include "memcheck.h"
#include <string.h>

int enzyme_const;
int enzyme_dup;

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
float __ad_autodiff(void *, ...);
float __ad_fwddiff(void *, ...);

enum { NZ = 7 };

static double lse(const double *z, int n) {
  double m = z[0], s = 0;
  for (int i = 1; i < n; ++i)
    if (z[i] > m)
      m = z[i];
  for (int i = 0; i < n; ++i)
    s += exp(z[i] - m);
  return m + log(s);
}

static double xent(const double *z, int c, int n) { return lse(z, n) - z[c]; }

static void softmax(const double *z, double *p, int n) {
  double m = z[0], s = 0;
  for (int i = 1; i < n; ++i)
    m = fmax(m, z[i]);
  for (int i = 0; i < n; ++i) {
    p[i] = exp(z[i] - m);
    s += p[i];
  }
  for (int i = 0; i < n; ++i)
    p[i] /= s;
}

static float lsef(const float *z, int n) {
  float m = z[0], s = 0;
  for (int i = 1; i < n; ++i)
    if (z[i] > m)
      m = z[i];
  for (int i = 0; i < n; ++i)
    s += expf(z[i] - m);
  return m + logf(s);
}

static float xentf(const float *z, int c, int n) {
  return lsef(z, n) - z[c];
}

/* reference softmax, computed without shifting */
static void ref_softmax(const double *z, int n, double *p) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += exp(z[i]);
  for (int i = 0; i < n; ++i)
    p[i] = exp(z[i]) / s;
}

static int g_c;
static double lse_n(const double *z) { return lse(z, NZ); }
static double xent_n(const double *z) { return xent(z, g_c, NZ); }

int main(void) {
  double z[NZ], dz[NZ], p[NZ], fd[NZ], want[NZ], v[NZ];
  for (int t = 0; t < 3; ++t) {
    for (int i = 0; i < NZ; ++i) {
      z[i] = 2.0 * sin(1.1 * i + t) + (t == 2 ? 40.0 : 0.0);
      v[i] = cos(0.9 * i - t);
    }
    ref_softmax(z, NZ, p);

    /* lse */
    memset(dz, 0, sizeof dz);
    fd_gradient(lse_n, z, NZ, fd);
    __enzyme_autodiff((void *)lse, z, dz, NZ);
    CHECK_ARRAY(dz, p, fd, NZ);
    CHECK_DERIV(__enzyme_fwddiff((void *)lse, z, v, NZ), dotn(p, v, NZ),
                fd_dir(lse_n, z, v, NZ));

    /* cross-entropy with label c */
    g_c = (3 * t + 1) % NZ;
    for (int i = 0; i < NZ; ++i)
      want[i] = p[i] - (i == g_c ? 1.0 : 0.0);
    memset(dz, 0, sizeof dz);
    fd_gradient(xent_n, z, NZ, fd);
    __enzyme_autodiff((void *)xent, z, dz, g_c, NZ);
    CHECK_ARRAY(dz, want, fd, NZ);
    CHECK_DERIV(__enzyme_fwddiff((void *)xent, z, v, g_c, NZ),
                dotn(want, v, NZ), fd_dir(xent_n, z, v, NZ));

    /* softmax into an output array */
    double out[NZ], dout[NZ], w[NZ], tout[NZ];
    for (int i = 0; i < NZ; ++i)
      w[i] = dout[i] = 0.3 * i - 1.0;
    memset(dz, 0, sizeof dz);
    __enzyme_autodiff((void *)softmax, z, dz, out, dout, NZ);
    double pw = dotn(p, w, NZ), pv = dotn(p, v, NZ);
    for (int i = 0; i < NZ; ++i)
      want[i] = p[i] * (w[i] - pw);
    CHECK_ARRAY(dz, want, NULL, NZ);
    CHECK_ARRAY(out, p, NULL, NZ);
    for (int i = 0; i < NZ; ++i)
      CHECK_TRUE(dout[i] == 0.0);
    memset(tout, 0, sizeof tout);
    __enzyme_fwddiff((void *)softmax, z, v, out, tout, NZ);
    for (int i = 0; i < NZ; ++i)
      want[i] = p[i] * (v[i] - pv);
    CHECK_ARRAY(tout, want, NULL, NZ);

    /* float twins, against the double closed form at the rounded point */
    float zf[NZ], dzf[NZ], vf[NZ];
    double zr[NZ], pr[NZ];
    for (int i = 0; i < NZ; ++i) {
      zf[i] = (float)z[i];
      zr[i] = zf[i];
      vf[i] = (float)v[i];
      dzf[i] = 0;
    }
    ref_softmax(zr, NZ, pr);
    __ad_autodiff((void *)lsef, zf, dzf, NZ);
    CHECK_ARRAY_F(dzf, pr, NULL, NZ);
    double wantv = 0;
    for (int i = 0; i < NZ; ++i)
      wantv += pr[i] * (double)vf[i];
    CHECK_DERIV_F(__ad_fwddiff((void *)lsef, zf, vf, NZ), wantv, NAN);
    memset(dzf, 0, sizeof dzf);
    __ad_autodiff((void *)xentf, zf, dzf, g_c, NZ);
    for (int i = 0; i < NZ; ++i)
      want[i] = pr[i] - (i == g_c ? 1.0 : 0.0);
    CHECK_ARRAY_F(dzf, want, NULL, NZ);
  }
  return report();
}
