// Reverse mode through scf.for and scf.if. The recomputed loop stores the
// scalars of each iteration in memrefs sized by its trip count, and the
// reverse loop counts down, loads them, and carries the adjoints of the
// iteration argument and of x, which every iteration reads.
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate %s | %FileCheck %s

func.func @power(%x: f64, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f64
  %p = scf.for %i = %c0 to %n step %c1 iter_args(%a = %one) -> (f64) {
    %b = arith.mulf %a, %x : f64
    scf.yield %b : f64
  }
  return %p : f64
}

func.func @gradient(%x: f64, %n: index) -> f64 {
  %g = "fluxion.autodiff"(%x, %n) {callee = @power, activity = ["active", "const"]} : (f64, index) -> f64
  return %g : f64
}

// CHECK-LABEL: func.func private @fluxion.grad.power.active.const(
// CHECK: %[[TRIP:.*]] = arith.maxsi
// CHECK: %[[CACHE:.*]] = memref.alloc(%[[TRIP]]) : memref<?xf64>
// CHECK: scf.for
// CHECK: memref.store %{{.*}}, %[[CACHE]]
// CHECK: %{{.*}}:2 = scf.for %{{.*}} = %{{.*}} to %[[TRIP]] step %{{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (f64, f64)
// CHECK: memref.load %[[CACHE]]
// CHECK: scf.yield %{{.*}}, %{{.*}} : f64, f64
// CHECK: memref.dealloc %[[CACHE]]

// The recomputed scf.if yields the scalars each side computes as extra
// results (zero on the other side), so the reverse, which branches on the
// same condition, reads sin(x) instead of computing it again; each side
// yields the adjoints of the outer values (x, y) that either side reads.
func.func @branchy(%x: f64, %y: f64) -> f64 {
  %zero = arith.constant 0.0 : f64
  %c = arith.cmpf ogt, %x, %zero : f64
  %r = scf.if %c -> (f64) {
    %s = math.sin %x : f64
    %p = arith.mulf %s, %y : f64
    scf.yield %p : f64
  } else {
    %q = arith.mulf %y, %y : f64
    scf.yield %q : f64
  }
  %t = arith.mulf %r, %x : f64
  return %t : f64
}

func.func @branch_gradient(%x: f64, %y: f64) -> (f64, f64) {
  %g:2 = "fluxion.autodiff"(%x, %y) {callee = @branchy, activity = ["active", "active"]} : (f64, f64) -> (f64, f64)
  return %g#0, %g#1 : f64, f64
}

// CHECK-LABEL: func.func private @fluxion.grad.branchy.active.active(
// CHECK: %[[C:.*]] = arith.cmpf ogt
// CHECK: %[[F:.*]]:4 = scf.if %[[C]] -> (f64, f64, f64, f64) {
// CHECK: %[[SIN:.*]] = math.sin
// CHECK: %[[P:.*]] = arith.mulf %[[SIN]]
// CHECK: scf.yield %[[P]], %[[SIN]], %[[P]], %{{.*}} : f64, f64, f64, f64
// CHECK: %[[R:.*]]:2 = scf.if %[[C]] -> (f64, f64) {
// CHECK-NOT: math.sin
// CHECK: arith.mulf %{{.*}}, %[[F]]#1
// CHECK: math.cos
// CHECK: scf.yield %{{.*}}, %{{.*}} : f64, f64
// CHECK: } else {
// CHECK: scf.yield %{{.*}}, %{{.*}} : f64, f64
// CHECK: return %[[R]]#0, %[[R]]#1
