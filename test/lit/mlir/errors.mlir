// What forward mode cannot differentiate is an error at the operation, and
// malformed fluxion.fwddiff ops are rejected by the verifier.
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate --split-input-file --verify-diagnostics %s

func.func @splat(%x: f64) -> f64 {
  // expected-error @below {{fluxion: no forward rule for 'vector.broadcast'}}
  %v = vector.broadcast %x : f64 to vector<2xf64>
  %r = vector.extract %v[0] : f64 from vector<2xf64>
  return %r : f64
}

func.func @d(%x: f64) -> f64 {
  %one = arith.constant 1.0 : f64
  %d = "fluxion.fwddiff"(%x, %one) {callee = @splat, activity = ["dup"]} : (f64, f64) -> f64
  return %d : f64
}

// -----

func.func private @mystery(f64) -> f64

func.func @calls(%x: f64) -> f64 {
  // expected-error @below {{fluxion: no forward rule for external function 'mystery'}}
  %y = func.call @mystery(%x) : (f64) -> f64
  return %y : f64
}

func.func @d(%x: f64) -> f64 {
  %one = arith.constant 1.0 : f64
  %d = "fluxion.fwddiff"(%x, %one) {callee = @calls, activity = ["dup"]} : (f64, f64) -> f64
  return %d : f64
}

// -----

func.func @f(%x: f64) -> f64 {
  return %x : f64
}

func.func @d(%x: f64) -> f64 {
  // expected-error @below {{takes 2 operands, not 1}}
  %d = "fluxion.fwddiff"(%x) {callee = @f, activity = ["dup"]} : (f64) -> f64
  return %d : f64
}

// -----

func.func @d(%x: f64) -> f64 {
  // expected-error @below {{activities are "const" or "dup"}}
  %d = "fluxion.fwddiff"(%x) {callee = @f, activity = ["active"]} : (f64) -> f64
  return %d : f64
}

// -----

func.func @d(%x: f64) -> f64 {
  // expected-error @below {{'nowhere' is not a function in scope}}
  %d = "fluxion.fwddiff"(%x) {callee = @nowhere, activity = ["const"]} : (f64) -> f64
  return %d : f64
}

// -----

func.func @repeat(%x: f64) -> f64 {
  %limit = arith.constant 10.0 : f64
  // expected-error @below {{fluxion: reverse mode in MLIR supports scf.for, scf.parallel and scf.if, not 'scf.while'}}
  %r = scf.while (%a = %x) : (f64) -> f64 {
    %go = arith.cmpf olt, %a, %limit : f64
    scf.condition(%go) %a : f64
  } do {
  ^bb0(%b: f64):
    %c = arith.mulf %b, %b : f64
    scf.yield %c : f64
  }
  return %r : f64
}

func.func @g(%x: f64) -> f64 {
  %d = "fluxion.autodiff"(%x) {callee = @repeat, activity = ["active"]} : (f64) -> f64
  return %d : f64
}

// -----

func.func @f(%x: f64) -> f64 {
  return %x : f64
}

func.func @g(%x: f64) -> f64 {
  // expected-error @below {{activities are "const" or "active" or "dup"}}
  %d = "fluxion.autodiff"(%x) {callee = @f, activity = ["tangent"]} : (f64) -> f64
  return %d : f64
}

// -----

func.func @f(%x: f64) -> f64 {
  return %x : f64
}

func.func @g(%x: f64) -> f64 {
  // expected-error @below {{only memrefs of floats can be "dup"}}
  %d = "fluxion.autodiff"(%x, %x) {callee = @f, activity = ["dup"]} : (f64, f64) -> f64
  return %d : f64
}

// -----

memref.global "private" @state : memref<1xf64> = dense<0.0>

func.func @scratch(%x: f64) -> f64 {
  %c0 = arith.constant 0 : index
  %m = memref.get_global @state : memref<1xf64>
  memref.store %x, %m[%c0] : memref<1xf64>
  // expected-error @below {{fluxion: reverse mode in MLIR tracks the adjoints of "dup" memref arguments, local allocations and workgroup memory only}}
  %y = memref.load %m[%c0] : memref<1xf64>
  %z = arith.mulf %y, %y : f64
  return %z : f64
}

func.func @g(%x: f64) -> f64 {
  %d = "fluxion.autodiff"(%x) {callee = @scratch, activity = ["active"]} : (f64) -> f64
  return %d : f64
}

// -----

func.func @total(%u: memref<?xf64>, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  // expected-error @below {{fluxion: forward mode in MLIR supports scf.parallel without reductions}}
  %s = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%zero) -> f64 {
    %v = memref.load %u[%i] : memref<?xf64>
    scf.reduce(%v : f64) {
    ^bb0(%a: f64, %b: f64):
      %t = arith.addf %a, %b : f64
      scf.reduce.return %t : f64
    }
  }
  return %s : f64
}

func.func @d(%u: memref<?xf64>, %du: memref<?xf64>, %n: index) -> f64 {
  %d = "fluxion.fwddiff"(%u, %du, %n) {callee = @total, activity = ["dup", "const"]} : (memref<?xf64>, memref<?xf64>, index) -> f64
  return %d : f64
}
