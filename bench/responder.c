/* bench/responder.c: a fast fake TLS server for the scan benchmark.
 *
 *   responder --port P [--duration S] [--slots N]
 *
 * Listens on 0.0.0.0:P (the benchmark runs it in a network namespace of its
 * own, where every 127.a.b.c reaches it and nothing outside can), reads each
 * connection's ClientHello record, and answers as a server with the version
 * range of policy (b * 256 + c) % 8 of the address the client dialled: a
 * ServerHello built with tlsparse, or a protocol_version alert, then closes.
 * So the ground truth of every one of thousands of targets is known without
 * a TLS library, and the server costs a few microseconds per connection.
 * One io_uring loop: multishot accept, recv, send linked to close; fixed
 * slots with generations in user_data, as in the scanner. Port P+1 answers
 * the same way after an SMTP STARTTLS dialogue (greeting, EHLO with
 * STARTTLS, 220), for the STARTTLS benchmark.
 *
 * Policies (must match bench/scan_bench.py):
 *   0: 1.0   1: 1.0-1.1   2: 1.0-1.2   3: 1.0-1.3
 *   4: 1.2   5: 1.2-1.3   6: 1.3       7: 1.1-1.2
 * A hello pinned above the range gets a ServerHello at the top of the range
 * (version_mismatch), unless it is a TLS 1.3 hello, which a server that knows
 * supported_versions refuses with protocol_version (RFC 8446, 4.2.1), as
 * BoringSSL and OpenSSL do; below the range, and SSLv3, get protocol_version. */
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench/answer.h"
#include "scanner/engine/ring.h"
#include "scanner/engine/slots.h"
#include "tlsparse/tlsparse.h"

enum { OP_ACCEPT = 1, OP_ACCEPT_SMTP, OP_RECV, OP_SEND, OP_CLOSE };

static const uint16_t kPolicies[8][2] = {
    {TP_TLS10, TP_TLS10}, {TP_TLS10, TP_TLS11}, {TP_TLS10, TP_TLS12}, {TP_TLS10, TP_TLS13},
    {TP_TLS12, TP_TLS12}, {TP_TLS12, TP_TLS13}, {TP_TLS13, TP_TLS13}, {TP_TLS11, TP_TLS12},
};

#define IN_CAP 2048
#define OUT_CAP 512

struct conn {
  int fd;
  int dialogue;        /* SMTP: still in the plaintext dialogue */
  size_t in_len;
  size_t out_len;
  uint16_t lo, hi;
  uint8_t in[IN_CAP];
  uint8_t out[OUT_CAP];
};

struct responder {
  struct io_uring ring;
  struct slot_pool slots;
  struct conn *conns;
  int listen_fd;
  int smtp_fd;
  unsigned long answered;
};

static struct io_uring_sqe *sqe_get(struct responder *r) {
  struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
  if (sqe == NULL) {
    io_uring_submit(&r->ring);
    sqe = io_uring_get_sqe(&r->ring);
  }
  return sqe;
}

static void arm_accept(struct responder *r, int smtp) {
  struct io_uring_sqe *sqe = sqe_get(r);
  io_uring_prep_multishot_accept(sqe, smtp ? r->smtp_fd : r->listen_fd, NULL, NULL, SOCK_CLOEXEC);
  io_uring_sqe_set_data64(sqe, ud_pack(smtp ? OP_ACCEPT_SMTP : OP_ACCEPT, 0, 0));
}

static void send_text(struct responder *r, uint32_t i, const char *text) {
  struct io_uring_sqe *sqe = sqe_get(r);
  io_uring_prep_send(sqe, r->conns[i].fd, text, strlen(text), MSG_NOSIGNAL);
  io_uring_sqe_set_data64(sqe, slot_ud(&r->slots, OP_SEND, i));
}

static void arm_recv(struct responder *r, uint32_t i) {
  struct conn *c = &r->conns[i];
  struct io_uring_sqe *sqe = sqe_get(r);
  io_uring_prep_recv(sqe, c->fd, c->in + c->in_len, IN_CAP - c->in_len, 0);
  io_uring_sqe_set_data64(sqe, slot_ud(&r->slots, OP_RECV, i));
}

static void close_conn(struct responder *r, uint32_t i) {
  struct io_uring_sqe *sqe = sqe_get(r);
  io_uring_prep_close(sqe, r->conns[i].fd);
  io_uring_sqe_set_data64(sqe, slot_ud(&r->slots, OP_CLOSE, i));
}

/* answer builds the reply to a complete ClientHello record into c->out. */
static void answer(struct conn *c) {
  bench_answer(c->in, c->in_len, c->lo, c->hi, c->out, sizeof(c->out), &c->out_len);
}

static void on_accept(struct responder *r, int res, unsigned flags, int smtp) {
  if (!(flags & IORING_CQE_F_MORE)) {
    arm_accept(r, smtp); /* the multishot ended (e.g. -ENFILE): start another */
  }
  if (res < 0) {
    return;
  }
  uint32_t i = slot_take(&r->slots);
  if (i == SLOT_NONE) {
    close(res);
    return;
  }
  struct conn *c = &r->conns[i];
  c->fd = res;
  c->in_len = 0;
  c->dialogue = smtp;
  struct sockaddr_in local;
  socklen_t len = sizeof(local);
  uint32_t a = 0;
  if (getsockname(res, (struct sockaddr *)&local, &len) == 0 && local.sin_family == AF_INET) {
    a = ntohl(local.sin_addr.s_addr);
  }
  unsigned policy = (((a >> 8) & 0xff) * 256 + (a & 0xff)) % 8;
  c->lo = kPolicies[policy][0];
  c->hi = kPolicies[policy][1];
  if (smtp) {
    send_text(r, i, "220 responder ESMTP\r\n");
  }
  arm_recv(r, i);
}

/* smtp_lines answers the complete client lines in c->in (a string constant
 * each, so sends need no buffer) and keeps any partial line. */
static void smtp_lines(struct responder *r, uint32_t i) {
  struct conn *c = &r->conns[i];
  size_t start = 0;
  for (size_t k = 0; k < c->in_len; k++) {
    if (c->in[k] != '\n') {
      continue;
    }
    const char *line = (const char *)c->in + start;
    if (strncasecmp(line, "EHLO", 4) == 0) {
      send_text(r, i, "250-responder\r\n250-PIPELINING\r\n250 STARTTLS\r\n");
    } else if (strncasecmp(line, "STARTTLS", 8) == 0) {
      send_text(r, i, "220 2.0.0 Ready to start TLS\r\n");
      c->dialogue = 0;
    } else {
      send_text(r, i, "502 5.5.2 Error: command not recognized\r\n");
    }
    start = k + 1;
  }
  memmove(c->in, c->in + start, c->in_len - start);
  c->in_len -= start;
}

static void on_recv(struct responder *r, uint32_t i, int res) {
  struct conn *c = &r->conns[i];
  if (res <= 0) {
    close_conn(r, i); /* the floor's connect-and-close, or a reset */
    return;
  }
  c->in_len += (size_t)res;
  if (c->dialogue) {
    smtp_lines(r, i);
    if (c->in_len >= IN_CAP) {
      close_conn(r, i);
    } else {
      arm_recv(r, i);
    }
    return;
  }
  size_t need = c->in_len >= 5 ? 5 + (size_t)(c->in[3] << 8 | c->in[4]) : 5;
  if (c->in_len < need && c->in_len < IN_CAP) {
    arm_recv(r, i);
    return;
  }
  answer(c);
  r->answered++;
  struct io_uring_sqe *sqe = sqe_get(r);
  io_uring_prep_send(sqe, c->fd, c->out, c->out_len, MSG_NOSIGNAL);
  /* A hard link: the close runs even when the send fails (a client that
   * already left), so the slot is always given back. */
  sqe->flags |= IOSQE_IO_HARDLINK;
  io_uring_sqe_set_data64(sqe, slot_ud(&r->slots, OP_SEND, i));
  close_conn(r, i);
}

/* listen_any listens on 0.0.0.0:|port| (inside the benchmark's namespace). */
static int listen_any(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(fd, 65535) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

int main(int argc, char **argv) {
  int port = 4433;
  long duration = 600;
  unsigned nslots = 32768;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--port") == 0) {
      port = atoi(argv[i + 1]);
    } else if (strcmp(argv[i], "--duration") == 0) {
      duration = atol(argv[i + 1]);
    } else if (strcmp(argv[i], "--slots") == 0) {
      nslots = (unsigned)atol(argv[i + 1]);
    } else {
      fprintf(stderr, "usage: responder --port P [--duration S] [--slots N]\n");
      return 1;
    }
  }
  struct responder r;
  memset(&r, 0, sizeof(r));
  r.conns = calloc(nslots, sizeof(*r.conns));
  if (r.conns == NULL || !slot_pool_init(&r.slots, nslots)) {
    fprintf(stderr, "responder: out of memory\n");
    return 2;
  }
  r.listen_fd = listen_any(port);
  r.smtp_fd = listen_any(port + 1);
  if (r.listen_fd < 0 || r.smtp_fd < 0) {
    fprintf(stderr, "responder: cannot listen on ports %d and %d: %s\n", port, port + 1,
            strerror(errno));
    return 2;
  }
  int rc = ring_setup(&r.ring, 8192, 65536);
  if (rc < 0) {
    fprintf(stderr, "responder: io_uring: %s\n", strerror(-rc));
    return 2;
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);
  arm_accept(&r, 0);
  arm_accept(&r, 1);
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  struct __kernel_timespec wait = {.tv_sec = 0, .tv_nsec = 200000000};
  while (!stop) {
    struct io_uring_cqe *cqe;
    rc = io_uring_submit_and_wait_timeout(&r.ring, &cqe, 1, &wait, NULL);
    if (rc < 0 && rc != -ETIME && rc != -EINTR) {
      fprintf(stderr, "responder: wait: %s\n", strerror(-rc));
      break;
    }
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&r.ring, head, cqe) {
      seen++;
      uint64_t ud = io_uring_cqe_get_data64(cqe);
      uint32_t i;
      switch (ud_op(ud)) {
        case OP_ACCEPT:
        case OP_ACCEPT_SMTP:
          on_accept(&r, cqe->res, cqe->flags, ud_op(ud) == OP_ACCEPT_SMTP);
          break;
        case OP_RECV:
          if (slot_lookup(&r.slots, ud, &i)) {
            on_recv(&r, i, cqe->res);
          }
          break;
        case OP_CLOSE:
          if (slot_lookup(&r.slots, ud, &i)) {
            slot_release(&r.slots, i);
          }
          break;
        default:
          break;
      }
    }
    io_uring_cq_advance(&r.ring, seen);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - start.tv_sec > duration) {
      break;
    }
  }
  fprintf(stderr, "responder: answered %lu hellos\n", r.answered);
  io_uring_queue_exit(&r.ring);
  close(r.listen_fd);
  close(r.smtp_fd);
  slot_pool_free(&r.slots);
  free(r.conns);
  return 0;
}
