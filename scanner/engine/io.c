/* scanner/engine/io.c: the engine's submissions to the ring.
 *
 * A connection is one chain of operations on its slot, whose index is also
 * its file in the ring's registered table:
 *
 *   SOCKET(direct, slot) [-> BIND] -> CONNECT(fixed) -> LINK_TIMEOUT   (one link)
 *   SEND  ...  RECV -> LINK_TIMEOUT   [RECV -> LINK_TIMEOUT ...]
 *   [SETSOCKOPT(SO_LINGER) =>] CLOSE(direct)
 *
 * user_data packs the op, the slot and the slot's generation (slots.h), so a
 * late completion for a slot that moved on is recognised and dropped; a
 * slot counts the completions it still expects and is freed only when none
 * are outstanding. A linked timeout's timespec lives in the connection.
 * Receives take their buffer from a ring of provided buffers
 * (IORING_REGISTER_PBUF_RING) when data arrives, not when they are
 * submitted, so a connection waiting for an answer holds no buffer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "scanner/engine/internal.h"

/* IORING_OP_BIND (Linux 6.11): newer than the liburing headers Debian 12
 * ships, so spelled out here; engine_init asks the kernel whether it has it
 * before --source-ip uses it. */
#ifndef IORING_OP_BIND
#define IORING_OP_BIND 56
#endif

/* The provided buffers' group, and the size of one: a ServerHello and more
 * (the rest waits in the socket for the next receive). */
#define BUF_GROUP 1
#define BUF_SIZE 2048

/* setsockopt through the ring (IORING_OP_URING_CMD on a socket, Linux 6.7),
 * also newer than those headers: the sub-command, and where the kernel reads
 * its arguments (level and optname share addr, optlen is splice_fd_in,
 * optval is addr3). */
#define SOCKET_CMD_SETSOCKOPT 3
static void prep_setsockopt_fixed(struct io_uring_sqe *sqe, int fixed, int level, int optname,
                                  const void *optval, uint32_t optlen) {
  io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fixed, NULL, 0, 0);
  sqe->cmd_op = SOCKET_CMD_SETSOCKOPT;
  sqe->addr = (uint64_t)(uint32_t)level | (uint64_t)(uint32_t)optname << 32;
  sqe->splice_fd_in = (int32_t)optlen;
  sqe->addr3 = (uint64_t)(uintptr_t)optval;
  sqe->flags |= IOSQE_FIXED_FILE;
}

/* tlssweep bench closes with SO_LINGER {1, 0}: a reset, so neither side
 * keeps a TIME_WAIT socket and a long run to one address and port never
 * runs out of ephemeral ports (28k per minute here), whatever the sysctls. */
static const struct linger linger_reset = {.l_onoff = 1, .l_linger = 0};

int get_sqes(struct engine *e, struct io_uring_sqe **out, unsigned n) {
  if (io_uring_sq_space_left(&e->ring) < n) {
    io_uring_submit(&e->ring);
    if (io_uring_sq_space_left(&e->ring) < n) {
      return 0;
    }
  }
  for (unsigned i = 0; i < n; i++) {
    out[i] = io_uring_get_sqe(&e->ring);
  }
  return 1;
}

void set_timeout(struct __kernel_timespec *ts, uint32_t ms) {
  ts->tv_sec = ms / 1000;
  ts->tv_nsec = (long long)(ms % 1000) * 1000000;
}

/* next_source returns the --source-ip address for the next connection to
 * |family| (round robin), or NULL when none was given for it. */
static const struct sockaddr_storage *next_source(struct engine *e, int family) {
  const struct scan_config *cfg = e->cfg;
  for (unsigned tries = 0; tries < cfg->nsources; tries++) {
    const struct sockaddr_storage *s = &cfg->sources[e->next_source++ % cfg->nsources];
    if (s->ss_family == family) {
      return s;
    }
  }
  return NULL;
}

void submit_connect(struct engine *e, uint32_t c) {
  struct conn *cn = conn_at(e, c);
  struct target_state *ts = target_of(e, cn);
  int family = ts->addr.sa.sa_family;
  const struct sockaddr_storage *src = next_source(e, family);
  unsigned n = src != NULL ? 4 : 3;
  struct io_uring_sqe *sqe[4];
  if (!get_sqes(e, sqe, n)) {
    cn->socket_error = EBUSY;
    conn_fail(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_CONNECT, EBUSY);
    conn_settle(e, c);
    return;
  }
  unsigned k = 0;
  io_uring_prep_socket_direct(sqe[k], family, SOCK_STREAM, IPPROTO_TCP, c, 0);
  sqe[k]->flags |= IOSQE_IO_LINK;
  io_uring_sqe_set_data64(sqe[k++], slot_ud(&e->slots, OP_SOCKET, c));
  if (src != NULL) {
    /* bind(fd, src, len): the address in addr, its length in off. */
    io_uring_prep_rw(IORING_OP_BIND, sqe[k], (int)c, src, 0,
                     family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
    sqe[k]->flags |= IOSQE_FIXED_FILE | IOSQE_IO_LINK;
    io_uring_sqe_set_data64(sqe[k++], slot_ud(&e->slots, OP_BIND, c));
  }
  io_uring_prep_connect(sqe[k], (int)c, &ts->addr.sa, ts->addrlen);
  sqe[k]->flags |= IOSQE_FIXED_FILE | IOSQE_IO_LINK;
  io_uring_sqe_set_data64(sqe[k++], slot_ud(&e->slots, OP_CONNECT, c));
  set_timeout(&cn->ts, e->cfg->timeout_ms);
  io_uring_prep_link_timeout(sqe[k], &cn->ts, 0);
  io_uring_sqe_set_data64(sqe[k++], slot_ud(&e->slots, OP_CONNECT_TIMEOUT, c));
  cn->pending = (uint16_t)k;
}

void submit_recv(struct engine *e, uint32_t c) {
  struct conn *cn = conn_at(e, c);
  /* Each read waits at most --timeout, and the whole connection at most its
   * deadline: a server that trickles a byte now and then must not hold a
   * slot for hours. */
  uint64_t now = now_ns();
  if (now >= cn->deadline_ns) {
    conn_fail(e, c, OUTCOME_TIMEOUT, REJECT_NONE, STAGE_RECV, 0);
    return;
  }
  uint64_t left_ms = (cn->deadline_ns - now) / 1000000 + 1;
  struct io_uring_sqe *sqe[2];
  if (!get_sqes(e, sqe, 2)) {
    conn_fail(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_RECV, EBUSY);
    return;
  }
  set_timeout(&cn->ts, left_ms < e->cfg->timeout_ms ? (uint32_t)left_ms : e->cfg->timeout_ms);
  io_uring_prep_recv(sqe[0], (int)c, NULL, BUF_SIZE, 0);
  sqe[0]->flags |= IOSQE_FIXED_FILE | IOSQE_IO_LINK | IOSQE_BUFFER_SELECT;
  sqe[0]->buf_group = BUF_GROUP;
  io_uring_sqe_set_data64(sqe[0], slot_ud(&e->slots, OP_RECV, c));
  io_uring_prep_link_timeout(sqe[1], &cn->ts, 0);
  io_uring_sqe_set_data64(sqe[1], slot_ud(&e->slots, OP_RECV_TIMEOUT, c));
  cn->pending += 2;
  cn->flags |= CONN_RECV_INFLIGHT;
}

void submit_send(struct engine *e, uint32_t c) {
  struct conn *cn = conn_at(e, c);
  struct io_uring_sqe *sqe;
  if (!get_sqes(e, &sqe, 1)) {
    conn_fail(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_SEND, EBUSY);
    return;
  }
  io_uring_prep_send(sqe, (int)c, cn->tx + cn->sent, cn->tx_len - cn->sent, MSG_NOSIGNAL);
  sqe->flags |= IOSQE_FIXED_FILE;
  io_uring_sqe_set_data64(sqe, slot_ud(&e->slots, OP_SEND, c));
  cn->pending++;
  cn->flags |= CONN_SEND_INFLIGHT;
}

void send_bytes(struct engine *e, uint32_t c, const uint8_t *p, size_t len) {
  struct conn *cn = conn_at(e, c);
  if (cn->flags & CONN_SEND_INFLIGHT) {
    cn->tx_next = p;
    cn->tx_next_len = (uint32_t)len;
    return;
  }
  cn->tx = p;
  cn->tx_len = (uint32_t)len;
  cn->sent = 0;
  submit_send(e, c);
}

void close_conn(struct engine *e, uint32_t c) {
  struct conn *cn = conn_at(e, c);
  if (cn->state == CONN_CLOSING) {
    return;
  }
  cn->state = CONN_CLOSING;
  if (cn->socket_error != 0) {
    return; /* no socket was ever installed in the slot */
  }
  /* A receive still waiting (the connection ended on a send error) holds
   * the socket open until its timeout: cancel it so the slot frees now. */
  struct io_uring_sqe *sqe[3];
  unsigned linger = e->reset_close != 0;
  unsigned recv = (cn->flags & CONN_RECV_INFLIGHT) != 0;
  unsigned n = linger + 1 + recv;
  if (!get_sqes(e, sqe, n)) {
    return;
  }
  if (recv) {
    io_uring_prep_cancel64(sqe[n - 1], slot_ud(&e->slots, OP_RECV, c), 0);
    io_uring_sqe_set_data64(sqe[n - 1], slot_ud(&e->slots, OP_CANCEL, c));
    cn->pending++;
  }
  if (linger) {
    /* A hard link: the close runs even if the setsockopt fails. */
    prep_setsockopt_fixed(sqe[0], (int)c, SOL_SOCKET, SO_LINGER, &linger_reset,
                          sizeof(linger_reset));
    sqe[0]->flags |= IOSQE_IO_HARDLINK;
    io_uring_sqe_set_data64(sqe[0], slot_ud(&e->slots, OP_LINGER, c));
    cn->pending++;
  }
  io_uring_prep_close_direct(sqe[linger], c);
  io_uring_sqe_set_data64(sqe[linger], slot_ud(&e->slots, OP_CLOSE, c));
  cn->pending++;
}

/* ---- provided receive buffers ---------------------------------------------- */

int bufs_init(struct engine *e) {
  /* Enough for the answers of one busy batch; a receive that finds none
   * free fails with ENOBUFS and is submitted again (conn.c). */
  unsigned n = 32;
  while (n < e->nconn / 8 && n < 1024) {
    n <<= 1;
  }
  e->nbufs = n;
  e->br_len = n * sizeof(struct io_uring_buf);
  void *br = mmap(NULL, e->br_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (br == MAP_FAILED) {
    return -ENOMEM;
  }
  e->br = br;
  e->bufs = malloc((size_t)n * BUF_SIZE);
  if (e->bufs == NULL) {
    return -ENOMEM;
  }
  struct io_uring_buf_reg reg;
  memset(&reg, 0, sizeof(reg));
  reg.ring_addr = (uint64_t)(uintptr_t)br;
  reg.ring_entries = n;
  reg.bgid = BUF_GROUP;
  int rc = io_uring_register_buf_ring(&e->ring, &reg, 0);
  if (rc < 0) {
    return rc;
  }
  io_uring_buf_ring_init(e->br);
  for (unsigned i = 0; i < n; i++) {
    io_uring_buf_ring_add(e->br, e->bufs + (size_t)i * BUF_SIZE, BUF_SIZE, (unsigned short)i,
                          io_uring_buf_ring_mask(n), (int)i);
  }
  io_uring_buf_ring_advance(e->br, (int)n);
  return 0;
}

void bufs_free(struct engine *e) {
  if (e->br != NULL) {
    munmap(e->br, e->br_len);
    e->br = NULL;
  }
  free(e->bufs);
  e->bufs = NULL;
}

const uint8_t *buf_bytes(const struct engine *e, unsigned bid) {
  return e->bufs + (size_t)bid * BUF_SIZE;
}

void buf_give_back(struct engine *e, unsigned bid) {
  io_uring_buf_ring_add(e->br, e->bufs + (size_t)bid * BUF_SIZE, BUF_SIZE, (unsigned short)bid,
                        io_uring_buf_ring_mask(e->nbufs), (int)e->bufs_returned++);
}

void bufs_publish(struct engine *e) {
  if (e->bufs_returned > 0) {
    io_uring_buf_ring_advance(e->br, (int)e->bufs_returned);
    e->bufs_returned = 0;
  }
}
