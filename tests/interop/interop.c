/* tests/interop/interop.c: every pinned ClientHello against every version
 * range of a real TLS server, checked two ways.
 *
 * For each hello shape, pinned version and server range [min,max], the hello
 * tlsparse builds (with fixed random, session id and key share, so a failure
 * replays exactly) goes to a fresh server connection, which takes one
 * handshake step; whatever it wrote is read back by tlsparse whole, one byte
 * at a time and seven bytes at a time, and the three verdicts must agree.
 *
 * The verdict is then held against two independent accounts. First, the
 * library's own: if it went on with the handshake, the version it negotiated
 * (SSL_version), the suite it picked and the downgrade sentinel in its random
 * must be what tlsparse read, and the verdict is accepted exactly when that
 * version is the pinned one; if it gave up, tlsparse must report the alert
 * its info callback saw it send. Second, the negotiation rules, so that a
 * server refusing our hello cannot pass as "consistent": a pinned version
 * inside [min,max] is accepted; above max the server answers with max, if the
 * hello allows a version that low; anything else is a protocol_version alert
 * (or handshake_failure, for SSLv3, which has no protocol_version). */
#include "tests/interop/interop.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tlsparse/tlsparse.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Most versions a server may offer (SSLv3 .. TLS 1.3), and so most ranges. */
#define MAX_VERSIONS 5
#define MAX_RANGES (MAX_VERSIONS * (MAX_VERSIONS + 1) / 2)

/* A server's first flight: ServerHello, a 2048-bit RSA certificate, key
 * exchange and, for TLS 1.3, the encrypted rest; a few KB at most. */
#define ANSWER_CAP 32768

static const uint16_t kPinned[INTEROP_PINNED_COUNT] = {
    TP_SSL3, TP_TLS10, TP_TLS11, TP_TLS12, TP_TLS13,
};

struct hello_shape {
  const char *name;
  enum tp_cipher_profile ciphers;
  const char *sni;
  int minimal;
};

/* The shapes the scanner sends: the default broad hello, with and without a
 * name; the minimal one for extension-intolerant servers; and the modern
 * cipher profile, which goes out with a name as a browser's would. */
static const struct hello_shape kShapes[INTEROP_SHAPE_COUNT] = {
    {.name = "broad", .ciphers = TP_CIPHERS_BROAD},
    {.name = "broad+sni", .ciphers = TP_CIPHERS_BROAD, .sni = "interop.example"},
    {.name = "minimal", .ciphers = TP_CIPHERS_BROAD, .minimal = 1},
    {.name = "modern+sni", .ciphers = TP_CIPHERS_MODERN, .sni = "interop.example"},
};

static const uint8_t kRandom[32] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
    0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
    0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

static const uint8_t kSessionId[32] = {
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a,
    0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35,
    0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
};

/* Alice's public key from RFC 7748, section 6.1. Not any 32 bytes will do
 * here: both libraries compute the shared secret and refuse a share that
 * makes it all zeros (a small-order point such as 0 or 1). */
static const uint8_t kX25519Share[32] = {
    0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d,
    0xdc, 0xb4, 0x3e, 0xf7, 0x5a, 0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38,
    0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a,
};

/* Feed sizes besides "everything at once": single bytes split every record
 * header and message header; seven bytes split them at odd places. */
static const size_t kChunks[] = {1, 7};

/* One (shape, pinned, range) combination being checked. */
struct combo {
  const struct interop_server *server;
  const struct hello_shape *shape;
  uint16_t pinned;
  uint16_t min;
  uint16_t max;
  int failures;
};

/* What the table shows for one combination. */
struct cell {
  struct tp_probe_verdict verdict;
  int failed;
};

/* The answer the negotiation rules call for. */
struct expectation {
  enum tp_verdict verdict;
  uint16_t version;            /* for accepted and version_mismatch */
  uint8_t alert;               /* for alert */
  int or_handshake_failure;    /* handshake_failure will do instead */
};

static const char *name_or(const char *name, const char *fallback) {
  return name != NULL ? name : fallback;
}

static const char *version_name(uint16_t v) {
  return name_or(tp_version_name(v), "unknown-version");
}

/* short_version is the table's spelling: "s3", "1.0" .. "1.3". */
static const char *short_version(uint16_t v) {
  switch (v) {
    case TP_SSL3: return "s3";
    case TP_TLS10: return "1.0";
    case TP_TLS11: return "1.1";
    case TP_TLS12: return "1.2";
    case TP_TLS13: return "1.3";
    default: return "?";
  }
}

static void fail(struct combo *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct combo *c, const char *fmt, ...) {
  printf("FAIL %s hello=%s pinned=%s range=[%s,%s]: ", c->server->name, c->shape->name,
         version_name(c->pinned), version_name(c->min), version_name(c->max));
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  c->failures++;
}

static void describe_view(const struct interop_server_view *view, char *buf, size_t n) {
  if (view->gave_up) {
    snprintf(buf, n, "gave up (%s), %d fatal alert(s) sent, last %u (%s)",
             view->reason, view->fatal_alerts, view->alert_desc,
             name_or(tp_alert_name(view->alert_desc), "unknown"));
  } else {
    snprintf(buf, n, "went on: %s, suite 0x%04x (%s)", version_name(view->version),
             view->cipher_suite, name_or(tp_cipher_name(view->cipher_suite), "unknown"));
  }
}

static void describe_verdict(const struct tp_probe_verdict *v, char *buf, size_t n) {
  const char *name = name_or(tp_verdict_name(v->verdict), "unknown-verdict");
  switch (v->verdict) {
    case TP_VERDICT_ACCEPTED:
    case TP_VERDICT_VERSION_MISMATCH:
      snprintf(buf, n, "%s %s%s, suite 0x%04x", name, version_name(v->server_version),
               v->hello_retry ? " (HelloRetryRequest)" : "", v->cipher_suite);
      return;
    case TP_VERDICT_ALERT:
      snprintf(buf, n, "alert level %u, %u (%s)", v->alert_level, v->alert,
               name_or(tp_alert_name(v->alert), "unknown"));
      return;
    case TP_VERDICT_MALFORMED:
      snprintf(buf, n, "malformed (%s)", name_or(tp_malformed_name(v->why), "unknown"));
      return;
    default:
      snprintf(buf, n, "%s", name);
      return;
  }
}

static void describe_expectation(const struct expectation *e, char *buf, size_t n) {
  if (e->verdict == TP_VERDICT_ALERT) {
    snprintf(buf, n, "alert %u (%s)%s", e->alert, name_or(tp_alert_name(e->alert), "unknown"),
             e->or_handshake_failure ? " or 40 (handshake_failure)" : "");
  } else {
    snprintf(buf, n, "%s %s", name_or(tp_verdict_name(e->verdict), "?"),
             version_name(e->version));
  }
}

/* lowest_allowed returns the lowest version a server may answer a hello
 * pinned to |pinned| with. Up to TLS 1.2 a server negotiates from
 * legacy_version alone and may choose anything up to it, and every shape
 * carries suites usable down to SSLv3 (RSA key exchange, CBC with SHA-1).
 * A TLS 1.3 hello lists only 0x0304 in supported_versions, and RFC 8446,
 * 4.2.1 makes any server that implements that extension negotiate from it
 * alone, ignoring legacy_version 0x0303; both libraries implement it even
 * when configured to stop at TLS 1.2. Only a server that predates TLS 1.3
 * (and so ignores the extension) answers such a hello with TLS 1.2. */
static uint16_t lowest_allowed(uint16_t pinned) {
  return pinned == TP_TLS13 ? TP_TLS13 : TP_SSL3;
}

static struct expectation expected_answer(uint16_t pinned, uint16_t min, uint16_t max) {
  /* SSL 3.0 has no protocol_version alert (RFC 6101, 5.4.2), so a server
   * refusing an SSLv3 hello may say handshake_failure instead, as OpenSSL
   * does: it answers in the client's version. */
  struct expectation e = {
      .verdict = TP_VERDICT_ALERT,
      .alert = TP_ALERT_PROTOCOL_VERSION,
      .or_handshake_failure = pinned == TP_SSL3,
  };
  if (pinned >= min && pinned <= max) {
    e.verdict = TP_VERDICT_ACCEPTED;
    e.version = pinned;
  } else if (pinned > max && max >= lowest_allowed(pinned)) {
    e.verdict = TP_VERDICT_VERSION_MISMATCH;
    e.version = max;
  }
  return e;
}

static int meets(const struct expectation *e, const struct tp_probe_verdict *v) {
  if (v->verdict != e->verdict) {
    return 0;
  }
  if (v->verdict == TP_VERDICT_ALERT) {
    int alert_ok = v->alert == e->alert ||
                   (e->or_handshake_failure && v->alert == TP_ALERT_HANDSHAKE_FAILURE);
    return alert_ok && v->alert_level == TP_ALERT_LEVEL_FATAL;
  }
  return v->server_version == e->version;
}

/* downgrade_in reads the RFC 8446, 4.1.3 sentinel from a server random. */
static enum tp_downgrade downgrade_in(const uint8_t random[32]) {
  static const uint8_t kPrefix[7] = {'D', 'O', 'W', 'N', 'G', 'R', 'D'};
  if (memcmp(random + 24, kPrefix, sizeof(kPrefix)) != 0) {
    return TP_DOWNGRADE_NONE;
  }
  switch (random[31]) {
    case 0x01: return TP_DOWNGRADE_TLS12;
    case 0x00: return TP_DOWNGRADE_TLS11;
    default: return TP_DOWNGRADE_NONE;
  }
}

static int same_verdict(const struct tp_probe_verdict *a, const struct tp_probe_verdict *b) {
  return a->verdict == b->verdict && a->server_version == b->server_version &&
         a->cipher_suite == b->cipher_suite && a->key_share_group == b->key_share_group &&
         a->alert_level == b->alert_level && a->alert == b->alert && a->why == b->why &&
         a->downgrade == b->downgrade && a->hello_retry == b->hello_retry &&
         a->unsolicited_exts == b->unsolicited_exts && a->warnings == b->warnings &&
         a->last_warning == b->last_warning;
}

/* read_answer feeds |len| bytes to a fresh reader |chunk| bytes at a time and
 * computes the verdict. Returns 1 when the verdict is final. */
static int read_answer(const uint8_t *data, size_t len, size_t chunk, uint16_t pinned,
                       uint32_t offered_exts, struct tp_probe_verdict *out,
                       uint64_t *out_consumed) {
  struct tp_reader r;
  tp_reader_init(&r);
  for (size_t at = 0; at < len; at += chunk) {
    size_t n = len - at < chunk ? len - at : chunk;
    tp_reader_feed(&r, data + at, n);
  }
  *out_consumed = r.consumed;
  return tp_probe_verdict_of(&r, pinned, offered_exts, out);
}

/* check_against_library holds tlsparse's verdict against the server
 * library's own account of what it did. */
static void check_against_library(struct combo *c, const struct interop_server_view *view,
                                  const struct tp_probe_verdict *v) {
  char said[256], parsed[160];
  describe_view(view, said, sizeof(said));
  describe_verdict(v, parsed, sizeof(parsed));
  if (v->warnings != view->warning_alerts) {
    fail(c, "server sent %d warning alert(s), tlsparse skipped %u", view->warning_alerts,
         v->warnings);
  }
  if (view->gave_up) {
    /* A failed handshake step must end in exactly one fatal alert, and that
     * alert is the whole answer. */
    if (view->fatal_alerts != 1) {
      fail(c, "server %s: expected exactly one fatal alert", said);
    }
    if (v->verdict != TP_VERDICT_ALERT || v->alert != view->alert_desc ||
        v->alert_level != view->alert_level) {
      fail(c, "server %s; tlsparse says %s", said, parsed);
    }
    return;
  }
  if (view->fatal_alerts != 0) {
    fail(c, "server %s, yet sent %d fatal alert(s)", said, view->fatal_alerts);
  }
  if (v->verdict != TP_VERDICT_ACCEPTED && v->verdict != TP_VERDICT_VERSION_MISMATCH) {
    fail(c, "server %s; tlsparse says %s", said, parsed);
    return;
  }
  if (v->server_version != view->version) {
    fail(c, "server %s; tlsparse says %s", said, parsed);
  }
  if ((v->verdict == TP_VERDICT_ACCEPTED) != (view->version == c->pinned)) {
    fail(c, "server %s for a %s probe; tlsparse says %s", said, version_name(c->pinned), parsed);
  }
  if (v->cipher_suite != view->cipher_suite) {
    fail(c, "server %s; tlsparse read suite 0x%04x", said, v->cipher_suite);
  }
  /* An HRR's random is the fixed RFC 8446 value; the library's
   * server_random is then not what went on the wire. */
  if (!v->hello_retry && v->downgrade != downgrade_in(view->server_random)) {
    fail(c, "server random ends in downgrade sentinel %d, tlsparse read %d",
         (int)downgrade_in(view->server_random), (int)v->downgrade);
  }
  if (v->unsolicited_exts != 0) {
    fail(c, "tlsparse found extensions we never offered in the ServerHello: mask 0x%x",
         (unsigned)v->unsolicited_exts);
  }
  /* x25519 is the only share offered, so a TLS 1.3 ServerHello must carry it
   * (an HRR names the group it wants instead). */
  if (view->version == TP_TLS13 && !v->hello_retry && v->key_share_group != TP_GROUP_X25519) {
    fail(c, "TLS 1.3 ServerHello with key share group %u, not x25519", v->key_share_group);
  }
}

static void check_combination(struct combo *c, void *ctx, struct cell *out) {
  memset(out, 0, sizeof(*out));
  const struct tp_client_hello_opts opts = {
      .version = c->pinned,
      .sni = c->shape->sni,
      .ciphers = c->shape->ciphers,
      .minimal = c->shape->minimal,
      .random = kRandom,
      .session_id = kSessionId,
      .x25519_share = kX25519Share,
  };
  uint8_t hello[TP_CLIENT_HELLO_MAX];
  size_t hello_len;
  struct tp_client_hello_layout layout;
  if (!tp_build_client_hello(&opts, hello, sizeof(hello), &hello_len, &layout)) {
    fail(c, "tp_build_client_hello failed");
    out->failed = 1;
    return;
  }

  uint8_t answer[ANSWER_CAP];
  size_t answer_len = 0;
  struct interop_server_view view;
  if (!c->server->answer(ctx, hello, hello_len, answer, sizeof(answer), &answer_len, &view)) {
    fail(c, "could not drive the server (test machinery, not the handshake)");
    out->failed = 1;
    return;
  }
  if (answer_len == 0) {
    fail(c, "server wrote nothing at all");
  }

  struct tp_probe_verdict v;
  uint64_t consumed;
  if (!read_answer(answer, answer_len, answer_len == 0 ? 1 : answer_len, c->pinned,
                   layout.offered_exts, &v, &consumed)) {
    fail(c, "tlsparse still wants more after all %zu bytes the server wrote", answer_len);
  }
  if (consumed > answer_len) {
    fail(c, "tlsparse consumed %llu of %zu bytes", (unsigned long long)consumed, answer_len);
  }
  for (size_t i = 0; i < COUNT(kChunks); i++) {
    struct tp_probe_verdict piecewise;
    uint64_t piecewise_consumed;
    read_answer(answer, answer_len, kChunks[i], c->pinned, layout.offered_exts, &piecewise,
                &piecewise_consumed);
    if (!same_verdict(&v, &piecewise) || piecewise_consumed != consumed) {
      char whole[160], split[160];
      describe_verdict(&v, whole, sizeof(whole));
      describe_verdict(&piecewise, split, sizeof(split));
      fail(c, "fed whole: %s after %llu bytes; fed %zu byte(s) at a time: %s after %llu bytes",
           whole, (unsigned long long)consumed, kChunks[i], split,
           (unsigned long long)piecewise_consumed);
    }
  }

  check_against_library(c, &view, &v);

  const struct expectation e = expected_answer(c->pinned, c->min, c->max);
  if (!meets(&e, &v)) {
    char want[96], said[256], parsed[160];
    describe_expectation(&e, want, sizeof(want));
    describe_view(&view, said, sizeof(said));
    describe_verdict(&v, parsed, sizeof(parsed));
    fail(c, "the rules call for %s; server %s; tlsparse says %s", want, said, parsed);
  }
  out->verdict = v;
  out->failed = c->failures > 0;
}

/* format_cell writes the table's short form of one verdict: "acc" accepted,
 * "hrr" accepted through a HelloRetryRequest, "v1.2" version_mismatch with
 * the server's version, "a70" an alert, with "*" when a check failed. */
static void format_cell(const struct cell *cell, char *buf, size_t n) {
  const struct tp_probe_verdict *v = &cell->verdict;
  const char *mark = cell->failed ? "*" : "";
  switch (v->verdict) {
    case TP_VERDICT_ACCEPTED:
      snprintf(buf, n, "%s%s", v->hello_retry ? "hrr" : "acc", mark);
      return;
    case TP_VERDICT_VERSION_MISMATCH:
      snprintf(buf, n, "v%s%s", short_version(v->server_version), mark);
      return;
    case TP_VERDICT_ALERT:
      snprintf(buf, n, "a%u%s", v->alert, mark);
      return;
    case TP_VERDICT_MALFORMED:
      snprintf(buf, n, "bad%s", mark);
      return;
    default:
      snprintf(buf, n, "?%s", mark);
      return;
  }
}

/* print_row prints one table row in columns of 8, without trailing blanks. */
static void print_row(const char *first, char cells[][16], size_t n) {
  printf("%-8s", first);
  for (size_t i = 0; i < n; i++) {
    printf(i + 1 < n ? " %-7s" : " %s", cells[i]);
  }
  printf("\n");
}

int interop_run(const struct interop_server *server, size_t *out_combinations) {
  *out_combinations = 0;
  if (server->version_count == 0 || server->version_count > MAX_VERSIONS) {
    printf("FAIL %s: %zu server versions, expected 1 to %d\n", server->name,
           server->version_count, MAX_VERSIONS);
    return 1;
  }
  uint16_t range_min[MAX_RANGES], range_max[MAX_RANGES];
  void *ctxs[MAX_RANGES] = {0};
  size_t ranges = 0;
  int failures = 0;
  int setup_failed = 0;
  for (size_t lo = 0; lo < server->version_count; lo++) {
    for (size_t hi = lo; hi < server->version_count; hi++) {
      range_min[ranges] = server->versions[lo];
      range_max[ranges] = server->versions[hi];
      ctxs[ranges] = server->new_ctx(server->arg, range_min[ranges], range_max[ranges]);
      if (ctxs[ranges] == NULL) {
        printf("FAIL %s: no server context for [%s,%s]\n", server->name,
               version_name(range_min[ranges]), version_name(range_max[ranges]));
        setup_failed = 1;
        failures++;
      }
      ranges++;
    }
  }

  size_t by_verdict[TP_VERDICT_MALFORMED + 1] = {0};
  size_t downgrades = 0; /* shows the sentinel check was not vacuous */
  for (size_t s = 0; s < COUNT(kShapes) && !setup_failed; s++) {
    printf("\n%s, hello \"%s\": rows pinned version, columns server [min-max]\n", server->name,
           kShapes[s].name);
    char row[MAX_RANGES][16];
    for (size_t r = 0; r < ranges; r++) {
      snprintf(row[r], sizeof(row[r]), "%s-%s", short_version(range_min[r]),
               short_version(range_max[r]));
    }
    print_row("pinned", row, ranges);
    for (size_t p = 0; p < COUNT(kPinned); p++) {
      for (size_t r = 0; r < ranges; r++) {
        struct combo c = {
            .server = server,
            .shape = &kShapes[s],
            .pinned = kPinned[p],
            .min = range_min[r],
            .max = range_max[r],
        };
        struct cell cell;
        check_combination(&c, ctxs[r], &cell);
        failures += c.failures;
        by_verdict[cell.verdict.verdict]++;
        downgrades += cell.verdict.downgrade != TP_DOWNGRADE_NONE;
        (*out_combinations)++;
        format_cell(&cell, row[r], sizeof(row[r]));
      }
      print_row(version_name(kPinned[p]), row, ranges);
    }
  }
  printf("\n%s: acc = accepted, hrr = accepted via HelloRetryRequest, vX = version_mismatch "
         "(server chose X), aN = alert N, * = a check failed\n",
         server->name);
  printf("%s: %zu combinations, each read whole, 1 and 7 bytes at a time: %zu accepted, "
         "%zu version_mismatch, %zu alert, %zu other; %zu ServerHellos with a downgrade "
         "sentinel; %d failed check(s)\n",
         server->name, *out_combinations, by_verdict[TP_VERDICT_ACCEPTED],
         by_verdict[TP_VERDICT_VERSION_MISMATCH], by_verdict[TP_VERDICT_ALERT],
         *out_combinations - by_verdict[TP_VERDICT_ACCEPTED] -
             by_verdict[TP_VERDICT_VERSION_MISMATCH] - by_verdict[TP_VERDICT_ALERT],
         downgrades, failures);

  for (size_t r = 0; r < ranges; r++) {
    if (ctxs[r] != NULL) {
      server->free_ctx(ctxs[r]);
    }
  }
  return failures;
}
