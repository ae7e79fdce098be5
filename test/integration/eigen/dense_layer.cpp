// A dense layer f = sum(tanh(W x + b)) with fixed-size maps
// (Eigen::Map<const Matrix<double, 5, 4>>), w.r.t. W and x. Closed forms,
// with z = W x + b and s = 1 - tanh(z)^2: df/dW = s x^T, df/dx = W^T s.
#include "check.hpp"
#include <Eigen/Dense>

using Eigen::Map;
using Eigen::Matrix;
using Mat54 = Matrix<double, 5, 4>;
using Vec4 = Matrix<double, 4, 1>;
using Vec5 = Matrix<double, 5, 1>;

double layer(const double *W, const double *x, const double *b) {
  Map<const Mat54> Wm(W);
  Map<const Vec4> xm(x);
  Map<const Vec5> bm(b);
  return (Wm * xm + bm).array().tanh().sum();
}

int main() {
  std::vector<double> W = data(20, 0.4), x = data(4, 1.9), b = data(5, 3.3);
  Map<const Mat54> Wm(W.data());
  Map<const Vec4> xm(x.data());
  Vec5 z = Wm * xm + Map<const Vec5>(b.data());
  Vec5 s = (1 - z.array().tanh().square()).matrix();
  Mat54 gW = s * xm.transpose();
  Vec4 gx = Wm.transpose() * s;
  ScalarFn fW = [&](const double *p) { return layer(p, x.data(), b.data()); };
  ScalarFn fx = [&](const double *p) { return layer(W.data(), p, b.data()); };
  std::vector<double> fdW = fd_gradient(fW, W.data(), 20);
  std::vector<double> fdx = fd_gradient(fx, x.data(), 4);
  std::vector<double> V = data(20, 7.5), V2 = data(20, 9.25), v = data(4, 4.5);

#ifdef TEST_REV
  {
    std::vector<double> dW(20, 0.0), dx(4, 0.0);
    __enzyme_autodiff((void *)layer, enzyme_dup, W.data(), dW.data(),
                      enzyme_const, x.data(), enzyme_const, b.data());
    CHECK_VEC("reverse df/dW", dW, gW.data(), fdW.data(), 20);
    __enzyme_autodiff((void *)layer, enzyme_const, W.data(), enzyme_dup,
                      x.data(), dx.data(), enzyme_const, b.data());
    CHECK_VEC("reverse df/dx", dx, gx.data(), fdx.data(), 4);
  }
#endif
#ifdef TEST_FWD
  {
    double t = __enzyme_fwddiff((void *)layer, enzyme_dup, W.data(), V.data(),
                                enzyme_const, x.data(), enzyme_const, b.data());
    CHECK_CLOSED("forward df/dW.V", 0, t,
                 gW.cwiseProduct(Map<const Mat54>(V.data())).sum());
    CHECK_FD("forward df/dW.V", 0, t,
             fd_directional(fW, W.data(), V.data(), 20));
    double tx =
        __enzyme_fwddiff((void *)layer, enzyme_const, W.data(), enzyme_dup,
                         x.data(), v.data(), enzyme_const, b.data());
    CHECK_CLOSED("forward df/dx.v", 0, tx, gx.dot(Map<const Vec4>(v.data())));
  }
#endif
#ifdef TEST_VEC
  {
    Vec2 t = __enzyme_fwddiff_2((void *)layer, enzyme_width, 2, enzyme_dup,
                                W.data(), V.data(), V2.data(), enzyme_const,
                                x.data(), enzyme_const, b.data());
    CHECK_CLOSED("vector df/dW.V", 0, t.d[0],
                 gW.cwiseProduct(Map<const Mat54>(V.data())).sum());
    CHECK_CLOSED("vector df/dW.V2", 1, t.d[1],
                 gW.cwiseProduct(Map<const Mat54>(V2.data())).sum());
  }
#endif
  return report("dense_layer");
}
