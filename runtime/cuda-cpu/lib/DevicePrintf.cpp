//===- DevicePrintf.cpp - printf from device code -------------------------===//
//
// Clang lowers device printf to vprintf(format, buffer) where the buffer
// holds the arguments after default promotions, each at its natural
// alignment. This walks the format string to find each argument's size and
// formats it with the host snprintf; the whole line is written at once so that
// threads on different OS threads do not interleave inside one call.
//
//===----------------------------------------------------------------------===//

#include "../DeviceAbi.h"

#include <cstdio>
#include <cstring>
#include <string>

namespace {

class ArgReader {
public:
  explicit ArgReader(const void *Buffer)
      : Buffer(static_cast<const char *>(Buffer)) {}

  template <typename T> T next() {
    Offset = (Offset + sizeof(T) - 1) / sizeof(T) * sizeof(T);
    T V;
    memcpy(&V, Buffer + Offset, sizeof(T));
    Offset += sizeof(T);
    return V;
  }

private:
  const char *Buffer;
  size_t Offset = 0;
};

template <typename T>
void append(std::string &Out, const std::string &Spec, T Value) {
  char Small[128];
  int N = snprintf(Small, sizeof Small, Spec.c_str(), Value);
  if (N < 0)
    return;
  if (static_cast<size_t>(N) < sizeof Small) {
    Out.append(Small, N);
    return;
  }
  std::string Big(N + 1, '\0');
  snprintf(Big.data(), Big.size(), Spec.c_str(), Value);
  Out.append(Big.data(), N);
}

} // namespace

extern "C" int32_t __fxcpu_vprintf(const char *Format, const void *Args) {
  if (!Format)
    return -1;
  ArgReader Reader(Args);
  std::string Out;
  for (const char *P = Format; *P;) {
    if (*P != '%') {
      Out += *P++;
      continue;
    }
    if (P[1] == '%') {
      Out += '%';
      P += 2;
      continue;
    }
    // %[flags][width][.precision][length]conversion; '*' takes an int.
    const char *Start = P++;
    std::string Spec;
    P += strspn(P, "-+ #0");
    bool Stars = false;
    for (; *P && strchr("0123456789.*", *P); ++P)
      Stars |= *P == '*';
    if (Stars) {
      Out += "<unsupported * in device printf>";
      break;
    }
    int Long = 0;
    for (; *P && strchr("hlLjzt", *P); ++P)
      Long += (*P == 'l' || *P == 'j' || *P == 'z' || *P == 't') ? 1 : 0;
    char Conv = *P;
    if (!Conv)
      break;
    ++P;
    Spec.assign(Start, P);
    switch (Conv) {
    case 'd':
    case 'i':
    case 'u':
    case 'o':
    case 'x':
    case 'X':
    case 'c':
      if (Long)
        append(Out, Spec, Reader.next<long long>());
      else
        append(Out, Spec, Reader.next<int>());
      break;
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
    case 'a':
    case 'A':
      append(Out, Spec, Reader.next<double>());
      break;
    case 's': {
      const char *S = Reader.next<const char *>();
      append(Out, Spec, S ? S : "(null)");
      break;
    }
    case 'p':
      append(Out, Spec, Reader.next<const void *>());
      break;
    default:
      Out.append(Start, P);
      break;
    }
  }
  fwrite(Out.data(), 1, Out.size(), stdout);
  return static_cast<int32_t>(Out.size());
}
