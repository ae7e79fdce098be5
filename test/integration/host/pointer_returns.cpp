// Calls that return pointers into memory holding derivatives: accessors
// (kept out of line, as at -O0), references, a callee returning memory it
// allocated and filled with active values, and libstdc++'s hash map keyed by
// std::string, whose hashing and string members carry no derivative. Both
// modes, against closed forms and central finite differences.
#include "check.h"

#include <string>
#include <unordered_map>

extern "C" {
double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
extern int enzyme_dup;
}

__attribute__((noinline)) static double *element(double *x, int i) {
  return x + i;
}

struct View {
  double *data;
  __attribute__((noinline)) double &operator[](int i) { return data[i]; }
};

__attribute__((noinline)) static double *squares(const double *x, int n) {
  double *out = new double[n];
  for (int i = 0; i < n; ++i)
    out[i] = x[i] * x[i];
  return out;
}

static double through_accessors(double *x) {
  View v{x};
  *element(x, 2) = v[0] * v[1];
  return *element(x, 2) + sin(v[1]);
}

static double through_allocation(const double *x) {
  double *s = squares(x, 3);
  double total = s[0] + 2 * s[1] + 3 * s[2];
  delete[] s;
  return total;
}

static double accessors_copy(const double *x) {
  double y[3] = {x[0], x[1], x[2]};
  return through_accessors(y);
}

using Dict = std::unordered_map<std::string, double>;
static void square_entry(Dict &d) { d["x"] = d["x"] * d["x"] + d["y"]; }

int main() {
  const double X[3] = {0.7, -1.3, 0.4};
  double x[3] = {0.7, -1.3, 0.4}, dx[3] = {0, 0, 0};
  __enzyme_autodiff((void *)through_accessors, x, dx);
  CHECK_DERIV(dx[0], X[1], fd_partial(accessors_copy, X, 3, 0));
  CHECK_DERIV(dx[1], X[0] + cos(X[1]), fd_partial(accessors_copy, X, 3, 1));
  CHECK_DERIV(dx[2], 0.0, fd_partial(accessors_copy, X, 3, 2));
  double y[3] = {0.7, -1.3, 0.4}, t[3] = {1.0, 0.5, 2.0};
  CHECK_DERIV(__enzyme_fwddiff((void *)through_accessors, y, t),
              X[1] * t[0] + (X[0] + cos(X[1])) * t[1],
              fd_dir(accessors_copy, X, t, 3));

  double da[3] = {0, 0, 0};
  __enzyme_autodiff((void *)through_allocation, X, da);
  for (int j = 0; j < 3; ++j)
    CHECK_DERIV(da[j], 2 * (j + 1) * X[j],
                fd_partial(through_allocation, X, 3, j));
  CHECK_DERIV(__enzyme_fwddiff((void *)through_allocation, X, t),
              2 * X[0] * t[0] + 4 * X[1] * t[1] + 6 * X[2] * t[2],
              fd_dir(through_allocation, X, t, 3));

  Dict d{{"x", 3.0}, {"y", 0.5}}, dd{{"x", 1.0}, {"y", 0.0}};
  __enzyme_autodiff((void *)square_entry, enzyme_dup, &d, &dd);
  CHECK_DERIV(dd["x"], 6.0, NAN);
  CHECK_DERIV(dd["y"], 1.0, NAN);
  CHECK_DERIV(d["x"], 9.5, NAN);
  return report();
}
