/* bench/population.c: a population of internet-like TLS hosts, by address.
 *
 *   population --port P [--mix answer=80,drop=8,refuse=6,reset=4,silent=2]
 *              [--seed S] [--rtt lognormal:MEDIAN_MS:SIGMA | uniform]
 *              [--rtt-min-ms 20] [--rtt-max-ms 300] [--round-trips 2]
 *              [--duration S] [--slots N]
 *
 * A sibling of bench/responder.c for bench/internet_bench.py. In a network
 * namespace of the benchmark's own, it listens on 0.0.0.0:P, so every
 * 127.a.b.c:P reaches it, and plays a different host at each address. The
 * class of address A is fixed by a hash of A and the seed: with
 * u = splitmix64(A ^ S << 32) % 1000, the first class of --mix (in the
 * order given, per cent, summing to 100) whose cumulative share in tenths of
 * a per cent exceeds u. internet_bench.py computes the same, so the truth of
 * every address is known without asking:
 *
 *   answer  reads the ClientHello and answers it as the bench responder does
 *           (policy (b * 256 + c) % 8 of 127.a.b.c: a ServerHello or a
 *           protocol_version alert), then closes;
 *   reset   reads the ClientHello and resets the connection (SO_LINGER 0);
 *   silent  accepts and reads, and never answers (the client times out);
 *   drop    SYNs dropped: the benchmark's nftables rule drops every packet
 *           to these addresses in the namespace, so a connect times out;
 *   refuse  nobody listening: the nftables rule answers the SYN with a
 *           reset, so a connect is refused.
 * The last two never reach this program; a connection to either counts as
 * "unexpected" (the rules are missing) and is reset.
 *
 * Latency: loopback has no delay and this kernel no netem, so the TCP
 * handshake completes at once. Instead each answering or resetting host has
 * an RTT, drawn once per address from the same hash (log-normal with the
 * given median and sigma, or uniform, clipped to [min, max]), and its answer
 * (or reset) leaves --round-trips RTTs after the connection was accepted:
 * by default two, the TCP handshake's round trip that loopback made instant
 * plus the hello's own. A probe so holds its connection as long as it
 * would against a host that far away; what loopback cannot show is the SYN
 * in flight before the connect completes, which costs the client nothing.
 * The delays are io_uring timeouts (absolute, CLOCK_MONOTONIC).
 *
 * One io_uring loop: multishot accept, receive, timeout, send linked to
 * close; slots with generations in user_data, as in the scanner. The port
 * is bound with SO_REUSEPORT, so several populations can share the load
 * and each has RLIMIT_NOFILE's descriptors for its connections. At exit
 * (SIGTERM, or --duration) it prints one JSON line of counts to stdout. */
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "scanner/engine/ring.h"
#include "scanner/engine/slots.h"
#include "tlsparse/tlsparse.h"

enum op { OP_ACCEPT = 1, OP_RECV, OP_TIMEOUT, OP_SEND, OP_CLOSE };

enum host_class { CLASS_ANSWER, CLASS_DROP, CLASS_REFUSE, CLASS_RESET, CLASS_SILENT, CLASS_COUNT };
static const char *const kClassNames[CLASS_COUNT] = {"answer", "drop", "refuse", "reset",
                                                     "silent"};

/* Must match bench/responder.c and bench/scan_bench.py's POLICIES. */
static const uint16_t kPolicies[8][2] = {
    {TP_TLS10, TP_TLS10}, {TP_TLS10, TP_TLS11}, {TP_TLS10, TP_TLS12}, {TP_TLS10, TP_TLS13},
    {TP_TLS12, TP_TLS12}, {TP_TLS12, TP_TLS13}, {TP_TLS13, TP_TLS13}, {TP_TLS11, TP_TLS12},
};

#define IN_CAP 2048
#define OUT_CAP 512

struct conn {
  int fd;
  uint8_t cls;
  uint16_t lo, hi;
  size_t in_len;
  size_t out_len;
  struct __kernel_timespec due; /* absolute CLOCK_MONOTONIC */
  uint8_t in[IN_CAP];
  uint8_t out[OUT_CAP];
};

struct config {
  int port;
  long duration;
  unsigned slots;
  uint64_t seed;
  unsigned share[CLASS_COUNT]; /* tenths of a per cent, in --mix order */
  unsigned order[CLASS_COUNT];
  unsigned nclasses;
  int lognormal;
  double median_ms, sigma, min_ms, max_ms;
  double round_trips;
};

struct population {
  struct config cfg;
  struct io_uring ring;
  struct slot_pool slots;
  struct conn *conns;
  int listen_fd;
  unsigned long accepted[CLASS_COUNT];
  unsigned long answered, resets, peer_closed, refused_slots;
};

/* splitmix64's finaliser: internet_bench.py computes the same. */
static uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15u;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

static enum host_class class_of(const struct config *cfg, uint32_t addr) {
  unsigned u = (unsigned)(mix64((uint64_t)addr ^ cfg->seed << 32) % 1000);
  unsigned acc = 0;
  for (unsigned k = 0; k < cfg->nclasses; k++) {
    acc += cfg->share[k];
    if (u < acc) {
      return (enum host_class)cfg->order[k];
    }
  }
  return CLASS_ANSWER;
}

/* delay_ns is how long after accept host |addr| answers: --round-trips
 * times its RTT. */
static uint64_t delay_ns(const struct config *cfg, uint32_t addr) {
  uint64_t h = mix64((uint64_t)addr ^ cfg->seed << 32 ^ 0x5254540000000000u);
  /* Two uniforms in (0, 1) from the two halves of the hash. */
  double u1 = ((double)(h >> 32) + 0.5) / 4294967296.0;
  double u2 = ((double)(h & 0xffffffffu) + 0.5) / 4294967296.0;
  double rtt;
  if (cfg->lognormal) {
    double z = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2); /* Box-Muller */
    rtt = cfg->median_ms * exp(cfg->sigma * z);
  } else {
    rtt = cfg->min_ms + u1 * (cfg->max_ms - cfg->min_ms);
  }
  rtt = rtt < cfg->min_ms ? cfg->min_ms : rtt > cfg->max_ms ? cfg->max_ms : rtt;
  return (uint64_t)(rtt * cfg->round_trips * 1e6);
}

static struct io_uring_sqe *sqe_get(struct population *p) {
  struct io_uring_sqe *sqe = io_uring_get_sqe(&p->ring);
  if (sqe == NULL) {
    io_uring_submit(&p->ring);
    sqe = io_uring_get_sqe(&p->ring);
  }
  return sqe;
}

static void arm_accept(struct population *p) {
  struct io_uring_sqe *sqe = sqe_get(p);
  io_uring_prep_multishot_accept(sqe, p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
  io_uring_sqe_set_data64(sqe, ud_pack(OP_ACCEPT, 0, 0));
}

static void arm_recv(struct population *p, uint32_t i) {
  struct conn *c = &p->conns[i];
  struct io_uring_sqe *sqe = sqe_get(p);
  io_uring_prep_recv(sqe, c->fd, c->in + c->in_len, IN_CAP - c->in_len, 0);
  io_uring_sqe_set_data64(sqe, slot_ud(&p->slots, OP_RECV, i));
}

static void close_conn(struct population *p, uint32_t i) {
  struct io_uring_sqe *sqe = sqe_get(p);
  io_uring_prep_close(sqe, p->conns[i].fd);
  io_uring_sqe_set_data64(sqe, slot_ud(&p->slots, OP_CLOSE, i));
}

/* reset_conn closes with a reset (SO_LINGER {1, 0}). */
static void reset_conn(struct population *p, uint32_t i) {
  static const struct linger kReset = {.l_onoff = 1, .l_linger = 0};
  setsockopt(p->conns[i].fd, SOL_SOCKET, SO_LINGER, &kReset, sizeof(kReset));
  close_conn(p, i);
}

/* answer builds the reply to a complete ClientHello record into c->out, as
 * bench/responder.c does. */
static void answer(struct conn *c) {
  struct tp_client_hello_info hello;
  uint8_t random[32], share[32];
  memset(random, 0x5a, sizeof(random));
  memset(share, 0x42, sizeof(share));
  c->out_len = 0;
  uint16_t pinned = 0;
  if (tp_parse_client_hello(c->in, c->in_len, &hello)) {
    pinned = hello.max_supported_version == TP_TLS13 ? TP_TLS13 : hello.legacy_version;
  }
  int tls13_hello = pinned == TP_TLS13;
  uint16_t chosen = 0;
  if (pinned >= TP_TLS10 && pinned >= c->lo) {
    chosen = pinned <= c->hi ? pinned : (tls13_hello ? 0 : c->hi);
  }
  if (chosen == 0) {
    tp_build_alert(pinned == TP_SSL3 ? TP_SSL3 : TP_TLS10, TP_ALERT_LEVEL_FATAL,
                   TP_ALERT_PROTOCOL_VERSION, c->out, sizeof(c->out), &c->out_len);
    return;
  }
  if (c->hi == TP_TLS13 && chosen < TP_TLS13) {
    memcpy(random + 24, "DOWNGRD", 7);
    random[31] = chosen == TP_TLS12 ? 1 : 0;
  }
  struct tp_server_hello_opts sh = {
      .record_version = chosen == TP_TLS13 ? TP_TLS12 : chosen,
      .legacy_version = chosen == TP_TLS13 ? TP_TLS12 : chosen,
      .selected_version = chosen == TP_TLS13 ? TP_TLS13 : 0,
      .random = random,
      .session_id = hello.session_id.data,
      .session_id_len = hello.session_id.len,
      .cipher_suite = chosen == TP_TLS13 ? 0x1301 : chosen < TP_TLS12 ? 0xc013 : 0xc02f,
      .key_share_group = chosen == TP_TLS13 ? TP_GROUP_X25519 : 0,
      .key_share = share,
      .key_share_len = chosen == TP_TLS13 ? 32 : 0,
      .renegotiation_info = chosen != TP_TLS13,
  };
  tp_build_server_hello(&sh, c->out, sizeof(c->out), &c->out_len);
}

static void on_accept(struct population *p, int res, unsigned flags) {
  if (!(flags & IORING_CQE_F_MORE)) {
    arm_accept(p); /* the multishot ended (e.g. EMFILE): start another */
  }
  if (res < 0) {
    return;
  }
  uint32_t i = slot_take(&p->slots);
  if (i == SLOT_NONE) {
    p->refused_slots++;
    close(res);
    return;
  }
  struct conn *c = &p->conns[i];
  c->fd = res;
  c->in_len = 0;
  struct sockaddr_in local;
  socklen_t len = sizeof(local);
  uint32_t a = 0;
  if (getsockname(res, (struct sockaddr *)&local, &len) == 0 && local.sin_family == AF_INET) {
    a = ntohl(local.sin_addr.s_addr);
  }
  c->cls = (uint8_t)class_of(&p->cfg, a);
  p->accepted[c->cls]++;
  if (c->cls == CLASS_DROP || c->cls == CLASS_REFUSE) {
    reset_conn(p, i); /* the namespace's rules should have kept it out */
    return;
  }
  unsigned policy = (((a >> 8) & 0xff) * 256 + (a & 0xff)) % 8;
  c->lo = kPolicies[policy][0];
  c->hi = kPolicies[policy][1];
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  uint64_t due = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec + delay_ns(&p->cfg, a);
  c->due.tv_sec = (long long)(due / 1000000000u);
  c->due.tv_nsec = (long long)(due % 1000000000u);
  arm_recv(p, i);
}

static void on_recv(struct population *p, uint32_t i, int res) {
  struct conn *c = &p->conns[i];
  if (res <= 0) {
    /* The client left (its timeout, or its own close after a verdict). A
     * pending answer's timeout finds the slot gone by its generation. */
    p->peer_closed++;
    close_conn(p, i);
    return;
  }
  c->in_len += (size_t)res;
  size_t need = c->in_len >= 5 ? 5 + (size_t)(c->in[3] << 8 | c->in[4]) : 5;
  if (c->cls == CLASS_SILENT || (c->in_len < need && c->in_len < IN_CAP)) {
    if (c->in_len >= IN_CAP) {
      c->in_len = 0; /* a silent host reads and forgets */
    }
    arm_recv(p, i);
    return;
  }
  /* No receive while the answer waits: a client that leaves meanwhile is
   * seen by the send, and the close linked behind it runs anyway. */
  struct io_uring_sqe *sqe = sqe_get(p);
  io_uring_prep_timeout(sqe, &c->due, 0, IORING_TIMEOUT_ABS);
  io_uring_sqe_set_data64(sqe, slot_ud(&p->slots, OP_TIMEOUT, i));
}

static void on_due(struct population *p, uint32_t i) {
  struct conn *c = &p->conns[i];
  if (c->cls == CLASS_RESET) {
    p->resets++;
    reset_conn(p, i);
    return;
  }
  answer(c);
  p->answered++;
  struct io_uring_sqe *sqe = sqe_get(p);
  io_uring_prep_send(sqe, c->fd, c->out, c->out_len, MSG_NOSIGNAL);
  /* A hard link: the close runs even when the send fails. */
  sqe->flags |= IOSQE_IO_HARDLINK;
  io_uring_sqe_set_data64(sqe, slot_ud(&p->slots, OP_SEND, i));
  close_conn(p, i);
}

static int listen_any(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  /* Several populations may share the port, each with its own descriptors. */
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(fd, 65535) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* parse_mix reads "answer=80,drop=8,..." (per cent, one decimal at most,
 * summing to 100) into |cfg|. Returns 1, or 0 on a bad list. */
static int parse_mix(const char *s, struct config *cfg) {
  char buf[256];
  if (strlen(s) >= sizeof(buf)) {
    return 0;
  }
  strcpy(buf, s);
  cfg->nclasses = 0;
  unsigned total = 0, seen = 0;
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok != NULL;
       tok = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(tok, '=');
    if (eq == NULL || cfg->nclasses == CLASS_COUNT) {
      return 0;
    }
    *eq = '\0';
    unsigned k = 0;
    while (k < CLASS_COUNT && strcmp(tok, kClassNames[k]) != 0) {
      k++;
    }
    char *end;
    double pct = strtod(eq + 1, &end);
    if (k == CLASS_COUNT || (seen & (1u << k)) || *end != '\0' || pct < 0 || pct > 100) {
      return 0;
    }
    seen |= 1u << k;
    unsigned permille = (unsigned)lround(pct * 10);
    if (fabs(pct * 10 - permille) > 1e-6) {
      return 0;
    }
    cfg->order[cfg->nclasses] = k;
    cfg->share[cfg->nclasses++] = permille;
    total += permille;
  }
  return total == 1000;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static int usage(void) {
  fprintf(stderr,
          "usage: population --port P [--mix answer=80,drop=8,refuse=6,reset=4,silent=2]\n"
          "       [--seed S] [--rtt lognormal:MEDIAN_MS:SIGMA | uniform] [--rtt-min-ms MS]\n"
          "       [--rtt-max-ms MS] [--round-trips N] [--duration S] [--slots N]\n");
  return 1;
}

static int parse(int argc, char **argv, struct config *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cfg->port = 443;
  cfg->duration = 3600;
  cfg->slots = 0;
  cfg->seed = 1;
  cfg->lognormal = 1;
  cfg->median_ms = 80;
  cfg->sigma = 0.6;
  cfg->min_ms = 20;
  cfg->max_ms = 300;
  cfg->round_trips = 2;
  if (!parse_mix("answer=80,drop=8,refuse=6,reset=4,silent=2", cfg)) {
    return 0;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *a = argv[i], *v = argv[i + 1];
    if (strcmp(a, "--port") == 0) {
      cfg->port = atoi(v);
    } else if (strcmp(a, "--duration") == 0) {
      cfg->duration = atol(v);
    } else if (strcmp(a, "--slots") == 0) {
      cfg->slots = (unsigned)strtoul(v, NULL, 10);
    } else if (strcmp(a, "--seed") == 0) {
      cfg->seed = strtoull(v, NULL, 10);
    } else if (strcmp(a, "--mix") == 0) {
      if (!parse_mix(v, cfg)) {
        return 0;
      }
    } else if (strcmp(a, "--rtt") == 0) {
      if (strcmp(v, "uniform") == 0) {
        cfg->lognormal = 0;
      } else if (sscanf(v, "lognormal:%lf:%lf", &cfg->median_ms, &cfg->sigma) == 2) {
        cfg->lognormal = 1;
      } else {
        return 0;
      }
    } else if (strcmp(a, "--rtt-min-ms") == 0) {
      cfg->min_ms = atof(v);
    } else if (strcmp(a, "--rtt-max-ms") == 0) {
      cfg->max_ms = atof(v);
    } else if (strcmp(a, "--round-trips") == 0) {
      cfg->round_trips = atof(v);
    } else {
      return 0;
    }
  }
  if ((argc - 1) % 2 != 0) {
    return 0;
  }
  return cfg->port > 0 && cfg->port < 65536 && cfg->min_ms >= 0 && cfg->max_ms >= cfg->min_ms &&
         cfg->round_trips >= 0 && cfg->median_ms > 0 && cfg->sigma >= 0;
}

int main(int argc, char **argv) {
  static struct population p;
  if (!parse(argc, argv, &p.cfg)) {
    return usage();
  }
  /* Every connection in flight is a descriptor here: take the hard limit,
   * and as many slots as it allows. */
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (p.cfg.slots == 0) {
    p.cfg.slots = rl.rlim_cur > 64 && rl.rlim_cur < 65536 ? (unsigned)rl.rlim_cur - 32 : 65536;
  }
  p.conns = calloc(p.cfg.slots, sizeof(*p.conns));
  if (p.conns == NULL || !slot_pool_init(&p.slots, p.cfg.slots)) {
    fprintf(stderr, "population: out of memory\n");
    return 2;
  }
  p.listen_fd = listen_any(p.cfg.port);
  if (p.listen_fd < 0) {
    fprintf(stderr, "population: cannot listen on port %d: %s\n", p.cfg.port, strerror(errno));
    return 2;
  }
  int rc = ring_setup(&p.ring, 8192, 65536);
  if (rc < 0) {
    fprintf(stderr, "population: io_uring: %s\n", strerror(-rc));
    return 2;
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);
  arm_accept(&p);
  fprintf(stderr, "population: listening on port %d, %u slots\n", p.cfg.port, p.cfg.slots);
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  struct __kernel_timespec wait = {.tv_sec = 0, .tv_nsec = 200000000};
  while (!stop) {
    struct io_uring_cqe *cqe;
    rc = io_uring_submit_and_wait_timeout(&p.ring, &cqe, 1, &wait, NULL);
    if (rc < 0 && rc != -ETIME && rc != -EINTR) {
      fprintf(stderr, "population: wait: %s\n", strerror(-rc));
      break;
    }
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&p.ring, head, cqe) {
      seen++;
      uint64_t ud = io_uring_cqe_get_data64(cqe);
      uint32_t i;
      if (ud_op(ud) == OP_ACCEPT) {
        on_accept(&p, cqe->res, cqe->flags);
        continue;
      }
      if (!slot_lookup(&p.slots, ud, &i)) {
        continue;
      }
      switch (ud_op(ud)) {
        case OP_RECV:
          on_recv(&p, i, cqe->res);
          break;
        case OP_TIMEOUT:
          on_due(&p, i);
          break;
        case OP_CLOSE:
          slot_release(&p.slots, i);
          break;
        default:
          break;
      }
    }
    io_uring_cq_advance(&p.ring, seen);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - start.tv_sec > p.cfg.duration) {
      break;
    }
  }
  printf("{\"accepted\":{");
  for (int k = 0; k < CLASS_COUNT; k++) {
    printf("%s\"%s\":%lu", k ? "," : "", kClassNames[k], p.accepted[k]);
  }
  printf("},\"unexpected\":%lu,\"answered\":%lu,\"resets\":%lu,\"peer_closed\":%lu,"
         "\"no_slot\":%lu}\n",
         p.accepted[CLASS_DROP] + p.accepted[CLASS_REFUSE], p.answered, p.resets, p.peer_closed,
         p.refused_slots);
  io_uring_queue_exit(&p.ring);
  close(p.listen_fd);
  slot_pool_free(&p.slots);
  free(p.conns);
  return 0;
}
