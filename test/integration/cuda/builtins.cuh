// The AD builtins and markers as the CUDA derivative tests declare them in
// device code: the double spelling, a float spelling of the same builtin,
// and the markers.
#ifndef FLUXION_TEST_CUDA_BUILTINS_CUH
#define FLUXION_TEST_CUDA_BUILTINS_CUH

extern "C" __device__ double __enzyme_autodiff(void *, ...);
extern "C" __device__ double __enzyme_fwddiff(void *, ...);
extern "C" __device__ float
__enzyme_autodiff_f(void *, ...) __asm__("__enzyme_autodiff");
extern "C" __device__ float __enzyme_fwddiff_f(void *,
                                               ...) __asm__("__enzyme_fwddiff");
extern "C" __device__ int enzyme_const;
extern "C" __device__ int enzyme_dup;
extern "C" __device__ int enzyme_width;

#endif
