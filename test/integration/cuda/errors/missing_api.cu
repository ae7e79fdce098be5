// A CUDA runtime function the executor does not provide is a link error
// naming it.
int main() {
  cudaGraph_t Graph;
  return cudaGraphCreate(&Graph, 0);
}
