/* A ring pipeline with non-blocking messages: for ROUNDS rounds each rank
 * posts MPI_Irecv from its left neighbour and MPI_Isend of its state to its
 * right one, waits (MPI_Waitall on even rounds, MPI_Wait on each request
 * on odd ones) and mixes what arrived into its state. The objective sums
 * the final states' squares (counted on rank 0). Gradients are compared
 * with central differences of the parallel program and with the same ring
 * simulated on one rank; forward derivatives with the gradient's
 * projection. */
#include "mpicheck.h"

#include <math.h>
#include <stdlib.h>

#define WIDTH 3
#define ROUNDS 4

static void mix(double *state, const double *arrived, int round) {
  for (int k = 0; k < WIDTH; k++)
    state[k] = 0.6 * state[k] + 0.5 * sin(arrived[(k + round) % WIDTH]) +
               0.1 * state[k] * arrived[k];
}

static double ring(const double *x) {
  int rank = mpi_rank(), size = mpi_size();
  int left = (rank + size - 1) % size, right = (rank + 1) % size;
  double state[WIDTH], arrived[WIDTH], outgoing[WIDTH], local = 0, total = 0;
  for (int k = 0; k < WIDTH; k++)
    state[k] = x[k];
  for (int round = 0; round < ROUNDS; round++) {
    MPI_Request requests[2];
    for (int k = 0; k < WIDTH; k++)
      outgoing[k] = state[k];
    MPI_Irecv(arrived, WIDTH, MPI_DOUBLE, left, round, MPI_COMM_WORLD,
              &requests[0]);
    MPI_Isend(outgoing, WIDTH, MPI_DOUBLE, right, round, MPI_COMM_WORLD,
              &requests[1]);
    if (round % 2 == 0) {
      MPI_Waitall(2, requests, MPI_STATUSES_IGNORE);
    } else {
      MPI_Wait(&requests[1], MPI_STATUS_IGNORE);
      MPI_Wait(&requests[0], MPI_STATUS_IGNORE);
    }
    mix(state, arrived, round);
  }
  for (int k = 0; k < WIDTH; k++)
    local += state[k] * state[k];
  MPI_Allreduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return rank == 0 ? total : 0;
}

/* The ring on one rank: row r of states is rank r's. */
static int serial_ranks;

static double serial_ring(const double *x) {
  int size = serial_ranks;
  double *state = malloc(sizeof *state * size * WIDTH);
  double *sent = malloc(sizeof *sent * size * WIDTH);
  double total = 0;
  for (int k = 0; k < size * WIDTH; k++)
    state[k] = x[k];
  for (int round = 0; round < ROUNDS; round++) {
    for (int k = 0; k < size * WIDTH; k++)
      sent[k] = state[k];
    for (int r = 0; r < size; r++)
      mix(&state[r * WIDTH], &sent[((r + size - 1) % size) * WIDTH], round);
  }
  for (int k = 0; k < size * WIDTH; k++)
    total += state[k] * state[k];
  free(state);
  free(sent);
  return total;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank = mpi_rank(), size = mpi_size(), n = WIDTH * size;
  double x[WIDTH], dx[WIDTH] = {0}, v[WIDTH];
  for (int k = 0; k < WIDTH; k++) {
    int g = rank * WIDTH + k;
    x[k] = 0.4 + 0.2 * cos(1.3 * g);
    v[k] = sin(0.7 * g + 0.1);
  }
  __enzyme_autodiff((void *)ring, enzyme_dup, x, dx);
  double tangent = __enzyme_fwddiff((void *)ring, enzyme_dup, x, v);

  double *all = malloc(sizeof *all * n), *grad = calloc(n, sizeof *grad);
  MPI_Allgather(x, WIDTH, MPI_DOUBLE, all, WIDTH, MPI_DOUBLE, MPI_COMM_WORLD);
  serial_ranks = size;
  __enzyme_autodiff((void *)serial_ring, enzyme_dup, all, grad);

  double projected = 0, all_projected = 0, all_tangent = 0;
  for (int g = 0; g < n; g++) {
    double fd = parallel_difference(ring, x, WIDTH, g);
    int k = g % WIDTH;
    if (g / WIDTH == rank) {
      CHECK_DERIV(dx[k], NAN, fd);
      CHECK_CLOSE(dx[k], grad[g], TOL_CLOSED_R * 1e3, TOL_CLOSED_A);
      projected += fd * v[k];
    }
  }
  MPI_Allreduce(&projected, &all_projected, 1, MPI_DOUBLE, MPI_SUM,
                MPI_COMM_WORLD);
  MPI_Allreduce(&tangent, &all_tangent, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  CHECK_DERIV(all_tangent, NAN, all_projected);
  free(all);
  free(grad);
  return report_all();
}
