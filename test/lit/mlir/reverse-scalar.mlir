// Reverse mode of straight-line functions: the gradient function recomputes
// the callee (calls inlined), then adds each operand's adjoint backwards
// from a seed of 1, with the partials of the shared rule table; a "const"
// argument gets none, an argument reached twice sums both.
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate %s | %FileCheck %s

func.func @square(%x: f64) -> f64 {
  %s = arith.mulf %x, %x : f64
  return %s : f64
}

func.func @f(%x: f64, %y: f64, %k: i32) -> f64 {
  %s = math.sin %x : f64
  %q = func.call @square(%y) : (f64) -> f64
  %p = arith.mulf %s, %q : f64
  %kf = arith.sitofp %k : i32 to f64
  %r = arith.divf %p, %kf : f64
  return %r : f64
}

// CHECK-LABEL: func.func @gradient(
// CHECK: %[[G:.*]]:2 = call @fluxion.grad.f.active.active.const(%arg0, %arg1, %arg2) : (f64, f64, i32) -> (f64, f64)
// CHECK: return %[[G]]#0, %[[G]]#1
func.func @gradient(%x: f64, %y: f64, %k: i32) -> (f64, f64) {
  %g:2 = "fluxion.autodiff"(%x, %y, %k) {callee = @f, activity = ["active", "active", "const"]} : (f64, f64, i32) -> (f64, f64)
  return %g#0, %g#1 : f64, f64
}

// The forward part, with square inlined, then the reverse part.
// CHECK-LABEL: func.func private @fluxion.grad.f.active.active.const(
// CHECK-SAME: %[[X:.*]]: f64, %[[Y:.*]]: f64, %[[K:.*]]: i32) -> (f64, f64)
// CHECK: %[[SIN:.*]] = math.sin %[[X]]
// CHECK: %[[Q:.*]] = arith.mulf %[[Y]], %[[Y]]
// CHECK: arith.divf
// CHECK: %[[ONE:.*]] = arith.constant 1.0
// The adjoint of y sums both operands of y * y.
// CHECK: %[[DY1:.*]] = arith.mulf %{{.*}}, %[[Y]]
// CHECK: %[[DY2:.*]] = arith.mulf %{{.*}}, %[[Y]]
// CHECK: %[[DY:.*]] = arith.addf %[[DY1]], %[[DY2]]
// CHECK: %[[COS:.*]] = math.cos %[[X]]
// CHECK: %[[DX:.*]] = arith.mulf %{{.*}}, %[[COS]]
// CHECK: return %[[DX]], %[[DY]]
