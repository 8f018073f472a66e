/* tests/interop/wolfssl_interop_test.c: our ClientHellos against wolfSSL.
 *
 * Debian's libwolfssl (5.5.x) is a server the scanner met in the field: it
 * closes the connection without an alert when a TLS 1.3 x25519 key share has
 * bit 255 set, where RFC 7748, 5 says a receiver masks that bit, so random
 * bytes as a share made one TLS 1.3 probe in two fail. This test proves,
 * with wolfSSL's native API over memory I/O callbacks (no sockets; a key and
 * self-signed certificate made once with wolfCrypt), that every hello
 * tlsparse builds gets the verdict the server's configuration calls for,
 * REPEATS times per combination with fresh random material and key shares
 * made by wolfSSL's own X25519. It then shows the harness can fail: a run
 * whose TLS 1.3 shares are raw random bytes, as the engine once sent, must
 * fail on wolfSSL, and fail exactly on the shares with bit 255 set.
 *
 * What Debian's build lacks, asserted at run time so that this note cannot
 * go stale: SSLv3 and TLS 1.0 (built without WOLFSSL_ALLOW_SSLV3 and
 * WOLFSSL_ALLOW_TLSV10): no context asked to speak only them is made, and
 * one asked for them up to TLS 1.3 refuses every such hello. Configurations
 * therefore run over TLS 1.1 .. 1.3: the 6 ranges, and the one set with a
 * hole, TLS 1.1 and 1.3 without 1.2 (a minimum, a maximum and
 * WOLFSSL_OP_NO_TLSv1_2, which wolfSSL honours: a TLS 1.2 hello then gets a
 * TLS 1.1 ServerHello). Two habits of wolfSSL the rules allow for: with TLS
 * 1.3 off it reads a TLS 1.3 hello by its legacy_version, as a TLS 1.2 one,
 * and it refuses a version with handshake_failure as often as with
 * protocol_version.
 *
 * wolfSSL exports some OpenSSL names, so this binary links nothing else of
 * the kind: never BoringSSL, never OpenSSL. */
#include <stdio.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/curve25519.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/ecc.h>

#include "tests/interop/interop.h"
#include "tlsparse/tlsparse.h"

/* Probes per combination, each with fresh material. */
#define REPEATS 256

/* Configurations over TLS 1.1 .. 1.3, 6 ranges and 1 with a hole: every
 * combination interop_run must visit is 5 pinned versions x these x the
 * shapes; fewer means one was skipped. */
#define CONFIGS 7

/* Probes per shape of the run with raw random shares. Half of them have
 * bit 255 set, so that none of the 4 x RAW_REPEATS does is out of the
 * question. */
#define RAW_REPEATS 32

/* The server's key and certificate (DER), shared by every context. */
struct identity {
  uint8_t cert[4096];
  int cert_len;
  uint8_t key[4096];
  int key_len;
};

/* make_identity makes a P-256 ECDSA key and a self-signed certificate for
 * "interop.example" with wolfCrypt. Nobody verifies it; the server only
 * needs one to send. Not RSA: Debian's build signs with RSA-2048 in about
 * 4 ms (generic big-number code), P-256 in about 0.3 ms, and the test signs
 * thousands of times. The verdicts do not hang on the key type: every shape
 * offers ECDHE_ECDSA suites for every version wolfSSL speaks here, and the
 * real-binary test (tests/integration/wolfssl_test.sh) uses RSA. */
static int make_identity(struct identity *id) {
  WC_RNG rng;
  ecc_key key;
  Cert cert;
  if (wc_InitRng(&rng) != 0) {
    return 0;
  }
  int ok = 0;
  if (wc_ecc_init(&key) == 0) {
    if (wc_ecc_make_key(&rng, 32, &key) == 0 && wc_InitCert(&cert) == 0) {
      snprintf(cert.subject.commonName, sizeof(cert.subject.commonName), "interop.example");
      cert.sigType = CTC_SHA256wECDSA;
      cert.daysValid = 2;
      int body = wc_MakeCert(&cert, id->cert, sizeof(id->cert), NULL, &key, &rng);
      id->cert_len = body > 0 ? wc_SignCert(body, cert.sigType, id->cert, sizeof(id->cert),
                                            NULL, &key, &rng)
                              : body;
      id->key_len = wc_EccKeyToDer(&key, id->key, sizeof(id->key));
      ok = id->cert_len > 0 && id->key_len > 0;
    }
    wc_ecc_free(&key);
  }
  wc_FreeRng(&rng);
  return ok;
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
  int alerts; /* alerts the server wrote */
};

static int memio_recv(WOLFSSL *ssl, char *buf, int sz, void *arg) {
  (void)ssl;
  struct memio *io = arg;
  size_t left = io->in_len - io->in_at;
  if (left == 0) {
    return WOLFSSL_CBIO_ERR_WANT_READ;
  }
  size_t n = left < (size_t)sz ? left : (size_t)sz;
  memcpy(buf, io->in + io->in_at, n);
  io->in_at += n;
  return (int)n;
}

static int memio_send(WOLFSSL *ssl, char *buf, int sz, void *arg) {
  (void)ssl;
  struct memio *io = arg;
  if ((size_t)sz > io->cap - io->out_len) {
    io->overflow = 1;
    return WOLFSSL_CBIO_ERR_GENERAL;
  }
  memcpy(io->out + io->out_len, buf, (size_t)sz);
  io->out_len += (size_t)sz;
  return sz;
}

/* on_info counts the alerts the server sends. wolfSSL reports an alert to
 * the info callback with its description only, neither level nor direction;
 * the server reads none here (the client sends nothing but its hello), so
 * every one it reports was written. Its level comes from the alert history
 * after the step. */
static void on_info(const WOLFSSL *ssl, int where, int value) {
  (void)value;
  if ((where & SSL_CB_ALERT) == 0) {
    return;
  }
  struct memio *io = wolfSSL_GetIOWriteCtx((WOLFSSL *)ssl);
  if (io != NULL) {
    io->alerts++;
  }
}

static void *new_ctx(void *arg, const struct interop_config *config) {
  const struct identity *id = arg;
  WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfSSLv23_server_method());
  if (ctx == NULL) {
    return NULL;
  }
  if (wolfSSL_CTX_set_min_proto_version(ctx, config->min) != WOLFSSL_SUCCESS ||
      wolfSSL_CTX_set_max_proto_version(ctx, config->max) != WOLFSSL_SUCCESS ||
      wolfSSL_CTX_use_certificate_buffer(ctx, id->cert, id->cert_len, WOLFSSL_FILETYPE_ASN1) !=
          WOLFSSL_SUCCESS ||
      wolfSSL_CTX_use_PrivateKey_buffer(ctx, id->key, id->key_len, WOLFSSL_FILETYPE_ASN1) !=
          WOLFSSL_SUCCESS) {
    wolfSSL_CTX_free(ctx);
    return NULL;
  }
  /* The one hole there is room for: TLS 1.2 between 1.1 and 1.3. */
  if (!(config->versions & INTEROP_VERSION_BIT(TP_TLS12)) && config->min < TP_TLS12 &&
      config->max > TP_TLS12) {
    wolfSSL_CTX_set_options(ctx, WOLFSSL_OP_NO_TLSv1_2);
  }
  wolfSSL_CTX_SetIORecv(ctx, memio_recv);
  wolfSSL_CTX_SetIOSend(ctx, memio_send);
  wolfSSL_CTX_set_info_callback(ctx, on_info);
  return ctx;
}

static void free_ctx(void *ctx) {
  wolfSSL_CTX_free(ctx);
}

static int answer(void *ctx, const uint8_t *hello, size_t hello_len, uint8_t *out, size_t cap,
                  size_t *out_len, struct interop_server_view *view) {
  memset(view, 0, sizeof(*view));
  *out_len = 0;
  WOLFSSL *ssl = wolfSSL_new(ctx);
  if (ssl == NULL) {
    return 0;
  }
  struct memio io = {.in = hello, .in_len = hello_len, .out = out, .cap = cap};
  wolfSSL_SetIOReadCtx(ssl, &io);
  wolfSSL_SetIOWriteCtx(ssl, &io);
  /* One step: with the whole hello in hand the server either sends its
   * first flight and waits for the client, or fails (and says so). */
  int ret = wolfSSL_accept(ssl);
  int err = wolfSSL_get_error(ssl, ret);
  view->gave_up = !(ret != WOLFSSL_SUCCESS && err == WOLFSSL_ERROR_WANT_READ);
  if (view->gave_up) {
    wolfSSL_ERR_error_string_n((unsigned long)err, view->reason, sizeof(view->reason));
  } else {
    view->version = (uint16_t)wolfSSL_version(ssl);
    view->cipher_suite = (uint16_t)wolfSSL_get_current_cipher_suite(ssl);
    wolfSSL_get_server_random(ssl, view->server_random, sizeof(view->server_random));
  }
  /* The library's own account of the alerts: how many its info callback
   * saw, and the last one sent, from its alert history. A step that sent
   * two alerts is counted as two of the last one's level, so it cannot pass
   * for "exactly one fatal alert". */
  WOLFSSL_ALERT_HISTORY history;
  if (io.alerts > 0 && wolfSSL_get_alert_history(ssl, &history) == WOLFSSL_SUCCESS) {
    if (history.last_tx.level == alert_fatal) {
      view->fatal_alerts = io.alerts;
      view->alert_level = (uint8_t)history.last_tx.level;
      view->alert_desc = (uint8_t)history.last_tx.code;
    } else {
      view->warning_alerts = io.alerts;
    }
  }
  wolfSSL_free(ssl);
  *out_len = io.out_len;
  return !io.overflow;
}

/* x25519_public computes the public key with wolfCrypt, which takes the
 * private key clamped and little-endian, as RFC 7748 writes it. */
static int x25519_public(const uint8_t priv[32], uint8_t pub[32]) {
  return wc_curve25519_make_pub(32, pub, 32, priv) == 0;
}

int main(void) {
  if (wolfSSL_Init() != WOLFSSL_SUCCESS) {
    printf("FAIL wolfssl: wolfSSL_Init failed\n");
    return 1;
  }
  static struct identity id;
  if (!make_identity(&id)) {
    printf("FAIL wolfssl: could not make the server's key and certificate\n");
    return 1;
  }
  static const uint16_t kVersions[] = {TP_TLS11, TP_TLS12, TP_TLS13};
  const struct interop_server server = {
      .name = "wolfssl",
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
  printf("wolfssl: wolfSSL %s; configurations over tls1.1 .. tls1.3, with the hole 1.1+1.3 "
         "(this build has no SSLv3 and no TLS 1.0: checked next)\n",
         wolfSSL_lib_version());

  int ok = interop_check_absent(&server, TP_SSL3, 4);
  ok &= interop_check_absent(&server, TP_TLS10, 4);

  const struct interop_opts opts = {.repeats = REPEATS};
  struct interop_results res;
  ok &= interop_run(&server, &opts, &res);
  const size_t expected = INTEROP_PINNED_COUNT * CONFIGS * interop_shape_count();
  if (res.combinations != expected || res.probes != expected * REPEATS) {
    printf("FAIL wolfssl: %zu combinations and %zu probes run, expected %zu and %zu (5 pinned "
           "x %d configurations x %zu shapes, %d probes each)\n",
           res.combinations, res.probes, expected, expected * REPEATS, CONFIGS,
           interop_shape_count(), REPEATS);
    ok = 0;
  }

  /* The harness must catch the old bug: TLS 1.3 hellos with raw random
   * shares to a TLS 1.3 server must fail, and fail exactly when bit 255 of
   * the share is set. */
  static const uint16_t kTls13[] = {TP_TLS13};
  struct interop_server raw_server = server;
  raw_server.name = "wolfssl raw-random-shares";
  raw_server.versions = kTls13;
  raw_server.version_count = 1;
  const struct interop_opts raw_opts = {
      .repeats = RAW_REPEATS,
      .shares = INTEROP_SHARES_RAW_RANDOM,
      .only_pinned = TP_TLS13,
      .expect_failures = 1,
  };
  struct interop_results raw;
  printf("\nwolfssl: now the expected failure: TLS 1.3 hellos whose key shares are 32 raw "
         "random bytes\n");
  interop_run(&raw_server, &raw_opts, &raw);
  if (raw.failed_probes == 0 || raw.failed_probes != raw.failed_high_bit ||
      raw.failed_high_bit != raw.high_bit_shares) {
    printf("FAIL wolfssl: with raw random shares %zu of %zu probes failed, %zu of them with "
           "bit 255 set, of %zu such shares: expected failures exactly on those\n",
           raw.failed_probes, raw.probes, raw.failed_high_bit, raw.high_bit_shares);
    ok = 0;
  } else {
    printf("wolfssl: as expected, raw random shares failed %zu of %zu probes: exactly those "
           "with bit 255 set\n",
           raw.failed_probes, raw.probes);
  }

  wolfSSL_Cleanup();
  printf("wolfssl: %s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
