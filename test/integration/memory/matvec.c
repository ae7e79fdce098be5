/* Dense linear algebra through duplicated pointers: y = A x (void, writing
 * an output array), C = A B, and the scalar x^T A x, in double and float.
 *
 * Reverse mode of a void function: the caller seeds the adjoint of the
 * output (dy, dC) before the call; afterwards dA, dx hold J^T dy added to
 * what they held, and the output adjoint has been consumed (zeroed).
 * Forward mode writes the tangent of the output into its shadow.
 * References are the closed forms dA = dy x^T, dx = A^T dy (and the
 * matrix-product analogues), written out with their own loops here. */
#include "memcheck.h"
#include <string.h>

int enzyme_const;
int enzyme_dup;
int enzyme_dupnoneed;

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

enum { N = 3, M = 4, K = 5 };

/* y[n] = A[n x m] x[m], row-major */
static void mv(const double *A, const double *x, double *y, int n, int m) {
  for (int i = 0; i < n; ++i) {
    double s = 0;
    for (int j = 0; j < m; ++j)
      s += A[i * m + j] * x[j];
    y[i] = s;
  }
}

/* C[n x m] = A[n x k] B[k x m] */
static void mm(const double *A, const double *B, double *C, int n, int k,
               int m) {
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < m; ++j) {
      C[i * m + j] = 0;
      for (int l = 0; l < k; ++l)
        C[i * m + j] += A[i * k + l] * B[l * m + j];
    }
}

/* x^T A x for square A[n x n] */
static double quad(const double *A, const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      s += x[i] * A[i * n + j] * x[j];
  return s;
}

static void mvf(const float *A, const float *x, float *y, int n, int m) {
  for (int i = 0; i < n; ++i) {
    float s = 0;
    for (int j = 0; j < m; ++j)
      s += A[i * m + j] * x[j];
    y[i] = s;
  }
}

static void mmf(const float *A, const float *B, float *C, int n, int k,
                int m) {
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < m; ++j) {
      float s = 0;
      for (int l = 0; l < k; ++l)
        s += A[i * k + l] * B[l * m + j];
      C[i * m + j] = s;
    }
}

/* deterministic test data in [-1, 1] */
static double val(int i, int salt) {
  return sin(1.3 * i + 0.7 * salt + 0.1);
}

static void fill(double *a, int n, int salt) {
  for (int i = 0; i < n; ++i)
    a[i] = val(i, salt);
}

static void test_mv(void) {
  double A[N * M], x[M], y[N], w[N];
  double dA[N * M], dx[M], dy[N];
  double wantA[N * M], wantx[M], wanty[N], tA[N * M], tx[M];
  fill(A, N * M, 1);
  fill(x, M, 2);
  fill(w, N, 3);
  fill(tA, N * M, 4);
  fill(tx, M, 5);
  for (int i = 0; i < N; ++i) {
    wanty[i] = 0;
    for (int j = 0; j < M; ++j)
      wanty[i] += A[i * M + j] * x[j];
  }

  /* reverse, both inputs active */
  memset(dA, 0, sizeof dA);
  memset(dx, 0, sizeof dx);
  memset(y, 0, sizeof y);
  memcpy(dy, w, sizeof dy);
  __enzyme_autodiff((void *)mv, A, dA, x, dx, y, dy, N, M);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < M; ++j)
      wantA[i * M + j] = w[i] * x[j];
  for (int j = 0; j < M; ++j) {
    wantx[j] = 0;
    for (int i = 0; i < N; ++i)
      wantx[j] += A[i * M + j] * w[i];
  }
  CHECK_ARRAY(dA, wantA, NULL, N * M);
  CHECK_ARRAY(dx, wantx, NULL, M);
  CHECK_ARRAY(y, wanty, NULL, N); /* the primal ran */
  for (int i = 0; i < N; ++i)
    CHECK_TRUE(dy[i] == 0.0); /* the output adjoint was consumed */

  /* reverse accumulates (+=) into the shadows; const A; dupnoneed y */
  for (int j = 0; j < M; ++j)
    dx[j] = 1.0;
  memcpy(dy, w, sizeof dy);
  __enzyme_autodiff((void *)mv, enzyme_const, A, x, dx, enzyme_dupnoneed, y,
                    dy, N, M);
  for (int j = 0; j < M; ++j)
    wantx[j] += 1.0;
  CHECK_ARRAY(dx, wantx, NULL, M);

  /* forward: ty = tA x + A tx */
  double ty[N], wantt[N];
  memset(y, 0, sizeof y);
  memset(ty, 0, sizeof ty);
  __enzyme_fwddiff((void *)mv, A, tA, x, tx, y, ty, N, M);
  for (int i = 0; i < N; ++i) {
    wantt[i] = 0;
    for (int j = 0; j < M; ++j)
      wantt[i] += tA[i * M + j] * x[j] + A[i * M + j] * tx[j];
  }
  CHECK_ARRAY(ty, wantt, NULL, N);
  CHECK_ARRAY(y, wanty, NULL, N);

  /* forward with A inactive: ty = A tx */
  memset(ty, 0, sizeof ty);
  __enzyme_fwddiff((void *)mv, enzyme_const, A, x, tx, enzyme_dupnoneed, y,
                   ty, N, M);
  for (int i = 0; i < N; ++i) {
    wantt[i] = 0;
    for (int j = 0; j < M; ++j)
      wantt[i] += A[i * M + j] * tx[j];
  }
  CHECK_ARRAY(ty, wantt, NULL, N);
}

static void test_mm(void) {
  double A[N * K], B[K * M], C[N * M], W[N * M];
  double dA[N * K], dB[K * M], dC[N * M];
  double wantA[N * K], wantB[K * M], tA[N * K], tB[K * M], tC[N * M],
      wantC[N * M], wantt[N * M];
  fill(A, N * K, 6);
  fill(B, K * M, 7);
  fill(W, N * M, 8);
  fill(tA, N * K, 9);
  fill(tB, K * M, 10);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < M; ++j) {
      wantC[i * M + j] = 0;
      for (int l = 0; l < K; ++l)
        wantC[i * M + j] += A[i * K + l] * B[l * M + j];
    }

  /* reverse: dA = W B^T, dB = A^T W */
  memset(dA, 0, sizeof dA);
  memset(dB, 0, sizeof dB);
  memset(C, 0, sizeof C);
  memcpy(dC, W, sizeof dC);
  __enzyme_autodiff((void *)mm, A, dA, B, dB, C, dC, N, K, M);
  for (int i = 0; i < N; ++i)
    for (int l = 0; l < K; ++l) {
      wantA[i * K + l] = 0;
      for (int j = 0; j < M; ++j)
        wantA[i * K + l] += W[i * M + j] * B[l * M + j];
    }
  for (int l = 0; l < K; ++l)
    for (int j = 0; j < M; ++j) {
      wantB[l * M + j] = 0;
      for (int i = 0; i < N; ++i)
        wantB[l * M + j] += A[i * K + l] * W[i * M + j];
    }
  CHECK_ARRAY(dA, wantA, NULL, N * K);
  CHECK_ARRAY(dB, wantB, NULL, K * M);
  CHECK_ARRAY(C, wantC, NULL, N * M);
  for (int i = 0; i < N * M; ++i)
    CHECK_TRUE(dC[i] == 0.0);

  /* forward: tC = tA B + A tB */
  memset(tC, 0, sizeof tC);
  __enzyme_fwddiff((void *)mm, A, tA, B, tB, C, tC, N, K, M);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < M; ++j) {
      wantt[i * M + j] = 0;
      for (int l = 0; l < K; ++l)
        wantt[i * M + j] +=
            tA[i * K + l] * B[l * M + j] + A[i * K + l] * tB[l * M + j];
    }
  CHECK_ARRAY(tC, wantt, NULL, N * M);
}

/* finite differences of quad through a packed vector [A | x] */
static double quad_packed(const double *p) { return quad(p, p + M * M, M); }

static void test_quad(void) {
  double p[M * M + M], dA[M * M], dx[M], want[M * M + M], fd[M * M + M],
      got[M * M + M], v[M * M + M];
  const double *A = p, *x = p + M * M;
  fill(p, M * M + M, 11);
  memset(dA, 0, sizeof dA);
  memset(dx, 0, sizeof dx);
  /* d/dA = x x^T, d/dx = (A + A^T) x */
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < M; ++j)
      want[i * M + j] = x[i] * x[j];
  for (int i = 0; i < M; ++i) {
    want[M * M + i] = 0;
    for (int j = 0; j < M; ++j)
      want[M * M + i] += (A[i * M + j] + A[j * M + i]) * x[j];
  }
  fd_gradient(quad_packed, p, M * M + M, fd);
  __enzyme_autodiff((void *)quad, A, dA, x, dx, M);
  memcpy(got, dA, sizeof dA);
  memcpy(got + M * M, dx, sizeof dx);
  CHECK_ARRAY(got, want, fd, M * M + M);

  /* forward along a direction in (A, x) jointly */
  fill(v, M * M + M, 12);
  CHECK_DERIV(__enzyme_fwddiff((void *)quad, A, v, x, v + M * M, M),
              dotn(want, v, M * M + M), fd_dir(quad_packed, p, v, M * M + M));
}

static void test_float(void) {
  float A[N * K], B[K * M], C[N * M], dA[N * K], dB[K * M], dC[N * M];
  float x[K], y[N], dx[K], dy[N];
  double wantA[N * K], wantB[K * M], wantx[K], wantt[N];
  for (int i = 0; i < N * K; ++i)
    A[i] = (float)val(i, 13);
  for (int i = 0; i < K * M; ++i)
    B[i] = (float)val(i, 14);
  for (int i = 0; i < K; ++i)
    x[i] = (float)val(i, 15);

  /* reverse mv, seeded with dy = (1, -2, 0.5) */
  const float w[N] = {1.0f, -2.0f, 0.5f};
  memset(dA, 0, sizeof dA);
  memset(dx, 0, sizeof dx);
  memcpy(dy, w, sizeof dy);
  __enzyme_autodiff((void *)mvf, A, dA, x, dx, y, dy, N, K);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < K; ++j)
      wantA[i * K + j] = (double)w[i] * x[j];
  for (int j = 0; j < K; ++j) {
    wantx[j] = 0;
    for (int i = 0; i < N; ++i)
      wantx[j] += (double)A[i * K + j] * w[i];
  }
  CHECK_ARRAY_F(dA, wantA, NULL, N * K);
  CHECK_ARRAY_F(dx, wantx, NULL, K);
  for (int i = 0; i < N; ++i)
    CHECK_TRUE(dy[i] == 0.0f);

  /* forward mv along x only */
  float tx[K], ty[N], zA[N * K];
  memset(zA, 0, sizeof zA);
  for (int j = 0; j < K; ++j)
    tx[j] = (float)val(j, 16);
  __enzyme_fwddiff((void *)mvf, A, zA, x, tx, y, ty, N, K);
  for (int i = 0; i < N; ++i) {
    wantt[i] = 0;
    for (int j = 0; j < K; ++j)
      wantt[i] += (double)A[i * K + j] * tx[j];
  }
  CHECK_ARRAY_F(ty, wantt, NULL, N);

  /* reverse mm seeded with all ones: dA = 1 B^T (row sums of B),
   * dB = A^T 1 (column sums of A) */
  memset(dA, 0, sizeof dA);
  memset(dB, 0, sizeof dB);
  for (int i = 0; i < N * M; ++i)
    dC[i] = 1.0f;
  __enzyme_autodiff((void *)mmf, A, dA, B, dB, C, dC, N, K, M);
  for (int i = 0; i < N; ++i)
    for (int l = 0; l < K; ++l) {
      wantA[i * K + l] = 0;
      for (int j = 0; j < M; ++j)
        wantA[i * K + l] += B[l * M + j];
    }
  for (int l = 0; l < K; ++l)
    for (int j = 0; j < M; ++j) {
      wantB[l * M + j] = 0;
      for (int i = 0; i < N; ++i)
        wantB[l * M + j] += A[i * K + l];
    }
  CHECK_ARRAY_F(dA, wantA, NULL, N * K);
  CHECK_ARRAY_F(dB, wantB, NULL, K * M);
}

int main(void) {
  test_mv();
  test_mm();
  test_quad();
  test_float();
  return report();
}
