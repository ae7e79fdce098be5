// Forward mode of elementwise arith and math operations: each partial comes
// from the shared rule table (sin -> cos, exp -> its result, mulf -> the
// other operand), scaled by the operand's tangent; a "const" argument has
// none.
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate %s | %FileCheck %s

func.func @f(%x: f64, %y: f64) -> f64 {
  %s = math.sin %x : f64
  %p = arith.mulf %s, %y : f64
  %e = math.exp %p : f64
  return %e : f64
}

// CHECK-LABEL: func.func @df(
// CHECK: %[[T:.*]]:2 = call @fluxion.fwd.f.dup.const(%arg0, %{{.*}}, %arg1) : (f64, f64, f64) -> (f64, f64)
// CHECK: return %[[T]]#1
func.func @df(%x: f64, %y: f64) -> f64 {
  %one = arith.constant 1.0 : f64
  %d = "fluxion.fwddiff"(%x, %one, %y) {callee = @f, activity = ["dup", "const"]} : (f64, f64, f64) -> f64
  return %d : f64
}

// CHECK-LABEL: func.func private @fluxion.fwd.f.dup.const(
// CHECK-SAME: %[[X:.*]]: f64, %[[DX:.*]]: f64, %[[Y:.*]]: f64) -> (f64, f64)
// CHECK: %[[SIN:.*]] = math.sin %[[X]]
// CHECK: %[[COS:.*]] = math.cos %[[X]]
// CHECK: %[[DSIN:.*]] = arith.mulf %[[COS]], %[[DX]]
// CHECK: %[[P:.*]] = arith.mulf %[[SIN]], %[[Y]]
// CHECK: %[[DP:.*]] = arith.mulf %[[Y]], %[[DSIN]]
// CHECK: %[[E:.*]] = math.exp %[[P]]
// CHECK: %[[DE:.*]] = arith.mulf %[[E]], %[[DP]]
// CHECK: return %[[E]], %[[DE]]
