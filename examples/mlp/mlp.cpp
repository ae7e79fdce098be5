// Trains a 2-16-1 perceptron (tanh hidden layer, logistic output) on two
// interleaved spirals with plain SGD; the gradient of the mean loss with
// respect to all parameters comes from fluxion::gradient. Prints the loss
// as it falls and checks one gradient against central finite differences.
//   build/bin/fluxion-clang++ -O2 examples/mlp/mlp.cpp -o mlp && ./mlp
#include <fluxion/ad.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

constexpr int H = 16;                // hidden units
constexpr int P = 2 * H + H + H + 1; // W1 (H x 2), b1, w2, b2
constexpr int S = 200;               // samples

struct Data {
  std::vector<double> x, y; // x: S x 2, y: labels 0/1
};

Data spirals() {
  Data d;
  for (int i = 0; i < S; ++i) {
    int c = i % 2;
    double t = 0.4 + 3.0 * (i / 2) / double(S / 2);
    double r = t / 3.4, a = t + c * M_PI;
    d.x.push_back(r * std::cos(a));
    d.x.push_back(r * std::sin(a));
    d.y.push_back(c);
  }
  return d;
}

// Mean cross-entropy of the network with parameters p over the data set.
double loss(const double *p, const Data &d) {
  const double *W1 = p, *b1 = p + 2 * H, *w2 = p + 3 * H, *b2 = p + 4 * H;
  double total = 0;
  for (int s = 0; s < S; ++s) {
    double x0 = d.x[2 * s], x1 = d.x[2 * s + 1], z = b2[0];
    for (int h = 0; h < H; ++h)
      z += w2[h] * std::tanh(W1[2 * h] * x0 + W1[2 * h + 1] * x1 + b1[h]);
    // log(1 + e^z) - y z, written to stay finite for large |z|
    double softplus =
        z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
    total += softplus - d.y[s] * z;
  }
  return total / S;
}

int main() {
  Data d = spirals();
  std::vector<double> p(P), g(P);
  for (int i = 0; i < P; ++i)
    p[i] = 0.8 * std::sin(1.7 * i + 0.3);
  // The closure captures the data set (constant: no derivative flows there).
  auto objective = [&d](const double *q) { return loss(q, d); };

  // One gradient against central finite differences.
  fluxion::gradient(objective, p.data(), g.data(), P);
  int bad = 0;
  for (int i = 0; i < P; ++i) {
    double h = 1e-6, keep = p[i];
    p[i] = keep + h;
    double up = loss(p.data(), d);
    p[i] = keep - h;
    double down = loss(p.data(), d);
    p[i] = keep;
    double fd = (up - down) / (2 * h);
    if (std::fabs(fd - g[i]) > 1e-6 * std::fmax(1, std::fabs(fd)))
      ++bad,
          std::printf("gradient[%d]: %g, finite difference %g\n", i, g[i], fd);
  }
  std::printf("gradient check: %d of %d entries disagree\n", bad, P);

  double first = loss(p.data(), d), last = first;
  const double rate = 0.5;
  for (int epoch = 0; epoch <= 3000; ++epoch) {
    fluxion::gradient(objective, p.data(), g.data(), P);
    for (int i = 0; i < P; ++i)
      p[i] -= rate * g[i];
    if (epoch % 500 == 0) {
      last = loss(p.data(), d);
      std::printf("epoch %4d  loss %.4f\n", epoch, last);
    }
  }
  std::printf("loss %.4f -> %.4f\n", first, last);
  return bad == 0 && last < 0.5 * first ? 0 : 1;
}
