// Unstructured control flow (cf.br, cf.cond_br): --fluxion-differentiate
// first lifts the callee's blocks to scf (scf.while and scf.if) with
// MLIR's CFG-to-SCF transformation, in place, then differentiates that in
// both modes. f iterates a <- a + sin(a) n times, with a branch on the sign
// of sin(a) inside the loop, and returns a^2; s picks one of three
// formulas with cf.switch (lifted to scf.index_switch) and w with an
// scf.index_switch written as such. The gradient and the tangent in x are
// compared with central differences (the program asserts agreement within
// 1e-6 relative and prints the numbers).
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate %s | %FileCheck --check-prefix=IR %s
// RUN: %fluxion-opt --fluxion-differentiate %lower-to-llvm %s | %mlir-runner | %FileCheck %s

func.func @f(%x: f64, %n: i64) -> f64 {
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %zero = arith.constant 0.0 : f64
  %half = arith.constant 0.5 : f64
  cf.br ^loop(%x, %c0 : f64, i64)
^loop(%a: f64, %i: i64):
  %done = arith.cmpi sge, %i, %n : i64
  cf.cond_br %done, ^exit(%a : f64), ^body
^body:
  %s = math.sin %a : f64
  %up = arith.cmpf ogt, %s, %zero : f64
  cf.cond_br %up, ^grow, ^shrink
^grow:
  %g = arith.addf %a, %s : f64
  cf.br ^next(%g : f64)
^shrink:
  %h = arith.mulf %s, %half : f64
  %k = arith.subf %a, %h : f64
  cf.br ^next(%k : f64)
^next(%b: f64):
  %j = arith.addi %i, %c1 : i64
  cf.br ^loop(%b, %j : f64, i64)
^exit(%r: f64):
  %sq = arith.mulf %r, %r : f64
  return %sq : f64
}

func.func @s(%x: f64, %k: i32) -> f64 {
  cf.switch %k : i32, [
    default: ^square,
    0: ^sine,
    1: ^exp
  ]
^square:
  %q = arith.mulf %x, %x : f64
  cf.br ^done(%q : f64)
^sine:
  %v = math.sin %x : f64
  cf.br ^done(%v : f64)
^exp:
  %e = math.exp %x : f64
  cf.br ^done(%e : f64)
^done(%r: f64):
  %t = arith.mulf %r, %x : f64
  return %t : f64
}

func.func @w(%x: f64, %k: index) -> f64 {
  %r = scf.index_switch %k -> f64
  case 0 {
    %c = math.cos %x : f64
    scf.yield %c : f64
  }
  case 1 {
    %t = math.tanh %x : f64
    %tt = arith.mulf %t, %x : f64
    scf.yield %tt : f64
  }
  default {
    %n = arith.negf %x : f64
    scf.yield %n : f64
  }
  %y = arith.mulf %r, %r : f64
  return %y : f64
}

// Both modes of s at x with selector k against central differences.
func.func @check_s(%x: f64, %k: i32) {
  %h = arith.constant 1.0e-6 : f64
  %twoh = arith.constant 2.0e-6 : f64
  %one = arith.constant 1.0 : f64
  %g = "fluxion.autodiff"(%x, %k) {callee = @s, activity = ["active", "const"]} : (f64, i32) -> f64
  %t = "fluxion.fwddiff"(%x, %one, %k) {callee = @s, activity = ["dup", "const"]} : (f64, f64, i32) -> f64
  %p = arith.addf %x, %h : f64
  %m = arith.subf %x, %h : f64
  %fp = call @s(%p, %k) : (f64, i32) -> f64
  %fm = call @s(%m, %k) : (f64, i32) -> f64
  %d = arith.subf %fp, %fm : f64
  %fd = arith.divf %d, %twoh : f64
  call @check(%g, %fd) : (f64, f64) -> ()
  call @check(%t, %fd) : (f64, f64) -> ()
  return
}

func.func @check_w(%x: f64, %k: index) {
  %h = arith.constant 1.0e-6 : f64
  %twoh = arith.constant 2.0e-6 : f64
  %one = arith.constant 1.0 : f64
  %g = "fluxion.autodiff"(%x, %k) {callee = @w, activity = ["active", "const"]} : (f64, index) -> f64
  %t = "fluxion.fwddiff"(%x, %one, %k) {callee = @w, activity = ["dup", "const"]} : (f64, f64, index) -> f64
  %p = arith.addf %x, %h : f64
  %m = arith.subf %x, %h : f64
  %fp = call @w(%p, %k) : (f64, index) -> f64
  %fm = call @w(%m, %k) : (f64, index) -> f64
  %d = arith.subf %fp, %fm : f64
  %fd = arith.divf %d, %twoh : f64
  call @check(%g, %fd) : (f64, f64) -> ()
  call @check(%t, %fd) : (f64, f64) -> ()
  return
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
  cf.assert %ok, "derivative disagrees with central differences"
  call @printF64(%d) : (f64) -> ()
  call @printNewline() : () -> ()
  return
}

func.func @main() {
  %h = arith.constant 1.0e-6 : f64
  %twoh = arith.constant 2.0e-6 : f64
  %one = arith.constant 1.0 : f64
  %n = arith.constant 3 : i64
  // From 0.3 every step grows a, from 4.0 every step shrinks it.
  %x1 = arith.constant 0.3 : f64
  %x2 = arith.constant 4.0 : f64
  %g1 = "fluxion.autodiff"(%x1, %n) {callee = @f, activity = ["active", "const"]} : (f64, i64) -> f64
  %t1 = "fluxion.fwddiff"(%x1, %one, %n) {callee = @f, activity = ["dup", "const"]} : (f64, f64, i64) -> f64
  %p1 = arith.addf %x1, %h : f64
  %m1 = arith.subf %x1, %h : f64
  %fp1 = call @f(%p1, %n) : (f64, i64) -> f64
  %fm1 = call @f(%m1, %n) : (f64, i64) -> f64
  %d1 = arith.subf %fp1, %fm1 : f64
  %fd1 = arith.divf %d1, %twoh : f64
  call @check(%g1, %fd1) : (f64, f64) -> ()
  call @check(%t1, %fd1) : (f64, f64) -> ()
  %g2 = "fluxion.autodiff"(%x2, %n) {callee = @f, activity = ["active", "const"]} : (f64, i64) -> f64
  %t2 = "fluxion.fwddiff"(%x2, %one, %n) {callee = @f, activity = ["dup", "const"]} : (f64, f64, i64) -> f64
  %p2 = arith.addf %x2, %h : f64
  %m2 = arith.subf %x2, %h : f64
  %fp2 = call @f(%p2, %n) : (f64, i64) -> f64
  %fm2 = call @f(%m2, %n) : (f64, i64) -> f64
  %d2 = arith.subf %fp2, %fm2 : f64
  %fd2 = arith.divf %d2, %twoh : f64
  call @check(%g2, %fd2) : (f64, f64) -> ()
  call @check(%t2, %fd2) : (f64, f64) -> ()
  // Every way out of each switch.
  %x3 = arith.constant 0.6 : f64
  %k0 = arith.constant 0 : i32
  %k1 = arith.constant 1 : i32
  %k7 = arith.constant 7 : i32
  call @check_s(%x3, %k0) : (f64, i32) -> ()
  call @check_s(%x3, %k1) : (f64, i32) -> ()
  call @check_s(%x3, %k7) : (f64, i32) -> ()
  %i0 = arith.constant 0 : index
  %i1 = arith.constant 1 : index
  %i5 = arith.constant 5 : index
  call @check_w(%x3, %i0) : (f64, index) -> ()
  call @check_w(%x3, %i1) : (f64, index) -> ()
  call @check_w(%x3, %i5) : (f64, index) -> ()
  return
}

// IR-LABEL: func.func @f(
// IR-NOT: cf.br
// IR: scf.while
// IR-LABEL: func.func private @fluxion.grad.s.active.const(
// IR: scf.index_switch
// IR: scf.index_switch
// IR-LABEL: func.func private @fluxion.grad.f.active.const(
// IR: scf.while
// IR: scf.for
// IR-LABEL: func.func private @fluxion.fwd.f.dup.const(
// IR: scf.while

// CHECK: [[A:-?[0-9.e+-]+]]
// CHECK-NEXT: [[A]]
// CHECK-NEXT: [[B:-?[0-9.e+-]+]]
// CHECK-NEXT: [[B]]
// CHECK-COUNT-12: {{^-?[0-9]}}
