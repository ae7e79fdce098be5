/* Derivative rules of MPI communication (Open MPI), registered as custom
 * rules. The build compiles this file to bitcode that the plugin carries
 * and links into a module whose differentiated code calls MPI.
 *
 * Conventions (passes/CustomRules.h): every pointer parameter is followed
 * by its shadow, null where it has none (datatypes, communicators,
 * statuses, requests); forward rules run after the primal call and send
 * the tangents alongside the values; augmented rules make the primal call
 * themselves and return the result, or {tape, result}; reverse rules get
 * the same parameters and the tape.
 *
 * In the reverse sweep the adjoint of a send is a receive of the adjoint,
 * and the reverse: a non-blocking operation keeps what its adjoint needs
 * in a record, posted where the reverse sweep mirrors its wait and
 * completed where it mirrors the operation itself. Buffers of MPI_DOUBLE
 * and MPI_FLOAT carry derivatives; reductions with MPI_SUM, MPI_MAX and
 * MPI_MIN (the adjoint of an extremum goes to the lowest rank holding it).
 */
#include <fluxion/ad.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  void *tape;
  int result;
} Augmented;

static void fail(const char *what) {
  fprintf(stderr, "fluxion: %s\n", what);
  MPI_Abort(MPI_COMM_WORLD, 1);
  abort();
}

/* Whether buffers of this type carry derivatives; others (counts, flags)
 * move as in the primal only. */
static int carries(MPI_Datatype type) {
  return type == MPI_DOUBLE || type == MPI_FLOAT;
}

static size_t element_size(MPI_Datatype type) {
  if (type == MPI_DOUBLE)
    return sizeof(double);
  if (type == MPI_FLOAT)
    return sizeof(float);
  fail("derivatives travel in MPI_DOUBLE and MPI_FLOAT buffers only");
  return 0;
}

/* dst[i] += src[i] */
static void add(void *dst, const void *src, int count, MPI_Datatype type) {
  if (!dst)
    return;
  if (element_size(type) == sizeof(double))
    for (int i = 0; i < count; i++)
      ((double *)dst)[i] += ((const double *)src)[i];
  else
    for (int i = 0; i < count; i++)
      ((float *)dst)[i] += ((const float *)src)[i];
}

static void zero(void *buf, int count, MPI_Datatype type) {
  if (buf)
    memset(buf, 0, (size_t)count * element_size(type));
}

static void *scratch(int count, MPI_Datatype type) {
  void *buf = calloc(count > 0 ? (size_t)count : 1, element_size(type));
  if (!buf)
    fail("out of memory for an MPI adjoint buffer");
  return buf;
}

static int is_sum(MPI_Op op) { return op == MPI_SUM; }

static int is_extremum(MPI_Op op) { return op == MPI_MAX || op == MPI_MIN; }

static void check_op(MPI_Op op) {
  if (!is_sum(op) && !is_extremum(op))
    fail("derivatives of MPI reductions need MPI_SUM, MPI_MAX or MPI_MIN");
}

/* For each element of an MPI_MAX or MPI_MIN reduction of `in`, whether this
 * rank holds the result (the lowest rank among equal values). */
static char *extremum_owners(const void *in, int count, MPI_Datatype type,
                             MPI_Op op, MPI_Comm comm) {
  int rank;
  MPI_Comm_rank(comm, &rank);
  char *mine = malloc(count > 0 ? (size_t)count : 1);
  MPI_Op loc = op == MPI_MAX ? MPI_MAXLOC : MPI_MINLOC;
  if (element_size(type) == sizeof(double)) {
    struct {
      double value;
      int rank;
    } *pairs = malloc(sizeof *pairs * (count > 0 ? count : 1));
    for (int i = 0; i < count; i++) {
      pairs[i].value = ((const double *)in)[i];
      pairs[i].rank = rank;
    }
    MPI_Allreduce(MPI_IN_PLACE, pairs, count, MPI_DOUBLE_INT, loc, comm);
    for (int i = 0; i < count; i++)
      mine[i] = pairs[i].rank == rank;
    free(pairs);
  } else {
    struct {
      float value;
      int rank;
    } *pairs = malloc(sizeof *pairs * (count > 0 ? count : 1));
    for (int i = 0; i < count; i++) {
      pairs[i].value = ((const float *)in)[i];
      pairs[i].rank = rank;
    }
    MPI_Allreduce(MPI_IN_PLACE, pairs, count, MPI_FLOAT_INT, loc, comm);
    for (int i = 0; i < count; i++)
      mine[i] = pairs[i].rank == rank;
    free(pairs);
  }
  return mine;
}

/* dst[i] += mine[i] ? src[i] : 0, or with `assign` dst[i] = ... */
static void add_owned(void *dst, const void *src, const char *mine, int count,
                      MPI_Datatype type, int assign) {
  if (!dst)
    return;
  for (int i = 0; i < count; i++) {
    if (element_size(type) == sizeof(double)) {
      double v = mine[i] ? ((const double *)src)[i] : 0;
      ((double *)dst)[i] = assign ? v : ((double *)dst)[i] + v;
    } else {
      float v = mine[i] ? ((const float *)src)[i] : 0;
      ((float *)dst)[i] = assign ? v : ((float *)dst)[i] + v;
    }
  }
}

/* The tag of a received message, valid for the reverse message (a receive
 * from MPI_PROC_NULL reports MPI_ANY_TAG). */
static int tag_of(const MPI_Status *status) {
  return status->MPI_SOURCE == MPI_PROC_NULL ? 0 : status->MPI_TAG;
}

/* Where a message came from and its tag, for the reverse message. */
typedef struct {
  int source, tag;
} Peer;

static Peer *peer_of(const MPI_Status *status) {
  Peer *peer = malloc(sizeof *peer);
  peer->source = status->MPI_SOURCE;
  peer->tag = tag_of(status);
  return peer;
}

/*===-- Point to point -----------------------------------------------===*/

static void fwd_send(const void *buf, const void *dbuf, int count,
                     MPI_Datatype type, void *dtype, int dest, int tag,
                     MPI_Comm comm, void *dcomm) {
  if (!carries(type))
    return;
  MPI_Send(dbuf, count, type, dest, tag, comm);
}

static int aug_send(const void *buf, const void *dbuf, int count,
                    MPI_Datatype type, void *dtype, int dest, int tag,
                    MPI_Comm comm, void *dcomm) {
  return MPI_Send(buf, count, type, dest, tag, comm);
}

static void rev_send(const void *buf, void *dbuf, int count, MPI_Datatype type,
                     void *dtype, int dest, int tag, MPI_Comm comm,
                     void *dcomm) {
  if (!carries(type))
    return;
  void *adjoint = scratch(count, type);
  MPI_Recv(adjoint, count, type, dest, tag, comm, MPI_STATUS_IGNORE);
  add(dbuf, adjoint, count, type);
  free(adjoint);
}

static void fwd_recv(void *buf, void *dbuf, int count, MPI_Datatype type,
                     void *dtype, int source, int tag, MPI_Comm comm,
                     void *dcomm, MPI_Status *status, void *dstatus) {
  if (!carries(type))
    return;
  /* The tangent follows the value from where the value came. */
  MPI_Status own;
  if (status == MPI_STATUS_IGNORE &&
      (source == MPI_ANY_SOURCE || tag == MPI_ANY_TAG))
    fail("a derivative of MPI_Recv from any source or with any tag needs its "
         "status");
  if (status != MPI_STATUS_IGNORE) {
    own = *status;
    source = own.MPI_SOURCE;
    tag = own.MPI_TAG;
  }
  MPI_Recv(dbuf, count, type, source, tag, comm, MPI_STATUS_IGNORE);
}

static Augmented aug_recv(void *buf, void *dbuf, int count, MPI_Datatype type,
                          void *dtype, int source, int tag, MPI_Comm comm,
                          void *dcomm, MPI_Status *status, void *dstatus) {
  MPI_Status own;
  MPI_Status *used = status == MPI_STATUS_IGNORE ? &own : status;
  int result = MPI_Recv(buf, count, type, source, tag, comm, used);
  return (Augmented){peer_of(used), result};
}

static void rev_recv(void *buf, void *dbuf, int count, MPI_Datatype type,
                     void *dtype, int source, int tag, MPI_Comm comm,
                     void *dcomm, MPI_Status *status, void *dstatus,
                     void *tape) {
  Peer *peer = tape;
  if (!carries(type)) {
    free(peer);
    return;
  }
  void *adjoint = dbuf ? dbuf : scratch(count, type);
  MPI_Send(adjoint, count, type, peer->source, peer->tag, comm);
  if (dbuf)
    zero(dbuf, count, type);
  else
    free(adjoint);
  free(peer);
}

static void fwd_sendrecv(const void *sbuf, const void *dsbuf, int scount,
                         MPI_Datatype stype, void *dstype, int dest, int stag,
                         void *rbuf, void *drbuf, int rcount,
                         MPI_Datatype rtype, void *drtype, int source, int rtag,
                         MPI_Comm comm, void *dcomm, MPI_Status *status,
                         void *dstatus) {
  if (!carries(stype))
    return;
  if (status != MPI_STATUS_IGNORE) {
    source = status->MPI_SOURCE;
    rtag = status->MPI_TAG;
  } else if (source == MPI_ANY_SOURCE || rtag == MPI_ANY_TAG) {
    fail("a derivative of MPI_Sendrecv from any source or with any tag "
         "needs its status");
  }
  MPI_Sendrecv(dsbuf, scount, stype, dest, stag, drbuf, rcount, rtype, source,
               rtag, comm, MPI_STATUS_IGNORE);
}

static Augmented aug_sendrecv(const void *sbuf, const void *dsbuf, int scount,
                              MPI_Datatype stype, void *dstype, int dest,
                              int stag, void *rbuf, void *drbuf, int rcount,
                              MPI_Datatype rtype, void *drtype, int source,
                              int rtag, MPI_Comm comm, void *dcomm,
                              MPI_Status *status, void *dstatus) {
  MPI_Status own;
  MPI_Status *used = status == MPI_STATUS_IGNORE ? &own : status;
  int result = MPI_Sendrecv(sbuf, scount, stype, dest, stag, rbuf, rcount,
                            rtype, source, rtag, comm, used);
  return (Augmented){peer_of(used), result};
}

static void rev_sendrecv(const void *sbuf, void *dsbuf, int scount,
                         MPI_Datatype stype, void *dstype, int dest, int stag,
                         void *rbuf, void *drbuf, int rcount,
                         MPI_Datatype rtype, void *drtype, int source, int rtag,
                         MPI_Comm comm, void *dcomm, MPI_Status *status,
                         void *dstatus, void *tape) {
  if (!carries(stype))
    return;
  Peer *peer = tape;
  void *incoming = scratch(scount, stype);
  void *outgoing = drbuf ? drbuf : scratch(rcount, rtype);
  MPI_Sendrecv(outgoing, rcount, rtype, peer->source, peer->tag, incoming,
               scount, stype, dest, stag, comm, MPI_STATUS_IGNORE);
  add(dsbuf, incoming, scount, stype);
  if (drbuf)
    zero(drbuf, rcount, rtype);
  else
    free(outgoing);
  free(incoming);
  free(peer);
}

/*===-- Non-blocking point to point ------------------------------------===*/

/* What a non-blocking operation's adjoint needs: found again by the address
 * of its request, which the wait gets. */
typedef struct Record {
  int is_send;
  void *dbuf;
  int count;
  MPI_Datatype type;
  int peer, tag;
  MPI_Comm comm;
  MPI_Request *request;
  MPI_Request reverse; /* the adjoint's own operation */
  MPI_Request tangent; /* forward mode: the tangent's operation */
  void *adjoint;       /* what the adjoint of a send receives */
  struct Record *next; /* pending operations of this thread */
} Record;

static _Thread_local Record *pending;

static Record *remember(int is_send, void *dbuf, int count, MPI_Datatype type,
                        int peer, int tag, MPI_Comm comm,
                        MPI_Request *request) {
  Record *r = calloc(1, sizeof *r);
  if (!r)
    fail("out of memory for an MPI request record");
  *r = (Record){is_send, dbuf, count, type, peer, tag, comm, request};
  r->next = pending;
  pending = r;
  return r;
}

/* Takes the pending record of the operation whose request is at `request`. */
static Record *take(MPI_Request *request) {
  for (Record **at = &pending; *at; at = &(*at)->next)
    if ((*at)->request == request) {
      Record *r = *at;
      *at = r->next;
      return r;
    }
  fail("MPI_Wait on a request that no differentiated MPI_Isend or MPI_Irecv "
       "started");
  return NULL;
}

static void fwd_isend(const void *buf, const void *dbuf, int count,
                      MPI_Datatype type, void *dtype, int dest, int tag,
                      MPI_Comm comm, void *dcomm, MPI_Request *request,
                      void *drequest) {
  Record *r = remember(1, (void *)dbuf, count, type, dest, tag, comm, request);
  r->tangent = MPI_REQUEST_NULL;
  if (carries(type))
    MPI_Isend(dbuf, count, type, dest, tag, comm, &r->tangent);
}

static void fwd_irecv(void *buf, void *dbuf, int count, MPI_Datatype type,
                      void *dtype, int source, int tag, MPI_Comm comm,
                      void *dcomm, MPI_Request *request, void *drequest) {
  Record *r = remember(0, dbuf, count, type, source, tag, comm, request);
  r->tangent = MPI_REQUEST_NULL;
  if (!carries(type))
    return;
  if (source == MPI_ANY_SOURCE || tag == MPI_ANY_TAG)
    fail("a derivative of MPI_Irecv needs its source and tag");
  MPI_Irecv(dbuf, count, type, source, tag, comm, &r->tangent);
}

static void fwd_finish(MPI_Request *request) {
  Record *r = take(request);
  MPI_Wait(&r->tangent, MPI_STATUS_IGNORE);
  free(r);
}

static Augmented aug_isend(const void *buf, const void *dbuf, int count,
                           MPI_Datatype type, void *dtype, int dest, int tag,
                           MPI_Comm comm, void *dcomm, MPI_Request *request,
                           void *drequest) {
  Record *r = remember(1, (void *)dbuf, count, type, dest, tag, comm, request);
  return (Augmented){r, MPI_Isend(buf, count, type, dest, tag, comm, request)};
}

static Augmented aug_irecv(void *buf, void *dbuf, int count, MPI_Datatype type,
                           void *dtype, int source, int tag, MPI_Comm comm,
                           void *dcomm, MPI_Request *request, void *drequest) {
  Record *r = remember(0, dbuf, count, type, source, tag, comm, request);
  return (Augmented){r,
                     MPI_Irecv(buf, count, type, source, tag, comm, request)};
}

/* The reverse of a wait starts the operation's adjoint. */
static void start_adjoint(Record *r) {
  r->reverse = MPI_REQUEST_NULL;
  if (!carries(r->type))
    return;
  if (r->is_send) {
    r->adjoint = scratch(r->count, r->type);
    MPI_Irecv(r->adjoint, r->count, r->type, r->peer, r->tag, r->comm,
              &r->reverse);
  } else {
    if (!r->dbuf)
      r->adjoint = scratch(r->count, r->type);
    MPI_Isend(r->dbuf ? r->dbuf : r->adjoint, r->count, r->type, r->peer,
              r->tag, r->comm, &r->reverse);
  }
}

/* The reverse of the operation completes its adjoint. */
static void rev_request(void *tape) {
  Record *r = tape;
  MPI_Wait(&r->reverse, MPI_STATUS_IGNORE);
  if (carries(r->type) && r->is_send)
    add(r->dbuf, r->adjoint, r->count, r->type);
  else if (carries(r->type))
    zero(r->dbuf, r->count, r->type);
  free(r->adjoint);
  free(r);
}

static void rev_isend(const void *buf, void *dbuf, int count, MPI_Datatype type,
                      void *dtype, int dest, int tag, MPI_Comm comm,
                      void *dcomm, MPI_Request *request, void *drequest,
                      void *tape) {
  rev_request(tape);
}

static void rev_irecv(void *buf, void *dbuf, int count, MPI_Datatype type,
                      void *dtype, int source, int tag, MPI_Comm comm,
                      void *dcomm, MPI_Request *request, void *drequest,
                      void *tape) {
  rev_request(tape);
}

static void fwd_wait(MPI_Request *request, void *drequest, MPI_Status *status,
                     void *dstatus) {
  fwd_finish(request);
}

static Augmented aug_wait(MPI_Request *request, void *drequest,
                          MPI_Status *status, void *dstatus) {
  Record *r = take(request);
  MPI_Status own;
  MPI_Status *used = status == MPI_STATUS_IGNORE ? &own : status;
  int result = MPI_Wait(request, used);
  if (!r->is_send) {
    r->peer = used->MPI_SOURCE;
    r->tag = tag_of(used);
  }
  return (Augmented){r, result};
}

static void rev_wait(MPI_Request *request, void *drequest, MPI_Status *status,
                     void *dstatus, void *tape) {
  start_adjoint(tape);
}

static void fwd_waitall(int count, MPI_Request *requests, void *drequests,
                        MPI_Status *statuses, void *dstatuses) {
  for (int i = 0; i < count; i++)
    fwd_finish(&requests[i]);
}

static Augmented aug_waitall(int count, MPI_Request *requests, void *drequests,
                             MPI_Status *statuses, void *dstatuses) {
  Record **records = malloc(sizeof *records * (count > 0 ? count : 1));
  MPI_Status *used = statuses == MPI_STATUSES_IGNORE
                         ? malloc(sizeof *used * (count > 0 ? count : 1))
                         : statuses;
  for (int i = 0; i < count; i++)
    records[i] = take(&requests[i]);
  int result = MPI_Waitall(count, requests, used);
  for (int i = 0; i < count; i++)
    if (!records[i]->is_send) {
      records[i]->peer = used[i].MPI_SOURCE;
      records[i]->tag = tag_of(&used[i]);
    }
  if (used != statuses)
    free(used);
  return (Augmented){records, result};
}

static void rev_waitall(int count, MPI_Request *requests, void *drequests,
                        MPI_Status *statuses, void *dstatuses, void *tape) {
  Record **records = tape;
  for (int i = count - 1; i >= 0; i--)
    start_adjoint(records[i]);
  free(records);
}

/*===-- Collectives ------------------------------------------------------===*/

static void fwd_bcast(void *buf, void *dbuf, int count, MPI_Datatype type,
                      void *dtype, int root, MPI_Comm comm, void *dcomm) {
  if (!carries(type))
    return;
  MPI_Bcast(dbuf, count, type, root, comm);
}

static int aug_bcast(void *buf, void *dbuf, int count, MPI_Datatype type,
                     void *dtype, int root, MPI_Comm comm, void *dcomm) {
  return MPI_Bcast(buf, count, type, root, comm);
}

/* Every rank's copy came from the root's: the root's adjoint is their sum. */
static void rev_bcast(void *buf, void *dbuf, int count, MPI_Datatype type,
                      void *dtype, int root, MPI_Comm comm, void *dcomm) {
  if (!carries(type))
    return;
  int rank;
  MPI_Comm_rank(comm, &rank);
  void *sum = scratch(count, type);
  void *mine = dbuf ? dbuf : scratch(count, type);
  MPI_Reduce(mine, sum, count, type, MPI_SUM, root, comm);
  if (dbuf && rank == root)
    memcpy(dbuf, sum, (size_t)count * element_size(type));
  else if (dbuf)
    zero(dbuf, count, type);
  if (!dbuf)
    free(mine);
  free(sum);
}

static const void *input_of(const void *send, const void *recv) {
  return send == MPI_IN_PLACE ? recv : send;
}

/* The tangent of an extremum is its owner's: the forward rule runs after
 * the primal reduction, so the inputs must still be there. */
static void *owned_tangents(const void *sbuf, const void *dsbuf, int count,
                            MPI_Datatype type, MPI_Op op, MPI_Comm comm) {
  if (sbuf == MPI_IN_PLACE)
    fail("forward mode of an in-place MPI_MAX or MPI_MIN reduction is not "
         "supported; use reverse mode or a separate send buffer");
  char *mine = extremum_owners(sbuf, count, type, op, comm);
  void *owned = scratch(count, type);
  if (dsbuf)
    add_owned(owned, dsbuf, mine, count, type, 1);
  free(mine);
  return owned;
}

static void fwd_reduce(const void *sbuf, const void *dsbuf, void *rbuf,
                       void *drbuf, int count, MPI_Datatype type, void *dtype,
                       MPI_Op op, void *dop, int root, MPI_Comm comm,
                       void *dcomm) {
  if (!carries(type))
    return;
  check_op(op);
  if (is_sum(op)) {
    MPI_Reduce(sbuf == MPI_IN_PLACE ? MPI_IN_PLACE : dsbuf, drbuf, count, type,
               MPI_SUM, root, comm);
    return;
  }
  void *owned = owned_tangents(sbuf, dsbuf, count, type, op, comm);
  MPI_Reduce(owned, drbuf, count, type, MPI_SUM, root, comm);
  free(owned);
}

static Augmented aug_reduce(const void *sbuf, const void *dsbuf, void *rbuf,
                            void *drbuf, int count, MPI_Datatype type,
                            void *dtype, MPI_Op op, void *dop, int root,
                            MPI_Comm comm, void *dcomm) {
  char *mine = NULL;
  if (carries(type)) {
    check_op(op);
    if (is_extremum(op))
      mine = extremum_owners(input_of(sbuf, rbuf), count, type, op, comm);
  }
  return (Augmented){mine, MPI_Reduce(sbuf, rbuf, count, type, op, root, comm)};
}

/* The root's adjoint goes back to every contribution (to the owner of each
 * extremum). */
static void rev_reduce(const void *sbuf, void *dsbuf, void *rbuf, void *drbuf,
                       int count, MPI_Datatype type, void *dtype, MPI_Op op,
                       void *dop, int root, MPI_Comm comm, void *dcomm,
                       void *tape) {
  char *mine = tape;
  if (!carries(type))
    return;
  int rank;
  MPI_Comm_rank(comm, &rank);
  int in_place = sbuf == MPI_IN_PLACE;
  void *result = scratch(count, type);
  if (rank == root && drbuf)
    memcpy(result, drbuf, (size_t)count * element_size(type));
  MPI_Bcast(result, count, type, root, comm);
  if (rank == root && drbuf)
    zero(drbuf, count, type);
  void *input = in_place ? (rank == root ? drbuf : NULL) : dsbuf;
  if (mine)
    add_owned(input, result, mine, count, type, 0);
  else
    add(input, result, count, type);
  free(result);
  free(mine);
}

static void fwd_allreduce(const void *sbuf, const void *dsbuf, void *rbuf,
                          void *drbuf, int count, MPI_Datatype type,
                          void *dtype, MPI_Op op, void *dop, MPI_Comm comm,
                          void *dcomm) {
  if (!carries(type))
    return;
  check_op(op);
  if (is_sum(op)) {
    MPI_Allreduce(sbuf == MPI_IN_PLACE ? MPI_IN_PLACE : dsbuf, drbuf, count,
                  type, MPI_SUM, comm);
    return;
  }
  void *owned = owned_tangents(sbuf, dsbuf, count, type, op, comm);
  MPI_Allreduce(owned, drbuf, count, type, MPI_SUM, comm);
  free(owned);
}

static Augmented aug_allreduce(const void *sbuf, const void *dsbuf, void *rbuf,
                               void *drbuf, int count, MPI_Datatype type,
                               void *dtype, MPI_Op op, void *dop, MPI_Comm comm,
                               void *dcomm) {
  char *mine = NULL;
  if (carries(type)) {
    check_op(op);
    if (is_extremum(op))
      mine = extremum_owners(input_of(sbuf, rbuf), count, type, op, comm);
  }
  return (Augmented){mine, MPI_Allreduce(sbuf, rbuf, count, type, op, comm)};
}

/* Every rank's input reaches every rank's result: its adjoint is the sum of
 * the results' adjoints (for the owner of each extremum). */
static void rev_allreduce(const void *sbuf, void *dsbuf, void *rbuf,
                          void *drbuf, int count, MPI_Datatype type,
                          void *dtype, MPI_Op op, void *dop, MPI_Comm comm,
                          void *dcomm, void *tape) {
  char *mine = tape;
  if (!carries(type))
    return;
  void *total = scratch(count, type);
  MPI_Allreduce(drbuf ? drbuf : MPI_IN_PLACE, total, count, type, MPI_SUM,
                comm);
  int in_place = sbuf == MPI_IN_PLACE;
  if (drbuf && !in_place)
    zero(drbuf, count, type);
  void *input = in_place ? drbuf : dsbuf;
  if (mine)
    add_owned(input, total, mine, count, type, in_place);
  else if (in_place && drbuf)
    memcpy(drbuf, total, (size_t)count * element_size(type));
  else
    add(input, total, count, type);
  free(total);
  free(mine);
}

static void fwd_gather(const void *sbuf, const void *dsbuf, int scount,
                       MPI_Datatype stype, void *dstype, void *rbuf,
                       void *drbuf, int rcount, MPI_Datatype rtype,
                       void *drtype, int root, MPI_Comm comm, void *dcomm) {
  if (!carries(stype))
    return;
  MPI_Gather(sbuf == MPI_IN_PLACE ? MPI_IN_PLACE : dsbuf, scount, stype, drbuf,
             rcount, rtype, root, comm);
}

static int aug_gather(const void *sbuf, const void *dsbuf, int scount,
                      MPI_Datatype stype, void *dstype, void *rbuf, void *drbuf,
                      int rcount, MPI_Datatype rtype, void *drtype, int root,
                      MPI_Comm comm, void *dcomm) {
  return MPI_Gather(sbuf, scount, stype, rbuf, rcount, rtype, root, comm);
}

/* Each rank's piece of the root's adjoint goes back to it. */
static void rev_gather(const void *sbuf, void *dsbuf, int scount,
                       MPI_Datatype stype, void *dstype, void *rbuf,
                       void *drbuf, int rcount, MPI_Datatype rtype,
                       void *drtype, int root, MPI_Comm comm, void *dcomm) {
  if (!carries(stype))
    return;
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  int in_place = sbuf == MPI_IN_PLACE;
  void *piece = scratch(scount, stype);
  void *whole = rank == root ? drbuf : NULL;
  void *empty = NULL;
  if (rank == root && !drbuf)
    whole = empty = scratch(rcount * size, rtype);
  MPI_Scatter(whole, rcount, rtype, piece, scount, stype, root, comm);
  if (rank == root && drbuf) {
    size_t bytes = (size_t)rcount * element_size(rtype);
    char *own = (char *)drbuf + (size_t)rank * bytes;
    if (in_place) {
      void *kept = malloc(bytes);
      memcpy(kept, own, bytes);
      zero(drbuf, rcount * size, rtype);
      memcpy(own, kept, bytes);
      free(kept);
    } else {
      zero(drbuf, rcount * size, rtype);
    }
  }
  if (!(rank == root && in_place))
    add(dsbuf, piece, scount, stype);
  free(piece);
  free(empty);
}

static void fwd_scatter(const void *sbuf, const void *dsbuf, int scount,
                        MPI_Datatype stype, void *dstype, void *rbuf,
                        void *drbuf, int rcount, MPI_Datatype rtype,
                        void *drtype, int root, MPI_Comm comm, void *dcomm) {
  if (!carries(stype))
    return;
  MPI_Scatter(dsbuf, scount, stype, rbuf == MPI_IN_PLACE ? MPI_IN_PLACE : drbuf,
              rcount, rtype, root, comm);
}

static int aug_scatter(const void *sbuf, const void *dsbuf, int scount,
                       MPI_Datatype stype, void *dstype, void *rbuf,
                       void *drbuf, int rcount, MPI_Datatype rtype,
                       void *drtype, int root, MPI_Comm comm, void *dcomm) {
  return MPI_Scatter(sbuf, scount, stype, rbuf, rcount, rtype, root, comm);
}

/* The root's adjoint collects every rank's piece. */
static void rev_scatter(const void *sbuf, void *dsbuf, int scount,
                        MPI_Datatype stype, void *dstype, void *rbuf,
                        void *drbuf, int rcount, MPI_Datatype rtype,
                        void *drtype, int root, MPI_Comm comm, void *dcomm) {
  if (!carries(stype))
    return;
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  int in_place = rbuf == MPI_IN_PLACE;
  void *pieces = rank == root ? scratch(scount * size, stype) : NULL;
  void *mine = drbuf;
  if (!(rank == root && in_place) && !drbuf)
    mine = scratch(rcount, rtype);
  if (rank == root && in_place) {
    size_t bytes = (size_t)scount * element_size(stype);
    MPI_Gather(MPI_IN_PLACE, rcount, rtype, pieces, scount, stype, root, comm);
    /* The root's own piece stays where it was. */
    if (dsbuf)
      memset((char *)pieces + (size_t)rank * bytes, 0, bytes);
  } else {
    MPI_Gather(mine, rcount, rtype, pieces, scount, stype, root, comm);
  }
  if (rank == root)
    add(dsbuf, pieces, scount * size, stype);
  if (drbuf && !(rank == root && in_place))
    zero(drbuf, rcount, rtype);
  if (mine != drbuf)
    free(mine);
  free(pieces);
}

static void fwd_allgather(const void *sbuf, const void *dsbuf, int scount,
                          MPI_Datatype stype, void *dstype, void *rbuf,
                          void *drbuf, int rcount, MPI_Datatype rtype,
                          void *drtype, MPI_Comm comm, void *dcomm) {
  if (!carries(stype))
    return;
  MPI_Allgather(sbuf == MPI_IN_PLACE ? MPI_IN_PLACE : dsbuf, scount, stype,
                drbuf, rcount, rtype, comm);
}

static int aug_allgather(const void *sbuf, const void *dsbuf, int scount,
                         MPI_Datatype stype, void *dstype, void *rbuf,
                         void *drbuf, int rcount, MPI_Datatype rtype,
                         void *drtype, MPI_Comm comm, void *dcomm) {
  return MPI_Allgather(sbuf, scount, stype, rbuf, rcount, rtype, comm);
}

/* Every rank's piece reached every rank: its adjoint sums that piece of
 * every rank's adjoint. */
static void rev_allgather(const void *sbuf, void *dsbuf, int scount,
                          MPI_Datatype stype, void *dstype, void *rbuf,
                          void *drbuf, int rcount, MPI_Datatype rtype,
                          void *drtype, MPI_Comm comm, void *dcomm) {
  if (!carries(stype))
    return;
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  void *whole = drbuf ? drbuf : scratch(rcount * size, rtype);
  void *piece = scratch(rcount, rtype);
  MPI_Reduce_scatter_block(whole, piece, rcount, rtype, MPI_SUM, comm);
  if (drbuf)
    zero(drbuf, rcount * size, rtype);
  else
    free(whole);
  if (sbuf == MPI_IN_PLACE) {
    if (drbuf)
      memcpy((char *)drbuf + (size_t)rank * rcount * element_size(rtype), piece,
             (size_t)rcount * element_size(rtype));
  } else {
    add(dsbuf, piece, scount, stype);
  }
  free(piece);
}

static int aug_barrier(MPI_Comm comm, void *dcomm) { return MPI_Barrier(comm); }

static void rev_barrier(MPI_Comm comm, void *dcomm) { MPI_Barrier(comm); }

static void fwd_barrier(MPI_Comm comm, void *dcomm) {}

/*===-- Registrations --------------------------------------------------===*/

#define MPI_RULES(fn, fwd, aug, rev)                                           \
  FLUXION_FORWARD_RULE(fn, fwd);                                               \
  FLUXION_REVERSE_RULE(fn, aug, rev)

MPI_RULES(MPI_Send, fwd_send, aug_send, rev_send);
MPI_RULES(MPI_Recv, fwd_recv, aug_recv, rev_recv);
MPI_RULES(MPI_Sendrecv, fwd_sendrecv, aug_sendrecv, rev_sendrecv);
MPI_RULES(MPI_Isend, fwd_isend, aug_isend, rev_isend);
MPI_RULES(MPI_Irecv, fwd_irecv, aug_irecv, rev_irecv);
MPI_RULES(MPI_Wait, fwd_wait, aug_wait, rev_wait);
MPI_RULES(MPI_Waitall, fwd_waitall, aug_waitall, rev_waitall);
MPI_RULES(MPI_Bcast, fwd_bcast, aug_bcast, rev_bcast);
MPI_RULES(MPI_Reduce, fwd_reduce, aug_reduce, rev_reduce);
MPI_RULES(MPI_Allreduce, fwd_allreduce, aug_allreduce, rev_allreduce);
MPI_RULES(MPI_Gather, fwd_gather, aug_gather, rev_gather);
MPI_RULES(MPI_Scatter, fwd_scatter, aug_scatter, rev_scatter);
MPI_RULES(MPI_Allgather, fwd_allgather, aug_allgather, rev_allgather);
MPI_RULES(MPI_Barrier, fwd_barrier, aug_barrier, rev_barrier);

FLUXION_INACTIVE(MPI_Comm_rank);
FLUXION_INACTIVE(MPI_Comm_size);
FLUXION_INACTIVE(MPI_Wtime);
FLUXION_INACTIVE(MPI_Init);
FLUXION_INACTIVE(MPI_Init_thread);
FLUXION_INACTIVE(MPI_Initialized);
FLUXION_INACTIVE(MPI_Finalize);
FLUXION_INACTIVE(MPI_Abort);
FLUXION_INACTIVE(MPI_Get_count);
