/* scanner/engine/resolve.c: host names resolved by c-ares inside the
 * engine's own loop.
 *
 * c-ares tells us which sockets it wants watched (the sock_state callback);
 * each is polled with a POLL_ADD through the ring, and a completion hands
 * the socket back to ares_process_fd. The loop's wait is cut short to
 * c-ares' next timeout while names are being resolved, so no thread and no
 * blocking call is ever spent on DNS. A name's first address is probed
 * (IPv4 first, as most scanning hosts are IPv4-only); with --all-addresses
 * the others follow one after another, each with its own record. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "scanner/engine/internal.h"

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

int resolve_init(struct engine *e) {
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

void resolve_free(struct engine *e) {
  if (e->ares_ready) {
    ares_destroy(e->channel);
    e->ares_ready = 0;
  }
}

void resolve_poll_done(struct engine *e, uint64_t ud, int res) {
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

static void set_dns_error(struct target_state *ts, const char *text) {
  ts->status = STATUS_DNS_ERROR;
  ts->error.text = text;
}

static void resolve_done(void *arg, int status, int timeouts, struct ares_addrinfo *ai) {
  (void)timeouts;
  struct target_state *ts = arg;
  struct engine *e = ts->engine;
  uint32_t t = (uint32_t)(ts - e->targets);
  e->resolving--;
  if (status != ARES_SUCCESS || ai == NULL || ai->nodes == NULL) {
    set_dns_error(ts, status == ARES_SUCCESS ? "no address" : ares_strerror(status));
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
      if (n == pick || (n->ai_family != AF_INET && n->ai_family != AF_INET6)) {
        continue;
      }
      struct target_extras *x = target_extras(e, ts);
      if (x == NULL) {
        break;
      }
      memcpy(&x->more[ts->nmore++], n->ai_addr,
             n->ai_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
    }
  }
  uint16_t port = ts->item.p.port;
  if (pick->ai_family == AF_INET) {
    set_sockaddr(ts, AF_INET, &((struct sockaddr_in *)pick->ai_addr)->sin_addr, port);
  } else {
    set_sockaddr(ts, AF_INET6, &((struct sockaddr_in6 *)pick->ai_addr)->sin6_addr, port);
  }
  ares_freeaddrinfo(ai);
  target_ready(e, t);
}

void resolve_start(struct engine *e, uint32_t t) {
  struct target_state *ts = &e->targets[t];
  if (!e->ares_ready) {
    set_dns_error(ts, "resolver unavailable");
    finish_target(e, t);
    return;
  }
  struct ares_addrinfo_hints hints;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = e->cfg->family == 4 ? AF_INET : e->cfg->family == 6 ? AF_INET6 : AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  e->resolving++;
  /* The callback may run before ares_getaddrinfo returns. */
  ares_getaddrinfo(e->channel, target_host(e, ts), NULL, &hints, resolve_done, ts);
}

void resolve_wait(struct engine *e, uint64_t *wait_ns) {
  if (!e->ares_ready || e->resolving == 0) {
    return;
  }
  struct timeval tv, *tvp = ares_timeout(e->channel, NULL, &tv);
  if (tvp != NULL) {
    uint64_t a = (uint64_t)tvp->tv_sec * 1000000000u + (uint64_t)tvp->tv_usec * 1000u;
    if (a < *wait_ns) {
      *wait_ns = a == 0 ? 1000000 : a;
    }
  }
}

void resolve_timeouts(struct engine *e) {
  if (e->ares_ready && e->resolving > 0) {
    ares_process_fd(e->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  }
}
