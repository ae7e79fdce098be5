// OpenMP constructs whose thread assignment the derivative cannot replay
// are errors at the pragma, naming the construct; forward and reverse.
// RUN: %not %fluxion-clang -fopenmp -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
// RUN: %not %fluxion-clang -fopenmp -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

double tasks(const double *x, int n) {
  double s = 0;
#pragma omp parallel
  {
    // CHECK-DAG: openmp-unsupported.c:[[@LINE+1]]:1: error: fluxion: cannot differentiate 'omp single' ('__kmpc_single')
#pragma omp single
    {
      for (int i = 0; i < n; i++) {
        // CHECK-DAG: openmp-unsupported.c:[[@LINE+1]]:1: error: fluxion: cannot differentiate 'omp task' ('__kmpc_omp_task_alloc')
#pragma omp task shared(s)
        {
#pragma omp atomic
          s += x[i] * x[i];
        }
      }
    }
  }
  return s;
}

double masked(const double *x) {
  double s = 0;
#pragma omp parallel
  {
    // CHECK-DAG: openmp-unsupported.c:[[@LINE+1]]:1: error: fluxion: cannot differentiate 'omp master' ('__kmpc_master')
#pragma omp master
    s = x[0] * x[1];
  }
  return s;
}

void gradients(const double *x, double *dx, int n) {
  __enzyme_autodiff((void *)tasks, x, dx, n);
  __enzyme_fwddiff((void *)masked, x, dx);
}
