/* A two-layer neural network loss, weights in arrays:
 *   h = tanh(W1 x + b1),  o = W2 h + b2,  L = 1/2 sum_samples |o - t|^2
 * over a batch, with the hidden activations in a stack array per sample.
 * Reverse mode gives the gradient with respect to all weights (W1, b1, W2,
 * b2 each dup; inputs and targets const); it is checked against a
 * back-propagation written out by hand below (closed form) and against
 * central finite differences of the primal on every entry.  Forward mode
 * is checked along a direction through all weights.  A float twin of the
 * network is checked against the double closed form (TOL_FLOAT). */
#include "memcheck.h"
#include <string.h>

int enzyme_const;

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
float __ad_autodiff(void *, ...);
float __ad_fwddiff(void *, ...);

enum { NIN = 3, NH = 5, NOUT = 2, NB = 4 };
enum {
  OFF_W1 = 0,
  OFF_B1 = OFF_W1 + NH * NIN,
  OFF_W2 = OFF_B1 + NH,
  OFF_B2 = OFF_W2 + NOUT * NH,
  NPAR = OFF_B2 + NOUT
};

static double loss(const double *W1, const double *b1, const double *W2,
                   const double *b2, const double *X, const double *T,
                   int nb) {
  double L = 0;
  for (int s = 0; s < nb; ++s) {
    double h[NH];
    for (int j = 0; j < NH; ++j) {
      double a = b1[j];
      for (int i = 0; i < NIN; ++i)
        a += W1[j * NIN + i] * X[s * NIN + i];
      h[j] = tanh(a);
    }
    for (int k = 0; k < NOUT; ++k) {
      double o = b2[k];
      for (int j = 0; j < NH; ++j)
        o += W2[k * NH + j] * h[j];
      double e = o - T[s * NOUT + k];
      L += 0.5 * e * e;
    }
  }
  return L;
}

static float lossf(const float *W1, const float *b1, const float *W2,
                   const float *b2, const float *X, const float *T, int nb) {
  float L = 0;
  for (int s = 0; s < nb; ++s) {
    float h[NH];
    for (int j = 0; j < NH; ++j) {
      float a = b1[j];
      for (int i = 0; i < NIN; ++i)
        a += W1[j * NIN + i] * X[s * NIN + i];
      h[j] = tanhf(a);
    }
    for (int k = 0; k < NOUT; ++k) {
      float o = b2[k];
      for (int j = 0; j < NH; ++j)
        o += W2[k * NH + j] * h[j];
      float e = o - T[s * NOUT + k];
      L += 0.5f * e * e;
    }
  }
  return L;
}

static double X[NB * NIN], T[NB * NOUT];

/* hand-written back-propagation over the packed parameters */
static void backprop(const double *th, double *g) {
  const double *W1 = th + OFF_W1, *b1 = th + OFF_B1, *W2 = th + OFF_W2,
               *b2 = th + OFF_B2;
  memset(g, 0, sizeof(double) * NPAR);
  for (int s = 0; s < NB; ++s) {
    double h[NH], e[NOUT];
    for (int j = 0; j < NH; ++j) {
      double a = b1[j];
      for (int i = 0; i < NIN; ++i)
        a += W1[j * NIN + i] * X[s * NIN + i];
      h[j] = tanh(a);
    }
    for (int k = 0; k < NOUT; ++k) {
      double o = b2[k];
      for (int j = 0; j < NH; ++j)
        o += W2[k * NH + j] * h[j];
      e[k] = o - T[s * NOUT + k];
      g[OFF_B2 + k] += e[k];
      for (int j = 0; j < NH; ++j)
        g[OFF_W2 + k * NH + j] += e[k] * h[j];
    }
    for (int j = 0; j < NH; ++j) {
      double dh = 0;
      for (int k = 0; k < NOUT; ++k)
        dh += e[k] * W2[k * NH + j];
      double da = dh * (1.0 - h[j] * h[j]);
      g[OFF_B1 + j] += da;
      for (int i = 0; i < NIN; ++i)
        g[OFF_W1 + j * NIN + i] += da * X[s * NIN + i];
    }
  }
}

static double loss_packed(const double *th) {
  return loss(th + OFF_W1, th + OFF_B1, th + OFF_W2, th + OFF_B2, X, T, NB);
}

int main(void) {
  double th[NPAR], dth[NPAR], g[NPAR], fd[NPAR], v[NPAR];
  for (int i = 0; i < NB * NIN; ++i)
    X[i] = sin(0.77 * i + 0.3);
  for (int i = 0; i < NB * NOUT; ++i)
    T[i] = 0.5 * cos(1.9 * i);
  for (int i = 0; i < NPAR; ++i) {
    th[i] = 0.6 * sin(1.37 * i + 0.2);
    v[i] = cos(0.53 * i);
  }
  backprop(th, g);
  fd_gradient(loss_packed, th, NPAR, fd);

  memset(dth, 0, sizeof dth);
  __enzyme_autodiff((void *)loss, th + OFF_W1, dth + OFF_W1, th + OFF_B1,
                    dth + OFF_B1, th + OFF_W2, dth + OFF_W2, th + OFF_B2,
                    dth + OFF_B2, enzyme_const, X, enzyme_const, T, NB);
  CHECK_ARRAY(dth, g, fd, NPAR);

  /* only the output layer active */
  memset(dth, 0, sizeof dth);
  __enzyme_autodiff((void *)loss, enzyme_const, th + OFF_W1, enzyme_const,
                    th + OFF_B1, th + OFF_W2, dth + OFF_W2, th + OFF_B2,
                    dth + OFF_B2, enzyme_const, X, enzyme_const, T, NB);
  double want[NPAR];
  for (int i = 0; i < NPAR; ++i)
    want[i] = i < OFF_W2 ? 0.0 : g[i];
  CHECK_ARRAY(dth, want, NULL, NPAR);

  CHECK_DERIV(__enzyme_fwddiff((void *)loss, th + OFF_W1, v + OFF_W1,
                               th + OFF_B1, v + OFF_B1, th + OFF_W2,
                               v + OFF_W2, th + OFF_B2, v + OFF_B2,
                               enzyme_const, X, enzyme_const, T, NB),
              dotn(g, v, NPAR), fd_dir(loss_packed, th, v, NPAR));

  /* float twin */
  float thf[NPAR], dthf[NPAR], vf[NPAR], Xf[NB * NIN], Tf[NB * NOUT];
  double thr[NPAR], gr[NPAR];
  for (int i = 0; i < NB * NIN; ++i)
    Xf[i] = (float)X[i];
  for (int i = 0; i < NB * NOUT; ++i)
    Tf[i] = (float)T[i];
  for (int i = 0; i < NPAR; ++i) {
    thf[i] = (float)th[i];
    thr[i] = thf[i];
    vf[i] = (float)v[i];
    dthf[i] = 0;
  }
  /* the closed form at the float-rounded data */
  double Xs[NB * NIN], Ts[NB * NOUT];
  memcpy(Xs, X, sizeof X);
  memcpy(Ts, T, sizeof T);
  for (int i = 0; i < NB * NIN; ++i)
    X[i] = Xf[i];
  for (int i = 0; i < NB * NOUT; ++i)
    T[i] = Tf[i];
  backprop(thr, gr);
  memcpy(X, Xs, sizeof X);
  memcpy(T, Ts, sizeof T);

  __ad_autodiff((void *)lossf, thf + OFF_W1, dthf + OFF_W1, thf + OFF_B1,
                dthf + OFF_B1, thf + OFF_W2, dthf + OFF_W2, thf + OFF_B2,
                dthf + OFF_B2, enzyme_const, Xf, enzyme_const, Tf, NB);
  CHECK_ARRAY_F(dthf, gr, NULL, NPAR);
  double wantv = 0;
  for (int i = 0; i < NPAR; ++i)
    wantv += gr[i] * (double)vf[i];
  CHECK_DERIV_F(__ad_fwddiff((void *)lossf, thf + OFF_W1, vf + OFF_W1,
                             thf + OFF_B1, vf + OFF_B1, thf + OFF_W2,
                             vf + OFF_W2, thf + OFF_B2, vf + OFF_B2,
                             enzyme_const, Xf, enzyme_const, Tf, NB),
                wantv, NAN);
  return report();
}
