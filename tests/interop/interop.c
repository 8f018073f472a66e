/* tests/interop/interop.c: every pinned ClientHello against every version
 * configuration of a real TLS server, many times over, checked three ways.
 *
 * For each hello shape and pinned version the hello is built once as a
 * template, the way the engine builds it; each probe then patches in fresh
 * material as the engine does: a 32-byte random, a 32-byte session id and,
 * for TLS 1.3, the X25519 public key of a fresh private key, computed by the
 * library under test (the test binary cannot link BoringSSL beside it). All
 * of it comes from one splitmix64 stream whose seed is printed, so a failure
 * replays with INTEROP_SEED. Each probe's hello goes to a fresh server
 * connection, which takes one handshake step; whatever it wrote is read back
 * by tlsparse whole, one byte at a time and seven bytes at a time, and the
 * three verdicts must agree.
 *
 * The verdict is then held against three accounts. First, the library's own:
 * if it went on with the handshake, the version it negotiated, the suite it
 * picked and the downgrade sentinel in its random must be what tlsparse
 * read, and the verdict is accepted exactly when that version is the pinned
 * one; if it gave up, tlsparse must report the alert it says it sent.
 * Second, the negotiation rules, so that a server refusing our hello cannot
 * pass as "consistent" (expected_answer). Third, every probe of a
 * combination must get the same verdict as its first: the configuration
 * decides the answer, never the random bytes. */
#include "tests/interop/interop.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "tlsparse/tlsparse.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Most versions a server may offer (SSLv3 .. TLS 1.3), and so most
 * configurations: every non-empty set of them. */
#define MAX_VERSIONS 5
#define MAX_CONFIGS ((1u << MAX_VERSIONS) - 1)

/* A server's first flight: ServerHello, a 2048-bit RSA certificate, key
 * exchange and, for TLS 1.3, the encrypted rest; a few KB at most. */
#define ANSWER_CAP 32768

/* Failed checks printed per combination; the rest are counted. */
#define PRINTED_PER_COMBINATION 3

static const uint16_t kPinned[INTEROP_PINNED_COUNT] = {
    TP_SSL3, TP_TLS10, TP_TLS11, TP_TLS12, TP_TLS13,
};

struct hello_shape {
  const char *name;
  /* The shape's options; version, random, session id and key share are
   * filled per probe. */
  struct tp_client_hello_opts opts;
};

/* The shapes the scanner sends: its default, the cheap order with an empty
 * TLS 1.3 key share (an HRR is the answer), and its minimal shape; the broad
 * era order of --era-order (and the key share a TLS 1.3 probe retries with),
 * with and without a name; the minimal one for extension-intolerant
 * servers; and the modern cipher profile, which goes out with a name as a
 * browser's would. A new
 * shape is one more line here: its options, as tlsparse takes them. Every
 * shape goes to every configuration at every pinned version, and the rules
 * of expected_answer apply to all (an HRR counts as TLS 1.3 accepted). */
static const struct hello_shape kShapes[] = {
    {.name = "cheap+sni",
     .opts = {.ciphers = TP_CIPHERS_CHEAP, .sni = "interop.example", .key_share_empty = 1}},
    {.name = "cheap-minimal", .opts = {.ciphers = TP_CIPHERS_CHEAP, .minimal = 1, .key_share_empty = 1}},
    {.name = "broad", .opts = {.ciphers = TP_CIPHERS_BROAD}},
    {.name = "broad+sni", .opts = {.ciphers = TP_CIPHERS_BROAD, .sni = "interop.example"}},
    {.name = "minimal", .opts = {.ciphers = TP_CIPHERS_BROAD, .minimal = 1}},
    {.name = "modern+sni", .opts = {.ciphers = TP_CIPHERS_MODERN, .sni = "interop.example"}},
};

/* The template's session id: the engine's too, a 32-byte place that each
 * probe fills (a NULL one would make the hello's session id empty). */
static const uint8_t kZeros[32];

/* Feed sizes besides "everything at once": single bytes split every record
 * header and message header; seven bytes split them at odd places. */
static const size_t kChunks[] = {1, 7};

/* One probe's material, fresh from the stream. */
struct material {
  uint8_t random[32];
  uint8_t session_id[32];
  uint8_t share[32]; /* the x25519 key share */
};

/* One (shape, configuration, pinned) combination being checked. */
struct combo {
  const struct interop_server *server;
  const struct interop_opts *opts;
  const struct hello_shape *shape;
  const struct interop_config *config;
  uint16_t pinned;
  unsigned probe;  /* the probe being checked, from 0 */
  int failures;    /* failed checks, all probes */
};

/* The answer the negotiation rules call for: |verdict| and |version|, or
 * one of the fatal alerts the flags allow instead. */
struct expectation {
  enum tp_verdict verdict;      /* accepted, version_mismatch, or alert */
  uint16_t version;             /* for accepted and version_mismatch */
  int refusal_ok;               /* refusing the version will do instead */
  int refuse_with_handshake_failure; /* a refusal may say handshake_failure */
  int no_suite_ok;              /* handshake_failure (no suite in common) will do */
};

static const char *name_or(const char *name, const char *fallback) {
  return name != NULL ? name : fallback;
}

static const char *version_name(uint16_t v) {
  return name_or(tp_version_name(v), "unknown-version");
}

/* short_version is the tables' spelling: "s3", "1.0" .. "1.3". */
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

static int config_has(const struct interop_config *config, uint16_t v) {
  return (config->versions & INTEROP_VERSION_BIT(v)) != 0;
}

/* is_range returns 1 when |config| has no gap between its ends. */
static int is_range(const struct interop_config *config) {
  for (uint16_t v = config->min; v <= config->max; v++) {
    if (!config_has(config, v)) {
      return 0;
    }
  }
  return 1;
}

/* format_config spells a configuration: "1.2" for one version, "1.0-1.2"
 * for a range, "1.0+1.2" for a set with a gap. */
static void format_config(const struct interop_config *config, char *buf, size_t n) {
  if (config->min == config->max) {
    snprintf(buf, n, "%s", short_version(config->min));
    return;
  }
  if (is_range(config)) {
    snprintf(buf, n, "%s-%s", short_version(config->min), short_version(config->max));
    return;
  }
  size_t used = 0;
  buf[0] = '\0';
  for (uint16_t v = config->min; v <= config->max && used < n; v++) {
    if (config_has(config, v)) {
      used += (size_t)snprintf(buf + used, n - used, "%s%s", used > 0 ? "+" : "",
                               short_version(v));
    }
  }
}

static void fail(struct combo *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct combo *c, const char *fmt, ...) {
  if (++c->failures > PRINTED_PER_COMBINATION) {
    return;
  }
  char config[32];
  format_config(c->config, config, sizeof(config));
  printf("%s %s hello=%s pinned=%s config=%s probe=%u: ",
         c->opts->expect_failures ? "EXPECTED" : "FAIL", c->server->name, c->shape->name,
         version_name(c->pinned), config, c->probe);
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}

static void describe_view(const struct interop_server_view *view, char *buf, size_t n) {
  if (view->gave_up && view->fatal_alerts == 0 && view->warning_alerts == 0) {
    snprintf(buf, n, "gave up (%s), sending no alert", view->reason);
  } else if (view->gave_up) {
    snprintf(buf, n, "gave up (%s), %d fatal alert(s) sent, last %u (%s)", view->reason,
             view->fatal_alerts, view->alert_desc,
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
  const char *refusal = e->refuse_with_handshake_failure
                            ? "alert 70 (protocol_version) or 40 (handshake_failure)"
                            : "alert 70 (protocol_version)";
  if (e->verdict == TP_VERDICT_ALERT) {
    snprintf(buf, n, "%s", refusal);
    return;
  }
  snprintf(buf, n, "%s %s%s%s%s", name_or(tp_verdict_name(e->verdict), "?"),
           version_name(e->version), e->refusal_ok ? " or " : "", e->refusal_ok ? refusal : "",
           e->no_suite_ok ? " or alert 40 (handshake_failure: no suite in common)" : "");
}

/* expected_answer is what the negotiation rules call for when a server
 * configured with |config| gets a hello pinned to |pinned|.
 *
 * A TLS 1.3 hello lists only 0x0304 in supported_versions, and RFC 8446,
 * 4.2.1 makes a server that implements that extension negotiate from it
 * alone: TLS 1.3 or protocol_version, even when it is configured to stop at
 * TLS 1.2. Every other hello, and a TLS 1.3 one to a server that reads it by
 * legacy_version (0x0303), is negotiated from legacy_version: RFC 5246, E.1
 * has the server answer with the highest version it speaks when that is
 * below the client's, and refuse with protocol_version when it speaks only
 * higher ones. Hellos up to TLS 1.2 carry suites usable down to SSLv3 (RSA
 * key exchange, CBC with SHA-1), so the version decides; a TLS 1.3 hello
 * carries only a few TLS 1.2 suites (the modern one none), so a server that
 * reads it as TLS 1.2 may find none it can use. A server with a gap below the
 * client's version and something above it (TLS 1.0 and 1.2, asked for 1.1)
 * is in neither case of E.1: it may answer with its highest version below
 * the client's, as "the highest both speak", or refuse. SSL 3.0 has no
 * protocol_version alert (RFC 6101, 5.4.2), so a server refusing an SSLv3
 * hello may say handshake_failure instead, as OpenSSL does. */
static struct expectation expected_answer(const struct interop_server *server, uint16_t pinned,
                                          const struct interop_config *config) {
  struct expectation e = {
      .verdict = TP_VERDICT_ALERT,
      .refuse_with_handshake_failure =
          pinned == TP_SSL3 || server->refuses_with_handshake_failure,
  };
  const int by_legacy_version = pinned != TP_TLS13 || (server->legacy_hello_without_tls13 &&
                                                       !config_has(config, TP_TLS13));
  if (!by_legacy_version) {
    if (config_has(config, TP_TLS13)) {
      e.verdict = TP_VERDICT_ACCEPTED;
      e.version = TP_TLS13;
    }
    return e;
  }
  const uint16_t legacy_version = pinned == TP_TLS13 ? TP_TLS12 : pinned;
  uint16_t best = 0; /* the highest configured version up to legacy_version */
  for (uint16_t v = TP_SSL3; v <= legacy_version; v++) {
    best = config_has(config, v) ? v : best;
  }
  if (best == 0) {
    return e;
  }
  e.verdict = best == pinned ? TP_VERDICT_ACCEPTED : TP_VERDICT_VERSION_MISMATCH;
  e.version = best;
  e.refusal_ok = best != legacy_version && config->max > legacy_version;
  e.no_suite_ok = pinned == TP_TLS13;
  return e;
}

static int meets(const struct expectation *e, const struct tp_probe_verdict *v) {
  if (v->verdict == TP_VERDICT_ALERT) {
    const int refusal = v->alert == TP_ALERT_PROTOCOL_VERSION ||
                        (e->refuse_with_handshake_failure &&
                         v->alert == TP_ALERT_HANDSHAKE_FAILURE);
    const int fits = ((e->verdict == TP_VERDICT_ALERT || e->refusal_ok) && refusal) ||
                     (e->no_suite_ok && v->alert == TP_ALERT_HANDSHAKE_FAILURE);
    return fits && v->alert_level == TP_ALERT_LEVEL_FATAL;
  }
  return v->verdict == e->verdict && v->server_version == e->version;
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

/* ---- Random material ------------------------------------------------------ */

uint64_t interop_seed(void) {
  static uint64_t seed;
  static int chosen;
  if (chosen) {
    return seed;
  }
  const char *given = getenv("INTEROP_SEED");
  if (given != NULL && given[0] != '\0') {
    seed = strtoull(given, NULL, 16);
    printf("interop: seed %016" PRIx64 " (from INTEROP_SEED)\n", seed);
  } else {
    if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed)) {
      seed = (uint64_t)(uintptr_t)&seed;
    }
    printf("interop: seed %016" PRIx64 " (INTEROP_SEED=%016" PRIx64 " replays this run)\n",
           seed, seed);
  }
  chosen = 1;
  return seed;
}

/* fill_random is the engine's splitmix64: the material must differ between
 * probes, not be secret. */
static void fill_random(uint8_t *p, size_t n, uint64_t *state) {
  for (size_t i = 0; i < n; i += 8) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    z ^= z >> 31;
    size_t k = n - i < 8 ? n - i : 8;
    memcpy(p + i, &z, k);
  }
}

/* clamp turns 32 random bytes into an X25519 private key (RFC 7748, 5);
 * some libraries take only clamped ones. */
static void clamp(uint8_t priv[32]) {
  priv[0] &= 248;
  priv[31] &= 127;
  priv[31] |= 64;
}

/* next_material draws one probe's material; the key share only for a TLS
 * 1.3 hello, the only one that carries it (some libraries take milliseconds
 * to make one). Returns 0 when the library could not make a public key. */
static int next_material(const struct interop_server *server, enum interop_shares shares,
                         uint16_t pinned, uint64_t *stream, struct material *out) {
  fill_random(out->random, sizeof(out->random), stream);
  fill_random(out->session_id, sizeof(out->session_id), stream);
  uint8_t priv[32];
  fill_random(priv, sizeof(priv), stream);
  if (pinned != TP_TLS13) {
    memset(out->share, 0, sizeof(out->share));
    return 1;
  }
  if (shares == INTEROP_SHARES_RAW_RANDOM) {
    memcpy(out->share, priv, sizeof(out->share));
    return 1;
  }
  clamp(priv);
  return server->x25519_public(priv, out->share);
}

/* x25519_works checks the library's X25519 against RFC 7748, 6.1: Alice's
 * and Bob's private keys and the public keys they must give. */
static int x25519_works(const struct interop_server *server) {
  static const uint8_t kPriv[2][32] = {
      {0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1,
       0x72, 0x51, 0xb2, 0x66, 0x45, 0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0,
       0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a},
      {0x5d, 0xab, 0x08, 0x7e, 0x62, 0x4a, 0x8a, 0x4b, 0x79, 0xe1, 0x7f,
       0x8b, 0x83, 0x80, 0x0e, 0xe6, 0x6f, 0x3b, 0xb1, 0x29, 0x26, 0x18,
       0xb6, 0xfd, 0x1c, 0x2f, 0x8b, 0x27, 0xff, 0x88, 0xe0, 0xeb},
  };
  static const uint8_t kPub[2][32] = {
      {0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d,
       0xdc, 0xb4, 0x3e, 0xf7, 0x5a, 0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38,
       0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a},
      {0xde, 0x9e, 0xdb, 0x7d, 0x7b, 0x7d, 0xc1, 0xb4, 0xd3, 0x5b, 0x61,
       0xc2, 0xec, 0xe4, 0x35, 0x37, 0x3f, 0x83, 0x43, 0xc8, 0x5b, 0x78,
       0x67, 0x4d, 0xad, 0xfc, 0x7e, 0x14, 0x6f, 0x88, 0x2b, 0x4f},
  };
  for (size_t i = 0; i < COUNT(kPriv); i++) {
    uint8_t priv[32], pub[32];
    memcpy(priv, kPriv[i], sizeof(priv));
    clamp(priv);
    if (!server->x25519_public(priv, pub) || memcmp(pub, kPub[i], sizeof(pub)) != 0) {
      return 0;
    }
  }
  return 1;
}

/* ---- One probe ------------------------------------------------------------ */

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

/* check_probe sends one hello, built from |tpl| and |m|, to a fresh
 * connection from |ctx| and checks the answer. |*out| is the verdict (left
 * pending when the server wrote nothing). */
static void check_probe(struct combo *c, void *ctx, const struct tp_hello_template *tpl,
                        const struct material *m, struct tp_probe_verdict *out) {
  memset(out, 0, sizeof(*out));
  uint8_t hello[TP_CLIENT_HELLO_MAX];
  size_t hello_len;
  struct tp_client_hello_layout layout;
  if (!tp_hello_from_template(tpl, c->shape->opts.sni, m->random, m->session_id, m->share, hello,
                              sizeof(hello), &hello_len, &layout)) {
    fail(c, "tp_hello_from_template failed");
    return;
  }
  /* The material must really be in the hello, or every probe is the same:
   * the share too, wherever the shape has one (a shape with an empty
   * key_share list has none, and gets a HelloRetryRequest). */
  if (memcmp(hello + layout.random_at, m->random, sizeof(m->random)) != 0 ||
      layout.session_id_at == 0 ||
      memcmp(hello + layout.session_id_at, m->session_id, sizeof(m->session_id)) != 0 ||
      (layout.key_share_at != 0 &&
       memcmp(hello + layout.key_share_at, m->share, sizeof(m->share)) != 0)) {
    fail(c, "the hello does not carry this probe's random, session id and key share");
  }

  uint8_t answer[ANSWER_CAP];
  size_t answer_len = 0;
  struct interop_server_view view;
  if (!c->server->answer(ctx, hello, hello_len, answer, sizeof(answer), &answer_len, &view)) {
    fail(c, "could not drive the server (test machinery, not the handshake)");
    return;
  }
  if (answer_len == 0) {
    char said[256];
    describe_view(&view, said, sizeof(said));
    fail(c, "server wrote nothing at all: it closed without an alert; server %s", said);
    return;
  }

  struct tp_probe_verdict v;
  uint64_t consumed;
  if (!read_answer(answer, answer_len, answer_len, c->pinned, layout.offered_exts, &v,
                   &consumed)) {
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

  const struct expectation e = expected_answer(c->server, c->pinned, c->config);
  if (!meets(&e, &v)) {
    char want[128], said[256], parsed[160];
    describe_expectation(&e, want, sizeof(want));
    describe_view(&view, said, sizeof(said));
    describe_verdict(&v, parsed, sizeof(parsed));
    fail(c, "the rules call for %s; server %s; tlsparse says %s", want, said, parsed);
  }
  *out = v;
}

/* ---- Tables --------------------------------------------------------------- */

/* What the table shows for one combination. */
struct cell {
  struct tp_probe_verdict verdict; /* the first probe's */
  int varied;                      /* a later probe got another verdict */
  int failed;                      /* some check failed */
};

/* format_cell writes the table's short form of a combination's verdict:
 * "acc" accepted, "hrr" accepted through a HelloRetryRequest, "v1.2"
 * version_mismatch with the server's version, "a70" an alert, "none" for no
 * answer, "mix" when the probes disagreed; "*" marks a failed check. */
static void format_cell(const struct cell *cell, char *buf, size_t n) {
  const struct tp_probe_verdict *v = &cell->verdict;
  const char *mark = cell->failed ? "*" : "";
  if (cell->varied) {
    snprintf(buf, n, "mix%s", mark);
    return;
  }
  switch (v->verdict) {
    case TP_VERDICT_PENDING:
      snprintf(buf, n, "none%s", mark);
      return;
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
  printf("%-12s", first);
  for (size_t i = 0; i < n; i++) {
    printf(i + 1 < n ? " %-7s" : " %s", cells[i]);
  }
  printf("\n");
}

/* ---- Runs ----------------------------------------------------------------- */

size_t interop_shape_count(void) {
  return COUNT(kShapes);
}

/* make_configs fills |out| with every range over |server|'s versions, then,
 * for a server with holes, every other set of two or more. Returns the
 * count. */
static size_t make_configs(const struct interop_server *server,
                           struct interop_config out[MAX_CONFIGS]) {
  const size_t n = server->version_count;
  size_t count = 0;
  for (size_t lo = 0; lo < n; lo++) {
    for (size_t hi = lo; hi < n; hi++) {
      struct interop_config *c = &out[count++];
      c->versions = 0;
      for (size_t i = lo; i <= hi; i++) {
        c->versions |= INTEROP_VERSION_BIT(server->versions[i]);
      }
      c->min = server->versions[lo];
      c->max = server->versions[hi];
    }
  }
  if (!server->holes) {
    return count;
  }
  for (uint32_t pick = 1; pick < (1u << n); pick++) {
    /* A set is a range when its picks are one run of ones. */
    uint32_t low = pick & -pick;
    if (((pick + low) & pick) == 0) {
      continue;
    }
    struct interop_config *c = &out[count++];
    c->versions = 0;
    c->min = 0;
    for (size_t i = 0; i < n; i++) {
      if (pick & (1u << i)) {
        c->versions |= INTEROP_VERSION_BIT(server->versions[i]);
        c->min = c->min == 0 ? server->versions[i] : c->min;
        c->max = server->versions[i];
      }
    }
  }
  return count;
}

/* run_combination sends |opts->repeats| probes of one combination and
 * fills |cell|. */
static void run_combination(struct combo *c, void *ctx, const struct tp_hello_template *tpl,
                            uint64_t *stream, struct interop_results *res, struct cell *cell) {
  memset(cell, 0, sizeof(*cell));
  for (c->probe = 0; c->probe < c->opts->repeats; c->probe++) {
    const int before = c->failures;
    struct material m = {0};
    struct tp_probe_verdict v;
    if (!next_material(c->server, c->opts->shares, c->pinned, stream, &m)) {
      fail(c, "the library made no X25519 public key");
      memset(&v, 0, sizeof(v));
    } else {
      check_probe(c, ctx, tpl, &m, &v);
    }
    /* Failed its own checks; a probe that only disagrees with probe 0 is
     * counted below, as a failed check, not here. */
    const int failed = c->failures > before;
    if (c->probe == 0) {
      cell->verdict = v;
    } else if (!same_verdict(&cell->verdict, &v)) {
      char first[160], now[160];
      describe_verdict(&cell->verdict, first, sizeof(first));
      describe_verdict(&v, now, sizeof(now));
      fail(c, "the verdict hangs on the random material: probe 0 got %s, this one %s", first,
           now);
      cell->varied = 1;
    }
    res->probes++;
    res->failed_probes += failed;
    if (tpl->layout.key_share_at != 0) {
      const int high = (m.share[31] & 0x80) != 0;
      res->high_bit_shares += high;
      res->failed_high_bit += high && failed;
    }
  }
  if (c->failures > PRINTED_PER_COMBINATION) {
    char config[32];
    format_config(c->config, config, sizeof(config));
    printf("%s %s hello=%s pinned=%s config=%s: %d more failed check(s) not shown\n",
           c->opts->expect_failures ? "EXPECTED" : "FAIL", c->server->name, c->shape->name,
           version_name(c->pinned), config, c->failures - PRINTED_PER_COMBINATION);
  }
  cell->failed = c->failures > 0;
}

int interop_run(const struct interop_server *server, const struct interop_opts *opts,
                struct interop_results *out) {
  memset(out, 0, sizeof(*out));
  if (server->version_count == 0 || server->version_count > MAX_VERSIONS) {
    printf("FAIL %s: %zu server versions, expected 1 to %d\n", server->name,
           server->version_count, MAX_VERSIONS);
    out->failures++;
    return 0;
  }
  if (!x25519_works(server)) {
    printf("FAIL %s: the library's X25519 does not give RFC 7748's public keys\n",
           server->name);
    out->failures++;
    return 0;
  }
  /* A range must be configurable; a set with a gap the library cannot
   * leave is declined, counted and skipped. */
  struct interop_config wanted[MAX_CONFIGS], configs[MAX_CONFIGS];
  void *ctxs[MAX_CONFIGS] = {0};
  const size_t count = make_configs(server, wanted);
  for (size_t r = 0; r < count; r++) {
    char config[32];
    format_config(&wanted[r], config, sizeof(config));
    void *ctx = server->new_ctx(server->arg, &wanted[r]);
    if (ctx != NULL) {
      configs[out->configs] = wanted[r];
      ctxs[out->configs++] = ctx;
    } else if (is_range(&wanted[r])) {
      printf("FAIL %s: no server context for %s\n", server->name, config);
      out->failures++;
    } else {
      printf("%s: the library declines the configuration %s; not tried\n", server->name,
             config);
      out->declined++;
    }
  }
  /* Every shape's template for every pinned version, built once. */
  struct tp_hello_template templates[COUNT(kShapes)][INTEROP_PINNED_COUNT];
  for (size_t s = 0; s < COUNT(kShapes); s++) {
    for (size_t p = 0; p < INTEROP_PINNED_COUNT; p++) {
      struct tp_client_hello_opts o = kShapes[s].opts;
      o.version = kPinned[p];
      o.session_id = kZeros;
      if (!tp_hello_template_init(&templates[s][p], &o)) {
        printf("FAIL %s: no hello template for shape %s, %s\n", server->name, kShapes[s].name,
               version_name(kPinned[p]));
        out->failures++;
      }
    }
  }

  const int set_up = out->failures == 0;
  uint64_t stream = interop_seed();
  size_t by_verdict[TP_VERDICT_MALFORMED + 1] = {0};
  size_t downgrades = 0; /* shows the sentinel check was not vacuous */
  for (size_t s = 0; s < COUNT(kShapes) && set_up; s++) {
    printf("\n%s, hello \"%s\", %u probe(s) a cell: rows server configuration, columns pinned "
           "version\n",
           server->name, kShapes[s].name, opts->repeats);
    char row[INTEROP_PINNED_COUNT][16];
    size_t columns = 0;
    for (size_t p = 0; p < INTEROP_PINNED_COUNT; p++) {
      if (opts->only_pinned == 0 || opts->only_pinned == kPinned[p]) {
        snprintf(row[columns++], sizeof(row[0]), "%s", short_version(kPinned[p]));
      }
    }
    print_row("server", row, columns);
    for (size_t r = 0; r < out->configs; r++) {
      columns = 0;
      for (size_t p = 0; p < INTEROP_PINNED_COUNT; p++) {
        if (opts->only_pinned != 0 && opts->only_pinned != kPinned[p]) {
          continue;
        }
        struct combo c = {
            .server = server,
            .opts = opts,
            .shape = &kShapes[s],
            .config = &configs[r],
            .pinned = kPinned[p],
        };
        struct cell cell;
        run_combination(&c, ctxs[r], &templates[s][p], &stream, out, &cell);
        out->failures += c.failures;
        out->combinations++;
        by_verdict[cell.verdict.verdict]++;
        downgrades += cell.verdict.downgrade != TP_DOWNGRADE_NONE;
        format_cell(&cell, row[columns++], sizeof(row[0]));
      }
      char config[32];
      format_config(&configs[r], config, sizeof(config));
      print_row(config, row, columns);
    }
  }
  printf("\n%s: acc = accepted, hrr = accepted via HelloRetryRequest, vX = version_mismatch "
         "(server chose X), aN = alert N, none = closed without a word, mix = the probes "
         "disagreed, * = a check failed\n",
         server->name);
  printf("%s: %zu configurations, %zu combinations, %zu probes, each read whole, 1 and 7 bytes "
         "at a time; combinations by first verdict: %zu accepted, %zu version_mismatch, %zu "
         "alert, %zu other; %zu with a downgrade sentinel; TLS 1.3 shares with bit 255 set: "
         "%zu, %zu of them failed; %zu probes failed, %d failed check(s)\n",
         server->name, out->configs, out->combinations, out->probes,
         by_verdict[TP_VERDICT_ACCEPTED], by_verdict[TP_VERDICT_VERSION_MISMATCH],
         by_verdict[TP_VERDICT_ALERT],
         out->combinations - by_verdict[TP_VERDICT_ACCEPTED] -
             by_verdict[TP_VERDICT_VERSION_MISMATCH] - by_verdict[TP_VERDICT_ALERT],
         downgrades, out->high_bit_shares, out->failed_high_bit, out->failed_probes,
         out->failures);

  for (size_t r = 0; r < out->configs; r++) {
    if (ctxs[r] != NULL) {
      server->free_ctx(ctxs[r]);
    }
  }
  return out->failures == 0;
}

/* count_accepted sends |ctx| |probes| hellos of each shape pinned to
 * |version| and sets |*out_accepted| to the number it accepted (the
 * ServerHello has |version|, by tlsparse's reading or the library's own) of
 * |*out_sent|. Returns 0 when the test machinery failed. */
static int count_accepted(const struct interop_server *server, void *ctx, uint16_t version,
                          unsigned probes, uint64_t *stream, unsigned *out_accepted,
                          unsigned *out_sent) {
  *out_accepted = 0;
  *out_sent = 0;
  for (size_t s = 0; s < COUNT(kShapes); s++) {
    struct tp_client_hello_opts o = kShapes[s].opts;
    o.version = version;
    o.session_id = kZeros;
    struct tp_hello_template tpl;
    if (!tp_hello_template_init(&tpl, &o)) {
      return 0;
    }
    for (unsigned i = 0; i < probes; i++) {
      struct material m;
      uint8_t hello[TP_CLIENT_HELLO_MAX], answer[ANSWER_CAP];
      size_t hello_len, answer_len;
      struct tp_client_hello_layout layout;
      struct interop_server_view view;
      struct tp_probe_verdict v;
      uint64_t consumed;
      if (!next_material(server, INTEROP_SHARES_PUBLIC_KEYS, version, stream, &m) ||
          !tp_hello_from_template(&tpl, o.sni, m.random, m.session_id, m.share, hello,
                                  sizeof(hello), &hello_len, &layout) ||
          !server->answer(ctx, hello, hello_len, answer, sizeof(answer), &answer_len, &view)) {
        return 0;
      }
      read_answer(answer, answer_len, answer_len == 0 ? 1 : answer_len, version,
                  layout.offered_exts, &v, &consumed);
      (*out_sent)++;
      *out_accepted +=
          v.verdict == TP_VERDICT_ACCEPTED || (!view.gave_up && view.version == version);
    }
  }
  return 1;
}

/* single_config is the configuration of |version| alone. */
static struct interop_config single_config(uint16_t version) {
  const struct interop_config c = {
      .versions = INTEROP_VERSION_BIT(version), .min = version, .max = version};
  return c;
}

/* widest_config spans |server|'s versions and |version|. */
static struct interop_config widest_config(const struct interop_server *server,
                                           uint16_t version) {
  const uint16_t lowest = server->versions[0];
  const uint16_t highest = server->versions[server->version_count - 1];
  struct interop_config c = {
      .min = lowest < version ? lowest : version,
      .max = highest > version ? highest : version,
  };
  for (uint16_t v = c.min; v <= c.max; v++) {
    c.versions |= INTEROP_VERSION_BIT(v);
  }
  return c;
}

int interop_check_absent(const struct interop_server *server, uint16_t version,
                         unsigned probes) {
  const struct interop_config tries[2] = {single_config(version),
                                          widest_config(server, version)};
  uint64_t stream = interop_seed() ^ version;
  int absent = 1;
  for (size_t t = 0; t < COUNT(tries); t++) {
    char config[32];
    format_config(&tries[t], config, sizeof(config));
    void *ctx = server->new_ctx(server->arg, &tries[t]);
    if (ctx == NULL) {
      printf("%s: no context speaking %s can be made: %s is absent\n", server->name, config,
             version_name(version));
      continue;
    }
    unsigned accepted, sent;
    const int ran = count_accepted(server, ctx, version, probes, &stream, &accepted, &sent);
    server->free_ctx(ctx);
    if (!ran) {
      printf("FAIL %s: could not probe a context asked to speak %s (test machinery)\n",
             server->name, config);
      absent = 0;
      continue;
    }
    printf("%s: a context asked to speak %s accepted %u of %u %s hellos\n", server->name,
           config, accepted, sent, version_name(version));
    if (accepted != 0) {
      printf("FAIL %s: the library speaks %s after all; the test's note that it lacks it is "
             "stale: add it to the test's versions\n",
             server->name, version_name(version));
      absent = 0;
    }
  }
  return absent;
}

int interop_check_accepts(const struct interop_server *server, uint16_t version,
                          unsigned probes) {
  const struct interop_config tries[2] = {single_config(version),
                                          widest_config(server, version)};
  uint64_t stream = interop_seed() ^ version;
  int all = 1;
  for (size_t t = 0; t < COUNT(tries); t++) {
    char config[32];
    format_config(&tries[t], config, sizeof(config));
    void *ctx = server->new_ctx(server->arg, &tries[t]);
    unsigned accepted = 0, sent = 0;
    const int ran = ctx != NULL &&
                    count_accepted(server, ctx, version, probes, &stream, &accepted, &sent);
    if (ctx != NULL) {
      server->free_ctx(ctx);
    }
    printf("%s: a context asked to speak %s accepted %u of %u %s hellos\n", server->name,
           config, accepted, sent, version_name(version));
    if (!ran || sent == 0 || accepted != sent) {
      printf("FAIL %s: a context asked to speak %s no longer accepts every %s hello; the "
             "test's note that it does is stale\n",
             server->name, config, version_name(version));
      all = 0;
    }
  }
  return all;
}
