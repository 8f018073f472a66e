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

#include <openssl/ssl.h>

/* How long one handshake may wait for its peer's next bytes. */
#define RECV_TIMEOUT_S 2

struct options {
  const char *addr;
  int port;
  const char *cert;
  const char *key;
  uint16_t min;
  uint16_t max;
  const char *ciphers;
  int server_order;
  long seconds;
};

/* parse_version maps "1.0" .. "1.3" to the wire version. Returns 1, or 0. */
static int parse_version(const char *s, uint16_t *out) {
  static const struct {
    const char *name;
    uint16_t version;
  } kVersions[] = {{"1.0", TLS1_VERSION}, {"1.1", TLS1_1_VERSION}, {"1.2", TLS1_2_VERSION},
                   {"1.3", TLS1_3_VERSION}};
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
    } else if (strcmp(name, "--ciphers") == 0) {
      o->ciphers = value;
    } else if (strcmp(name, "--server-order") == 0) {
      o->server_order = atoi(value);
    } else if (strcmp(name, "--seconds") == 0) {
      o->seconds = atol(value);
    } else {
      return 0;
    }
  }
  return argc % 2 == 1 && o->addr != NULL && o->port > 0 && o->port < 65536 &&
         o->cert != NULL && o->key != NULL && o->min != 0 && o->max >= o->min &&
         o->ciphers != NULL && o->seconds > 0;
}

static SSL_CTX *make_ctx(const struct options *o) {
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
static void serve(SSL_CTX *ctx, int fd) {
  const struct timeval tv = {.tv_sec = RECV_TIMEOUT_S};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  SSL *ssl = SSL_new(ctx);
  if (ssl != NULL && SSL_set_fd(ssl, fd) && SSL_accept(ssl) == 1) {
    SSL_shutdown(ssl);
  }
  SSL_free(ssl);
}

int main(int argc, char **argv) {
  struct options o;
  if (!parse_options(argc, argv, &o)) {
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
  int lfd = listen_on(&o);
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
  SSL_CTX_free(ctx);
  return 0;
}
