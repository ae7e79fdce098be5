// Lane 0 waits at a warp barrier for lanes that wait at a block barrier:
// the executor reports the deadlock instead of hanging.
__global__ void k() {
  if (threadIdx.x == 0)
    __syncwarp();
  else
    __syncthreads();
}
int main() {
  k<<<1, 64>>>();
  return cudaDeviceSynchronize();
}
