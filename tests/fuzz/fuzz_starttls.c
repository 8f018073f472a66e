/* tests/fuzz/fuzz_starttls.c: libFuzzer target for the STARTTLS dialogues.
 *
 * A dialogue meets every byte a hostile server can send, in any split. The
 * first input byte picks the protocol (byte % 8, among those with a
 * dialogue) and the size of the pieces the rest is fed in ((byte >> 3) + 1,
 * 1..32); the rest is the server's stream. When a step says SEND, the
 * driver "sends" and feeds the unconsumed rest of the piece again, as the
 * engine does. Invariants checked (a violation aborts, which libFuzzer
 * reports as a crash):
 * - a SEND step has output, 1 to STARTTLS_OUT_MAX bytes;
 * - a feed never consumes more than it was given, and a NEED_MORE feed
 *   consumes all of it;
 * - READY and FAILED are final: later feeds consume nothing and return the
 *   same step, and so does the close;
 * - feeding in pieces, one byte at a time and all at once give the same
 *   final step, failure, stage, bytes consumed, commands sent and reply
 *   (the dialogue is split-independent);
 * - bounds hold (line, reply) and every failure and stage has a name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "scanner/proto/starttls.h"

static const enum proto kProtos[8] = {
    PROTO_SMTP, PROTO_SUBMISSION, PROTO_IMAP, PROTO_POP3,
    PROTO_FTP,  PROTO_LDAP,       PROTO_XMPP, PROTO_POSTGRES,
};

/* What one run of a stream came to. */
struct outcome {
  enum starttls_step step;
  enum starttls_failure failure;
  size_t consumed;  /* bytes of the stream taken before the final step */
  size_t sends;
  uint64_t sent_hash; /* FNV-1a over every command sent, in order */
};

/* The dialogues live in static storage: 4.6 KB each, millions of calls. */
static struct starttls runs[3];

static void check_send(const struct starttls *st, struct outcome *o) {
  size_t len;
  const uint8_t *out = starttls_output(st, &len);
  CHECK(len > 0 && len <= STARTTLS_OUT_MAX);
  for (size_t i = 0; i < len; i++) {
    o->sent_hash = (o->sent_hash ^ out[i]) * 0x100000001b3ULL;
  }
  o->sends++;
}

static void check_bounds(const struct starttls *st) {
  CHECK(st->in.len <= STARTTLS_LINE_MAX);
  CHECK(st->reply_len <= STARTTLS_REPLY_MAX);
  CHECK(st->out_len <= STARTTLS_OUT_MAX);
  CHECK(starttls_failure_name(st) != NULL);
  CHECK(starttls_stage_name(st) != NULL);
}

/* run feeds |size| bytes in pieces of |piece|, then closes if not final. */
static void run(struct starttls *st, enum proto proto, const uint8_t *data, size_t size,
                size_t piece, struct outcome *o) {
  memset(o, 0, sizeof(*o));
  o->sent_hash = 0xcbf29ce484222325ULL;
  starttls_init(st, proto, "mail.example.com");
  enum starttls_step step = starttls_begin(st);
  CHECK(step == STARTTLS_SEND || step == STARTTLS_NEED_MORE);
  if (step == STARTTLS_SEND) {
    check_send(st, o);
  }
  step = STARTTLS_NEED_MORE;
  for (size_t at = 0; at < size && step != STARTTLS_READY && step != STARTTLS_FAILED;) {
    size_t n = size - at < piece ? size - at : piece;
    size_t consumed = (size_t)-1;
    step = starttls_feed(st, data + at, n, &consumed);
    CHECK(consumed <= n);
    check_bounds(st);
    at += consumed;
    o->consumed = at;
    switch (step) {
      case STARTTLS_NEED_MORE:
        CHECK(consumed == n);
        break;
      case STARTTLS_SEND:
        check_send(st, o);
        break;
      case STARTTLS_READY:
        CHECK(starttls_failure(st) == STARTTLS_OK);
        break;
      case STARTTLS_FAILED:
        CHECK(starttls_failure(st) != STARTTLS_OK);
        break;
    }
  }
  if (step != STARTTLS_READY && step != STARTTLS_FAILED) {
    step = starttls_eof(st);
    CHECK(step == STARTTLS_FAILED);
  }
  /* Final means final. */
  size_t consumed = 1;
  CHECK(starttls_feed(st, data, size, &consumed) == step && consumed == 0);
  CHECK(starttls_eof(st) == step);
  CHECK(starttls_begin(st) == step);
  check_bounds(st);
  o->step = step;
  o->failure = starttls_failure(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) {
    return 0;
  }
  enum proto proto = kProtos[data[0] % 8];
  size_t piece = (size_t)(data[0] >> 3) + 1; /* 1..32 */
  data++;
  size--;
  CHECK(starttls_needed(proto));

  struct outcome pieces, bytes, whole;
  run(&runs[0], proto, data, size, piece, &pieces);
  run(&runs[1], proto, data, size, 1, &bytes);
  run(&runs[2], proto, data, size, size > 0 ? size : 1, &whole);
  const struct outcome *o[2] = {&bytes, &whole};
  for (size_t i = 0; i < 2; i++) {
    CHECK(o[i]->step == pieces.step && o[i]->failure == pieces.failure);
    CHECK(o[i]->consumed == pieces.consumed && o[i]->sends == pieces.sends &&
          o[i]->sent_hash == pieces.sent_hash);
    CHECK(runs[i + 1].state == runs[0].state);
    CHECK(runs[i + 1].reply_len == runs[0].reply_len &&
          memcmp(runs[i + 1].reply, runs[0].reply, runs[0].reply_len) == 0);
  }
  return 0;
}
