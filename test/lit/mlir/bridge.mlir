// The bridge: after the upstream conversions to the llvm dialect,
// --fluxion-lower-to-llvm turns fluxion ops into __enzyme_autodiff and
// __enzyme_fwddiff calls with Enzyme's markers, and the LLVM plugin
// differentiates them once the module is LLVM IR. f = sin(x) y k, at
// x = 0.3, y = 0.7, k = 3: df/dx = cos(x) y k = 2.00621, df/dy =
// sin(x) k = 0.886561.
// REQUIRES: mlir
// RUN: %fluxion-opt --convert-math-to-llvm --convert-arith-to-llvm --convert-func-to-llvm --fluxion-lower-to-llvm --reconcile-unrealized-casts %s > %t.mlir
// RUN: %FileCheck %s --check-prefix=IR < %t.mlir
// RUN: %mlir-translate --mlir-to-llvmir %t.mlir -o %t.ll
// RUN: %fluxion-clang -O2 -Wno-override-module %t.ll -o %t.exe %mlir-runtime-lib -lm
// RUN: %t.exe | %FileCheck %s

// IR-DAG: llvm.mlir.global external @enzyme_const() {{.*}} : i32
// IR-DAG: llvm.mlir.global external @enzyme_dup() {{.*}} : i32
// IR: llvm.call @__enzyme_autodiff(%{{.*}}) vararg(!llvm.func<struct<(f64, f64)> (ptr, ...)>)
// IR: llvm.call @__enzyme_fwddiff(%{{.*}}) vararg(!llvm.func<f64 (ptr, ...)>)

func.func @f(%x: f64, %y: f64, %k: i32) -> f64 {
  %s = math.sin %x : f64
  %p = arith.mulf %s, %y : f64
  %kf = arith.sitofp %k : i32 to f64
  %q = arith.mulf %p, %kf : f64
  return %q : f64
}

func.func private @printF64(f64)
func.func private @printNewline()

// CHECK: 2.00621
// CHECK-NEXT: 0.886561
// CHECK-NEXT: 2.00621
func.func @main() -> i32 {
  %x = arith.constant 0.3 : f64
  %y = arith.constant 0.7 : f64
  %k = arith.constant 3 : i32
  %one = arith.constant 1.0 : f64
  %g:2 = "fluxion.autodiff"(%x, %y, %k) {callee = @f, activity = ["active", "active", "const"]} : (f64, f64, i32) -> (f64, f64)
  %t = "fluxion.fwddiff"(%x, %one, %y, %k) {callee = @f, activity = ["dup", "const", "const"]} : (f64, f64, f64, i32) -> f64
  call @printF64(%g#0) : (f64) -> ()
  call @printNewline() : () -> ()
  call @printF64(%g#1) : (f64) -> ()
  call @printNewline() : () -> ()
  call @printF64(%t) : (f64) -> ()
  call @printNewline() : () -> ()
  %ok = arith.constant 0 : i32
  return %ok : i32
}
