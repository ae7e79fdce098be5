// Eigen's Tensor module (unsupported/Eigen/CXX11/Tensor): a TensorMap copied
// into a Tensor (the assignment's copy kernel), a shuffled (transposed) copy,
// and reductions f = sum(t^2) + sum_ij sin(s(j, i)) t(i, j) with s the
// shuffled copy (s(j, i) = t(i, j)), t 3x4, w.r.t. the mapped data x. Closed
// form: df/dx = 2 x + sin(x) + x cos(x).
#include "check.hpp"
#include <unsupported/Eigen/CXX11/Tensor>

using Eigen::Tensor;
using Eigen::TensorMap;

double tensor_f(const double *x) {
  TensorMap<const Tensor<double, 2>> m(x, 3, 4);
  Tensor<double, 2> t = m; // a copy on the heap
  Eigen::array<int, 2> swap{{1, 0}};
  Tensor<double, 2> s = t.shuffle(swap); // 4x3
  Tensor<double, 0> sq = t.square().sum();
  double cross = 0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j)
      cross += std::sin(s(j, i)) * t(i, j);
  return sq() + cross;
}

int main() {
  std::vector<double> x = data(12, 0.6), v = data(12, 1.8), w = data(12, 2.9);
  // f = sum x^2 + sum sin(x) x  (s(j, i) = t(i, j))
  std::vector<double> want(12);
  for (int k = 0; k < 12; ++k)
    want[k] = 2 * x[k] + std::cos(x[k]) * x[k] + std::sin(x[k]);
  ScalarFn f = [](const double *p) { return tensor_f(p); };
  std::vector<double> fd = fd_gradient(f, x.data(), 12);
  (void)v;
  (void)w;
#ifdef TEST_REV
  {
    std::vector<double> dx(12, 0.0);
    __enzyme_autodiff((void *)tensor_f, enzyme_dup, x.data(), dx.data());
    CHECK_VEC("reverse", dx, want.data(), fd.data(), 12);
  }
#endif
#ifdef TEST_FWD
  {
    double t =
        __enzyme_fwddiff((void *)tensor_f, enzyme_dup, x.data(), v.data());
    CHECK_CLOSED("forward", 0, t, inner(want, v.data()));
  }
#endif
#ifdef TEST_VEC
  {
    Vec2 t = __enzyme_fwddiff_2((void *)tensor_f, enzyme_width, 2, enzyme_dup,
                                x.data(), v.data(), w.data());
    CHECK_CLOSED("vector", 0, t.d[0], inner(want, v.data()));
    CHECK_CLOSED("vector", 1, t.d[1], inner(want, w.data()));
  }
#endif
  return report("tensor");
}
