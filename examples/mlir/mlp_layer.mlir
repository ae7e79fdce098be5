// The gradient of a dense layer's loss, over memrefs, from MLIR.
//
// loss(W, b, x) = sum_i huber(tanh(sum_j W[i,j] x[j] + b[i]) - t[i]), with
// the layer's output in a local buffer, the matrix-vector product in nested
// scf.for loops and the Huber loss's two pieces in an scf.if. One
// fluxion.autodiff gives the gradient in W, b and x at once (each "dup":
// the adjoints are added to the shadow memrefs); one fluxion.fwddiff gives
// the derivative along a direction (dW, db, dx). main checks both against
// the central difference of the loss along that direction and asserts
// agreement within 1e-6 relative. Run it with the pipeline in
// rosenbrock.mlir.

func.func @huber(%d: f64) -> f64 {
  %half = arith.constant 0.5 : f64
  %one = arith.constant 1.0 : f64
  %a = math.absf %d : f64
  %small = arith.cmpf olt, %a, %one : f64
  %h = scf.if %small -> (f64) {
    %d2 = arith.mulf %d, %d : f64
    %q = arith.mulf %half, %d2 : f64
    scf.yield %q : f64
  } else {
    %l = arith.subf %a, %half : f64
    scf.yield %l : f64
  }
  return %h : f64
}

func.func @loss(%W: memref<?x?xf64>, %b: memref<?xf64>, %x: memref<?xf64>,
                %t: memref<?xf64>, %m: index, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %y = memref.alloc(%m) : memref<?xf64>
  scf.for %i = %c0 to %m step %c1 {
    %bi = memref.load %b[%i] : memref<?xf64>
    %s = scf.for %j = %c0 to %n step %c1 iter_args(%acc = %bi) -> (f64) {
      %w = memref.load %W[%i, %j] : memref<?x?xf64>
      %xj = memref.load %x[%j] : memref<?xf64>
      %p = arith.mulf %w, %xj : f64
      %next = arith.addf %acc, %p : f64
      scf.yield %next : f64
    }
    %a = math.tanh %s : f64
    memref.store %a, %y[%i] : memref<?xf64>
  }
  %l = scf.for %i = %c0 to %m step %c1 iter_args(%sum = %zero) -> (f64) {
    %yi = memref.load %y[%i] : memref<?xf64>
    %ti = memref.load %t[%i] : memref<?xf64>
    %d = arith.subf %yi, %ti : f64
    %h = func.call @huber(%d) : (f64) -> f64
    %next = arith.addf %sum, %h : f64
    scf.yield %next : f64
  }
  memref.dealloc %y : memref<?xf64>
  return %l : f64
}

func.func private @printF64(f64)
func.func private @printNewline()

func.func @show(%v: f64) {
  call @printF64(%v) : (f64) -> ()
  call @printNewline() : () -> ()
  return
}

func.func @agree(%a: f64, %b: f64) {
  %err = arith.subf %a, %b : f64
  %abs = math.absf %err : f64
  %scale = math.absf %b : f64
  %one = arith.constant 1.0 : f64
  %tol = arith.constant 1.0e-6 : f64
  %s1 = arith.addf %one, %scale : f64
  %bound = arith.mulf %tol, %s1 : f64
  %ok = arith.cmpf ole, %abs, %bound : f64
  cf.assert %ok, "derivative disagrees with central differences"
  return
}

// dst = src + h * dir, elementwise, for vectors and matrices.
func.func @axpy1(%dst: memref<?xf64>, %src: memref<?xf64>, %dir: memref<?xf64>, %h: f64, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %s = memref.load %src[%i] : memref<?xf64>
    %d = memref.load %dir[%i] : memref<?xf64>
    %hd = arith.mulf %h, %d : f64
    %v = arith.addf %s, %hd : f64
    memref.store %v, %dst[%i] : memref<?xf64>
  }
  return
}

func.func @axpy2(%dst: memref<?x?xf64>, %src: memref<?x?xf64>, %dir: memref<?x?xf64>, %h: f64, %m: index, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %m step %c1 {
    scf.for %j = %c0 to %n step %c1 {
      %s = memref.load %src[%i, %j] : memref<?x?xf64>
      %d = memref.load %dir[%i, %j] : memref<?x?xf64>
      %hd = arith.mulf %h, %d : f64
      %v = arith.addf %s, %hd : f64
      memref.store %v, %dst[%i, %j] : memref<?x?xf64>
    }
  }
  return
}

// sum_i a[i] * b[i], for vectors and matrices.
func.func @dot1(%a: memref<?xf64>, %b: memref<?xf64>, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f64) {
    %u = memref.load %a[%i] : memref<?xf64>
    %v = memref.load %b[%i] : memref<?xf64>
    %p = arith.mulf %u, %v : f64
    %s = arith.addf %acc, %p : f64
    scf.yield %s : f64
  }
  return %r : f64
}

func.func @dot2(%a: memref<?x?xf64>, %b: memref<?x?xf64>, %m: index, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %r = scf.for %i = %c0 to %m step %c1 iter_args(%acc = %zero) -> (f64) {
    %row = scf.for %j = %c0 to %n step %c1 iter_args(%racc = %acc) -> (f64) {
      %u = memref.load %a[%i, %j] : memref<?x?xf64>
      %v = memref.load %b[%i, %j] : memref<?x?xf64>
      %p = arith.mulf %u, %v : f64
      %s = arith.addf %racc, %p : f64
      scf.yield %s : f64
    }
    scf.yield %row : f64
  }
  return %r : f64
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = arith.constant 3 : index
  %n = arith.constant 4 : index
  %zero = arith.constant 0.0 : f64
  %W = memref.alloc(%m, %n) : memref<?x?xf64>
  %dW = memref.alloc(%m, %n) : memref<?x?xf64>
  %gW = memref.alloc(%m, %n) : memref<?x?xf64>
  %b = memref.alloc(%m) : memref<?xf64>
  %db = memref.alloc(%m) : memref<?xf64>
  %gb = memref.alloc(%m) : memref<?xf64>
  %t = memref.alloc(%m) : memref<?xf64>
  %x = memref.alloc(%n) : memref<?xf64>
  %dx = memref.alloc(%n) : memref<?xf64>
  %gx = memref.alloc(%n) : memref<?xf64>
  // Data, direction and zeroed gradient shadows.
  %k07 = arith.constant 0.7 : f64
  %k13 = arith.constant 1.3 : f64
  %k04 = arith.constant 0.4 : f64
  %k06 = arith.constant 0.6 : f64
  %k09 = arith.constant 0.9 : f64
  scf.for %i = %c0 to %m step %c1 {
    %ii = arith.index_cast %i : index to i64
    %fi = arith.sitofp %ii : i64 to f64
    scf.for %j = %c0 to %n step %c1 {
      %r = arith.muli %i, %n : index
      %q = arith.addi %r, %j : index
      %qi = arith.index_cast %q : index to i64
      %fq = arith.sitofp %qi : i64 to f64
      %w0 = math.sin %fq : f64
      %w = arith.mulf %w0, %k06 : f64
      memref.store %w, %W[%i, %j] : memref<?x?xf64>
      %a = arith.mulf %fq, %k07 : f64
      %d = math.cos %a : f64
      memref.store %d, %dW[%i, %j] : memref<?x?xf64>
      memref.store %zero, %gW[%i, %j] : memref<?x?xf64>
    }
    %bv = arith.mulf %fi, %k04 : f64
    %bi = arith.subf %bv, %k04 : f64
    memref.store %bi, %b[%i] : memref<?xf64>
    %a = arith.mulf %fi, %k13 : f64
    %dbi = math.sin %a : f64
    memref.store %dbi, %db[%i] : memref<?xf64>
    memref.store %zero, %gb[%i] : memref<?xf64>
    // Targets -0.9, 1.3, 0.9: the second misses by more than 1, the others
    // by less, so both Huber pieces are differentiated.
    %tv = arith.mulf %fi, %k09 : f64
    %ti = arith.subf %tv, %k09 : f64
    %last = arith.cmpi eq, %i, %c1 : index
    %tt = arith.select %last, %k13, %ti : f64
    memref.store %tt, %t[%i] : memref<?xf64>
  }
  scf.for %j = %c0 to %n step %c1 {
    %jj = arith.index_cast %j : index to i64
    %fj = arith.sitofp %jj : i64 to f64
    %xj = math.cos %fj : f64
    memref.store %xj, %x[%j] : memref<?xf64>
    %a = arith.mulf %fj, %k04 : f64
    %d = math.sin %a : f64
    memref.store %d, %dx[%j] : memref<?xf64>
    memref.store %zero, %gx[%j] : memref<?xf64>
  }

  // Reverse mode: the whole gradient.
  "fluxion.autodiff"(%W, %gW, %b, %gb, %x, %gx, %t, %m, %n) {callee = @loss, activity = ["dup", "dup", "dup", "const", "const", "const"]} : (memref<?x?xf64>, memref<?x?xf64>, memref<?xf64>, memref<?xf64>, memref<?xf64>, memref<?xf64>, memref<?xf64>, index, index) -> ()
  %g1 = call @dot2(%gW, %dW, %m, %n) : (memref<?x?xf64>, memref<?x?xf64>, index, index) -> f64
  %g2 = call @dot1(%gb, %db, %m) : (memref<?xf64>, memref<?xf64>, index) -> f64
  %g3 = call @dot1(%gx, %dx, %n) : (memref<?xf64>, memref<?xf64>, index) -> f64
  %g12 = arith.addf %g1, %g2 : f64
  %along = arith.addf %g12, %g3 : f64

  // Forward mode: the derivative along (dW, db, dx).
  %tangent = "fluxion.fwddiff"(%W, %dW, %b, %db, %x, %dx, %t, %m, %n) {callee = @loss, activity = ["dup", "dup", "dup", "const", "const", "const"]} : (memref<?x?xf64>, memref<?x?xf64>, memref<?xf64>, memref<?xf64>, memref<?xf64>, memref<?xf64>, memref<?xf64>, index, index) -> f64

  // Central difference along the same direction.
  %h = arith.constant 1.0e-6 : f64
  %mh = arith.constant -1.0e-6 : f64
  %Wp = memref.alloc(%m, %n) : memref<?x?xf64>
  %bp = memref.alloc(%m) : memref<?xf64>
  %xp = memref.alloc(%n) : memref<?xf64>
  call @axpy2(%Wp, %W, %dW, %h, %m, %n) : (memref<?x?xf64>, memref<?x?xf64>, memref<?x?xf64>, f64, index, index) -> ()
  call @axpy1(%bp, %b, %db, %h, %m) : (memref<?xf64>, memref<?xf64>, memref<?xf64>, f64, index) -> ()
  call @axpy1(%xp, %x, %dx, %h, %n) : (memref<?xf64>, memref<?xf64>, memref<?xf64>, f64, index) -> ()
  %lp = call @loss(%Wp, %bp, %xp, %t, %m, %n) : (memref<?x?xf64>, memref<?xf64>, memref<?xf64>, memref<?xf64>, index, index) -> f64
  call @axpy2(%Wp, %W, %dW, %mh, %m, %n) : (memref<?x?xf64>, memref<?x?xf64>, memref<?x?xf64>, f64, index, index) -> ()
  call @axpy1(%bp, %b, %db, %mh, %m) : (memref<?xf64>, memref<?xf64>, memref<?xf64>, f64, index) -> ()
  call @axpy1(%xp, %x, %dx, %mh, %n) : (memref<?xf64>, memref<?xf64>, memref<?xf64>, f64, index) -> ()
  %lm = call @loss(%Wp, %bp, %xp, %t, %m, %n) : (memref<?x?xf64>, memref<?xf64>, memref<?xf64>, memref<?xf64>, index, index) -> f64
  %diff = arith.subf %lp, %lm : f64
  %twoh = arith.constant 2.0e-6 : f64
  %fd = arith.divf %diff, %twoh : f64

  call @show(%along) : (f64) -> ()
  call @show(%tangent) : (f64) -> ()
  call @show(%fd) : (f64) -> ()
  call @agree(%along, %fd) : (f64, f64) -> ()
  call @agree(%tangent, %fd) : (f64, f64) -> ()
  return
}
