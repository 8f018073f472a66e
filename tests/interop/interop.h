/* tests/interop/interop.h: the library-neutral half of the interop tests.
 *
 * Each interop test puts one real TLS library behind a struct interop_server
 * (a server context per version range, and "answer this ClientHello once");
 * interop_run then walks every pinned version x server range x hello shape,
 * builds the hello with tlsparse, reads the server's bytes back with
 * tlsparse, and checks the verdict twice: against what the library itself
 * says it did (interop_server_view), and against the version-negotiation
 * rules both libraries must follow. The harness includes no TLS library
 * header, so the BoringSSL and OpenSSL tests share it without ever sharing a
 * binary. */
#ifndef TESTS_INTEROP_INTEROP_H
#define TESTS_INTEROP_INTEROP_H

#include <stddef.h>
#include <stdint.h>

/* interop_server_view is what the server library reports about one
 * ClientHello, filled by interop_server.answer from the library's own API. */
struct interop_server_view {
  int gave_up;               /* the handshake step failed (not "wants more") */
  char reason[160];          /* the library's error string when it gave up */
  uint16_t version;          /* SSL_version() when it went on */
  uint16_t cipher_suite;     /* SSL_get_pending_cipher()'s IANA id, or 0 */
  uint8_t server_random[32]; /* SSL_get_server_random() when it went on */
  int fatal_alerts;          /* fatal alerts its info callback saw it send */
  int warning_alerts;        /* warning alerts it sent */
  uint8_t alert_level;       /* the last fatal alert sent */
  uint8_t alert_desc;
};

/* interop_server is one TLS library acting as a server. Everything the
 * callbacks need comes through |arg| (the test's key and certificate). */
struct interop_server {
  const char *name;
  void *arg;
  /* Versions the server may be configured with, lowest first: every range
   * [min,max] over them is tried. */
  const uint16_t *versions;
  size_t version_count;
  /* new_ctx returns a server context that speaks exactly [min,max], or NULL. */
  void *(*new_ctx)(void *arg, uint16_t min, uint16_t max);
  void (*free_ctx)(void *ctx);
  /* answer gives |hello| to a fresh server connection from |ctx|, lets it
   * take one handshake step, copies everything the server wrote into |out|
   * (|cap| bytes) and fills |view|. Returns 1, or 0 when the test machinery
   * itself failed (allocation, a BIO, |cap| too small), never because the
   * handshake did. */
  int (*answer)(void *ctx, const uint8_t *hello, size_t hello_len,
                uint8_t *out, size_t cap, size_t *out_len,
                struct interop_server_view *view);
};

/* The pinned versions and hello shapes interop_run walks, for the tests'
 * expected-count arithmetic. */
#define INTEROP_PINNED_COUNT 5 /* SSLv3, TLS 1.0, 1.1, 1.2, 1.3 */
#define INTEROP_SHAPE_COUNT 4  /* broad, broad+sni, minimal, modern+sni */

/* interop_run checks every combination against |server|, prints one table
 * per hello shape to stdout and every failed check to stdout as a FAIL line,
 * and returns the number of failed checks. |*out_combinations| is the number
 * of (pinned, range, shape) combinations it actually exercised. */
int interop_run(const struct interop_server *server, size_t *out_combinations);

#endif /* TESTS_INTEROP_INTEROP_H */
