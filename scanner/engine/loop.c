/* scanner/engine/loop.c: one engine: its set-up, its loop, and the
 * dispatch of every completion.
 *
 * engine_run sets up a ring, the slabs and the side pools (internal.h),
 * then loops: take targets from the shared feed, give free slots to queued
 * targets (schedule.c), submit everything and wait for at least one
 * completion (or the rate limiter, c-ares, or the 100 ms that lets a stop
 * request or the feed be seen), then walk all completions and advance once.
 * A completion is decoded from its user_data (op, slot, generation): c-ares
 * polls go to resolve.c, a slot's completions to conn.c, and a completion
 * for a slot that has moved on is dropped. Nothing here allocates once the
 * slabs exist. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/engine/internal.h"
#include "scanner/engine/ring.h"

#ifndef IORING_OP_BIND
#define IORING_OP_BIND 56
#endif

int side_pool_init(struct side_pool *p, uint32_t n, size_t size) {
  p->size = size;
  /* calloc of a large slab maps it lazily: an element costs memory only
   * once it is first used, and the pool hands out low indexes first. */
  p->base = calloc(n, size);
  return p->base != NULL && slot_pool_init(&p->slots, n);
}

void side_pool_free(struct side_pool *p) {
  slot_pool_free(&p->slots);
  free(p->base);
  p->base = NULL;
}

uint32_t side_take(struct side_pool *p) {
  uint32_t i = slot_take(&p->slots);
  return i == SLOT_NONE ? NONE : i;
}

void side_give(struct side_pool *p, uint32_t *i) {
  if (*i != NONE) {
    slot_release(&p->slots, *i);
    *i = NONE;
  }
}

static void on_cqe(struct engine *e, struct io_uring_cqe *cqe) {
  uint64_t ud = io_uring_cqe_get_data64(cqe);
  enum op op = (enum op)ud_op(ud);
  /* A receive's buffer goes back to the ring whatever became of its slot. */
  const uint8_t *data = NULL;
  if (cqe->flags & IORING_CQE_F_BUFFER) {
    unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
    data = buf_bytes(e, bid);
    buf_give_back(e, bid);
  }
  if (op == OP_ARES_POLL) {
    resolve_poll_done(e, ud, cqe->res);
    return;
  }
  if (op == OP_ARES_POLL_REMOVE || op == 0) {
    return;
  }
  uint32_t c;
  if (!slot_lookup(&e->slots, ud, &c)) {
    return; /* late completion for a slot that has moved on */
  }
  struct conn *cn = conn_at(e, c);
  cn->pending--;
  switch (op) {
    case OP_SOCKET:
    case OP_BIND:
      /* A failed socket or bind cancels the connect linked behind it; keep
       * the first real error for the record. */
      if (cqe->res < 0 && cqe->res != -ECANCELED && cn->socket_error == 0) {
        cn->socket_error = (int16_t)-cqe->res;
      }
      break;
    case OP_CONNECT:
      conn_on_connect(e, c, cqe->res);
      break;
    case OP_SEND:
      conn_on_send(e, c, cqe->res);
      break;
    case OP_RECV:
      cn->flags &= (uint8_t)~CONN_RECV_INFLIGHT;
      conn_on_recv(e, c, cqe->res, data);
      break;
    case OP_LINGER:
      /* Before Linux 6.7 the ring cannot set socket options: close with a
       * FIN from now on, and say so in the bench's report. */
      if (cqe->res < 0 && e->reset_close) {
        e->reset_close = 0;
        __atomic_store_n(&e->sh->stats.bench_fin_close, 1, __ATOMIC_RELAXED);
      }
      break;
    case OP_CONNECT_TIMEOUT:
    case OP_RECV_TIMEOUT:
    case OP_CLOSE:
    default:
      break;
  }
  conn_settle(e, c);
}

/* The kernel's limits on a ring's queues (IORING_MAX_ENTRIES and
 * IORING_MAX_CQ_ENTRIES); asking for more fails the set-up with EINVAL. */
#define RING_MAX_SQ 32768
#define RING_MAX_CQ 65536

/* ring_init makes the ring, with room for each slot's largest link (4)
 * plus c-ares polls, and the registered file table the slots use. A slot
 * has at most four completions outstanding; past 16,384 slots the
 * completion queue is smaller than that, and the kernel keeps what does
 * not fit in its overflow list (IORING_FEAT_NODROP) until it is reaped. */
static int ring_init(struct engine *e) {
  unsigned entries = 1;
  while (entries < e->nconn * 3 + 64 && entries < RING_MAX_SQ) {
    entries <<= 1;
  }
  unsigned cq = entries * 4 < RING_MAX_CQ ? entries * 4 : RING_MAX_CQ;
  int rc = ring_setup(&e->ring, entries, cq);
  if (rc < 0) {
    return rc;
  }
  if (e->cfg->nsources > 0) {
    struct io_uring_probe *probe = io_uring_get_probe_ring(&e->ring);
    int has_bind = probe != NULL && io_uring_opcode_supported(probe, IORING_OP_BIND);
    io_uring_free_probe(probe);
    if (!has_bind) {
      io_uring_queue_exit(&e->ring);
      return -EOPNOTSUPP;
    }
  }
  rc = io_uring_register_files_sparse(&e->ring, e->nconn);
  if (rc == 0) {
    rc = bufs_init(e);
  }
  if (rc < 0) {
    bufs_free(e);
    io_uring_queue_exit(&e->ring);
  }
  return rc;
}

/* engine_free undoes engine_init, however far it got. */
static void engine_free(struct engine *e) {
  resolve_free(e);
  if (e->ring.ring_fd > 0) {
    io_uring_queue_exit(&e->ring);
  }
  bufs_free(e);
  confirm_free(e);
  ciphers_free(e);
  side_pool_free(&e->dialogues);
  side_pool_free(&e->readers);
  side_pool_free(&e->sendbufs);
  side_pool_free(&e->tls);
  side_pool_free(&e->extras);
  slot_pool_free(&e->slots);
  free(e->conns);
  free(e->targets);
}

static int engine_init(struct engine *e, struct scan_shared *sh) {
  memset(e, 0, sizeof(*e));
  e->ring.ring_fd = -1;
  e->sh = sh;
  e->cfg = sh->config;
  e->reset_close = e->cfg->bench.version != 0;
  e->nconn = e->cfg->concurrency;
  e->polite = sh->polite;
  e->send_wait.head = e->send_wait.tail = NONE;
  e->recv_wait.head = e->recv_wait.tail = NONE;
  e->conns = calloc(e->nconn, sizeof(*e->conns));
  if (e->conns == NULL || !slot_pool_init(&e->slots, e->nconn) ||
      !side_pool_init(&e->dialogues, e->nconn, sizeof(struct dialogue_side)) ||
      !side_pool_init(&e->readers, e->nconn, sizeof(struct tp_reader)) ||
      !side_pool_init(&e->sendbufs, e->nconn < SENDBUFS_MAX ? e->nconn : SENDBUFS_MAX,
                      sizeof(struct sendbuf)) ||
      (e->cfg->confirm && !side_pool_init(&e->tls, e->nconn, sizeof(struct tls_side))) ||
      !targets_init(e)) {
    return -ENOMEM;
  }
  if (!probe_templates_init(e)) {
    return -EINVAL;
  }
  if (!ciphers_init(e)) {
    return -ENOMEM;
  }
  int rc = ring_init(e);
  if (rc < 0) {
    e->ring.ring_fd = -1;
    return rc;
  }
  e->rng = now_ns() ^ (uint64_t)(uintptr_t)e;
  key_share_pool_init(&e->shares);
  if (!confirm_init(e)) {
    return -ENOMEM;
  }
  e->ares_ready = resolve_init(e);
  return 0;
}

/* wait_budget is how long the loop may wait for completions this round. */
static uint64_t wait_budget(struct engine *e, uint64_t limiter_wait) {
  /* Wake for the rate limiter, c-ares timeouts, or at least every 100 ms
   * (a stop request, the feed). */
  uint64_t wait_ns = 100000000;
  if (limiter_wait != 0 && limiter_wait < wait_ns) {
    wait_ns = limiter_wait;
  }
  /* A target waiting for an address or network that another engine holds
   * has no completion of ours to wake it: look again soon. */
  if (e->held_by_cap && e->cfg->threads > 1 && wait_ns > 2000000) {
    wait_ns = 2000000;
  }
  resolve_wait(e, &wait_ns);
  return wait_ns;
}

int engine_run(struct scan_shared *sh) {
  struct engine *e = malloc(sizeof(*e));
  if (e == NULL) {
    return -ENOMEM;
  }
  int rc = engine_init(e, sh);
  if (rc < 0) {
    engine_free(e);
    free(e);
    return rc;
  }
  for (;;) {
    take_targets(e);
    if (sh->stop) {
      drop_unstarted(e);
    }
    uint64_t wait = start_connections(e);
    if ((e->feed_done || sh->stop) && e->targets_used == 0) {
      break;
    }
    if (sh->stop == 2 || (sh->stop && now_ns() > sh->stop_deadline_ns)) {
      /* Out of patience: what is still in flight is not written (a resumed
       * scan probes it again). */
      stat_add(&sh->abandoned, e->targets_used);
      break;
    }
    uint64_t wait_ns = wait_budget(e, wait);
    e->wait_ts.tv_sec = (long long)(wait_ns / 1000000000u);
    e->wait_ts.tv_nsec = (long long)(wait_ns % 1000000000u);
    struct io_uring_cqe *cqe;
    rc = io_uring_submit_and_wait_timeout(&e->ring, &cqe, 1, &e->wait_ts, NULL);
    if (rc < 0 && rc != -ETIME && rc != -EINTR) {
      fprintf(stderr, "tlssweep: io_uring wait failed: %s\n", strerror(-rc));
      break;
    }
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&e->ring, head, cqe) {
      on_cqe(e, cqe);
      seen++;
    }
    io_uring_cq_advance(&e->ring, seen);
    sendbufs_hand_out(e);
    bufs_publish(e);
    recvs_hand_out(e);
    resolve_timeouts(e);
  }
  engine_free(e);
  free(e);
  return 0;
}
