/* scanner/engine/engine.c: one io_uring loop that scans targets.
 *
 * Connection slots: a slab of `concurrency` slots, each with its own fixed
 * file index in the ring's registered file table, its tlsparse reader, its
 * hello and receive buffers, and the timespec of its linked timeout. A probe
 * is one chain of ring operations on its slot:
 *
 *   SOCKET(direct, slot) -> CONNECT(fixed) -> LINK_TIMEOUT      (one submit)
 *   SEND(hello)  +  RECV -> LINK_TIMEOUT   [RECV -> LINK_TIMEOUT ...]
 *   CLOSE(direct)
 *
 * user_data packs the op, the slot index and the slot's generation (slots.h),
 * so a late completion for a slot that has moved on is recognised and
 * dropped. A slot counts the completions it still expects and is reused only
 * when none are outstanding. Each version's ClientHello is built once per
 * engine as a template; a probe patches in its SNI, random, session id and
 * key share. Target states are a second slab; targets wait for a slot in a
 * FIFO, and in-flight tables (inflight.h), shared by all engine threads under
 * one lock, keep at most `per_host` connections in flight to any address
 * and `per_network` to any network. Host names are resolved by c-ares, whose sockets are polled
 * through the same ring. Nothing here allocates once the slabs exist. */
#include "scanner/engine/engine.h"

#include <arpa/inet.h>
#include <ares.h>
#include <errno.h>
#include <liburing.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "scanner/targets/blocklist.h"
#include "scanner/engine/inflight.h"
#include "scanner/engine/keyshare.h"
#include "scanner/engine/ring.h"
#include "scanner/engine/slots.h"
#include "scanner/proto/starttls.h"
#include "scanner/proto/appcheck.h"
#include "scanner/output/cert.h"
#include "tlsparse/tlsparse.h"

enum op {
  OP_SOCKET = 1,
  OP_CONNECT,
  OP_CONNECT_TIMEOUT,
  OP_SEND,
  OP_RECV,
  OP_RECV_TIMEOUT,
  OP_CLOSE,
  OP_CANCEL,
  OP_ARES_POLL,
  OP_ARES_POLL_REMOVE,
  OP_BIND,
  OP_LINGER,
};

/* IORING_OP_BIND (Linux 6.11): newer than the liburing headers Debian 12
 * ships, so spelled out here; engine_init asks the kernel whether it has it
 * before --source-ip uses it. */
#ifndef IORING_OP_BIND
#define IORING_OP_BIND 56
#endif

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


#define HELLO_CAP 1024
/* A connection's whole life, in --timeout steps: a probe's connect, dialogue
 * and answer; a confirmation's connect, dialogue, handshake and exchange. */
#define PROBE_DEADLINE_STEPS 4
#define CONFIRM_DEADLINE_STEPS 6
/* Addresses of one name probed with --all-addresses, beyond the first. */
#define MAX_MORE_ADDRS 7
#define RECV_CAP 1024
#define NONE UINT32_MAX

enum conn_state {
  CONN_FREE,
  CONN_CONNECTING,
  CONN_DIALOGUE,                /* the plaintext STARTTLS dialogue */
  CONN_EXCHANGING,              /* ClientHello sent, reading the answer */
  CONN_HANDSHAKE,               /* confirmation: BoringSSL handshaking */
  CONN_APP,                     /* confirmation: the application's first exchange */
  CONN_CLOSING,
};

struct conn {
  enum conn_state state;
  uint32_t target;              /* index into targets */
  enum probe_version pv;
  unsigned pending;             /* completions still expected */
  int socket_error;             /* from the SOCKET completion */
  int recv_inflight;            /* a RECV is submitted and not completed */
  int verdict_done;
  uint64_t start_ns;
  uint64_t deadline_ns;         /* the connection ends by then, whatever it is doing */
  size_t hello_len;
  /* What is being sent: a dialogue command or the hello. One send at a time;
   * a next one waits in |tx_next| until the previous has fully gone, so two
   * sends can never interleave or mix up their byte counts. */
  const uint8_t *tx;
  size_t tx_len, sent;
  int send_inflight;
  int flush_then_close;         /* bench: close once the last send has gone */
  const uint8_t *tx_next;
  size_t tx_next_len;
  struct __kernel_timespec ts;  /* the linked timeout's; must outlive the SQE */
  struct tp_client_hello_layout layout;
  struct tp_reader reader;
  struct starttls dialogue;
  /* Confirmation connections (cn->confirm): a BoringSSL client over memory
   * BIOs whose bytes the ring moves. The SSL object stays with the slot and
   * is reused (SSL_clear) by the slot's next confirmation. */
  int confirm;
  int minimal;                  /* this probe sends the minimal hello (shape retry) */
  int fallback;                 /* this probe is the TLS_FALLBACK_SCSV check */
  SSL *ssl;
  BIO *rbio, *wbio;             /* owned by |ssl| */
  struct appcheck app;
  uint8_t sslbuf[4096];         /* BoringSSL's output on its way to the socket */
  /* Dialogue commands are copied here to be sent, alternating, so that a
   * command waiting behind one in flight never shares its buffer. */
  uint8_t txbuf[2][STARTTLS_OUT_MAX];
  unsigned txbuf_turn;
  uint8_t hello[HELLO_CAP];
  uint8_t rbuf[RECV_CAP];
};

struct target_state {
  struct engine *engine;        /* for c-ares callbacks, which carry one pointer */
  uint32_t confirm_left[PV_COUNT]; /* confirmation runs still to start, per version */
  int confirm_planned;
  uint8_t shape_tried[PV_COUNT];  /* the minimal hello was tried for the version */
  uint8_t full_swallowed[PV_COUNT]; /* full-shape hellos swallowed (closed, reset, silence) */
  uint8_t minimal_next[PV_COUNT]; /* the version's next probe sends it */
  int fallback_planned;         /* plan_fallback has run for the target */
  int fallback_due;             /* the SCSV probe is planned, not yet sent */
  int used;
  uint32_t next;                /* FIFO / free-list link */
  int bound;                    /* counted in the in-flight tables */
  uint32_t versions_left;       /* versions still to probe */
  unsigned active;              /* probes in flight */
  int connected_once;           /* some probe connected: refusals are not "unreachable" */
  int queued;
  uint8_t attempts[PV_COUNT];
  uint64_t start_ns;
  struct sockaddr_storage addr;
  socklen_t addrlen;
  /* --all-addresses: the name's other addresses, probed one after another,
   * each giving its own record. */
  uint8_t nmore, next_more;
  union {
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
  } more[MAX_MORE_ADDRS];
  struct target_item item;
  struct scan_result result;
};

struct ares_fd {
  int fd;                       /* -1: unused */
  uint32_t gen;
  int want_read, want_write;
  int polling;
};

#define MAX_ARES_FDS 32

struct engine {
  struct scan_shared *sh;
  const struct scan_config *cfg;
  struct io_uring ring;
  unsigned nconn;
  struct conn *conns;
  struct slot_pool slots;       /* which conns are busy, and their generations */
  struct tp_hello_template hello[PV_COUNT]; /* built once; patched per probe */
  struct tp_hello_template hello_min[PV_COUNT]; /* the minimal shape (shape retries) */
  struct tp_hello_template hello_fb[PV_COUNT];  /* with TLS_FALLBACK_SCSV (--check-fallback) */
  unsigned ntargets;
  struct target_state *targets;
  uint32_t free_targets;        /* free-list head */
  unsigned targets_used;
  uint32_t fifo_head, fifo_tail;
  struct politeness *polite;    /* shared by all engines (engine.h) */
  int held_by_cap;              /* this round, a target waited for another's connection */
  int feed_done;
  unsigned resolving;
  ares_channel channel;
  int ares_ready;
  struct ares_fd ares_fds[MAX_ARES_FDS];
  struct __kernel_timespec wait_ts;
  uint64_t rng;                 /* splitmix64 state for hello randoms */
  struct key_share_pool shares; /* TLS 1.3 key shares: real X25519 public keys */
  SSL_CTX *ssl_ctx;             /* confirmations; NULL when they are off */
  SSL_SESSION *bench_session;   /* tlssweep bench --resume-sessions: the session to offer */
  int reset_close;              /* bench: SO_LINGER {1, 0} before each close (cleared if
                                   the kernel cannot set it through the ring) */
  unsigned next_source;         /* round robin over --source-ip */
};

void rate_limiter_init(struct rate_limiter *rl, double rate) {
  pthread_mutex_init(&rl->lock, NULL);
  rl->rate = rate;
  rl->burst = rate / 10 < 1 ? 1 : rate / 10;
  rl->tokens = rl->burst;
  rl->last_ns = 0;
}

unsigned rate_limiter_take(struct rate_limiter *rl, unsigned want, uint64_t now,
                           uint64_t *wait_ns) {
  if (rl->rate <= 0) {
    return want;
  }
  pthread_mutex_lock(&rl->lock);
  if (rl->last_ns == 0) {
    rl->last_ns = now;
  }
  if (now > rl->last_ns) {
    rl->tokens += (double)(now - rl->last_ns) * 1e-9 * rl->rate;
    if (rl->tokens > rl->burst) {
      rl->tokens = rl->burst;
    }
    rl->last_ns = now;
  }
  unsigned got = rl->tokens >= want ? want : (unsigned)rl->tokens;
  rl->tokens -= got;
  if (got == 0) {
    *wait_ns = (uint64_t)((1.0 - rl->tokens) / rl->rate * 1e9) + 1;
  }
  pthread_mutex_unlock(&rl->lock);
  return got;
}

/* ---- SQE helpers ----------------------------------------------------------- */

/* get_sqes returns |n| SQEs at once (all of a link are taken before any is
 * prepared), submitting to make room if the queue is full. */
static int get_sqes(struct engine *e, struct io_uring_sqe **out, unsigned n) {
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

static void set_timeout(struct __kernel_timespec *ts, uint32_t ms) {
  ts->tv_sec = ms / 1000;
  ts->tv_nsec = (long long)(ms % 1000) * 1000000;
}

/* ---- politeness: connections in flight per address and per network ------- */

/* target_keys makes the two in-flight keys of a target's address. */
static void target_keys(const struct engine *e, const struct target_state *ts,
                        struct inflight_key *host, struct inflight_key *net) {
  inflight_key_of(&ts->addr, 32, 128, host);
  inflight_key_of(&ts->addr, e->cfg->net_prefix4, e->cfg->net_prefix6, net);
}

int politeness_init(struct politeness *p, uint32_t targets) {
  memset(p, 0, sizeof(*p));
  if (pthread_mutex_init(&p->lock, NULL) != 0) {
    return 0;
  }
  if (!inflight_init(&p->per_host, targets) || !inflight_init(&p->per_net, targets)) {
    politeness_free(p);
    return 0;
  }
  return 1;
}

void politeness_free(struct politeness *p) {
  inflight_free(&p->per_host);
  inflight_free(&p->per_net);
  pthread_mutex_destroy(&p->lock);
}

uint32_t engine_targets_per_thread(const struct scan_config *cfg) {
  return cfg->concurrency * 2 + 16;
}

/* bind_target makes a target count in the in-flight tables; they are sized
 * for every engine's targets at once, so this cannot fail. */
static void bind_target(struct engine *e, struct target_state *ts) {
  struct inflight_key host, net;
  target_keys(e, ts, &host, &net);
  pthread_mutex_lock(&e->polite->lock);
  inflight_ref(&e->polite->per_host, &host);
  inflight_ref(&e->polite->per_net, &net);
  pthread_mutex_unlock(&e->polite->lock);
  ts->bound = 1;
}

static void unbind_target(struct engine *e, struct target_state *ts) {
  if (!ts->bound) {
    return;
  }
  struct inflight_key host, net;
  target_keys(e, ts, &host, &net);
  pthread_mutex_lock(&e->polite->lock);
  inflight_unref(&e->polite->per_host, &host);
  inflight_unref(&e->polite->per_net, &net);
  pthread_mutex_unlock(&e->polite->lock);
  ts->bound = 0;
}

/* admit takes a place for one more connection to the target's address and
 * network, unless that would pass --per-host or --per-network (checked and
 * counted under one lock, so two engines cannot both take the last place).
 * Returns 1 when admitted; release() gives the place back. */
static int admit(struct engine *e, const struct target_state *ts) {
  struct inflight_key host, net;
  target_keys(e, ts, &host, &net);
  struct politeness *p = e->polite;
  pthread_mutex_lock(&p->lock);
  struct inflight_entry *h = inflight_find(&p->per_host, &host);
  struct inflight_entry *n = inflight_find(&p->per_net, &net);
  /* A bench's handshakes all go to one address: its own concurrency is the cap. */
  unsigned per_host = e->cfg->bench.version != 0 ? e->cfg->bench.concurrency : e->cfg->per_host;
  int ok = !(h != NULL && h->count >= per_host) &&
           !(e->cfg->per_network != 0 && n != NULL && n->count >= e->cfg->per_network);
  if (ok) {
    if (h != NULL) {
      h->count++;
    }
    if (n != NULL) {
      n->count++;
    }
  }
  pthread_mutex_unlock(&p->lock);
  return ok;
}

static void release(struct engine *e, const struct target_state *ts) {
  struct inflight_key host, net;
  target_keys(e, ts, &host, &net);
  struct politeness *p = e->polite;
  pthread_mutex_lock(&p->lock);
  struct inflight_entry *h = inflight_find(&p->per_host, &host);
  struct inflight_entry *n = inflight_find(&p->per_net, &net);
  if (h != NULL) {
    h->count--;
  }
  if (n != NULL) {
    n->count--;
  }
  pthread_mutex_unlock(&p->lock);
}

/* ---- targets --------------------------------------------------------------- */

static void fifo_push(struct engine *e, uint32_t t) {
  struct target_state *ts = &e->targets[t];
  if (ts->queued) {
    return;
  }
  ts->queued = 1;
  ts->next = NONE;
  if (e->fifo_tail == NONE) {
    e->fifo_head = t;
  } else {
    e->targets[e->fifo_tail].next = t;
  }
  e->fifo_tail = t;
}

static uint32_t fifo_pop(struct engine *e) {
  uint32_t t = e->fifo_head;
  if (t == NONE) {
    return NONE;
  }
  e->fifo_head = e->targets[t].next;
  if (e->fifo_head == NONE) {
    e->fifo_tail = NONE;
  }
  e->targets[t].queued = 0;
  return t;
}

static void stat_add(uint64_t *counter, int64_t v) {
  atomic_fetch_add_explicit((_Atomic uint64_t *)counter, (uint64_t)v, memory_order_relaxed);
}

/* finish_target hands the result to the sink and frees the state. */
static void target_ready(struct engine *e, uint32_t t);
static int confirm_pending(const struct target_state *ts);
static void set_sockaddr(struct target_state *ts, int family, const void *addr, uint16_t port);
static void select_sni(struct engine *e, struct target_state *ts);

static void finish_target(struct engine *e, uint32_t t) {
  struct target_state *ts = &e->targets[t];
  struct scan_result *r = &ts->result;
  r->scan_ms = (uint32_t)((now_ns() - ts->start_ns) / 1000000);
  int legacy, min_pv, max_pv;
  scan_result_summary(r, &legacy, &min_pv, &max_pv);
  struct scan_stats *st = &e->sh->stats;
  stat_add(&st->targets_done, 1);
  stat_add(&st->status_count[r->status], 1);
  if (legacy) {
    stat_add(&st->legacy_targets, 1);
  }
  if (scan_result_legacy_app(r) == 1) {
    stat_add(&st->legacy_app_targets, 1);
  }
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (r->v[pv].outcome == OUTCOME_ACCEPTED) {
      stat_add(&st->accepted[pv], 1);
    }
    if (r->status == STATUS_OK && (r->versions_selected & (1u << pv))) {
      stat_add(&st->outcomes[pv][r->v[pv].outcome], 1);
    }
    const struct confirm_result *cr = &r->v[pv].confirm;
    if (cr->runs > 0) {
      stat_add(&st->confirm_runs[pv], cr->runs);
      stat_add(&st->confirm_handshakes[pv], cr->handshake_ok_runs);
      stat_add(&st->confirm_app_ok[pv], cr->app_ok_runs);
      stat_add(&st->confirm_app_refused[pv], cr->app_refused_runs);
    }
  }
  pthread_mutex_lock(&e->sh->sink_lock);
  e->sh->sink.on_result(e->sh->sink.ctx, r);
  pthread_mutex_unlock(&e->sh->sink_lock);
  unbind_target(e, ts);
  if (ts->next_more < ts->nmore && r->status != STATUS_INVALID) {
    /* The record is written (the sink renders it at once): the same target
     * goes on with the name's next address. */
    const struct sockaddr *sa = (const struct sockaddr *)&ts->more[ts->next_more++];
    uint64_t pseq = r->pseq;
    memset(r, 0, sizeof(*r));
    r->item = &ts->item;
    r->pseq = pseq;
    r->versions_selected = e->cfg->versions;
    select_sni(e, ts);
    /* The next address starts afresh: its own tries, shapes, fallback
     * check and confirmations. */
    memset(ts->attempts, 0, sizeof(ts->attempts));
    memset(ts->shape_tried, 0, sizeof(ts->shape_tried));
    memset(ts->full_swallowed, 0, sizeof(ts->full_swallowed));
    memset(ts->minimal_next, 0, sizeof(ts->minimal_next));
    memset(ts->confirm_left, 0, sizeof(ts->confirm_left));
    ts->confirm_planned = 0;
    ts->fallback_planned = 0;
    ts->fallback_due = 0;
    ts->connected_once = 0;
    ts->versions_left = e->cfg->versions;
    ts->start_ns = now_ns();
    if (sa->sa_family == AF_INET) {
      set_sockaddr(ts, AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ts->item.line.port);
    } else {
      set_sockaddr(ts, AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
                   ts->item.line.port);
    }
    target_ready(e, t);
    return;
  }
  ts->used = 0;
  ts->next = e->free_targets;
  e->free_targets = t;
  e->targets_used--;
}

/* target_ready records the address to probe and queues the target. */
static void target_ready(struct engine *e, uint32_t t) {
  struct target_state *ts = &e->targets[t];
  struct scan_result *r = &ts->result;
  const void *a = ts->addr.ss_family == AF_INET
                      ? (const void *)&((struct sockaddr_in *)&ts->addr)->sin_addr
                      : (const void *)&((struct sockaddr_in6 *)&ts->addr)->sin6_addr;
  inet_ntop(ts->addr.ss_family, a, r->ip, sizeof(r->ip));
  /* Every address is checked here, before any connection: literals and DNS
   * answers alike pass through this point. */
  const char *why = NULL;
  if (e->cfg->policy != NULL &&
      policy_check(e->cfg->policy, ts->addr.ss_family, a, &why) != POLICY_ALLOW) {
    r->status = STATUS_BLOCKED;
    snprintf(r->error, sizeof(r->error), "%s", why != NULL ? why : "blocked");
    finish_target(e, t);
    return;
  }
  bind_target(e, ts);
  if (e->cfg->bench.version != 0) {
    /* tlssweep bench: no probes, only full handshakes at the version. */
    enum probe_version pv;
    ts->versions_left = 0;
    if (probe_version_from_wire(e->cfg->bench.version, &pv)) {
      ts->confirm_planned = 1;
      ts->result.v[pv].confirm.state = CONFIRM_DONE;
      ts->confirm_left[pv] = e->cfg->bench.handshakes ? e->cfg->bench.handshakes : UINT32_MAX;
    }
  }
  if (ts->versions_left == 0 && !confirm_pending(ts)) {
    finish_target(e, t);
    return;
  }
  fifo_push(e, t);
}

static void set_sockaddr(struct target_state *ts, int family, const void *addr,
                         uint16_t port) {
  memset(&ts->addr, 0, sizeof(ts->addr));
  if (family == AF_INET) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&ts->addr;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    memcpy(&sin->sin_addr, addr, 4);
    ts->addrlen = sizeof(*sin);
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ts->addr;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    memcpy(&sin6->sin6_addr, addr, 16);
    ts->addrlen = sizeof(*sin6);
  }
}

static void resolve_done(void *arg, int status, int timeouts, struct ares_addrinfo *ai);

/* select_sni picks what the target's hellos carry as SNI. */
static void select_sni(struct engine *e, struct target_state *ts) {
  const struct target_line *l = &ts->item.line;
  if (e->cfg->sni) {
    const char *name = l->sni_given ? l->sni : (l->kind == TARGET_NAME ? l->host : "");
    if (tp_sni_usable(name)) {
      snprintf(ts->result.sni, sizeof(ts->result.sni), "%s", name);
    }
  }
}

/* start_target takes one item from the feed into a free target state. */
static void start_target(struct engine *e, const struct target_item *item, uint64_t pseq) {
  uint32_t t = e->free_targets;
  struct target_state *ts = &e->targets[t];
  e->free_targets = ts->next;
  e->targets_used++;
  memset(ts, 0, offsetof(struct target_state, item));
  ts->used = 1;
  ts->engine = e;
  ts->next = NONE;
  ts->start_ns = now_ns();
  ts->item = *item;
  struct scan_result *r = &ts->result;
  memset(r, 0, sizeof(*r));
  r->item = &ts->item;
  r->pseq = pseq;
  r->versions_selected = e->cfg->versions;
  if (item->type == TARGET_ITEM_INVALID) {
    r->status = STATUS_INVALID;
    snprintf(r->error, sizeof(r->error), "%s", item->error);
    finish_target(e, t);
    return;
  }
  ts->versions_left = e->cfg->versions;
  const struct target_line *l = &item->line;
  select_sni(e, ts);
  int family = l->kind == TARGET_IPV4 ? 4 : l->kind == TARGET_IPV6 ? 6 : 0;
  if (family != 0 && e->cfg->family != 0 && e->cfg->family != family) {
    r->status = STATUS_BLOCKED;
    snprintf(r->error, sizeof(r->error), "an IPv%d address, and the scan is --ipv%d-only", family,
             e->cfg->family);
    finish_target(e, t);
    return;
  }
  if (l->kind == TARGET_IPV4) {
    set_sockaddr(ts, AF_INET, &l->addr.v4, l->port);
    target_ready(e, t);
  } else if (l->kind == TARGET_IPV6) {
    set_sockaddr(ts, AF_INET6, &l->addr.v6, l->port);
    target_ready(e, t);
  } else if (!e->ares_ready) {
    r->status = STATUS_DNS_ERROR;
    snprintf(r->error, sizeof(r->error), "resolver unavailable");
    finish_target(e, t);
  } else {
    struct ares_addrinfo_hints hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = e->cfg->family == 4 ? AF_INET : e->cfg->family == 6 ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    e->resolving++;
    /* The callback may run before ares_getaddrinfo returns. */
    ares_getaddrinfo(e->channel, l->host, NULL, &hints, resolve_done, ts);
  }
}

static void resolve_done(void *arg, int status, int timeouts, struct ares_addrinfo *ai) {
  (void)timeouts;
  struct target_state *ts = arg;
  struct engine *e = ts->engine;
  uint32_t t = (uint32_t)(ts - e->targets);
  e->resolving--;
  if (status != ARES_SUCCESS || ai == NULL || ai->nodes == NULL) {
    ts->result.status = STATUS_DNS_ERROR;
    snprintf(ts->result.error, sizeof(ts->result.error), "%s",
             status == ARES_SUCCESS ? "no address" : ares_strerror(status));
    if (ai != NULL) {
      ares_freeaddrinfo(ai);
    }
    finish_target(e, t);
    return;
  }
  /* Prefer IPv4 when both exist: most scans run from IPv4-only hosts. */
  struct ares_addrinfo_node *pick = ai->nodes;
  for (struct ares_addrinfo_node *n = ai->nodes; n != NULL; n = n->ai_next) {
    if (n->ai_family == AF_INET) {
      pick = n;
      break;
    }
  }
  if (e->cfg->all_addresses) {
    /* The others, in the resolver's order, after the first. */
    for (struct ares_addrinfo_node *n = ai->nodes; n != NULL && ts->nmore < MAX_MORE_ADDRS;
         n = n->ai_next) {
      if (n != pick && (n->ai_family == AF_INET || n->ai_family == AF_INET6)) {
        memcpy(&ts->more[ts->nmore++], n->ai_addr,
               n->ai_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
      }
    }
  }
  uint16_t port = ts->item.line.port;
  if (pick->ai_family == AF_INET) {
    set_sockaddr(ts, AF_INET, &((struct sockaddr_in *)pick->ai_addr)->sin_addr, port);
  } else {
    set_sockaddr(ts, AF_INET6, &((struct sockaddr_in6 *)pick->ai_addr)->sin6_addr, port);
  }
  ares_freeaddrinfo(ai);
  target_ready(e, t);
}

/* ---- c-ares through the ring ---------------------------------------------- */

static void ares_arm(struct engine *e, struct ares_fd *af) {
  if (af->polling || (!af->want_read && !af->want_write)) {
    return;
  }
  struct io_uring_sqe *sqe;
  if (!get_sqes(e, &sqe, 1)) {
    return;
  }
  unsigned mask = (af->want_read ? POLLIN : 0) | (af->want_write ? POLLOUT : 0);
  io_uring_prep_poll_add(sqe, af->fd, mask);
  io_uring_sqe_set_data64(sqe, ud_pack(OP_ARES_POLL, (uint32_t)(af - e->ares_fds), af->gen));
  af->polling = 1;
}

static void ares_sock_state(void *data, ares_socket_t fd, int readable, int writable) {
  struct engine *e = data;
  struct ares_fd *slot = NULL;
  for (int i = 0; i < MAX_ARES_FDS; i++) {
    if (e->ares_fds[i].fd == fd) {
      slot = &e->ares_fds[i];
      break;
    }
  }
  if (!readable && !writable) {
    if (slot != NULL) {
      if (slot->polling) {
        struct io_uring_sqe *sqe;
        if (get_sqes(e, &sqe, 1)) {
          io_uring_prep_poll_remove(
              sqe, ud_pack(OP_ARES_POLL, (uint32_t)(slot - e->ares_fds), slot->gen));
          io_uring_sqe_set_data64(sqe, ud_pack(OP_ARES_POLL_REMOVE, 0, 0));
        }
      }
      slot->fd = -1;
      slot->gen++;
      slot->polling = 0;
    }
    return;
  }
  if (slot == NULL) {
    for (int i = 0; i < MAX_ARES_FDS; i++) {
      if (e->ares_fds[i].fd < 0) {
        slot = &e->ares_fds[i];
        slot->fd = fd;
        break;
      }
    }
    if (slot == NULL) {
      return; /* more sockets than c-ares ever opens for one server set */
    }
  }
  slot->want_read = readable;
  slot->want_write = writable;
  ares_arm(e, slot);
}

static int ares_setup(struct engine *e) {
  for (int i = 0; i < MAX_ARES_FDS; i++) {
    e->ares_fds[i].fd = -1;
  }
  struct ares_options opts;
  memset(&opts, 0, sizeof(opts));
  opts.sock_state_cb = ares_sock_state;
  opts.sock_state_cb_data = e;
  opts.timeout = (int)(e->cfg->timeout_ms < 1000 ? e->cfg->timeout_ms : 1000);
  opts.tries = 3;
  int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  if (ares_init_options(&e->channel, &opts, mask) != ARES_SUCCESS) {
    return 0;
  }
  if (e->cfg->resolver != NULL &&
      ares_set_servers_ports_csv(e->channel, e->cfg->resolver) != ARES_SUCCESS) {
    ares_destroy(e->channel);
    return 0;
  }
  return 1;
}

static void ares_poll_done(struct engine *e, uint64_t ud, int res) {
  uint32_t i = ud_index(ud);
  if (i >= MAX_ARES_FDS) {
    return;
  }
  struct ares_fd *af = &e->ares_fds[i];
  if (af->gen != ud_gen(ud) || af->fd < 0) {
    return;
  }
  af->polling = 0;
  int fd = af->fd;
  if (res < 0 && res != -ECANCELED) {
    ares_process_fd(e->channel, fd, fd);
  } else {
    ares_socket_t rfd = (res & (POLLIN | POLLERR | POLLHUP)) ? fd : ARES_SOCKET_BAD;
    ares_socket_t wfd = (res & POLLOUT) ? fd : ARES_SOCKET_BAD;
    ares_process_fd(e->channel, rfd, wfd);
  }
  if (af->gen == ud_gen(ud) && af->fd == fd) {
    ares_arm(e, af);
  }
}

/* ---- probes ---------------------------------------------------------------- */

static void fill_random(uint8_t *p, size_t n, uint64_t *state) {
  /* splitmix64: the hello's random and session id need to differ between
   * probes, not to be secret (a probe never completes a handshake). */
  for (size_t i = 0; i < n; i += 8) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    z ^= z >> 31;
    size_t k = n - i < 8 ? n - i : 8;
    memcpy(p + i, &z, k);
  }
}

static int next_version(uint32_t versions_left) {
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (versions_left & (1u << pv)) {
      return pv;
    }
  }
  return -1;
}

/* release_conn puts a slot back once no completion is outstanding. */
static void release_conn(struct engine *e, uint32_t c) {
  struct conn *cn = &e->conns[c];
  cn->state = CONN_FREE;
  slot_release(&e->slots, c);
  stat_add(&e->sh->stats.in_flight, -1);
}

/* probe_slot is where a probe's verdict goes: its version's result, or the
 * fallback check's. */
static struct version_result *probe_slot(struct engine *e, const struct conn *cn) {
  struct scan_result *r = &e->targets[cn->target].result;
  return cn->fallback ? &r->fallback : &r->v[cn->pv];
}

/* probe_finished is called once per probe when its verdict is in r->v[pv]. */
static void probe_finished(struct engine *e, uint32_t c) {
  struct conn *cn = &e->conns[c];
  struct target_state *ts = &e->targets[cn->target];
  struct version_result *v = probe_slot(e, cn);
  v->ms = (uint32_t)((now_ns() - cn->start_ns) / 1000000);
  v->hello_minimal = cn->minimal;
  stat_add(&e->sh->stats.probes_done, 1);
  if (cn->fallback) {
    return;
  }
  v->attempts = ts->attempts[cn->pv];
  uint32_t bit = 1u << cn->pv;
  /* A server that swallowed the hello (closed, reset, silence after it was
   * sent) may choke on its size or its extensions, as some did on the hellos
   * of sslscan and masscan: try once more with the minimal shape. But only
   * once the full hello has been swallowed twice: a server that drops one
   * connection now and then must not be reported as intolerant of a shape.
   * A timeout's own retry (--retries) counts as the second try. */
  int after_hello = v->stage == STAGE_RECV || v->stage == STAGE_SEND;
  int swallowed = v->outcome == OUTCOME_TIMEOUT ||
                  (v->outcome == OUTCOME_REJECTED &&
                   (v->reason == REJECT_CLOSED || v->reason == REJECT_RESET));
  int full_swallowed = swallowed && after_hello && !cn->minimal;
  if (full_swallowed && ts->full_swallowed[cn->pv] < UINT8_MAX) {
    ts->full_swallowed[cn->pv]++;
  }
  /* A timeout is retried while attempts remain. */
  if (v->outcome == OUTCOME_TIMEOUT && ts->attempts[cn->pv] <= e->cfg->retries) {
    ts->versions_left |= bit;
    return;
  }
  if (!e->cfg->shape_retry || !full_swallowed || ts->shape_tried[cn->pv]) {
    return;
  }
  if (ts->full_swallowed[cn->pv] < 2) {
    ts->versions_left |= bit; /* the same full hello once more */
    return;
  }
  ts->shape_tried[cn->pv] = 1;
  ts->minimal_next[cn->pv] = 1;
  ts->versions_left |= bit;
}

/* close_conn closes the slot's socket through the ring. */
static void close_conn(struct engine *e, uint32_t c) {
  struct conn *cn = &e->conns[c];
  if (cn->state == CONN_CLOSING) {
    return;
  }
  cn->state = CONN_CLOSING;
  if (cn->socket_error != 0) {
    return; /* no socket was ever installed in the slot */
  }
  /* A receive still waiting (the probe ended on a send error) holds the
   * socket open until its timeout: cancel it so the slot frees now. */
  struct io_uring_sqe *sqe[3];
  unsigned linger = e->reset_close != 0;
  unsigned n = linger + 1 + (cn->recv_inflight != 0);
  if (!get_sqes(e, sqe, n)) {
    return;
  }
  if (cn->recv_inflight) {
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

/* conn_settle runs after every completion of a slot: once the probe has its
 * verdict it closes, and once nothing is outstanding it frees the slot and
 * moves the target on. */
static int plan_confirmations(struct engine *e, struct target_state *ts);
static int confirm_pending(const struct target_state *ts);

/* plan_fallback (--check-fallback): with two or more versions accepted, one
 * more probe at the second highest carries TLS_FALLBACK_SCSV (RFC 7507); a
 * server that protects against downgrade answers inappropriate_fallback. */
static int plan_fallback(struct engine *e, struct target_state *ts) {
  ts->fallback_planned = 1;
  if (!e->cfg->check_fallback || ts->result.status != STATUS_OK) {
    return 0;
  }
  int highest = -1, second = -1;
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (ts->result.v[pv].outcome == OUTCOME_ACCEPTED) {
      second = highest;
      highest = pv;
    }
  }
  if (second < 0) {
    return 0;
  }
  ts->result.fallback_pv = second;
  ts->fallback_due = 1;
  return 1;
}

static void conn_settle(struct engine *e, uint32_t c) {
  struct conn *cn = &e->conns[c];
  if (cn->verdict_done && cn->state != CONN_CLOSING &&
      !(cn->flush_then_close && cn->send_inflight)) {
    close_conn(e, c);
  }
  if (cn->state != CONN_CLOSING || cn->pending > 0) {
    return;
  }
  uint32_t t = cn->target;
  struct target_state *ts = &e->targets[t];
  release(e, ts);
  ts->active--;
  release_conn(e, c);
  if ((ts->versions_left != 0 || ts->fallback_due || confirm_pending(ts)) &&
      ts->result.status == STATUS_OK) {
    fifo_push(e, t);
  } else if (ts->active == 0) {
    /* Probes done: the fallback check, then confirmations, if due. */
    if (!ts->fallback_planned && plan_fallback(e, ts)) {
      fifo_push(e, t);
      return;
    }
    if (!ts->confirm_planned && plan_confirmations(e, ts)) {
      fifo_push(e, t);
      return;
    }
    /* Versions never probed because the target was unreachable stay not_run. */
    ts->versions_left = 0;
    finish_target(e, t);
  }
}

static void set_verdict_from_reader(struct conn *cn, struct version_result *v) {
  struct tp_probe_verdict pvd;
  tp_probe_verdict_of(&cn->reader, probe_version_wire(cn->pv), cn->layout.offered_exts,
                      &pvd);
  v->server_version = pvd.server_version;
  v->cipher_suite = pvd.cipher_suite;
  v->key_share_group = pvd.key_share_group;
  v->downgrade = pvd.downgrade;
  v->hello_retry = pvd.hello_retry;
  v->unsolicited_exts = pvd.unsolicited_exts;
  v->warnings = pvd.warnings;
  v->last_warning = pvd.last_warning;
  v->alert = pvd.alert;
  v->alert_level = pvd.alert_level;
  v->malformed = pvd.why;
  switch (pvd.verdict) {
    case TP_VERDICT_ACCEPTED:
      v->outcome = OUTCOME_ACCEPTED;
      break;
    case TP_VERDICT_VERSION_MISMATCH:
      v->outcome = OUTCOME_REJECTED;
      v->reason = REJECT_VERSION_MISMATCH;
      break;
    case TP_VERDICT_ALERT:
      v->outcome = OUTCOME_REJECTED;
      v->reason = REJECT_ALERT;
      break;
    case TP_VERDICT_NOT_TLS:
      v->outcome = OUTCOME_REJECTED;
      v->reason = REJECT_NOT_TLS;
      break;
    case TP_VERDICT_MALFORMED:
      v->outcome = OUTCOME_REJECTED;
      v->reason = REJECT_MALFORMED;
      break;
    case TP_VERDICT_PENDING:
      break;
  }
  v->first_len = cn->reader.first_len;
  memcpy(v->first_bytes, cn->reader.first, cn->reader.first_len);
}

/* conclude records the probe's outcome once; later completions of the same
 * probe (cancelled timeouts, a close) cannot change it. */
static void confirm_conclude(struct engine *e, uint32_t c, enum probe_outcome outcome,
                             enum reject_reason reason, enum probe_stage stage, int err);

static void conclude(struct engine *e, uint32_t c, enum probe_outcome outcome,
                     enum reject_reason reason, enum probe_stage stage, int err) {
  struct conn *cn = &e->conns[c];
  if (cn->verdict_done) {
    return;
  }
  if (cn->confirm) {
    confirm_conclude(e, c, outcome, reason, stage, err);
    return;
  }
  struct version_result *v = probe_slot(e, cn);
  memset(v, 0, sizeof(*v));
  v->outcome = outcome;
  v->reason = reason;
  v->stage = stage;
  v->error = err;
  if (cn->state == CONN_DIALOGUE && (stage == STAGE_RECV || stage == STAGE_SEND)) {
    /* Where in the dialogue it stopped says more than "recv". */
    v->stage = STAGE_DIALOGUE;
    v->stage_name = starttls_stage_name(&cn->dialogue);
  }
  if (cn->reader.first_len > 0) {
    v->first_len = cn->reader.first_len;
    memcpy(v->first_bytes, cn->reader.first, cn->reader.first_len);
  }
  cn->verdict_done = 1;
  probe_finished(e, c);
}

static void submit_recv(struct engine *e, uint32_t c) {
  struct conn *cn = &e->conns[c];
  /* Each read waits at most --timeout, and the whole connection at most its
   * deadline: a server that trickles a byte now and then must not hold a
   * slot for hours. */
  uint64_t now = now_ns();
  if (now >= cn->deadline_ns) {
    conclude(e, c, OUTCOME_TIMEOUT, REJECT_NONE, STAGE_RECV, 0);
    return;
  }
  uint64_t left_ms = (cn->deadline_ns - now) / 1000000 + 1;
  struct io_uring_sqe *sqe[2];
  if (!get_sqes(e, sqe, 2)) {
    conclude(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_RECV, EBUSY);
    return;
  }
  set_timeout(&cn->ts, left_ms < e->cfg->timeout_ms ? (uint32_t)left_ms : e->cfg->timeout_ms);
  io_uring_prep_recv(sqe[0], (int)c, cn->rbuf, RECV_CAP, 0);
  sqe[0]->flags |= IOSQE_FIXED_FILE | IOSQE_IO_LINK;
  io_uring_sqe_set_data64(sqe[0], slot_ud(&e->slots, OP_RECV, c));
  io_uring_prep_link_timeout(sqe[1], &cn->ts, 0);
  io_uring_sqe_set_data64(sqe[1], slot_ud(&e->slots, OP_RECV_TIMEOUT, c));
  cn->pending += 2;
  cn->recv_inflight = 1;
}

/* submit_send sends what is left of cn->tx. */
static void submit_send(struct engine *e, uint32_t c) {
  struct conn *cn = &e->conns[c];
  struct io_uring_sqe *sqe;
  if (!get_sqes(e, &sqe, 1)) {
    conclude(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_SEND, EBUSY);
    return;
  }
  io_uring_prep_send(sqe, (int)c, cn->tx + cn->sent, cn->tx_len - cn->sent, MSG_NOSIGNAL);
  sqe->flags |= IOSQE_FIXED_FILE;
  io_uring_sqe_set_data64(sqe, slot_ud(&e->slots, OP_SEND, c));
  cn->pending++;
  cn->send_inflight = 1;
}

/* send_bytes sends |len| bytes at |p| (which outlive the send), after any
 * send still in flight. */
static void send_bytes(struct engine *e, uint32_t c, const uint8_t *p, size_t len) {
  struct conn *cn = &e->conns[c];
  if (cn->send_inflight) {
    cn->tx_next = p;
    cn->tx_next_len = len;
    return;
  }
  cn->tx = p;
  cn->tx_len = len;
  cn->sent = 0;
  submit_send(e, c);
}

/* start_tls sends the ClientHello and reads the answer. Bytes the server
 * sent right after its go-ahead (|early|) are the start of that answer. */
static void start_tls(struct engine *e, uint32_t c, const uint8_t *early, size_t early_len) {
  struct conn *cn = &e->conns[c];
  cn->state = CONN_EXCHANGING;
  if (early_len > 0 && tp_reader_feed(&cn->reader, early, early_len) != TP_NEED_MORE) {
    struct version_result *v = probe_slot(e, cn);
    memset(v, 0, sizeof(*v));
    set_verdict_from_reader(cn, v);
    cn->verdict_done = 1;
    probe_finished(e, c);
    return;
  }
  send_bytes(e, c, cn->hello, cn->hello_len);
  submit_recv(e, c);
}

static void confirm_dialogue_failed(struct engine *e, uint32_t c);
static void start_handshake(struct engine *e, uint32_t c, const uint8_t *early, size_t early_len);

/* dialogue_failed records why the dialogue ended without a go-ahead. */
static void dialogue_failed(struct engine *e, uint32_t c) {
  struct conn *cn = &e->conns[c];
  if (cn->verdict_done) {
    return;
  }
  if (cn->confirm) {
    confirm_dialogue_failed(e, c);
    return;
  }
  const struct starttls *st = &cn->dialogue;
  enum starttls_failure f = starttls_failure(st);
  enum reject_reason reason = f == STARTTLS_CLOSED ? REJECT_CLOSED : REJECT_STARTTLS;
  conclude(e, c, OUTCOME_REJECTED, reason, STAGE_DIALOGUE, 0);
  struct version_result *v = probe_slot(e, cn);
  v->stage_name = starttls_stage_name(st);
  v->reason_name = starttls_failure_name(st);
  size_t n = st->reply_len < RESULT_REPLY_MAX ? st->reply_len : RESULT_REPLY_MAX;
  memcpy(v->reply, st->reply, n);
  v->reply_len = (uint16_t)n;
}

/* dialogue_step acts on what the dialogue asks for next. |rest| are server
 * bytes it did not consume: after a go-ahead they belong to TLS; after a
 * SEND step (a server that talked ahead of our command) they are fed to the
 * dialogue again once the command is on its way. */
static void dialogue_step(struct engine *e, uint32_t c, enum starttls_step step,
                          const uint8_t *rest, size_t rest_len) {
  struct conn *cn = &e->conns[c];
  for (;;) {
    switch (step) {
      case STARTTLS_NEED_MORE:
        submit_recv(e, c);
        return;
      case STARTTLS_SEND: {
        if (cn->send_inflight && cn->tx_next != NULL) {
          /* A third command while two wait: only a server answering what
           * was never asked can cause it. */
          conclude(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_SEND, EPROTO);
          return;
        }
        size_t len;
        const uint8_t *out = starttls_output(&cn->dialogue, &len);
        uint8_t *buf = cn->txbuf[cn->txbuf_turn];
        cn->txbuf_turn ^= 1;
        memcpy(buf, out, len);
        send_bytes(e, c, buf, len);
        if (rest_len == 0) {
          submit_recv(e, c);
          return;
        }
        size_t used = 0;
        step = starttls_feed(&cn->dialogue, rest, rest_len, &used);
        rest += used;
        rest_len -= used;
        continue;
      }
      case STARTTLS_READY:
        if (cn->confirm) {
          start_handshake(e, c, rest, rest_len);
        } else {
          start_tls(e, c, rest, rest_len);
        }
        return;
      case STARTTLS_FAILED:
        dialogue_failed(e, c);
        return;
    }
    return;
  }
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

/* start_probe takes a free slot and runs version |pv| of target |t|. */
/* take_conn readies a free slot for a connection of target |t| at version
 * |pv| (a probe, or a confirmation when |confirm|). */
static uint32_t take_conn(struct engine *e, uint32_t t, int pv, int confirm) {
  struct target_state *ts = &e->targets[t];
  uint32_t c = slot_take(&e->slots);
  struct conn *cn = &e->conns[c];
  cn->state = CONN_CONNECTING;
  cn->target = t;
  cn->pv = (enum probe_version)pv;
  cn->confirm = confirm;
  cn->minimal = 0;
  cn->fallback = 0;
  cn->pending = 0;
  cn->socket_error = 0;
  cn->recv_inflight = 0;
  cn->verdict_done = 0;
  cn->sent = 0;
  cn->send_inflight = 0;
  cn->flush_then_close = 0;
  cn->tx_next = NULL;
  cn->txbuf_turn = 0;
  if (cn->wbio != NULL) {
    /* What the slot's last handshake left unsent or unread belongs to that
     * connection, never to this one's dialogue or handshake. */
    BIO_reset(cn->rbio);
    BIO_reset(cn->wbio);
  }
  cn->start_ns = now_ns();
  /* The whole connection's bound: a few steps' worth (connect, a dialogue
   * of several replies, the answer), more for a full handshake and the
   * application's first exchange. */
  cn->deadline_ns = cn->start_ns + (uint64_t)e->cfg->timeout_ms * 1000000u *
                                       (confirm ? CONFIRM_DEADLINE_STEPS : PROBE_DEADLINE_STEPS);
  ts->active++; /* its place under the politeness limits was taken by admit() */
  stat_add(&e->sh->stats.in_flight, 1);
  stat_add(&e->sh->stats.connects, 1);
  return c;
}

/* submit_connect links socket, [bind,] connect and the connect's timeout. */
static void submit_connect(struct engine *e, uint32_t c) {
  struct conn *cn = &e->conns[c];
  struct target_state *ts = &e->targets[cn->target];
  int family = ts->addr.ss_family;
  const struct sockaddr_storage *src = next_source(e, family);
  unsigned n = src != NULL ? 4 : 3;
  struct io_uring_sqe *sqe[4];
  if (!get_sqes(e, sqe, n)) {
    cn->socket_error = EBUSY;
    conclude(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_CONNECT, EBUSY);
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
  io_uring_prep_connect(sqe[k], (int)c, (struct sockaddr *)&ts->addr, ts->addrlen);
  sqe[k]->flags |= IOSQE_FIXED_FILE | IOSQE_IO_LINK;
  io_uring_sqe_set_data64(sqe[k++], slot_ud(&e->slots, OP_CONNECT, c));
  set_timeout(&cn->ts, e->cfg->timeout_ms);
  io_uring_prep_link_timeout(sqe[k], &cn->ts, 0);
  io_uring_sqe_set_data64(sqe[k++], slot_ud(&e->slots, OP_CONNECT_TIMEOUT, c));
  cn->pending = k;
}

/* start_probe takes a free slot and runs version |pv| of target |t|. */
static void start_probe(struct engine *e, uint32_t t, int pv, int fallback) {
  struct target_state *ts = &e->targets[t];
  if (fallback) {
    ts->fallback_due = 0;
  } else {
    ts->versions_left &= ~(1u << pv);
    ts->attempts[pv]++;
  }
  uint32_t c = take_conn(e, t, pv, 0);
  struct conn *cn = &e->conns[c];
  cn->fallback = fallback;
  cn->minimal = !fallback && ts->minimal_next[pv];
  const struct tp_hello_template *tpl =
      fallback ? &e->hello_fb[pv] : cn->minimal ? &e->hello_min[pv] : &e->hello[pv];
  tp_reader_init(&cn->reader);
  uint8_t rnd[72]; /* random, session id, and what picks the key share */
  fill_random(rnd, sizeof(rnd), &e->rng);
  uint64_t pick;
  memcpy(&pick, rnd + 64, sizeof(pick));
  if (!tp_hello_from_template(tpl, ts->result.sni[0] ? ts->result.sni : NULL, rnd, rnd + 32,
                              key_share_pick(&e->shares, pick), cn->hello, sizeof(cn->hello),
                              &cn->hello_len, &cn->layout)) {
    cn->socket_error = EINVAL;
    conclude(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_CONNECT, EINVAL);
    conn_settle(e, c);
    return;
  }
  submit_connect(e, c);
}

/* start_confirm takes a free slot for one confirmation run of version |pv|. */
static void start_confirm(struct engine *e, uint32_t t, int pv) {
  struct target_state *ts = &e->targets[t];
  ts->confirm_left[pv]--;
  uint32_t c = take_conn(e, t, pv, 1);
  submit_connect(e, c);
}

static void on_connect(struct engine *e, uint32_t c, int res) {
  struct conn *cn = &e->conns[c];
  struct target_state *ts = &e->targets[cn->target];
  if (res == 0) {
    ts->connected_once = 1;
    if (e->cfg->connect_only) {
      conclude(e, c, OUTCOME_CONNECTED, REJECT_NONE, STAGE_NONE, 0);
      return;
    }
    enum proto proto = ts->item.line.proto;
    if (starttls_needed(proto)) {
      cn->state = CONN_DIALOGUE;
      starttls_init(&cn->dialogue, proto, e->cfg->ehlo);
      dialogue_step(e, c, starttls_begin(&cn->dialogue), NULL, 0);
    } else if (cn->confirm) {
      start_handshake(e, c, NULL, 0);
    } else {
      start_tls(e, c, NULL, 0);
    }
    return;
  }
  int err = -res;
  if (cn->socket_error != 0) {
    conclude(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_CONNECT, cn->socket_error);
    return;
  }
  if (err == ECANCELED || err == ETIMEDOUT) {
    conclude(e, c, OUTCOME_TIMEOUT, REJECT_NONE, STAGE_CONNECT, 0);
    return;
  }
  if (err == ECONNRESET || err == ECONNABORTED) {
    /* The server took the connection and reset it before the hello went out
     * (a filter behind accept()): an answer, not an unreachable host. */
    ts->connected_once = 1;
    conclude(e, c, OUTCOME_REJECTED, REJECT_RESET, STAGE_CONNECT, 0);
    return;
  }
  int unreachable = err == ECONNREFUSED || err == ENETUNREACH || err == EHOSTUNREACH;
  if (unreachable && !ts->connected_once) {
    /* The host says nobody listens: the other versions would say the same. */
    ts->result.status = STATUS_UNREACHABLE;
    snprintf(ts->result.error, sizeof(ts->result.error), "connect: %s", strerror(err));
    ts->versions_left = 0;
  }
  conclude(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_CONNECT, err);
}

/* conclude_recv ends a connection whose receive brought no bytes: the
 * server closed (0) or reset, the linked timeout cancelled it, or an error. */
static void conclude_recv(struct engine *e, uint32_t c, int res) {
  if (res == 0) {
    conclude(e, c, OUTCOME_REJECTED, REJECT_CLOSED, STAGE_RECV, 0);
  } else if (res == -ECONNRESET || res == -EPIPE) {
    conclude(e, c, OUTCOME_REJECTED, REJECT_RESET, STAGE_RECV, 0);
  } else if (res == -ECANCELED) {
    conclude(e, c, OUTCOME_TIMEOUT, REJECT_NONE, STAGE_RECV, 0);
  } else {
    conclude(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_RECV, -res);
  }
}

static void confirm_recv(struct engine *e, uint32_t c, int res);
static void confirm_sent(struct engine *e, uint32_t c);

static void on_recv(struct engine *e, uint32_t c, int res) {
  struct conn *cn = &e->conns[c];
  if (cn->verdict_done) {
    return;
  }
  if (cn->state == CONN_HANDSHAKE || cn->state == CONN_APP) {
    confirm_recv(e, c, res);
    return;
  }
  if (cn->state == CONN_DIALOGUE) {
    if (res > 0) {
      size_t used = 0;
      enum starttls_step step = starttls_feed(&cn->dialogue, cn->rbuf, (size_t)res, &used);
      dialogue_step(e, c, step, cn->rbuf + used, (size_t)res - used);
      return;
    }
    if (res == 0) {
      starttls_eof(&cn->dialogue);
      dialogue_failed(e, c);
      return;
    }
  }
  if (res > 0) {
    enum tp_result tr = tp_reader_feed(&cn->reader, cn->rbuf, (size_t)res);
    if (tr == TP_NEED_MORE) {
      submit_recv(e, c);
      return;
    }
    struct version_result *v = probe_slot(e, cn);
    memset(v, 0, sizeof(*v));
    set_verdict_from_reader(cn, v);
    cn->verdict_done = 1;
    probe_finished(e, c);
    return;
  }
  conclude_recv(e, c, res);
}

static void on_send(struct engine *e, uint32_t c, int res) {
  struct conn *cn = &e->conns[c];
  if (cn->verdict_done) {
    cn->send_inflight = 0; /* a flush before the close has gone (or failed) */
    return;
  }
  if (res < 0) {
    /* A reset seen while sending is the server's answer to the hello. */
    if (res == -ECONNRESET || res == -EPIPE) {
      conclude(e, c, OUTCOME_REJECTED, REJECT_RESET, STAGE_SEND, 0);
    } else {
      conclude(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_SEND, -res);
    }
    return;
  }
  cn->send_inflight = 0;
  cn->sent += (size_t)res;
  if (cn->sent < cn->tx_len) {
    submit_send(e, c);
  } else if (cn->tx_next != NULL) {
    const uint8_t *p = cn->tx_next;
    cn->tx_next = NULL;
    send_bytes(e, c, p, cn->tx_next_len);
  } else if (cn->confirm) {
    confirm_sent(e, c);
  }
}

static void on_cqe(struct engine *e, struct io_uring_cqe *cqe) {
  uint64_t ud = io_uring_cqe_get_data64(cqe);
  enum op op = (enum op)ud_op(ud);
  if (op == OP_ARES_POLL) {
    ares_poll_done(e, ud, cqe->res);
    return;
  }
  if (op == OP_ARES_POLL_REMOVE || op == 0) {
    return;
  }
  uint32_t c;
  if (!slot_lookup(&e->slots, ud, &c)) {
    return; /* late completion for a slot that has moved on */
  }
  struct conn *cn = &e->conns[c];
  cn->pending--;
  switch (op) {
    case OP_SOCKET:
    case OP_BIND:
      /* A failed socket or bind cancels the connect linked behind it; keep
       * the first real error for the record. */
      if (cqe->res < 0 && cqe->res != -ECANCELED && cn->socket_error == 0) {
        cn->socket_error = -cqe->res;
      }
      break;
    case OP_CONNECT:
      on_connect(e, c, cqe->res);
      break;
    case OP_SEND:
      on_send(e, c, cqe->res);
      break;
    case OP_RECV:
      cn->recv_inflight = 0;
      on_recv(e, c, cqe->res);
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


/* ---- confirmation: BoringSSL over the ring --------------------------------- */

/* A probe's ServerHello says a server picked a version, not that the
 * handshake completes nor that the service then works (Exchange Online
 * completed TLS 1.0 handshakes and then refused them in POP3 and IMAP).
 * A confirmation connects again, runs the same STARTTLS dialogue, completes
 * a BoringSSL handshake pinned to the version (min = max) over memory BIOs
 * whose bytes go through the ring like any other, and then the protocol's
 * first exchange (appcheck.h): greeting, EHLO, CAPABILITY, CAPA. */

/* plan_confirmations decides, once the probes of a target are done, which
 * versions to confirm and how often: each accepted legacy version (TLS 1.0,
 * 1.1) and, as a control, the highest accepted one; every accepted version
 * with --confirm-all. Returns whether any run is planned. */
static int plan_confirmations(struct engine *e, struct target_state *ts) {
  ts->confirm_planned = 1;
  const struct scan_config *cfg = e->cfg;
  if (e->ssl_ctx == NULL || ts->result.status != STATUS_OK) {
    return 0;
  }
  int highest = -1;
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (ts->result.v[pv].outcome == OUTCOME_ACCEPTED) {
      highest = pv;
    }
  }
  int any = 0;
  for (int pv = 0; pv < PV_COUNT; pv++) {
    struct version_result *v = &ts->result.v[pv];
    if (v->outcome != OUTCOME_ACCEPTED) {
      continue;
    }
    int legacy = pv == PV_TLS10 || pv == PV_TLS11 || pv == PV_SSL3;
    if (!legacy && !cfg->confirm_all && pv != highest) {
      continue;
    }
    if (pv == PV_SSL3) {
      v->confirm.state = CONFIRM_UNSUPPORTED;
      continue;
    }
    v->confirm.state = CONFIRM_DONE;
    /* Repeats measure how often a legacy version is refused; the control
     * version runs once, unless every version is confirmed alike. */
    ts->confirm_left[pv] = legacy || cfg->confirm_all ? cfg->repeat : 1;
    any = 1;
  }
  return any;
}

static int confirm_pending(const struct target_state *ts) {
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (ts->confirm_left[pv] > 0) {
      return 1;
    }
  }
  return 0;
}

static int next_confirm_version(const struct target_state *ts) {
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (ts->confirm_left[pv] > 0) {
      return pv;
    }
  }
  return -1;
}

/* confirm_record adds one run's outcome to the version's confirmation; the
 * first run is kept in full. */
static void confirm_record(struct engine *e, uint32_t c, int handshake_ok,
                           enum confirm_failure failure, int app, const char *stage) {
  struct conn *cn = &e->conns[c];
  struct confirm_result *cr = &e->targets[cn->target].result.v[cn->pv].confirm;
  if (cr->runs == 0) {
    cr->handshake_ok = handshake_ok;
    cr->failure = failure;
    if (cr->stage_name == NULL) {
      cr->stage_name = stage;
    }
  }
  if (!handshake_ok) {
    stat_add(&e->sh->stats.confirm_failures[failure], 1);
  }
  cr->runs++;
  cr->handshake_ok_runs += handshake_ok != 0;
  cr->app_ok_runs += app == APP_OK || app == APP_UNCHECKED;
  cr->app_refused_runs += app == APP_REFUSED;
  cn->verdict_done = 1;
  stat_add(&e->sh->stats.confirms_done, 1);
}

static const char *confirm_stage(const struct conn *cn) {
  switch (cn->state) {
    case CONN_CONNECTING: return "connect";
    case CONN_DIALOGUE: return starttls_stage_name(&cn->dialogue);
    case CONN_HANDSHAKE: return "handshake";
    case CONN_APP: return "app";
    default: return "connect";
  }
}

/* confirm_conclude is conclude() for a confirmation: a connection that
 * failed before or during the handshake. */
static void confirm_conclude(struct engine *e, uint32_t c, enum probe_outcome outcome,
                             enum reject_reason reason, enum probe_stage stage, int err) {
  struct conn *cn = &e->conns[c];
  struct confirm_result *cr = &e->targets[cn->target].result.v[cn->pv].confirm;
  enum confirm_failure f = CONFIRM_FAIL_CONNECT;
  if (outcome == OUTCOME_TIMEOUT) {
    f = CONFIRM_FAIL_TIMEOUT;
  } else if (reason == REJECT_CLOSED) {
    f = CONFIRM_FAIL_CLOSED;
  } else if (reason == REJECT_RESET) {
    f = CONFIRM_FAIL_RESET;
  }
  (void)stage;
  if (cr->runs == 0) {
    cr->error = err;
  }
  /* Silence or a reset after the handshake is the application's answer (or
   * its absence), not a failed handshake. */
  if (cn->state == CONN_APP) {
    if (cr->runs == 0) {
      cr->app = APP_PENDING;
      cr->app_name = f == CONFIRM_FAIL_TIMEOUT ? "timeout" : f == CONFIRM_FAIL_RESET ? "reset"
                                                                                      : "closed";
      cr->stage_name = appcheck_stage_name(&cn->app);
    }
    confirm_record(e, c, 1, CONFIRM_FAIL_NONE, APP_CLOSED, appcheck_stage_name(&cn->app));
    return;
  }
  confirm_record(e, c, 0, f, APP_PENDING, confirm_stage(cn));
}

static void confirm_dialogue_failed(struct engine *e, uint32_t c) {
  struct conn *cn = &e->conns[c];
  const struct starttls *st = &cn->dialogue;
  struct confirm_result *cr = &e->targets[cn->target].result.v[cn->pv].confirm;
  if (cr->runs == 0) {
    cr->reason_name = starttls_failure_name(st);
    size_t n = st->reply_len < RESULT_REPLY_MAX ? st->reply_len : RESULT_REPLY_MAX;
    memcpy(cr->reply, st->reply, n);
    cr->reply_len = (uint16_t)n;
  }
  confirm_record(e, c, 0, starttls_failure(st) == STARTTLS_CLOSED ? CONFIRM_FAIL_CLOSED
                                                                  : CONFIRM_FAIL_STARTTLS,
                 APP_PENDING, starttls_stage_name(st));
}

/* drain_ssl sends what BoringSSL wrote to its output BIO, one buffer at a
 * time (the next once the last has gone: confirm_sent). */
static void drain_ssl(struct engine *e, uint32_t c) {
  struct conn *cn = &e->conns[c];
  if (cn->send_inflight || cn->tx_next != NULL || cn->verdict_done ||
      (cn->state != CONN_HANDSHAKE && cn->state != CONN_APP)) {
    return; /* during a STARTTLS dialogue the output BIO has nothing to say */
  }
  int n = BIO_read(cn->wbio, cn->sslbuf, sizeof(cn->sslbuf));
  if (n > 0) {
    send_bytes(e, c, cn->sslbuf, (size_t)n);
  }
}

static void confirm_sent(struct engine *e, uint32_t c) { drain_ssl(e, c); }

static void want_recv(struct engine *e, uint32_t c) {
  if (!e->conns[c].recv_inflight && !e->conns[c].verdict_done) {
    submit_recv(e, c);
  }
}

/* app_done records the application's answer and ends the run. */
static void app_done(struct engine *e, uint32_t c) {
  struct conn *cn = &e->conns[c];
  struct confirm_result *cr = &e->targets[cn->target].result.v[cn->pv].confirm;
  enum appcheck_result res = appcheck_result(&cn->app);
  if (cr->runs == 0) {
    cr->app = res;
    cr->app_name = appcheck_result_name(&cn->app);
    cr->app_code = (int)appcheck_code(&cn->app);
    size_t len;
    const uint8_t *reply = appcheck_reply(&cn->app, &len);
    len = len < RESULT_REPLY_MAX ? len : RESULT_REPLY_MAX;
    memcpy(cr->reply, reply, len);
    cr->reply_len = (uint16_t)len;
  }
  confirm_record(e, c, 1, CONFIRM_FAIL_NONE, res, "app");
}

/* app_step acts on what the application check asks for next. */
static void app_step(struct engine *e, uint32_t c, enum appcheck_step step) {
  struct conn *cn = &e->conns[c];
  if (step == APPCHECK_SEND) {
    size_t len;
    const uint8_t *out = appcheck_output(&cn->app, &len);
    if (SSL_write(cn->ssl, out, (int)len) <= 0) {
      confirm_record(e, c, 1, CONFIRM_FAIL_NONE, APP_CLOSED, "app");
      return;
    }
    drain_ssl(e, c);
    want_recv(e, c);
  } else if (step == APPCHECK_NEED_MORE) {
    want_recv(e, c);
  } else {
    app_done(e, c);
  }
}

/* handshake_failed reads why BoringSSL gave up: an alert the server sent
 * (its reason codes are 1000 + the alert), or its own reason. */
static void handshake_failed(struct engine *e, uint32_t c) {
  struct conn *cn = &e->conns[c];
  struct confirm_result *cr = &e->targets[cn->target].result.v[cn->pv].confirm;
  uint32_t err = ERR_peek_last_error();
  int reason = ERR_GET_REASON(err);
  ERR_clear_error();
  enum confirm_failure f = CONFIRM_FAIL_TLS;
  if (reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
    f = CONFIRM_FAIL_ALERT;
    if (cr->runs == 0) {
      cr->alert = (uint8_t)(reason - SSL_AD_REASON_OFFSET);
    }
  } else if (cr->runs == 0) {
    cr->error = (int)err;
  }
  confirm_record(e, c, 0, f, APP_PENDING, "handshake");
}

static void bench_handshake_done(struct engine *e, uint32_t c);

/* tls_drive moves the handshake, then the application exchange, as far as
 * the bytes received so far allow. */
static void tls_drive(struct engine *e, uint32_t c) {
  struct conn *cn = &e->conns[c];
  if (cn->state == CONN_HANDSHAKE) {
    int rc = SSL_do_handshake(cn->ssl);
    if (rc != 1) {
      int err = SSL_get_error(cn->ssl, rc);
      drain_ssl(e, c);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        want_recv(e, c);
      } else {
        handshake_failed(e, c);
      }
      return;
    }
    struct target_state *ts = &e->targets[cn->target];
    struct confirm_result *cr = &ts->result.v[cn->pv].confirm;
    if (cr->runs == 0) {
      cr->version = (uint16_t)SSL_version(cn->ssl);
      const SSL_CIPHER *cipher = SSL_get_current_cipher(cn->ssl);
      cr->cipher = cipher != NULL ? SSL_CIPHER_get_protocol_id(cipher) : 0;
    }
    if (e->cfg->bench.version != 0) {
      bench_handshake_done(e, c);
      return;
    }
    if (!ts->result.has_cert && e->cfg->verifier != NULL) {
      const char *host = ts->result.sni[0] ? ts->result.sni : ts->result.ip;
      ts->result.has_cert = cert_info_from_ssl(cn->ssl, e->cfg->verifier, host, time(NULL),
                                               &ts->result.cert);
    }
    cn->state = CONN_APP;
    enum proto proto = ts->item.line.proto;
    appcheck_init(&cn->app, proto, starttls_needed(proto),
                  ts->item.line.kind == TARGET_NAME ? ts->item.line.host : e->cfg->ehlo);
    drain_ssl(e, c);
    app_step(e, c, appcheck_begin(&cn->app));
    if (cn->verdict_done || cn->state != CONN_APP) {
      return;
    }
  }
  /* The application's bytes: decrypt what has arrived and feed it. */
  uint8_t plain[2048];
  for (;;) {
    int n = SSL_read(cn->ssl, plain, sizeof(plain));
    if (n <= 0) {
      int err = SSL_get_error(cn->ssl, n);
      drain_ssl(e, c);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        want_recv(e, c);
      } else {
        /* close_notify or a fatal alert after the handshake: the service
         * ended the session without an answer. */
        ERR_clear_error();
        app_step(e, c, appcheck_eof(&cn->app));
      }
      return;
    }
    size_t at = 0;
    while (at < (size_t)n && !cn->verdict_done) {
      size_t used = 0;
      enum appcheck_step step = appcheck_feed(&cn->app, plain + at, (size_t)n - at, &used);
      at += used;
      app_step(e, c, step);
      if (step != APPCHECK_SEND || used == 0) {
        break;
      }
    }
    if (cn->verdict_done) {
      return;
    }
  }
}

/* bench_bucket maps a latency to its histogram bucket: eight buckets per
 * power of two of microseconds, so percentiles are within about 9%. */
static unsigned bench_bucket(uint64_t us) {
  if (us < 8) {
    return (unsigned)us;
  }
  unsigned log = 63u - (unsigned)__builtin_clzll(us);
  unsigned b = (log - 2) * 8 + (unsigned)((us >> (log - 3)) & 7);
  return b < BENCH_BUCKETS ? b : BENCH_BUCKETS - 1;
}

uint64_t bench_bucket_upper_us(unsigned b) {
  if (b < 8) {
    return b + 1;
  }
  unsigned log = b / 8 + 2;
  return ((uint64_t)(8 + b % 8 + 1) << (log - 3));
}

/* bench_handshake_done ends a bench run at the completed handshake: its
 * latency (connect to handshake done) goes to the histogram, and with
 * --resume-sessions the first session is kept for the runs after it. */
static void bench_handshake_done(struct engine *e, uint32_t c) {
  struct conn *cn = &e->conns[c];
  struct scan_stats *st = &e->sh->stats;
  uint64_t us = (now_ns() - cn->start_ns) / 1000;
  stat_add(&st->bench_hist[bench_bucket(us)], 1);
  uint64_t max = __atomic_load_n(&st->bench_max_us, __ATOMIC_RELAXED);
  while (us > max && !__atomic_compare_exchange_n(&st->bench_max_us, &max, us, 0,
                                                  __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
  if (SSL_session_reused(cn->ssl)) {
    stat_add(&st->bench_resumed, 1);
  }
  if (e->cfg->bench.resume && e->bench_session == NULL) {
    e->bench_session = SSL_get1_session(cn->ssl);
  }
  /* In TLS 1.3 the client's Finished is still in the output BIO: send it and
   * close once it has gone, so that the server completes its handshake too
   * (and the next connection on this slot starts clean). */
  drain_ssl(e, c);
  cn->flush_then_close = cn->send_inflight;
  confirm_record(e, c, 1, CONFIRM_FAIL_NONE, APP_UNCHECKED, "handshake");
}

/* start_handshake sets the slot's SSL object up for this run and starts. */
static void start_handshake(struct engine *e, uint32_t c, const uint8_t *early, size_t early_len) {
  struct conn *cn = &e->conns[c];
  struct target_state *ts = &e->targets[cn->target];
  if (cn->ssl == NULL) {
    cn->ssl = SSL_new(e->ssl_ctx);
    cn->rbio = BIO_new(BIO_s_mem());
    cn->wbio = BIO_new(BIO_s_mem());
    if (cn->ssl == NULL || cn->rbio == NULL || cn->wbio == NULL) {
      BIO_free(cn->rbio);
      BIO_free(cn->wbio);
      SSL_free(cn->ssl);
      cn->ssl = NULL;
      confirm_record(e, c, 0, CONFIRM_FAIL_TLS, APP_PENDING, "handshake");
      return;
    }
    SSL_set_bio(cn->ssl, cn->rbio, cn->wbio);
  } else {
    SSL_clear(cn->ssl);
    /* BoringSSL's SSL_clear keeps a client's last session to offer it again
     * (OpenSSL's behaviour): that would make every confirmation after the
     * first a resumption, and offer one server's session to the next. */
    SSL_set_session(cn->ssl, NULL);
    /* The BIOs were emptied when the slot was taken (take_conn). */
  }
  uint16_t version = probe_version_wire(cn->pv);
  SSL_set_min_proto_version(cn->ssl, version);
  SSL_set_max_proto_version(cn->ssl, version);
  if (ts->result.sni[0] != '\0') {
    SSL_set_tlsext_host_name(cn->ssl, ts->result.sni);
  }
  if (e->bench_session != NULL) {
    SSL_set_session(cn->ssl, e->bench_session);
  }
  SSL_set_connect_state(cn->ssl);
  cn->state = CONN_HANDSHAKE;
  if (early_len > 0) {
    BIO_write(cn->rbio, early, (int)early_len);
  }
  tls_drive(e, c);
}

static void confirm_recv(struct engine *e, uint32_t c, int res) {
  struct conn *cn = &e->conns[c];
  if (cn->verdict_done) {
    return;
  }
  if (res > 0) {
    BIO_write(cn->rbio, cn->rbuf, res);
    tls_drive(e, c);
    return;
  }
  if (res == 0 && cn->state == CONN_APP) {
    app_step(e, c, appcheck_eof(&cn->app));
    return;
  }
  conclude_recv(e, c, res);
}

/* ---- the loop -------------------------------------------------------------- */

/* take_targets moves items from the shared feed into free target states,
 * keeping about as many targets waiting as there are free slots. */
static void take_targets(struct engine *e) {
  struct scan_shared *sh = e->sh;
  if (sh->sink.congested != NULL && sh->sink.congested(sh->sink.ctx)) {
    return;
  }
  while (!e->feed_done && e->free_targets != NONE && !sh->stop) {
    unsigned waiting = e->targets_used;
    if (waiting >= e->nconn + e->nconn / 2 + 8) {
      return;
    }
    struct target_item item;
    struct target_feed *feed = sh->feed;
    int got;
    uint64_t pseq = 0;
    pthread_mutex_lock(&feed->lock);
    for (;;) {
      got = !feed->done && feed->next(feed->source, &item);
      if (!got) {
        __atomic_store_n(&feed->done, 1, __ATOMIC_RELEASE);
        break;
      }
      pseq = feed->position++;
      if (feed->skip == NULL || !done_set_has(feed->skip, pseq)) {
        __atomic_fetch_add(&feed->taken, 1, __ATOMIC_RELAXED);
        break;
      }
      feed->skipped++; /* done before the checkpoint: not again */
    }
    pthread_mutex_unlock(&feed->lock);
    if (!got) {
      e->feed_done = 1;
      return;
    }
    start_target(e, &item, pseq);
  }
}

/* drop_unstarted, once a stop is asked for, forgets the queued targets that
 * no probe has touched yet: they are not written (a resumed scan takes them
 * up), so that draining waits only for work really in flight. */
static void drop_unstarted(struct engine *e) {
  uint32_t keep_head = NONE, keep_tail = NONE;
  for (uint32_t t = fifo_pop(e); t != NONE; t = fifo_pop(e)) {
    struct target_state *ts = &e->targets[t];
    int started = ts->active > 0;
    for (int pv = 0; pv < PV_COUNT && !started; pv++) {
      started = ts->attempts[pv] > 0;
    }
    if (started) {
      ts->next = NONE;
      ts->queued = 1;
      if (keep_tail == NONE) {
        keep_head = t;
      } else {
        e->targets[keep_tail].next = t;
      }
      keep_tail = t;
      continue;
    }
    stat_add(&e->sh->not_started, 1);
    unbind_target(e, ts);
    ts->used = 0;
    ts->next = e->free_targets;
    e->free_targets = t;
    e->targets_used--;
  }
  e->fifo_head = keep_head;
  e->fifo_tail = keep_tail;
}

/* start_probes gives free slots to queued targets, within the rate limit and
 * the per-host cap. Returns nanoseconds to wait for the rate limiter (0 when
 * it was not the limit). */
static uint64_t start_probes(struct engine *e) {
  e->held_by_cap = 0;
  unsigned budget = e->slots.nfree;
  uint32_t deferred_head = NONE, deferred_tail = NONE;
  uint64_t wait = 0;
  while (budget > 0 && e->fifo_head != NONE) {
    uint32_t t = fifo_pop(e);
    struct target_state *ts = &e->targets[t];
    int pv = next_version(ts->versions_left);
    int confirm = 0, fallback = 0;
    if (pv < 0 && ts->active == 0 && ts->fallback_due) {
      pv = ts->result.fallback_pv;
      fallback = 1;
    } else if (pv < 0 && (ts->active == 0 || ts->confirm_planned)) {
      /* Confirmations start once every probe of the target is in; then
       * several may run at once, as --per-host allows. */
      if (e->cfg->bench.deadline_ns != 0 && now_ns() >= e->cfg->bench.deadline_ns) {
        memset(ts->confirm_left, 0, sizeof(ts->confirm_left)); /* --duration is up */
      }
      pv = next_confirm_version(ts);
      confirm = 1;
    }
    if (pv < 0 || ts->result.status != STATUS_OK) {
      continue; /* conn_settle finishes it when its last probe ends */
    }
    uint64_t w = 0;
    int hold = !admit(e, ts);
    /* Held while none of its own connections is open: what holds it is
     * another target's connection, perhaps another engine's. */
    e->held_by_cap |= hold && ts->active == 0;
    if (!hold && rate_limiter_take(e->sh->limiter, 1, now_ns(), &w) == 0) {
      release(e, ts);
      wait = w;
      hold = 1; /* keep its place at the front */
      budget = 0;
    }
    if (hold) {
      /* Look at this target again next round, in the same order. */
      ts->next = NONE;
      ts->queued = 1;
      if (deferred_tail == NONE) {
        deferred_head = t;
      } else {
        e->targets[deferred_tail].next = t;
      }
      deferred_tail = t;
      continue;
    }
    if (confirm) {
      start_confirm(e, t, pv);
      if (confirm_pending(ts)) {
        fifo_push(e, t); /* more runs of the same target may start beside it */
      }
    } else {
      start_probe(e, t, pv, fallback);
    }
    budget--;
  }
  /* Deferred targets go back in front, in order. */
  if (deferred_head != NONE) {
    e->targets[deferred_tail].next = e->fifo_head;
    if (e->fifo_tail == NONE) {
      e->fifo_tail = deferred_tail;
    }
    e->fifo_head = deferred_head;
  }
  return wait;
}

static int engine_init(struct engine *e, struct scan_shared *sh) {
  memset(e, 0, sizeof(*e));
  e->sh = sh;
  e->cfg = sh->config;
  e->reset_close = e->cfg->bench.version != 0;
  e->nconn = e->cfg->concurrency;
  e->ntargets = engine_targets_per_thread(e->cfg);
  e->conns = calloc(e->nconn, sizeof(*e->conns));
  e->targets = calloc(e->ntargets, sizeof(*e->targets));
  e->polite = sh->polite;
  if (!e->conns || !e->targets || !slot_pool_init(&e->slots, e->nconn)) {
    return -ENOMEM;
  }
  for (int pv = 0; pv < PV_COUNT; pv++) {
    struct tp_client_hello_opts opts = {
        .version = probe_version_wire((enum probe_version)pv),
        .ciphers = TP_CIPHERS_BROAD,
    };
    /* A 32-byte session id is patched in per probe; the template needs one
     * to leave room for it. */
    static const uint8_t kZeros[32];
    opts.session_id = kZeros;
    struct tp_client_hello_opts min = opts, fb = opts;
    min.minimal = 1;
    fb.fallback_scsv = 1;
    if (!tp_hello_template_init(&e->hello[pv], &opts) ||
        !tp_hello_template_init(&e->hello_min[pv], &min) ||
        !tp_hello_template_init(&e->hello_fb[pv], &fb)) {
      return -EINVAL;
    }
  }
  for (unsigned i = 0; i < e->ntargets; i++) {
    e->targets[i].next = i + 1 < e->ntargets ? i + 1 : NONE;
  }
  e->free_targets = 0;
  e->fifo_head = e->fifo_tail = NONE;
  /* Room for each slot's largest link (3) plus c-ares polls. */
  unsigned entries = 1;
  while (entries < e->nconn * 3 + 64 && entries < 32768) {
    entries <<= 1;
  }
  int rc = ring_setup(&e->ring, entries, entries * 4);
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
  if (rc < 0) {
    io_uring_queue_exit(&e->ring);
    return rc;
  }
  e->rng = now_ns() ^ (uint64_t)(uintptr_t)e;
  key_share_pool_init(&e->shares);
  if (e->cfg->confirm) {
    /* One context for every confirmation of this thread; the version is set
     * per connection. The chain is checked by cert.c against the trust
     * store and reported, never enforced: a scanner must see servers with
     * bad certificates too. A broad cipher list, 3DES and RC4 included
     * where BoringSSL still has them, so old servers can say yes. */
    e->ssl_ctx = SSL_CTX_new(TLS_method());
    if (e->ssl_ctx == NULL) {
      return -ENOMEM;
    }
    SSL_CTX_set_verify(e->ssl_ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_cipher_list(e->ssl_ctx, e->cfg->bench.ciphers != NULL ? e->cfg->bench.ciphers
                                                                        : "ALL:3DES:RC4:@STRENGTH");
    SSL_CTX_set_min_proto_version(e->ssl_ctx, TLS1_VERSION);
    SSL_CTX_set_max_proto_version(e->ssl_ctx, TLS1_3_VERSION);
  }
  e->ares_ready = ares_setup(e);
  return 0;
}

static void engine_free(struct engine *e) {
  if (e->ares_ready) {
    ares_destroy(e->channel);
  }
  io_uring_queue_exit(&e->ring);
  for (unsigned i = 0; e->conns != NULL && i < e->nconn; i++) {
    SSL_free(e->conns[i].ssl); /* frees its BIOs too */
  }
  free(e->conns);
  slot_pool_free(&e->slots);
  SSL_SESSION_free(e->bench_session);
  SSL_CTX_free(e->ssl_ctx);
  free(e->targets);
}

int engine_run(struct scan_shared *sh) {
  struct engine *e = malloc(sizeof(*e));
  if (e == NULL) {
    return -ENOMEM;
  }
  int rc = engine_init(e, sh);
  if (rc < 0) {
    free(e);
    return rc;
  }
  for (;;) {
    take_targets(e);
    if (sh->stop) {
      drop_unstarted(e);
    }
    uint64_t wait = start_probes(e);
    if ((e->feed_done || sh->stop) && e->targets_used == 0) {
      break;
    }
    if (sh->stop == 2 || (sh->stop && now_ns() > sh->stop_deadline_ns)) {
      /* Out of patience: what is still in flight is not written (a resumed
       * scan probes it again). */
      stat_add(&sh->abandoned, e->targets_used);
      break;
    }
    /* Wake for the rate limiter, c-ares timeouts, or at least every 100 ms
     * (a stop request, the feed). */
    uint64_t wait_ns = 100000000;
    if (wait != 0 && wait < wait_ns) {
      wait_ns = wait;
    }
    /* A target waiting for an address or network that another engine holds
     * has no completion of ours to wake it: look again soon. */
    if (e->held_by_cap && e->cfg->threads > 1 && wait_ns > 2000000) {
      wait_ns = 2000000;
    }
    if (e->ares_ready && e->resolving > 0) {
      struct timeval tv, *tvp = ares_timeout(e->channel, NULL, &tv);
      if (tvp != NULL) {
        uint64_t a = (uint64_t)tvp->tv_sec * 1000000000u + (uint64_t)tvp->tv_usec * 1000u;
        if (a < wait_ns) {
          wait_ns = a == 0 ? 1000000 : a;
        }
      }
    }
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
    if (e->ares_ready && e->resolving > 0) {
      ares_process_fd(e->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* timeouts */
    }
  }
  engine_free(e);
  free(e);
  return 0;
}
