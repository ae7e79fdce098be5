// Reverse mode through a loop nest and a parallel loop. The caches of the
// inner loop are allocated before the outer loop, sized by the product of
// the trip counts, and indexed by the iteration's position in the nest
// (outer * inner trip + inner); the reverse nest counts both loops down.
// In the parallel loop, x[i] is read by its own iteration only (the index
// is the induction variable), so its adjoint is added without an atomic;
// y[i + 1] may be read by another iteration too, so its adjoint is atomic.
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate %s | %FileCheck %s

func.func @nest(%x: f64, %m: index, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %m step %c1 iter_args(%a = %x) -> (f64) {
    %t = scf.for %j = %c0 to %n step %c1 iter_args(%b = %a) -> (f64) {
      %s = math.sin %b : f64
      %p = arith.mulf %s, %x : f64
      scf.yield %p : f64
    }
    scf.yield %t : f64
  }
  return %r : f64
}

func.func @g(%x: f64, %m: index, %n: index) -> f64 {
  %d = "fluxion.autodiff"(%x, %m, %n) {callee = @nest, activity = ["active", "const", "const"]} : (f64, index, index) -> f64
  return %d : f64
}

// CHECK-LABEL: func.func private @fluxion.grad.nest.active.const.const(
// CHECK: %[[OUTER:.*]] = arith.maxsi
// CHECK: %[[INNER:.*]] = arith.maxsi
// CHECK: %[[SIZE:.*]] = arith.muli %[[OUTER]], %[[INNER]]
// CHECK: memref.alloc(%[[SIZE]]) : memref<?xf64>
// CHECK: scf.for
// CHECK: scf.for
// CHECK: %[[POS:.*]] = arith.muli %{{.*}}, %[[INNER]]
// CHECK: %[[AT:.*]] = arith.addi %[[POS]], %{{.*}}
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[AT]]]
// The reverse nest.
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[OUTER]]
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[INNER]]
// CHECK: math.cos
// CHECK: memref.dealloc

func.func @shift(%x: memref<?xf64>, %y: memref<?xf64>, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %s = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%zero) -> f64 {
    %ip = arith.addi %i, %c1 : index
    %a = memref.load %x[%i] : memref<?xf64>
    %b = memref.load %y[%ip] : memref<?xf64>
    %p = arith.mulf %a, %b : f64
    scf.reduce(%p : f64) {
    ^bb0(%l: f64, %r: f64):
      %t = arith.addf %l, %r : f64
      scf.reduce.return %t : f64
    }
  }
  return %s : f64
}

func.func @h(%x: memref<?xf64>, %dx: memref<?xf64>, %y: memref<?xf64>, %dy: memref<?xf64>, %n: index) {
  "fluxion.autodiff"(%x, %dx, %y, %dy, %n) {callee = @shift, activity = ["dup", "dup", "const"]} : (memref<?xf64>, memref<?xf64>, memref<?xf64>, memref<?xf64>, index) -> ()
  return
}

// CHECK-LABEL: func.func private @fluxion.grad.shift.dup.dup.const(
// CHECK: scf.parallel
// CHECK: scf.reduce
// CHECK: scf.parallel (%[[I:.*]]) =
// CHECK: memref.atomic_rmw addf %{{.*}}, %arg3[%{{.*}}]
// CHECK: %[[OLD:.*]] = memref.load %arg1[%[[I]]]
// CHECK: %[[NEW:.*]] = arith.addf %[[OLD]]
// CHECK: memref.store %[[NEW]], %arg1[%[[I]]]

// Each iteration reads and overwrites y[i + 1] only: a race-free primal
// lets no other iteration touch that element, so the adjoint of the read
// is added without an atomic although the index is not the induction
// variable itself.
func.func @square_shifted(%y: memref<?xf64>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %j = arith.addi %i, %c1 : index
    %v = memref.load %y[%j] : memref<?xf64>
    %w = arith.mulf %v, %v : f64
    memref.store %w, %y[%j] : memref<?xf64>
    scf.reduce
  }
  return
}

func.func @k(%y: memref<?xf64>, %dy: memref<?xf64>, %n: index) {
  "fluxion.autodiff"(%y, %dy, %n) {callee = @square_shifted, activity = ["dup", "const"]} : (memref<?xf64>, memref<?xf64>, index) -> ()
  return
}

// CHECK-LABEL: func.func private @fluxion.grad.square_shifted.dup.const(
// CHECK-NOT: memref.atomic_rmw
// CHECK: return
