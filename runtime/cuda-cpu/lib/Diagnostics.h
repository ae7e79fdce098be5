//===- Diagnostics.h - Fatal errors of the CPU executor -------------------===//
//
// A CUDA program that does something the executor cannot reproduce stops
// with a message naming it, rather than continuing with a wrong result.
//
//===----------------------------------------------------------------------===//

#ifndef FLUXION_CUDA_CPU_DIAGNOSTICS_H
#define FLUXION_CUDA_CPU_DIAGNOSTICS_H

namespace fluxion::cudacpu {

[[noreturn]] void fatal(const char *Format, ...)
    __attribute__((format(printf, 1, 2)));

/// Stops the program because it called a CUDA API the executor lacks.
[[noreturn]] void unsupported(const char *What);

} // namespace fluxion::cudacpu

#endif // FLUXION_CUDA_CPU_DIAGNOSTICS_H
