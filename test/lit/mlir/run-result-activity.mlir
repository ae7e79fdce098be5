// Result activities. g(x, out) writes 2 sin(x) to out[0] and returns x^2.
// fluxion.autodiff seeds the result with 1 by default (dx = 2 x + the
// adjoint flowing back from out's shadow, seeded 1: 2 cos(x)); with
// ret_activity = "const" only the memory carries adjoints (dx = 2 cos(x)).
// fluxion.fwddiff with ret_activity = "dup" gives the primal result before
// the tangent. Checked against the closed forms within 1e-12 at x = 0.4.
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate %lower-to-llvm %s | %mlir-runner | %FileCheck %s

func.func @g(%x: f64, %out: memref<1xf64>) -> f64 {
  %c0 = arith.constant 0 : index
  %two = arith.constant 2.0 : f64
  %s = math.sin %x : f64
  %w = arith.mulf %two, %s : f64
  memref.store %w, %out[%c0] : memref<1xf64>
  %r = arith.mulf %x, %x : f64
  return %r : f64
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

func.func @seeded_out() -> memref<1xf64> {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f64
  %m = memref.alloc() : memref<1xf64>
  memref.store %one, %m[%c0] : memref<1xf64>
  return %m : memref<1xf64>
}

func.func @main() {
  %x = arith.constant 0.4 : f64
  %two = arith.constant 2.0 : f64
  %out = memref.alloc() : memref<1xf64>
  %c = math.cos %x : f64
  %twocos = arith.mulf %two, %c : f64
  %twox = arith.mulf %two, %x : f64

  // CHECK: 2.64212
  %d1 = call @seeded_out() : () -> memref<1xf64>
  %a = "fluxion.autodiff"(%x, %out, %d1) {callee = @g, activity = ["active", "dup"]} : (f64, memref<1xf64>, memref<1xf64>) -> f64
  %want_a = arith.addf %twocos, %twox : f64
  call @expect(%a, %want_a) : (f64, f64) -> ()

  // CHECK-NEXT: 1.84212
  %d2 = call @seeded_out() : () -> memref<1xf64>
  %b = "fluxion.autodiff"(%x, %out, %d2) {callee = @g, activity = ["active", "dup"], ret_activity = "const"} : (f64, memref<1xf64>, memref<1xf64>) -> f64
  call @expect(%b, %twocos) : (f64, f64) -> ()

  // CHECK-NEXT: 0.16
  // CHECK-NEXT: 0.8
  %one = arith.constant 1.0 : f64
  %t = memref.alloc() : memref<1xf64>
  %r:2 = "fluxion.fwddiff"(%x, %one, %out, %t) {callee = @g, activity = ["dup", "dup"], ret_activity = "dup"} : (f64, f64, memref<1xf64>, memref<1xf64>) -> (f64, f64)
  %xx = arith.mulf %x, %x : f64
  call @expect(%r#0, %xx) : (f64, f64) -> ()
  call @expect(%r#1, %twox) : (f64, f64) -> ()
  return
}
