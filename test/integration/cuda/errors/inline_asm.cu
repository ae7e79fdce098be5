// Inline PTX the executor does not know is a build error naming the kernel.
__global__ void k(int *Out) {
  int V;
  asm("mov.u32 %0, %%smid;" : "=r"(V));
  *Out = V;
}
int main() { k<<<1, 1>>>(nullptr); }
