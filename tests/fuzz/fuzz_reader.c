/* tests/fuzz/fuzz_reader.c: libFuzzer target for the response reader.
 *
 * The reader meets every byte a hostile server can send, in any split. The
 * first input byte picks the pinned version and the size of the pieces the
 * rest is fed in; the rest is the server's stream. Invariants checked (a
 * violation aborts, which libFuzzer reports as a crash):
 * - feeding in pieces and feeding at once give the same result, the same
 *   reason and the same verdict (the reader is split-independent);
 * - a final result stays final and consumes nothing more;
 * - the reader never consumes more than it was given;
 * - names exist for whatever verdict, alert reason or version comes out of a
 *   complete ServerHello, so output never meets an unnamed enum. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "tlsparse/tlsparse.h"

static const uint16_t kPinned[] = {TP_SSL3, TP_TLS10, TP_TLS11, TP_TLS12, TP_TLS13};

/* Both readers live in static storage: they are 2 KB each and the fuzzer
 * calls us millions of times. */
static struct tp_reader whole, pieces;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) {
    return 0;
  }
  uint16_t pinned = kPinned[data[0] % 5];
  size_t piece = (size_t)(data[0] >> 3) + 1; /* 1..32 */
  /* The 1.3 probe offers supported_versions and key_share, as the builder does. */
  uint32_t offered = 1u << TP_EXT_BIT_RENEGOTIATION_INFO;
  if (pinned == TP_TLS13) {
    offered |= 1u << TP_EXT_BIT_SUPPORTED_VERSIONS | 1u << TP_EXT_BIT_KEY_SHARE;
  }
  data++;
  size--;

  tp_reader_init(&whole);
  enum tp_result a = tp_reader_feed(&whole, data, size);
  CHECK(whole.consumed <= size);

  tp_reader_init(&pieces);
  enum tp_result b = TP_NEED_MORE;
  for (size_t at = 0; at < size; at += piece) {
    size_t n = size - at < piece ? size - at : piece;
    uint64_t before = pieces.consumed;
    enum tp_result was = pieces.result;
    b = tp_reader_feed(&pieces, data + at, n);
    CHECK(pieces.consumed - before <= n);
    if (was != TP_NEED_MORE) {
      CHECK(b == was && pieces.consumed == before);
    }
  }
  CHECK(a == b);
  CHECK(whole.why == pieces.why);
  CHECK(whole.consumed == pieces.consumed);
  CHECK(whole.first_len == pieces.first_len &&
        memcmp(whole.first, pieces.first, whole.first_len) == 0);

  struct tp_probe_verdict va, vb;
  int fa = tp_probe_verdict_of(&whole, pinned, offered, &va);
  int fb = tp_probe_verdict_of(&pieces, pinned, offered, &vb);
  CHECK(fa == fb && va.verdict == vb.verdict && va.server_version == vb.server_version &&
        va.alert == vb.alert && va.cipher_suite == vb.cipher_suite &&
        va.downgrade == vb.downgrade && va.warnings == vb.warnings);
  CHECK(fa == (a != TP_NEED_MORE));
  CHECK(tp_verdict_name(va.verdict) != NULL);
  CHECK(tp_malformed_name(va.why) != NULL);
  if (va.verdict == TP_VERDICT_ACCEPTED) {
    CHECK(va.server_version == pinned);
  }
  if (a == TP_SERVER_HELLO || a == TP_HELLO_RETRY) {
    CHECK(whole.sh.random.len == 32 && whole.sh.session_id.len <= 32);
  }
  return 0;
}
