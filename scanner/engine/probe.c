/* scanner/engine/probe.c: probes, the connections that ask one pinned
 * version and read the verdict.
 *
 * Each version's hellos are built once per engine as templates (the full
 * shape, the minimal shape for the shape retry, the full shape with
 * TLS_FALLBACK_SCSV); a probe patches in its SNI, random, session id and a
 * real X25519 key share (keyshare.h) once it is connected, into a send
 * buffer it holds only until the send completes. The answer is read by a
 * tlsparse reader taken at the first byte of the answer and given back at
 * the verdict. What a verdict leaves to do is decided here: a timeout is
 * retried while --retries allows; a swallowed hello (closed, reset,
 * silence) is tried in the minimal shape (probe_finished); a target with two
 * versions accepted gets the fallback probe (--check-fallback). The
 * connect-only kind is the benchmark floor: connect, and close. */
#include <errno.h>
#include <openssl/md5.h>
#include <string.h>

#include "scanner/engine/internal.h"

/* A probe's connection lasts at most this many --timeout steps: connect,
 * a dialogue of several replies, the answer. */
#define PROBE_DEADLINE_STEPS 4

/* A probe costs the server as little as its verdict allows. Below TLS 1.3
 * the suites are the broad set of the version, static RSA key exchange
 * first, so that a server honouring the client's order answers without
 * signing anything (--era-order: as a client of the era ordered them, ECDHE
 * first). A TLS 1.3 probe offers no key share at all (RFC 8446, 4.2.8): a
 * server that speaks 1.3 answers with a HelloRetryRequest naming its group,
 * which is acceptance and costs it neither a key exchange nor a signature;
 * one that answers that hello with anything else is asked again with a real
 * share (probe_finished). */
int probe_templates_init(struct engine *e) {
  for (int pv = 0; pv < PV_COUNT; pv++) {
    for (int share = 0; share < 2; share++) {
      /* A 32-byte session id is patched in per probe; the template needs
       * one to leave room for it. */
      static const uint8_t kZeros[32];
      struct tp_client_hello_opts opts = {
          .version = probe_version_wire((enum probe_version)pv),
          .ciphers = e->cfg->era_order ? TP_CIPHERS_BROAD : TP_CIPHERS_CHEAP,
          .session_id = kZeros,
          .key_share_empty = pv == PV_TLS13 && !share,
      };
      struct tp_client_hello_opts min = opts, fb = opts;
      min.minimal = 1;
      fb.fallback_scsv = 1;
      if (!tp_hello_template_init(&e->hello[HELLO_FULL][share][pv], &opts) ||
          !tp_hello_template_init(&e->hello[HELLO_MINIMAL][share][pv], &min) ||
          !tp_hello_template_init(&e->hello[HELLO_FALLBACK][share][pv], &fb)) {
        return 0;
      }
    }
  }
  return 1;
}

void fill_random(uint8_t *p, size_t n, uint64_t *state) {
  /* splitmix64: the hello's random and session id need to differ between
   * probes, not to be secret (a probe never completes a handshake). */
  for (size_t i = 0; i < n; i += 8) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    z ^= z >> 31;
    size_t k = n - i < 8 ? n - i : 8;
    memcpy(p + i, &z, k);
  }
}

/* result_index is where a probe's answer goes: its version, or the
 * fallback check's own place after the versions. */
static unsigned result_index(const struct conn *cn) {
  return cn->hello == HELLO_FALLBACK ? PV_COUNT : cn->pv;
}

/* keep_bytes stores a verdict's bulky part in the target's extras: the
 * first bytes of a non-TLS or broken answer, or the reply behind a failed
 * dialogue. A verdict without them clears what an earlier attempt left. */
static void keep_bytes(struct engine *e, struct target_state *ts, unsigned at,
                       const uint8_t *first, size_t first_len, const uint8_t *reply,
                       size_t reply_len) {
  if (first_len == 0 && reply_len == 0) {
    if (ts->extras != NONE) {
      struct target_extras *x = target_extras(e, ts);
      x->first_len[at] = 0;
      x->reply_len[at] = 0;
    }
    return;
  }
  struct target_extras *x = target_extras(e, ts);
  if (x == NULL) {
    return;
  }
  first_len = first_len < RESULT_FIRST_BYTES ? first_len : RESULT_FIRST_BYTES;
  reply_len = reply_len < RESULT_REPLY_MAX ? reply_len : RESULT_REPLY_MAX;
  if (first_len > 0) {
    memcpy(x->first_bytes[at], first, first_len);
  }
  x->first_len[at] = (uint8_t)first_len;
  if (reply_len > 0) {
    memcpy(x->reply[at], reply, reply_len);
  }
  x->reply_len[at] = (uint16_t)reply_len;
}

/* probe_finished records a probe's verdict once, and decides what it
 * leaves to do for its version.
 *
 * A server that swallows a hello (closes, resets or stays silent after it
 * was sent) either refuses the version or chokes on the hello's size or
 * extensions, as some did on the hellos of sslscan and masscan. The next
 * attempt sends the minimal shape: swallowed too, the version is refused,
 * at the cost of two connections (many servers refuse a version this way,
 * so this is the common case to keep cheap). Accepted, the full hello is
 * sent once more, for a server that drops one connection now and then must
 * not be reported as intolerant of a shape: answered, the verdict is the
 * full hello's; swallowed again, the minimal's, with "hello_shape". A
 * timeout's own retries (--retries) come first and count as the full
 * hello's second swallow. */
static void probe_finished(struct engine *e, uint32_t c, struct verdict *v) {
  struct conn *cn = conn_at(e, c);
  struct target_state *ts = target_of(e, cn);
  v->ms = (uint32_t)((now_ns() - cn->start_ns) / 1000000);
  v->hello_minimal = cn->hello == HELLO_MINIMAL;
  v->hello_key_share = cn->key_share;
  cn->flags |= CONN_DONE;
  stat_add(&e->sh->stats.probes_done, 1);
  if (cn->hello == HELLO_FALLBACK) {
    ts->fallback = *v;
    return;
  }
  unsigned pv = cn->pv;
  uint32_t bit = 1u << pv;
  v->attempts = ts->attempts[pv];
  if (ts->minimal_won & bit) {
    /* The full hello once more after the minimal one was accepted: only
     * its acceptance replaces the minimal's. */
    ts->minimal_won &= (uint8_t)~bit;
    if (v->outcome == OUTCOME_ACCEPTED) {
      ts->v[pv] = *v;
    } else {
      ts->v[pv].attempts = v->attempts;
    }
    return;
  }
  ts->v[pv] = *v;
  int after_hello = v->stage == STAGE_RECV || v->stage == STAGE_SEND;
  int swallowed = after_hello && (v->outcome == OUTCOME_TIMEOUT ||
                                  (v->outcome == OUTCOME_REJECTED &&
                                   (v->reason == REJECT_CLOSED || v->reason == REJECT_RESET)));
  int full_swallowed = swallowed && cn->hello == HELLO_FULL;
  if (full_swallowed && ts->full_swallowed[pv] < UINT8_MAX) {
    ts->full_swallowed[pv]++;
  }
  /* A TLS 1.3 hello without a key share that got no HelloRetryRequest, no
   * ServerHello and no protocol_version (a close, a reset, silence, another
   * alert, bytes that are not TLS) is asked once more with a real share:
   * a server may mishandle the empty list RFC 8446 allows. Every later
   * hello of the version carries one; a swallowed hello's retry is also
   * the shape retry below. The record says which hello gave the verdict. */
  int answered = v->outcome == OUTCOME_ACCEPTED ||
                 (v->outcome == OUTCOME_REJECTED && (v->reason == REJECT_VERSION_MISMATCH ||
                                                    (v->reason == REJECT_ALERT &&
                                                     v->alert == TP_ALERT_PROTOCOL_VERSION)));
  if (pv == PV_TLS13 && !cn->key_share && after_hello && !answered) {
    ts->share_next |= (uint8_t)bit;
    if (!full_swallowed || !e->cfg->shape_retry) {
      ts->versions_left |= bit;
      return;
    }
  }
  /* A timeout is retried while attempts remain. */
  if (v->outcome == OUTCOME_TIMEOUT && ts->attempts[pv] <= e->cfg->retries) {
    ts->versions_left |= bit;
    return;
  }
  /* A host that has let no connection through and left this one's SYNs
   * unanswered through every retry is filtered or down: the other versions
   * would wait as long for the same silence (on the internet, a tenth of
   * the targets; five versions of it would be most of a scan's time). */
  if (v->outcome == OUTCOME_TIMEOUT && v->stage == STAGE_CONNECT && !ts->connected_once) {
    ts->status = STATUS_UNREACHABLE;
    ts->error.text = "connect";
    ts->error.errnum = ETIMEDOUT;
    ts->versions_left = 0;
    return;
  }
  if (cn->hello == HELLO_MINIMAL) {
    ts->minimal_next &= (uint8_t)~bit;
    if (v->outcome == OUTCOME_ACCEPTED && ts->full_swallowed[pv] < 2) {
      ts->minimal_won |= (uint8_t)bit;
      ts->versions_left |= bit;
    }
    return;
  }
  if (e->cfg->shape_retry && full_swallowed && !(ts->shape_tried & bit)) {
    ts->shape_tried |= (uint8_t)bit;
    ts->minimal_next |= (uint8_t)bit;
    ts->versions_left |= bit;
  }
}

/* ja3s_of keeps the JA3S of an accepted answer (a ServerHello, or the
 * HelloRetryRequest a TLS 1.3 probe without a key share draws): the MD5 of
 * its text, 16 bytes in the verdict where a failure keeps its names. */
static void ja3s_of(const struct tp_reader *r, struct verdict *v) {
  char text[TP_JA3S_MAX];
  size_t len;
  if ((r->result == TP_SERVER_HELLO || r->result == TP_HELLO_RETRY) &&
      tp_ja3s_string(&r->sh, text, sizeof(text), &len)) {
    MD5((const uint8_t *)text, len, v->ja3s);
    v->has_ja3s = 1;
  }
}

/* verdict_from_reader turns what the reader parsed into a verdict. */
static void verdict_from_reader(const struct conn *cn, const struct tp_reader *r,
                                struct verdict *v) {
  struct tp_probe_verdict pvd;
  tp_probe_verdict_of(r, probe_version_wire((enum probe_version)cn->pv), cn->offered_exts, &pvd);
  memset(v, 0, sizeof(*v));
  v->server_version = pvd.server_version;
  v->cipher_suite = pvd.cipher_suite;
  v->key_share_group = pvd.key_share_group;
  v->downgrade = (uint8_t)pvd.downgrade;
  v->hello_retry = (uint8_t)pvd.hello_retry;
  v->unsolicited_exts = pvd.unsolicited_exts;
  v->warnings = pvd.warnings;
  v->last_warning = pvd.last_warning;
  v->alert = pvd.alert;
  v->alert_level = pvd.alert_level;
  v->malformed = (uint8_t)pvd.why;
  switch (pvd.verdict) {
    case TP_VERDICT_ACCEPTED:
      v->outcome = OUTCOME_ACCEPTED;
      ja3s_of(r, v);
      break;
    case TP_VERDICT_VERSION_MISMATCH:
      v->outcome = OUTCOME_REJECTED;
      v->reason = REJECT_VERSION_MISMATCH;
      break;
    case TP_VERDICT_ALERT:
      v->outcome = OUTCOME_REJECTED;
      v->reason = REJECT_ALERT;
      break;
    case TP_VERDICT_NOT_TLS:
      v->outcome = OUTCOME_REJECTED;
      v->reason = REJECT_NOT_TLS;
      break;
    case TP_VERDICT_MALFORMED:
      v->outcome = OUTCOME_REJECTED;
      v->reason = REJECT_MALFORMED;
      break;
    case TP_VERDICT_PENDING:
      break;
  }
}

/* probe_feed gives the answer's bytes to the connection's reader (taken at
 * the first byte). Returns 1 once the verdict is recorded. */
static int probe_feed(struct engine *e, uint32_t c, const uint8_t *p, size_t len) {
  struct conn *cn = conn_at(e, c);
  struct tp_reader *r;
  int read = hello_read(e, c, p, len, &r);
  if (read <= 0) {
    return read < 0;
  }
  struct verdict v;
  verdict_from_reader(cn, r, &v);
  struct target_state *ts = target_of(e, cn);
  int keep_first = v.reason == REJECT_NOT_TLS || v.reason == REJECT_MALFORMED;
  keep_bytes(e, ts, result_index(cn), r->first, keep_first ? r->first_len : 0, NULL, 0);
  side_give(&e->readers, &cn->reader);
  probe_finished(e, c, &v);
  return 1;
}

/* probe_ready sends the hello, built now into a send buffer, and reads the
 * answer. Bytes the server sent right after a STARTTLS go-ahead (|early|)
 * are the start of that answer. */
static void probe_ready(struct engine *e, uint32_t c, const uint8_t *early, size_t early_len) {
  struct conn *cn = conn_at(e, c);
  struct target_state *ts = target_of(e, cn);
  if (!sendbuf_take(e, c, early_len)) {
    return; /* waiting for one, or failed */
  }
  struct sendbuf *sb = side_at(&e->sendbufs, cn->sendbuf);
  uint8_t rnd[72]; /* random, session id, and what picks the key share */
  fill_random(rnd, sizeof(rnd), &e->rng);
  uint64_t pick;
  memcpy(&pick, rnd + 64, sizeof(pick));
  const char *sni = target_sni(e, ts);
  size_t len;
  struct tp_client_hello_layout layout;
  int built = tp_hello_from_template(&e->hello[cn->hello][cn->key_share][cn->pv],
                                     sni[0] ? sni : NULL, rnd, rnd + 32,
                                     key_share_pick(&e->shares, pick), sb->bytes,
                                     sizeof(sb->bytes), &len, &layout);
  hello_go(e, c, built, len, &layout, probe_feed, early, early_len);
}

static void probe_data(struct engine *e, uint32_t c, const uint8_t *p, size_t len) {
  if (!probe_feed(e, c, p, len)) {
    submit_recv(e, c);
  }
}

int hello_read(struct engine *e, uint32_t c, const uint8_t *p, size_t len, struct tp_reader **out) {
  struct conn *cn = conn_at(e, c);
  if (cn->reader == NONE) {
    cn->reader = side_take(&e->readers);
    if (cn->reader == NONE) {
      conn_fail(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_RECV, ENOMEM);
      return -1;
    }
    tp_reader_init(side_at(&e->readers, cn->reader));
  }
  *out = side_at(&e->readers, cn->reader);
  return tp_reader_feed(*out, p, len) != TP_NEED_MORE;
}

void hello_go(struct engine *e, uint32_t c, int built, size_t len,
              const struct tp_client_hello_layout *layout,
              int (*feed)(struct engine *e, uint32_t c, const uint8_t *p, size_t len),
              const uint8_t *early, size_t early_len) {
  struct conn *cn = conn_at(e, c);
  if (!built) {
    conn_fail(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_SEND, EINVAL);
    return;
  }
  cn->offered_exts = layout->offered_exts;
  if (early_len > 0 && feed(e, c, early, early_len)) {
    return;
  }
  struct sendbuf *sb = side_at(&e->sendbufs, cn->sendbuf);
  send_bytes(e, c, sb->bytes, len);
  submit_recv(e, c);
}

void hello_eof(struct engine *e, uint32_t c) {
  conn_fail(e, c, OUTCOME_REJECTED, REJECT_CLOSED, STAGE_RECV, 0);
}

void hello_sent(struct engine *e, uint32_t c) {
  side_give(&e->sendbufs, &conn_at(e, c)->sendbuf);
}

static void probe_fail(struct engine *e, uint32_t c, const struct conn_failure *f) {
  struct conn *cn = conn_at(e, c);
  struct verdict v;
  memset(&v, 0, sizeof(v));
  v.outcome = (uint8_t)f->outcome;
  v.reason = (uint8_t)f->reason;
  v.stage = (uint8_t)f->stage;
  v.error = f->error;
  const uint8_t *reply = NULL;
  size_t reply_len = 0;
  if (f->dialogue != NULL) {
    /* Where in the dialogue it stopped says more than "recv". */
    v.stage_name = starttls_stage_name(f->dialogue);
    if (f->stage == STAGE_RECV || f->stage == STAGE_SEND) {
      v.stage = STAGE_DIALOGUE;
    } else if (f->stage == STAGE_DIALOGUE) {
      v.reason_name = starttls_failure_name(f->dialogue);
      reply = f->dialogue->reply;
      reply_len = f->dialogue->reply_len;
    }
  }
  keep_bytes(e, target_of(e, cn), result_index(cn), NULL, 0, reply, reply_len);
  side_give(&e->readers, &cn->reader);
  probe_finished(e, c, &v);
}

const struct conn_kind kProbeKind = {
    .name = "probe",
    .deadline_steps = PROBE_DEADLINE_STEPS,
    .dialogue = 1,
    .ready = probe_ready,
    .data = probe_data,
    .eof = hello_eof,
    .sent = hello_sent,
    .fail = probe_fail,
};

/* floor_ready: connected is all the floor asks. */
static void floor_ready(struct engine *e, uint32_t c, const uint8_t *early, size_t early_len) {
  (void)early;
  (void)early_len;
  struct verdict v;
  memset(&v, 0, sizeof(v));
  v.outcome = OUTCOME_CONNECTED;
  probe_finished(e, c, &v);
}

const struct conn_kind kFloorKind = {
    .name = "connect-only",
    .deadline_steps = PROBE_DEADLINE_STEPS,
    .dialogue = 0,
    .ready = floor_ready,
    .data = probe_data,
    .eof = hello_eof,
    .fail = probe_fail,
};

void start_probe(struct engine *e, uint32_t t, int pv, int fallback) {
  struct target_state *ts = &e->targets[t];
  uint8_t hello = HELLO_FULL;
  if (fallback) {
    ts->fallback_due = 0;
    hello = HELLO_FALLBACK;
  } else {
    ts->versions_left &= ~(1u << pv);
    ts->attempts[pv]++;
    if (ts->minimal_next & (1u << pv)) {
      hello = HELLO_MINIMAL;
    }
  }
  uint32_t c = conn_take(e, t, pv, e->cfg->connect_only ? &kFloorKind : &kProbeKind);
  conn_at(e, c)->hello = hello;
  conn_at(e, c)->key_share = (ts->share_next >> pv) & 1;
  submit_connect(e, c);
}

int plan_fallback(struct engine *e, struct target_state *ts) {
  ts->fallback_planned = 1;
  if (!e->cfg->check_fallback || ts->status != STATUS_OK) {
    return 0;
  }
  /* With two or more versions accepted, one more probe at the second
   * highest carries TLS_FALLBACK_SCSV (RFC 7507); a server that protects
   * against downgrade answers inappropriate_fallback. */
  int highest = -1, second = -1;
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (ts->v[pv].outcome == OUTCOME_ACCEPTED) {
      second = highest;
      highest = pv;
    }
  }
  if (second < 0) {
    return 0;
  }
  ts->fallback_pv = (int8_t)second;
  ts->fallback_due = 1;
  return 1;
}
