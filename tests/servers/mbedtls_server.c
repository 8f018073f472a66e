/* tests/servers/mbedtls_server.c: a small Mbed TLS server for the
 * real-binary tests.
 *
 * It listens on one address and port, speaks the versions between --min and
 * --max with Debian's Mbed TLS 2.28 and its defaults otherwise (so TLS 1.0 to
 * 1.2 at most: 2.28 has no TLS 1.3 server, and reads a TLS 1.3 hello as a
 * TLS 1.2 one), and answers connections one at a time: a handshake (each
 * read bounded by a timeout, for a peer that goes quiet), a close_notify
 * after one that completed, and a close. The process ends by itself after
 * --seconds, so a test that loses track of it still leaves nothing running
 * for long.
 *
 * Usage: mbedtls_server --addr A --port P --cert PEM --key PEM
 *                       --min V --max V --seconds S
 * with V one of 1.0, 1.1, 1.2. It prints "listening" once it is. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "tests/servers/serve.h"

/* serve runs one connection's handshake to its end, whatever that is. */
static void serve(void *ctx, int fd) {
  mbedtls_ssl_context *ssl = ctx;
  mbedtls_net_context net = {.fd = fd};
  if (mbedtls_ssl_session_reset(ssl) != 0) {
    return;
  }
  mbedtls_ssl_set_bio(ssl, &net, mbedtls_net_send, NULL, mbedtls_net_recv_timeout);
  int ret;
  do {
    ret = mbedtls_ssl_handshake(ssl);
  } while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
  if (ret == 0) {
    mbedtls_ssl_close_notify(ssl);
  }
}

int main(int argc, char **argv) {
  struct server_options o;
  if (!server_options_parse(argc, argv, 0x0301, 0x0303, 0, &o)) {
    fprintf(stderr,
            "usage: mbedtls_server --addr A --port P --cert PEM --key PEM --min V --max V "
            "--seconds S (V: 1.0, 1.1, 1.2)\n");
    return 1;
  }
  /* A scanner closes as soon as it has its answer: writing the rest of the
   * flight to it must fail, not kill the server (mbedtls_net_send uses
   * plain write). */
  signal(SIGPIPE, SIG_IGN);
  static const char kPersonal[] = "tlssweep mbedtls_server";
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_x509_crt cert;
  mbedtls_pk_context key;
  mbedtls_ssl_config conf;
  mbedtls_ssl_context ssl;
  mbedtls_entropy_init(&entropy);
  mbedtls_ctr_drbg_init(&drbg);
  mbedtls_x509_crt_init(&cert);
  mbedtls_pk_init(&key);
  mbedtls_ssl_config_init(&conf);
  mbedtls_ssl_init(&ssl);
  int status = 2;
  int lfd = -1;
  if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                            (const unsigned char *)kPersonal, sizeof(kPersonal)) != 0 ||
      mbedtls_x509_crt_parse_file(&cert, o.cert) != 0 ||
      mbedtls_pk_parse_keyfile(&key, o.key, NULL) != 0 ||
      mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                  MBEDTLS_SSL_PRESET_DEFAULT) != 0 ||
      mbedtls_ssl_conf_own_cert(&conf, &cert, &key) != 0) {
    fprintf(stderr, "mbedtls_server: cannot set up the certificate, key or randomness\n");
    goto done;
  }
  mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
  /* The wire version's low byte is Mbed TLS's minor version (1: TLS 1.0). */
  mbedtls_ssl_conf_min_version(&conf, MBEDTLS_SSL_MAJOR_VERSION_3, o.min & 0xff);
  mbedtls_ssl_conf_max_version(&conf, MBEDTLS_SSL_MAJOR_VERSION_3, o.max & 0xff);
  mbedtls_ssl_conf_read_timeout(&conf, SERVE_TIMEOUT_S * 1000);
  if (mbedtls_ssl_setup(&ssl, &conf) != 0) {
    fprintf(stderr, "mbedtls_server: mbedtls_ssl_setup failed\n");
    goto done;
  }
  lfd = server_listen(&o);
  if (lfd < 0) {
    perror("mbedtls_server: listen");
    goto done;
  }
  printf("listening\n");
  fflush(stdout);
  server_loop(lfd, o.seconds, serve, &ssl);
  status = 0;
done:
  if (lfd >= 0) {
    close(lfd);
  }
  mbedtls_ssl_free(&ssl);
  mbedtls_ssl_config_free(&conf);
  mbedtls_pk_free(&key);
  mbedtls_x509_crt_free(&cert);
  mbedtls_ctr_drbg_free(&drbg);
  mbedtls_entropy_free(&entropy);
  return status;
}
