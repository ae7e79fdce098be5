/* Bundle adjustment of ADBench on a synthetic problem (20 cameras, 500
 * points, 2000 observations). A camera has 11 parameters: Rodrigues
 * rotation, center, focal length, principal point and two radial
 * distortion coefficients. Each observation has a weight w and three
 * residuals: the weighted reprojection error and 1 - w^2. Quantities: the
 * reverse-mode gradient of the sum of squared residuals, and the sparse
 * Jacobian of the residuals by forward mode, one call per input of each
 * observation. */
#include "harness.h"

void __enzyme_autodiff(void *, ...);
void __enzyme_fwddiff(void *, ...);

enum { CAMS = 20, POINTS = 500, OBS = 2000, NCAM = 11, NIN = NCAM + 3 + 1 };
enum { ROT = 0, CENTER = 3, FOCAL = 6, PRINCIPAL = 7, RADIAL = 9 };

static void cross(const double *a, const double *b, double *out) {
  out[0] = a[1] * b[2] - a[2] * b[1];
  out[1] = a[2] * b[0] - a[0] * b[2];
  out[2] = a[0] * b[1] - a[1] * b[0];
}

static void rodrigues_rotate(const double *rot, const double *x, double *out) {
  double sqtheta = rot[0] * rot[0] + rot[1] * rot[1] + rot[2] * rot[2];
  if (sqtheta != 0) {
    double theta = sqrt(sqtheta), c = cos(theta), s = sin(theta);
    double w[3] = {rot[0] / theta, rot[1] / theta, rot[2] / theta}, wx[3];
    cross(w, x, wx);
    double t = (w[0] * x[0] + w[1] * x[1] + w[2] * x[2]) * (1 - c);
    for (int i = 0; i < 3; ++i)
      out[i] = x[i] * c + wx[i] * s + w[i] * t;
  } else {
    double rx[3];
    cross(rot, x, rx);
    for (int i = 0; i < 3; ++i)
      out[i] = x[i] + rx[i];
  }
}

static void project(const double *cam, const double *x, double *proj) {
  double xo[3], xcam[3];
  for (int i = 0; i < 3; ++i)
    xo[i] = x[i] - cam[CENTER + i];
  rodrigues_rotate(cam + ROT, xo, xcam);
  double p0 = xcam[0] / xcam[2], p1 = xcam[1] / xcam[2];
  double rsq = p0 * p0 + p1 * p1;
  double l = 1 + cam[RADIAL] * rsq + cam[RADIAL + 1] * rsq * rsq;
  proj[0] = p0 * l * cam[FOCAL] + cam[PRINCIPAL];
  proj[1] = p1 * l * cam[FOCAL] + cam[PRINCIPAL + 1];
}

void ba_residual(const double *cam, const double *x, const double *w,
                 const double *feat, double *err) {
  double proj[2];
  project(cam, x, proj);
  err[0] = *w * (proj[0] - feat[0]);
  err[1] = *w * (proj[1] - feat[1]);
  err[2] = 1 - *w * *w;
}

double ba_objective(int nobs, const double *cams, const double *points,
                    const double *w, const int *obs, const double *feats) {
  double f = 0, err[3];
  for (int i = 0; i < nobs; ++i) {
    ba_residual(cams + NCAM * obs[2 * i], points + 3 * obs[2 * i + 1], w + i,
                feats + 2 * i, err);
    f += err[0] * err[0] + err[1] * err[1] + err[2] * err[2];
  }
  return f;
}

struct problem {
  double *cams, *points, *w, *feats, *dcams, *dpoints, *dw;
  double *residuals, *jacobian; /* 3 x NIN per observation, by rows */
  int *obs;
};

static double primal_objective(void *ctx) {
  struct problem *p = ctx;
  return ba_objective(OBS, p->cams, p->points, p->w, p->obs, p->feats);
}

static void eval_objective(void *ctx, double *out) {
  *out = primal_objective(ctx);
}

static double gradient(void *ctx) {
  struct problem *p = ctx;
  memset(p->dcams, 0, CAMS * NCAM * sizeof(double));
  memset(p->dpoints, 0, POINTS * 3 * sizeof(double));
  memset(p->dw, 0, OBS * sizeof(double));
  __enzyme_autodiff((void *)ba_objective, enzyme_const, OBS, enzyme_dup,
                    p->cams, p->dcams, enzyme_dup, p->points, p->dpoints,
                    enzyme_dup, p->w, p->dw, enzyme_const, p->obs, enzyme_const,
                    p->feats);
  return p->dcams[0];
}

static double primal_residuals(void *ctx) {
  struct problem *p = ctx;
  for (int i = 0; i < OBS; ++i)
    ba_residual(p->cams + NCAM * p->obs[2 * i],
                p->points + 3 * p->obs[2 * i + 1], p->w + i, p->feats + 2 * i,
                p->residuals + 3 * i);
  return p->residuals[0];
}

static double jacobian(void *ctx) {
  struct problem *p = ctx;
  double seed[NIN] = {0}, err[3], derr[3];
  for (int i = 0; i < OBS; ++i) {
    const double *cam = p->cams + NCAM * p->obs[2 * i];
    const double *x = p->points + 3 * p->obs[2 * i + 1];
    double *jac = p->jacobian + 3 * NIN * i;
    for (int j = 0; j < NIN; ++j) {
      seed[j] = 1;
      __enzyme_fwddiff((void *)ba_residual, enzyme_dup, cam, seed, enzyme_dup,
                       x, seed + NCAM, enzyme_dup, p->w + i, seed + NCAM + 3,
                       enzyme_const, p->feats + 2 * i, enzyme_dupnoneed, err,
                       derr);
      seed[j] = 0;
      for (int r = 0; r < 3; ++r)
        jac[r * NIN + j] = derr[r];
    }
  }
  return p->jacobian[0];
}

/* The inputs of one observation, packed for finite differences. */
struct observation {
  double in[NIN];
  const double *feat;
};

static void eval_residual(void *ctx, double *out) {
  struct observation *o = ctx;
  ba_residual(o->in, o->in + NCAM, o->in + NCAM + 3, o->feat, out);
}

/* Every entry of four observations' Jacobians, spread over the problem. */
static void check_jacobian(struct problem *p) {
  double worst = 0;
  for (int k = 0; k < 4; ++k) {
    int i = k * (OBS - 1) / 3;
    struct observation o = {.feat = p->feats + 2 * i};
    memcpy(o.in, p->cams + NCAM * p->obs[2 * i], NCAM * sizeof(double));
    memcpy(o.in + NCAM, p->points + 3 * p->obs[2 * i + 1], 3 * sizeof(double));
    o.in[NCAM + 3] = p->w[i];
    for (int j = 0; j < NIN; ++j) {
      double dir[NIN] = {0}, column[3];
      dir[j] = 1;
      for (int r = 0; r < 3; ++r)
        column[r] = p->jacobian[3 * NIN * i + r * NIN + j];
      worst = fmax(worst, harness_jvp_error(eval_residual, &o, o.in, NIN, dir,
                                            column, 3));
    }
  }
  harness_verdict("ba forward-jacobian", worst, 4 * 3 * NIN);
}

int main(void) {
  struct problem p = {
      harness_alloc(CAMS * NCAM),   harness_alloc(POINTS * 3),
      harness_alloc(OBS),           harness_alloc(OBS * 2),
      harness_alloc(CAMS * NCAM),   harness_alloc(POINTS * 3),
      harness_alloc(OBS),           harness_alloc(OBS * 3),
      harness_alloc(OBS * 3 * NIN), malloc(OBS * 2 * sizeof(int))};
  /* Cameras about 10 units behind the points, looking along +z. */
  for (int c = 0; c < CAMS; ++c) {
    double *cam = p.cams + NCAM * c;
    harness_fill(cam + ROT, 3, -0.1, 0.1);
    harness_fill(cam + CENTER, 3, -1, 1);
    cam[CENTER + 2] -= 10;
    cam[FOCAL] = harness_uniform(0.9, 1.1);
    harness_fill(cam + PRINCIPAL, 2, -0.05, 0.05);
    harness_fill(cam + RADIAL, 2, -0.01, 0.01);
  }
  harness_fill(p.points, POINTS * 3, -1, 1);
  harness_fill(p.w, OBS, 0.8, 1.2);
  harness_fill(p.feats, OBS * 2, -0.2, 0.2);
  for (int i = 0; i < OBS; ++i) {
    p.obs[2 * i] = i % CAMS;
    p.obs[2 * i + 1] = i % POINTS;
  }

  gradient(&p);
  harness_check_gradient("ba reverse cameras", eval_objective, &p, p.cams,
                         CAMS * NCAM, p.dcams);
  harness_check_gradient("ba reverse points", eval_objective, &p, p.points,
                         POINTS * 3, p.dpoints);
  harness_check_gradient("ba reverse weights", eval_objective, &p, p.w, OBS,
                         p.dw);
  jacobian(&p);
  check_jacobian(&p);

  harness_compare("ba", "reverse", primal_objective, gradient, &p);
  harness_compare("ba", "forward-jacobian", primal_residuals, jacobian, &p);
  return harness_exit();
}
