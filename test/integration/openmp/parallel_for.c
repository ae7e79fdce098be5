/* OpenMP parallel regions differentiated in reverse and forward mode:
 * worksharing loops with static, chunked and dynamic schedules, a
 * reduction, critical sections, atomics, barriers between loops,
 * thread numbers, private copies, collapsed nests, calls inside regions,
 * regions inside calls and a user-defined reduction. Every gradient is compared
 * with central finite differences of the same parallel program, and the forward
 * derivative along a direction with the gradient's projection. Run with
 * OMP_NUM_THREADS 1, 2 and 4: each thread count must give the same
 * derivatives (within the tolerances of check.h). */
#include "../host/check.h"

#include <math.h>
#include <omp.h>

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
extern int enzyme_dup, enzyme_const;

#define N 37

/* reduction(+) over the default static schedule */
static double reduction(const double *p) {
  double s = 0;
#pragma omp parallel for reduction(+ : s)
  for (int i = 0; i < N; i++)
    s += p[i] * p[i] * (1 + 0.1 * i);
  return s;
}

/* a dynamic schedule with chunks of 3; every thread reads p[N - 1]. The
 * schedule is monotonic: libomp's nonmonotonic one (work stealing) can
 * fail its own assertion under load (llvm-project issues 86995, 132164),
 * with or without derivatives. */
static double dynamic_map(const double *p) {
  double y[N];
  double a = 0;
#pragma omp parallel for schedule(monotonic : dynamic, 3)
  for (int i = 0; i < N; i++)
    y[i] = p[N - 1] * sin(p[i]) + cos(p[i]) * p[(i + 5) % N];
  for (int i = 0; i < N; i++)
    a += y[i] * y[i];
  return a;
}

/* each thread sums its chunks, then adds them in a critical section */
static double critical_sum(const double *p) {
  double s = 0;
#pragma omp parallel
  {
    double part = 0;
#pragma omp for schedule(static, 2)
    for (int i = 0; i < N; i++)
      part += exp(0.1 * p[i]) * p[i];
#pragma omp critical
    s += part;
  }
  return s * s;
}

/* atomic updates of one shared sum */
static double atomic_sum(const double *p) {
  double s = 0;
#pragma omp parallel for
  for (int i = 0; i < N - 1; i++) {
    double term = p[i] * p[i + 1];
#pragma omp atomic
    s += term;
  }
  return s;
}

/* the second loop reads what other threads wrote in the first: the
 * implicit barrier after the first loop orders them, and its mirror in
 * the reverse sweep orders the adjoints */
static double two_phases(const double *p) {
  double t[N], y[N];
  double s = 0;
#pragma omp parallel
  {
#pragma omp for
    for (int i = 0; i < N; i++)
      t[i] = p[i] * p[i] + 0.5 * p[i];
#pragma omp for
    for (int i = 0; i < N; i++)
      y[i] = t[i] * t[(i + 7) % N];
#pragma omp barrier
  }
  for (int i = 0; i < N; i++)
    s += y[i];
  return s;
}

/* threads split the index range by their numbers */
static double by_thread_number(const double *p) {
  double parts[64] = {0};
  double s = 0;
  int teams = 1;
#pragma omp parallel
  {
    int me = omp_get_thread_num(), team = omp_get_num_threads();
    if (me == 0)
      teams = team;
    for (int i = me; i < N; i += team)
      parts[me] += sin(p[i]) * p[i];
  }
  for (int t = 0; t < teams; t++)
    s += parts[t];
  return s;
}

/* firstprivate scalars (passed to the region as integer bits), a
 * lastprivate result, three threads whatever the environment says */
static double private_copies(const double *p) {
  double scale = p[0] * p[0];
  double shift = p[1];
  double last = 0, s = 0;
#pragma omp parallel for firstprivate(scale, shift) lastprivate(last)          \
    num_threads(3) reduction(+ : s)
  for (int i = 2; i < N; i++) {
    last = scale * p[i] + shift;
    s += last * p[i - 1];
  }
  return s + last * last;
}

/* a collapsed loop nest, a product and a max reduction */
static double collapsed(const double *p) {
  double prod = 1, top = -1e300;
#pragma omp parallel for collapse(2) reduction(* : prod) reduction(max : top)
  for (int i = 0; i < 6; i++)
    for (int j = 0; j < 6; j++) {
      prod *= 1 + 0.01 * p[i] * p[j + 6];
      double v = p[i] - p[j + 12] * p[j + 12];
      top = v > top ? v : top;
    }
  return prod + top;
}

/* a callee differentiated inside the region: its adjoints to the shared
 * weights are added by every thread at once */
static double weighted(const double *w, double x) {
  return w[0] * tanh(w[1] * x) + w[2] * x * x;
}

static double calls_in_region(const double *p) {
  double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(guided)
  for (int i = 3; i < N; i++)
    s += weighted(p, p[i]);
  return s;
}

/* the region sits in a function the differentiated one calls, with a
 * loop that ends without waiting for the others */
static void smooth(const double *p, double *out) {
#pragma omp parallel
  {
#pragma omp for nowait
    for (int i = 1; i < N - 1; i++)
      out[i] = 0.25 * p[i - 1] + 0.5 * p[i] + 0.25 * p[i + 1];
  }
}

static double nested_call(const double *p) {
  double out[N] = {0};
  double s = 0;
  smooth(p, out);
  for (int i = 1; i < N - 1; i++)
    s += out[i] * out[i] * p[i];
  return s;
}

/* a user-defined reduction over a struct */
typedef struct {
  double squares, sines;
} sums;
#pragma omp declare reduction(add_sums:sums : omp_out.squares +=               \
                                  omp_in.squares,                              \
                                  omp_out.sines += omp_in.sines)               \
    initializer(omp_priv = (sums){0, 0})

static double user_reduction(const double *p) {
  sums s = {0, 0};
#pragma omp parallel for reduction(add_sums : s)
  for (int i = 0; i < N; i++) {
    s.squares += p[i] * p[i];
    s.sines += sin(p[i]);
  }
  return s.squares * s.sines;
}

/* a float captured by copy: s = in^2 * (0 + 1 + ... + N-1) */
static float float_private(float in) {
  float s = 0;
#pragma omp parallel for firstprivate(in) reduction(+ : s)
  for (int i = 0; i < N; i++)
    s += in * in * (float)i;
  return s;
}

typedef double (*objective)(const double *);

static void point(double *p, double *v) {
  for (int i = 0; i < N; i++) {
    p[i] = 0.3 + 0.05 * i - 0.002 * i * i;
    v[i] = cos(1.0 + i);
  }
}

/* Compares the gradient dp and the forward derivative along v with
 * central differences of f at p. */
static void check_objective(const char *name, objective f, const double *p,
                            const double *v, const double *dp, double tangent) {
  double projected = 0;
  for (int i = 0; i < N; i++) {
    double h = 1e-6, q[N];
    for (int k = 0; k < N; k++)
      q[k] = p[k];
    q[i] = p[i] + h;
    double up = f(q);
    q[i] = p[i] - h;
    double fd = (up - f(q)) / (2 * h);
    projected += fd * v[i];
    if (!check_close_(__FILE__, __LINE__, name, dp[i], fd, TOL_FD_R, TOL_FD_A))
      printf("     (%s: gradient entry %d)\n", name, i);
  }
  if (!check_close_(__FILE__, __LINE__, name, tangent, projected, TOL_FD_R,
                    TOL_FD_A))
    printf("     (%s: forward derivative along v)\n", name);
}

#define CHECK_OBJECTIVE(f)                                                     \
  do {                                                                         \
    double p[N], v[N], dp[N] = {0};                                            \
    point(p, v);                                                               \
    __enzyme_autodiff((void *)f, enzyme_dup, p, dp);                           \
    double tangent = __enzyme_fwddiff((void *)f, enzyme_dup, p, v);            \
    check_objective(#f, f, p, v, dp, tangent);                                 \
  } while (0)

int main(void) {
  CHECK_OBJECTIVE(reduction);
  CHECK_OBJECTIVE(dynamic_map);
  CHECK_OBJECTIVE(critical_sum);
  CHECK_OBJECTIVE(atomic_sum);
  CHECK_OBJECTIVE(two_phases);
  CHECK_OBJECTIVE(by_thread_number);
  CHECK_OBJECTIVE(private_copies);
  CHECK_OBJECTIVE(collapsed);
  CHECK_OBJECTIVE(calls_in_region);
  CHECK_OBJECTIVE(nested_call);
  CHECK_OBJECTIVE(user_reduction);
  float in = 0.75f, sum = N * (N - 1) / 2;
  CHECK_DERIV_F(__enzyme_autodiff((void *)float_private, in), 2 * in * sum,
                NAN);
  CHECK_DERIV_F(__enzyme_fwddiff((void *)float_private, in, 1.0f), 2 * in * sum,
                NAN);
  printf("threads %d\n", omp_get_max_threads());
  return report();
}
