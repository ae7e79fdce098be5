// The stencil of examples/mlir/stencil.mlir (scf.parallel, a local buffer,
// a sum reduction) differentiated three ways prints the same numbers to the
// six digits each prints: natively in MLIR, through the bridge (the LLVM
// plugin differentiates the lowered module), and written in C for the
// plugin (Inputs/stencil.c).
// REQUIRES: mlir
// RUN: %fluxion-clang -O2 %S/Inputs/stencil.c -o %t.c.exe -lm
// RUN: %t.c.exe > %t.c.txt
// RUN: %fluxion-opt --fluxion-differentiate %lower-to-llvm %S/../../../examples/mlir/stencil.mlir | %mlir-runner > %t.native.txt
// RUN: diff %t.c.txt %t.native.txt
// RUN: %fluxion-opt %bridge-to-llvm %S/../../../examples/mlir/stencil.mlir > %t.bridged.mlir
// RUN: %mlir-translate --mlir-to-llvmir %t.bridged.mlir -o %t.bridged.ll
// RUN: %fluxion-clang -O2 -Wno-override-module %t.bridged.ll -o %t.bridged.exe %mlir-runtime-lib -lm
// The program's main returns nothing, so its exit status is whatever was
// left in the register; an abort (cf.assert) is a signal.
// RUN: %t.bridged.exe > %t.bridged.txt || test $? -lt 128
// RUN: diff %t.c.txt %t.bridged.txt
