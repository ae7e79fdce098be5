// Jacobians of a small physics model: one explicit step of a 2-D particle
// under gravity and quadratic drag, state (x, y, vx, vy) plus the drag
// coefficient k as input (n = 5), next state as output (m = 4).
// fluxion::jacobian gives the 4 x 5 Jacobian of one particle;
// fluxion::batched_jacobian gives it for 256 particles, once with the step
// mapping one particle (particles in parallel on the thread pool) and once
// with the step mapping the whole swarm (one seed per input direction in
// every particle). Every entry is compared to central finite differences.
#include <fluxion/ad.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

constexpr size_t N = 5, M = 4, B = 256;
constexpr double dt = 0.01, g = 9.81;

void step(const double *s, double *out) {
  double vx = s[2], vy = s[3], k = s[4];
  double speed = std::sqrt(vx * vx + vy * vy);
  double ax = -k * speed * vx, ay = -g - k * speed * vy;
  out[0] = s[0] + dt * vx + 0.5 * dt * dt * ax;
  out[1] = s[1] + dt * vy + 0.5 * dt * dt * ay;
  out[2] = vx + dt * ax;
  out[3] = vy + dt * ay;
}

int failures = 0;
void compare(const double *s, const double *J, const char *what) {
  double x[N], up[M], down[M];
  for (size_t j = 0; j < N; ++j) {
    for (size_t i = 0; i < N; ++i)
      x[i] = s[i];
    double h = 1e-6 * std::fmax(1, std::fabs(x[j]));
    x[j] = s[j] + h;
    step(x, up);
    x[j] = s[j] - h;
    step(x, down);
    for (size_t i = 0; i < M; ++i) {
      double fd = (up[i] - down[i]) / (2 * h);
      if (std::fabs(fd - J[i * N + j]) > 1e-7 * std::fmax(1, std::fabs(fd))) {
        ++failures;
        std::printf("%s: J[%zu][%zu] = %g, finite difference %g\n", what, i, j,
                    J[i * N + j], fd);
      }
    }
  }
}

int main() {
  std::vector<double> S(B * N);
  for (size_t b = 0; b < B; ++b) {
    double a = 0.1 * b;
    double s[N] = {std::cos(a), std::sin(a), 3 * std::cos(2 * a),
                   2 + std::sin(3 * a), 0.05 + 0.001 * b};
    for (size_t i = 0; i < N; ++i)
      S[b * N + i] = s[i];
  }

  double J[M * N];
  fluxion::jacobian(fluxion::fn<step>, S.data(), J, N, M);
  std::printf("Jacobian of one step at particle 0:\n");
  for (size_t i = 0; i < M; ++i) {
    for (size_t j = 0; j < N; ++j)
      std::printf(" %10.6f", J[i * N + j]);
    std::printf("\n");
  }
  compare(S.data(), J, "jacobian");

  std::vector<double> JB(B * M * N);
  fluxion::batched_jacobian(fluxion::fn<step>, S.data(), JB.data(), N, M, B);
  for (size_t b = 0; b < B; ++b)
    compare(S.data() + b * N, JB.data() + b * M * N, "batched (per particle)");

  auto swarm = [](const double *s, double *out) {
    for (size_t b = 0; b < B; ++b)
      step(s + b * N, out + b * M);
  };
  fluxion::batched_jacobian(fluxion::whole_batch, swarm, S.data(), JB.data(), N,
                            M, B);
  for (size_t b = 0; b < B; ++b)
    compare(S.data() + b * N, JB.data() + b * M * N, "batched (whole swarm)");

  std::printf("%zu particles on %u threads: %d entries disagree with finite "
              "differences\n",
              B, fluxion::num_threads(), failures);
  return failures ? 1 : 0;
}
