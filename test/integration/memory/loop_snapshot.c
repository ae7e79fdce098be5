/* Loops that read a stack array their enclosing loop never writes: the
 * reverse sweep reads the array from a snapshot taken on entry to that loop
 * (test/lit/reverse/loop-snapshot.c) instead of values taped per iteration.
 * Two layers over a batch (a snapshot per sample, on a tape stack), the same
 * for one sample (a snapshot in the tape's array block), and a loop that
 * reads the array through a row offset; every gradient entry is checked
 * against central finite differences of the primal. */
#include "memcheck.h"
#include <math.h>
#include <string.h>

extern int enzyme_dup, enzyme_const;
double __enzyme_autodiff(void *, ...);

enum { N = 6, BATCH = 3, NW = 2 * N * N };

static double X[BATCH * N];

static double two_layers(const double *w, int batch) {
  const double *w1 = w, *w2 = w + N * N;
  double loss = 0;
  for (int s = 0; s < batch; ++s) {
    double h[N];
    for (int i = 0; i < N; ++i) {
      double t = 0;
      for (int j = 0; j < N; ++j)
        t += w1[i * N + j] * X[s * N + j];
      h[i] = tanh(t);
    }
    for (int i = 0; i < N; ++i) {
      double t = 0;
      for (int j = 0; j < N; ++j)
        t += w2[i * N + j] * h[j];
      loss += t * t;
    }
  }
  return loss;
}

/* Rows of a local matrix read in a nest that never writes it. */
static double rows(const double *w, int n) {
  double m[N][N];
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j)
      m[i][j] = sin(w[i * N + j]);
  double s = 0;
  for (int r = 0; r < n; ++r)
    for (int i = 0; i < N; ++i)
      for (int j = 0; j < N; ++j)
        s += m[i][j] * m[j][i] * w[N * N + (r + i + j) % (N * N)];
  return s;
}

static double batch_primal(const double *w) { return two_layers(w, BATCH); }
static double single_primal(const double *w) { return two_layers(w, 1); }
static double rows_primal(const double *w) { return rows(w, 3); }

static void fill(double *w) {
  for (int k = 0; k < NW; ++k)
    w[k] = 0.3 * sin(0.7 * k + 0.2);
}

static void check(const char *name, double (*primal)(const double *),
                  const double *w, const double *grad) {
  double fd[NW];
  fd_gradient(primal, w, NW, fd);
  printf("%s\n", name);
  CHECK_ARRAY(grad, NULL, fd, NW);
}

int main(void) {
  double w[NW], grad[NW];
  for (int k = 0; k < BATCH * N; ++k)
    X[k] = cos(0.9 * k);
  fill(w);

  memset(grad, 0, sizeof grad);
  __enzyme_autodiff((void *)two_layers, enzyme_dup, w, grad, enzyme_const,
                    BATCH);
  check("batch", batch_primal, w, grad);

  memset(grad, 0, sizeof grad);
  __enzyme_autodiff((void *)two_layers, enzyme_dup, w, grad, enzyme_const, 1);
  check("single sample", single_primal, w, grad);

  memset(grad, 0, sizeof grad);
  __enzyme_autodiff((void *)rows, enzyme_dup, w, grad, enzyme_const, 3);
  check("rows", rows_primal, w, grad);
  return report();
}
