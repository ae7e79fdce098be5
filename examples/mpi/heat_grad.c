/* Gradient of a distributed simulation with MPI.
 *
 * A 1-D rod of 64 * ranks cells, split evenly across ranks, diffuses heat
 * for 200 explicit steps; neighbouring ranks exchange one halo cell per
 * step with MPI_Sendrecv, and the misfit between the final temperatures and
 * a target profile is summed with MPI_Allreduce. One call of
 * __enzyme_autodiff on every rank gives each rank the gradient of the
 * misfit with respect to its own initial cells: the reverse sweep sends
 * adjoints back along the halos. The example fits the initial temperature
 * with a few steps of gradient descent and checks one gradient entry per
 * rank against a central difference of the parallel program.
 *
 *   fluxion-clang -O2 heat_grad.c -o heat_grad $(mpicc --showme:compile) \
 *       $(mpicc --showme:link) -lm
 *   mpirun -np 4 ./heat_grad
 */
#include <math.h>
#include <mpi.h>
#include <stdio.h>

double __enzyme_autodiff(void *, ...);
extern int enzyme_dup;

enum { Cells = 64, Steps = 200 };
static const double Diffusion = 0.25;

static int rank, ranks;

/* Half the squared distance of the final profile from the target, counted
 * on rank 0. */
static double misfit(const double *initial) {
  double u[Cells + 2] = {0}, next[Cells + 2];
  int left = rank > 0 ? rank - 1 : MPI_PROC_NULL;
  int right = rank + 1 < ranks ? rank + 1 : MPI_PROC_NULL;
  for (int i = 0; i < Cells; i++)
    u[i + 1] = initial[i];
  for (int s = 0; s < Steps; s++) {
    MPI_Sendrecv(&u[1], 1, MPI_DOUBLE, left, 0, &u[Cells + 1], 1, MPI_DOUBLE,
                 right, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Sendrecv(&u[Cells], 1, MPI_DOUBLE, right, 1, &u[0], 1, MPI_DOUBLE, left,
                 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    for (int i = 1; i <= Cells; i++)
      next[i] = u[i] + Diffusion * (u[i - 1] - 2 * u[i] + u[i + 1]);
    for (int i = 1; i <= Cells; i++)
      u[i] = next[i];
  }
  double local = 0, total = 0;
  for (int i = 1; i <= Cells; i++) {
    double x = (rank * Cells + i - 0.5) / (Cells * ranks);
    double gap = u[i] - 0.5 * sin(M_PI * x);
    local += 0.5 * gap * gap;
  }
  MPI_Allreduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return rank == 0 ? total : 0;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  double initial[Cells], gradient[Cells];
  for (int i = 0; i < Cells; i++)
    initial[i] = 1.0;

  double first = 0;
  for (int iteration = 0; iteration < 20; iteration++) {
    for (int i = 0; i < Cells; i++)
      gradient[i] = 0;
    __enzyme_autodiff((void *)misfit, enzyme_dup, initial, gradient);
    double value = misfit(initial);
    MPI_Bcast(&value, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (iteration == 0)
      first = value;
    if (rank == 0 && iteration % 5 == 0)
      printf("iteration %2d: misfit %.6f\n", iteration, value);
    for (int i = 0; i < Cells; i++)
      initial[i] -= 2.0 * gradient[i];
  }

  /* One entry per rank against a central difference of the whole program
   * (every rank takes part in each evaluation). */
  for (int i = 0; i < Cells; i++)
    gradient[i] = 0;
  __enzyme_autodiff((void *)misfit, enzyme_dup, initial, gradient);
  int failed = 0;
  for (int owner = 0; owner < ranks; owner++) {
    int cell = (7 * owner + 3) % Cells;
    double keep = initial[cell], h = 1e-6, up, down;
    if (rank == owner)
      initial[cell] = keep + h;
    up = misfit(initial);
    if (rank == owner)
      initial[cell] = keep - h;
    down = misfit(initial);
    if (rank == owner)
      initial[cell] = keep;
    double fd = (up - down) / (2 * h);
    MPI_Bcast(&fd, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (rank == owner && fabs(gradient[cell] - fd) > 1e-6 * (1 + fabs(fd))) {
      printf("rank %d: gradient %.10g, central difference %.10g\n", rank,
             gradient[cell], fd);
      failed = 1;
    }
  }
  double last = misfit(initial);
  MPI_Bcast(&last, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  int any = 0;
  failed |= !(last < first);
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (rank == 0)
    printf("%d ranks: misfit %.6f -> %.6f, gradient %s\n", ranks, first, last,
           any ? "WRONG" : "matches central differences");
  MPI_Finalize();
  return any;
}
