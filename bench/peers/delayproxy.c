/* bench/peers/delayproxy.c: a TCP proxy that delays every chunk of data.
 *
 *   delayproxy --map FILE [--delay-ms N] [--duration S] [--max-conns N]
 *
 * The benchmark's servers all sit on loopback, where a round trip costs
 * microseconds, so a scan looks far faster than it would against the
 * internet; and this kernel has no sch_netem to slow loopback down. So each
 * line of FILE, `LISTEN_ADDR:PORT UPSTREAM_ADDR:PORT` (IPv4, or [IPv6]),
 * gets a listener here, and each connection accepted on it is relayed to its
 * upstream with every chunk read from either side held back for the delay
 * (default 25 ms one way) before it is written to the other. An EOF is
 * passed on as shutdown(SHUT_WR) after the same delay, behind the data read
 * before it; a refused upstream or a reset on either side reaches the other
 * side as a reset, also after the delay, as a direct connection would see.
 *
 * Limits: only data, EOFs and resets are delayed. The TCP handshake is not:
 * the client's connect completes at once, and the upstream connect starts at
 * accept (a refused upstream shows as a reset after the delay, not as a
 * refused connect). A chunk is stamped when read and goes out at least the
 * delay later, up to about a millisecond more (epoll's timeout is in ms).
 * Each direction holds at most kQueueMax bytes in transit, so one connection
 * moves about kQueueMax per delay (10 MiB/s at 25 ms), not more.
 * Upstream connections come from the kernel's choice of source address
 * (127.0.0.1 for 127/8), not from the client's. --max-conns is lowered (with a
 * warning if it was given) to what RLIMIT_NOFILE's hard limit allows (two per connection).
 *
 * One thread, one epoll set: listeners level-triggered (accept until
 * EAGAIN), connections edge-triggered with the readiness remembered. The
 * delay is constant, so chunks fall due in the order they were read: one
 * global FIFO of pending chunks is the timer, and epoll's timeout is its
 * head's due time. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "scanner/base/clock.h"

/* Per direction: about one bandwidth-delay product of a fast link, and a
 * bound on memory (two directions of every connection). */
static const size_t kQueueMax = 256 * 1024;

enum { KIND_DATA, KIND_EOF, KIND_RESET };

/* A chunk read from one side, waiting for its due time and then for the
 * other side to take it. Until due it is also in the global timer FIFO. */
struct chunk {
  struct chunk *next; /* in its direction's FIFO */
  struct chunk *tprev, *tnext;
  struct conn *conn;
  uint64_t due;
  uint32_t len, off;
  uint8_t dir, kind, ready;
  uint8_t data[];
};

/* One end of a relayed connection; epoll events point at it. */
struct side {
  struct conn *conn;
  int fd;
  uint8_t idx;       /* 0: the client, 1: the upstream */
  uint8_t can_read;  /* edge seen, EAGAIN not yet */
  uint8_t can_write; /* likewise for writes */
  uint8_t read_done; /* EOF read, or the connection is failing */
};

/* dir[i] holds what side i sent, bound for side 1 - i. */
struct dir {
  struct chunk *head, *tail;
  size_t queued;
  uint8_t eof_delivered;
};

struct conn {
  struct side side[2];
  struct dir dir[2];
  struct conn *prev, *next; /* every live connection, to free them at exit */
  struct conn *next_gone;
  uint8_t connecting; /* upstream connect not yet complete */
  uint8_t failing;    /* a side failed: a reset is on its way to the other */
  uint8_t gone;       /* closed; freed after this round of events */
};

struct listener {
  int fd;
  socklen_t uplen;
  struct sockaddr_storage up;
};

static struct {
  int ep;
  uint64_t delay_ns;
  unsigned long max_conns, nconns;
  struct listener *listeners;
  size_t nlisteners;
  struct chunk *timer_head, *timer_tail;
  struct conn *live;
  struct conn *gone;
  uint64_t accepted, over_limit, connect_failures, bytes[2];
} g;

static uint8_t g_buf[64 * 1024];

static void timer_unlink(struct chunk *ch) {
  if (ch->tprev != NULL) {
    ch->tprev->tnext = ch->tnext;
  } else {
    g.timer_head = ch->tnext;
  }
  if (ch->tnext != NULL) {
    ch->tnext->tprev = ch->tprev;
  } else {
    g.timer_tail = ch->tprev;
  }
  ch->tprev = ch->tnext = NULL;
}

/* enqueue stamps the chunk now + delay; CLOCK_MONOTONIC never goes back, so
 * appending keeps the timer FIFO sorted. */
static int enqueue(struct conn *c, int i, int kind, const uint8_t *data, size_t len) {
  struct chunk *ch = malloc(sizeof(*ch) + len);
  if (ch == NULL) {
    return 0;
  }
  memset(ch, 0, sizeof(*ch));
  if (len != 0) {
    memcpy(ch->data, data, len);
  }
  ch->conn = c;
  ch->due = now_ns() + g.delay_ns;
  ch->len = (uint32_t)len;
  ch->dir = (uint8_t)i;
  ch->kind = (uint8_t)kind;
  struct dir *d = &c->dir[i];
  if (d->tail != NULL) {
    d->tail->next = ch;
  } else {
    d->head = ch;
  }
  d->tail = ch;
  d->queued += len;
  ch->tprev = g.timer_tail;
  if (g.timer_tail != NULL) {
    g.timer_tail->tnext = ch;
  } else {
    g.timer_head = ch;
  }
  g.timer_tail = ch;
  return 1;
}

static void pop(struct dir *d) {
  struct chunk *ch = d->head;
  d->head = ch->next;
  if (d->head == NULL) {
    d->tail = NULL;
  }
  free(ch);
}

static void discard(struct dir *d) {
  while (d->head != NULL) {
    if (!d->head->ready) {
      timer_unlink(d->head);
    }
    pop(d);
  }
  d->queued = 0;
}

/* conn_end closes both sides; |reset| sends RSTs (SO_LINGER 0), so that a
 * peer sees an abort where the other end aborted. */
static void conn_end(struct conn *c, int reset) {
  static const struct linger kAbort = {1, 0};
  for (int i = 0; i < 2; i++) {
    if (c->side[i].fd >= 0) {
      if (reset) {
        setsockopt(c->side[i].fd, SOL_SOCKET, SO_LINGER, &kAbort, sizeof(kAbort));
      }
      close(c->side[i].fd);
      c->side[i].fd = -1;
    }
    discard(&c->dir[i]);
  }
  c->gone = 1;
  c->next_gone = g.gone;
  g.gone = c;
  g.nconns--;
}

/* side_failed: side i reset, errored or never connected. Nothing more can
 * go to it, nor usefully come from the other side; what it sent before is
 * still delivered, then the reset, each at its due time. */
static void side_failed(struct conn *c, int i) {
  if (c->failing) {
    conn_end(c, 1);
    return;
  }
  c->failing = 1;
  if (c->side[i].fd >= 0) {
    close(c->side[i].fd);
    c->side[i].fd = -1;
  }
  c->side[0].read_done = c->side[1].read_done = 1;
  discard(&c->dir[1 - i]);
  if (!enqueue(c, i, KIND_RESET, NULL, 0)) {
    conn_end(c, 1);
  }
}

/* pump reads side i while it has data and its queue has room. */
static void pump(struct conn *c, int i) {
  struct side *s = &c->side[i];
  while (s->can_read && !s->read_done && c->dir[i].queued < kQueueMax) {
    ssize_t n = recv(s->fd, g_buf, sizeof(g_buf), 0);
    if (n > 0) {
      if (!enqueue(c, i, KIND_DATA, g_buf, (size_t)n)) {
        conn_end(c, 1);
        return;
      }
    } else if (n == 0) {
      s->read_done = 1;
      if (!enqueue(c, i, KIND_EOF, NULL, 0)) {
        conn_end(c, 1);
      }
      return;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      s->can_read = 0;
    } else if (errno != EINTR) {
      side_failed(c, i);
      return;
    }
  }
}

/* deliver writes the due chunks of dir[i] to side 1 - i, in order, as far as
 * that side takes them. The caller checks c->gone afterwards. */
static void deliver(struct conn *c, int i) {
  struct dir *d = &c->dir[i];
  struct side *dst = &c->side[1 - i];
  struct chunk *ch;
  while ((ch = d->head) != NULL && ch->ready) {
    if (ch->kind == KIND_RESET) {
      conn_end(c, 1);
      return;
    }
    if (c->connecting) {
      return; /* only dir[0] can have anything due this early */
    }
    if (ch->kind == KIND_EOF) {
      shutdown(dst->fd, SHUT_WR);
      d->eof_delivered = 1;
      pop(d);
      if (c->dir[1 - i].eof_delivered && !c->failing) {
        conn_end(c, 0);
        return;
      }
      continue;
    }
    if (!dst->can_write) {
      return;
    }
    ssize_t n = send(dst->fd, ch->data + ch->off, ch->len - ch->off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        dst->can_write = 0;
        return;
      }
      if (errno != EINTR) {
        side_failed(c, 1 - i);
        return;
      }
      continue;
    }
    g.bytes[i] += (uint64_t)n;
    ch->off += (uint32_t)n;
    d->queued -= (size_t)n;
    if (ch->off == ch->len) {
      pop(d);
    }
  }
  /* Backpressure lifted: read what was left waiting in the kernel. */
  if (d->queued < kQueueMax) {
    pump(c, i);
  }
}

static void on_side(struct side *s, uint32_t events) {
  struct conn *c = s->conn;
  int i = s->idx;
  if (c->gone || s->fd < 0) {
    return; /* an event for a side closed earlier in this round */
  }
  if (i == 1 && c->connecting) {
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0 ||
        (events & (EPOLLERR | EPOLLHUP))) {
      g.connect_failures++;
      side_failed(c, 1);
      return;
    }
    if (!(events & EPOLLOUT)) {
      return;
    }
    c->connecting = 0;
  }
  if (events & EPOLLERR) {
    side_failed(c, i);
    return;
  }
  if (events & EPOLLOUT) {
    s->can_write = 1;
    deliver(c, 1 - i);
    if (c->gone) {
      return;
    }
  }
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) {
    s->can_read = 1;
    pump(c, i);
  }
}

static int watch(int fd, uint64_t data, uint32_t events) {
  struct epoll_event ev = {.events = events, .data.u64 = data};
  return epoll_ctl(g.ep, EPOLL_CTL_ADD, fd, &ev);
}

static void start_conn(struct listener *l, int cfd) {
  struct conn *c = calloc(1, sizeof(*c));
  if (c == NULL) {
    close(cfd);
    return;
  }
  int one = 1;
  setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  c->side[0] = (struct side){.conn = c, .fd = cfd, .idx = 0};
  c->side[1] = (struct side){.conn = c, .fd = -1, .idx = 1};
  c->connecting = 1;
  c->next = g.live;
  if (g.live != NULL) {
    g.live->prev = c;
  }
  g.live = c;
  g.nconns++;
  /* Edge-triggered: one registration for the connection's life. */
  const uint32_t kEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  if (watch(cfd, (uint64_t)(uintptr_t)&c->side[0], kEvents) != 0) {
    conn_end(c, 1);
    return;
  }
  int ufd = socket(l->up.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (ufd < 0) {
    g.connect_failures++;
    side_failed(c, 1);
    return;
  }
  c->side[1].fd = ufd;
  setsockopt(ufd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (connect(ufd, (const struct sockaddr *)&l->up, l->uplen) == 0) {
    c->connecting = 0;
  } else if (errno != EINPROGRESS) {
    g.connect_failures++;
    side_failed(c, 1);
    return;
  }
  if (watch(ufd, (uint64_t)(uintptr_t)&c->side[1], kEvents) != 0) {
    conn_end(c, 1);
  }
}

static void on_listener(struct listener *l) {
  for (;;) {
    int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) {
        continue;
      }
      return; /* EAGAIN; anything else, level triggering retries */
    }
    g.accepted++;
    if (g.nconns >= g.max_conns) {
      g.over_limit++;
      close(fd);
      continue;
    }
    start_conn(l, fd);
  }
}

/* run_timers marks what fell due and delivers it. A reset that is due goes
 * out even if the data before it cannot: the peer would not wait either. */
static void run_timers(uint64_t now) {
  struct chunk *ch;
  while ((ch = g.timer_head) != NULL && ch->due <= now) {
    timer_unlink(ch);
    ch->ready = 1;
    struct conn *c = ch->conn;
    int reset = ch->kind == KIND_RESET;
    deliver(c, ch->dir);
    if (reset && !c->gone) {
      conn_end(c, 1);
    }
  }
}

static void free_gone(void) {
  while (g.gone != NULL) {
    struct conn *c = g.gone;
    g.gone = c->next_gone;
    if (c->prev != NULL) {
      c->prev->next = c->next;
    } else {
      g.live = c->next;
    }
    if (c->next != NULL) {
      c->next->prev = c->prev;
    }
    free(c);
  }
}

/* parse_addr reads A.B.C.D:PORT or [V6]:PORT. */
static int parse_addr(char *text, struct sockaddr_storage *ss, socklen_t *len) {
  char *colon = strrchr(text, ':');
  if (colon == NULL || colon[1] == '\0' || strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
      strlen(colon + 1) > 5) {
    return 0;
  }
  long port = strtol(colon + 1, NULL, 10);
  if (port < 1 || port > 65535) {
    return 0;
  }
  *colon = '\0';
  memset(ss, 0, sizeof(*ss));
  size_t n = strlen(text);
  if (text[0] == '[') {
    if (n < 2 || text[n - 1] != ']') {
      return 0;
    }
    text[n - 1] = '\0';
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons((uint16_t)port);
    *len = sizeof(*sin6);
    return inet_pton(AF_INET6, text + 1, &sin6->sin6_addr) == 1;
  }
  struct sockaddr_in *sin = (struct sockaddr_in *)ss;
  sin->sin_family = AF_INET;
  sin->sin_port = htons((uint16_t)port);
  *len = sizeof(*sin);
  return inet_pton(AF_INET, text, &sin->sin_addr) == 1;
}

static int listen_on(const struct sockaddr_storage *ss, socklen_t len) {
  int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (ss->ss_family == AF_INET6) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  }
  if (bind(fd, (const struct sockaddr *)ss, len) != 0 || listen(fd, 4096) != 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

/* load_map binds a listener for each line of |path|. Returns 0, or the exit
 * status after saying why. */
static int load_map(const char *path) {
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    fprintf(stderr, "delayproxy: %s: %s\n", path, strerror(errno));
    return 2;
  }
  char *line = NULL;
  size_t cap = 0, have = 0;
  int status = 0;
  for (unsigned long lineno = 1; status == 0 && getline(&line, &cap, f) >= 0; lineno++) {
    line[strcspn(line, "#")] = '\0';
    char *save = NULL;
    char *from = strtok_r(line, " \t\r\n", &save);
    if (from == NULL) {
      continue;
    }
    char *to = strtok_r(NULL, " \t\r\n", &save);
    char from_text[64], to_text[64];
    snprintf(from_text, sizeof(from_text), "%s", from);
    snprintf(to_text, sizeof(to_text), "%s", to != NULL ? to : "");
    struct sockaddr_storage listen_addr;
    socklen_t listen_len;
    struct listener l;
    if (to == NULL || strtok_r(NULL, " \t\r\n", &save) != NULL) {
      fprintf(stderr, "delayproxy: %s:%lu: want LISTEN_ADDR:PORT UPSTREAM_ADDR:PORT\n", path,
              lineno);
      status = 2;
    } else if (!parse_addr(from, &listen_addr, &listen_len)) {
      fprintf(stderr,
              "delayproxy: %s:%lu: bad listen address '%s' (want A.B.C.D:PORT or [V6]:PORT)\n",
              path, lineno, from_text);
      status = 2;
    } else if (!parse_addr(to, &l.up, &l.uplen)) {
      fprintf(stderr,
              "delayproxy: %s:%lu: bad upstream address '%s' (want A.B.C.D:PORT or [V6]:PORT)\n",
              path, lineno, to_text);
      status = 2;
    } else if ((l.fd = listen_on(&listen_addr, listen_len)) < 0) {
      fprintf(stderr, "delayproxy: %s:%lu: cannot listen on %s: %s\n", path, lineno, from_text,
              strerror(errno));
      status = 1;
    } else {
      if (g.nlisteners == have) {
        have = have ? 2 * have : 64;
        struct listener *grown = realloc(g.listeners, have * sizeof(*grown));
        if (grown == NULL) {
          close(l.fd);
          fprintf(stderr, "delayproxy: out of memory\n");
          status = 1;
          break;
        }
        g.listeners = grown;
      }
      g.listeners[g.nlisteners++] = l;
    }
  }
  free(line);
  fclose(f);
  if (status == 0 && g.nlisteners == 0) {
    fprintf(stderr, "delayproxy: %s: no mappings\n", path);
    status = 2;
  }
  return status;
}

static int parse_ulong(const char *text, unsigned long lo, unsigned long hi, unsigned long *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v < lo || v > hi) {
    return 0;
  }
  *out = v;
  return 1;
}

static volatile sig_atomic_t g_stop;

static void on_signal(int sig) {
  (void)sig;
  g_stop = 1;
}

static void usage(void) {
  fprintf(stderr,
          "usage: delayproxy --map FILE [--delay-ms N] [--duration S] [--max-conns N]\n"
          "  FILE: one `LISTEN_ADDR:PORT UPSTREAM_ADDR:PORT` a line; # comments\n");
}

int main(int argc, char **argv) {
  const char *map = NULL;
  unsigned long delay_ms = 25, duration = 600, max_conns = 65536;
  int max_conns_given = 0;
  for (int i = 1; i < argc; i += 2) {
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    int ok = v != NULL;
    if (ok && strcmp(argv[i], "--map") == 0) {
      map = v;
    } else if (ok && strcmp(argv[i], "--delay-ms") == 0) {
      ok = parse_ulong(v, 0, 3600 * 1000, &delay_ms);
    } else if (ok && strcmp(argv[i], "--duration") == 0) {
      ok = parse_ulong(v, 1, 30 * 86400, &duration);
    } else if (ok && strcmp(argv[i], "--max-conns") == 0) {
      ok = parse_ulong(v, 1, 1u << 24, &max_conns);
      max_conns_given = 1;
    } else {
      ok = 0;
    }
    if (!ok) {
      usage();
      return 2;
    }
  }
  if (map == NULL) {
    usage();
    return 2;
  }
  g.delay_ns = (uint64_t)delay_ms * 1000000u;

  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  getrlimit(RLIMIT_NOFILE, &rl);

  /* Block the stop signals except inside epoll_pwait, so that one arriving
   * between the check and the wait still ends the wait. */
  sigset_t stop_set, wait_set;
  sigemptyset(&stop_set);
  sigaddset(&stop_set, SIGTERM);
  sigaddset(&stop_set, SIGINT);
  sigprocmask(SIG_BLOCK, &stop_set, &wait_set);
  sigdelset(&wait_set, SIGTERM);
  sigdelset(&wait_set, SIGINT);
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  g.ep = epoll_create1(EPOLL_CLOEXEC);
  if (g.ep < 0) {
    fprintf(stderr, "delayproxy: epoll: %s\n", strerror(errno));
    return 1;
  }
  int status = load_map(map);
  for (size_t k = 0; status == 0 && k < g.nlisteners; k++) {
    if (watch(g.listeners[k].fd, (uint64_t)k << 1 | 1, EPOLLIN) != 0) {
      fprintf(stderr, "delayproxy: epoll: %s\n", strerror(errno));
      status = 1;
    }
  }
  if (status != 0) {
    for (size_t k = 0; k < g.nlisteners; k++) {
      close(g.listeners[k].fd);
    }
    free(g.listeners);
    close(g.ep);
    return status;
  }
  /* Two descriptors a connection, one more to refuse with, and some slack;
   * never run into EMFILE, which a level-triggered listener would spin on. */
  uint64_t fds = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
  uint64_t room = fds > g.nlisteners + 64 ? (fds - g.nlisteners - 64) / 2 : 0;
  g.max_conns = max_conns < room ? max_conns : (unsigned long)room;
  if (max_conns_given && g.max_conns < max_conns) {
    fprintf(stderr, "delayproxy: --max-conns lowered to %lu by the descriptor limit (%llu)\n",
            g.max_conns, (unsigned long long)fds);
  }
  fprintf(stderr, "delayproxy: listening on %zu addresses, delay %lu ms\n", g.nlisteners, delay_ms);

  uint64_t deadline = now_ns() + (uint64_t)duration * 1000000000u;
  struct epoll_event events[256];
  while (!g_stop) {
    uint64_t now = now_ns();
    if (now >= deadline) {
      break;
    }
    uint64_t wake = deadline;
    if (g.timer_head != NULL && g.timer_head->due < wake) {
      wake = g.timer_head->due;
    }
    /* Round up: waking a little early would only spin until the due time. */
    uint64_t ms = wake > now ? (wake - now + 999999) / 1000000 : 0;
    int n = epoll_pwait(g.ep, events, 256, ms > INT_MAX ? INT_MAX : (int)ms, &wait_set);
    if (n < 0 && errno != EINTR) {
      fprintf(stderr, "delayproxy: epoll_wait: %s\n", strerror(errno));
      status = 1;
      break;
    }
    for (int k = 0; k < n; k++) {
      uint64_t data = events[k].data.u64;
      if (data & 1) {
        on_listener(&g.listeners[data >> 1]);
      } else {
        on_side((struct side *)(uintptr_t)data, events[k].events);
      }
    }
    run_timers(now_ns());
    free_gone();
  }

  fprintf(stderr,
          "delayproxy: %llu connections accepted (%llu over --max-conns), %llu bytes "
          "client->upstream, %llu bytes upstream->client, %llu upstream connect failures\n",
          (unsigned long long)g.accepted, (unsigned long long)g.over_limit,
          (unsigned long long)g.bytes[0], (unsigned long long)g.bytes[1],
          (unsigned long long)g.connect_failures);
  while (g.live != NULL) {
    conn_end(g.live, 1);
    free_gone();
  }
  for (size_t k = 0; k < g.nlisteners; k++) {
    close(g.listeners[k].fd);
  }
  free(g.listeners);
  close(g.ep);
  return status;
}
