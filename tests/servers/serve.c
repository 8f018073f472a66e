/* tests/servers/serve.c: the flags, socket and accept loop of the small TLS
 * servers (serve.h). */
#include "tests/servers/serve.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int parse_version(const char *s, uint16_t lo, uint16_t hi, uint16_t *out) {
  static const struct {
    const char *name;
    uint16_t version;
  } kVersions[] = {{"1.0", 0x0301}, {"1.1", 0x0302}, {"1.2", 0x0303}, {"1.3", 0x0304}};
  for (size_t i = 0; i < sizeof(kVersions) / sizeof(kVersions[0]); i++) {
    if (strcmp(s, kVersions[i].name) == 0) {
      *out = kVersions[i].version;
      return *out >= lo && *out <= hi;
    }
  }
  return 0;
}

int server_options_parse(int argc, char **argv, uint16_t lo, uint16_t hi, int suites,
                         struct server_options *o) {
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
      if (!parse_version(value, lo, hi, &o->min)) {
        return 0;
      }
    } else if (strcmp(name, "--max") == 0) {
      if (!parse_version(value, lo, hi, &o->max)) {
        return 0;
      }
    } else if (suites && strcmp(name, "--ciphers") == 0) {
      o->ciphers = value;
    } else if (suites && strcmp(name, "--server-order") == 0) {
      o->server_order = atoi(value);
    } else if (strcmp(name, "--seconds") == 0) {
      o->seconds = atol(value);
    } else {
      return 0;
    }
  }
  return argc % 2 == 1 && o->addr != NULL && o->port > 0 && o->port < 65536 &&
         o->cert != NULL && o->key != NULL && o->min != 0 && o->max >= o->min &&
         (!suites || o->ciphers != NULL) && o->seconds > 0;
}

int server_listen(const struct server_options *o) {
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

void server_loop(int lfd, long seconds, void (*serve)(void *ctx, int fd), void *ctx) {
  const time_t end = time(NULL) + seconds;
  const struct timeval tv = {.tv_sec = SERVE_TIMEOUT_S};
  while (time(NULL) < end) {
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    if (poll(&p, 1, 500) <= 0) {
      continue;
    }
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0) {
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
      serve(ctx, fd);
      close(fd);
    }
  }
}
