/* tests/servers/wolfssl_server.c: a small wolfSSL TLS server for the
 * real-binary tests.
 *
 * It listens on one address and port, speaks the versions between --min and
 * --max with Debian's libwolfssl and its defaults otherwise, and answers
 * connections one at a time: a handshake (bounded by a receive timeout, for
 * a peer that goes quiet), a close_notify after one that completed, and a
 * close. That is how a wolfSSL server met in the field treats a scanner's
 * probes: one whose TLS 1.3 x25519 key share has bit 255 set is closed
 * without an alert. The process ends by itself after --seconds, so a test
 * that loses track of it still leaves nothing running for long.
 *
 * Usage: wolfssl_server --addr A --port P --cert PEM --key PEM
 *                       --min V --max V --seconds S
 * with V one of 1.1, 1.2, 1.3. It prints "listening" once it is. */
#include <stdio.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "tests/servers/serve.h"

static WOLFSSL_CTX *make_ctx(const struct server_options *o) {
  WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfSSLv23_server_method());
  if (ctx == NULL) {
    return NULL;
  }
  if (wolfSSL_CTX_set_min_proto_version(ctx, o->min) != WOLFSSL_SUCCESS ||
      wolfSSL_CTX_set_max_proto_version(ctx, o->max) != WOLFSSL_SUCCESS ||
      wolfSSL_CTX_use_certificate_file(ctx, o->cert, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS ||
      wolfSSL_CTX_use_PrivateKey_file(ctx, o->key, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) {
    wolfSSL_CTX_free(ctx);
    return NULL;
  }
  return ctx;
}

/* serve runs one connection's handshake to its end, whatever that is. */
static void serve(void *ctx, int fd) {
  WOLFSSL *ssl = wolfSSL_new(ctx);
  if (ssl != NULL && wolfSSL_set_fd(ssl, fd) == WOLFSSL_SUCCESS &&
      wolfSSL_accept(ssl) == WOLFSSL_SUCCESS) {
    wolfSSL_shutdown(ssl);
  }
  wolfSSL_free(ssl);
}

int main(int argc, char **argv) {
  struct server_options o;
  if (!server_options_parse(argc, argv, 0x0302, 0x0304, 0, &o)) {
    fprintf(stderr,
            "usage: wolfssl_server --addr A --port P --cert PEM --key PEM --min V --max V "
            "--seconds S (V: 1.1, 1.2, 1.3)\n");
    return 1;
  }
  if (wolfSSL_Init() != WOLFSSL_SUCCESS) {
    fprintf(stderr, "wolfssl_server: wolfSSL_Init failed\n");
    return 2;
  }
  WOLFSSL_CTX *ctx = make_ctx(&o);
  if (ctx == NULL) {
    fprintf(stderr, "wolfssl_server: cannot set up the versions, certificate or key\n");
    return 2;
  }
  int lfd = server_listen(&o);
  if (lfd < 0) {
    perror("wolfssl_server: listen");
    return 2;
  }
  printf("listening\n");
  fflush(stdout);
  server_loop(lfd, o.seconds, serve, ctx);
  close(lfd);
  wolfSSL_CTX_free(ctx);
  wolfSSL_Cleanup();
  return 0;
}
