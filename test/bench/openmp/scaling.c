/* Scaling of an OpenMP loop nest's reverse-mode gradient with threads,
 * against its primal's: a 2-D five-point stencil energy on a 1024 x 1024 grid
 * (rows split across threads) and a pairwise Gaussian interaction energy
 * over 2000 points (every thread reads every point). Prints, for 1 and 2
 * threads, the seconds per call of the primal and of the gradient, each
 * one's speed-up at 2 threads, and the gradient's speed-up over the
 * primal's (the target is at least 0.9). The gradient is checked against
 * central finite differences first. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

double __enzyme_autodiff(void *, ...);
extern int enzyme_dup, enzyme_const;

enum { Side = 1024, Points = 2000, Samples = 7 };

static double stencil(const double *u, int n) {
  double e = 0;
#pragma omp parallel for reduction(+ : e) schedule(static)
  for (int i = 1; i < n - 1; i++)
    for (int j = 1; j < n - 1; j++) {
      double lap = u[(i - 1) * n + j] + u[(i + 1) * n + j] + u[i * n + j - 1] +
                   u[i * n + j + 1] - 4 * u[i * n + j];
      e += 0.5 * lap * lap + 0.1 * u[i * n + j] * u[i * n + j] * u[i * n + j];
    }
  return e;
}

static double pairwise(const double *x, int n) {
  double e = 0;
#pragma omp parallel for reduction(+ : e) schedule(static)
  for (int i = 0; i < n; i++) {
    double xi = x[i];
    for (int j = 0; j < n; j++) {
      double d = xi - x[j];
      e += exp(-d * d);
    }
  }
  return e;
}

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

typedef double (*objective)(const double *, int);
typedef void (*gradient_fn)(const double *, double *, int);

static void stencil_gradient(const double *u, double *du, int n) {
  __enzyme_autodiff((void *)stencil, enzyme_dup, u, du, enzyme_const, n);
}

static void pairwise_gradient(const double *x, double *dx, int n) {
  __enzyme_autodiff((void *)pairwise, enzyme_dup, x, dx, enzyme_const, n);
}

/* Median of Samples timings of `reps` calls. */
static double time_calls(objective f, gradient_fn g, const double *x,
                         double *dx, int n, int reps) {
  double t[Samples];
  for (int k = 0; k < Samples; k++) {
    double start = seconds();
    for (int r = 0; r < reps; r++) {
      if (f) {
        volatile double sink = f(x, n);
        (void)sink;
      } else {
        g(x, dx, n);
      }
    }
    t[k] = (seconds() - start) / reps;
  }
  for (int a = 0; a < Samples; a++)
    for (int b = a + 1; b < Samples; b++)
      if (t[b] < t[a]) {
        double s = t[a];
        t[a] = t[b];
        t[b] = s;
      }
  return t[Samples / 2];
}

static int check(const char *name, objective f, gradient_fn g, double *x,
                 int len, int n) {
  double *dx = calloc(len, sizeof *dx);
  g(x, dx, n);
  int bad = 0;
  for (int k = 0; k < 5; k++) {
    int i = (int)((k * 7919L + 13) % len);
    double h = 1e-4, keep = x[i];
    x[i] = keep + h;
    double up = f(x, n);
    x[i] = keep - h;
    double down = f(x, n);
    x[i] = keep;
    double fd = (up - down) / (2 * h);
    if (fabs(fd - dx[i]) > 1e-4 * (1 + fabs(fd))) {
      printf("%s: gradient entry %d is %.10g, finite difference %.10g\n", name,
             i, dx[i], fd);
      bad = 1;
    }
  }
  free(dx);
  return bad;
}

static void measure(const char *name, objective f, gradient_fn g, double *x,
                    int len, int n, int reps) {
  double *dx = calloc(len, sizeof *dx);
  double primal[2], grad[2];
  for (int t = 0; t < 2; t++) {
    omp_set_num_threads(t + 1);
    primal[t] = time_calls(f, NULL, x, dx, n, reps);
    grad[t] = time_calls(NULL, g, x, dx, n, reps);
  }
  double sp = primal[0] / primal[1], sg = grad[0] / grad[1];
  printf("| %s | %.2f | %.2f | %.2f | %.2f | %.2fx | %.2fx | %.2f |\n", name,
         1e3 * primal[0], 1e3 * primal[1], 1e3 * grad[0], 1e3 * grad[1], sp, sg,
         sg / sp);
  free(dx);
}

int main(void) {
  double *u = malloc(sizeof(double) * Side * Side);
  double *x = malloc(sizeof(double) * Points);
  for (int i = 0; i < Side * Side; i++)
    u[i] = sin(0.001 * i) + 0.1 * cos(0.37 * i);
  for (int i = 0; i < Points; i++)
    x[i] = 0.01 * i + 0.3 * sin(i);
  if (check("stencil", stencil, stencil_gradient, u, Side * Side, Side) |
      check("pairwise", pairwise, pairwise_gradient, x, Points, Points))
    return 1;
  printf("| loop nest | primal 1 thread (ms) | primal 2 threads (ms) | "
         "gradient 1 thread (ms) | gradient 2 threads (ms) | primal "
         "speed-up | gradient speed-up | ratio |\n|---|---:|---:|---:|---:|"
         "---:|---:|---:|\n");
  measure("stencil 1024x1024", stencil, stencil_gradient, u, Side * Side, Side,
          10);
  measure("pairwise 2000", pairwise, pairwise_gradient, x, Points, Points, 3);
  free(u);
  free(x);
  return 0;
}
