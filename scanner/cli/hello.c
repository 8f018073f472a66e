/* scanner/cli/hello.c: `tlssweep hello VERSION [SNI]`, the exact ClientHello
 * a probe of VERSION sends, as hex, 32 bytes a line.
 *
 * By default it is a scan's first hello: the cheap suite order, and for
 * TLS 1.3 an empty key share list. The random, the session id and the key
 * share (--key-share) are fixed bytes, so that two shapes (--minimal,
 * --modern, --fallback-scsv, --era-order, with and without SNI) can be
 * compared byte for byte; the output is for reading, not for sending. */
#include <stdio.h>
#include <string.h>

#include "scanner/cli/commands.h"
#include "scanner/cli/options.h"
#include "tlsparse/tlsparse.h"

static const struct opt_command kHello = {
    .bit = CMD_HELLO,
    .synopsis = "[options] VERSION [SNI]",
    .about = "Prints the ClientHello tlssweep sends to probe VERSION (ssl3, tls1.0, tls1.1,\n"
             "tls1.2, tls1.3), as hex, with SNI when one is given. The random, the session id\n"
             "and the key share are fixed bytes, for comparing shapes.",
};

int cmd_hello(int argc, char **argv) {
  struct hello_options ho = {0};
  options_defaults(&kHello, &ho);
  int first, rc;
  if (!options_parse(&kHello, argc, argv, &ho, &first, &rc)) {
    return rc;
  }
  if (first >= argc || argc - first > 2) {
    return usage_error(argv[0], "hello: expected VERSION [SNI]");
  }
  struct tp_client_hello_opts opts = {
      .ciphers = ho.modern      ? TP_CIPHERS_MODERN
                 : ho.era_order ? TP_CIPHERS_BROAD
                                : TP_CIPHERS_CHEAP,
      .minimal = ho.minimal,
      .fallback_scsv = ho.fallback_scsv,
  };
  if (!tp_version_from_name(argv[first], &opts.version) || opts.version < TP_SSL3) {
    return usage_error(argv[0],
                       "hello: unknown version '%s' (ssl3, tls1.0, tls1.1, tls1.2, tls1.3)",
                       argv[first]);
  }
  if (argc - first == 2) {
    opts.sni = argv[first + 1];
  }
  opts.key_share_empty = opts.version == TP_TLS13 && !ho.key_share;
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
