// Matrix-matrix products f = 0.5 * ||A B||_F^2, fixed 4x4 (Eigen's lazy
// coefficient-based product with packets) and dynamic 20x20 (Eigen's GEMM:
// packing, the gebp kernel with prefetches, a heap temporary for the
// result), w.r.t. A and B. Closed forms, C = A B: df/dA = C B^T,
// df/dB = A^T C. -DMATMUL_GEMM tests the 20x20 product, otherwise the 4x4.
#include "check.hpp"
#include <Eigen/Dense>

using Eigen::Map;
using Eigen::Matrix4d;
using Eigen::MatrixXd;

double prod4(const double *A, const double *B) {
  Map<const Matrix4d> Am(A), Bm(B);
  return 0.5 * (Am * Bm).squaredNorm();
}

double prodn(const double *A, const double *B, int n) {
  Map<const MatrixXd> Am(A, n, n), Bm(B, n, n);
  MatrixXd C = Am * Bm;
  return 0.5 * C.squaredNorm();
}

double prod4_n(const double *A, const double *B, int) { return prod4(A, B); }

template <double (*f)(const double *, const double *, int)>
void check(const char *what, int n) {
  const int nn = n * n;
  std::vector<double> A = data(nn, 0.5), B = data(nn, 1.5);
  Map<const MatrixXd> Am(A.data(), n, n), Bm(B.data(), n, n);
  MatrixXd C = Am * Bm, gA = C * Bm.transpose(), gB = Am.transpose() * C;
  ScalarFn fA = [&](const double *p) { return f(p, B.data(), n); };
  ScalarFn fB = [&](const double *p) { return f(A.data(), p, n); };
  std::vector<double> fdA = fd_gradient(fA, A.data(), nn);
  std::vector<double> fdB = fd_gradient(fB, B.data(), nn);
  std::vector<double> V = data(nn, 3.5), W = data(nn, 6.5);
  std::printf("%s\n", what);
  (void)V;
  (void)W;
#ifdef TEST_REV
  {
    std::vector<double> dA(nn, 0.0), dB(nn, 0.0);
    __enzyme_autodiff((void *)f, enzyme_dup, A.data(), dA.data(), enzyme_const,
                      B.data(), n);
    CHECK_VEC("reverse df/dA", dA, gA.data(), fdA.data(), nn);
    __enzyme_autodiff((void *)f, enzyme_dup, A.data(), dA.data(), enzyme_dup,
                      B.data(), dB.data(), n);
    for (int i = 0; i < nn; ++i)
      dA[i] -= gA.data()[i]; // the first call left df/dA there
    CHECK_VEC("reverse df/dA, both active", dA, gA.data(), nullptr, nn);
    CHECK_VEC("reverse df/dB, both active", dB, gB.data(), fdB.data(), nn);
  }
#endif
#ifdef TEST_FWD
  {
    double t = __enzyme_fwddiff((void *)f, enzyme_dup, A.data(), V.data(),
                                enzyme_const, B.data(), n);
    CHECK_CLOSED("forward df/dA.V", 0, t,
                 gA.cwiseProduct(Map<const MatrixXd>(V.data(), n, n)).sum());
    CHECK_FD("forward df/dA.V", 0, t,
             fd_directional(fA, A.data(), V.data(), nn));
    t = __enzyme_fwddiff((void *)f, enzyme_dup, A.data(), V.data(), enzyme_dup,
                         B.data(), W.data(), n);
    CHECK_CLOSED(
        "forward df/dA.V + df/dB.W", 0, t,
        gA.cwiseProduct(Map<const MatrixXd>(V.data(), n, n)).sum() +
            gB.cwiseProduct(Map<const MatrixXd>(W.data(), n, n)).sum());
  }
#endif
#ifdef TEST_VEC
  {
    Vec2 t =
        __enzyme_fwddiff_2((void *)f, enzyme_width, 2, enzyme_const, A.data(),
                           enzyme_dup, B.data(), V.data(), W.data(), n);
    CHECK_CLOSED("vector df/dB.V", 0, t.d[0],
                 gB.cwiseProduct(Map<const MatrixXd>(V.data(), n, n)).sum());
    CHECK_CLOSED("vector df/dB.W", 1, t.d[1],
                 gB.cwiseProduct(Map<const MatrixXd>(W.data(), n, n)).sum());
  }
#endif
}

int main() {
#ifdef MATMUL_GEMM
  check<prodn>("dynamic 20x20", 20);
#else
  check<prod4_n>("fixed 4x4", 4);
#endif
  return report("matmul");
}
