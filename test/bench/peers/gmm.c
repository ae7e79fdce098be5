/* Gaussian mixture model objective of ADBench (d = 10, k = 25, n = 1000)
 * with its Wishart prior (gamma = 1, m = 0): reverse-mode gradient w.r.t.
 * the weights, the means and the inverse covariance factors. Each component
 * is parametrized by icf: the logarithms of the diagonal of the inverse
 * Cholesky factor Q, then its strict lower triangle by columns. */
#include "harness.h"

void __enzyme_autodiff(void *, ...);

enum { D = 10, K = 25, N = 1000, ICF = D * (D + 1) / 2 };
static const double PI = 3.14159265358979323846;

static double log_sum_exp(int n, const double *x) {
  double m = x[0], s = 0;
  for (int i = 1; i < n; ++i)
    m = x[i] > m ? x[i] : m;
  for (int i = 0; i < n; ++i)
    s += exp(x[i] - m);
  return log(s) + m;
}

/* out = Q x, with Q given by its diagonal and strict lower triangle. */
static void q_times_x(int d, const double *qdiag, const double *ltri,
                      const double *x, double *out) {
  for (int i = 0; i < d; ++i)
    out[i] = qdiag[i] * x[i];
  for (int i = 0, l = 0; i < d; ++i)
    for (int j = i + 1; j < d; ++j, ++l)
      out[j] += ltri[l] * x[i];
}

static double sqnorm(int n, const double *x) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += x[i] * x[i];
  return s;
}

static double log_wishart_prior(int d, int k, double gamma, int m,
                                const double *sum_qs, const double *qdiags,
                                const double *icf) {
  int n = d + m + 1, icf_size = d * (d + 1) / 2;
  double log_gamma_d = 0.25 * d * (d - 1) * log(PI);
  for (int j = 1; j <= d; ++j)
    log_gamma_d += lgamma(0.5 * n + 0.5 * (1 - j));
  double c = n * d * (log(gamma) - 0.5 * log(2.0)) - log_gamma_d;
  double out = 0;
  for (int ik = 0; ik < k; ++ik) {
    double frobenius = sqnorm(d, qdiags + ik * d) +
                       sqnorm(icf_size - d, icf + ik * icf_size + d);
    out += 0.5 * gamma * gamma * frobenius - m * sum_qs[ik];
  }
  return out - k * c;
}

double gmm_objective(int d, int k, int n, const double *alphas,
                     const double *means, const double *icf, const double *x,
                     double gamma, int m) {
  int icf_size = d * (d + 1) / 2;
  double *qdiags = malloc(d * k * sizeof(double));
  double *sum_qs = malloc(k * sizeof(double));
  double *xc = malloc(d * sizeof(double));
  double *qxc = malloc(d * sizeof(double));
  double *main_term = malloc(k * sizeof(double));

  for (int ik = 0; ik < k; ++ik) {
    sum_qs[ik] = 0;
    for (int id = 0; id < d; ++id) {
      sum_qs[ik] += icf[ik * icf_size + id];
      qdiags[ik * d + id] = exp(icf[ik * icf_size + id]);
    }
  }
  double slse = 0;
  for (int ix = 0; ix < n; ++ix) {
    for (int ik = 0; ik < k; ++ik) {
      for (int id = 0; id < d; ++id)
        xc[id] = x[ix * d + id] - means[ik * d + id];
      q_times_x(d, qdiags + ik * d, icf + ik * icf_size + d, xc, qxc);
      main_term[ik] = alphas[ik] + sum_qs[ik] - 0.5 * sqnorm(d, qxc);
    }
    slse += log_sum_exp(k, main_term);
  }
  double err = -n * d * 0.5 * log(2 * PI) + slse - n * log_sum_exp(k, alphas) +
               log_wishart_prior(d, k, gamma, m, sum_qs, qdiags, icf);

  free(qdiags);
  free(sum_qs);
  free(xc);
  free(qxc);
  free(main_term);
  return err;
}

struct problem {
  double *alphas, *means, *icf, *x;
  double *dalphas, *dmeans, *dicf;
};

static double primal(void *ctx) {
  struct problem *p = ctx;
  return gmm_objective(D, K, N, p->alphas, p->means, p->icf, p->x, 1.0, 0);
}

static void eval(void *ctx, double *out) { *out = primal(ctx); }

static double gradient(void *ctx) {
  struct problem *p = ctx;
  memset(p->dalphas, 0, K * sizeof(double));
  memset(p->dmeans, 0, K * D * sizeof(double));
  memset(p->dicf, 0, K * ICF * sizeof(double));
  __enzyme_autodiff((void *)gmm_objective, enzyme_const, D, enzyme_const, K,
                    enzyme_const, N, enzyme_dup, p->alphas, p->dalphas,
                    enzyme_dup, p->means, p->dmeans, enzyme_dup, p->icf,
                    p->dicf, enzyme_const, p->x, enzyme_const, 1.0,
                    enzyme_const, 0);
  return p->dalphas[0];
}

int main(void) {
  struct problem p = {harness_alloc(K),       harness_alloc(K * D),
                      harness_alloc(K * ICF), harness_alloc(N * D),
                      harness_alloc(K),       harness_alloc(K * D),
                      harness_alloc(K * ICF)};
  harness_fill(p.alphas, K, -1, 1);
  harness_fill(p.means, K * D, 0, 1);
  harness_fill(p.icf, K * ICF, -0.5, 0.5);
  harness_fill(p.x, N * D, 0, 1);

  gradient(&p);
  harness_check_gradient("gmm reverse alphas", eval, &p, p.alphas, K,
                         p.dalphas);
  harness_check_gradient("gmm reverse means", eval, &p, p.means, K * D,
                         p.dmeans);
  harness_check_gradient("gmm reverse icf", eval, &p, p.icf, K * ICF, p.dicf);

  harness_compare("gmm", "reverse", primal, gradient, &p);
  return harness_exit();
}
