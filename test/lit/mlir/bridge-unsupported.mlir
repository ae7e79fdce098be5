// --fluxion-differentiate=bridge-unsupported=1 differentiates what it can
// natively and leaves the rest, with a remark, to --fluxion-lower-to-llvm
// and the LLVM plugin: here g uses vector operations, which the native
// engine has no rules for (the plugin differentiates the vector reductions
// they lower to), and f does not. g(x) = sum([1,2,3,4] x) sin(x) +
// max([1,2,3,4] x) = 10 x sin(x) + 4 x at x = 0.5, g'(0.5) = 10 sin(0.5) +
// 5 cos(0.5) + 4 = 13.18217;
// f(x) = x^3, f'(0.5) = 0.75. Numbers checked against the closed forms
// within 1e-12.
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate=bridge-unsupported=1 --verify-diagnostics %s | %FileCheck --check-prefix=IR %s
// RUN: %fluxion-opt --fluxion-differentiate=bridge-unsupported=1 --convert-vector-to-llvm %bridge-to-llvm %s 2>/dev/null | %mlir-translate --mlir-to-llvmir -o %t.ll
// RUN: %fluxion-clang -O2 -Wno-override-module %t.ll -o %t.exe %mlir-runtime-lib -lm
// RUN: %t.exe | %FileCheck %s

func.func @g(%x: f64) -> f64 {
  %w = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : vector<4xf64>
  %v = vector.broadcast %x : f64 to vector<4xf64>
  %p = arith.mulf %v, %w : vector<4xf64>
  %s = vector.reduction <add>, %p : vector<4xf64> into f64
  %m = vector.reduction <maxnumf>, %p : vector<4xf64> into f64
  %t = math.sin %x : f64
  %st = arith.mulf %s, %t : f64
  %r = arith.addf %st, %m : f64
  return %r : f64
}

func.func @f(%x: f64) -> f64 {
  %x2 = arith.mulf %x, %x : f64
  %x3 = arith.mulf %x2, %x : f64
  return %x3 : f64
}

func.func private @printF64(f64)
func.func private @printNewline()

func.func @expect(%got: f64, %want: f64) {
  %d = arith.subf %got, %want : f64
  %e = math.absf %d : f64
  %tol = arith.constant 1.0e-12 : f64
  %ok = arith.cmpf ole, %e, %tol : f64
  cf.assert %ok, "derivative disagrees with its closed form"
  call @printF64(%got) : (f64) -> ()
  call @printNewline() : () -> ()
  return
}

func.func @main() -> i32 {
  %x = arith.constant 0.5 : f64
  // expected-remark @below {{fluxion: left to the LLVM plugin (fluxion: no reverse rule for 'vector.reduction')}}
  %dg = "fluxion.autodiff"(%x) {callee = @g, activity = ["active"]} : (f64) -> f64
  %df = "fluxion.autodiff"(%x) {callee = @f, activity = ["active"]} : (f64) -> f64
  %s = math.sin %x : f64
  %c = math.cos %x : f64
  %ten = arith.constant 10.0 : f64
  %five = arith.constant 5.0 : f64
  %a = arith.mulf %ten, %s : f64
  %b = arith.mulf %five, %c : f64
  %ab = arith.addf %a, %b : f64
  %four = arith.constant 4.0 : f64
  %want_g = arith.addf %ab, %four : f64
  %want_f = arith.constant 0.75 : f64
  call @expect(%dg, %want_g) : (f64, f64) -> ()
  call @expect(%df, %want_f) : (f64, f64) -> ()
  %ok = arith.constant 0 : i32
  return %ok : i32
}

// IR-LABEL: func.func @main()
// IR: "fluxion.autodiff"(%{{.*}}) {activity = ["active"], callee = @g}
// IR: call @fluxion.grad.f.active(
// CHECK: 13.1822
// CHECK-NEXT: 0.75
