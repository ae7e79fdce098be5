//===- MPI.h - Derivatives of MPI communication -----------------*- C++ -*-===//
//
// The derivative rules of MPI's point-to-point and collective operations are
// custom rules written in C (runtime/mpi/MPIRules.c) against the MPI the
// build found. The engine carries them as bitcode and links those a module
// needs when its differentiated code calls MPI, so MPI programs compile
// without any change or extra header.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_MPI_H
#define FLUXION_MPI_H

namespace llvm {
class Function;
class Module;
} // namespace llvm

namespace fluxion {

/// Links the MPI rules of the functions \p M calls into \p M (their
/// registrations are read with the user's). Returns whether it changed
/// \p M.
bool linkMPIRules(llvm::Module &M);

/// Whether \p F is a function of the MPI library.
bool isMPIFunction(const llvm::Function &F);

} // namespace fluxion

#endif
