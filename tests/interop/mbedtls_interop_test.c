/* tests/interop/mbedtls_interop_test.c: our ClientHellos against Mbed TLS.
 *
 * Proves, for Debian's Mbed TLS 2.28 (libmbedtls), what the other interop
 * tests prove for theirs: every hello tlsparse builds gets the verdict the
 * server's version range calls for, REPEATS times per combination with fresh
 * random material and TLS 1.3 key shares made by Mbed TLS's own X25519, and
 * tlsparse reads each answer, whole or a few bytes at a time, as Mbed TLS
 * says it decided. No sockets: the server reads from and writes to memory
 * through its BIO callbacks; keys and self-signed certificates are made once
 * at start. Mbed TLS has no callback for the alerts it sends, so its own
 * account of them comes from its debug output ("send alert level=%u
 * message=%u"), which is independent of the bytes. Mbed TLS is slow (RSA
 * signatures of 7 ms, DHE and X25519 in generic big-number code), so
 * REPEATS is lower than the other tests' to stay within a minute.
 *
 * What Debian's build lacks, asserted at run time so that these notes cannot
 * go stale. TLS 1.3: 2.28 has no TLS 1.3 server (the experimental one is
 * off), and it predates the version, so it reads a TLS 1.3 hello by its
 * legacy_version (0x0303) as a TLS 1.2 one: a context asked to speak only
 * TLS 1.3, or everything up to it, accepts no TLS 1.3 hello. SSLv3: built
 * without MBEDTLS_SSL_PROTO_SSL3, yet a context whose minimum is set to
 * SSLv3 answers an SSLv3 hello with an SSLv3 ServerHello, Certificate,
 * ServerKeyExchange and ServerHelloDone (2.28 never checks the minimum
 * against what it was built with); whether it could finish that handshake
 * is not tried, as no library here speaks SSLv3 as a client. Asserted as
 * found, and kept out of the matrix: a minimum of SSLv3 is a misconfiguration
 * that cannot work, not a server to model. Its version API is a minimum and
 * a maximum, so there are no holes: the ranges run over TLS 1.0 .. 1.2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/debug.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_internal.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "tests/interop/interop.h"
#include "tlsparse/tlsparse.h"

/* Probes per combination, each with fresh material. */
#define REPEATS 32

/* Ranges over TLS 1.0 .. 1.2: every combination interop_run must visit is
 * 5 pinned versions x these x the shapes; fewer means one was skipped. */
#define RANGES 6

/* The debug level at which Mbed TLS reports each alert it sends. */
#define ALERT_DEBUG_LEVEL 3

/* The server's randomness, keys and certificates, shared by every context:
 * an RSA and an ECDSA identity (see make_identity). */
struct identity {
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_pk_context rsa_key;
  mbedtls_x509_crt rsa_cert;
  mbedtls_pk_context ec_key;
  mbedtls_x509_crt ec_cert;
};

/* One server context: a configuration, and the view of the connection it
 * is answering, for its debug callback. */
struct server_ctx {
  mbedtls_ssl_config conf;
  struct interop_server_view *view;
};

/* self_signed makes a certificate for "interop.example" signed by |key|.
 * Nobody verifies it; the server only needs one to send. */
static int self_signed(struct identity *id, mbedtls_pk_context *key, mbedtls_x509_crt *out) {
  mbedtls_x509write_cert crt;
  mbedtls_mpi serial;
  mbedtls_x509write_crt_init(&crt);
  mbedtls_mpi_init(&serial);
  unsigned char der[4096];
  int len = -1;
  if (mbedtls_mpi_lset(&serial, 1) == 0) {
    mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&crt, key);
    mbedtls_x509write_crt_set_issuer_key(&crt, key);
    if (mbedtls_x509write_crt_set_subject_name(&crt, "CN=interop.example") == 0 &&
        mbedtls_x509write_crt_set_issuer_name(&crt, "CN=interop.example") == 0 &&
        mbedtls_x509write_crt_set_serial(&crt, &serial) == 0 &&
        mbedtls_x509write_crt_set_validity(&crt, "20240101000000", "20991231235959") == 0) {
      /* The DER is written at the end of the buffer. */
      len = mbedtls_x509write_crt_der(&crt, der, sizeof(der), mbedtls_ctr_drbg_random,
                                      &id->drbg);
    }
  }
  mbedtls_x509write_crt_free(&crt);
  mbedtls_mpi_free(&serial);
  return len > 0 && mbedtls_x509_crt_parse_der(out, der + sizeof(der) - len, (size_t)len) == 0;
}

/* make_identity seeds the DRBG and makes a 2048-bit RSA and a P-256 ECDSA
 * key, each with a self-signed certificate. Both, because Mbed TLS offers no
 * ECDHE suite to a client without supported_groups (the minimal hellos), so
 * those need RSA, and because Debian's build signs with RSA-2048 in about
 * 7 ms, with P-256 in about 1.5 ms: a server that holds both prefers its
 * ECDHE_ECDSA suites, and thousands of probes that get a ServerKeyExchange
 * fit in the time a test may take. */
static int make_identity(struct identity *id) {
  static const char kPersonal[] = "tlssweep interop";
  mbedtls_entropy_init(&id->entropy);
  mbedtls_ctr_drbg_init(&id->drbg);
  mbedtls_pk_init(&id->rsa_key);
  mbedtls_x509_crt_init(&id->rsa_cert);
  mbedtls_pk_init(&id->ec_key);
  mbedtls_x509_crt_init(&id->ec_cert);
  return mbedtls_ctr_drbg_seed(&id->drbg, mbedtls_entropy_func, &id->entropy,
                               (const unsigned char *)kPersonal, sizeof(kPersonal)) == 0 &&
         mbedtls_pk_setup(&id->rsa_key, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)) == 0 &&
         mbedtls_rsa_gen_key(mbedtls_pk_rsa(id->rsa_key), mbedtls_ctr_drbg_random, &id->drbg,
                             2048, 65537) == 0 &&
         self_signed(id, &id->rsa_key, &id->rsa_cert) &&
         mbedtls_pk_setup(&id->ec_key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) == 0 &&
         mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(id->ec_key),
                             mbedtls_ctr_drbg_random, &id->drbg) == 0 &&
         self_signed(id, &id->ec_key, &id->ec_cert);
}

static void free_identity(struct identity *id) {
  mbedtls_x509_crt_free(&id->ec_cert);
  mbedtls_pk_free(&id->ec_key);
  mbedtls_x509_crt_free(&id->rsa_cert);
  mbedtls_pk_free(&id->rsa_key);
  mbedtls_ctr_drbg_free(&id->drbg);
  mbedtls_entropy_free(&id->entropy);
}

/* on_debug records each alert the server sends in the connection's view.
 * This build prefixes each message with the connection's address. */
static void on_debug(void *arg, int level, const char *file, int line, const char *msg) {
  (void)file;
  (void)line;
  struct server_ctx *srv = arg;
  const char *at = strstr(msg, "send alert level=");
  unsigned alert_level, desc;
  if (level != ALERT_DEBUG_LEVEL || srv->view == NULL || at == NULL ||
      sscanf(at, "send alert level=%u message=%u", &alert_level, &desc) != 2) {
    return;
  }
  if (alert_level == MBEDTLS_SSL_ALERT_LEVEL_FATAL) {
    srv->view->fatal_alerts++;
    srv->view->alert_level = (uint8_t)alert_level;
    srv->view->alert_desc = (uint8_t)desc;
  } else {
    srv->view->warning_alerts++;
  }
}

static void *new_ctx(void *arg, const struct interop_config *config) {
  struct identity *id = arg;
  struct server_ctx *srv = calloc(1, sizeof(*srv));
  if (srv == NULL) {
    return NULL;
  }
  mbedtls_ssl_config_init(&srv->conf);
  if (mbedtls_ssl_config_defaults(&srv->conf, MBEDTLS_SSL_IS_SERVER,
                                  MBEDTLS_SSL_TRANSPORT_STREAM,
                                  MBEDTLS_SSL_PRESET_DEFAULT) != 0 ||
      mbedtls_ssl_conf_own_cert(&srv->conf, &id->rsa_cert, &id->rsa_key) != 0 ||
      mbedtls_ssl_conf_own_cert(&srv->conf, &id->ec_cert, &id->ec_key) != 0) {
    mbedtls_ssl_config_free(&srv->conf);
    free(srv);
    return NULL;
  }
  mbedtls_ssl_conf_rng(&srv->conf, mbedtls_ctr_drbg_random, &id->drbg);
  mbedtls_ssl_conf_min_version(&srv->conf, MBEDTLS_SSL_MAJOR_VERSION_3, config->min & 0xff);
  mbedtls_ssl_conf_max_version(&srv->conf, MBEDTLS_SSL_MAJOR_VERSION_3, config->max & 0xff);
  mbedtls_ssl_conf_dbg(&srv->conf, on_debug, srv);
  return srv;
}

static void free_ctx(void *ctx) {
  struct server_ctx *srv = ctx;
  mbedtls_ssl_config_free(&srv->conf);
  free(srv);
}

/* One connection's memory I/O: the hello to read, the room to write. */
struct memio {
  const uint8_t *in;
  size_t in_len;
  size_t in_at;
  uint8_t *out;
  size_t cap;
  size_t out_len;
  int overflow;
};

static int memio_recv(void *arg, unsigned char *buf, size_t len) {
  struct memio *io = arg;
  size_t left = io->in_len - io->in_at;
  if (left == 0) {
    return MBEDTLS_ERR_SSL_WANT_READ;
  }
  size_t n = left < len ? left : len;
  memcpy(buf, io->in + io->in_at, n);
  io->in_at += n;
  return (int)n;
}

static int memio_send(void *arg, const unsigned char *buf, size_t len) {
  struct memio *io = arg;
  if (len > io->cap - io->out_len) {
    io->overflow = 1;
    return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
  }
  memcpy(io->out + io->out_len, buf, len);
  io->out_len += len;
  return (int)len;
}

static int answer(void *ctx, const uint8_t *hello, size_t hello_len, uint8_t *out, size_t cap,
                  size_t *out_len, struct interop_server_view *view) {
  struct server_ctx *srv = ctx;
  memset(view, 0, sizeof(*view));
  *out_len = 0;
  mbedtls_ssl_context ssl;
  mbedtls_ssl_init(&ssl);
  if (mbedtls_ssl_setup(&ssl, &srv->conf) != 0) {
    mbedtls_ssl_free(&ssl);
    return 0;
  }
  struct memio io = {.in = hello, .in_len = hello_len, .out = out, .cap = cap};
  mbedtls_ssl_set_bio(&ssl, &io, memio_send, memio_recv, NULL);
  srv->view = view;
  /* With the whole hello in hand the server either sends its first flight
   * and waits for the client, or fails. */
  int ret = mbedtls_ssl_handshake(&ssl);
  srv->view = NULL;
  view->gave_up = ret != MBEDTLS_ERR_SSL_WANT_READ;
  if (view->gave_up) {
    mbedtls_strerror(ret, view->reason, sizeof(view->reason));
  } else {
    view->version = (uint16_t)(ssl.major_ver << 8 | ssl.minor_ver);
    view->cipher_suite = (uint16_t)ssl.session_negotiate->ciphersuite;
    memcpy(view->server_random, ssl.handshake->randbytes + 32, sizeof(view->server_random));
  }
  mbedtls_ssl_free(&ssl);
  *out_len = io.out_len;
  return !io.overflow;
}

/* x25519_public multiplies the base point by the (clamped) private key in
 * Mbed TLS's Curve25519 group; both sides are little-endian, as RFC 7748
 * writes them. */
static int x25519_public(const uint8_t priv[32], uint8_t pub[32]) {
  mbedtls_ecp_group grp;
  mbedtls_ecp_point q;
  mbedtls_mpi d;
  mbedtls_ecp_group_init(&grp);
  mbedtls_ecp_point_init(&q);
  mbedtls_mpi_init(&d);
  int ok = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_CURVE25519) == 0 &&
           mbedtls_mpi_read_binary_le(&d, priv, 32) == 0 &&
           mbedtls_ecp_mul(&grp, &q, &d, &grp.G, NULL, NULL) == 0 &&
           mbedtls_mpi_write_binary_le(&q.X, pub, 32) == 0;
  mbedtls_mpi_free(&d);
  mbedtls_ecp_point_free(&q);
  mbedtls_ecp_group_free(&grp);
  return ok;
}

int main(void) {
  static struct identity id;
  if (!make_identity(&id)) {
    printf("FAIL mbedtls: could not make the server's key and certificate\n");
    free_identity(&id);
    return 1;
  }
  mbedtls_debug_set_threshold(ALERT_DEBUG_LEVEL);

  static const uint16_t kVersions[] = {TP_TLS10, TP_TLS11, TP_TLS12};
  const struct interop_server server = {
      .name = "mbedtls",
      .arg = &id,
      .versions = kVersions,
      .version_count = sizeof(kVersions) / sizeof(kVersions[0]),
      .legacy_hello_without_tls13 = 1,
      .new_ctx = new_ctx,
      .free_ctx = free_ctx,
      .answer = answer,
      .x25519_public = x25519_public,
  };
  printf("mbedtls: %s; ranges over tls1.0 .. tls1.2; built with SSLv3: %s, with TLS 1.3: %s; "
         "checked next: no TLS 1.3, and SSLv3 ServerHellos when the minimum is SSLv3\n",
         MBEDTLS_VERSION_STRING_FULL,
#if defined(MBEDTLS_SSL_PROTO_SSL3)
         "yes",
#else
         "no",
#endif
#if defined(MBEDTLS_SSL_PROTO_TLS1_3_EXPERIMENTAL)
         "yes"
#else
         "no"
#endif
  );

  int ok = interop_check_absent(&server, TP_TLS13, 4);
  ok &= interop_check_accepts(&server, TP_SSL3, 4);

  const struct interop_opts opts = {.repeats = REPEATS};
  struct interop_results res;
  ok &= interop_run(&server, &opts, &res);
  const size_t expected = INTEROP_PINNED_COUNT * RANGES * interop_shape_count();
  if (res.combinations != expected || res.probes != expected * REPEATS) {
    printf("FAIL mbedtls: %zu combinations and %zu probes run, expected %zu and %zu (5 pinned "
           "x %d ranges x %zu shapes, %d probes each)\n",
           res.combinations, res.probes, expected, expected * REPEATS, RANGES,
           interop_shape_count(), REPEATS);
    ok = 0;
  }

  free_identity(&id);
  printf("mbedtls: %s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
