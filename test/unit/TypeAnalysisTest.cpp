//===- TypeAnalysisTest.cpp - Element types of memory under opaque pointers
//===//

#include "TypeAnalysis.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/SourceMgr.h"

#include "gtest/gtest.h"

using namespace llvm;
using namespace fluxion;

namespace {

class TypeAnalysisTest : public ::testing::Test {
protected:
  /// The element type deduced for the first argument of @f in \p IR.
  Type *deduceFirstArgument(StringRef IR) {
    SMDiagnostic Err;
    M = parseAssemblyString(IR, Err, Ctx);
    EXPECT_TRUE(M) << Err.getMessage().str();
    if (!M)
      return nullptr;
    return deduceElementType(M->getFunction("f")->getArg(0));
  }

  LLVMContext Ctx;
  std::unique_ptr<Module> M;
};

TEST_F(TypeAnalysisTest, TypedLoadsAndStores) {
  Type *T = deduceFirstArgument(R"(
    define void @f(ptr %p, i64 %i) {
      %q = getelementptr double, ptr %p, i64 %i
      %v = load double, ptr %q
      store double %v, ptr %p
      ret void
    })");
  ASSERT_NE(T, nullptr);
  EXPECT_TRUE(T->isDoubleTy());
}

TEST_F(TypeAnalysisTest, FloatingWinsOverIntegerCopiesOfIt) {
  // The optimizer copies doubles as i64; the double accesses decide.
  Type *T = deduceFirstArgument(R"(
    define void @f(ptr %p) {
      %a = load i64, ptr %p
      %q = getelementptr i8, ptr %p, i64 8
      store i64 %a, ptr %q
      %v = load double, ptr %q
      ret void
    })");
  ASSERT_NE(T, nullptr);
  EXPECT_TRUE(T->isDoubleTy());
}

TEST_F(TypeAnalysisTest, PointersAndIntegers) {
  Type *Pointers = deduceFirstArgument(R"(
    define void @f(ptr %p) {
      %v = load ptr, ptr %p
      ret void
    })");
  ASSERT_NE(Pointers, nullptr);
  EXPECT_TRUE(Pointers->isPointerTy());
  Type *Integers = deduceFirstArgument(R"(
    define void @f(ptr %p) {
      store i32 7, ptr %p
      ret void
    })");
  ASSERT_NE(Integers, nullptr);
  EXPECT_TRUE(Integers->isIntegerTy(32));
}

TEST_F(TypeAnalysisTest, ThroughTheOtherSideOfACopy) {
  Type *T = deduceFirstArgument(R"(
    declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
    define void @f(ptr %dst, ptr %src) {
      call void @llvm.memcpy.p0.p0.i64(ptr %dst, ptr %src, i64 64, i1 false)
      %v = load float, ptr %src
      ret void
    })");
  ASSERT_NE(T, nullptr);
  EXPECT_TRUE(T->isFloatTy());
}

TEST_F(TypeAnalysisTest, UnknownOrConflictingIsNull) {
  EXPECT_EQ(deduceFirstArgument(R"(
    define void @f(ptr %p) {
      ret void
    })"),
            nullptr);
  EXPECT_EQ(deduceFirstArgument(R"(
    define void @f(ptr %p) {
      %a = load double, ptr %p
      %b = load float, ptr %p
      ret void
    })"),
            nullptr);
  EXPECT_EQ(deduceFirstArgument(R"(
    define void @f(ptr %p) {
      %a = load double, ptr %p
      %b = load ptr, ptr %p
      ret void
    })"),
            nullptr);
}

TEST_F(TypeAnalysisTest, StructLayoutFromAnArrayOfStructs) {
  Type *T = deduceFirstArgument(R"(
    %pair = type { ptr, double }
    define void @f(ptr %p, i64 %i) {
      %q = getelementptr %pair, ptr %p, i64 %i, i32 1
      %v = load double, ptr %q
      %r = getelementptr %pair, ptr %p, i64 %i, i32 0
      %w = load ptr, ptr %r
      ret void
    })");
  ASSERT_NE(T, nullptr);
  EXPECT_TRUE(T->isStructTy());
}

} // namespace
