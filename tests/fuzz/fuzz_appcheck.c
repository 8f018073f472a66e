/* tests/fuzz/fuzz_appcheck.c: libFuzzer target for the application check.
 *
 * The check meets every byte a hostile server can send once TLS is up, in
 * any split. The first input byte picks the protocol and whether a STARTTLS
 * dialogue came first (byte % 30, from kModes: every protocol both ways in)
 * and the size of the pieces the rest is fed in (byte / 30 + 1, 1..9); the
 * rest is the server's decrypted stream. When a step says SEND, the driver
 * "sends" and feeds the unconsumed rest of the piece again, as the engine
 * does. Invariants checked (a violation aborts, which libFuzzer reports as
 * a crash):
 * - a SEND step has output, 1 to APPCHECK_OUT_MAX bytes: for the line
 *   protocols printable bytes ending in CRLF, with no CR or LF but in CRLF
 *   pairs; for XMPP printable bytes without CR or LF; LDAP and PostgreSQL
 *   send binary messages;
 * - a feed never consumes more than it was given, and a NEED_MORE feed
 *   consumes all of it;
 * - the verdict is APP_PENDING exactly until a step is DONE; DONE is final:
 *   later feeds consume nothing, and the close and begin return DONE;
 * - feeding in pieces, one byte at a time and all at once give the same
 *   verdict, code, stage, bytes consumed, commands sent and reply (the check
 *   is split-independent);
 * - bounds hold (line, reply, output), the reply holds no LF, codes are
 *   three-digit or 0 (LDAP: a resultCode under 2^31; PostgreSQL: an
 *   authentication type, 10 at most), and every verdict and stage has a
 *   name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "scanner/proto/appcheck.h"

/* Every protocol both ways in (bare TLS has no check). */
#define MODES 30
static const struct {
  enum proto proto;
  int after_starttls;
} kModes[MODES] = {
    {PROTO_POP3S, 0},    {PROTO_IMAPS, 0},      {PROTO_SMTPS, 0},      {PROTO_FTPS, 0},
    {PROTO_HTTPS, 0},    {PROTO_SMTP, 1},       {PROTO_SUBMISSION, 1}, {PROTO_IMAP, 1},
    {PROTO_POP3, 1},     {PROTO_FTP, 1},        {PROTO_SMTP, 0},       {PROTO_IMAPS, 1},
    {PROTO_POP3S, 1},    {PROTO_FTPS, 1},       {PROTO_TLS, 0},        {PROTO_LDAPS, 0},
    {PROTO_LDAP, 1},     {PROTO_XMPP, 1},       {PROTO_POSTGRES, 1},   {PROTO_LDAP, 0},
    {PROTO_XMPP, 0},     {PROTO_POSTGRES, 0},   {PROTO_HTTPS, 1},      {PROTO_SMTPS, 1},
    {PROTO_SUBMISSION, 0}, {PROTO_IMAP, 0},     {PROTO_POP3, 0},       {PROTO_FTP, 0},
    {PROTO_LDAPS, 1},    {PROTO_TLS, 1},
};

static int binary_proto(enum proto p) {
  return p == PROTO_LDAPS || p == PROTO_LDAP || p == PROTO_POSTGRES;
}

/* What one run of a stream came to. */
struct outcome {
  enum appcheck_result result;
  unsigned code;
  size_t consumed; /* bytes of the stream taken before the verdict */
  size_t sends;
  uint64_t sent_hash; /* FNV-1a over every command sent, in order */
};

/* The checks live in static storage: 3 KB each, millions of calls. */
static struct appcheck runs[3];

static void check_send(const struct appcheck *a, struct outcome *o) {
  size_t len;
  const uint8_t *out = appcheck_output(a, &len);
  CHECK(len >= 2 && len <= APPCHECK_OUT_MAX);
  int binary = binary_proto(a->proto);
  int xml = a->proto == PROTO_XMPP;
  CHECK(binary || xml || (out[len - 2] == '\r' && out[len - 1] == '\n'));
  for (size_t i = 0; i < len; i++) {
    uint8_t c = out[i];
    if (!binary && c == '\r') {
      CHECK(!xml && i + 1 < len && out[i + 1] == '\n');
    } else if (!binary && c == '\n') {
      CHECK(!xml && i > 0 && out[i - 1] == '\r');
    } else if (!binary) {
      CHECK(c >= 0x20 && c < 0x7F);
    }
    o->sent_hash = (o->sent_hash ^ c) * 0x100000001b3ULL;
  }
  o->sends++;
}

static void check_bounds(const struct appcheck *a) {
  size_t len;
  const uint8_t *reply = appcheck_reply(a, &len);
  CHECK(a->in.len <= APPCHECK_LINE_MAX);
  CHECK(len <= APPCHECK_REPLY_MAX);
  CHECK(memchr(reply, '\n', len) == NULL);
  CHECK(a->out_len <= APPCHECK_OUT_MAX);
  unsigned code = appcheck_code(a);
  if (a->proto == PROTO_LDAPS || a->proto == PROTO_LDAP) {
    CHECK(code < 0x80000000u);
  } else if (a->proto == PROTO_POSTGRES) {
    CHECK(code <= 10);
  } else {
    CHECK(code == 0 || (code >= 100 && code <= 599));
  }
  CHECK(appcheck_result_name(a) != NULL);
  CHECK(appcheck_stage_name(a) != NULL);
}

/* run feeds |size| bytes in pieces of |piece|, then closes if not done. */
static void run(struct appcheck *a, enum proto proto, int after_starttls, const uint8_t *data,
                size_t size, size_t piece, struct outcome *o) {
  memset(o, 0, sizeof(*o));
  o->sent_hash = 0xcbf29ce484222325ULL;
  appcheck_init(a, proto, after_starttls, "mail.example.com");
  enum appcheck_step step = appcheck_begin(a);
  CHECK((step == APPCHECK_DONE) == (appcheck_result(a) == APP_UNCHECKED));
  if (step == APPCHECK_SEND) {
    check_send(a, o);
  }
  for (size_t at = 0; at < size && step != APPCHECK_DONE;) {
    size_t n = size - at < piece ? size - at : piece;
    size_t consumed = (size_t)-1;
    step = appcheck_feed(a, data + at, n, &consumed);
    CHECK(consumed <= n);
    check_bounds(a);
    at += consumed;
    o->consumed = at;
    switch (step) {
      case APPCHECK_NEED_MORE:
        CHECK(consumed == n);
        CHECK(appcheck_result(a) == APP_PENDING);
        break;
      case APPCHECK_SEND:
        CHECK(appcheck_result(a) == APP_PENDING);
        check_send(a, o);
        break;
      case APPCHECK_DONE:
        CHECK(appcheck_result(a) != APP_PENDING);
        break;
    }
  }
  if (step != APPCHECK_DONE) {
    CHECK(appcheck_eof(a) == APPCHECK_DONE);
    enum appcheck_result r = appcheck_result(a);
    CHECK(r == APP_CLOSED || r == APP_NOT_PROTO || (r == APP_REFUSED && a->proto == PROTO_XMPP));
  }
  /* Final means final. */
  enum appcheck_result result = appcheck_result(a);
  size_t consumed = 1;
  CHECK(appcheck_feed(a, data, size, &consumed) == APPCHECK_DONE && consumed == 0);
  CHECK(appcheck_eof(a) == APPCHECK_DONE);
  CHECK(appcheck_begin(a) == APPCHECK_DONE);
  CHECK(appcheck_result(a) == result);
  check_bounds(a);
  o->result = result;
  o->code = appcheck_code(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) {
    return 0;
  }
  enum proto proto = kModes[data[0] % MODES].proto;
  int after_starttls = kModes[data[0] % MODES].after_starttls;
  size_t piece = (size_t)(data[0] / MODES) + 1; /* 1..9 */
  data++;
  size--;

  struct outcome pieces, bytes, whole;
  run(&runs[0], proto, after_starttls, data, size, piece, &pieces);
  run(&runs[1], proto, after_starttls, data, size, 1, &bytes);
  run(&runs[2], proto, after_starttls, data, size, size > 0 ? size : 1, &whole);
  const struct outcome *o[2] = {&bytes, &whole};
  for (size_t i = 0; i < 2; i++) {
    CHECK(o[i]->result == pieces.result && o[i]->code == pieces.code);
    CHECK(o[i]->consumed == pieces.consumed && o[i]->sends == pieces.sends &&
          o[i]->sent_hash == pieces.sent_hash);
    CHECK(runs[i + 1].state == runs[0].state);
    CHECK(runs[i + 1].reply_len == runs[0].reply_len &&
          memcmp(runs[i + 1].reply, runs[0].reply, runs[0].reply_len) == 0);
  }
  return 0;
}
