/* tests/interop/gnutls_interop_test.c: our ClientHellos against GnuTLS.
 *
 * Proves, for Debian's GnuTLS 3.7 (libgnutls30), what the other interop tests
 * prove for theirs: every hello tlsparse builds gets the verdict the server's
 * configuration calls for, REPEATS times per combination with fresh random
 * material and TLS 1.3 key shares made by GnuTLS's own X25519 (Nettle's
 * curve25519_mul_g: GnuTLS has no X25519 API of its own and does its
 * elliptic-curve arithmetic with Nettle), and tlsparse reads each answer,
 * whole or a few bytes at a time, as GnuTLS says it decided. No sockets: the
 * server reads from and writes to memory through its transport callbacks;
 * keys and self-signed certificates are made once at start.
 *
 * GnuTLS's versions are a priority string, "NORMAL:-VERS-ALL:+VERS-TLS1.0:
 * +VERS-TLS1.2", so sets with holes can be asked for: every non-empty set of
 * TLS 1.0 .. 1.3 is (10 ranges, 5 with a hole). GnuTLS quietly drops TLS 1.3
 * from a set that has an older version but not TLS 1.2 ("1.0+1.3" speaks
 * only TLS 1.0, a TLS 1.3 hello then getting a TLS 1.0 ServerHello), so the
 * test declines those 3 sets (gnutls_priority_protocol_list says what a
 * string really enables) and asserts that exactly 3 are declined; the 2
 * others with a hole (1.0+1.2, 1.0+1.2+1.3) run. Two habits of GnuTLS the
 * rules allow for: with TLS 1.3 off it reads a TLS 1.3 hello by its
 * legacy_version, as a TLS 1.2 one; and speaking only TLS 1.3, it refuses a
 * TLS 1.2 hello with handshake_failure (it takes TLS 1.2 as always on under
 * TLS 1.3, then has no TLS 1.2 suite), not protocol_version. Like a real
 * GnuTLS server (gnutls-serv, and the library's manual), the test sends the
 * alert for a failed handshake itself with gnutls_alert_send_appropriate,
 * and the library's account of it is gnutls_error_to_alert.
 *
 * What Debian's build lacks, asserted at run time so that this note cannot
 * go stale: SSLv3 (GnuTLS 3.7 is built without --enable-ssl3-support): no
 * priority string naming only SSLv3 can be made, and a context for SSLv3 up
 * to TLS 1.3 accepts no SSLv3 hello. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <nettle/curve25519.h>

#include "tests/interop/interop.h"
#include "tlsparse/tlsparse.h"

/* Probes per combination, each with fresh material. */
#define REPEATS 200

/* Of the 15 non-empty sets of TLS 1.0 .. 1.3, the 3 with TLS 1.3 and an
 * older version but not TLS 1.2 are declined (GnuTLS drops TLS 1.3 from
 * them); every combination interop_run must visit is 5 pinned versions x the
 * other 12 x the shapes; fewer means one was skipped. */
#define DECLINED 3
#define CONFIGS 12

/* The server's keys and certificates, shared by every context: an RSA and
 * an ECDSA one (see make_identity). */
struct identity {
  gnutls_x509_privkey_t key[2];
  gnutls_x509_crt_t cert[2];
};

/* One server context: credentials and the priority string's cache. */
struct server_ctx {
  gnutls_certificate_credentials_t creds;
  gnutls_priority_t priority;
};

/* self_signed makes a key of |pk| (|bits|) and a self-signed certificate
 * for "interop.example". Nobody verifies it; the server only needs one to
 * send. */
static int self_signed(gnutls_pk_algorithm_t pk, unsigned bits, gnutls_x509_privkey_t *key,
                       gnutls_x509_crt_t *cert) {
  static const unsigned char kSerial[] = {1};
  if (gnutls_x509_privkey_init(key) < 0) {
    return 0;
  }
  if (gnutls_x509_crt_init(cert) < 0) {
    gnutls_x509_privkey_deinit(*key);
    *key = NULL;
    return 0;
  }
  time_t now = time(NULL);
  return gnutls_x509_privkey_generate(*key, pk, bits, 0) >= 0 &&
         gnutls_x509_crt_set_version(*cert, 3) >= 0 &&
         gnutls_x509_crt_set_serial(*cert, kSerial, sizeof(kSerial)) >= 0 &&
         gnutls_x509_crt_set_activation_time(*cert, now - 3600) >= 0 &&
         gnutls_x509_crt_set_expiration_time(*cert, now + 86400) >= 0 &&
         gnutls_x509_crt_set_dn(*cert, "CN=interop.example", NULL) >= 0 &&
         gnutls_x509_crt_set_key(*cert, *key) >= 0 &&
         gnutls_x509_crt_sign2(*cert, *cert, *key, GNUTLS_DIG_SHA256, 0) >= 0;
}

/* make_identity makes a 2048-bit RSA and a P-256 ECDSA identity. Both, as
 * a server may hold: RSA for the hellos without supported_groups (no ECDHE
 * for them), ECDSA because it signs several times faster, which keeps
 * thousands of probes that get a ServerKeyExchange within the time a test
 * may take (the hellos list ECDHE_ECDSA suites first, and a GnuTLS server
 * follows the client's order). */
static int make_identity(struct identity *id) {
  return self_signed(GNUTLS_PK_RSA, 2048, &id->key[0], &id->cert[0]) &&
         self_signed(GNUTLS_PK_ECDSA, gnutls_ecc_curve_get_size(GNUTLS_ECC_CURVE_SECP256R1) * 8,
                     &id->key[1], &id->cert[1]);
}

static void free_identity(struct identity *id) {
  for (size_t i = 0; i < 2; i++) {
    if (id->cert[i] != NULL) {
      gnutls_x509_crt_deinit(id->cert[i]);
    }
    if (id->key[i] != NULL) {
      gnutls_x509_privkey_deinit(id->key[i]);
    }
  }
}

/* priority_string writes the GnuTLS priority string for |config|. */
static void priority_string(const struct interop_config *config, char *buf, size_t n) {
  static const struct {
    uint16_t version;
    const char *name;
  } kNames[] = {
      {TP_SSL3, "+VERS-SSL3.0"}, {TP_TLS10, "+VERS-TLS1.0"}, {TP_TLS11, "+VERS-TLS1.1"},
      {TP_TLS12, "+VERS-TLS1.2"}, {TP_TLS13, "+VERS-TLS1.3"},
  };
  size_t used = (size_t)snprintf(buf, n, "NORMAL:-VERS-ALL");
  for (size_t i = 0; i < sizeof(kNames) / sizeof(kNames[0]) && used < n; i++) {
    if (config->versions & INTEROP_VERSION_BIT(kNames[i].version)) {
      used += (size_t)snprintf(buf + used, n - used, ":%s", kNames[i].name);
    }
  }
}

static void free_ctx(void *ctx) {
  struct server_ctx *srv = ctx;
  gnutls_priority_deinit(srv->priority);
  gnutls_certificate_free_credentials(srv->creds);
  free(srv);
}

/* wire_version maps GnuTLS's protocol enum to the version on the wire. */
static uint16_t wire_version(gnutls_protocol_t p) {
  switch (p) {
    case GNUTLS_SSL3: return TP_SSL3;
    case GNUTLS_TLS1_0: return TP_TLS10;
    case GNUTLS_TLS1_1: return TP_TLS11;
    case GNUTLS_TLS1_2: return TP_TLS12;
    case GNUTLS_TLS1_3: return TP_TLS13;
    default: return 0;
  }
}

/* speaks_exactly returns 1 when |priority| enables exactly |config|'s
 * versions: GnuTLS quietly drops some (TLS 1.3 when TLS 1.2 is off and an
 * older version on). */
static int speaks_exactly(gnutls_priority_t priority, const struct interop_config *config) {
  const unsigned *list;
  int n = gnutls_priority_protocol_list(priority, &list);
  uint32_t versions = 0;
  for (int i = 0; i < n; i++) {
    uint16_t v = wire_version((gnutls_protocol_t)list[i]);
    versions |= v != 0 ? INTEROP_VERSION_BIT(v) : 0;
  }
  return n > 0 && versions == config->versions;
}

static void *new_ctx(void *arg, const struct interop_config *config) {
  struct identity *id = arg;
  struct server_ctx *srv = calloc(1, sizeof(*srv));
  if (srv == NULL) {
    return NULL;
  }
  char priority[160];
  priority_string(config, priority, sizeof(priority));
  if (gnutls_certificate_allocate_credentials(&srv->creds) < 0) {
    free(srv);
    return NULL;
  }
  if (gnutls_certificate_set_x509_key(srv->creds, &id->cert[0], 1, id->key[0]) < 0 ||
      gnutls_certificate_set_x509_key(srv->creds, &id->cert[1], 1, id->key[1]) < 0 ||
      gnutls_priority_init(&srv->priority, priority, NULL) < 0) {
    gnutls_certificate_free_credentials(srv->creds);
    free(srv);
    return NULL;
  }
  if (!speaks_exactly(srv->priority, config)) {
    free_ctx(srv);
    return NULL;
  }
  return srv;
}

/* One connection's memory I/O: the hello to read, the room to write. */
struct memio {
  gnutls_session_t session;
  const uint8_t *in;
  size_t in_len;
  size_t in_at;
  uint8_t *out;
  size_t cap;
  size_t out_len;
  int overflow;
};

static ssize_t memio_pull(gnutls_transport_ptr_t arg, void *buf, size_t len) {
  struct memio *io = arg;
  size_t left = io->in_len - io->in_at;
  if (left == 0) {
    gnutls_transport_set_errno(io->session, EAGAIN);
    return -1;
  }
  size_t n = left < len ? left : len;
  memcpy(buf, io->in + io->in_at, n);
  io->in_at += n;
  return (ssize_t)n;
}

static ssize_t memio_push(gnutls_transport_ptr_t arg, const void *buf, size_t len) {
  struct memio *io = arg;
  if (len > io->cap - io->out_len) {
    io->overflow = 1;
    gnutls_transport_set_errno(io->session, ENOSPC);
    return -1;
  }
  memcpy(io->out + io->out_len, buf, len);
  io->out_len += len;
  return (ssize_t)len;
}

/* on_server_hello takes the suite from the ServerHello (or the
 * HelloRetryRequest, which has a ServerHello's shape) GnuTLS just wrote:
 * during a handshake GnuTLS has no other account of it (gnutls_ciphersuite_get
 * answers only once the handshake is done, and gnutls_cipher_get and
 * gnutls_mac_get describe the epoch in use, still the null one). The message
 * is read at fixed offsets, legacy_version, random, session id, suite, before
 * any record layer, so it is held against what tlsparse read off the wire. */
static int on_server_hello(gnutls_session_t session, unsigned htype, unsigned when,
                           unsigned incoming, const gnutls_datum_t *msg) {
  (void)when;
  if (htype != GNUTLS_HANDSHAKE_SERVER_HELLO && htype != GNUTLS_HANDSHAKE_HELLO_RETRY_REQUEST) {
    return 0;
  }
  struct interop_server_view *view = gnutls_session_get_ptr(session);
  /* Body only, or with its 4-byte header (type 2; a body opens with 3). */
  const size_t at = msg->size > 0 && msg->data[0] == TP_HS_SERVER_HELLO ? 4 : 0;
  const size_t sid_at = at + 2 + 32;
  if (!incoming && view != NULL && msg->size > sid_at &&
      msg->size >= sid_at + 1 + msg->data[sid_at] + 2) {
    const uint8_t *suite = msg->data + sid_at + 1 + msg->data[sid_at];
    view->cipher_suite = (uint16_t)(suite[0] << 8 | suite[1]);
  }
  return 0;
}

static int answer(void *ctx, const uint8_t *hello, size_t hello_len, uint8_t *out, size_t cap,
                  size_t *out_len, struct interop_server_view *view) {
  struct server_ctx *srv = ctx;
  memset(view, 0, sizeof(*view));
  *out_len = 0;
  gnutls_session_t session;
  if (gnutls_init(&session, GNUTLS_SERVER) < 0) {
    return 0;
  }
  struct memio io = {
      .session = session, .in = hello, .in_len = hello_len, .out = out, .cap = cap};
  int ok = 0;
  if (gnutls_priority_set(session, srv->priority) >= 0 &&
      gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, srv->creds) >= 0) {
    gnutls_transport_set_ptr(session, &io);
    gnutls_transport_set_pull_function(session, memio_pull);
    gnutls_transport_set_push_function(session, memio_push);
    gnutls_session_set_ptr(session, view);
    gnutls_handshake_set_hook_function(session, GNUTLS_HANDSHAKE_ANY, GNUTLS_HOOK_POST,
                                       on_server_hello);
    /* With the whole hello in hand the server either sends its first flight
     * and waits for the client, or fails; then, as a GnuTLS server does, it
     * sends the alert that fits the error. */
    int ret = gnutls_handshake(session);
    view->gave_up = ret != GNUTLS_E_AGAIN;
    if (view->gave_up) {
      view->cipher_suite = 0;
      snprintf(view->reason, sizeof(view->reason), "%s", gnutls_strerror(ret));
      int level;
      int alert = gnutls_error_to_alert(ret, &level);
      if (alert >= 0 && gnutls_alert_send_appropriate(session, ret) == 0) {
        if (level == GNUTLS_AL_FATAL) {
          view->fatal_alerts = 1;
          view->alert_level = (uint8_t)level;
          view->alert_desc = (uint8_t)alert;
        } else {
          view->warning_alerts = 1;
        }
      }
    } else {
      view->version = wire_version(gnutls_protocol_get_version(session));
      gnutls_datum_t server_random;
      gnutls_session_get_random(session, NULL, &server_random);
      if (server_random.size == sizeof(view->server_random)) {
        memcpy(view->server_random, server_random.data, sizeof(view->server_random));
      }
    }
    ok = !io.overflow;
  }
  gnutls_deinit(session);
  *out_len = io.out_len;
  return ok;
}

/* x25519_public is Nettle's curve25519_mul_g, GnuTLS's X25519: both sides
 * little-endian, as RFC 7748 writes them. */
static int x25519_public(const uint8_t priv[32], uint8_t pub[32]) {
  curve25519_mul_g(pub, priv);
  return 1;
}

int main(void) {
  if (gnutls_global_init() < 0) {
    printf("FAIL gnutls: gnutls_global_init failed\n");
    return 1;
  }
  static struct identity id;
  if (!make_identity(&id)) {
    printf("FAIL gnutls: could not make the server's key and certificate\n");
    return 1;
  }
  static const uint16_t kVersions[] = {TP_TLS10, TP_TLS11, TP_TLS12, TP_TLS13};
  const struct interop_server server = {
      .name = "gnutls",
      .arg = &id,
      .versions = kVersions,
      .version_count = sizeof(kVersions) / sizeof(kVersions[0]),
      .holes = 1,
      .legacy_hello_without_tls13 = 1,
      .refuses_with_handshake_failure = 1,
      .new_ctx = new_ctx,
      .free_ctx = free_ctx,
      .answer = answer,
      .x25519_public = x25519_public,
  };
  printf("gnutls: GnuTLS %s; every set of tls1.0 .. tls1.3, holes included, as priority "
         "strings such as NORMAL:-VERS-ALL:+VERS-TLS1.0:+VERS-TLS1.2 (no SSLv3: checked "
         "next)\n",
         gnutls_check_version(NULL));

  int ok = interop_check_absent(&server, TP_SSL3, 4);
  const struct interop_opts opts = {.repeats = REPEATS};
  struct interop_results res;
  ok &= interop_run(&server, &opts, &res);
  const size_t expected = INTEROP_PINNED_COUNT * CONFIGS * interop_shape_count();
  if (res.declined != DECLINED || res.combinations != expected ||
      res.probes != expected * REPEATS) {
    printf("FAIL gnutls: %zu configurations declined, %zu combinations and %zu probes run, "
           "expected %d, %zu and %zu (5 pinned x %d configurations x %zu shapes, %d probes "
           "each)\n",
           res.declined, res.combinations, res.probes, DECLINED, expected, expected * REPEATS,
           CONFIGS, interop_shape_count(), REPEATS);
    ok = 0;
  }

  free_identity(&id);
  gnutls_global_deinit();
  printf("gnutls: %s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
