// Malformed __enzyme_function_like and __enzyme_allocation_like globals are
// errors naming the global, reported once each (the registrations are read
// at the start of the pipeline and again by Fluxion).
// RUN: %not %fluxion-clang -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s --implicit-check-not=error:
// RUN: %not %fluxion-clang -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s --implicit-check-not=error:
double __enzyme_autodiff(void *, ...);
double like(double x) { return x; }
void *allocate(long bytes, void *pool);
void release(void *pool, void *p);
int not_a_pointer(long bytes);

// CHECK: error: fluxion: __enzyme_function_like: 'log1q' has no derivative rule
void *__enzyme_function_like[2] = {(void *)like, (void *)"log1q"};
// CHECK: error: fluxion: __enzyme_function_like_number: expected {function, "name of a math function"}
void *__enzyme_function_like_number[2] = {(void *)like, (void *)3};

// CHECK: error: fluxion: __enzyme_allocation_like: expected {allocator, index of the size parameter, "deallocator arguments", deallocator}
void *__enzyme_allocation_like[3] = {(void *)allocate, (void *)0,
                                     (void *)"1,-1"};
// CHECK: error: fluxion: __enzyme_allocation_like_result: 'not_a_pointer' does not return a pointer
void *__enzyme_allocation_like_result[4] = {(void *)not_a_pointer, (void *)0,
                                            (void *)"-1", (void *)release};
// CHECK: error: fluxion: __enzyme_allocation_like_size: the size index must name an integer parameter of 'allocate'
void *__enzyme_allocation_like_size[4] = {(void *)allocate, (void *)1,
                                          (void *)"1,-1", (void *)release};
// CHECK: error: fluxion: __enzyme_allocation_like_indices: the deallocator arguments must be a string of 2 comma-separated indices of parameters of 'allocate', -1 for the allocated pointer
void *__enzyme_allocation_like_indices[4] = {(void *)allocate, (void *)0,
                                             (void *)"1", (void *)release};
// CHECK: error: fluxion: __enzyme_allocation_like_types: parameter 1 of 'release' does not have the type of parameter 1 of 'allocate'
void *__enzyme_allocation_like_types[4] = {(void *)allocate, (void *)0,
                                           (void *)"0,-1", (void *)release};

double f(double x) { return like(x); }
double grad(double x) { return __enzyme_autodiff((void *)f, x); }
