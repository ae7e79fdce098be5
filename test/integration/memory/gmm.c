/* Log-likelihood of a 1-D Gaussian mixture with K components over N data
 * points.  Parameters: mixture logits a[K] (weights softmax(a)), means
 * mu[K], log standard deviations ls[K]; the per-component log densities go
 * through a stack array and a max-shifted log-sum-exp.
 *   LL = sum_i log sum_k w_k N(x_i; mu_k, exp(ls_k)^2)
 * With responsibilities r_ik and s_k = exp(ls_k):
 *   dLL/da_k  = sum_i (r_ik - w_k)
 *   dLL/dmu_k = sum_i r_ik (x_i - mu_k) / s_k^2
 *   dLL/dls_k = sum_i r_ik ((x_i - mu_k)^2 / s_k^2 - 1)
 * Checked against those closed forms (TOL_CLOSED) and central finite
 * differences of the primal over all 3K parameters (TOL_FD); the data are
 * const.  Forward mode along a direction through all parameters. */
#include "memcheck.h"
#include <string.h>

int enzyme_const;

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

enum { K = 3, NPTS = 24, KMAX = 8 };
static const double LOG_2PI = 1.8378770664093454836;

static double gmm_ll(const double *a, const double *mu, const double *ls,
                     const double *x, int k, int n) {
  double lw[KMAX], lp[KMAX];
  double am = a[0], sa = 0, ll = 0;
  for (int j = 1; j < k; ++j)
    if (a[j] > am)
      am = a[j];
  for (int j = 0; j < k; ++j)
    sa += exp(a[j] - am);
  for (int j = 0; j < k; ++j)
    lw[j] = a[j] - am - log(sa);
  for (int i = 0; i < n; ++i) {
    double m = -INFINITY, s = 0;
    for (int j = 0; j < k; ++j) {
      double d = (x[i] - mu[j]) * exp(-ls[j]);
      lp[j] = lw[j] - 0.5 * LOG_2PI - ls[j] - 0.5 * d * d;
      if (lp[j] > m)
        m = lp[j];
    }
    for (int j = 0; j < k; ++j)
      s += exp(lp[j] - m);
    ll += m + log(s);
  }
  return ll;
}

static double data[NPTS];

static double gmm_packed(const double *th) {
  return gmm_ll(th, th + K, th + 2 * K, data, K, NPTS);
}

/* closed-form gradient over the packed parameters (a | mu | ls) */
static void gmm_grad(const double *th, double *g) {
  const double *a = th, *mu = th + K, *ls = th + 2 * K;
  double w[K], sw = 0;
  for (int j = 0; j < K; ++j)
    sw += exp(a[j]);
  for (int j = 0; j < K; ++j)
    w[j] = exp(a[j]) / sw;
  memset(g, 0, sizeof(double) * 3 * K);
  for (int i = 0; i < NPTS; ++i) {
    double dens[K], tot = 0;
    for (int j = 0; j < K; ++j) {
      double s = exp(ls[j]), d = (data[i] - mu[j]) / s;
      dens[j] = w[j] * exp(-0.5 * d * d) / (s * sqrt(2.0 * M_PI));
      tot += dens[j];
    }
    for (int j = 0; j < K; ++j) {
      double r = dens[j] / tot, s2 = exp(2.0 * ls[j]),
             e = data[i] - mu[j];
      g[j] += r - w[j];
      g[K + j] += r * e / s2;
      g[2 * K + j] += r * (e * e / s2 - 1.0);
    }
  }
}

int main(void) {
  double th[3 * K], dth[3 * K], g[3 * K], fd[3 * K], v[3 * K];
  for (int i = 0; i < NPTS; ++i)
    data[i] = (i % 3 == 0 ? -2.0 : i % 3 == 1 ? 0.5 : 3.0) +
              0.8 * sin(2.3 * i);
  const double init[3 * K] = {0.2, -0.5, 0.1, -1.5, 0.3, 2.5,
                              -0.2, 0.4, 0.0};
  memcpy(th, init, sizeof th);
  for (int i = 0; i < 3 * K; ++i)
    v[i] = sin(1.7 * i + 0.5);

  gmm_grad(th, g);
  fd_gradient(gmm_packed, th, 3 * K, fd);
  memset(dth, 0, sizeof dth);
  __enzyme_autodiff((void *)gmm_ll, th, dth, th + K, dth + K, th + 2 * K,
                    dth + 2 * K, enzyme_const, data, K, NPTS);
  CHECK_ARRAY(dth, g, fd, 3 * K);

  /* means only */
  memset(dth, 0, sizeof dth);
  __enzyme_autodiff((void *)gmm_ll, enzyme_const, th, th + K, dth + K,
                    enzyme_const, th + 2 * K, enzyme_const, data, K, NPTS);
  double want[3 * K];
  for (int i = 0; i < 3 * K; ++i)
    want[i] = i >= K && i < 2 * K ? g[i] : 0.0;
  CHECK_ARRAY(dth, want, NULL, 3 * K);

  CHECK_DERIV(__enzyme_fwddiff((void *)gmm_ll, th, v, th + K, v + K,
                               th + 2 * K, v + 2 * K, enzyme_const, data, K,
                               NPTS),
              dotn(g, v, 3 * K), fd_dir(gmm_packed, th, v, 3 * K));
  return report();
}
