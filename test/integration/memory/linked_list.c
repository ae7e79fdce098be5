/* A linked list of structs built with malloc inside the differentiated
 * function and freed at its end.
 *   list_sum(x, w, n):  nodes {x_i^2, w_i}; result sum_i sin(val_i) w_i
 *     d/dx_i = cos(x_i^2) 2 x_i w_i,  d/dw_i = sin(x_i^2)
 *   list_chain(x, w, n): nodes appended at the tail {x_i, w_i}; a first
 *     pass overwrites val_i = sin(val_i) w_i in the heap, a second reads
 *     neighbours: result sum_{i<n-1} v_i v_{i+1} + v_{n-1}
 *     dF/dv_i = v_{i-1} [i>0] + v_{i+1} [i<n-1] + [i=n-1]
 *     d/dx_i = dF/dv_i cos(x_i) w_i,  d/dw_i = dF/dv_i sin(x_i)
 * Closed forms (TOL_CLOSED) and central finite differences (TOL_FD). */
#include "memcheck.h"
#include <string.h>

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

struct node {
  double val;
  double w;
  struct node *next;
};

static double list_sum(const double *x, const double *w, int n) {
  struct node *head = NULL;
  for (int i = n - 1; i >= 0; --i) {
    struct node *nd = (struct node *)malloc(sizeof *nd);
    nd->val = x[i] * x[i];
    nd->w = w[i];
    nd->next = head;
    head = nd;
  }
  double s = 0;
  for (struct node *p = head; p; p = p->next)
    s += sin(p->val) * p->w;
  while (head) {
    struct node *next = head->next;
    free(head);
    head = next;
  }
  return s;
}

static double list_chain(const double *x, const double *w, int n) {
  struct node *head = NULL, **tail = &head;
  for (int i = 0; i < n; ++i) {
    struct node *nd = (struct node *)malloc(sizeof *nd);
    nd->val = x[i];
    nd->w = w[i];
    nd->next = NULL;
    *tail = nd;
    tail = &nd->next;
  }
  for (struct node *p = head; p; p = p->next)
    p->val = sin(p->val) * p->w;
  double s = 0;
  for (struct node *p = head; p; p = p->next)
    s += p->val * (p->next ? p->next->val : 1.0);
  while (head) {
    struct node *next = head->next;
    free(head);
    head = next;
  }
  return s;
}

enum { NL = 7 };
static int g_n;
static double sum_packed(const double *xw) {
  return list_sum(xw, xw + NL, g_n);
}
static double chain_packed(const double *xw) {
  return list_chain(xw, xw + NL, g_n);
}

int main(void) {
  double xw[2 * NL], d[2 * NL], want[2 * NL], fd[2 * NL], v[2 * NL];
  for (int i = 0; i < NL; ++i) {
    xw[i] = 1.1 * sin(0.8 * i + 0.5);
    xw[NL + i] = 0.5 + 0.3 * cos(1.4 * i);
  }
  for (int i = 0; i < 2 * NL; ++i)
    v[i] = sin(2.2 * i + 1.0);
  const int sizes[3] = {0, 1, NL};
  for (int c = 0; c < 3; ++c) {
    int n = g_n = sizes[c];
    const double *x = xw, *w = xw + NL;

    /* list_sum */
    for (int i = 0; i < NL; ++i) {
      want[i] = i < n ? cos(x[i] * x[i]) * 2.0 * x[i] * w[i] : 0.0;
      want[NL + i] = i < n ? sin(x[i] * x[i]) : 0.0;
    }
    fd_gradient(sum_packed, xw, 2 * NL, fd);
    memset(d, 0, sizeof d);
    __enzyme_autodiff((void *)list_sum, x, d, w, d + NL, n);
    CHECK_ARRAY(d, want, fd, 2 * NL);
    CHECK_DERIV(__enzyme_fwddiff((void *)list_sum, x, v, w, v + NL, n),
                dotn(want, v, 2 * NL), fd_dir(sum_packed, xw, v, 2 * NL));

    /* list_chain */
    double vv[NL];
    for (int i = 0; i < n; ++i)
      vv[i] = sin(x[i]) * w[i];
    for (int i = 0; i < NL; ++i) {
      double dv = 0;
      if (i < n) {
        if (i > 0)
          dv += vv[i - 1];
        if (i < n - 1)
          dv += vv[i + 1];
        else
          dv += 1.0;
      }
      want[i] = dv * cos(x[i]) * w[i];
      want[NL + i] = dv * sin(x[i]);
    }
    fd_gradient(chain_packed, xw, 2 * NL, fd);
    memset(d, 0, sizeof d);
    __enzyme_autodiff((void *)list_chain, x, d, w, d + NL, n);
    CHECK_ARRAY(d, want, fd, 2 * NL);
    CHECK_DERIV(__enzyme_fwddiff((void *)list_chain, x, v, w, v + NL, n),
                dotn(want, v, 2 * NL), fd_dir(chain_packed, xw, v, 2 * NL));
  }
  return report();
}
