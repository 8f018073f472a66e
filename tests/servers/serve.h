/* tests/servers/serve.h: what the small TLS servers here share, apart from
 * their TLS library (each is a binary of its own: the libraries' symbols
 * clash): their flags, the listening socket, and the loop that answers one
 * connection at a time until the server's time is up. */
#ifndef TESTS_SERVERS_SERVE_H
#define TESTS_SERVERS_SERVE_H

#include <stdint.h>

/* How long one connection may wait for its peer's next bytes. */
#define SERVE_TIMEOUT_S 2

struct server_options {
  const char *addr;
  int port;
  const char *cert;
  const char *key;
  uint16_t min, max;   /* wire versions, 0x0301 (TLS 1.0) .. 0x0304 (TLS 1.3) */
  const char *ciphers; /* --ciphers (servers that take it), else NULL */
  int server_order;    /* --server-order 0|1 (servers that take it) */
  long seconds;
};

/* server_options_parse reads --addr A --port P --cert PEM --key PEM --min V
 * --max V --seconds S, with V one of "1.0" .. "1.3" within the wire
 * versions [lo, hi] the library has, and, with |suites| set, --ciphers LIST
 * (required) and --server-order 0|1. Returns 1, or 0 on anything else. */
int server_options_parse(int argc, char **argv, uint16_t lo, uint16_t hi, int suites,
                         struct server_options *o);

/* server_listen returns a socket listening on o->addr:o->port, or -1. */
int server_listen(const struct server_options *o);

/* server_loop accepts connections on |lfd| one at a time until |seconds|
 * have passed, gives each receive and send timeouts of SERVE_TIMEOUT_S,
 * runs |serve| on it (a handshake to its end, whatever that is), and closes
 * it. */
void server_loop(int lfd, long seconds, void (*serve)(void *ctx, int fd), void *ctx);

#endif /* TESTS_SERVERS_SERVE_H */
