// Eigen code through the C++ interfaces instead of the raw builtins
// (-DTEST_REV: gradient and enzyme Reverse; -DTEST_FWD: enzyme Forward;
// -DTEST_VEC: jacobian):
// fluxion::gradient of least squares 0.5 * ||A x - b||^2 (a lambda capturing
// the constant A and b, dynamic-size maps; closed form A^T (A x - b)),
// fluxion::jacobian of the layer y = tanh(W x + b) (fixed 5x4 maps; vector
// forward mode and reverse mode; closed form diag(1 - y^2) W), and
// enzyme::autodiff over a function of an Eigen vector passed by reference
// (f = |x| * sum(x); closed form x / |x| * sum(x) + |x|), each also against
// central finite differences.
#include "check.hpp"
#include <Eigen/Dense>
#include <enzyme/enzyme>
#include <fluxion/ad.hpp>

using Eigen::Map;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using Mat54 = Eigen::Matrix<double, 5, 4>;
using Vec4 = Eigen::Matrix<double, 4, 1>;
using Vec5 = Eigen::Matrix<double, 5, 1>;

double norm_sum(const Vec4 &x) { return x.norm() * x.sum(); }

int main() {
#ifdef TEST_REV
  std::printf("fluxion::gradient\n");
  {
    const int m = 9, n = 6;
    std::vector<double> A = data(m * n, 0.3), b = data(m, 1.1),
                        x = data(n, 2.7), g(n, -1.0);
    auto f = [&](const double *p) {
      Map<const MatrixXd> Am(A.data(), m, n);
      return 0.5 *
             (Am * Map<const VectorXd>(p, n) - Map<const VectorXd>(b.data(), m))
                 .squaredNorm();
    };
    fluxion::gradient(f, x.data(), g.data(), n);
    Map<const MatrixXd> Am(A.data(), m, n);
    VectorXd want = Am.transpose() * (Am * Map<const VectorXd>(x.data(), n) -
                                      Map<const VectorXd>(b.data(), m));
    std::vector<double> fd = fd_gradient(f, x.data(), n);
    CHECK_VEC("gradient", g, want.data(), fd.data(), n);
  }
#endif
#ifdef TEST_VEC
  // fluxion::jacobian compiles both its vector forward and its reverse
  // kernels whichever mode runs
  std::printf("fluxion::jacobian\n");
  {
    std::vector<double> W = data(20, 0.4), b = data(5, 3.3), x = data(4, 1.9);
    auto layer = [&](const double *p, double *y) {
      Map<const Mat54> Wm(W.data());
      Map<Vec5> ym(y);
      ym = (Wm * Map<const Vec4>(p) + Map<const Vec5>(b.data()))
               .array()
               .tanh()
               .matrix();
    };
    Map<const Mat54> Wm(W.data());
    Vec5 y;
    layer(x.data(), y.data());
    // row-major 5x4: J(i, j) = (1 - y_i^2) W(i, j)
    std::vector<double> want(20);
    for (int i = 0; i < 5; ++i)
      for (int j = 0; j < 4; ++j)
        want[i * 4 + j] = (1 - y(i) * y(i)) * Wm(i, j);
    std::vector<double> fd = fd_jacobian(layer, x.data(), 4, 5);
    for (auto mode :
         {fluxion::jacobian_mode::forward, fluxion::jacobian_mode::reverse}) {
      std::vector<double> J(20, -7.0);
      fluxion::jacobian(layer, x.data(), J.data(), 4, 5, mode);
      CHECK_VEC(mode == fluxion::jacobian_mode::forward ? "jacobian forward"
                                                        : "jacobian reverse",
                J, want.data(), fd.data(), 20);
    }
  }
#endif
  std::printf("enzyme::autodiff\n");
  {
    Vec4 x(0.3, -0.8, 1.1, 0.5), dx = Vec4::Zero(), v(0.2, 0.4, -0.6, 1.0);
    Vec4 want = x / x.norm() * x.sum() + Vec4::Constant(x.norm());
    ScalarFn f = [](const double *p) { return norm_sum(Map<const Vec4>(p)); };
    std::vector<double> fd = fd_gradient(f, x.data(), 4);
    (void)dx;
    (void)v;
#ifdef TEST_REV
    enzyme::autodiff<enzyme::Reverse>(norm_sum,
                                      enzyme::Duplicated<const Vec4 &>{x, dx});
    CHECK_VEC("enzyme reverse", dx, want.data(), fd.data(), 4);
#endif
#ifdef TEST_FWD
    auto t = enzyme::autodiff<enzyme::Forward>(
        norm_sum, enzyme::Duplicated<const Vec4 &>{x, v});
    CHECK_CLOSED("enzyme forward", 0, enzyme::get<0>(t), want.dot(v));
#endif
  }
  return report("api");
}
