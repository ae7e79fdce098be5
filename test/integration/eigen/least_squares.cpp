// Dense least squares f = 0.5 * ||A x - b||^2 with Eigen::Map<const MatrixXd>
// (dynamic sizes: Eigen's GEMV kernel with packets and prefetches), w.r.t. x
// and w.r.t. A. Closed forms: df/dx = A^T r, df/dA = r x^T, r = A x - b.
#include "check.hpp"
#include <Eigen/Dense>

using Eigen::Map;
using Eigen::MatrixXd;
using Eigen::VectorXd;

double lsq(const double *A, const double *b, const double *x, int m, int n) {
  Map<const MatrixXd> Am(A, m, n);
  Map<const VectorXd> bm(b, m), xm(x, n);
  return 0.5 * (Am * xm - bm).squaredNorm();
}

int main() {
  const int m = 13, n = 9;
  std::vector<double> A = data(m * n, 0.3), b = data(m, 1.1), x = data(n, 2.7);
  Map<const MatrixXd> Am(A.data(), m, n);
  Map<const VectorXd> bm(b.data(), m), xm(x.data(), n);
  VectorXd r = Am * xm - bm;
  VectorXd gx = Am.transpose() * r; // closed form w.r.t. x
  MatrixXd gA = r * xm.transpose(); // closed form w.r.t. A (column-major)
  ScalarFn fx = [&](const double *p) {
    return lsq(A.data(), b.data(), p, m, n);
  };
  ScalarFn fA = [&](const double *p) {
    return lsq(p, b.data(), x.data(), m, n);
  };
  std::vector<double> fdx = fd_gradient(fx, x.data(), n);
  std::vector<double> fdA = fd_gradient(fA, A.data(), m * n);
  std::vector<double> v = data(n, 5.0), V = data(m * n, 6.0), w = data(n, 8.0);

#ifdef TEST_REV
  {
    std::vector<double> dx(n, 0.0);
    __enzyme_autodiff((void *)lsq, enzyme_const, A.data(), enzyme_const,
                      b.data(), enzyme_dup, x.data(), dx.data(), m, n);
    CHECK_VEC("reverse df/dx", dx, gx.data(), fdx.data(), n);
    std::vector<double> dA(m * n, 0.0);
    __enzyme_autodiff((void *)lsq, enzyme_dup, A.data(), dA.data(),
                      enzyme_const, b.data(), enzyme_const, x.data(), m, n);
    CHECK_VEC("reverse df/dA", dA, gA.data(), fdA.data(), m * n);
  }
#endif
#ifdef TEST_FWD
  {
    double t =
        __enzyme_fwddiff((void *)lsq, enzyme_const, A.data(), enzyme_const,
                         b.data(), enzyme_dup, x.data(), v.data(), m, n);
    CHECK_CLOSED("forward df/dx.v", 0, t, gx.dot(Map<VectorXd>(v.data(), n)));
    CHECK_FD("forward df/dx.v", 0, t,
             fd_directional(fx, x.data(), v.data(), n));
    double tA =
        __enzyme_fwddiff((void *)lsq, enzyme_dup, A.data(), V.data(),
                         enzyme_const, b.data(), enzyme_const, x.data(), m, n);
    CHECK_CLOSED("forward df/dA.V", 0, tA,
                 gA.cwiseProduct(Map<MatrixXd>(V.data(), m, n)).sum());
    CHECK_FD("forward df/dA.V", 0, tA,
             fd_directional(fA, A.data(), V.data(), m * n));
  }
#endif
#ifdef TEST_VEC
  {
    Vec2 t = __enzyme_fwddiff_2((void *)lsq, enzyme_width, 2, enzyme_const,
                                A.data(), enzyme_const, b.data(), enzyme_dup,
                                x.data(), v.data(), w.data(), m, n);
    CHECK_CLOSED("vector df/dx.v", 0, t.d[0],
                 gx.dot(Map<VectorXd>(v.data(), n)));
    CHECK_CLOSED("vector df/dx.w", 1, t.d[1],
                 gx.dot(Map<VectorXd>(w.data(), n)));
    CHECK_FD("vector df/dx.w", 1, t.d[1],
             fd_directional(fx, x.data(), w.data(), n));
  }
#endif
  return report("least_squares");
}
