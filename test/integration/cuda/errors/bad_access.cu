// An invalid access in a kernel names the kernel, block and thread.
__global__ void k(int *Out) {
  if (blockIdx.x == 1 && threadIdx.x == 3)
    Out[threadIdx.x] = 1;
}
int main() {
  k<<<2, 8>>>(nullptr);
  return cudaDeviceSynchronize();
}
