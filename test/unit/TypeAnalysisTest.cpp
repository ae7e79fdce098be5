//===- TypeAnalysisTest.cpp - Element types of memory under opaque pointers
//===//

#include "TypeAnalysis.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/ValueSymbolTable.h"
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

class LocationTypeTest : public TypeAnalysisTest {
protected:
  /// The type deduced for the 8 bytes that the instruction named %at of @f
  /// in \p IR addresses (a load or store, or a pointer).
  Type *deduceAt(StringRef IR) {
    SMDiagnostic Err;
    M = parseAssemblyString(IR, Err, Ctx);
    EXPECT_TRUE(M) << Err.getMessage().str();
    if (!M)
      return nullptr;
    Value *At = M->getFunction("f")->getValueSymbolTable()->lookup("at");
    return deduceTypeAt(At, 8);
  }
};

TEST_F(LocationTypeTest, IntegerFieldNextToADouble) {
  // One object holds a double at 0 and a count at 8 that is compared: the
  // copy of the count moves an integer, although the object holds floats.
  Type *T = deduceAt(R"(
    define void @f(ptr %p, ptr %q) {
      %at = getelementptr i8, ptr %p, i64 8
      %n = load i64, ptr %at
      %big = icmp ugt i64 %n, 100
      %d = load double, ptr %p
      %dst = getelementptr i8, ptr %q, i64 8
      store i64 %n, ptr %dst
      ret void
    })");
  ASSERT_NE(T, nullptr);
  EXPECT_TRUE(T->isIntegerTy(64));
}

TEST_F(LocationTypeTest, BitsOfADouble) {
  // Loaded as an integer but made a double again: floating data.
  Type *T = deduceAt(R"(
    define double @f(ptr %p) {
      %at = getelementptr i8, ptr %p, i64 16
      %bits = load i64, ptr %at
      %x = bitcast i64 %bits to double
      ret double %x
    })");
  ASSERT_NE(T, nullptr);
  EXPECT_TRUE(T->isDoubleTy());
}

TEST_F(LocationTypeTest, SignMasksSayNothing) {
  // Bitwise logic takes floats apart as often as integers: no evidence.
  EXPECT_EQ(deduceAt(R"(
    define i64 @f(ptr %p) {
      %at = getelementptr i8, ptr %p, i64 8
      %bits = load i64, ptr %at
      %neg = xor i64 %bits, -9223372036854775808
      ret i64 %neg
    })"),
            nullptr);
}

TEST_F(LocationTypeTest, DeclaredTypeOfTheAccess) {
  // TBAA names what the source declared: a character buffer copied a word
  // at a time holds numbers, a double field copied as i64 a double.
  Type *Chars = deduceAt(R"(
    define void @f(ptr %p, ptr %q) {
      %at = getelementptr i8, ptr %p, i64 16
      %w = load i64, ptr %at, !tbaa !0
      store i64 %w, ptr %q, !tbaa !0
      ret void
    }
    !0 = !{!1, !1, i64 0}
    !1 = !{!"omnipotent char", !2, i64 0}
    !2 = !{!"Simple C++ TBAA"})");
  ASSERT_NE(Chars, nullptr);
  EXPECT_TRUE(Chars->isIntegerTy(64));
  Type *Double = deduceAt(R"(
    define void @f(ptr %p, ptr %q) {
      %at = getelementptr i8, ptr %p, i64 8
      %w = load i64, ptr %at, !tbaa !0
      store i64 %w, ptr %q
      ret void
    }
    !0 = !{!1, !1, i64 0}
    !1 = !{!"double", !2, i64 0}
    !2 = !{!"omnipotent char", !3, i64 0}
    !3 = !{!"Simple C++ TBAA"})");
  ASSERT_NE(Double, nullptr);
  EXPECT_TRUE(Double->isDoubleTy());
}

TEST_F(TypeAnalysisTest, DeclaredPointee) {
  // A pointer kept in a `char *` field points to characters.
  SMDiagnostic Err;
  M = parseAssemblyString(R"(
    define void @f(ptr %s, ptr %buffer) {
      store ptr %buffer, ptr %s, !tbaa !0
      ret void
    }
    !0 = !{!1, !1, i64 0}
    !1 = !{!"p1 omnipotent char", !2, i64 0}
    !2 = !{!"any pointer", !3, i64 0}
    !3 = !{!"omnipotent char", !4, i64 0}
    !4 = !{!"Simple C++ TBAA"})",
                          Err, Ctx);
  ASSERT_TRUE(M) << Err.getMessage().str();
  Type *T = declaredPointee(M->getFunction("f")->getArg(1));
  ASSERT_NE(T, nullptr);
  EXPECT_TRUE(T->isIntegerTy(8));
}
