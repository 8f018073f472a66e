/* tests/servers/boringssl_server.c: a small BoringSSL TLS server for the
 * real-binary tests.
 *
 * BoringSSL has no server program in Debian, and it chooses suites its own
 * way (equal-preference groups, ChaCha20 first without AES hardware, TLS 1.3
 * suites fixed), so the suite tests run against it too. It listens on one
 * address and port, speaks the versions between --min and --max with the
 * cipher list --ciphers (BoringSSL's syntax, read strictly), in the
 * server's order with --server-order, and answers connections one at a time:
 * a handshake bounded by a receive timeout, a close_notify after one that
 * completed, and a close. It ends by itself after --seconds.
 *
 * Usage: boringssl_server --addr A --port P --cert PEM --key PEM
 *                         --min V --max V --ciphers LIST --server-order 0|1
 *                         --seconds S
 * with V one of 1.0, 1.1, 1.2, 1.3. Before "listening", it prints the
 * suites its list enables, one "suite CODE NAME MIN MAX" line each (code
 * and versions in hex), so a test knows what it configured from the library
 * itself; TLS 1.3's suites are not in the list (BoringSSL fixes them). */
#include <stdio.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "tests/servers/serve.h"

static SSL_CTX *make_ctx(const struct server_options *o) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  if (ctx == NULL) {
    return NULL;
  }
  if (!SSL_CTX_set_min_proto_version(ctx, o->min) ||
      !SSL_CTX_set_max_proto_version(ctx, o->max) ||
      !SSL_CTX_set_strict_cipher_list(ctx, o->ciphers) ||
      !SSL_CTX_use_certificate_chain_file(ctx, o->cert) ||
      !SSL_CTX_use_PrivateKey_file(ctx, o->key, SSL_FILETYPE_PEM)) {
    SSL_CTX_free(ctx);
    return NULL;
  }
  if (o->server_order) {
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  }
  return ctx;
}

/* serve runs one connection's handshake to its end, whatever that is. */
static void serve(void *ctx, int fd) {
  SSL *ssl = SSL_new(ctx);
  if (ssl != NULL && SSL_set_fd(ssl, fd) && SSL_accept(ssl) == 1) {
    SSL_shutdown(ssl);
  }
  SSL_free(ssl);
}

int main(int argc, char **argv) {
  struct server_options o;
  if (!server_options_parse(argc, argv, TLS1_VERSION, TLS1_3_VERSION, 1, &o)) {
    fprintf(stderr,
            "usage: boringssl_server --addr A --port P --cert PEM --key PEM --min V --max V "
            "--ciphers LIST --server-order 0|1 --seconds S (V: 1.0, 1.1, 1.2, 1.3)\n");
    return 1;
  }
  SSL_CTX *ctx = make_ctx(&o);
  if (ctx == NULL) {
    fprintf(stderr, "boringssl_server: cannot set up the versions, suites, certificate or key\n");
    return 2;
  }
  int lfd = server_listen(&o);
  if (lfd < 0) {
    perror("boringssl_server: listen");
    return 2;
  }
  STACK_OF(SSL_CIPHER) *suites = SSL_CTX_get_ciphers(ctx);
  for (size_t i = 0; i < sk_SSL_CIPHER_num(suites); i++) {
    const SSL_CIPHER *c = sk_SSL_CIPHER_value(suites, i);
    printf("suite %04x %s %04x %04x\n", SSL_CIPHER_get_protocol_id(c), SSL_CIPHER_standard_name(c),
           SSL_CIPHER_get_min_version(c), SSL_CIPHER_get_max_version(c));
  }
  printf("listening\n");
  fflush(stdout);
  server_loop(lfd, o.seconds, serve, ctx);
  close(lfd);
  SSL_CTX_free(ctx);
  return 0;
}
