//===- ThreadPool.h - The runtime's worker threads --------------*- C++ -*-===//
//
// A fixed set of std::thread workers that run one parallel loop at a time.
// Work is handed out index by index from an atomic counter: the loops the
// runtime runs (samples of a batch, Hessian columns) have similar cost per
// index and are few enough that a shared counter is not contended.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_RT_THREADPOOL_H
#define FLUXION_RT_THREADPOOL_H

#include <cstddef>
#include <functional>

namespace fluxion::rt {

// Runs body(i) for every i < count on the pool (the caller included).
void parallelFor(size_t count, const std::function<void(size_t)> &body);

} // namespace fluxion::rt

#endif
