/* bench/micro_bench.c: the cost of tlsparse's two hot operations.
 *
 *   micro_bench build|template|parse N
 *
 * build: tp_build_client_hello for a TLS 1.2 probe with SNI (the largest
 * common shape: broad cipher list, every extension, padding). template: the
 * same hello from a template built once (tp_hello_from_template with SNI,
 * random and session id), which is what the engine does per probe. parse: reader
 * init + feed of a TLS 1.3 ServerHello record (supported_versions, x25519
 * key share) + verdict, the work the engine does per answer. Each is run N
 * times and the ns per operation printed; bench/run.sh runs it under
 * callgrind at two values of N and divides the difference in instructions,
 * which is repeatable on a noisy machine where nanoseconds are not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scanner/base/clock.h"
#include "tlsparse/tlsparse.h"

/* sink keeps the compiler from deleting the loop bodies. */
static volatile size_t sink;

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: micro_bench build|template|parse N\n");
    return 1;
  }
  long n = atol(argv[2]);
  uint8_t random[32], session_id[32], share[32];
  memset(random, 0x5a, sizeof(random));
  memset(session_id, 0xa5, sizeof(session_id));
  memset(share, 0x42, sizeof(share));
  static uint8_t hello[TP_CLIENT_HELLO_MAX];
  size_t len;

  uint8_t answer[256];
  size_t answer_len;
  struct tp_server_hello_opts sh = {
      .legacy_version = TP_TLS12,
      .selected_version = TP_TLS13,
      .random = random,
      .session_id = session_id,
      .session_id_len = 32,
      .cipher_suite = 0x1301,
      .key_share_group = TP_GROUP_X25519,
      .key_share = share,
      .key_share_len = 32,
  };
  if (!tp_build_server_hello(&sh, answer, sizeof(answer), &answer_len)) {
    return 2;
  }
  uint32_t offered = 1u << TP_EXT_BIT_SUPPORTED_VERSIONS | 1u << TP_EXT_BIT_KEY_SHARE;
  static struct tp_reader reader;

  uint64_t start = now_ns();
  if (strcmp(argv[1], "build") == 0) {
    struct tp_client_hello_opts opts = {
        .version = TP_TLS12,
        .sni = "mail.example.com",
        .ciphers = TP_CIPHERS_BROAD,
        .random = random,
        .session_id = session_id,
        .x25519_share = share,
    };
    for (long i = 0; i < n; i++) {
      random[0] = (uint8_t)i;
      if (!tp_build_client_hello(&opts, hello, sizeof(hello), &len, NULL)) {
        return 2;
      }
      sink += len;
    }
  } else if (strcmp(argv[1], "template") == 0) {
    static struct tp_hello_template tpl;
    struct tp_client_hello_opts opts = {.version = TP_TLS12, .ciphers = TP_CIPHERS_BROAD,
                                        .session_id = session_id};
    if (!tp_hello_template_init(&tpl, &opts)) {
      return 2;
    }
    for (long i = 0; i < n; i++) {
      random[0] = (uint8_t)i;
      if (!tp_hello_from_template(&tpl, "mail.example.com", random, session_id, NULL, hello,
                                  sizeof(hello), &len, NULL)) {
        return 2;
      }
      sink += len;
    }
  } else if (strcmp(argv[1], "parse") == 0) {
    for (long i = 0; i < n; i++) {
      struct tp_probe_verdict v;
      tp_reader_init(&reader);
      tp_reader_feed(&reader, answer, answer_len);
      if (!tp_probe_verdict_of(&reader, TP_TLS13, offered, &v) ||
          v.verdict != TP_VERDICT_ACCEPTED) {
        return 2;
      }
      sink += v.cipher_suite;
    }
  } else {
    fprintf(stderr, "micro_bench: unknown operation '%s'\n", argv[1]);
    return 1;
  }
  uint64_t elapsed = now_ns() - start;
  printf("%s: %ld ops, %.1f ns/op\n", argv[1], n, n > 0 ? (double)elapsed / (double)n : 0.0);
  return 0;
}
