/* A 1-D heat equation split across ranks, each holding LOCAL cells and
 * exchanging one halo cell with each neighbour per step (MPI_Sendrecv,
 * and MPI_Send/MPI_Recv on alternate steps), with a reaction term; the
 * objective is the total energy sum(u^2) at the end, reduced with
 * MPI_Allreduce and counted once (on rank 0). The gradient with respect
 * to each rank's initial cells is compared with central differences of
 * the whole parallel program and with the gradient of the same
 * computation on one rank (gathered); the forward derivative along a
 * direction with the gradient's projection. */
#include "mpicheck.h"

#include <math.h>
#include <stdlib.h>

#define LOCAL 6
#define STEPS 12
#define NU 0.2

/* One explicit step on cells u[1..n] with halos u[0], u[n + 1]. */
static void step(double *u, double *next, int n) {
  for (int i = 1; i <= n; i++)
    next[i] = u[i] + NU * (u[i - 1] - 2 * u[i] + u[i + 1]) -
              0.05 * u[i] * u[i] * u[i];
  for (int i = 1; i <= n; i++)
    u[i] = next[i];
}

/* Fixed zero boundaries at both ends of the global rod. */
static void exchange(double *u, int n, int parity) {
  int rank = mpi_rank(), size = mpi_size();
  int left = rank > 0 ? rank - 1 : MPI_PROC_NULL;
  int right = rank + 1 < size ? rank + 1 : MPI_PROC_NULL;
  if (parity) {
    MPI_Sendrecv(&u[1], 1, MPI_DOUBLE, left, 0, &u[n + 1], 1, MPI_DOUBLE, right,
                 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Sendrecv(&u[n], 1, MPI_DOUBLE, right, 1, &u[0], 1, MPI_DOUBLE, left, 1,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return;
  }
  /* even ranks send first, odd ranks receive first */
  MPI_Status status;
  if (rank % 2 == 0) {
    if (right != MPI_PROC_NULL) {
      MPI_Send(&u[n], 1, MPI_DOUBLE, right, 2, MPI_COMM_WORLD);
      MPI_Recv(&u[n + 1], 1, MPI_DOUBLE, right, 3, MPI_COMM_WORLD, &status);
    }
    if (left != MPI_PROC_NULL) {
      MPI_Send(&u[1], 1, MPI_DOUBLE, left, 3, MPI_COMM_WORLD);
      MPI_Recv(&u[0], 1, MPI_DOUBLE, left, 2, MPI_COMM_WORLD, &status);
    }
  } else {
    if (left != MPI_PROC_NULL) {
      MPI_Recv(&u[0], 1, MPI_DOUBLE, left, 2, MPI_COMM_WORLD, &status);
      MPI_Send(&u[1], 1, MPI_DOUBLE, left, 3, MPI_COMM_WORLD);
    }
    if (right != MPI_PROC_NULL) {
      MPI_Recv(&u[n + 1], 1, MPI_DOUBLE, right, 3, MPI_COMM_WORLD, &status);
      MPI_Send(&u[n], 1, MPI_DOUBLE, right, 2, MPI_COMM_WORLD);
    }
  }
}

static double energy(const double *u0) {
  double u[LOCAL + 2] = {0}, next[LOCAL + 2];
  double local = 0, total = 0;
  for (int i = 0; i < LOCAL; i++)
    u[i + 1] = u0[i];
  for (int s = 0; s < STEPS; s++) {
    exchange(u, LOCAL, s % 2);
    step(u, next, LOCAL);
  }
  for (int i = 1; i <= LOCAL; i++)
    local += u[i] * u[i];
  MPI_Allreduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return mpi_rank() == 0 ? total : 0;
}

/* The same rod on one rank: n cells with zero boundaries. */
static double serial_energy(const double *u0, int n) {
  double *u = calloc(n + 2, sizeof *u), *next = calloc(n + 2, sizeof *next);
  double e = 0;
  for (int i = 0; i < n; i++)
    u[i + 1] = u0[i];
  for (int s = 0; s < STEPS; s++)
    step(u, next, n);
  for (int i = 1; i <= n; i++)
    e += u[i] * u[i];
  free(u);
  free(next);
  return e;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank = mpi_rank(), size = mpi_size(), n = LOCAL * size;
  double u0[LOCAL], du[LOCAL] = {0}, v[LOCAL];
  for (int i = 0; i < LOCAL; i++) {
    int g = rank * LOCAL + i;
    u0[i] = sin(0.4 * g) + 0.3;
    v[i] = cos(1.0 + g);
  }
  __enzyme_autodiff((void *)energy, enzyme_dup, u0, du);
  double tangent = __enzyme_fwddiff((void *)energy, enzyme_dup, u0, v);
  double total_tangent = 0;
  MPI_Allreduce(&tangent, &total_tangent, 1, MPI_DOUBLE, MPI_SUM,
                MPI_COMM_WORLD);

  /* central differences of the parallel program, one global cell at a
   * time: every rank takes part, the owner perturbs */
  double projected = 0;
  for (int g = 0; g < n; g++) {
    double fd = parallel_difference(energy, u0, LOCAL, g);
    int i = g % LOCAL;
    if (g / LOCAL == rank) {
      CHECK_DERIV(du[i], NAN, fd);
      projected += fd * v[i];
    }
  }
  double all_projected = 0;
  MPI_Allreduce(&projected, &all_projected, 1, MPI_DOUBLE, MPI_SUM,
                MPI_COMM_WORLD);
  CHECK_DERIV(total_tangent, NAN, all_projected);

  /* the same computation on one rank */
  double *all_u = malloc(sizeof *all_u * n),
         *all_du = malloc(sizeof *all_du * n);
  MPI_Gather(u0, LOCAL, MPI_DOUBLE, all_u, LOCAL, MPI_DOUBLE, 0,
             MPI_COMM_WORLD);
  MPI_Gather(du, LOCAL, MPI_DOUBLE, all_du, LOCAL, MPI_DOUBLE, 0,
             MPI_COMM_WORLD);
  if (rank == 0) {
    double *serial = calloc(n, sizeof *serial);
    __enzyme_autodiff((void *)serial_energy, enzyme_dup, all_u, serial,
                      enzyme_const, n);
    for (int g = 0; g < n; g++)
      CHECK_DERIV(all_du[g], serial[g], NAN);
    free(serial);
  }
  free(all_u);
  free(all_du);
  return report_all();
}
