/* scanner/main.c: the tlssweep command line (foundation stage).
 *
 * Until the engine lands this program offers what already exists: `hello`,
 * which prints the exact ClientHello record tlssweep sends for a pinned
 * version (fixed random bytes, for comparing with a packet capture), and
 * `--version`, which names the allocator by asking jemalloc itself, so that
 * a binary linked without it says so. Anything else prints the usage.
 * Exit status: 0 done, 1 usage error, 2 internal failure. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tlsparse/tlsparse.h"

#define TLSSWEEP_VERSION "0.1.0"

/* jemalloc's control interface. Weak, so that sanitizer builds (which keep
 * their own malloc) link without jemalloc and report that instead. */
int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp,
            size_t newlen) __attribute__((weak));

static const char kUsage[] =
    "usage: tlssweep <command> [options]\n"
    "\n"
    "Finds which TLS versions (SSLv3, TLS 1.0, 1.1, 1.2, 1.3) each endpoint accepts,\n"
    "with version-pinned probes.\n"
    "\n"
    "commands:\n"
    "  hello VERSION [SNI]   print the ClientHello record sent for VERSION, as hex\n"
    "                        (ssl3, tls1.0, tls1.1, tls1.2, tls1.3)\n"
    "      --minimal         the short shape, for servers intolerant of big hellos\n"
    "      --modern          only forward-secret AEAD/CBC suites\n"
    "      --fallback-scsv   add TLS_FALLBACK_SCSV (RFC 7507)\n"
    "  --version             version and allocator\n"
    "  --help                this text\n"
    "\n"
    "The scanner (tlssweep scan, tlssweep lab) arrives with the engine.\n";

static void print_version(void) {
  const char *version = NULL;
  size_t len = sizeof(version);
  if (mallctl != NULL && mallctl("version", &version, &len, NULL, 0) == 0) {
    printf("tlssweep %s (allocator: jemalloc %s)\n", TLSSWEEP_VERSION, version);
  } else {
    printf("tlssweep %s (allocator: system malloc; jemalloc not linked)\n", TLSSWEEP_VERSION);
  }
}

static int cmd_hello(int argc, char **argv) {
  static const struct option kOptions[] = {
      {"minimal", no_argument, NULL, 'm'},
      {"modern", no_argument, NULL, 'M'},
      {"fallback-scsv", no_argument, NULL, 'f'},
      {NULL, 0, NULL, 0},
  };
  struct tp_client_hello_opts opts = {.ciphers = TP_CIPHERS_BROAD};
  int c;
  while ((c = getopt_long(argc, argv, "", kOptions, NULL)) != -1) {
    switch (c) {
      case 'm': opts.minimal = 1; break;
      case 'M': opts.ciphers = TP_CIPHERS_MODERN; break;
      case 'f': opts.fallback_scsv = 1; break;
      default:
        fputs(kUsage, stderr);
        return 1;
    }
  }
  if (optind >= argc || argc - optind > 2) {
    fprintf(stderr, "tlssweep hello: expected VERSION [SNI]\n");
    return 1;
  }
  if (!tp_version_from_name(argv[optind], &opts.version)) {
    fprintf(stderr, "tlssweep hello: unknown version '%s' (ssl3, tls1.0, tls1.1, tls1.2, tls1.3)\n",
            argv[optind]);
    return 1;
  }
  if (argc - optind == 2) {
    opts.sni = argv[optind + 1];
  }
  /* Fixed values: this output is for comparing shapes, not for sending. */
  uint8_t random[32], session_id[32], share[32];
  memset(random, 0x11, sizeof(random));
  memset(session_id, 0x22, sizeof(session_id));
  memset(share, 0x33, sizeof(share));
  opts.random = random;
  opts.session_id = session_id;
  opts.x25519_share = share;
  uint8_t out[TP_CLIENT_HELLO_MAX];
  size_t len;
  if (!tp_build_client_hello(&opts, out, sizeof(out), &len, NULL)) {
    fprintf(stderr, "tlssweep hello: cannot build this hello\n");
    return 2;
  }
  for (size_t i = 0; i < len; i++) {
    printf("%02x%s", out[i], (i + 1) % 32 == 0 || i + 1 == len ? "\n" : "");
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
    print_version();
    return 0;
  }
  if (argc >= 2 && strcmp(argv[1], "hello") == 0) {
    return cmd_hello(argc - 1, argv + 1);
  }
  if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    fputs(kUsage, stdout);
    return 0;
  }
  fputs(kUsage, argc >= 2 ? stderr : stdout);
  return argc >= 2 ? 1 : 0;
}
