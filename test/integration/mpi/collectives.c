/* Collectives under differentiation: a distributed dot product and norm
 * (MPI_Allreduce with MPI_SUM, in place and not), a max norm (MPI_MAX:
 * the adjoint goes to the rank holding the maximum), a weighted sum
 * reduced to a root and broadcast back (MPI_Reduce, MPI_Bcast), and a
 * pipeline through MPI_Gather, MPI_Scatter and MPI_Allgather (also with
 * MPI_IN_PLACE), minima (MPI_MIN, reduced to the root and to every rank),
 * and MPI_FLOAT buffers against closed forms. Each
 * objective's value counts once (on rank 0). Gradients are compared with
 * central differences of the parallel program and with the gradient of the
 * same computation on one rank; forward derivatives with the gradient's
 * projection. */
#include "mpicheck.h"

#include <math.h>
#include <stdlib.h>

#define LOCAL 5

static double once(double value) { return mpi_rank() == 0 ? value : 0; }

static double dot_norm(const double *x) {
  double dot = 0, sq = 0, both[2];
  for (int i = 0; i < LOCAL; i++) {
    dot += x[i] * (i + 1);
    sq += x[i] * x[i];
  }
  both[0] = dot;
  both[1] = sq;
  MPI_Allreduce(MPI_IN_PLACE, both, 2, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  double norm = 0;
  MPI_Allreduce(&sq, &norm, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return once(both[0] * sqrt(norm) + both[1]);
}

static double max_norm(const double *x) {
  double local = 0, top = 0;
  for (int i = 0; i < LOCAL; i++)
    local = fmax(local, fabs(x[i]) * (1 + 0.1 * i));
  MPI_Allreduce(&local, &top, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return once(top * top);
}

static double reduce_bcast(const double *x) {
  double part[2] = {0, 0}, sum[2] = {0, 0}, result = 0;
  for (int i = 0; i < LOCAL; i++) {
    part[0] += sin(x[i]);
    part[1] += x[i] * x[i] * x[i];
  }
  MPI_Reduce(part, sum, 2, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (mpi_rank() == 0)
    sum[0] = sum[0] * sum[1];
  MPI_Bcast(sum, 2, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  for (int i = 0; i < LOCAL; i++)
    result += sum[0] * x[i];
  MPI_Allreduce(MPI_IN_PLACE, &result, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return once(result);
}

/* Rank 0 gathers every rank's squares, scales each piece by its position,
 * scatters them back; every rank then sees all pieces through an
 * allgather and weighs them. */
static double gather_scatter(const double *x) {
  int size = mpi_size();
  double squares[LOCAL], back[LOCAL], mine = 0, total = 0;
  double *all = malloc(sizeof *all * LOCAL * size);
  double *everyone = malloc(sizeof *everyone * size);
  for (int i = 0; i < LOCAL; i++)
    squares[i] = x[i] * x[i];
  MPI_Gather(squares, LOCAL, MPI_DOUBLE, all, LOCAL, MPI_DOUBLE, 0,
             MPI_COMM_WORLD);
  if (mpi_rank() == 0)
    for (int k = 0; k < LOCAL * size; k++)
      all[k] *= 1 + 0.01 * k;
  MPI_Scatter(all, LOCAL, MPI_DOUBLE, back, LOCAL, MPI_DOUBLE, 0,
              MPI_COMM_WORLD);
  for (int i = 0; i < LOCAL; i++)
    mine += back[i] * x[i];
  MPI_Allgather(&mine, 1, MPI_DOUBLE, everyone, 1, MPI_DOUBLE, MPI_COMM_WORLD);
  for (int r = 0; r < size; r++)
    total += everyone[r] * everyone[r] * (r + 1);
  free(all);
  free(everyone);
  return once(total);
}

/* The same pipeline with every buffer the root (or, for the allgather,
 * each rank) already holds passed in place: MPI_IN_PLACE as the root's
 * send buffer of the gather and receive buffer of the scatter, and as
 * every rank's send buffer of the allgather. */
static double gather_scatter_in_place(const double *x) {
  int size = mpi_size(), rank = mpi_rank();
  double back[LOCAL], mine = 0, total = 0;
  double *all = malloc(sizeof *all * LOCAL * size);
  double *everyone = malloc(sizeof *everyone * size);
  if (rank == 0) {
    for (int i = 0; i < LOCAL; i++)
      all[i] = x[i] * x[i];
    MPI_Gather(MPI_IN_PLACE, LOCAL, MPI_DOUBLE, all, LOCAL, MPI_DOUBLE, 0,
               MPI_COMM_WORLD);
    for (int k = 0; k < LOCAL * size; k++)
      all[k] *= 1 + 0.01 * k;
    MPI_Scatter(all, LOCAL, MPI_DOUBLE, MPI_IN_PLACE, LOCAL, MPI_DOUBLE, 0,
                MPI_COMM_WORLD);
    for (int i = 0; i < LOCAL; i++)
      back[i] = all[i];
  } else {
    double squares[LOCAL];
    for (int i = 0; i < LOCAL; i++)
      squares[i] = x[i] * x[i];
    MPI_Gather(squares, LOCAL, MPI_DOUBLE, NULL, 0, MPI_DOUBLE, 0,
               MPI_COMM_WORLD);
    MPI_Scatter(NULL, 0, MPI_DOUBLE, back, LOCAL, MPI_DOUBLE, 0,
                MPI_COMM_WORLD);
  }
  for (int i = 0; i < LOCAL; i++)
    mine += back[i] * x[i];
  everyone[rank] = mine;
  MPI_Allgather(MPI_IN_PLACE, 1, MPI_DOUBLE, everyone, 1, MPI_DOUBLE,
                MPI_COMM_WORLD);
  for (int r = 0; r < size; r++)
    total += everyone[r] * everyone[r] * (r + 1);
  free(all);
  free(everyone);
  return once(total);
}

/* Minima (MPI_MIN): one reduced to the root, one to every rank; the
 * adjoint goes to the rank holding the minimum. */
static double min_norms(const double *x) {
  double local = x[0], sq = 0, at_root = 0, everywhere = 0;
  for (int i = 0; i < LOCAL; i++) {
    local = fmin(local, x[i] * (1 + 0.1 * i));
    sq += x[i] * x[i];
  }
  MPI_Reduce(&local, &at_root, 1, MPI_DOUBLE, MPI_MIN, 0, MPI_COMM_WORLD);
  MPI_Allreduce(&local, &everywhere, 1, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(MPI_IN_PLACE, &sq, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return once(at_root * at_root + everywhere * sq);
}

/* The same computations on one rank over all n = LOCAL * size values. */
static int serial_size;

static double serial_dot_norm(const double *x) {
  double dot = 0, sq = 0;
  for (int g = 0; g < serial_size; g++) {
    dot += x[g] * (g % LOCAL + 1);
    sq += x[g] * x[g];
  }
  return dot * sqrt(sq) + sq;
}

static double serial_max_norm(const double *x) {
  double top = 0;
  for (int g = 0; g < serial_size; g++)
    top = fmax(top, fabs(x[g]) * (1 + 0.1 * (g % LOCAL)));
  return top * top;
}

static double serial_reduce_bcast(const double *x) {
  double s0 = 0, s1 = 0, result = 0;
  for (int g = 0; g < serial_size; g++) {
    s0 += sin(x[g]);
    s1 += x[g] * x[g] * x[g];
  }
  for (int g = 0; g < serial_size; g++)
    result += s0 * s1 * x[g];
  return result;
}

static double serial_gather_scatter(const double *x) {
  double total = 0;
  for (int r = 0; r < serial_size / LOCAL; r++) {
    double mine = 0;
    for (int i = 0; i < LOCAL; i++) {
      int k = r * LOCAL + i;
      mine += x[k] * x[k] * (1 + 0.01 * k) * x[k];
    }
    total += mine * mine * (r + 1);
  }
  return total;
}

static double serial_min_norms(const double *x) {
  double low = x[0], sq = 0;
  for (int g = 0; g < serial_size; g++) {
    low = fmin(low, x[g] * (1 + 0.1 * (g % LOCAL)));
    sq += x[g] * x[g];
  }
  return low * low + low * sq;
}

typedef double (*objective)(const double *);

static void check(const char *name, objective f, const double *dx,
                  double tangent, const double *x0, const double *v,
                  const double *serial_gradient) {
  int rank = mpi_rank(), size = mpi_size();
  double x[LOCAL], projected = 0, all_projected = 0, all_tangent = 0;
  for (int i = 0; i < LOCAL; i++)
    x[i] = x0[i];
  for (int g = 0; g < LOCAL * size; g++) {
    double fd = parallel_difference(f, x, LOCAL, g);
    int i = g % LOCAL;
    if (g / LOCAL == rank) {
      if (!check_close_(__FILE__, __LINE__, name, dx[i], fd, TOL_FD_R,
                        TOL_FD_A))
        printf("     (rank %d, %s: entry %d against finite differences)\n",
               rank, name, i);
      if (!check_close_(__FILE__, __LINE__, name, dx[i], serial_gradient[g],
                        TOL_CLOSED_R * 1e3, TOL_CLOSED_A))
        printf("     (rank %d, %s: entry %d against one rank)\n", rank, name,
               i);
      projected += fd * v[i];
    }
  }
  MPI_Allreduce(&projected, &all_projected, 1, MPI_DOUBLE, MPI_SUM,
                MPI_COMM_WORLD);
  MPI_Allreduce(&tangent, &all_tangent, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  if (!check_close_(__FILE__, __LINE__, name, all_tangent, all_projected,
                    TOL_FD_R, TOL_FD_A))
    printf("     (rank %d, %s: forward derivative)\n", rank, name);
}

/* The point gathered on every rank, for the serial twin. */
static double *gathered(const double *x) {
  double *all = malloc(sizeof *all * LOCAL * mpi_size());
  MPI_Allgather(x, LOCAL, MPI_DOUBLE, all, LOCAL, MPI_DOUBLE, MPI_COMM_WORLD);
  serial_size = LOCAL * mpi_size();
  return all;
}

#define CHECK_OBJECTIVE(f, serial)                                             \
  do {                                                                         \
    double dx[LOCAL] = {0};                                                    \
    __enzyme_autodiff((void *)f, enzyme_dup, x, dx);                           \
    double tangent = __enzyme_fwddiff((void *)f, enzyme_dup, x, v);            \
    double *all = gathered(x), *one_rank = calloc(serial_size, sizeof *all);   \
    __enzyme_autodiff((void *)serial, enzyme_dup, all, one_rank);              \
    check(#f, f, dx, tangent, x, v, one_rank);                                 \
    free(all);                                                                 \
    free(one_rank);                                                            \
  } while (0)

/* MPI_FLOAT buffers: f = (sum over ranks of sum_i y_i^2) * y_0 on rank 0,
 * with each rank's y sent around a ring first; closed form per rank. */
static float float_ring(const float *y) {
  int rank = mpi_rank(), size = mpi_size();
  float from_left[LOCAL], local = 0, total = 0;
  MPI_Sendrecv(y, LOCAL, MPI_FLOAT, (rank + 1) % size, 7, from_left, LOCAL,
               MPI_FLOAT, (rank + size - 1) % size, 7, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
  for (int i = 0; i < LOCAL; i++)
    local += from_left[i] * from_left[i];
  MPI_Allreduce(&local, &total, 1, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
  return rank == 0 ? total * y[0] : 0;
}

static void check_floats(void) {
  int rank = mpi_rank(), size = mpi_size();
  /* y00 is rank 0's y[0] */
  float y[LOCAL], dy[LOCAL] = {0}, v[LOCAL], total = 0, y00 = 0.5f;
  for (int i = 0; i < LOCAL; i++) {
    y[i] = 0.5f + 0.05f * (rank * LOCAL + i);
    v[i] = i == 0 ? 1.0f : 0.0f;
  }
  for (int g = 0; g < LOCAL * size; g++) {
    float value = 0.5f + 0.05f * g;
    total += value * value;
  }
  __enzyme_autodiff((void *)float_ring, enzyme_dup, y, dy);
  for (int i = 0; i < LOCAL; i++)
    CHECK_DERIV_F(dy[i], 2 * y[i] * y00 + (rank == 0 && i == 0 ? total : 0),
                  NAN);
  /* along v (the first entry of every rank) */
  float tangent = __enzyme_fwddiff((void *)float_ring, enzyme_dup, y, v);
  float all = 0;
  MPI_Allreduce(&tangent, &all, 1, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
  float want = total;
  for (int r = 0; r < size; r++)
    want += 2 * (0.5f + 0.05f * r * LOCAL) * y00;
  CHECK_DERIV_F(all, want, NAN);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank = mpi_rank();
  double x[LOCAL], v[LOCAL];
  for (int i = 0; i < LOCAL; i++) {
    int g = rank * LOCAL + i;
    x[i] = 0.5 + 0.3 * sin(1.7 * g + 0.2);
    v[i] = cos(0.9 * g);
  }
  CHECK_OBJECTIVE(dot_norm, serial_dot_norm);
  CHECK_OBJECTIVE(max_norm, serial_max_norm);
  CHECK_OBJECTIVE(reduce_bcast, serial_reduce_bcast);
  CHECK_OBJECTIVE(gather_scatter, serial_gather_scatter);
  CHECK_OBJECTIVE(gather_scatter_in_place, serial_gather_scatter);
  CHECK_OBJECTIVE(min_norms, serial_min_norms);
  check_floats();
  return report_all();
}
