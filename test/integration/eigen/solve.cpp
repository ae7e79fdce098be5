// Linear solves f = c . (M^-1 b) with Eigen's Cholesky (LLT, which reads
// the lower triangle of a symmetric positive definite S) and LU with
// partial pivoting (PartialPivLU), dynamic size n = 6, w.r.t. the right-hand
// side b and the matrix. Closed forms, y = M^-1 b, u = M^-T c:
//   df/db = u;  LU: df/dA = -u y^T;
//   LLT (lower triangle only): df/dS_ij = -(u_i y_j + u_j y_i) for i > j,
//   -u_i y_i for i = j, 0 for i < j.
// -DSOLVE_LU tests the LU solve, otherwise the Cholesky one.
#include "check.hpp"
#include <Eigen/Dense>

using Eigen::Map;
using Eigen::MatrixXd;
using Eigen::VectorXd;

double llt_solve(const double *S, const double *b, const double *c, int n) {
  Eigen::LLT<MatrixXd> llt(Map<const MatrixXd>(S, n, n));
  VectorXd y = llt.solve(Map<const VectorXd>(b, n));
  return Map<const VectorXd>(c, n).dot(y);
}

double lu_solve(const double *A, const double *b, const double *c, int n) {
  Eigen::PartialPivLU<MatrixXd> lu(Map<const MatrixXd>(A, n, n));
  VectorXd y = lu.solve(Map<const VectorXd>(b, n));
  return Map<const VectorXd>(c, n).dot(y);
}

template <double (*f)(const double *, const double *, const double *, int)>
void check(const char *what, const MatrixXd &M, const MatrixXd &gM,
           const VectorXd &gb, const std::vector<double> &b,
           const std::vector<double> &c) {
  const int n = (int)M.rows(), nn = n * n;
  std::vector<double> Mv(M.data(), M.data() + nn);
  ScalarFn fM = [&](const double *p) { return f(p, b.data(), c.data(), n); };
  ScalarFn fb = [&](const double *p) { return f(Mv.data(), p, c.data(), n); };
  std::vector<double> fdM = fd_gradient(fM, Mv.data(), nn);
  std::vector<double> fdb = fd_gradient(fb, b.data(), n);
  std::vector<double> V = data(nn, 2.2), v = data(n, 4.4), w = data(n, 5.5);
  std::printf("%s\n", what);
  (void)V;
  (void)w;
#ifdef TEST_REV
  {
    std::vector<double> db(n, 0.0), dM(nn, 0.0);
    __enzyme_autodiff((void *)f, enzyme_const, Mv.data(), enzyme_dup, b.data(),
                      db.data(), enzyme_const, c.data(), n);
    CHECK_VEC("reverse df/db", db, gb.data(), fdb.data(), n);
    __enzyme_autodiff((void *)f, enzyme_dup, Mv.data(), dM.data(), enzyme_const,
                      b.data(), enzyme_const, c.data(), n);
    CHECK_VEC("reverse df/dM", dM, gM.data(), fdM.data(), nn);
  }
#endif
#ifdef TEST_FWD
  {
    double t = __enzyme_fwddiff((void *)f, enzyme_const, Mv.data(), enzyme_dup,
                                b.data(), v.data(), enzyme_const, c.data(), n);
    CHECK_CLOSED("forward df/db.v", 0, t,
                 gb.dot(Map<const VectorXd>(v.data(), n)));
    t = __enzyme_fwddiff((void *)f, enzyme_dup, Mv.data(), V.data(),
                         enzyme_const, b.data(), enzyme_const, c.data(), n);
    CHECK_CLOSED("forward df/dM.V", 0, t,
                 gM.cwiseProduct(Map<const MatrixXd>(V.data(), n, n)).sum());
    CHECK_FD("forward df/dM.V", 0, t,
             fd_directional(fM, Mv.data(), V.data(), nn));
  }
#endif
#ifdef TEST_VEC
  {
    Vec2 t = __enzyme_fwddiff_2((void *)f, enzyme_width, 2, enzyme_const,
                                Mv.data(), enzyme_dup, b.data(), v.data(),
                                w.data(), enzyme_const, c.data(), n);
    CHECK_CLOSED("vector df/db.v", 0, t.d[0],
                 gb.dot(Map<const VectorXd>(v.data(), n)));
    CHECK_CLOSED("vector df/db.w", 1, t.d[1],
                 gb.dot(Map<const VectorXd>(w.data(), n)));
  }
#endif
}

int main() {
  const int n = 6;
  std::vector<double> b = data(n, 0.9), c = data(n, 2.3);
  Map<const VectorXd> bm(b.data(), n), cm(c.data(), n);
  MatrixXd G = Map<const MatrixXd>(data(n * n, 1.4).data(), n, n);
  // LLT: symmetric positive definite
  MatrixXd S = G * G.transpose() + n * MatrixXd::Identity(n, n);
  VectorXd y = S.llt().solve(bm), u = S.llt().solve(cm);
  MatrixXd gS = MatrixXd::Zero(n, n);
  for (int j = 0; j < n; ++j)
    for (int i = j; i < n; ++i)
      gS(i, j) = i == j ? -u(i) * y(i) : -(u(i) * y(j) + u(j) * y(i));
#ifndef SOLVE_LU
  check<llt_solve>("llt", S, gS, u, b, c);
#endif
  // LU: a nonsymmetric matrix with pivoting
  MatrixXd A = G + 0.5 * MatrixXd::Identity(n, n);
  y = A.partialPivLu().solve(bm);
  u = A.transpose().partialPivLu().solve(cm);
  MatrixXd gA = -u * y.transpose();
#ifdef SOLVE_LU
  check<lu_solve>("partial pivoting lu", A, gA, u, b, c);
#endif
  return report("solve");
}
