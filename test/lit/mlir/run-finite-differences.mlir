// Tangents computed natively in MLIR, lowered to LLVM and run: a Rosenbrock
// function over a memref in scf.for, a dot product of two dup memrefs, a
// branch (scf.if) and a recursive call, an scf.while, a 1-D stencil in
// scf.parallel into a local buffer, each against a central difference
// of the same function (the program asserts the agreement, within 1e-5
// relative, and prints both numbers).
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate %lower-to-llvm %s | %mlir-runner | %FileCheck %s

func.func @rosenbrock(%x: memref<?xf64>, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %one = arith.constant 1.0 : f64
  %hundred = arith.constant 100.0 : f64
  %last = arith.subi %n, %c1 : index
  %sum = scf.for %i = %c0 to %last step %c1 iter_args(%acc = %zero) -> (f64) {
    %ip1 = arith.addi %i, %c1 : index
    %xi = memref.load %x[%i] : memref<?xf64>
    %xn = memref.load %x[%ip1] : memref<?xf64>
    %sq = arith.mulf %xi, %xi : f64
    %a = arith.subf %xn, %sq : f64
    %b = arith.subf %one, %xi : f64
    %a2 = arith.mulf %a, %a : f64
    %t = arith.mulf %hundred, %a2 : f64
    %b2 = arith.mulf %b, %b : f64
    %term = arith.addf %t, %b2 : f64
    %next = arith.addf %acc, %term : f64
    scf.yield %next : f64
  }
  return %sum : f64
}

func.func @dot_tanh(%a: memref<?xf64>, %b: memref<?xf64>, %n: index) -> f64 {
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
  %r = math.tanh %s : f64
  return %r : f64
}

func.func @branchy_pow(%x: f64, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f64
  %done = arith.cmpi eq, %n, %c0 : index
  %r = scf.if %done -> (f64) {
    scf.yield %one : f64
  } else {
    %m = arith.subi %n, %c1 : index
    %p = func.call @branchy_pow(%x, %m) : (f64, index) -> f64
    %s = math.sin %x : f64
    %q = arith.mulf %p, %s : f64
    scf.yield %q : f64
  }
  return %r : f64
}

// a <- a + x sin(a) while a < 3 (at most 50 times), from a = x
func.func @grow(%x: f64) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c50 = arith.constant 50 : index
  %limit = arith.constant 3.0 : f64
  %r:2 = scf.while (%a = %x, %i = %c0) : (f64, index) -> (f64, index) {
    %small = arith.cmpf olt, %a, %limit : f64
    %more = arith.cmpi slt, %i, %c50 : index
    %go = arith.andi %small, %more : i1
    scf.condition(%go) %a, %i : f64, index
  } do {
  ^bb0(%b: f64, %j: index):
    %s = math.sin %b : f64
    %xs = arith.mulf %x, %s : f64
    %n = arith.addf %b, %xs : f64
    %k = arith.addi %j, %c1 : index
    scf.yield %n, %k : f64, index
  }
  return %r#0 : f64
}

// sum over interior i of (0.25 u[i-1] + 0.5 u[i] + 0.25 u[i+1])^2 sin(u[i])
func.func @smooth_energy(%u: memref<?xf64>, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %quarter = arith.constant 0.25 : f64
  %half = arith.constant 0.5 : f64
  %last = arith.subi %n, %c1 : index
  %out = memref.alloc(%n) : memref<?xf64>
  scf.parallel (%i) = (%c1) to (%last) step (%c1) {
    %im1 = arith.subi %i, %c1 : index
    %ip1 = arith.addi %i, %c1 : index
    %l = memref.load %u[%im1] : memref<?xf64>
    %m = memref.load %u[%i] : memref<?xf64>
    %r = memref.load %u[%ip1] : memref<?xf64>
    %a = arith.mulf %quarter, %l : f64
    %b = arith.mulf %half, %m : f64
    %c = arith.mulf %quarter, %r : f64
    %ab = arith.addf %a, %b : f64
    %s = arith.addf %ab, %c : f64
    %w = math.sin %m : f64
    %v = arith.mulf %s, %w : f64
    memref.store %v, %out[%i] : memref<?xf64>
    scf.reduce
  }
  %e = scf.for %i = %c1 to %last step %c1 iter_args(%acc = %zero) -> (f64) {
    %v = memref.load %out[%i] : memref<?xf64>
    %q = arith.mulf %v, %v : f64
    %t = arith.addf %acc, %q : f64
    scf.yield %t : f64
  }
  memref.dealloc %out : memref<?xf64>
  return %e : f64
}

func.func private @printF64(f64)
func.func private @printNewline()

// Asserts |d - fd| <= 1e-5 (1 + |fd|) and prints both.
func.func @check(%d: f64, %fd: f64) {
  %err = arith.subf %d, %fd : f64
  %abs = math.absf %err : f64
  %scale = math.absf %fd : f64
  %one = arith.constant 1.0 : f64
  %tol = arith.constant 1.0e-5 : f64
  %s1 = arith.addf %one, %scale : f64
  %bound = arith.mulf %tol, %s1 : f64
  %ok = arith.cmpf ole, %abs, %bound : f64
  cf.assert %ok, "forward derivative disagrees with central differences"
  call @printF64(%d) : (f64) -> ()
  call @printNewline() : () -> ()
  call @printF64(%fd) : (f64) -> ()
  call @printNewline() : () -> ()
  return
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 8 : index
  %h = arith.constant 1.0e-6 : f64
  %two = arith.constant 2.0 : f64
  %twoh = arith.mulf %two, %h : f64
  %x = memref.alloc(%n) : memref<?xf64>
  %v = memref.alloc(%n) : memref<?xf64>
  %w = memref.alloc(%n) : memref<?xf64>
  %xp = memref.alloc(%n) : memref<?xf64>
  %xm = memref.alloc(%n) : memref<?xf64>
  scf.for %i = %c0 to %n step %c1 {
    %ii = arith.index_cast %i : index to i64
    %f = arith.sitofp %ii : i64 to f64
    %scale = arith.constant 0.1 : f64
    %xi = arith.mulf %f, %scale : f64
    %vi = math.cos %f : f64
    %wi = math.sin %f : f64
    %hv = arith.mulf %h, %vi : f64
    %p = arith.addf %xi, %hv : f64
    %m = arith.subf %xi, %hv : f64
    memref.store %xi, %x[%i] : memref<?xf64>
    memref.store %vi, %v[%i] : memref<?xf64>
    memref.store %wi, %w[%i] : memref<?xf64>
    memref.store %p, %xp[%i] : memref<?xf64>
    memref.store %m, %xm[%i] : memref<?xf64>
  }

  // CHECK: [[R:[0-9.]+]]
  // CHECK-NEXT: [[R]]
  %d0 = "fluxion.fwddiff"(%x, %v, %n) {callee = @rosenbrock, activity = ["dup", "const"]} : (memref<?xf64>, memref<?xf64>, index) -> f64
  %fp0 = call @rosenbrock(%xp, %n) : (memref<?xf64>, index) -> f64
  %fm0 = call @rosenbrock(%xm, %n) : (memref<?xf64>, index) -> f64
  %diff0 = arith.subf %fp0, %fm0 : f64
  %fd0 = arith.divf %diff0, %twoh : f64
  call @check(%d0, %fd0) : (f64, f64) -> ()

  // The dot product along v in its first argument.
  // CHECK: [[D:[0-9.]+]]
  // CHECK-NEXT: [[D]]
  %d1 = "fluxion.fwddiff"(%x, %v, %w, %n) {callee = @dot_tanh, activity = ["dup", "const", "const"]} : (memref<?xf64>, memref<?xf64>, memref<?xf64>, index) -> f64
  %fp1 = call @dot_tanh(%xp, %w, %n) : (memref<?xf64>, memref<?xf64>, index) -> f64
  %fm1 = call @dot_tanh(%xm, %w, %n) : (memref<?xf64>, memref<?xf64>, index) -> f64
  %diff1 = arith.subf %fp1, %fm1 : f64
  %fd1 = arith.divf %diff1, %twoh : f64
  call @check(%d1, %fd1) : (f64, f64) -> ()

  // sin(x)^5 through five recursive calls, at x = 0.7.
  // CHECK: [[P:[0-9.]+]]
  // CHECK-NEXT: [[P]]
  %x0 = arith.constant 0.7 : f64
  %one = arith.constant 1.0 : f64
  %c5 = arith.constant 5 : index
  %d2 = "fluxion.fwddiff"(%x0, %one, %c5) {callee = @branchy_pow, activity = ["dup", "const"]} : (f64, f64, index) -> f64
  %x0p = arith.addf %x0, %h : f64
  %x0m = arith.subf %x0, %h : f64
  %fp2 = call @branchy_pow(%x0p, %c5) : (f64, index) -> f64
  %fm2 = call @branchy_pow(%x0m, %c5) : (f64, index) -> f64
  %diff2 = arith.subf %fp2, %fm2 : f64
  %fd2 = arith.divf %diff2, %twoh : f64
  call @check(%d2, %fd2) : (f64, f64) -> ()

  // CHECK: [[W:[0-9.]+]]
  // CHECK-NEXT: [[W]]
  %x3 = arith.constant 0.9 : f64
  %d3 = "fluxion.fwddiff"(%x3, %one) {callee = @grow, activity = ["dup"]} : (f64, f64) -> f64
  %x3p = arith.addf %x3, %h : f64
  %x3m = arith.subf %x3, %h : f64
  %fp3 = call @grow(%x3p) : (f64) -> f64
  %fm3 = call @grow(%x3m) : (f64) -> f64
  %diff3 = arith.subf %fp3, %fm3 : f64
  %fd3 = arith.divf %diff3, %twoh : f64
  call @check(%d3, %fd3) : (f64, f64) -> ()

  // CHECK: [[S:[0-9.]+]]
  // CHECK-NEXT: [[S]]
  %d4 = "fluxion.fwddiff"(%x, %v, %n) {callee = @smooth_energy, activity = ["dup", "const"]} : (memref<?xf64>, memref<?xf64>, index) -> f64
  %fp4 = call @smooth_energy(%xp, %n) : (memref<?xf64>, index) -> f64
  %fm4 = call @smooth_energy(%xm, %n) : (memref<?xf64>, index) -> f64
  %diff4 = arith.subf %fp4, %fm4 : f64
  %fd4 = arith.divf %diff4, %twoh : f64
  call @check(%d4, %fd4) : (f64, f64) -> ()
  return
}
