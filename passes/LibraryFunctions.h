//===- LibraryFunctions.h - C library functions by what they are -*- C++
//-*-===//
//
// Calls of the C and C++ runtime libraries (malloc, printf, strlen, operator
// new, ...) are recognized with LLVM's TargetLibraryInfo, which also checks
// that a declaration has the library's prototype, rather than by name.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_LIBRARYFUNCTIONS_H
#define FLUXION_LIBRARYFUNCTIONS_H

#include "llvm/Analysis/TargetLibraryInfo.h"

#include <optional>

namespace fluxion {

/// The library function \p F is for its module's target, if it is one.
std::optional<llvm::LibFunc> libraryFunction(const llvm::Function &F);

} // namespace fluxion

#endif
