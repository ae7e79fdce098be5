/* Checks for the MPI integration programs: every rank runs the same
 * checks; a failure prints the rank; main returns report_all(), which is
 * non-zero on every rank when any rank failed. Tolerances are check.h's. */
#ifndef FLUXION_TEST_MPI_CHECK_H
#define FLUXION_TEST_MPI_CHECK_H

#include "../host/check.h"

#include <mpi.h>

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
extern int enzyme_dup, enzyme_const, enzyme_out;

static int mpi_rank(void) {
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

static int mpi_size(void) {
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

/* The central difference of the parallel objective f along global input g:
 * its owner, rank g / local, perturbs its entry g % local; every rank takes
 * part in the evaluations and gets the value. */
static double parallel_difference(double (*f)(const double *), double *x,
                                  int local, int g) {
  int mine = g / local == mpi_rank(), i = g % local;
  double h = 1e-6, keep = x[i], up, down, fd;
  if (mine)
    x[i] = keep + h;
  up = f(x);
  if (mine)
    x[i] = keep - h;
  down = f(x);
  x[i] = keep;
  fd = (up - down) / (2 * h);
  MPI_Bcast(&fd, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  return fd;
}

static int report_all(void) {
  int failed = check_failures_, any = 0;
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (mpi_rank() == 0)
    printf("%d ranks: %s\n", mpi_size(),
           any ? "some checks FAILED" : "all checks passed");
  MPI_Finalize();
  return any != 0;
}

#endif
