/* Pointers that may address active memory or a global without derivatives
 * (a constant table, a static): the global's shadow is a zeroed sink, so
 * reads through the pointer carry a zero derivative when it points there,
 * in both modes; copies out of a constant table into active memory too. */
#include "check.h"
#include <string.h>

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
extern int enzyme_const;

static const double K = 3.0;
static const double Table[4] = {0.5, -1.0, 2.0, 0.25};
static double Scratch[2] = {1.5, 2.5};

/* f = p[0]^2 with p either y or &K */
static double pick(const double *y, double s) {
  const double *p = s > 0 ? y : &K;
  return *p * *p;
}

/* A phi of pointers: the loop walks y or the table. */
static double walk(const double *y, int from_table) {
  const double *p = y;
  if (from_table)
    p = Table + 1;
  double v = 0;
  for (int i = 0; i < 3; ++i)
    v += sin(p[i]) * y[i];
  return v;
}

/* A copy out of a constant table into a local that then mixes with y. */
static double blend(const double *y) {
  double local[4];
  memcpy(local, Table, sizeof local);
  local[1] = y[0] * y[1];
  double v = 0;
  for (int i = 0; i < 4; ++i)
    v += local[i] * local[i];
  return v + Scratch[0] * y[2];
}

static const double Y[3] = {0.7, -0.4, 1.1};
static double walk_y(const double *y) { return walk(y, 0); }
static double walk_table(const double *y) { return walk(y, 1); }

int main(void) {
  double y[3] = {0.7, -0.4, 1.1};
  double dy[3] = {0, 0, 0};
  __enzyme_autodiff((void *)pick, y, dy, enzyme_const, -1.0);
  CHECK_DERIV(dy[0], 0.0, NAN);
  __enzyme_autodiff((void *)pick, y, dy, enzyme_const, 1.0);
  CHECK_DERIV(dy[0], 2 * y[0], NAN);
  double t[3] = {1.0, 0.0, 0.0};
  CHECK_DERIV(__enzyme_fwddiff((void *)pick, y, t, enzyme_const, -1.0), 0.0,
              NAN);
  CHECK_DERIV(__enzyme_fwddiff((void *)pick, y, t, enzyme_const, 1.0), 2 * y[0],
              NAN);

  for (int from_table = 0; from_table < 2; ++from_table) {
    double (*primal)(const double *) = from_table ? walk_table : walk_y;
    double dw[3] = {0, 0, 0};
    __enzyme_autodiff((void *)walk, y, dw, from_table);
    for (int j = 0; j < 3; ++j) {
      CHECK_DERIV(dw[j], NAN, fd_partial(primal, Y, 3, j));
      double e[3] = {0, 0, 0};
      e[j] = 1.0;
      CHECK_DERIV(__enzyme_fwddiff((void *)walk, y, e, from_table), NAN,
                  fd_partial(primal, Y, 3, j));
    }
  }

  double db[3] = {0, 0, 0};
  __enzyme_autodiff((void *)blend, y, db);
  double tb[3] = {0.3, -0.5, 1.0};
  double tangent = __enzyme_fwddiff((void *)blend, y, tb);
  for (int j = 0; j < 3; ++j)
    CHECK_DERIV(db[j], NAN, fd_partial(blend, Y, 3, j));
  CHECK_DERIV(tangent, NAN, fd_dir(blend, Y, tb, 3));
  /* The primal's constants are untouched by the derivatives. */
  CHECK_DERIV(K + Table[0] + Table[1] + Scratch[0], 3.0 + 0.5 - 1.0 + 1.5, NAN);
  return report();
}
