//===- RuntimeTest.cpp - libfluxion_rt drivers with closed-form kernels ---===//
//
// The kernels implement y = A x + sin(x_0) e (A fixed, m x n) by hand, so
// the expected Jacobian is exact and every driver path (forward scalar,
// vector with remainder lanes, reverse, batched, joint batch, Hessian,
// threading) can be checked without compiling through the plugin.
//
//===----------------------------------------------------------------------===//
#include "fluxion/runtime.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <vector>

namespace {

struct Affine {
  size_t N, M, Samples = 1;
  double a(size_t I, size_t J) const { return std::cos(double(I * 7 + J)); }
  // per sample: y_i = sum_j a_ij x_j + sin(x_0)
  void eval(const double *X, double *Y) const {
    for (size_t S = 0; S < Samples; ++S)
      for (size_t I = 0; I < M; ++I) {
        double V = std::sin(X[S * N]);
        for (size_t J = 0; J < N; ++J)
          V += a(I, J) * X[S * N + J];
        Y[S * M + I] = V;
      }
  }
  double jac(const double *X, size_t I, size_t J) const {
    return a(I, J) + (J == 0 ? std::cos(X[0]) : 0.0);
  }
};

void jvp(void *Ctx, const double *X, const double *V, double *Y, double *Jv) {
  auto *F = static_cast<Affine *>(Ctx);
  F->eval(X, Y);
  for (size_t S = 0; S < F->Samples; ++S)
    for (size_t I = 0; I < F->M; ++I) {
      double D = 0;
      for (size_t J = 0; J < F->N; ++J)
        D += F->jac(X + S * F->N, I, J) * V[S * F->N + J];
      Jv[S * F->M + I] = D;
    }
}
std::atomic<int> VecCalls{0};
void jvpVec(void *Ctx, const double *X, const double *const *V, double *Y,
            double *const *Jv) {
  ++VecCalls;
  for (unsigned K = 0; K < 8; ++K)
    jvp(Ctx, X, V[K], Y, Jv[K]);
}
void vjp(void *Ctx, const double *X, double *U, double *Y, double *JTu) {
  auto *F = static_cast<Affine *>(Ctx);
  F->eval(X, Y);
  for (size_t S = 0; S < F->Samples; ++S)
    for (size_t I = 0; I < F->M; ++I)
      for (size_t J = 0; J < F->N; ++J)
        JTu[S * F->N + J] += F->jac(X + S * F->N, I, J) * U[S * F->M + I];
  for (size_t I = 0; I < F->M * F->Samples; ++I)
    U[I] = 0; // reverse mode consumes the seed
}

fluxion_map_d kernels(Affine &F, bool Vector) {
  fluxion_map_d K{};
  K.ctx = &F;
  K.jvp = jvp;
  K.vjp = vjp;
  if (Vector) {
    K.jvp_vec = jvpVec;
    K.width = 8;
  }
  return K;
}

std::vector<double> input(size_t Count) {
  std::vector<double> X(Count);
  for (size_t I = 0; I < Count; ++I)
    X[I] = 0.1 * double(I) - 0.4;
  return X;
}

void expectJacobian(const Affine &F, const double *X, const double *J) {
  for (size_t I = 0; I < F.M; ++I)
    for (size_t K = 0; K < F.N; ++K)
      EXPECT_NEAR(J[I * F.N + K], F.jac(X, I, K), 1e-12) << I << "," << K;
}

TEST(RuntimeJacobian, AllModesAndShapes) {
  const size_t Shapes[][2] = {{3, 9}, {8, 8}, {13, 5}, {17, 17}, {1, 1}};
  const fluxion_jacobian_mode Modes[] = {FLUXION_JACOBIAN_AUTO,
                                         FLUXION_JACOBIAN_FORWARD,
                                         FLUXION_JACOBIAN_REVERSE};
  for (auto &S : Shapes)
    for (bool Vector : {false, true})
      for (auto Mode : Modes) {
        Affine F{S[0], S[1]};
        fluxion_map_d K = kernels(F, Vector);
        std::vector<double> X = input(F.N), J(F.N * F.M, 9.0), Y(F.M),
                            Want(F.M);
        ASSERT_EQ(fluxion_jacobian_d(&K, X.data(), J.data(), Y.data(), F.N, F.M,
                                     Mode),
                  FLUXION_OK);
        expectJacobian(F, X.data(), J.data());
        F.eval(X.data(), Want.data());
        for (size_t I = 0; I < F.M; ++I)
          EXPECT_NEAR(Y[I], Want[I], 1e-12);
      }
}

TEST(RuntimeJacobian, VectorModeUsesChunks) {
  Affine F{20, 30};
  fluxion_map_d K = kernels(F, true);
  std::vector<double> X = input(F.N), J(F.N * F.M);
  VecCalls = 0;
  ASSERT_EQ(fluxion_jacobian_d(&K, X.data(), J.data(), nullptr, F.N, F.M,
                               FLUXION_JACOBIAN_AUTO),
            FLUXION_OK);
  EXPECT_EQ(VecCalls.load(), 3); // ceil(20 / 8)
  expectJacobian(F, X.data(), J.data());
}

TEST(RuntimeJacobian, MissingKernelsAreErrors) {
  fluxion_map_d K{};
  double X = 0, J = 0;
  EXPECT_EQ(
      fluxion_jacobian_d(&K, &X, &J, nullptr, 1, 1, FLUXION_JACOBIAN_AUTO),
      FLUXION_EINVAL);
  EXPECT_EQ(
      fluxion_jacobian_d(nullptr, &X, &J, nullptr, 1, 1, FLUXION_JACOBIAN_AUTO),
      FLUXION_EINVAL);
  Affine F{2, 2};
  K = kernels(F, false);
  K.vjp = nullptr;
  EXPECT_EQ(
      fluxion_jacobian_d(&K, &X, &J, nullptr, 1, 1, FLUXION_JACOBIAN_REVERSE),
      FLUXION_EINVAL);
}

TEST(RuntimeBatched, PerSampleAndJoint) {
  for (unsigned Threads : {1u, 2u, 3u}) {
    fluxion_set_num_threads(Threads);
    EXPECT_EQ(fluxion_num_threads(), Threads);
    const size_t N = 5, M = 3, B = 37;
    Affine One{N, M};
    fluxion_map_d K = kernels(One, true);
    std::vector<double> X = input(B * N), J(B * M * N);
    ASSERT_EQ(fluxion_batched_jacobian_d(&K, X.data(), J.data(), N, M, B),
              FLUXION_OK);
    for (size_t S = 0; S < B; ++S)
      expectJacobian(One, X.data() + S * N, J.data() + S * M * N);
    for (bool Wide : {false, true}) {
      Affine All{Wide ? M : N, Wide ? N : M, B}; // n > m goes reverse
      fluxion_map_d KA = kernels(All, true);
      std::vector<double> XA = input(B * All.N), JA(B * All.M * All.N);
      ASSERT_EQ(fluxion_batched_jacobian_joint_d(&KA, XA.data(), JA.data(),
                                                 All.N, All.M, B),
                FLUXION_OK);
      for (size_t S = 0; S < B; ++S)
        expectJacobian(All, XA.data() + S * All.N,
                       JA.data() + S * All.M * All.N);
    }
  }
  fluxion_set_num_threads(0);
}

// f(x) = sum_i x_i^3 / 6 + x_0 x_1: H = diag(x) + (e0 e1^T + e1 e0^T)
void hvp(void *, const double *X, const double *V, double *Hv, double *,
         size_t N) {
  for (size_t I = 0; I < N; ++I)
    Hv[I] = X[I] * V[I];
  Hv[0] += V[1];
  Hv[1] += V[0];
}

TEST(RuntimeHessian, ColumnsInParallel) {
  fluxion_set_num_threads(2);
  const size_t N = 23;
  fluxion_scalar_d K{};
  K.hvp = hvp;
  std::vector<double> X = input(N), H(N * N, 5.0), V(N, 1.0), Hv(N);
  ASSERT_EQ(fluxion_hessian_d(&K, X.data(), H.data(), N), FLUXION_OK);
  for (size_t I = 0; I < N; ++I)
    for (size_t J = 0; J < N; ++J) {
      double Want = (I == J ? X[I] : 0.0) +
                    ((I == 0 && J == 1) || (I == 1 && J == 0) ? 1.0 : 0.0);
      EXPECT_EQ(H[I * N + J], Want);
    }
  ASSERT_EQ(fluxion_hvp_d(&K, X.data(), V.data(), Hv.data(), N), FLUXION_OK);
  EXPECT_EQ(Hv[2], X[2]);
  EXPECT_EQ(Hv[0], X[0] + 1.0);
  fluxion_set_num_threads(0);
}

void count(void *Ctx, size_t I) {
  static_cast<std::atomic<size_t> *>(Ctx)->fetch_add(I + 1);
}
struct Nested {
  std::atomic<size_t> Sum{0};
};
void outer(void *Ctx, size_t) {
  // A loop inside a loop runs serially on the calling thread.
  fluxion_parallel_for(10, count, &static_cast<Nested *>(Ctx)->Sum);
}

TEST(RuntimeThreads, ParallelForCoversEveryIndexOnce) {
  fluxion_set_num_threads(2);
  std::atomic<size_t> Sum{0};
  fluxion_parallel_for(1000, count, &Sum);
  EXPECT_EQ(Sum.load(), 1000u * 1001u / 2);
  Nested N;
  fluxion_parallel_for(8, outer, &N);
  EXPECT_EQ(N.Sum.load(), 8u * 55u);
  fluxion_set_num_threads(0);
}

TEST(RuntimeFloat, JacobianAndHessianEntryPoints) {
  fluxion_map_f K{};
  float X[2] = {1, 2}, J[4];
  EXPECT_EQ(fluxion_jacobian_f(&K, X, J, nullptr, 2, 2, FLUXION_JACOBIAN_AUTO),
            FLUXION_EINVAL);
  fluxion_scalar_f S{};
  EXPECT_EQ(fluxion_hessian_f(&S, X, J, 2), FLUXION_EINVAL);
}

} // namespace
