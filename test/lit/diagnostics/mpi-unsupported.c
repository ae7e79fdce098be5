// MPI functions without derivative rules are errors in differentiated code,
// even when their own arguments are inactive: the other ranks' adjoint
// messages would go unmatched. Declared here without mpi.h.
// RUN: %not %fluxion-clang -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
// RUN: %not %fluxion-clang -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
double __enzyme_autodiff(void *, ...);
extern int enzyme_dup, enzyme_const;
typedef struct window *MPI_Win;
typedef struct request *MPI_Request;
int MPI_Win_fence(int assert, MPI_Win win);
int MPI_Waitany(int count, MPI_Request *requests, int *index, void *status);

double one_sided(double *x, MPI_Win win) {
  // CHECK-DAG: mpi-unsupported.c:[[@LINE+1]]:3: error: fluxion: cannot differentiate 'MPI_Win_fence': the MPI functions with derivatives are Send, Recv, Sendrecv, Isend, Irecv, Wait, Waitall, Bcast, Reduce, Allreduce, Gather, Scatter, Allgather and Barrier
  MPI_Win_fence(0, win);
  return x[0] * x[0];
}

double any_request(double *x, MPI_Request *requests) {
  int index;
  // CHECK-DAG: mpi-unsupported.c:[[@LINE+1]]:3: error: fluxion: cannot differentiate 'MPI_Waitany'
  MPI_Waitany(2, requests, &index, 0);
  return x[index] * x[0];
}

void gradients(double *x, double *dx, MPI_Win win, MPI_Request *requests) {
  __enzyme_autodiff((void *)one_sided, enzyme_dup, x, dx, enzyme_const, win);
  __enzyme_autodiff((void *)any_request, enzyme_dup, x, dx, enzyme_const,
                    requests);
}
