// 2D and 3D grids of 2D and 3D blocks: every thread records its indices,
// and the host checks that each (block, thread) pair appears exactly once
// with the right dimensions.
#include "check.cuh"
#include <vector>

struct Ids {
  unsigned Tid[3], Bid[3], BDim[3], GDim[3];
};

__global__ void record(Ids *Out) {
  unsigned Block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  unsigned Thread =
      threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  Ids &R = Out[Block * blockDim.x * blockDim.y * blockDim.z + Thread];
  R = {{threadIdx.x, threadIdx.y, threadIdx.z},
       {blockIdx.x, blockIdx.y, blockIdx.z},
       {blockDim.x, blockDim.y, blockDim.z},
       {gridDim.x, gridDim.y, gridDim.z}};
}

void test(dim3 Grid, dim3 Block) {
  size_t Threads = size_t(Block.x) * Block.y * Block.z;
  size_t N = size_t(Grid.x) * Grid.y * Grid.z * Threads;
  Ids *D;
  CUDA_CHECK(cudaMalloc(&D, N * sizeof(Ids)));
  CUDA_CHECK(cudaMemset(D, 0xff, N * sizeof(Ids)));
  record<<<Grid, Block>>>(D);
  LAUNCH_CHECK();
  std::vector<Ids> H(N);
  CUDA_CHECK(cudaMemcpy(H.data(), D, N * sizeof(Ids), cudaMemcpyDeviceToHost));
  size_t I = 0;
  for (unsigned BZ = 0; BZ < Grid.z; ++BZ)
    for (unsigned BY = 0; BY < Grid.y; ++BY)
      for (unsigned BX = 0; BX < Grid.x; ++BX)
        for (unsigned TZ = 0; TZ < Block.z; ++TZ)
          for (unsigned TY = 0; TY < Block.y; ++TY)
            for (unsigned TX = 0; TX < Block.x; ++TX, ++I) {
              const Ids &R = H[I];
              CHECK(R.Tid[0] == TX && R.Tid[1] == TY && R.Tid[2] == TZ);
              CHECK(R.Bid[0] == BX && R.Bid[1] == BY && R.Bid[2] == BZ);
              CHECK(R.BDim[0] == Block.x && R.BDim[1] == Block.y &&
                    R.BDim[2] == Block.z);
              CHECK(R.GDim[0] == Grid.x && R.GDim[1] == Grid.y &&
                    R.GDim[2] == Grid.z);
            }
  CUDA_CHECK(cudaFree(D));
}

int main() {
  test(dim3(5, 3), dim3(16, 8));
  test(dim3(3, 4, 5), dim3(4, 3, 2));
  test(dim3(2, 1, 3), dim3(8, 8, 16));
  test(dim3(70000, 2), dim3(1));
  return finish("grid3d");
}
