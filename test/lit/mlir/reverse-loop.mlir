// Reverse mode through scf.for: the recomputed loop stores the scalars of
// each iteration in memrefs sized by its trip count, and the reverse loop
// counts down, loads them, and carries the adjoints of the iteration
// argument and of x, which every iteration reads.
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
