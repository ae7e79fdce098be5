/* Arrays of structs through duplicated pointers: the shadow is an array of
 * the same struct (its int field is ignored).
 *   coulomb(p, n): E = sum_{i<j} q_i q_j / r_ij,  r_ij = sqrt(dx^2+dy^2+eps)
 *     dE/dx_i = -sum_{j!=i} q_i q_j (x_i - x_j) / r_ij^3  (same for y)
 *     dE/dq_i =  sum_{j!=i} q_j / r_ij
 *   drift_energy(p, n, dt): moves every particle in place
 *     (x += dt q y, y -= dt q x_old) and returns the energy afterwards;
 *     checked against central finite differences (TOL_FD), with dt an
 *     active scalar whose adjoint is returned. */
#include "memcheck.h"
#include <string.h>

int enzyme_const;

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

struct particle {
  double x, y;
  int id;
  double q;
};

enum { NP = 5 };
static const double EPS = 1e-3;

static double coulomb(const struct particle *p, int n) {
  double e = 0;
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j) {
      double dx = p[i].x - p[j].x, dy = p[i].y - p[j].y;
      e += p[i].q * p[j].q / sqrt(dx * dx + dy * dy + EPS);
    }
  return e;
}

static double drift_energy(struct particle *p, int n, double dt) {
  for (int i = 0; i < n; ++i) {
    double x = p[i].x;
    p[i].x += dt * p[i].q * p[i].y;
    p[i].y -= dt * p[i].q * x;
  }
  return coulomb(p, n);
}

/* packed (x, y, q) per particle, then dt, for the finite differences */
static double coulomb_packed(const double *v) {
  struct particle p[NP];
  for (int i = 0; i < NP; ++i) {
    p[i].x = v[3 * i];
    p[i].y = v[3 * i + 1];
    p[i].q = v[3 * i + 2];
    p[i].id = i;
  }
  return coulomb(p, NP);
}
static double drift_packed(const double *v) {
  struct particle p[NP];
  for (int i = 0; i < NP; ++i) {
    p[i].x = v[3 * i];
    p[i].y = v[3 * i + 1];
    p[i].q = v[3 * i + 2];
    p[i].id = i;
  }
  return drift_energy(p, NP, v[3 * NP]);
}

static void unpack_grad(const struct particle *dp, double *g) {
  for (int i = 0; i < NP; ++i) {
    g[3 * i] = dp[i].x;
    g[3 * i + 1] = dp[i].y;
    g[3 * i + 2] = dp[i].q;
  }
}

int main(void) {
  struct particle p[NP], dp[NP];
  double v[3 * NP + 1], g[3 * NP + 1], want[3 * NP], fd[3 * NP + 1],
      dir[3 * NP];
  for (int i = 0; i < NP; ++i) {
    p[i].x = v[3 * i] = cos(1.3 * i) * (1.0 + 0.2 * i);
    p[i].y = v[3 * i + 1] = sin(1.3 * i) * (1.0 + 0.2 * i);
    p[i].q = v[3 * i + 2] = i % 2 ? -0.7 - 0.1 * i : 1.0 + 0.1 * i;
    p[i].id = i;
  }
  v[3 * NP] = 0.05;

  /* closed form of the Coulomb gradient */
  for (int i = 0; i < NP; ++i) {
    double gx = 0, gy = 0, gq = 0;
    for (int j = 0; j < NP; ++j) {
      if (j == i)
        continue;
      double dx = p[i].x - p[j].x, dy = p[i].y - p[j].y;
      double r = sqrt(dx * dx + dy * dy + EPS);
      gx -= p[i].q * p[j].q * dx / (r * r * r);
      gy -= p[i].q * p[j].q * dy / (r * r * r);
      gq += p[j].q / r;
    }
    want[3 * i] = gx;
    want[3 * i + 1] = gy;
    want[3 * i + 2] = gq;
  }
  fd_gradient(coulomb_packed, v, 3 * NP, fd);
  memset(dp, 0, sizeof dp);
  __enzyme_autodiff((void *)coulomb, p, dp, NP);
  unpack_grad(dp, g);
  CHECK_ARRAY(g, want, fd, 3 * NP);

  /* forward along a direction through every field; the int field's shadow
   * holds garbage that must not matter */
  struct particle tp[NP];
  for (int i = 0; i < NP; ++i) {
    tp[i].x = dir[3 * i] = sin(0.4 * i + 1);
    tp[i].y = dir[3 * i + 1] = cos(0.7 * i);
    tp[i].q = dir[3 * i + 2] = 0.5 - 0.2 * i;
    tp[i].id = 12345;
  }
  CHECK_DERIV(__enzyme_fwddiff((void *)coulomb, p, tp, NP),
              dotn(want, dir, 3 * NP), fd_dir(coulomb_packed, v, dir, 3 * NP));

  /* in-place update, then the energy: reverse gives the gradient with
   * respect to the state before the update, and dt's adjoint */
  struct particle pm[NP];
  memcpy(pm, p, sizeof pm);
  memset(dp, 0, sizeof dp);
  fd_gradient(drift_packed, v, 3 * NP + 1, fd);
  g[3 * NP] = __enzyme_autodiff((void *)drift_energy, pm, dp, NP, 0.05);
  unpack_grad(dp, g);
  CHECK_ARRAY(g, NULL, fd, 3 * NP + 1);
  /* the primal moved the particles */
  CHECK_CLOSE(pm[1].x, p[1].x + 0.05 * p[1].q * p[1].y, 1e-15, 0);

  /* forward of the in-place version along dt only */
  memcpy(pm, p, sizeof pm);
  memset(tp, 0, sizeof tp);
  CHECK_DERIV(__enzyme_fwddiff((void *)drift_energy, pm, tp, NP, 0.05, 1.0),
              NAN, fd[3 * NP]);
  return report();
}
