/* Per-thread accumulation of the adjoints a thread of an OpenMP parallel
 * region adds to memory other threads reach (passes/OpenMP.h). The build
 * compiles this file to bitcode that the engine carries and links into
 * modules whose reverse-mode code calls it.
 *
 * A window is a buffer over a range of addresses of one element type,
 * placed at the first address added to and grown (doubled, toward the new
 * address) as later ones fall outside. Adds land in the buffer; a flush
 * adds the range touched since the last flush to memory atomically and
 * clears it. A thread whose reads of shared data are many then contends
 * once per flush instead of once per read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char *base;        /* the address buffer[0] stands for */
  uint64_t capacity; /* bytes */
  char *buffer;
  /* byte offsets touched since the last flush; none while low > high */
  uint64_t dirty_low, dirty_high;
} Window;

enum { FirstElements = 256 };

#define WINDOW_FUNCTIONS(T, suffix)                                            \
  static void grow_##suffix(Window *w, char *address) {                        \
    uint64_t capacity =                                                        \
        w->capacity ? 2 * w->capacity : FirstElements * sizeof(T);             \
    char *base = address - capacity / 2;                                       \
    if (w->capacity) {                                                         \
      char *low = address < w->base ? address : w->base;                       \
      char *high = address + sizeof(T) > w->base + w->capacity                 \
                       ? address + sizeof(T)                                   \
                       : w->base + w->capacity;                                \
      while (capacity < (uint64_t)(high - low))                                \
        capacity *= 2;                                                         \
      /* grow toward the new address, keeping the old range */                 \
      base = address < w->base ? w->base + w->capacity - capacity : w->base;   \
    }                                                                          \
    char *buffer = calloc(capacity, 1);                                        \
    if (!buffer)                                                               \
      return;                                                                  \
    if (w->capacity) {                                                         \
      uint64_t shift = (uint64_t)(w->base - base);                             \
      memcpy(buffer + shift, w->buffer, w->capacity);                          \
      if (w->dirty_low <= w->dirty_high) {                                     \
        w->dirty_low += shift;                                                 \
        w->dirty_high += shift;                                                \
      }                                                                        \
      free(w->buffer);                                                         \
    }                                                                          \
    w->base = base;                                                            \
    w->capacity = capacity;                                                    \
    w->buffer = buffer;                                                        \
  }                                                                            \
                                                                               \
  /* Out of range or out of step with the window: grow it, or add to memory    \
   * directly when that is not possible. */                                    \
  __attribute__((noinline)) static void miss_##suffix(                         \
      Window *w, char *address, T value) {                                     \
    uint64_t offset = (uint64_t)(address - w->base);                           \
    if (w->capacity && offset % sizeof(T) != 0) {                              \
      __atomic_fetch_add((T *)address, value, __ATOMIC_RELAXED);               \
      return;                                                                  \
    }                                                                          \
    grow_##suffix(w, address);                                                 \
    offset = (uint64_t)(address - w->base);                                    \
    if (!w->buffer || offset >= w->capacity) {                                 \
      __atomic_fetch_add((T *)address, value, __ATOMIC_RELAXED);               \
      return;                                                                  \
    }                                                                          \
    *(T *)(w->buffer + offset) += value;                                       \
    w->dirty_low = offset < w->dirty_low ? offset : w->dirty_low;              \
    w->dirty_high = offset > w->dirty_high ? offset : w->dirty_high;           \
  }                                                                            \
                                                                               \
  __attribute__((noinline)) static void flush_##suffix(Window *w) {            \
    for (uint64_t offset = w->dirty_low; offset <= w->dirty_high;              \
         offset += sizeof(T)) {                                                \
      T *pending = (T *)(w->buffer + offset);                                  \
      if (*pending != 0) {                                                     \
        __atomic_fetch_add((T *)(w->base + offset), *pending,                  \
                           __ATOMIC_RELAXED);                                  \
        *pending = 0;                                                          \
      }                                                                        \
    }                                                                          \
    w->dirty_low = UINT64_MAX;                                                 \
    w->dirty_high = 0;                                                         \
  }                                                                            \
                                                                               \
  /* The entry points work on the caller's window through copies, so that      \
   * it never escapes and its fields stay in registers in the caller's         \
   * loops; only the rare paths (a miss, a non-empty flush) call out. */       \
  __attribute__((always_inline)) void __fluxion_window_add_##suffix(           \
      Window *w, char *address, T value) {                                     \
    uint64_t offset = (uint64_t)(address - w->base);                           \
    if (offset >= w->capacity || offset % sizeof(T) != 0) {                    \
      Window copy = *w;                                                        \
      miss_##suffix(&copy, address, value);                                    \
      *w = copy;                                                               \
      return;                                                                  \
    }                                                                          \
    *(T *)(w->buffer + offset) += value;                                       \
    w->dirty_low = offset < w->dirty_low ? offset : w->dirty_low;              \
    w->dirty_high = offset > w->dirty_high ? offset : w->dirty_high;           \
  }                                                                            \
                                                                               \
  __attribute__((always_inline)) void __fluxion_window_flush_##suffix(         \
      Window *w) {                                                             \
    if (w->dirty_low > w->dirty_high)                                          \
      return;                                                                  \
    Window copy = *w;                                                          \
    flush_##suffix(&copy);                                                     \
    *w = copy;                                                                 \
  }                                                                            \
                                                                               \
  __attribute__((always_inline)) void __fluxion_window_release_##suffix(       \
      Window *w) {                                                             \
    __fluxion_window_flush_##suffix(w);                                        \
    free(w->buffer);                                                           \
  }

WINDOW_FUNCTIONS(double, f64)
WINDOW_FUNCTIONS(float, f32)
