/* Loops: trip counts known only at run time (including zero), while loops
 * with data-dependent exits, break, do-while, nested loops, accumulations.
 * The reverse sweep must replay every iteration.  Expected derivatives
 * come from tangent recurrences written out by hand in this file and from
 * central finite differences of the primal. */
#include "check.h"

int enzyme_const;
int enzyme_out;

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
float __ad_autodiff(void *, ...);
float __ad_fwddiff(void *, ...);

/* trip counts come from here so that nothing is known at compile time */
static volatile int trips[] = {0, 1, 5, 37};

/* x <- sin(x) * a + x, n times */
static double iter(double x, double a, int n) {
  int i;
  for (i = 0; i < n; i++)
    x = sin(x) * a + x;
  return x;
}
/* hand tangent recurrence: d/dx (which = 0) or d/da (which = 1) */
static double diter(double x, double a, int n, int which) {
  double d = which == 0 ? 1.0 : 0.0;
  int i;
  for (i = 0; i < n; i++) {
    d = (cos(x) * a + 1.0) * d + (which == 1 ? sin(x) : 0.0);
    x = sin(x) * a + x;
  }
  return d;
}
static int g_n;
static double g_a;
static double iter_x(double x) { return iter(x, g_a, g_n); }
static double iter_a(double a) { return iter(0.8, a, g_n); }

/* truncated exponential series: d/dx expser(x, n) = expser(x, n - 1) */
static double expser(double x, int n) {
  double s = 1.0, t = 1.0;
  int k;
  for (k = 1; k < n; k++) {
    t *= x / k;
    s += t;
  }
  return s;
}
static double expser_x(double x) { return expser(x, g_n); }

/* while loop whose exit depends on the active value (x > 1) */
static double grow(double x) {
  double s = x;
  while (s < 100.0)
    s = s * x + 1.0;
  return s;
}
static double dgrow(double x) {
  double s = x, ds = 1.0;
  while (s < 100.0) {
    ds = ds * x + s;
    s = s * x + 1.0;
  }
  return ds;
}

/* Newton's method for sqrt(a): derivative of the converged iterate is
 * 1 / (2 sqrt(a)) */
static double newton_sqrt(double a) {
  double x = a > 1.0 ? a : 1.0;
  int k = 0;
  while (fabs(x * x - a) > 1e-14 * a && k < 100) {
    x = 0.5 * (x + a / x);
    ++k;
  }
  return x;
}

/* for(;;) with a break on an active condition, then more work */
static double decay(double x) {
  double y = x;
  for (;;) {
    y = y * 0.9 + 0.05 * y * y;
    if (y < 0.1)
      break;
  }
  return y * x;
}
static double ddecay(double x) {
  double y = x, dy = 1.0;
  for (;;) {
    dy = dy * 0.9 + 0.1 * y * dy;
    y = y * 0.9 + 0.05 * y * y;
    if (y < 0.1)
      break;
  }
  return dy * x + y;
}

/* do-while with a run-time count */
static double dowhile(double x, int n) {
  double p = 1.0;
  int k = 0;
  do {
    p = p * x + cos(p);
    ++k;
  } while (k < n);
  return p;
}
static double ddowhile(double x, int n) {
  double p = 1.0, dp = 0.0;
  int k = 0;
  do {
    dp = dp * x + p - sin(p) * dp;
    p = p * x + cos(p);
    ++k;
  } while (k < n);
  return dp;
}
static double dowhile_x(double x) { return dowhile(x, g_n); }

/* nested loops; the inner state depends on the outer one */
static double nested(double x, int n, int m) {
  double y = x;
  int i, j;
  for (i = 0; i < n; i++) {
    double t = y;
    for (j = 0; j < m; j++)
      t = 0.5 * t * t + 0.1 * x;
    y = y + sin(t) * 0.3;
  }
  return y;
}
static double dnested(double x, int n, int m) {
  double y = x, dy = 1.0;
  int i, j;
  for (i = 0; i < n; i++) {
    double t = y, dt = dy;
    for (j = 0; j < m; j++) {
      dt = t * dt + 0.1;
      t = 0.5 * t * t + 0.1 * x;
    }
    dy = dy + cos(t) * dt * 0.3;
    y = y + sin(t) * 0.3;
  }
  return dy;
}
static int g_m;
static double nested_x(double x) { return nested(x, g_n, g_m); }

/* the induction variable feeds the active computation */
static double weighted(double x, int n) {
  double s = 0.0;
  int i;
  for (i = 0; i < n; i++)
    s += x * i + x * x / (i + 1);
  return s;
}
static double dweighted(double x, int n) {
  double s = 0.0;
  int i;
  for (i = 0; i < n; i++)
    s += i + 2.0 * x / (i + 1);
  return s;
}

/* two loop-carried active values: (a, b) <- (b, a + b x) */
static double fibx(double x, int n) {
  double a = 1.0, b = x, t;
  int i;
  for (i = 0; i < n; i++) {
    t = a + b * x;
    a = b;
    b = t;
  }
  return b;
}
static double dfibx(double x, int n) {
  double a = 1.0, b = x, da = 0.0, db = 1.0, t, dt;
  int i;
  for (i = 0; i < n; i++) {
    t = a + b * x;
    dt = da + db * x + b;
    a = b;
    da = db;
    b = t;
    db = dt;
  }
  return db;
}

/* continue and break on an inactive counter, a conditional update on an
 * active comparison */
static double skipper(double x, int n) {
  double s = 0.0;
  int i;
  for (i = 0; i < n; i++) {
    if (i % 3 == 1)
      continue;
    if (i > 40)
      break;
    if (s > 2.0)
      s = s * 0.5 + x;
    else
      s += x * x;
  }
  return s;
}
static double dskipper(double x, int n) {
  double s = 0.0, ds = 0.0;
  int i;
  for (i = 0; i < n; i++) {
    if (i % 3 == 1)
      continue;
    if (i > 40)
      break;
    if (s > 2.0) {
      ds = ds * 0.5 + 1.0;
      s = s * 0.5 + x;
    } else {
      ds += 2.0 * x;
      s += x * x;
    }
  }
  return ds;
}

/* a long run: the reverse sweep replays 200000 iterations */
static double longrun(double x, int n) {
  int i;
  for (i = 0; i < n; i++)
    x = x + 1e-5 * sin(x);
  return x;
}
static double dlongrun(double x, int n) {
  double d = 1.0;
  int i;
  for (i = 0; i < n; i++) {
    d = d * (1.0 + 1e-5 * cos(x));
    x = x + 1e-5 * sin(x);
  }
  return d;
}

/* float */
static float iterf(float x, float a, int n) {
  int i;
  for (i = 0; i < n; i++)
    x = sinf(x) * a + x;
  return x;
}
static float iterf1(float x, int n) { return iterf(x, 0.45f, n); }
static float growf(float x) {
  float s = x;
  while (s < 100.0f)
    s = s * x + 1.0f;
  return s;
}

int main(void) {
  int t, n;
  double x, a;
  for (t = 0; t < 4; ++t) {
    n = trips[t];
    g_n = n;
    for (x = -0.9; x < 2.0; x += 0.85) {
      a = 0.3 + 0.1 * t;
      g_a = a;
      CHECK_DERIV(
          __enzyme_autodiff((void *)iter, enzyme_out, x, enzyme_const, a, n),
          diter(x, a, n, 0), fd1(iter_x, x));
      CHECK_DERIV(__enzyme_autodiff((void *)iter, x, enzyme_const, a, n),
                  diter(x, a, n, 0), fd1(iter_x, x));
      CHECK_DERIV(__enzyme_autodiff((void *)iter, enzyme_const, 0.8, a, n),
                  diter(0.8, a, n, 1), fd1(iter_a, a));
      CHECK_DERIV(__enzyme_fwddiff((void *)iter, x, 1.0, a, 0.0, n),
                  diter(x, a, n, 0), fd1(iter_x, x));
      CHECK_DERIV(__enzyme_fwddiff((void *)iter, 0.8, 0.0, a, 1.0, n),
                  diter(0.8, a, n, 1), fd1(iter_a, a));

      CHECK_DERIV(__enzyme_autodiff((void *)expser, x, n),
                  n > 1 ? expser(x, n - 1) : 0.0, fd1(expser_x, x));
      CHECK_DERIV(__enzyme_fwddiff((void *)expser, x, 1.0, n),
                  n > 1 ? expser(x, n - 1) : 0.0, fd1(expser_x, x));

      CHECK_DERIV(__enzyme_autodiff((void *)weighted, x, n), dweighted(x, n),
                  NAN);
      CHECK_DERIV(__enzyme_fwddiff((void *)weighted, x, 1.0, n),
                  dweighted(x, n), NAN);

      if (n < 10) {
        CHECK_DERIV(__enzyme_autodiff((void *)dowhile, x, n), ddowhile(x, n),
                    fd1(dowhile_x, x));
        CHECK_DERIV(__enzyme_fwddiff((void *)dowhile, x, 1.0, n),
                    ddowhile(x, n), fd1(dowhile_x, x));
      }
    }
  }

  /* nested: n outer, m inner iterations, both at run time */
  for (t = 0; t < 3; ++t) {
    int m;
    for (m = 0; m < 4; ++m) {
      n = trips[t];
      g_n = n;
      g_m = m;
      x = 0.35;
      CHECK_DERIV(__enzyme_autodiff((void *)nested, x, n, m), dnested(x, n, m),
                  fd1(nested_x, x));
      CHECK_DERIV(__enzyme_fwddiff((void *)nested, x, 1.0, n, m),
                  dnested(x, n, m), fd1(nested_x, x));
    }
  }

  /* data-dependent exits */
  for (x = 1.1; x < 3.0; x += 0.37) {
    CHECK_DERIV(__enzyme_autodiff((void *)grow, x), dgrow(x), fd1(grow, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)grow, x, 1.0), dgrow(x), fd1(grow, x));
  }
  for (x = 0.5; x < 2.0; x += 0.3) {
    CHECK_DERIV(__enzyme_autodiff((void *)decay, x), ddecay(x), fd1(decay, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)decay, x, 1.0), ddecay(x),
                fd1(decay, x));
  }
  for (a = 0.3; a < 50.0; a *= 2.3) {
    /* the iterate has converged to rounding; its derivative to ~1e-9 */
    CHECK_DERIV(__enzyme_autodiff((void *)newton_sqrt, a), 0.5 / sqrt(a), NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)newton_sqrt, a, 1.0), 0.5 / sqrt(a),
                NAN);
  }

  /* several carried values, continue/break, a long tape */
  for (t = 0; t < 4; ++t) {
    n = trips[t];
    for (x = -0.7; x < 1.5; x += 0.55) {
      CHECK_DERIV(__enzyme_autodiff((void *)fibx, x, n), dfibx(x, n), NAN);
      CHECK_DERIV(__enzyme_fwddiff((void *)fibx, x, 1.0, n), dfibx(x, n), NAN);
      CHECK_DERIV(__enzyme_autodiff((void *)skipper, x, n), dskipper(x, n),
                  NAN);
      CHECK_DERIV(__enzyme_fwddiff((void *)skipper, x, 1.0, n), dskipper(x, n),
                  NAN);
    }
  }
  {
    volatile int big = 200000;
    CHECK_DERIV(__enzyme_autodiff((void *)longrun, 0.3, big),
                dlongrun(0.3, big), NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)longrun, 0.3, 1.0, big),
                dlongrun(0.3, big), NAN);
  }

  /* float */
  for (t = 0; t < 4; ++t) {
    float xf = 0.7f, af = 0.45f;
    n = trips[t];
    CHECK_DERIV_F(__ad_autodiff((void *)iterf1, xf, n), diter(xf, af, n, 0),
                  NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)iterf, xf, 1.0f, af, 0.0f, n),
                  diter(xf, af, n, 0), NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)iterf, xf, 0.0f, af, 1.0f, n),
                  diter(xf, af, n, 1), NAN);
  }
  {
    float xf;
    for (xf = 1.1f; xf < 3.0f; xf += 0.37f) {
      CHECK_DERIV_F(__ad_autodiff((void *)growf, xf), dgrow(xf), NAN);
      CHECK_DERIV_F(__ad_fwddiff((void *)growf, xf, 1.0f), dgrow(xf), NAN);
    }
  }
  return report();
}
