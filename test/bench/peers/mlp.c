/* Multilayer perceptron 64-128-128-10 with tanh hidden layers and a squared
 * loss over a batch of 32 samples: reverse-mode gradient w.r.t. all weights
 * and biases. */
#include "harness.h"

void __enzyme_autodiff(void *, ...);

enum { IN = 64, H1 = 128, H2 = 128, OUT = 10, BATCH = 32 };

/* Offsets of the layers in the parameter vector. */
enum {
  W1 = 0,
  B1 = W1 + H1 * IN,
  W2 = B1 + H1,
  B2 = W2 + H2 * H1,
  W3 = B2 + H2,
  B3 = W3 + OUT * H2,
  NPARAMS = B3 + OUT
};

/* out = act(W in + b), W of size m x n stored by rows. */
static void dense(const double *w, const double *b, const double *in,
                  double *out, int m, int n, int activate) {
  for (int i = 0; i < m; ++i) {
    double s = b[i];
    for (int j = 0; j < n; ++j)
      s += w[i * n + j] * in[j];
    out[i] = activate ? tanh(s) : s;
  }
}

double mlp_loss(const double *params, const double *x, const double *y,
                int batch) {
  double h1[H1], h2[H2], out[OUT], loss = 0;
  for (int s = 0; s < batch; ++s) {
    dense(params + W1, params + B1, x + s * IN, h1, H1, IN, 1);
    dense(params + W2, params + B2, h1, h2, H2, H1, 1);
    dense(params + W3, params + B3, h2, out, OUT, H2, 0);
    for (int i = 0; i < OUT; ++i) {
      double e = out[i] - y[s * OUT + i];
      loss += e * e;
    }
  }
  return 0.5 * loss / batch;
}

struct problem {
  double *params, *grad, *x, *y;
};

static double primal(void *ctx) {
  struct problem *p = ctx;
  return mlp_loss(p->params, p->x, p->y, BATCH);
}

static void eval(void *ctx, double *out) { *out = primal(ctx); }

static double gradient(void *ctx) {
  struct problem *p = ctx;
  memset(p->grad, 0, NPARAMS * sizeof(double));
  __enzyme_autodiff((void *)mlp_loss, enzyme_dup, p->params, p->grad,
                    enzyme_const, p->x, enzyme_const, p->y, enzyme_const,
                    BATCH);
  return p->grad[0];
}

int main(void) {
  struct problem p = {harness_alloc(NPARAMS), harness_alloc(NPARAMS),
                      harness_alloc(BATCH * IN), harness_alloc(BATCH * OUT)};
  /* Weights of about 1 / sqrt(fan-in) keep the tanh units out of
   * saturation. */
  harness_fill(p.params + W1, B1 - W1, -0.2, 0.2);
  harness_fill(p.params + B1, W2 - B1, -0.1, 0.1);
  harness_fill(p.params + W2, B2 - W2, -0.15, 0.15);
  harness_fill(p.params + B2, W3 - B2, -0.1, 0.1);
  harness_fill(p.params + W3, B3 - W3, -0.15, 0.15);
  harness_fill(p.params + B3, NPARAMS - B3, -0.1, 0.1);
  harness_fill(p.x, BATCH * IN, -1, 1);
  harness_fill(p.y, BATCH * OUT, -1, 1);

  gradient(&p);
  static const struct {
    const char *name;
    int first, end;
  } layers[] = {{"W1", W1, B1}, {"b1", B1, W2}, {"W2", W2, B2},
                {"b2", B2, W3}, {"W3", W3, B3}, {"b3", B3, NPARAMS}};
  for (int l = 0; l < 6; ++l) {
    char what[64];
    snprintf(what, sizeof what, "mlp reverse %s", layers[l].name);
    harness_check_gradient(what, eval, &p, p.params + layers[l].first,
                           layers[l].end - layers[l].first,
                           p.grad + layers[l].first);
  }

  harness_compare("mlp", "reverse", primal, gradient, &p);
  return harness_exit();
}
