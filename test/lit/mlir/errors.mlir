// What either mode cannot differentiate is an error at the operation, and
// malformed fluxion.fwddiff and fluxion.autodiff ops are rejected by the
// verifier.
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

func.func @repeat(%x: f64, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %limit = arith.constant 10.0 : f64
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%y = %x) -> (f64) {
    // expected-error @below {{fluxion: reverse mode in MLIR supports scf.while outside loops and branches}}
    %r = scf.while (%a = %y) : (f64) -> f64 {
      %go = arith.cmpf olt, %a, %limit : f64
      scf.condition(%go) %a : f64
    } do {
    ^bb0(%b: f64):
      %c = arith.mulf %b, %b : f64
      scf.yield %c : f64
    }
    scf.yield %r : f64
  }
  return %s : f64
}

func.func @g(%x: f64, %n: index) -> f64 {
  %d = "fluxion.autodiff"(%x, %n) {callee = @repeat, activity = ["active", "const"]} : (f64, index) -> f64
  return %d : f64
}

// -----

func.func @region(%x: f64) -> f64 {
  // expected-error @below {{fluxion: reverse mode in MLIR supports scf.for, scf.parallel, scf.while, scf.if and scf.index_switch, not 'scf.execute_region'}}
  %r = scf.execute_region -> f64 {
    %y = arith.mulf %x, %x : f64
    scf.yield %y : f64
  }
  return %r : f64
}

func.func @g(%x: f64) -> f64 {
  %d = "fluxion.autodiff"(%x) {callee = @region, activity = ["active"]} : (f64) -> f64
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
  // expected-error @below {{fluxion: forward mode in MLIR supports scf.parallel reductions that are sums}}
  %s = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%zero) -> f64 {
    %v = memref.load %u[%i] : memref<?xf64>
    scf.reduce(%v : f64) {
    ^bb0(%a: f64, %b: f64):
      %t = arith.mulf %a, %b : f64
      scf.reduce.return %t : f64
    }
  }
  return %s : f64
}

func.func @d(%u: memref<?xf64>, %du: memref<?xf64>, %n: index) -> f64 {
  %d = "fluxion.fwddiff"(%u, %du, %n) {callee = @total, activity = ["dup", "const"]} : (memref<?xf64>, memref<?xf64>, index) -> f64
  return %d : f64
}

// -----

// A nested loop whose bounds the outer loop reads from memory: its
// iterations could not be counted before the outer loop.
func.func @ragged(%x: f64, %sizes: memref<?xindex>, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%a = %x) -> (f64) {
    %m = memref.load %sizes[%i] : memref<?xindex>
    // expected-error @below {{fluxion: reverse mode in MLIR needs the bounds of a nested loop computed without memory from induction variables and values from outside the outermost loop}}
    %t = scf.for %j = %c0 to %m step %c1 iter_args(%b = %a) -> (f64) {
      %p = arith.mulf %b, %x : f64
      scf.yield %p : f64
    }
    scf.yield %t : f64
  }
  return %s : f64
}

func.func @g(%x: f64, %sizes: memref<?xindex>, %n: index) -> f64 {
  %d = "fluxion.autodiff"(%x, %sizes, %n) {callee = @ragged, activity = ["active", "const", "const"]} : (f64, memref<?xindex>, index) -> f64
  return %d : f64
}

// -----

func.func @scratch_in_branch(%x: f64) -> f64 {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f64
  %pos = arith.cmpf ogt, %x, %zero : f64
  %s = scf.if %pos -> (f64) {
    // expected-error @below {{fluxion: reverse mode in MLIR needs memory allocated in a loop's body or outside loops and branches}}
    %m = memref.alloca() : memref<1xf64>
    memref.store %x, %m[%c0] : memref<1xf64>
    %v = memref.load %m[%c0] : memref<1xf64>
    %p = arith.mulf %v, %x : f64
    scf.yield %p : f64
  } else {
    scf.yield %x : f64
  }
  return %s : f64
}

func.func @g(%x: f64) -> f64 {
  %d = "fluxion.autodiff"(%x) {callee = @scratch_in_branch, activity = ["active"]} : (f64) -> f64
  return %d : f64
}

// -----

func.func @product(%u: memref<?xf64>, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f64
  // expected-error @below {{fluxion: reverse mode in MLIR supports scf.parallel reductions that are sums}}
  %s = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%one) -> f64 {
    %v = memref.load %u[%i] : memref<?xf64>
    scf.reduce(%v : f64) {
    ^bb0(%a: f64, %b: f64):
      %t = arith.mulf %a, %b : f64
      scf.reduce.return %t : f64
    }
  }
  return %s : f64
}

func.func @g(%u: memref<?xf64>, %du: memref<?xf64>, %n: index) -> f64 {
  %one = arith.constant 1.0 : f64
  "fluxion.autodiff"(%u, %du, %n) {callee = @product, activity = ["dup", "const"]} : (memref<?xf64>, memref<?xf64>, index) -> ()
  return %one : f64
}

// -----

memref.global "private" @state : memref<1xf64> = dense<0.0>

func.func @through_global(%x: f64) -> f64 {
  %c0 = arith.constant 0 : index
  // expected-error @below {{fluxion: forward mode in MLIR tracks tangents in constant globals and workgroup memory only}}
  %m = memref.get_global @state : memref<1xf64>
  memref.store %x, %m[%c0] : memref<1xf64>
  %y = memref.load %m[%c0] : memref<1xf64>
  return %y : f64
}

func.func @f(%x: f64, %dx: f64) -> f64 {
  %d = "fluxion.fwddiff"(%x, %dx) {callee = @through_global, activity = ["dup"]} : (f64, f64) -> f64
  return %d : f64
}

// -----

func.func @sq(%x: f64) -> f64 {
  %y = arith.mulf %x, %x : f64
  return %y : f64
}

func.func @two_directions(%x: f64, %dx: f64) -> f64 {
  // expected-error @below {{takes 3 operands, not 2}}
  %d = "fluxion.fwddiff"(%x, %dx) {callee = @sq, activity = ["dup"], width = 2 : i64} : (f64, f64) -> f64
  return %d : f64
}

// -----

func.func @cube(%x: f64) -> f64 {
  %y = arith.mulf %x, %x : f64
  %z = arith.mulf %y, %x : f64
  return %z : f64
}

func.func @bad_result_activity(%x: f64) -> f64 {
  // expected-error @below {{result activities are "active" or "const"}}
  %d = "fluxion.autodiff"(%x) {callee = @cube, activity = ["active"], ret_activity = "dup"} : (f64) -> f64
  return %d : f64
}

// -----

// A recursive call's reverse computes the call again, which memory it read
// could have changed since: with memref arguments it is an error.
func.func @walk(%v: memref<?xf64>, %i: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %done = arith.cmpi eq, %i, %c0 : index
  %r = scf.if %done -> (f64) {
    scf.yield %zero : f64
  } else {
    %j = arith.subi %i, %c1 : index
    %x = memref.load %v[%j] : memref<?xf64>
    // expected-error @below {{fluxion: reverse mode in MLIR differentiates recursive calls with scalar arguments and results only, not 'walk'}}
    %rest = func.call @walk(%v, %j) : (memref<?xf64>, index) -> f64
    %s = arith.addf %rest, %x : f64
    scf.yield %s : f64
  }
  return %r : f64
}

func.func @g(%v: memref<?xf64>, %dv: memref<?xf64>, %n: index) -> f64 {
  %one = arith.constant 1.0 : f64
  "fluxion.autodiff"(%v, %dv, %n) {callee = @walk, activity = ["dup", "const"]} : (memref<?xf64>, memref<?xf64>, index) -> ()
  return %one : f64
}
