// Forward mode through structured control flow and calls: scf.for and
// scf.while carry the tangent of each floating iteration argument after the
// primal ones,
// scf.if yields tangents after its results, a call calls the callee's
// tangent function (a recursive one calls itself), and a "dup" memref has
// its shadow loaded alongside.
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate %s | %FileCheck %s

func.func @power_sum(%x: f64, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %one = arith.constant 1.0 : f64
  %r:2 = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero, %p = %one) -> (f64, f64) {
    %q = arith.mulf %p, %x : f64
    %a = arith.addf %acc, %q : f64
    scf.yield %a, %q : f64, f64
  }
  return %r#0 : f64
}

// CHECK-LABEL: func.func private @fluxion.fwd.power_sum.dup.const(
// CHECK: %{{.*}}:4 = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (f64, f64, f64, f64)
// CHECK: scf.yield %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : f64, f64, f64, f64

func.func @relu_sin(%x: f64) -> f64 {
  %zero = arith.constant 0.0 : f64
  %pos = arith.cmpf ogt, %x, %zero : f64
  %r = scf.if %pos -> (f64) {
    %s = math.sin %x : f64
    scf.yield %s : f64
  } else {
    scf.yield %zero : f64
  }
  return %r : f64
}

// CHECK-LABEL: func.func private @fluxion.fwd.relu_sin.dup(
// CHECK: scf.if %{{.*}} -> (f64, f64)
// CHECK: math.cos
// CHECK: scf.yield %{{.*}}, %{{.*}} : f64, f64
// CHECK: } else {
// CHECK: scf.yield %{{.*}}, %{{.*}} : f64, f64

func.func @pow_rec(%x: f64, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f64
  %done = arith.cmpi eq, %n, %c0 : index
  %r = scf.if %done -> (f64) {
    scf.yield %one : f64
  } else {
    %m = arith.subi %n, %c1 : index
    %p = func.call @pow_rec(%x, %m) : (f64, index) -> f64
    %q = arith.mulf %p, %x : f64
    scf.yield %q : f64
  }
  return %r : f64
}

// CHECK-LABEL: func.func private @fluxion.fwd.pow_rec.dup.const(
// CHECK: call @fluxion.fwd.pow_rec.dup.const(

func.func @dot(%a: memref<?xf64>, %b: memref<?xf64>, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f64) {
    %x = memref.load %a[%i] : memref<?xf64>
    %y = memref.load %b[%i] : memref<?xf64>
    %p = arith.mulf %x, %y : f64
    %t = arith.addf %acc, %p : f64
    scf.yield %t : f64
  }
  return %s : f64
}

// CHECK-LABEL: func.func private @fluxion.fwd.dot.dup.const.const(
// CHECK-SAME: %[[A:[^:]*]]: memref<?xf64>, %[[DA:[^:]*]]: memref<?xf64>
// CHECK: memref.load %[[A]]
// CHECK: memref.load %[[DA]]

func.func @halve(%x: f64) -> f64 {
  %one = arith.constant 1.0 : f64
  %half = arith.constant 0.5 : f64
  %r = scf.while (%a = %x) : (f64) -> f64 {
    %big = arith.cmpf ogt, %a, %one : f64
    scf.condition(%big) %a : f64
  } do {
  ^bb0(%b: f64):
    %h = arith.mulf %b, %half : f64
    scf.yield %h : f64
  }
  return %r : f64
}

// CHECK-LABEL: func.func private @fluxion.fwd.halve.dup(
// CHECK: scf.while (%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) : (f64, f64) -> (f64, f64)
// CHECK: scf.condition(%{{.*}}) %{{.*}}, %{{.*}} : f64, f64
// CHECK: scf.yield %{{.*}}, %{{.*}} : f64, f64

func.func @tangents(%x: f64, %n: index, %a: memref<?xf64>, %da: memref<?xf64>, %b: memref<?xf64>) -> (f64, f64, f64, f64) {
  %one = arith.constant 1.0 : f64
  %d0 = "fluxion.fwddiff"(%x, %one, %n) {callee = @power_sum, activity = ["dup", "const"]} : (f64, f64, index) -> f64
  %d1 = "fluxion.fwddiff"(%x, %one) {callee = @relu_sin, activity = ["dup"]} : (f64, f64) -> f64
  %d2 = "fluxion.fwddiff"(%x, %one, %n) {callee = @pow_rec, activity = ["dup", "const"]} : (f64, f64, index) -> f64
  %d3 = "fluxion.fwddiff"(%a, %da, %b, %n) {callee = @dot, activity = ["dup", "const", "const"]} : (memref<?xf64>, memref<?xf64>, memref<?xf64>, index) -> f64
  %d4 = "fluxion.fwddiff"(%x, %one) {callee = @halve, activity = ["dup"]} : (f64, f64) -> f64
  %s = arith.addf %d3, %d4 : f64
  return %d0, %d1, %d2, %s : f64, f64, f64, f64
}
