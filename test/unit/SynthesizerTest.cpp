//===- SynthesizerTest.cpp - FluxionPass on IR, derivatives run by a JIT
//---===//
//
// Lowers builtin calls in small IR modules with FluxionPass, checks that the
// module verifies, then compiles it with ORC and compares the derivatives with
// closed forms.
//
//===----------------------------------------------------------------------===//

#include "FluxionPass.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace llvm;

namespace {

class SynthesizerTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    InitializeNativeTarget();
    InitializeNativeTargetAsmPrinter();
  }

  /// Parses \p IR, runs FluxionPass, verifies and JIT-compiles the result.
  void compile(StringRef IR) {
    auto Ctx = std::make_unique<LLVMContext>();
    SMDiagnostic Err;
    std::unique_ptr<Module> M = parseAssemblyString(IR, Err, *Ctx);
    ASSERT_TRUE(M) << Err.getMessage().str();

    PassBuilder PB;
    LoopAnalysisManager LAM;
    FunctionAnalysisManager FAM;
    CGSCCAnalysisManager CGAM;
    ModuleAnalysisManager MAM;
    PB.registerModuleAnalyses(MAM);
    PB.registerCGSCCAnalyses(CGAM);
    PB.registerFunctionAnalyses(FAM);
    PB.registerLoopAnalyses(LAM);
    PB.crossRegisterProxies(LAM, FAM, CGAM, MAM);
    ModulePassManager MPM;
    MPM.addPass(fluxion::FluxionPass());
    MPM.run(*M, MAM);
    std::string Problems;
    raw_string_ostream OS(Problems);
    ASSERT_FALSE(verifyModule(*M, &OS)) << Problems;
    ASSERT_EQ(M->getFunction("__enzyme_autodiff"), nullptr);

    auto JIT = orc::LLJITBuilder().create();
    ASSERT_TRUE(!!JIT) << toString(JIT.takeError());
    Jit = std::move(*JIT);
    // Kept tape buffers register a thread-exit destructor in the JIT's
    // code, which is gone by the time the process exits: as for C++
    // thread_local objects, a JIT without a platform must not let the C
    // library run it. The buffers are left to the process's end.
    orc::SymbolMap NoThreadExit;
    NoThreadExit[Jit->mangleAndIntern("__cxa_thread_atexit_impl")] = {
        orc::ExecutorAddr::fromPtr(&ignoreThreadExit),
        JITSymbolFlags::Exported};
    ASSERT_FALSE(!!Jit->getMainJITDylib().define(
        orc::absoluteSymbols(std::move(NoThreadExit))));
    ASSERT_FALSE(!!Jit->addIRModule(
        orc::ThreadSafeModule(std::move(M), std::move(Ctx))));
  }

  static int ignoreThreadExit(void (*)(void *), void *, void *) { return 0; }

  template <typename Fn> Fn *lookup(StringRef Name) {
    auto Addr = Jit->lookup(Name);
    EXPECT_TRUE(!!Addr) << toString(Addr.takeError());
    return Addr ? Addr->toPtr<Fn *>() : nullptr;
  }

  std::unique_ptr<orc::LLJIT> Jit;
};

TEST_F(SynthesizerTest, ReverseModeOfLoopWithRuntimeTripCount) {
  // p(x, n) = x^n by repeated multiplication; dp/dx = n x^(n-1).
  compile(R"(
    declare double @__enzyme_autodiff(ptr, ...)
    define double @power(double %x, i32 %n) {
    entry:
      br label %head
    head:
      %i = phi i32 [ 0, %entry ], [ %i1, %body ]
      %acc = phi double [ 1.0, %entry ], [ %acc1, %body ]
      %more = icmp slt i32 %i, %n
      br i1 %more, label %body, label %exit
    body:
      %acc1 = fmul double %acc, %x
      %i1 = add i32 %i, 1
      br label %head
    exit:
      ret double %acc
    }
    define double @dpower(double %x, i32 %n) {
      %d = call double (ptr, ...) @__enzyme_autodiff(ptr @power, double %x, i32 %n)
      ret double %d
    }
  )");
  auto *DPower = lookup<double(double, int)>("dpower");
  ASSERT_NE(DPower, nullptr);
  for (int N : {0, 1, 2, 7, 100})
    EXPECT_NEAR(DPower(1.01, N), N * std::pow(1.01, N - 1), 1e-12 * N + 1e-15)
        << "n = " << N;
}

TEST_F(SynthesizerTest, ForwardModeThroughCallsAndBranches) {
  // f(x) = x < 0 ? g(x) : g(x) * x with g(x) = exp(2x).
  compile(R"(
    declare double @__enzyme_fwddiff(ptr, ...)
    declare double @llvm.exp.f64(double)
    define double @g(double %x) {
      %t = fmul double %x, 2.0
      %e = call double @llvm.exp.f64(double %t)
      ret double %e
    }
    define double @f(double %x) {
    entry:
      %v = call double @g(double %x)
      %neg = fcmp olt double %x, 0.0
      br i1 %neg, label %done, label %scale
    scale:
      %s = fmul double %v, %x
      br label %done
    done:
      %r = phi double [ %v, %entry ], [ %s, %scale ]
      ret double %r
    }
    define double @df(double %x) {
      %d = call double (ptr, ...) @__enzyme_fwddiff(ptr @f, double %x, double 1.0)
      ret double %d
    }
  )");
  auto *DF = lookup<double(double)>("df");
  ASSERT_NE(DF, nullptr);
  EXPECT_NEAR(DF(-0.5), 2 * std::exp(-1.0), 1e-14);
  EXPECT_NEAR(DF(0.5), std::exp(1.0) * (2 * 0.5 + 1), 1e-14);
}

TEST_F(SynthesizerTest, ReverseModeOfRecursion) {
  // s(x, n) = sin(s(x, n - 1)) with s(x, 0) = x.
  compile(R"(
    declare double @__enzyme_autodiff(ptr, ...)
    declare double @llvm.sin.f64(double)
    define double @s(double %x, i32 %n) {
    entry:
      %base = icmp eq i32 %n, 0
      br i1 %base, label %done, label %rec
    rec:
      %m = sub i32 %n, 1
      %inner = call double @s(double %x, i32 %m)
      %v = call double @llvm.sin.f64(double %inner)
      br label %done
    done:
      %r = phi double [ %x, %entry ], [ %v, %rec ]
      ret double %r
    }
    define double @ds(double %x, i32 %n) {
      %d = call double (ptr, ...) @__enzyme_autodiff(ptr @s, double %x, i32 %n)
      ret double %d
    }
  )");
  auto *DS = lookup<double(double, int)>("ds");
  ASSERT_NE(DS, nullptr);
  // Chain rule by hand: d/dx sin^n(x) = prod cos(sin^k(x)), k = 0..n-1.
  double X = 0.9, Value = X, Expected = 1;
  for (int K = 0; K < 5; ++K) {
    Expected *= std::cos(Value);
    Value = std::sin(Value);
  }
  EXPECT_NEAR(DS(X, 5), Expected, 1e-14);
}

} // namespace
