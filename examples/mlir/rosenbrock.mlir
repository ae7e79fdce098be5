// The gradient of Rosenbrock's function from an MLIR program.
//
// A compiler built on MLIR asks for derivatives with fluxion.autodiff and
// fluxion.fwddiff on its func.func, before lowering; fluxion-opt
// --fluxion-differentiate synthesizes them in MLIR and the upstream
// pipeline lowers and runs the result:
//
//   fluxion-opt --fluxion-differentiate --convert-math-to-llvm \
//       --convert-math-to-libm --convert-scf-to-cf --convert-arith-to-llvm \
//       --convert-ub-to-llvm \
//       --convert-cf-to-llvm --finalize-memref-to-llvm --convert-func-to-llvm \
//       --reconcile-unrealized-casts rosenbrock.mlir |
//     mlir-runner-22 -e main -entry-point-result=void \
//       -shared-libs=/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so
//
// Here the function is written over two scalars, f(x, y) = (1 - x)^2 +
// 100 (y - x^2)^2, and main takes 20000 steps of gradient descent from
// (-1.2, 1), with the gradient from fluxion.autodiff and, at the start, the
// directional derivative along the gradient from fluxion.fwddiff, which
// must equal the gradient's squared norm. It prints the first directional
// derivative and the point reached, and asserts that it is near (1, 1).

func.func @rosenbrock(%x: f64, %y: f64) -> f64 {
  %one = arith.constant 1.0 : f64
  %hundred = arith.constant 100.0 : f64
  %a = arith.subf %one, %x : f64
  %x2 = arith.mulf %x, %x : f64
  %b = arith.subf %y, %x2 : f64
  %a2 = arith.mulf %a, %a : f64
  %b2 = arith.mulf %b, %b : f64
  %t = arith.mulf %hundred, %b2 : f64
  %f = arith.addf %a2, %t : f64
  return %f : f64
}

func.func private @printF64(f64)
func.func private @printNewline()

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %steps = arith.constant 20000 : index
  %rate = arith.constant 1.0e-3 : f64
  %x0 = arith.constant -1.2 : f64
  %y0 = arith.constant 1.0 : f64

  // At the start: the forward derivative along the gradient is |grad|^2.
  %g0:2 = "fluxion.autodiff"(%x0, %y0) {callee = @rosenbrock, activity = ["active", "active"]} : (f64, f64) -> (f64, f64)
  %d = "fluxion.fwddiff"(%x0, %g0#0, %y0, %g0#1) {callee = @rosenbrock, activity = ["dup", "dup"]} : (f64, f64, f64, f64) -> f64
  %gx2 = arith.mulf %g0#0, %g0#0 : f64
  %gy2 = arith.mulf %g0#1, %g0#1 : f64
  %norm2 = arith.addf %gx2, %gy2 : f64
  %gap = arith.subf %d, %norm2 : f64
  %agap = math.absf %gap : f64
  %eps = arith.constant 1.0e-9 : f64
  %scaled = arith.mulf %eps, %norm2 : f64
  %same = arith.cmpf ole, %agap, %scaled : f64
  cf.assert %same, "forward and reverse derivatives disagree"
  call @printF64(%d) : (f64) -> ()
  call @printNewline() : () -> ()

  %p:2 = scf.for %i = %c0 to %steps step %c1 iter_args(%x = %x0, %y = %y0) -> (f64, f64) {
    %g:2 = "fluxion.autodiff"(%x, %y) {callee = @rosenbrock, activity = ["active", "active"]} : (f64, f64) -> (f64, f64)
    %sx = arith.mulf %rate, %g#0 : f64
    %sy = arith.mulf %rate, %g#1 : f64
    %nx = arith.subf %x, %sx : f64
    %ny = arith.subf %y, %sy : f64
    scf.yield %nx, %ny : f64, f64
  }
  call @printF64(%p#0) : (f64) -> ()
  call @printNewline() : () -> ()
  call @printF64(%p#1) : (f64) -> ()
  call @printNewline() : () -> ()
  %one = arith.constant 1.0 : f64
  %tol = arith.constant 1.0e-2 : f64
  %ex = arith.subf %p#0, %one : f64
  %ey = arith.subf %p#1, %one : f64
  %aex = math.absf %ex : f64
  %aey = math.absf %ey : f64
  %okx = arith.cmpf ole, %aex, %tol : f64
  %oky = arith.cmpf ole, %aey, %tol : f64
  %ok = arith.andi %okx, %oky : i1
  cf.assert %ok, "gradient descent did not reach the minimum at (1, 1)"
  return
}
