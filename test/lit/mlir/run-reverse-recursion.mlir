// Reverse mode through recursion: a call of a function being inlined stays
// a call, and its reverse calls the callee's gradient with the adjoint of
// its result as a seed argument; that gradient computes the call again and
// recurses the same way. r(x, n) = sin(r(x, n - 1)) * x + x^2 for n > 0,
// x for n = 0; and a pair of mutually recursive functions. The gradients
// are compared with central differences (the program asserts agreement
// within 1e-6 relative and prints the numbers).
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate %s | %FileCheck --check-prefix=IR %s
// RUN: %fluxion-opt --fluxion-differentiate %lower-to-llvm %s | %mlir-runner | %FileCheck %s

func.func @r(%x: f64, %n: i64) -> f64 {
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %done = arith.cmpi sle, %n, %c0 : i64
  %v = scf.if %done -> (f64) {
    scf.yield %x : f64
  } else {
    %m = arith.subi %n, %c1 : i64
    %inner = func.call @r(%x, %m) : (f64, i64) -> f64
    %s = math.sin %inner : f64
    %sx = arith.mulf %s, %x : f64
    %xx = arith.mulf %x, %x : f64
    %t = arith.addf %sx, %xx : f64
    scf.yield %t : f64
  }
  return %v : f64
}

// even(x, n) = n = 0 ? 1 : cos(odd(x, n - 1) * x); odd(x, n) = even(x, n - 1) + x.
func.func @even(%x: f64, %n: i64) -> f64 {
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %done = arith.cmpi sle, %n, %c0 : i64
  %v = scf.if %done -> (f64) {
    %one = arith.constant 1.0 : f64
    scf.yield %one : f64
  } else {
    %m = arith.subi %n, %c1 : i64
    %o = func.call @odd(%x, %m) : (f64, i64) -> f64
    %p = arith.mulf %o, %x : f64
    %c = math.cos %p : f64
    scf.yield %c : f64
  }
  return %v : f64
}

func.func @odd(%x: f64, %n: i64) -> f64 {
  %c1 = arith.constant 1 : i64
  %m = arith.subi %n, %c1 : i64
  %e = func.call @even(%x, %m) : (f64, i64) -> f64
  %v = arith.addf %e, %x : f64
  return %v : f64
}

func.func private @printF64(f64)
func.func private @printNewline()

func.func @check(%d: f64, %fd: f64) {
  %err = arith.subf %d, %fd : f64
  %abs = math.absf %err : f64
  %scale = math.absf %fd : f64
  %one = arith.constant 1.0 : f64
  %tol = arith.constant 1.0e-6 : f64
  %s1 = arith.addf %one, %scale : f64
  %bound = arith.mulf %tol, %s1 : f64
  %ok = arith.cmpf ole, %abs, %bound : f64
  cf.assert %ok, "gradient disagrees with central differences"
  call @printF64(%d) : (f64) -> ()
  call @printNewline() : () -> ()
  return
}

func.func @main() {
  %x = arith.constant 0.8 : f64
  %h = arith.constant 1.0e-6 : f64
  %twoh = arith.constant 2.0e-6 : f64
  %xp = arith.addf %x, %h : f64
  %xm = arith.subf %x, %h : f64
  %n = arith.constant 6 : i64
  %g = "fluxion.autodiff"(%x, %n) {callee = @r, activity = ["active", "const"]} : (f64, i64) -> f64
  %rp = call @r(%xp, %n) : (f64, i64) -> f64
  %rm = call @r(%xm, %n) : (f64, i64) -> f64
  %dr = arith.subf %rp, %rm : f64
  %fd = arith.divf %dr, %twoh : f64
  call @check(%g, %fd) : (f64, f64) -> ()
  %k = arith.constant 7 : i64
  %ge = "fluxion.autodiff"(%x, %k) {callee = @even, activity = ["active", "const"]} : (f64, i64) -> f64
  %ep = call @even(%xp, %k) : (f64, i64) -> f64
  %em = call @even(%xm, %k) : (f64, i64) -> f64
  %de = arith.subf %ep, %em : f64
  %fde = arith.divf %de, %twoh : f64
  call @check(%ge, %fde) : (f64, f64) -> ()
  return
}

// The recursive call stays a call; its reverse calls the seeded gradient,
// which calls itself.
// IR-LABEL: func.func private @fluxion.grad.r.active.const(
// IR: call @r(
// IR: call @fluxion.grad.r.active.const.seeded(
// IR-LABEL: func.func private @fluxion.grad.r.active.const.seeded(
// IR: call @r(
// IR: call @fluxion.grad.r.active.const.seeded(

// CHECK: {{^-?[0-9]}}
// CHECK: {{^-?[0-9]}}
