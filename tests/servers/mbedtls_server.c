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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

/* How long one handshake may wait for its peer's next bytes. */
#define READ_TIMEOUT_MS 2000

struct options {
  const char *addr;
  int port;
  const char *cert;
  const char *key;
  int min; /* minor version: 1 = TLS 1.0 .. 3 = TLS 1.2 */
  int max;
  long seconds;
};

/* parse_version maps "1.0" .. "1.2" to Mbed TLS's minor version. Returns
 * 1, or 0. */
static int parse_version(const char *s, int *out) {
  static const struct {
    const char *name;
    int minor;
  } kVersions[] = {{"1.0", MBEDTLS_SSL_MINOR_VERSION_1},
                   {"1.1", MBEDTLS_SSL_MINOR_VERSION_2},
                   {"1.2", MBEDTLS_SSL_MINOR_VERSION_3}};
  for (size_t i = 0; i < sizeof(kVersions) / sizeof(kVersions[0]); i++) {
    if (strcmp(s, kVersions[i].name) == 0) {
      *out = kVersions[i].minor;
      return 1;
    }
  }
  return 0;
}

static int parse_options(int argc, char **argv, struct options *o) {
  memset(o, 0, sizeof(*o));
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *name = argv[i], *value = argv[i + 1];
    if (strcmp(name, "--addr") == 0) {
      o->addr = value;
    } else if (strcmp(name, "--port") == 0) {
      o->port = atoi(value);
    } else if (strcmp(name, "--cert") == 0) {
      o->cert = value;
    } else if (strcmp(name, "--key") == 0) {
      o->key = value;
    } else if (strcmp(name, "--min") == 0) {
      if (!parse_version(value, &o->min)) {
        return 0;
      }
    } else if (strcmp(name, "--max") == 0) {
      if (!parse_version(value, &o->max)) {
        return 0;
      }
    } else if (strcmp(name, "--seconds") == 0) {
      o->seconds = atol(value);
    } else {
      return 0;
    }
  }
  return argc % 2 == 1 && o->addr != NULL && o->port > 0 && o->port < 65536 &&
         o->cert != NULL && o->key != NULL && o->min != 0 && o->max >= o->min &&
         o->seconds > 0;
}

static int listen_on(const struct options *o) {
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
  if (inet_pton(AF_INET, o->addr, &sa.sin_addr) != 1) {
    return -1;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
      bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 1024) != 0) {
    if (fd >= 0) {
      close(fd);
    }
    return -1;
  }
  return fd;
}

/* serve runs one connection's handshake to its end, whatever that is. */
static void serve(mbedtls_ssl_context *ssl, int fd) {
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
  struct options o;
  if (!parse_options(argc, argv, &o)) {
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
  mbedtls_ssl_conf_min_version(&conf, MBEDTLS_SSL_MAJOR_VERSION_3, o.min);
  mbedtls_ssl_conf_max_version(&conf, MBEDTLS_SSL_MAJOR_VERSION_3, o.max);
  mbedtls_ssl_conf_read_timeout(&conf, READ_TIMEOUT_MS);
  if (mbedtls_ssl_setup(&ssl, &conf) != 0) {
    fprintf(stderr, "mbedtls_server: mbedtls_ssl_setup failed\n");
    goto done;
  }
  lfd = listen_on(&o);
  if (lfd < 0) {
    perror("mbedtls_server: listen");
    goto done;
  }
  printf("listening\n");
  fflush(stdout);
  const time_t end = time(NULL) + o.seconds;
  while (time(NULL) < end) {
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    if (poll(&p, 1, 500) <= 0) {
      continue;
    }
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0) {
      serve(&ssl, fd);
      close(fd);
    }
  }
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
