// Reverse mode over "dup" memrefs: a load's adjoint is added to the shadow
// of what it read, a store's takes the shadow of what it overwrote. The
// function scales its argument in place, then sums the squares; the
// gradient in every element and in the scale is compared with central
// differences, each evaluation on a fresh copy of the input (the program
// asserts agreement within 1e-5 relative and prints both numbers).
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate %lower-to-llvm %s | %mlir-runner | %FileCheck %s

func.func @scaled_energy(%w: memref<?xf64>, %x: f64, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %w[%i] : memref<?xf64>
    %s = math.sin %v : f64
    %u = arith.mulf %s, %x : f64
    memref.store %u, %w[%i] : memref<?xf64>
  }
  %e = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f64) {
    %v = memref.load %w[%i] : memref<?xf64>
    %q = arith.mulf %v, %v : f64
    %t = arith.addf %acc, %q : f64
    scf.yield %t : f64
  }
  return %e : f64
}

func.func private @printF64(f64)
func.func private @printNewline()

func.func @check(%d: f64, %fd: f64) {
  %err = arith.subf %d, %fd : f64
  %abs = math.absf %err : f64
  %scale = math.absf %fd : f64
  %one = arith.constant 1.0 : f64
  %tol = arith.constant 1.0e-5 : f64
  %s1 = arith.addf %one, %scale : f64
  %bound = arith.mulf %tol, %s1 : f64
  %ok = arith.cmpf ole, %abs, %bound : f64
  cf.assert %ok, "gradient disagrees with central differences"
  call @printF64(%d) : (f64) -> ()
  call @printNewline() : () -> ()
  call @printF64(%fd) : (f64) -> ()
  call @printNewline() : () -> ()
  return
}

// The energy at w0 with element k (or, for k = n, the scale) moved by delta.
func.func @energy_at(%w0: memref<?xf64>, %x: f64, %n: index, %k: index, %delta: f64) -> f64 {
  %w = memref.alloc(%n) : memref<?xf64>
  memref.copy %w0, %w : memref<?xf64> to memref<?xf64>
  %is_scale = arith.cmpi eq, %k, %n : index
  %xs = scf.if %is_scale -> (f64) {
    %m = arith.addf %x, %delta : f64
    scf.yield %m : f64
  } else {
    %v = memref.load %w[%k] : memref<?xf64>
    %m = arith.addf %v, %delta : f64
    memref.store %m, %w[%k] : memref<?xf64>
    scf.yield %x : f64
  }
  %e = call @scaled_energy(%w, %xs, %n) : (memref<?xf64>, f64, index) -> f64
  memref.dealloc %w : memref<?xf64>
  return %e : f64
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 5 : index
  %h = arith.constant 1.0e-6 : f64
  %mh = arith.constant -1.0e-6 : f64
  %two = arith.constant 2.0 : f64
  %twoh = arith.mulf %two, %h : f64
  %x = arith.constant 1.3 : f64
  %w0 = memref.alloc(%n) : memref<?xf64>
  %w = memref.alloc(%n) : memref<?xf64>
  %dw = memref.alloc(%n) : memref<?xf64>
  %zero = arith.constant 0.0 : f64
  scf.for %i = %c0 to %n step %c1 {
    %ii = arith.index_cast %i : index to i64
    %f = arith.sitofp %ii : i64 to f64
    %v = math.cos %f : f64
    memref.store %v, %w0[%i] : memref<?xf64>
    memref.store %zero, %dw[%i] : memref<?xf64>
  }
  memref.copy %w0, %w : memref<?xf64> to memref<?xf64>
  %gx = "fluxion.autodiff"(%w, %dw, %x, %n) {callee = @scaled_energy, activity = ["dup", "active", "const"]} : (memref<?xf64>, memref<?xf64>, f64, index) -> f64

  // CHECK-COUNT-6: {{^-?[0-9.e+-]+$}}
  scf.for %k = %c0 to %n step %c1 {
    %up = func.call @energy_at(%w0, %x, %n, %k, %h) : (memref<?xf64>, f64, index, index, f64) -> f64
    %down = func.call @energy_at(%w0, %x, %n, %k, %mh) : (memref<?xf64>, f64, index, index, f64) -> f64
    %diff = arith.subf %up, %down : f64
    %fd = arith.divf %diff, %twoh : f64
    %d = memref.load %dw[%k] : memref<?xf64>
    func.call @check(%d, %fd) : (f64, f64) -> ()
  }
  %up = call @energy_at(%w0, %x, %n, %n, %h) : (memref<?xf64>, f64, index, index, f64) -> f64
  %down = call @energy_at(%w0, %x, %n, %n, %mh) : (memref<?xf64>, f64, index, index, f64) -> f64
  %diff = arith.subf %up, %down : f64
  %fd = arith.divf %diff, %twoh : f64
  call @check(%gx, %fd) : (f64, f64) -> ()
  return
}
