/* tests/interop/interop.h: the library-neutral half of the interop tests.
 *
 * Each interop test puts one real TLS library behind a struct interop_server
 * (a server context per version configuration, "answer this ClientHello
 * once", and the library's own X25519); interop_run then walks every hello
 * shape x server configuration x pinned version, sends each combination many
 * hellos with fresh random material (random, session id, and a key share
 * that is a real X25519 public key of a fresh private key), reads the
 * server's bytes back with tlsparse, and checks every verdict three ways:
 * against what the library itself says it did (interop_server_view), against
 * the version-negotiation rules every server must follow, and against the
 * combination's other probes, so a verdict that hangs on random bytes fails.
 * The harness includes no TLS library header, so tests of libraries whose
 * symbols clash (BoringSSL, OpenSSL, wolfSSL) share it without ever sharing
 * a binary. */
#ifndef TESTS_INTEROP_INTEROP_H
#define TESTS_INTEROP_INTEROP_H

#include <stddef.h>
#include <stdint.h>

/* The pinned versions interop_run walks: SSLv3, TLS 1.0, 1.1, 1.2, 1.3. */
#define INTEROP_PINNED_COUNT 5

/* INTEROP_VERSION_BIT is a version's bit in a configuration's set, for the
 * versions 0x0300 (SSLv3) to 0x0304 (TLS 1.3). */
#define INTEROP_VERSION_BIT(v) (1u << ((v)&0xff))

/* interop_config is one server configuration: the set of versions it is
 * told to speak, and that set's lowest and highest, for libraries whose API
 * is a range. A set with a gap ("TLS 1.0 and 1.2, not 1.1") exists only for
 * servers with |holes|. */
struct interop_config {
  uint32_t versions; /* INTEROP_VERSION_BIT of each version */
  uint16_t min;
  uint16_t max;
};

/* interop_server_view is what the server library reports about one
 * ClientHello, filled by interop_server.answer from the library's own API. */
struct interop_server_view {
  int gave_up;               /* the handshake step failed (not "wants more") */
  char reason[160];          /* the library's error string when it gave up */
  uint16_t version;          /* the negotiated version when it went on */
  uint16_t cipher_suite;     /* the chosen suite's IANA id, or 0 */
  uint8_t server_random[32]; /* the server's random when it went on */
  int fatal_alerts;          /* fatal alerts the library says it sent */
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
   * over them is tried, and with |holes| every other set of two or more. */
  const uint16_t *versions;
  size_t version_count;
  /* holes: the library can leave out a version between two it speaks. */
  int holes;
  /* legacy_hello_without_tls13: when TLS 1.3 is not in its configuration,
   * the library reads a TLS 1.3 hello as a TLS 1.2 one (by legacy_version
   * 0x0303, ignoring supported_versions), as a library that predates TLS 1.3
   * always does. */
  int legacy_hello_without_tls13;
  /* refuses_with_handshake_failure: the library may refuse a version it
   * does not speak with handshake_failure instead of protocol_version. */
  int refuses_with_handshake_failure;
  /* new_ctx returns a server context that speaks exactly |config|, or NULL
   * when the library cannot be configured so: a failure for a range, while
   * a set with a gap that the library cannot leave is declined (interop_run
   * counts and skips it; the test says which it expects). */
  void *(*new_ctx)(void *arg, const struct interop_config *config);
  void (*free_ctx)(void *ctx);
  /* answer gives |hello| to a fresh server connection from |ctx|, lets it
   * take one handshake step, copies everything the server wrote into |out|
   * (|cap| bytes) and fills |view|. Returns 1, or 0 when the test machinery
   * itself failed (allocation, a BIO, |cap| too small), never because the
   * handshake did. */
  int (*answer)(void *ctx, const uint8_t *hello, size_t hello_len, uint8_t *out, size_t cap,
                size_t *out_len, struct interop_server_view *view);
  /* x25519_public writes the X25519 public key of the private key |priv|
   * (32 bytes, RFC 7748 form, not yet clamped) to |pub|, computed by the
   * library itself. Returns 1, or 0 on failure. */
  int (*x25519_public)(const uint8_t priv[32], uint8_t pub[32]);
};

/* What each probe's TLS 1.3 key share is. */
enum interop_shares {
  /* The X25519 public key of a fresh private key, as the engine sends. */
  INTEROP_SHARES_PUBLIC_KEYS,
  /* 32 raw random bytes, as the engine sent before it made real keys: bit
   * 255 is set in half of them, which RFC 7748, 5 says a receiver masks. A
   * run with these shows the checks can catch a server that does not. */
  INTEROP_SHARES_RAW_RANDOM,
};

struct interop_opts {
  unsigned repeats;            /* probes per combination, each with fresh material */
  enum interop_shares shares;
  uint16_t only_pinned;        /* 0, or the one pinned version to walk */
  /* expect_failures: the run is meant to fail (it shows a check can), so its
   * failed checks print as "EXPECTED", not "FAIL". */
  int expect_failures;
};

struct interop_results {
  size_t configs;              /* server configurations tried */
  size_t declined;             /* sets with a gap the library declined */
  size_t combinations;         /* (shape, configuration, pinned) combinations run */
  size_t probes;               /* hellos sent */
  size_t failed_probes;        /* hellos that failed a check of their own (not
                                * merely a verdict other than probe 0's) */
  size_t high_bit_shares;      /* TLS 1.3 hellos whose share had bit 255 set */
  size_t failed_high_bit;      /* of those, the failed ones */
  int failures;                /* failed checks, setup included */
};

/* interop_shape_count returns the number of hello shapes interop_run walks,
 * for the tests' expected-count arithmetic. */
size_t interop_shape_count(void);

/* interop_seed returns the seed of this process's random material: the
 * environment's INTEROP_SEED (hex) when set, to replay a failure, else a
 * fresh one. It prints which, once. */
uint64_t interop_seed(void);

/* interop_run checks |server| as |opts| says, prints one table per hello
 * shape and every failed check (a few per combination) to stdout, and fills
 * |*out|. Returns 1 when no check failed. */
int interop_run(const struct interop_server *server, const struct interop_opts *opts,
                struct interop_results *out);

/* interop_check_absent shows that |server|'s library really lacks |version|,
 * so a note saying so cannot go stale: a context asked to speak only
 * |version|, and one asked to speak every version from the lower of the
 * server's lowest and |version| to the higher of its highest and |version|,
 * must each either not be made or accept none of |probes| hellos of each
 * shape pinned to |version|. Prints what it found; returns 1 when the version
 * is absent. */
int interop_check_absent(const struct interop_server *server, uint16_t version,
                         unsigned probes);

/* interop_check_accepts is the opposite, for a library that answers hellos
 * of a version it was built without (as a test's note describes): the same
 * two contexts must each be made and accept every one of |probes| hellos of
 * each shape pinned to |version|. Prints what it found; returns 1 when they
 * did. */
int interop_check_accepts(const struct interop_server *server, uint16_t version,
                          unsigned probes);

#endif /* TESTS_INTEROP_INTEROP_H */
