/* ADBench's LSTM: 2 layers of 64 units, 20 time steps, input and output of
 * 64 values; the objective is the mean log-softmax loss of each prediction
 * against the next input. Reverse-mode gradient w.r.t. the main parameters
 * (weights and biases of the layers) and the extra parameters (input
 * scaling, output scaling and bias); the initial state is an input that the
 * objective copies. */
#include "harness.h"

void __enzyme_autodiff(void *, ...);

enum { L = 2, B = 64, C = 20, MAIN = 2 * L * 4 * B, EXTRA = 3 * B };

static double sigmoid(double x) { return 1 / (1 + exp(-x)); }

static double log_sum_exp(int n, const double *x) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += exp(x[i]);
  return log(s);
}

/* ADBench's cell has one weight per unit and gate (diagonal weights); the
 * forget and output gates read the input, the input gate and the candidate
 * the hidden state. */
static void lstm_layer(int b, const double *weight, const double *bias,
                       double *hidden, double *cell, const double *input) {
  for (int i = 0; i < b; ++i) {
    double forget = sigmoid(input[i] * weight[i] + bias[i]);
    double ingate = sigmoid(hidden[i] * weight[b + i] + bias[b + i]);
    double outgate = sigmoid(input[i] * weight[2 * b + i] + bias[2 * b + i]);
    double change = tanh(hidden[i] * weight[3 * b + i] + bias[3 * b + i]);
    cell[i] = cell[i] * forget + ingate * change;
    hidden[i] = outgate * tanh(cell[i]);
  }
}

static void lstm_predict(int l, int b, const double *main_params,
                         const double *extra_params, double *state,
                         const double *x, double *y) {
  for (int i = 0; i < b; ++i)
    y[i] = x[i] * extra_params[i];
  const double *in = y;
  for (int k = 0; k < l; ++k) {
    double *hidden = state + 2 * k * b, *cell = hidden + b;
    lstm_layer(b, main_params + 2 * k * 4 * b,
               main_params + (2 * k + 1) * 4 * b, hidden, cell, in);
    in = hidden;
  }
  for (int i = 0; i < b; ++i)
    y[i] = in[i] * extra_params[b + i] + extra_params[2 * b + i];
}

double lstm_objective(int l, int c, int b, const double *main_params,
                      const double *extra_params, const double *state0,
                      const double *sequence) {
  double *state = malloc(2 * l * b * sizeof(double));
  /* On the stack: with y on the heap, Enzyme (073ac9bd) returns a wrong
   * gradient, and the comparison would have no peer number. */
  double y[b];
  memcpy(state, state0, 2 * l * b * sizeof(double));
  double total = 0;
  for (int t = 0; t + 1 < c; ++t) {
    lstm_predict(l, b, main_params, extra_params, state, sequence + t * b, y);
    double lse = log_sum_exp(b, y);
    const double *next = sequence + (t + 1) * b;
    for (int i = 0; i < b; ++i)
      total += next[i] * (y[i] - lse);
  }
  free(state);
  return -total / ((c - 1) * b);
}

struct problem {
  double *main_params, *extra_params, *state, *sequence;
  double *dmain, *dextra;
};

static double primal(void *ctx) {
  struct problem *p = ctx;
  return lstm_objective(L, C, B, p->main_params, p->extra_params, p->state,
                        p->sequence);
}

static void eval(void *ctx, double *out) { *out = primal(ctx); }

static double gradient(void *ctx) {
  struct problem *p = ctx;
  memset(p->dmain, 0, MAIN * sizeof(double));
  memset(p->dextra, 0, EXTRA * sizeof(double));
  __enzyme_autodiff((void *)lstm_objective, enzyme_const, L, enzyme_const, C,
                    enzyme_const, B, enzyme_dup, p->main_params, p->dmain,
                    enzyme_dup, p->extra_params, p->dextra, enzyme_const,
                    p->state, enzyme_const, p->sequence);
  return p->dmain[0];
}

int main(void) {
  struct problem p = {harness_alloc(MAIN),      harness_alloc(EXTRA),
                      harness_alloc(2 * L * B), harness_alloc(C * B),
                      harness_alloc(MAIN),      harness_alloc(EXTRA)};
  harness_fill(p.main_params, MAIN, -1, 1);
  harness_fill(p.extra_params, EXTRA, -1, 1);
  harness_fill(p.state, 2 * L * B, -1, 1);
  harness_fill(p.sequence, C * B, 0, 1);

  gradient(&p);
  harness_check_gradient("lstm reverse main", eval, &p, p.main_params, MAIN,
                         p.dmain);
  harness_check_gradient("lstm reverse extra", eval, &p, p.extra_params, EXTRA,
                         p.dextra);

  harness_compare("lstm", "reverse", primal, gradient, &p);
  return harness_exit();
}
