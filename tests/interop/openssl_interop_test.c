/* tests/interop/openssl_interop_test.c: our ClientHellos against OpenSSL 3.
 *
 * Proves, for a second and independent server implementation (Debian's
 * OpenSSL 3, libssl3), what the BoringSSL test proves: every ClientHello
 * tlsparse builds is accepted whenever the pinned version lies inside the
 * server's range, answered with the server's highest version when the pinned
 * one is above it, and refused with protocol_version below it; and tlsparse
 * reads each answer, whole or a few bytes at a time, exactly as OpenSSL says
 * it decided. No sockets: memory BIOs, and a key and self-signed certificate
 * made once at start. Each combination gets REPEATS probes with fresh
 * random material and TLS 1.3 key shares from OpenSSL's own X25519, and all
 * must get one verdict. Whether this OpenSSL speaks SSLv3 is asked of the
 * library at run time (a handshake with itself); when it does, ranges start
 * at SSLv3 (15 ranges), otherwise at TLS 1.0 (10 ranges, and SSLv3 probes
 * to a context asked to speak it must all be refused), and the expected
 * number of combinations follows. */
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tests/interop/interop.h"

/* Probes per combination, each with fresh material. */
#define REPEATS 100

/* The cipher string of servers that speak TLS 1.1 or older: OpenSSL 3 at its
 * default security level refuses those versions outright (they sign with
 * SHA-1 or MD5+SHA-1), so a legacy server has to lower it. */
#define LEGACY_CIPHERS "ALL:@SECLEVEL=0"

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
 * library's own account of why it gave up, independent of the bytes. The
 * SSLv3 self-check runs connections without a view. */
static void on_info(const SSL *ssl, int where, int value) {
  struct interop_server_view *view = SSL_get_app_data(ssl);
  if ((where & SSL_CB_WRITE_ALERT) != SSL_CB_WRITE_ALERT || view == NULL) {
    return;
  }
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
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == NULL) {
    return NULL;
  }
  /* Servers that stop at TLS 1.2 or above keep OpenSSL's default ciphers and
   * security level, as a real one would: our hellos must suit those too. */
  int legacy = min < TLS1_2_VERSION;
  if (SSL_CTX_set_min_proto_version(ctx, min) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, max) != 1 ||
      (legacy && SSL_CTX_set_cipher_list(ctx, LEGACY_CIPHERS) != 1) ||
      SSL_CTX_use_certificate(ctx, id->cert) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, id->key) != 1) {
    SSL_CTX_free(ctx);
    return NULL;
  }
  SSL_CTX_set_info_callback(ctx, on_info);
  return ctx;
}

static int x25519_public(const uint8_t priv[32], uint8_t pub[32]) {
  EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
  size_t len = 32;
  int ok = key != NULL && EVP_PKEY_get_raw_public_key(key, pub, &len) == 1 && len == 32;
  EVP_PKEY_free(key);
  return ok;
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
    size_t pending = BIO_ctrl_pending(wbio);
    if (pending <= cap && BIO_read(wbio, out, (int)pending) == (int)pending) {
      *out_len = pending;
      ok = 1;
    }
  }
  ERR_clear_error();
  SSL_free(ssl);
  return ok;
}

/* speaks_ssl3 returns 1 when this OpenSSL completes an SSLv3 handshake with
 * itself. Asking the API is not enough: a build with no-ssl3-method still
 * takes SSL3_VERSION as a minimum, it just has no method to negotiate it
 * with, so only a handshake tells. |*out_why| says what stopped it. */
static int speaks_ssl3(struct identity *id, const char **out_why) {
  *out_why = "no error queued";
  const struct interop_config only_ssl3 = {
      .versions = INTEROP_VERSION_BIT(SSL3_VERSION), .min = SSL3_VERSION, .max = SSL3_VERSION};
  SSL_CTX *server_ctx = new_ctx(id, &only_ssl3);
  SSL_CTX *client_ctx = SSL_CTX_new(TLS_client_method());
  SSL *server = NULL, *client = NULL;
  BIO *server_bio = NULL, *client_bio = NULL;
  int done = 0;
  ERR_clear_error();
  if (server_ctx == NULL) {
    *out_why = "no server context pinned to SSLv3";
  } else if (client_ctx == NULL ||
             SSL_CTX_set_min_proto_version(client_ctx, SSL3_VERSION) != 1 ||
             SSL_CTX_set_max_proto_version(client_ctx, SSL3_VERSION) != 1 ||
             SSL_CTX_set_cipher_list(client_ctx, LEGACY_CIPHERS) != 1 ||
             (server = SSL_new(server_ctx)) == NULL || (client = SSL_new(client_ctx)) == NULL ||
             BIO_new_bio_pair(&server_bio, 0, &client_bio, 0) != 1) {
    *out_why = "could not set up the self-check";
  } else {
    SSL_set_bio(server, server_bio, server_bio);
    SSL_set_bio(client, client_bio, client_bio);
    server_bio = client_bio = NULL;
    SSL_set_accept_state(server);
    SSL_set_connect_state(client);
    /* A full SSLv3 handshake is two round trips; a few more steps than that
     * cost nothing and cover "wants more" on either side. */
    for (int step = 0; step < 8 && !done; step++) {
      int c = SSL_do_handshake(client);
      int s = SSL_do_handshake(server);
      done = c == 1 && s == 1;
    }
    const char *reason = ERR_reason_error_string(ERR_peek_last_error());
    if (reason != NULL) {
      *out_why = reason;
    }
  }
  int ssl3 = done && SSL_version(client) == SSL3_VERSION && SSL_version(server) == SSL3_VERSION;
  SSL_free(client);
  SSL_free(server);
  BIO_free(server_bio);
  BIO_free(client_bio);
  SSL_CTX_free(client_ctx);
  SSL_CTX_free(server_ctx);
  ERR_clear_error();
  return ssl3;
}

int main(void) {
  /* Only the library's compiled-in defaults, never the system's
   * openssl.cnf, so that the verdicts do not depend on the host. */
  if (OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1) {
    printf("FAIL openssl: OPENSSL_init_ssl failed\n");
    return 1;
  }
  struct identity id = {.key = generate_rsa_key()};
  if (id.key != NULL) {
    id.cert = self_signed_cert(id.key);
  }
  if (id.cert == NULL) {
    printf("FAIL openssl: could not make the server's key and certificate\n");
    EVP_PKEY_free(id.key);
    return 1;
  }

  const char *why_not = "";
  int ssl3 = speaks_ssl3(&id, &why_not);
  printf("openssl: %s; SSLv3 handshake with itself: %s%s%s\n", OpenSSL_version(OPENSSL_VERSION),
         ssl3 ? "works, ranges start at ssl3" : "fails (", ssl3 ? "" : why_not,
         ssl3 ? "" : "), ranges over tls1.0 .. tls1.3 only");

  static const uint16_t kVersions[] = {
      SSL3_VERSION, TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION,
  };
  const size_t skip = ssl3 ? 0 : 1;
  const struct interop_server server = {
      .name = "openssl",
      .arg = &id,
      .versions = kVersions + skip,
      .version_count = sizeof(kVersions) / sizeof(kVersions[0]) - skip,
      .new_ctx = new_ctx,
      .free_ctx = free_ctx,
      .answer = answer,
      .x25519_public = x25519_public,
  };

  int ok = ssl3 || interop_check_absent(&server, SSL3_VERSION, 4);
  const struct interop_opts opts = {.repeats = REPEATS};
  struct interop_results res;
  ok &= interop_run(&server, &opts, &res);
  const size_t ranges = ssl3 ? 15 : 10;
  const size_t expected = INTEROP_PINNED_COUNT * ranges * interop_shape_count();
  if (res.combinations != expected || res.probes != expected * REPEATS) {
    printf("FAIL openssl: %zu combinations and %zu probes run, expected %zu and %zu (5 "
           "pinned x %zu ranges x %zu shapes, %d probes each)\n",
           res.combinations, res.probes, expected, expected * REPEATS, ranges,
           interop_shape_count(), REPEATS);
    ok = 0;
  }

  X509_free(id.cert);
  EVP_PKEY_free(id.key);
  printf("openssl: %s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
