/* tests/interop/boringssl_interop_test.c: our ClientHellos against BoringSSL.
 *
 * Proves that a BoringSSL server (Debian's android-libboringssl, the library
 * of the scanner's confirmation handshake) accepts every ClientHello tlsparse
 * builds whenever the pinned version lies inside the server's range, answers
 * with its highest version when the pinned one is above the range, and
 * refuses with protocol_version below it; and that tlsparse reads each of
 * those answers, whole or a few bytes at a time, exactly as BoringSSL says it
 * decided: same version, suite, downgrade sentinel, alert. No sockets: the
 * server reads the hello from one memory BIO and writes to another, and the
 * key and self-signed certificate are made once at start. Each combination
 * gets REPEATS probes with fresh random material and TLS 1.3 key shares from
 * BoringSSL's own X25519, and all must get one verdict. BoringSSL cannot
 * speak SSLv3 (checked: a context asked for it is not made, or refuses), so
 * its ranges run over TLS 1.0 .. 1.3 and every SSLv3 probe must be refused:
 * 5 pinned versions x 10 ranges x every hello shape. */
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/curve25519.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tests/interop/interop.h"

/* Ranges over TLS 1.0 .. 1.3: every combination interop_run must visit is
 * 5 pinned versions x these x the shapes; fewer means one was skipped. */
#define RANGES 10

/* Probes per combination, each with fresh material. */
#define REPEATS 100

/* The server's key and certificate, shared by every context. */
struct identity {
  EVP_PKEY *key;
  X509 *cert;
};

static EVP_PKEY *generate_rsa_key(void) {
  EVP_PKEY *key = NULL;
  EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
  if (kctx == NULL || EVP_PKEY_keygen_init(kctx) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(kctx, 2048) != 1 || EVP_PKEY_keygen(kctx, &key) != 1) {
    EVP_PKEY_free(key);
    key = NULL;
  }
  EVP_PKEY_CTX_free(kctx);
  return key;
}

/* self_signed_cert returns a certificate for "interop.example" signed by
 * |key|. Nobody verifies it; the server only needs one to send. */
static X509 *self_signed_cert(EVP_PKEY *key) {
  X509 *cert = X509_new();
  if (cert == NULL) {
    return NULL;
  }
  X509_NAME *name = X509_get_subject_name(cert);
  if (X509_set_version(cert, 2) != 1 ||
      ASN1_INTEGER_set(X509_get_serialNumber(cert), 1) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(cert), -3600) == NULL ||
      X509_gmtime_adj(X509_getm_notAfter(cert), 86400) == NULL ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 (const uint8_t *)"interop.example", -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert, name) != 1 || X509_set_pubkey(cert, key) != 1 ||
      X509_sign(cert, key, EVP_sha256()) <= 0) {
    X509_free(cert);
    return NULL;
  }
  return cert;
}

/* on_info records each alert the server sends in the connection's view: the
 * library's own account of why it gave up, independent of the bytes. */
static void on_info(const SSL *ssl, int where, int value) {
  if ((where & SSL_CB_WRITE_ALERT) != SSL_CB_WRITE_ALERT) {
    return;
  }
  struct interop_server_view *view = SSL_get_app_data(ssl);
  uint8_t level = (uint8_t)(value >> 8);
  if (level == SSL3_AL_FATAL) {
    view->fatal_alerts++;
    view->alert_level = level;
    view->alert_desc = (uint8_t)value;
  } else {
    view->warning_alerts++;
  }
}

static void *new_ctx(void *arg, const struct interop_config *config) {
  const struct identity *id = arg;
  const uint16_t min = config->min, max = config->max;
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  if (ctx == NULL) {
    return NULL;
  }
  /* Setting the minimum is what lets TLS 1.0 and 1.1 in at all. */
  if (SSL_CTX_set_min_proto_version(ctx, min) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, max) != 1 ||
      SSL_CTX_use_certificate(ctx, id->cert) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, id->key) != 1) {
    SSL_CTX_free(ctx);
    return NULL;
  }
  SSL_CTX_set_info_callback(ctx, on_info);
  return ctx;
}

static int x25519_public(const uint8_t priv[32], uint8_t pub[32]) {
  X25519_public_from_private(pub, priv);
  return 1;
}

static void free_ctx(void *ctx) {
  SSL_CTX_free(ctx);
}

static int answer(void *ctx, const uint8_t *hello, size_t hello_len, uint8_t *out, size_t cap,
                  size_t *out_len, struct interop_server_view *view) {
  memset(view, 0, sizeof(*view));
  *out_len = 0;
  SSL *ssl = SSL_new(ctx);
  BIO *rbio = BIO_new(BIO_s_mem());
  BIO *wbio = BIO_new(BIO_s_mem());
  if (ssl == NULL || rbio == NULL || wbio == NULL) {
    BIO_free(rbio);
    BIO_free(wbio);
    SSL_free(ssl);
    return 0;
  }
  SSL_set_bio(ssl, rbio, wbio); /* |ssl| owns both now */
  SSL_set_app_data(ssl, view);
  SSL_set_accept_state(ssl);

  int ok = 0;
  ERR_clear_error();
  if (BIO_write(rbio, hello, (int)hello_len) == (int)hello_len) {
    /* One step: with the whole hello in hand the server either sends its
     * first flight and waits for the client, or fails and sends an alert. */
    int ret = SSL_do_handshake(ssl);
    view->gave_up = !(ret < 0 && SSL_get_error(ssl, ret) == SSL_ERROR_WANT_READ);
    if (view->gave_up) {
      const char *reason = ERR_reason_error_string(ERR_peek_last_error());
      snprintf(view->reason, sizeof(view->reason), "%s",
               reason != NULL ? reason : "no error queued");
    } else {
      view->version = (uint16_t)SSL_version(ssl);
      const SSL_CIPHER *cipher = SSL_get_pending_cipher(ssl);
      view->cipher_suite = cipher != NULL ? SSL_CIPHER_get_protocol_id(cipher) : 0;
      SSL_get_server_random(ssl, view->server_random, sizeof(view->server_random));
    }
    size_t pending = BIO_pending(wbio);
    if (pending <= cap && BIO_read(wbio, out, (int)pending) == (int)pending) {
      *out_len = pending;
      ok = 1;
    }
  }
  ERR_clear_error();
  SSL_free(ssl);
  return ok;
}

int main(void) {
  struct identity id = {.key = generate_rsa_key()};
  if (id.key != NULL) {
    id.cert = self_signed_cert(id.key);
  }
  if (id.cert == NULL) {
    printf("FAIL boringssl: could not make the server's key and certificate\n");
    EVP_PKEY_free(id.key);
    return 1;
  }

  static const uint16_t kVersions[] = {
      TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION,
  };
  const struct interop_server server = {
      .name = "boringssl",
      .arg = &id,
      .versions = kVersions,
      .version_count = sizeof(kVersions) / sizeof(kVersions[0]),
      .new_ctx = new_ctx,
      .free_ctx = free_ctx,
      .answer = answer,
      .x25519_public = x25519_public,
  };
  printf("boringssl: %s, BORINGSSL_API_VERSION %d; server ranges over tls1.0 .. tls1.3 "
         "(BoringSSL has no SSLv3)\n",
         OpenSSL_version(OPENSSL_VERSION), BORINGSSL_API_VERSION);

  int ok = interop_check_absent(&server, SSL3_VERSION, 4);
  const struct interop_opts opts = {.repeats = REPEATS};
  struct interop_results res;
  ok &= interop_run(&server, &opts, &res);
  const size_t expected = INTEROP_PINNED_COUNT * RANGES * interop_shape_count();
  if (res.combinations != expected || res.probes != expected * REPEATS) {
    printf("FAIL boringssl: %zu combinations and %zu probes run, expected %zu and %zu (5 "
           "pinned x %d ranges x %zu shapes, %d probes each)\n",
           res.combinations, res.probes, expected, expected * REPEATS, RANGES,
           interop_shape_count(), REPEATS);
    ok = 0;
  }

  X509_free(id.cert);
  EVP_PKEY_free(id.key);
  printf("boringssl: %s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
