/* Calls through function pointers known only at run time, in reverse and
 * forward mode: the shadow of each function pointer points to the
 * derivative record of its target, which __enzyme_virtualreverse builds,
 * for a function and for a C++ virtual table. Covers a callback in a struct
 * called in a loop, a void callback that writes through a pointer, several
 * floating parameters, virtual methods of two classes reached through one
 * call site inside a loop over objects (gradient and tangent), a callback
 * writing into a local, and a hand-written record from split mode. Every
 * derivative is checked against a closed form and a central finite
 * difference of the primal. */
#include "check.h"

#include <math.h>

int enzyme_dup, enzyme_const, enzyme_out;
void __enzyme_autodiff(void *, ...);
double __enzyme_autodiff_ret(void *, ...);
void *__enzyme_virtualreverse(void *);

/* ---- a callback in a struct ------------------------------------------ */

struct Model {
  double (*term)(double, double);
  void (*accumulate)(double *, double);
  double weight;
};

static double softplus_term(double x, double w) { return w * log1p(exp(x)); }
static void add_square(double *sum, double x) { *sum += x * x; }

/* sum_i term(x_i, weight) + sum_i x_i^2 */
static double objective(const Model *m, const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) {
    s += m->term(x[i], m->weight);
    m->accumulate(&s, x[i]);
  }
  return s;
}

static double objective_fd(Model *m, double *x, int n, int i) {
  double h = 1e-6 * fmax(1.0, fabs(x[i])), x0 = x[i];
  x[i] = x0 + h;
  double plus = objective(m, x, n);
  x[i] = x0 - h;
  double minus = objective(m, x, n);
  x[i] = x0;
  return (plus - minus) / (2 * h);
}

static double objective_weight_fd(Model *m, double *x, int n) {
  double h = 1e-6, w0 = m->weight;
  m->weight = w0 + h;
  double plus = objective(m, x, n);
  m->weight = w0 - h;
  double minus = objective(m, x, n);
  m->weight = w0;
  return (plus - minus) / (2 * h);
}

static void check_callbacks() {
  Model m = {softplus_term, add_square, 0.75};
  Model dm = {
      (double (*)(double, double))__enzyme_virtualreverse(
          (void *)softplus_term),
      (void (*)(double *, double))__enzyme_virtualreverse((void *)add_square),
      0.0};
  double x[4] = {-1.2, 0.3, 0.8, 2.1}, dx[4] = {0, 0, 0, 0};
  __enzyme_autodiff((void *)objective, enzyme_dup, &m, &dm, enzyme_dup, x, dx,
                    enzyme_const, 4);
  double dweight = 0;
  for (int i = 0; i < 4; ++i) {
    double sigma = 1.0 / (1.0 + exp(-x[i]));
    CHECK_DERIV(dx[i], m.weight * sigma + 2 * x[i], objective_fd(&m, x, 4, i));
    dweight += log1p(exp(x[i]));
  }
  CHECK_DERIV(dm.weight, dweight, objective_weight_fd(&m, x, 4));
}

/* ---- virtual methods --------------------------------------------------- */

struct Shape {
  virtual double energy(double t) const = 0;
  double k;
};

struct Spring : Shape {
  double energy(double t) const override { return 0.5 * k * t * t; }
};

struct Pendulum : Shape {
  double energy(double t) const override { return k * (1.0 - cos(t)); }
};

/* sum_i shapes[i]->energy(t_i): one call site, two targets. */
static double total_energy(Shape **shapes, const double *t, int n) {
  double e = 0;
  for (int i = 0; i < n; ++i)
    e += shapes[i]->energy(t[i]);
  return e;
}

static void check_virtual_methods() {
  Spring spring, dspring;
  Pendulum pendulum, dpendulum;
  spring.k = 3.0;
  pendulum.k = 2.0;
  /* The shadow objects dispatch to the records of the same methods. */
  *(void **)&dspring = __enzyme_virtualreverse(*(void **)&dspring);
  *(void **)&dpendulum = __enzyme_virtualreverse(*(void **)&dpendulum);
  dspring.k = 0;
  dpendulum.k = 0;
  Shape *shapes[3] = {&spring, &pendulum, &spring};
  Shape *dshapes[3] = {&dspring, &dpendulum, &dspring};
  double t[3] = {0.4, -0.7, 1.1}, dt[3] = {0, 0, 0};
  __enzyme_autodiff((void *)total_energy, enzyme_dup, shapes, dshapes,
                    enzyme_dup, t, dt, enzyme_const, 3);
  CHECK_DERIV(dt[0], spring.k * t[0], NAN);
  CHECK_DERIV(dt[1], pendulum.k * sin(t[1]), NAN);
  CHECK_DERIV(dt[2], spring.k * t[2], NAN);
  CHECK_DERIV(dspring.k, 0.5 * (t[0] * t[0] + t[2] * t[2]), NAN);
  CHECK_DERIV(dpendulum.k, 1.0 - cos(t[1]), NAN);
  for (int i = 0; i < 3; ++i) {
    double h = 1e-6, t0 = t[i];
    t[i] = t0 + h;
    double plus = total_energy(shapes, t, 3);
    t[i] = t0 - h;
    double minus = total_energy(shapes, t, 3);
    t[i] = t0;
    CHECK_DERIV(dt[i], NAN, (plus - minus) / (2 * h));
  }
}

/* ---- forward mode through the same records ---------------------------- */

double __enzyme_fwddiff(void *, ...);

static void check_forward() {
  Spring spring, dspring;
  Pendulum pendulum, dpendulum;
  spring.k = 3.0;
  pendulum.k = 2.0;
  *(void **)&dspring = __enzyme_virtualreverse(*(void **)&dspring);
  *(void **)&dpendulum = __enzyme_virtualreverse(*(void **)&dpendulum);
  /* Tangents of the stiffnesses, and of the angles. */
  dspring.k = 0.5;
  dpendulum.k = -1.0;
  Shape *shapes[3] = {&spring, &pendulum, &spring};
  Shape *dshapes[3] = {&dspring, &dpendulum, &dspring};
  double t[3] = {0.4, -0.7, 1.1}, dt[3] = {1.0, 0.25, -2.0};
  double tangent = __enzyme_fwddiff((void *)total_energy, enzyme_dup, shapes,
                                    dshapes, enzyme_dup, t, dt,
                                    enzyme_const, 3);
  double closed = 0;
  closed += spring.k * t[0] * dt[0] + 0.5 * dspring.k * t[0] * t[0];
  closed += pendulum.k * sin(t[1]) * dt[1] + dpendulum.k * (1.0 - cos(t[1]));
  closed += spring.k * t[2] * dt[2] + 0.5 * dspring.k * t[2] * t[2];
  double h = 1e-6, tp[3], tm[3];
  for (int i = 0; i < 3; ++i) {
    tp[i] = t[i] + h * dt[i];
    tm[i] = t[i] - h * dt[i];
  }
  spring.k += h * dspring.k;
  pendulum.k += h * dpendulum.k;
  double plus = total_energy(shapes, tp, 3);
  spring.k -= 2 * h * dspring.k;
  pendulum.k -= 2 * h * dpendulum.k;
  double minus = total_energy(shapes, tm, 3);
  spring.k += h * dspring.k;
  pendulum.k += h * dpendulum.k;
  CHECK_DERIV(tangent, closed, (plus - minus) / (2 * h));
}

/* ---- a callback that writes its result into a local ------------------- */

struct Kernel {
  void (*apply)(const double *, double *);
};

static void scaled_norm2(const double *x, double *out) {
  *out = 3.0 * (x[0] * x[0] + x[1] * x[1]);
}

/* The local r gets a shadow because the callback may write it. */
static double through_local(const Kernel *k, const double *x) {
  double r;
  k->apply(x, &r);
  return r * r;
}

static void check_out_parameter() {
  Kernel k = {scaled_norm2};
  Kernel dk = {(void (*)(const double *, double *))__enzyme_virtualreverse(
      (void *)scaled_norm2)};
  double x[2] = {0.6, -1.1}, dx[2] = {0, 0};
  __enzyme_autodiff((void *)through_local, enzyme_dup, &k, &dk, enzyme_dup, x,
                    dx);
  double r = 3.0 * (x[0] * x[0] + x[1] * x[1]);
  for (int i = 0; i < 2; ++i) {
    double h = 1e-6, x0 = x[i];
    x[i] = x0 + h;
    double plus = through_local(&k, x);
    x[i] = x0 - h;
    double minus = through_local(&k, x);
    x[i] = x0;
    CHECK_DERIV(dx[i], 2 * r * 6.0 * x[i], (plus - minus) / (2 * h));
  }
}

/* ---- a record written by hand from split mode ------------------------- */

typedef struct {
  void *tape;
  double result;
} augmented;
augmented __enzyme_augmentfwd(void *, ...);
double __enzyme_reverse(void *, ...);

static double cube(double x) { return x * x * x; }
static augmented cube_augmented(double x) {
  return __enzyme_augmentfwd((void *)cube, x);
}
static double cube_reverse(double x, double dret, void *tape) {
  return __enzyme_reverse((void *)cube, x, dret, tape);
}
static void *cube_record[2] = {(void *)cube_augmented, (void *)cube_reverse};

struct Unary {
  double (*fn)(double);
};

static double apply_twice(const Unary *u, double x) { return u->fn(u->fn(x)); }

static void check_hand_written_record() {
  Unary u = {cube}, du = {(double (*)(double))(void *)cube_record};
  double x = 0.9;
  double dx =
      __enzyme_autodiff_ret((void *)apply_twice, enzyme_dup, &u, &du, x);
  double h = 1e-6;
  CHECK_DERIV(dx, 9 * pow(x, 8),
              (apply_twice(&u, x + h) - apply_twice(&u, x - h)) / (2 * h));
}

int main() {
  check_callbacks();
  check_virtual_methods();
  check_forward();
  check_out_parameter();
  check_hand_written_record();
  return report();
}
