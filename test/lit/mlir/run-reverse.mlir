// Gradients computed natively in MLIR, lowered to LLVM and run, against
// central differences of the same function in each argument (the program
// asserts agreement within 1e-5 relative and prints both numbers): a
// straight-line function with an inlined call, a Horner recurrence in
// scf.for over a constant memref, reversed from per-iteration caches, and a
// branch taken both ways.
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate %lower-to-llvm %s | %mlir-runner | %FileCheck %s

func.func @denominator(%y: f64) -> f64 {
  %one = arith.constant 1.0 : f64
  %yy = arith.mulf %y, %y : f64
  %d = arith.addf %one, %yy : f64
  return %d : f64
}

// f(x, y) = exp(sin(x) y) / (1 + y^2) + tanh(x y) + max(x, y)^2
func.func @f(%x: f64, %y: f64) -> f64 {
  %s = math.sin %x : f64
  %p = arith.mulf %s, %y : f64
  %e = math.exp %p : f64
  %d = func.call @denominator(%y) : (f64) -> f64
  %q = arith.divf %e, %d : f64
  %xy = arith.mulf %x, %y : f64
  %t = math.tanh %xy : f64
  %m = arith.maximumf %x, %y : f64
  %mm = arith.mulf %m, %m : f64
  %r1 = arith.addf %q, %t : f64
  %r = arith.addf %r1, %mm : f64
  return %r : f64
}

// acc = y; acc = acc * x + w[i] * sin(y i / n) for i < n; acc^2
func.func @horner(%x: f64, %y: f64, %w: memref<?xf64>, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %ni = arith.index_cast %n : index to i64
  %nf = arith.sitofp %ni : i64 to f64
  %acc = scf.for %i = %c0 to %n step %c1 iter_args(%a = %y) -> (f64) {
    %wi = memref.load %w[%i] : memref<?xf64>
    %ii = arith.index_cast %i : index to i64
    %if = arith.sitofp %ii : i64 to f64
    %yi = arith.mulf %y, %if : f64
    %t = arith.divf %yi, %nf : f64
    %s = math.sin %t : f64
    %ws = arith.mulf %wi, %s : f64
    %ax = arith.mulf %a, %x : f64
    %next = arith.addf %ax, %ws : f64
    scf.yield %next : f64
  }
  %r = arith.mulf %acc, %acc : f64
  return %r : f64
}

// |x| sin(y) through a branch on the sign of x
func.func @abs_sin(%x: f64, %y: f64) -> f64 {
  %zero = arith.constant 0.0 : f64
  %neg = arith.cmpf olt, %x, %zero : f64
  %a = scf.if %neg -> (f64) {
    %n = arith.negf %x : f64
    scf.yield %n : f64
  } else {
    scf.yield %x : f64
  }
  %s = math.sin %y : f64
  %r = arith.mulf %a, %s : f64
  return %r : f64
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

func.func @main() {
  %x = arith.constant 0.3 : f64
  %y = arith.constant 0.7 : f64
  %h = arith.constant 1.0e-6 : f64
  %two = arith.constant 2.0 : f64
  %twoh = arith.mulf %two, %h : f64
  %g:2 = "fluxion.autodiff"(%x, %y) {callee = @f, activity = ["active", "active"]} : (f64, f64) -> (f64, f64)

  // CHECK: [[DX:[0-9.]+]]
  // CHECK-NEXT: [[DX]]
  %xp = arith.addf %x, %h : f64
  %xm = arith.subf %x, %h : f64
  %fxp = call @f(%xp, %y) : (f64, f64) -> f64
  %fxm = call @f(%xm, %y) : (f64, f64) -> f64
  %dfx = arith.subf %fxp, %fxm : f64
  %fdx = arith.divf %dfx, %twoh : f64
  call @check(%g#0, %fdx) : (f64, f64) -> ()

  // CHECK: [[DY:[0-9.]+]]
  // CHECK-NEXT: [[DY]]
  %yp = arith.addf %y, %h : f64
  %ym = arith.subf %y, %h : f64
  %fyp = call @f(%x, %yp) : (f64, f64) -> f64
  %fym = call @f(%x, %ym) : (f64, f64) -> f64
  %dfy = arith.subf %fyp, %fym : f64
  %fdy = arith.divf %dfy, %twoh : f64
  call @check(%g#1, %fdy) : (f64, f64) -> ()

  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 6 : index
  %w = memref.alloc(%n) : memref<?xf64>
  scf.for %i = %c0 to %n step %c1 {
    %ii = arith.index_cast %i : index to i64
    %f = arith.sitofp %ii : i64 to f64
    %wi = math.cos %f : f64
    memref.store %wi, %w[%i] : memref<?xf64>
  }
  %x1 = arith.constant 0.9 : f64
  %y1 = arith.constant 0.4 : f64
  %h2:2 = "fluxion.autodiff"(%x1, %y1, %w, %n) {callee = @horner, activity = ["active", "active", "const", "const"]} : (f64, f64, memref<?xf64>, index) -> (f64, f64)

  // CHECK: [[HX:[0-9.]+]]
  // CHECK-NEXT: [[HX]]
  %x1p = arith.addf %x1, %h : f64
  %x1m = arith.subf %x1, %h : f64
  %hxp = call @horner(%x1p, %y1, %w, %n) : (f64, f64, memref<?xf64>, index) -> f64
  %hxm = call @horner(%x1m, %y1, %w, %n) : (f64, f64, memref<?xf64>, index) -> f64
  %dhx = arith.subf %hxp, %hxm : f64
  %fdhx = arith.divf %dhx, %twoh : f64
  call @check(%h2#0, %fdhx) : (f64, f64) -> ()

  // CHECK: [[HY:[0-9.]+]]
  // CHECK-NEXT: [[HY]]
  %y1p = arith.addf %y1, %h : f64
  %y1m = arith.subf %y1, %h : f64
  %hyp = call @horner(%x1, %y1p, %w, %n) : (f64, f64, memref<?xf64>, index) -> f64
  %hym = call @horner(%x1, %y1m, %w, %n) : (f64, f64, memref<?xf64>, index) -> f64
  %dhy = arith.subf %hyp, %hym : f64
  %fdhy = arith.divf %dhy, %twoh : f64
  call @check(%h2#1, %fdhy) : (f64, f64) -> ()

  // d/dx |x| sin(y) = sign(x) sin(y), for x = -0.5 and x = 0.5.
  // CHECK: [[AN:-?[0-9.]+]]
  // CHECK-NEXT: [[AN]]
  // CHECK: [[AP:[0-9.]+]]
  // CHECK-NEXT: [[AP]]
  %xn = arith.constant -0.5 : f64
  %xq = arith.constant 0.5 : f64
  %an:2 = "fluxion.autodiff"(%xn, %y1) {callee = @abs_sin, activity = ["active", "active"]} : (f64, f64) -> (f64, f64)
  %xnp = arith.addf %xn, %h : f64
  %xnm = arith.subf %xn, %h : f64
  %anp = call @abs_sin(%xnp, %y1) : (f64, f64) -> f64
  %anm = call @abs_sin(%xnm, %y1) : (f64, f64) -> f64
  %dan = arith.subf %anp, %anm : f64
  %fdan = arith.divf %dan, %twoh : f64
  call @check(%an#0, %fdan) : (f64, f64) -> ()
  %ap:2 = "fluxion.autodiff"(%xq, %y1) {callee = @abs_sin, activity = ["active", "active"]} : (f64, f64) -> (f64, f64)
  %xqp = arith.addf %xq, %h : f64
  %xqm = arith.subf %xq, %h : f64
  %app = call @abs_sin(%xqp, %y1) : (f64, f64) -> f64
  %apm = call @abs_sin(%xqm, %y1) : (f64, f64) -> f64
  %dap = arith.subf %app, %apm : f64
  %fdap = arith.divf %dap, %twoh : f64
  call @check(%ap#0, %fdap) : (f64, f64) -> ()
  return
}
