// A helper that doubles a double by adding one to its exponent field.
static inline double bit_double(double x) {
  union { double d; unsigned long long u; } v = {x};
  v.u += 1ull << 52;
  return v.d;
}
