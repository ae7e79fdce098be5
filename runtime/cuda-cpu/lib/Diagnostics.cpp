//===- Diagnostics.cpp - Fatal errors of the CPU executor -----------------===//

#include "Diagnostics.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace fluxion::cudacpu {

void fatal(const char *Format, ...) {
  fflush(stdout);
  va_list Args;
  va_start(Args, Format);
  fputs("fluxion-cuda-cpu: error: ", stderr);
  vfprintf(stderr, Format, Args);
  fputc('\n', stderr);
  va_end(Args);
  abort();
}

void unsupported(const char *What) {
  fatal("%s are not supported by the CPU executor", What);
}

} // namespace fluxion::cudacpu
