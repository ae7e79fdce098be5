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

/* A value chosen between an element of a duplicated argument and one of
 * an argument marked const: the optimizer loads it through a select of
 * the two addresses. */
static double choose(double *x, const double *k, int n) {
  for (int i = 0; i < n; ++i)
    x[i] += (i % 2 == 0 ? x[0] : k[i]);
  return x[0] + x[1];
}

/* A pointer chosen between a duplicated argument and one marked const,
 * read through. */
static double read_either(const double *k, const double *y) {
  const double *p = y[0] > 0 ? y : k;
  return p[0] * y[0];
}

/* A pointer chosen between a local array holding no derivative and a
 * duplicated argument. */
static double local_or_argument(const double *y, int n) {
  double t[2] = {0.25, 0.375};
  const double *p = y[1] < 0.5 ? t : y;
  double v = p[0];
  for (int i = 0; i < n; ++i)
    t[i] += 1.0;
  return v * y[0];
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
  /* x0 += x0; x1 += k1: d(x0 + x1)/dx0 = 2, /dx1 = 1 */
  double cx[2] = {2, 3}, dcx[2] = {0, 0};
  const double k[2] = {5, 7};
  __enzyme_autodiff((void *)choose, cx, dcx, enzyme_const, k, 2);
  CHECK_DERIV(dcx[0], 2.0, NAN);
  CHECK_DERIV(dcx[1], 1.0, NAN);
  /* y0 < 0 reads k: f = k0 y0; y0 > 0 reads y: f = y0^2 */
  const double k2[1] = {2};
  for (int s = 0; s < 2; ++s) {
    double ry[1] = {s ? 1.5 : -1.0}, dry[1] = {0}, try_[1] = {1};
    double want = s ? 2 * ry[0] : k2[0];
    __enzyme_autodiff((void *)read_either, enzyme_const, k2, ry, dry);
    CHECK_DERIV(dry[0], want, NAN);
    CHECK_DERIV(
        __enzyme_fwddiff((void *)read_either, enzyme_const, k2, ry, try_), want,
        NAN);
  }
  /* y1 < 0.5 picks the local array: f = t0 * y0, df/dy0 = 0.25 */
  double ly[2] = {2, 0.3}, dly[2] = {0, 0}, tly[2] = {1, 0};
  __enzyme_autodiff((void *)local_or_argument, ly, dly, 2);
  CHECK_DERIV(dly[0], 0.25, NAN);
  CHECK_DERIV(dly[1], 0.0, NAN);
  CHECK_DERIV(__enzyme_fwddiff((void *)local_or_argument, ly, tly, 2), 0.25,
              NAN);

  /* The primal's constants are untouched by the derivatives. */
  CHECK_DERIV(K + Table[0] + Table[1] + Scratch[0], 3.0 + 0.5 - 1.0 + 1.5, NAN);
  return report();
}
