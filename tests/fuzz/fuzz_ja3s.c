/* tests/fuzz/fuzz_ja3s.c: libFuzzer target for the JA3S text.
 *
 * The input is a ServerHello body as a server sends it (after the 4-byte
 * handshake header); whatever tp_parse_server_hello accepts goes to
 * tp_ja3s_string, which walks the extension block again. Invariants (a
 * violation aborts):
 * - a ServerHello the parser accepted always has a JA3S text, and it fits
 *   TP_JA3S_MAX;
 * - the text is decimal numbers, two commas, and one dash-separated type per
 *   extension in the block;
 * - a buffer one byte short of the text fails whole, one that fits works. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "tlsparse/tlsparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct tp_server_hello sh;
  enum tp_malformed why;
  if (!tp_parse_server_hello(data, size, &sh, &why)) {
    return 0;
  }
  static char text[TP_JA3S_MAX];
  size_t len = 0;
  CHECK(tp_ja3s_string(&sh, text, sizeof(text), &len));
  CHECK(len < sizeof(text) && strlen(text) == len);
  size_t commas = 0, dashes = 0;
  for (size_t i = 0; i < len; i++) {
    char c = text[i];
    CHECK((c >= '0' && c <= '9') || c == ',' || c == '-');
    commas += c == ',';
    dashes += c == '-';
  }
  CHECK(commas == 2);
  /* One type per extension: count them in the block. */
  size_t exts = 0;
  tp_cbs block = sh.extensions;
  while (sh.has_extensions && block.len > 0) {
    uint16_t type;
    tp_cbs body;
    CHECK(tp_cbs_get_u16(&block, &type) && tp_cbs_get_u16_length_prefixed(&block, &body));
    exts++;
  }
  CHECK(exts == 0 ? text[len - 1] == ',' : dashes == exts - 1);
  static char small[TP_JA3S_MAX];
  size_t n;
  CHECK(!tp_ja3s_string(&sh, small, len, &n));
  CHECK(tp_ja3s_string(&sh, small, len + 1, &n) && n == len && memcmp(small, text, len) == 0);
  return 0;
}
