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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

/* How long one handshake may wait for its peer's next bytes. */
#define RECV_TIMEOUT_S 2

struct options {
  const char *addr;
  int port;
  const char *cert;
  const char *key;
  int min;
  int max;
  long seconds;
};

/* parse_version maps "1.1" .. "1.3" to the wire version. Returns 1, or 0. */
static int parse_version(const char *s, int *out) {
  static const struct {
    const char *name;
    int version;
  } kVersions[] = {{"1.1", 0x0302}, {"1.2", 0x0303}, {"1.3", 0x0304}};
  for (size_t i = 0; i < sizeof(kVersions) / sizeof(kVersions[0]); i++) {
    if (strcmp(s, kVersions[i].name) == 0) {
      *out = kVersions[i].version;
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

static WOLFSSL_CTX *make_ctx(const struct options *o) {
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
static void serve(WOLFSSL_CTX *ctx, int fd) {
  const struct timeval tv = {.tv_sec = RECV_TIMEOUT_S};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  WOLFSSL *ssl = wolfSSL_new(ctx);
  if (ssl != NULL && wolfSSL_set_fd(ssl, fd) == WOLFSSL_SUCCESS &&
      wolfSSL_accept(ssl) == WOLFSSL_SUCCESS) {
    wolfSSL_shutdown(ssl);
  }
  wolfSSL_free(ssl);
}

int main(int argc, char **argv) {
  struct options o;
  if (!parse_options(argc, argv, &o)) {
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
  int lfd = listen_on(&o);
  if (lfd < 0) {
    perror("wolfssl_server: listen");
    return 2;
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
      serve(ctx, fd);
      close(fd);
    }
  }
  close(lfd);
  wolfSSL_CTX_free(ctx);
  wolfSSL_Cleanup();
  return 0;
}
