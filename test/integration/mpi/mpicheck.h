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
