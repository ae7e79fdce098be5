/* Tape buffers kept between calls: a gradient whose loop tapes one value
 * per iteration is called again and again with sizes that grow and shrink
 * (the kept buffer is reused, outgrown and swapped), from four threads at
 * once (each thread keeps its own), and through recursion (an activation
 * that finds the buffer taken by an outer one of the same derivative gets
 * its own). Every gradient is compared with its closed form. */
#include "memcheck.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

extern int enzyme_dup, enzyme_const;
double __enzyme_autodiff(void *, ...);

enum { MAXN = 2000, THREADS = 4, CALLS = 60, DEPTH = 3 };

/* sum_i sin(x_i) x_{i+1}: the reverse sweep reads each sin from the tape. */
static double chain(const double *x, int n) {
  double s = 0;
  for (int i = 0; i + 1 < n; ++i)
    s += sin(x[i]) * x[i + 1];
  return s;
}

static void chain_closed(const double *x, int n, double *g) {
  for (int i = 0; i < n; ++i) {
    g[i] = 0;
    if (i + 1 < n)
      g[i] += cos(x[i]) * x[i + 1];
    if (i > 0)
      g[i] += sin(x[i - 1]);
  }
}

/* chain at every depth, each level halving the next: the levels' tapes are
 * live at once. */
static double nested(const double *x, int n, int depth) {
  double s = chain(x, n);
  if (depth > 0)
    s += 0.5 * nested(x, n, depth - 1);
  return s;
}

static void fill(double *x, int n, int seed) {
  for (int i = 0; i < n; ++i)
    x[i] = sin(0.37 * i + 0.11 * seed);
}

/* The largest relative error of the gradient at size n. */
static double chain_error(int n, int seed) {
  double *x = malloc(n * sizeof *x), *g = calloc(n, sizeof *g),
         *want = malloc(n * sizeof *want);
  fill(x, n, seed);
  __enzyme_autodiff((void *)chain, enzyme_dup, x, g, enzyme_const, n);
  chain_closed(x, n, want);
  double worst = 0;
  for (int i = 0; i < n; ++i) {
    double e = fabs(g[i] - want[i]) / (1 + fabs(want[i]));
    worst = e > worst ? e : worst;
  }
  free(x);
  free(g);
  free(want);
  return worst;
}

static void *worker(void *arg) {
  int t = (int)(long)arg;
  double *worst = malloc(sizeof *worst);
  *worst = 0;
  for (int c = 0; c < CALLS; ++c) {
    int n = 2 + (37 * t + 211 * c) % MAXN;
    double e = chain_error(n, t * CALLS + c);
    *worst = e > *worst ? e : *worst;
  }
  return worst;
}

int main(void) {
  /* One thread: sizes up, down and up again. */
  int sizes[] = {10, 1000, 3, 2000, 500, 2000, 7};
  for (unsigned k = 0; k < sizeof sizes / sizeof *sizes; ++k)
    CHECK_CLOSE(chain_error(sizes[k], k), 0, 0, 1e-13);

  pthread_t threads[THREADS];
  for (long t = 0; t < THREADS; ++t)
    CHECK_TRUE(pthread_create(&threads[t], NULL, worker, (void *)t) == 0);
  for (int t = 0; t < THREADS; ++t) {
    void *worst;
    CHECK_TRUE(pthread_join(threads[t], &worst) == 0);
    CHECK_CLOSE(*(double *)worst, 0, 0, 1e-13);
    free(worst);
  }

  /* Recursion: each level adds 2^-level times chain's gradient. */
  int n = 300;
  double *x = malloc(n * sizeof *x), *g = calloc(n, sizeof *g),
         *want = malloc(n * sizeof *want);
  fill(x, n, 5);
  for (int call = 0; call < 3; ++call) {
    memset(g, 0, n * sizeof *g);
    __enzyme_autodiff((void *)nested, enzyme_dup, x, g, enzyme_const, n,
                      enzyme_const, DEPTH);
    chain_closed(x, n, want);
    double scale = 2 - 1.0 / (1 << DEPTH);
    for (int i = 0; i < n; ++i)
      want[i] *= scale;
    CHECK_ARRAY(g, want, NULL, n);
  }
  free(x);
  free(g);
  free(want);
  return report();
}
