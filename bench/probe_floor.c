/* bench/probe_floor.c: the physical floor of a probe, for the scan benchmark.
 *
 *   probe_floor --targets N --port P [--concurrency C] [--timeout-ms T]
 *               [--setup coop|defer|sqpoll|plain] [--send plain|fixed|zc-fixed]
 *               [--wait-nr K] [--min-wait-us U] [--chain] [--ring-fd]
 *               [--close fin|reset] [--order fifo|slot] [--enobufs wait|resubmit]
 *
 * A probe connects, sends a ClientHello, reads the answer and closes. This
 * program makes exactly those requests, through a ring set up the way the
 * engine sets up its own (scanner/engine/loop.c and io.c), and nothing else:
 *
 *   SOCKET(direct, slot) -> CONNECT(fixed) -> LINK_TIMEOUT        one link
 *   SEND(the version's hello)   RECV(provided buffer) -> LINK_TIMEOUT ...
 *   CLOSE(direct)
 *
 * over targets 127.a.b.c (scan_bench.py's target_addr, port P) x 5 versions,
 * one connection per address at a time (the engine's --per-host 1), C in
 * flight, each new connection started at the top of the next round as the
 * engine starts them, and in the engine's order: targets wait in one FIFO
 * (about 1.5 per slot, as schedule.c and targets.c keep them), a free slot
 * takes the head's next version, and a target whose probe ended goes back
 * to the tail. The hellos are tlsparse's, built once per version
 * with the engine's options, so the responder answers each as it answers
 * the scan. Of the answer it reads only the record header's length: the
 * bench responder answers with one record and closes, so the answer is in
 * once that many bytes came, or at EOF. No parser, no targets, no records:
 * what a scan costs beyond this is the engine's own.
 *
 * The defaults are the engine's. The options are the kernel's alternatives,
 * for A/B runs (scan_bench.py --floor-variant):
 *   --setup defer    DEFER_TASKRUN instead of COOP_TASKRUN|TASKRUN_FLAG
 *   --setup sqpoll   a kernel thread polls the submission queue
 *   --setup plain    neither (task work interrupts the loop)
 *   --send fixed     SEND from a registered buffer (IORING_RECVSEND_FIXED_BUF)
 *   --send zc-fixed  SEND_ZC from a registered buffer (two completions)
 *   --wait-nr K      wait for min(K, in flight) completions, not one
 *   --min-wait-us U  with --wait-nr: once U us have passed, one completion
 *                    is enough (Linux 6.12 min_wait_usec)
 *   --chain          the hello's SEND and the first RECV linked behind the
 *                    connect: one submission per probe instead of two
 *   --ring-fd        register the ring's fd (io_uring_register_ring_fd)
 *   --order slot     a target's five versions back to back in one slot,
 *                    instead of the engine's FIFO
 *   --enobufs resubmit  a receive that found no provided buffer is submitted
 *                    again at once, as the engine did before 2026-12-04
 *                    (the engine's way: it waits, and the receives that
 *                    wait are submitted after the batch's buffers went
 *                    back, three quarters of the buffers' number at most)
 *   --close reset    SO_LINGER {1, 0} through the ring before the close, as
 *                    tlssweep bench closes (io.c): a reset instead of a FIN,
 *                    so neither side keeps the connection in TIME_WAIT or
 *                    LAST_ACK, and the server is spared the FIN's exchange
 * Prints one JSON line: probes, answers, short answers, failures, wall and
 * CPU seconds. Exit 0, or 3 when the kernel refuses a chosen feature. */
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "scanner/engine/ring.h"
#include "scanner/engine/slots.h"
#include "tlsparse/tlsparse.h"

enum op {
  OP_SOCKET = 1,
  OP_CONNECT,
  OP_CONNECT_TIMEOUT,
  OP_SEND,
  OP_RECV,
  OP_RECV_TIMEOUT,
  OP_LINGER,
  OP_CLOSE,
};

enum setup { SETUP_COOP, SETUP_DEFER, SETUP_SQPOLL, SETUP_PLAIN };
enum send_kind { SEND_PLAIN, SEND_FIXED, SEND_ZC_FIXED };

#define VERSIONS 5
/* The engine's provided buffers: group, size (io.c). */
#define BUF_GROUP 1
#define BUF_SIZE 2048
/* The kernel's limits on a ring's queues (loop.c). */
#define RING_MAX_SQ 32768
#define RING_MAX_CQ 65536

struct options {
  unsigned targets;
  int port;
  unsigned concurrency;
  unsigned timeout_ms;
  enum setup setup;
  enum send_kind send;
  unsigned wait_nr;
  unsigned min_wait_us;
  int chain;
  int ring_fd;
  int close_reset;
  int slot_order;
  int enobufs_resubmit;
};

struct slot {
  uint32_t target;
  uint32_t gen;      /* moves on when the slot's probe ends (slots.h) */
  uint8_t version;
  uint8_t pending;   /* completions still expected */
  uint8_t closing;
  uint8_t failed;    /* no socket was installed: nothing to close */
  uint8_t broken;    /* --chain: the link broke before the receive */
  uint8_t hdr_len;
  uint8_t hdr[5];    /* the answer's record header */
  uint32_t got;      /* answer bytes so far */
  struct sockaddr_in addr;
  struct __kernel_timespec connect_ts, recv_ts;
};

struct counts {
  unsigned long probes, answers, short_answers, connect_failed, recv_failed, timeouts,
      send_failed;
};

struct flooring {
  struct options o;
  struct io_uring ring;
  struct slot *s;
  uint32_t *free_slots; /* a stack */
  uint32_t nfree;
  uint32_t *keep;       /* --order slot: slots that go on with their target */
  uint32_t nkeep;
  uint32_t *fifo;       /* targets waiting for a slot: a ring of fifo_cap */
  uint32_t fifo_cap, fifo_head, fifo_len;
  uint8_t *version_next; /* per target: the next version to probe */
  uint32_t targets_used; /* in the FIFO or in flight */
  uint32_t next_target;
  uint32_t in_flight;
  uint8_t hello[VERSIONS][TP_CLIENT_HELLO_MAX];
  size_t hello_len[VERSIONS];
  uint8_t *hellos_fixed; /* the hellos again, in the registered buffer */
  struct io_uring_buf_ring *br;
  size_t br_len;
  uint8_t *bufs;
  unsigned nbufs;
  unsigned bufs_returned;
  uint32_t *rwait;      /* slots whose receive waits for a buffer: a ring */
  uint32_t rwait_head, rwait_len;
  struct counts n;
  int refused; /* -errno: the kernel refused a chosen request */
};

/* The wire versions, in the engine's order (ssl3 .. tls1.3). */
static const uint16_t kVersions[VERSIONS] = {TP_SSL3, TP_TLS10, TP_TLS11, TP_TLS12, TP_TLS13};

/* build_hellos builds each version's hello as probe.c's templates do. */
static int build_hellos(struct flooring *f) {
  static const uint8_t kZeros[32];
  uint8_t random[64];
  memset(random, 0x33, sizeof(random));
  for (int v = 0; v < VERSIONS; v++) {
    struct tp_client_hello_opts opts = {
        .version = kVersions[v],
        .ciphers = TP_CIPHERS_BROAD,
        .session_id = kZeros,
    };
    static struct tp_hello_template t;
    if (!tp_hello_template_init(&t, &opts) ||
        !tp_hello_from_template(&t, NULL, random, random + 32, NULL, f->hello[v],
                                sizeof(f->hello[v]), &f->hello_len[v], NULL)) {
      return 0;
    }
  }
  return 1;
}

/* ud names op |op| of slot |c|'s current probe (slots.h's layout). */
static uint64_t ud(const struct flooring *f, unsigned op, uint32_t c) {
  return ud_pack(op, c, f->s[c].gen);
}

static void target_addr(uint32_t i, int port, struct sockaddr_in *out) {
  /* 127.1.0.0 upwards, as scan_bench.py's target_addr. */
  uint32_t n = (1u << 16) + i;
  memset(out, 0, sizeof(*out));
  out->sin_family = AF_INET;
  out->sin_port = htons((uint16_t)port);
  out->sin_addr.s_addr = htonl(127u << 24 | (n & 0xffffff));
}

static void set_timeout(struct __kernel_timespec *ts, unsigned ms) {
  ts->tv_sec = ms / 1000;
  ts->tv_nsec = (long long)(ms % 1000) * 1000000;
}

/* get_sqes takes |n| SQEs at once, submitting first if the queue is short
 * of them (io.c's get_sqes). */
static int get_sqes(struct flooring *f, struct io_uring_sqe **out, unsigned n) {
  if (io_uring_sq_space_left(&f->ring) < n) {
    io_uring_submit(&f->ring);
    if (io_uring_sq_space_left(&f->ring) < n) {
      return 0;
    }
  }
  for (unsigned i = 0; i < n; i++) {
    out[i] = io_uring_get_sqe(&f->ring);
  }
  return 1;
}

static void prep_send(struct flooring *f, struct io_uring_sqe *sqe, uint32_t c) {
  struct slot *s = &f->s[c];
  unsigned v = s->version;
  switch (f->o.send) {
    case SEND_PLAIN:
      io_uring_prep_send(sqe, (int)c, f->hello[v], f->hello_len[v], MSG_NOSIGNAL);
      break;
    case SEND_FIXED:
      io_uring_prep_send(sqe, (int)c, f->hellos_fixed + (size_t)v * TP_CLIENT_HELLO_MAX,
                         f->hello_len[v], MSG_NOSIGNAL);
      sqe->ioprio |= IORING_RECVSEND_FIXED_BUF;
      sqe->buf_index = 0;
      break;
    case SEND_ZC_FIXED:
      io_uring_prep_send_zc_fixed(sqe, (int)c, f->hellos_fixed + (size_t)v * TP_CLIENT_HELLO_MAX,
                                  f->hello_len[v], MSG_NOSIGNAL, 0, 0);
      break;
  }
  sqe->flags |= IOSQE_FIXED_FILE;
  io_uring_sqe_set_data64(sqe, ud(f, OP_SEND, c));
}

static void prep_recv(struct flooring *f, struct io_uring_sqe **sqe, uint32_t c) {
  struct slot *s = &f->s[c];
  io_uring_prep_recv(sqe[0], (int)c, NULL, BUF_SIZE, 0);
  sqe[0]->flags |= IOSQE_FIXED_FILE | IOSQE_IO_LINK | IOSQE_BUFFER_SELECT;
  sqe[0]->buf_group = BUF_GROUP;
  io_uring_sqe_set_data64(sqe[0], ud(f, OP_RECV, c));
  set_timeout(&s->recv_ts, f->o.timeout_ms);
  io_uring_prep_link_timeout(sqe[1], &s->recv_ts, 0);
  io_uring_sqe_set_data64(sqe[1], ud(f, OP_RECV_TIMEOUT, c));
}

static void submit_recv(struct flooring *f, uint32_t c) {
  struct io_uring_sqe *sqe[2];
  if (!get_sqes(f, sqe, 2)) {
    return;
  }
  prep_recv(f, sqe, c);
  f->s[c].pending += 2;
}

/* start_probe: the connect link of the engine's submit_connect (and, with
 * --chain, the hello and the first receive behind it). */
static void start_probe(struct flooring *f, uint32_t c) {
  struct slot *s = &f->s[c];
  unsigned n = f->o.chain ? 6 : 3;
  struct io_uring_sqe *sqe[6];
  if (!get_sqes(f, sqe, n)) {
    fprintf(stderr, "probe_floor: submission queue full\n");
    exit(2);
  }
  io_uring_prep_socket_direct(sqe[0], AF_INET, SOCK_STREAM, IPPROTO_TCP, c, 0);
  sqe[0]->flags |= IOSQE_IO_LINK;
  io_uring_sqe_set_data64(sqe[0], ud(f, OP_SOCKET, c));
  io_uring_prep_connect(sqe[1], (int)c, (struct sockaddr *)&s->addr, sizeof(s->addr));
  sqe[1]->flags |= IOSQE_FIXED_FILE | IOSQE_IO_LINK;
  io_uring_sqe_set_data64(sqe[1], ud(f, OP_CONNECT, c));
  set_timeout(&s->connect_ts, f->o.timeout_ms);
  io_uring_prep_link_timeout(sqe[2], &s->connect_ts, 0);
  io_uring_sqe_set_data64(sqe[2], ud(f, OP_CONNECT_TIMEOUT, c));
  if (f->o.chain) {
    sqe[2]->flags |= IOSQE_IO_LINK;
    prep_send(f, sqe[3], c);
    sqe[3]->flags |= IOSQE_IO_LINK;
    prep_recv(f, sqe + 4, c);
  }
  s->pending = (uint8_t)n;
  f->in_flight++;
}

static void fifo_push(struct flooring *f, uint32_t t) {
  f->fifo[(f->fifo_head + f->fifo_len++) % f->fifo_cap] = t;
}

static uint32_t fifo_pop(struct flooring *f) {
  uint32_t t = f->fifo[f->fifo_head];
  f->fifo_head = (f->fifo_head + 1) % f->fifo_cap;
  f->fifo_len--;
  return t;
}

/* give_slot starts target |t|'s next version on free slot |c|. */
static void give_slot(struct flooring *f, uint32_t c, uint32_t t) {
  struct slot *s = &f->s[c];
  s->target = t;
  s->version = f->version_next[t]++;
  target_addr(t, f->o.port, &s->addr);
  s->got = 0;
  s->hdr_len = 0;
  s->closing = 0;
  s->failed = 0;
  s->broken = 0;
  start_probe(f, c);
}

/* start_round is the engine's take_targets and start_connections: new
 * targets join the FIFO's tail while fewer than 1.5 per slot are in use,
 * then free slots take the head's next version. With --order slot, a slot
 * whose target has versions left keeps it. */
static void start_round(struct flooring *f) {
  for (uint32_t k = 0; k < f->nkeep; k++) {
    give_slot(f, f->keep[k], f->s[f->keep[k]].target);
  }
  f->nkeep = 0;
  uint32_t cap = f->o.concurrency + f->o.concurrency / 2 + 8;
  while (f->targets_used < cap && f->next_target < f->o.targets) {
    fifo_push(f, f->next_target++);
    f->targets_used++;
  }
  while (f->nfree > 0 && f->fifo_len > 0) {
    give_slot(f, f->free_slots[--f->nfree], fifo_pop(f));
  }
}

/* probe_ended frees slot |c|, and sends its target back to the FIFO's tail
 * if it has versions left (conn_settle's fifo_push). */
static void probe_ended(struct flooring *f, uint32_t c) {
  struct slot *s = &f->s[c];
  f->in_flight--;
  s->gen++;
  uint32_t t = s->target;
  if (f->version_next[t] < VERSIONS) {
    if (f->o.slot_order) {
      f->keep[f->nkeep++] = c;
      return;
    }
    fifo_push(f, t);
  } else {
    f->targets_used--;
  }
  f->free_slots[f->nfree++] = c;
}

/* setsockopt through the ring (IORING_OP_URING_CMD on a socket, Linux 6.7),
 * newer than Debian 12's liburing headers, as scanner/engine/io.c spells it:
 * level and optname share addr, optlen is splice_fd_in, optval is addr3. */
#define SOCKET_CMD_SETSOCKOPT 3
static const struct linger kLingerReset = {.l_onoff = 1, .l_linger = 0};

static void close_slot(struct flooring *f, uint32_t c) {
  struct slot *s = &f->s[c];
  if (s->closing) {
    return;
  }
  s->closing = 1;
  f->n.probes++;
  if (s->failed) {
    return;
  }
  unsigned n = f->o.close_reset ? 2 : 1;
  struct io_uring_sqe *sqe[2];
  if (!get_sqes(f, sqe, n)) {
    return;
  }
  if (f->o.close_reset) {
    io_uring_prep_rw(IORING_OP_URING_CMD, sqe[0], (int)c, NULL, 0, 0);
    sqe[0]->cmd_op = SOCKET_CMD_SETSOCKOPT;
    sqe[0]->addr = (uint64_t)SOL_SOCKET | (uint64_t)SO_LINGER << 32;
    sqe[0]->splice_fd_in = (int32_t)sizeof(kLingerReset);
    sqe[0]->addr3 = (uint64_t)(uintptr_t)&kLingerReset;
    /* A hard link: the close runs even if the setsockopt fails. */
    sqe[0]->flags |= IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK;
    io_uring_sqe_set_data64(sqe[0], ud(f, OP_LINGER, c));
  }
  io_uring_prep_close_direct(sqe[n - 1], c);
  io_uring_sqe_set_data64(sqe[n - 1], ud(f, OP_CLOSE, c));
  s->pending += (uint8_t)n;
}

/* on_recv: bytes, EOF or an error; only the record header is looked at. */
static void on_recv(struct flooring *f, uint32_t c, int res, const uint8_t *data) {
  struct slot *s = &f->s[c];
  if (s->closing) {
    return;
  }
  if (res == -ENOBUFS) {
    if (f->o.enobufs_resubmit) {
      submit_recv(f, c);
    } else {
      /* conn.c: wait, pending, for the batch's buffers (recvs_hand_out). */
      s->pending++;
      f->rwait[(f->rwait_head + f->rwait_len++) % f->o.concurrency] = c;
    }
    return;
  }
  if (res <= 0) {
    if (res == 0) {
      f->n.short_answers += s->got > 0;
      f->n.recv_failed += s->got == 0;
    } else if (res == -ECANCELED) {
      f->n.timeouts++;
    } else {
      f->n.recv_failed++;
    }
    close_slot(f, c);
    return;
  }
  for (int k = 0; k < res && s->hdr_len < 5; k++) {
    s->hdr[s->hdr_len++] = data[k];
  }
  s->got += (uint32_t)res;
  if (s->hdr_len == 5 && s->got >= 5u + (uint32_t)(s->hdr[3] << 8 | s->hdr[4])) {
    f->n.answers++;
    close_slot(f, c);
    return;
  }
  submit_recv(f, c);
}

static void on_connect(struct flooring *f, uint32_t c, int res) {
  struct slot *s = &f->s[c];
  if (res < 0) {
    f->n.connect_failed++;
    if (f->o.chain) {
      s->broken = 1; /* the cancelled receive behind it closes the slot */
    } else {
      close_slot(f, c);
    }
    return;
  }
  if (f->o.chain) {
    return;
  }
  struct io_uring_sqe *sqe[3];
  if (!get_sqes(f, sqe, 3)) {
    close_slot(f, c);
    return;
  }
  prep_send(f, sqe[0], c);
  prep_recv(f, sqe + 1, c);
  s->pending += 3;
}

static void on_cqe(struct flooring *f, struct io_uring_cqe *cqe) {
  uint64_t data64 = io_uring_cqe_get_data64(cqe);
  const uint8_t *data = NULL;
  if (cqe->flags & IORING_CQE_F_BUFFER) {
    unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
    data = f->bufs + (size_t)bid * BUF_SIZE;
    /* Read before the buffer goes back: it is published after the batch. */
    io_uring_buf_ring_add(f->br, f->bufs + (size_t)bid * BUF_SIZE, BUF_SIZE, (unsigned short)bid,
                          io_uring_buf_ring_mask(f->nbufs), (int)f->bufs_returned++);
  }
  uint32_t c = ud_index(data64);
  if (c >= f->o.concurrency || ud_gen(data64) != f->s[c].gen) {
    return; /* late completion for a probe that has ended */
  }
  struct slot *s = &f->s[c];
  s->pending--;
  switch ((enum op)ud_op(data64)) {
    case OP_SOCKET:
      if (cqe->res < 0) {
        s->failed = 1;
      }
      break;
    case OP_CONNECT:
      on_connect(f, c, cqe->res);
      break;
    case OP_SEND:
      if (cqe->flags & IORING_CQE_F_MORE) {
        s->pending++; /* SEND_ZC: its notification is still to come */
      }
      if (cqe->flags & IORING_CQE_F_NOTIF) {
        break;
      }
      if (cqe->res == -EINVAL || cqe->res == -EOPNOTSUPP) {
        f->refused = cqe->res;
      }
      if (cqe->res < 0 && cqe->res != -ECANCELED) {
        f->n.send_failed++;
        s->broken = 1;
      }
      break;
    case OP_RECV:
      if (s->broken) {
        /* --chain: the link broke before the receive ran (the failure is
         * counted where it happened). */
        close_slot(f, c);
        break;
      }
      on_recv(f, c, cqe->res, data);
      break;
    case OP_LINGER:
      if (cqe->res < 0) {
        f->refused = cqe->res;
      }
      break;
    case OP_CONNECT_TIMEOUT:
    case OP_RECV_TIMEOUT:
    case OP_CLOSE:
      break;
  }
  if (s->closing && s->pending == 0) {
    probe_ended(f, c);
  }
}

static int ring_init(struct flooring *f) {
  unsigned entries = 1;
  while (entries < f->o.concurrency * 3 + 64 && entries < RING_MAX_SQ) {
    entries <<= 1;
  }
  unsigned cq = entries * 4 < RING_MAX_CQ ? entries * 4 : RING_MAX_CQ;
  int rc;
  if (f->o.setup == SETUP_COOP) {
    rc = ring_setup(&f->ring, entries, cq);
  } else {
    struct io_uring_params p;
    memset(&p, 0, sizeof(p));
    p.flags = IORING_SETUP_CQSIZE;
    p.cq_entries = cq;
    if (f->o.setup == SETUP_DEFER) {
      p.flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    } else if (f->o.setup == SETUP_SQPOLL) {
      p.flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_SQPOLL;
      p.sq_thread_idle = 100;
    }
    rc = io_uring_queue_init_params(entries, &f->ring, &p);
  }
  if (rc < 0) {
    return rc;
  }
  if (f->o.ring_fd && (rc = io_uring_register_ring_fd(&f->ring)) < 0) {
    return rc;
  }
  if ((rc = io_uring_register_files_sparse(&f->ring, f->o.concurrency)) < 0) {
    return rc;
  }
  if (f->o.send != SEND_PLAIN) {
    f->hellos_fixed = mmap(NULL, VERSIONS * TP_CLIENT_HELLO_MAX, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (f->hellos_fixed == MAP_FAILED) {
      return -ENOMEM;
    }
    for (int v = 0; v < VERSIONS; v++) {
      memcpy(f->hellos_fixed + (size_t)v * TP_CLIENT_HELLO_MAX, f->hello[v], f->hello_len[v]);
    }
    struct iovec iov = {.iov_base = f->hellos_fixed, .iov_len = VERSIONS * TP_CLIENT_HELLO_MAX};
    if ((rc = io_uring_register_buffers(&f->ring, &iov, 1)) < 0) {
      return rc;
    }
  }
  /* The engine's provided buffers (io.c's bufs_init). */
  unsigned n = 32;
  while (n < f->o.concurrency / 8 && n < 1024) {
    n <<= 1;
  }
  f->nbufs = n;
  f->br_len = n * sizeof(struct io_uring_buf);
  void *br = mmap(NULL, f->br_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  f->bufs = malloc((size_t)n * BUF_SIZE);
  if (br == MAP_FAILED || f->bufs == NULL) {
    return -ENOMEM;
  }
  f->br = br;
  struct io_uring_buf_reg reg;
  memset(&reg, 0, sizeof(reg));
  reg.ring_addr = (uint64_t)(uintptr_t)br;
  reg.ring_entries = n;
  reg.bgid = BUF_GROUP;
  if ((rc = io_uring_register_buf_ring(&f->ring, &reg, 0)) < 0) {
    return rc;
  }
  io_uring_buf_ring_init(f->br);
  for (unsigned i = 0; i < n; i++) {
    io_uring_buf_ring_add(f->br, f->bufs + (size_t)i * BUF_SIZE, BUF_SIZE, (unsigned short)i,
                          io_uring_buf_ring_mask(n), (int)i);
  }
  io_uring_buf_ring_advance(f->br, (int)n);
  return 0;
}

/* The kernel's io_uring_getevents_arg since 6.12: the liburing 2.3 header
 * calls min_wait_usec "pad". */
struct getevents_arg {
  uint64_t sigmask;
  uint32_t sigmask_sz;
  uint32_t min_wait_usec;
  uint64_t ts;
};

/* submit_and_wait_min is io_uring_submit_and_wait_timeout with a
 * min_wait_usec: one io_uring_enter that submits what is queued and waits
 * for |wait_nr| completions, or one once |min_us| passed, or |ts|. */
static int submit_and_wait_min(struct io_uring *ring, unsigned wait_nr, unsigned min_us,
                               struct __kernel_timespec *ts) {
  struct io_uring_sq *sq = &ring->sq;
  unsigned tail = sq->sqe_tail;
  if (sq->sqe_head != tail) {
    sq->sqe_head = tail;
    io_uring_smp_store_release(sq->ktail, tail);
  }
  unsigned submit = tail - io_uring_smp_load_acquire(sq->khead);
  struct getevents_arg arg = {
      .sigmask_sz = _NSIG / 8,
      .min_wait_usec = min_us,
      .ts = (uint64_t)(uintptr_t)ts,
  };
  unsigned flags = IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG;
  int fd = ring->ring_fd;
  if (ring->int_flags & 1 /* INT_FLAG_REG_RING */) {
    flags |= IORING_ENTER_REGISTERED_RING;
    fd = ring->enter_ring_fd;
  }
  if (ring->flags & IORING_SETUP_SQPOLL) {
    flags |= IORING_ENTER_SQ_WAKEUP;
  }
  int rc = (int)syscall(__NR_io_uring_enter, fd, submit, wait_nr, flags, &arg, sizeof(arg));
  return rc < 0 ? -errno : rc;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int usage(void) {
  fprintf(stderr,
          "usage: probe_floor --targets N --port P [--concurrency C] [--timeout-ms T]\n"
          "       [--setup coop|defer|sqpoll|plain] [--send plain|fixed|zc-fixed]\n"
          "       [--wait-nr K] [--min-wait-us U] [--chain] [--ring-fd]\n"
          "       [--close fin|reset] [--order fifo|slot] [--enobufs wait|resubmit]\n");
  return 1;
}

static int parse(int argc, char **argv, struct options *o) {
  memset(o, 0, sizeof(*o));
  o->port = 4433;
  o->concurrency = 2000;
  o->timeout_ms = 5000;
  o->wait_nr = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--chain") == 0) {
      o->chain = 1;
      continue;
    }
    if (strcmp(a, "--ring-fd") == 0) {
      o->ring_fd = 1;
      continue;
    }
    if (v == NULL) {
      return 0;
    }
    i++;
    if (strcmp(a, "--targets") == 0) {
      o->targets = (unsigned)strtoul(v, NULL, 10);
    } else if (strcmp(a, "--port") == 0) {
      o->port = atoi(v);
    } else if (strcmp(a, "--concurrency") == 0) {
      o->concurrency = (unsigned)strtoul(v, NULL, 10);
    } else if (strcmp(a, "--timeout-ms") == 0) {
      o->timeout_ms = (unsigned)strtoul(v, NULL, 10);
    } else if (strcmp(a, "--wait-nr") == 0) {
      o->wait_nr = (unsigned)strtoul(v, NULL, 10);
    } else if (strcmp(a, "--min-wait-us") == 0) {
      o->min_wait_us = (unsigned)strtoul(v, NULL, 10);
    } else if (strcmp(a, "--setup") == 0) {
      static const char *const kSetups[] = {"coop", "defer", "sqpoll", "plain"};
      int k = 0;
      while (k < 4 && strcmp(v, kSetups[k]) != 0) {
        k++;
      }
      if (k == 4) {
        return 0;
      }
      o->setup = (enum setup)k;
    } else if (strcmp(a, "--order") == 0) {
      if (strcmp(v, "fifo") != 0 && strcmp(v, "slot") != 0) {
        return 0;
      }
      o->slot_order = strcmp(v, "slot") == 0;
    } else if (strcmp(a, "--enobufs") == 0) {
      if (strcmp(v, "wait") != 0 && strcmp(v, "resubmit") != 0) {
        return 0;
      }
      o->enobufs_resubmit = strcmp(v, "resubmit") == 0;
    } else if (strcmp(a, "--close") == 0) {
      if (strcmp(v, "fin") != 0 && strcmp(v, "reset") != 0) {
        return 0;
      }
      o->close_reset = strcmp(v, "reset") == 0;
    } else if (strcmp(a, "--send") == 0) {
      static const char *const kSends[] = {"plain", "fixed", "zc-fixed"};
      int k = 0;
      while (k < 3 && strcmp(v, kSends[k]) != 0) {
        k++;
      }
      if (k == 3) {
        return 0;
      }
      o->send = (enum send_kind)k;
    } else {
      return 0;
    }
  }
  return o->targets > 0 && o->concurrency > 0 && o->concurrency < SLOT_MAX && o->wait_nr > 0 &&
         o->port > 0 && o->port < 65536;
}

int main(int argc, char **argv) {
  static struct flooring f;
  if (!parse(argc, argv, &f.o)) {
    return usage();
  }
  if (!build_hellos(&f)) {
    fprintf(stderr, "probe_floor: cannot build the hellos\n");
    return 2;
  }
  f.s = calloc(f.o.concurrency, sizeof(*f.s));
  f.free_slots = calloc(f.o.concurrency, sizeof(*f.free_slots));
  f.keep = calloc(f.o.concurrency, sizeof(*f.keep));
  f.rwait = calloc(f.o.concurrency, sizeof(*f.rwait));
  f.fifo_cap = f.o.concurrency + f.o.concurrency / 2 + 8;
  f.fifo = calloc(f.fifo_cap, sizeof(*f.fifo));
  f.version_next = calloc(f.o.targets, 1);
  if (f.s == NULL || f.free_slots == NULL || f.keep == NULL || f.rwait == NULL || f.fifo == NULL ||
      f.version_next == NULL) {
    fprintf(stderr, "probe_floor: out of memory\n");
    return 2;
  }
  int rc = ring_init(&f);
  if (rc < 0) {
    fprintf(stderr, "probe_floor: ring set-up: %s\n", strerror(-rc));
    return rc == -EINVAL || rc == -EOPNOTSUPP ? 3 : 2;
  }
  /* Lowest slots first, as slot_take hands them out. */
  for (uint32_t k = f.o.concurrency; k > 0; k--) {
    f.free_slots[f.nfree++] = k - 1;
  }
  double start = now_s();
  struct __kernel_timespec wait = {.tv_sec = 0, .tv_nsec = 100000000};
  for (;;) {
    start_round(&f);
    if (f.in_flight == 0) {
      break;
    }
    unsigned want = f.o.wait_nr < f.in_flight ? f.o.wait_nr : f.in_flight;
    struct io_uring_cqe *cqe;
    if (f.o.min_wait_us > 0) {
      rc = submit_and_wait_min(&f.ring, want, f.o.min_wait_us, &wait);
    } else {
      rc = io_uring_submit_and_wait_timeout(&f.ring, &cqe, want, &wait, NULL);
    }
    if (rc < 0 && rc != -ETIME && rc != -EINTR) {
      fprintf(stderr, "probe_floor: wait: %s\n", strerror(-rc));
      return rc == -EINVAL ? 3 : 2;
    }
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&f.ring, head, cqe) {
      on_cqe(&f, cqe);
      seen++;
    }
    io_uring_cq_advance(&f.ring, seen);
    if (f.bufs_returned > 0) {
      io_uring_buf_ring_advance(f.br, (int)f.bufs_returned);
      f.bufs_returned = 0;
    }
    for (unsigned k = f.nbufs - f.nbufs / 4; k > 0 && f.rwait_len > 0; k--) {
      uint32_t c = f.rwait[f.rwait_head];
      f.rwait_head = (f.rwait_head + 1) % f.o.concurrency;
      f.rwait_len--;
      f.s[c].pending--;
      if (!f.s[c].closing) {
        submit_recv(&f, c);
      } else if (f.s[c].pending == 0) {
        probe_ended(&f, c);
      }
    }
    if (f.refused) {
      fprintf(stderr, "probe_floor: the kernel refused a chosen request: %s\n",
              strerror(-f.refused));
      return 3;
    }
  }
  double wall = now_s() - start;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
  printf("{\"probes\":%lu,\"answers\":%lu,\"short_answers\":%lu,\"connect_failed\":%lu,"
         "\"send_failed\":%lu,\"recv_failed\":%lu,\"timeouts\":%lu,\"wall_s\":%.3f,"
         "\"cpu_s\":%.3f,\"probes_per_s\":%.0f,\"hello_bytes\":[%zu,%zu,%zu,%zu,%zu]}\n",
         f.n.probes, f.n.answers, f.n.short_answers, f.n.connect_failed, f.n.send_failed,
         f.n.recv_failed, f.n.timeouts, wall, cpu, (double)f.n.probes / wall, f.hello_len[0],
         f.hello_len[1], f.hello_len[2], f.hello_len[3], f.hello_len[4]);
  io_uring_queue_exit(&f.ring);
  return 0;
}
