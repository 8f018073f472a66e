/* scanner/engine/enumerate.c: --ciphers, every suite each accepted version
 * accepts, learned by elimination with hand-built hellos.
 *
 * A cipher connection lives the life of a probe (conn.c: connect, the
 * STARTTLS dialogue, one hello, the answer, close) with a hello whose suite
 * list is what is left to learn. Per version, the candidates are every
 * suite the table gives it (tlsparse/suites.h: 132 for SSLv3 to TLS 1.1,
 * 344 for 1.2, 13 for 1.3), and the probe's answer already named one
 * accepted suite, which is never offered again. Each connection offers the
 * candidates still pending, in code order: a ServerHello (or, for TLS 1.3, a
 * HelloRetryRequest: an empty key share costs the server nothing) names one
 * more accepted suite, which leaves the pending set; a refusal (a fatal
 * alert, or a close or reset right after the hello, as SChannel answers)
 * says none of the offered ones is accepted, and they leave too. The set is
 * complete when nothing is pending, in accepted + 1 connections at best.
 *
 * Completeness: every candidate ends either chosen by the server or in an
 * offer it refused. A refusal is only trusted when the server has shown it
 * takes a hello that size: if the very first offer is refused, the same
 * offer is sent again with the probe's suite appended (the canary); a
 * server that picks it refused the rest for what they are, one that refuses
 * again chokes on the hello itself (some do on big ones), and the offers are
 * cut to 64 and then 16 suites and the elimination starts over. Offers take
 * what the version's probe took: the same shape (full, or the minimal one a
 * server intolerant of big hellos answered), SNI, every group and signature
 * algorithm a probe offers (so ECDSA-only servers pick their suites), and
 * for TLS 1.3 an empty key share unless the probe needed a real one.
 *
 * Server order: a server that honours the client's order picks, from each
 * offer, the first accepted suite in it, so its picks come in code order;
 * one pick that does not proves the server imposes its own order, at no
 * cost. Otherwise one more connection offers the first two picks in the
 * reverse order (two with the probe's suite, never offered in the same
 * elimination offer as a pick): the server keeping its earlier choice
 * imposes its order, one taking the new first follows the client's.
 *
 * Politeness: versions are enumerated one connection at a time each, and
 * every connection goes through the scheduler, so --per-host, --per-network
 * and --rate hold; a timeout is retried as --retries allows, and then the
 * version's record keeps what was learned, says it is incomplete and why.
 *
 * Memory: a target's enumeration is one element of its own side pool (two
 * bitmaps and a few counters per version), taken when its probes are in and
 * given back with its record; connections carry nothing more than a probe. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/engine/internal.h"
#include "tlsparse/suites.h"

/* A cipher connection lasts at most this many --timeout steps, as a probe. */
#define CIPHER_DEADLINE_STEPS 4

/* The offer sizes after the first offer was refused twice: 64 suites as
 * nmap's chunks, then 16. */
static const uint16_t kWindows[] = {CIPHER_MAX, 64, 16};

#define WORDS ((CIPHER_MAX + 63) / 64)
#define NO_SUITE UINT16_MAX

/* What each version offers: its candidates, in code order. */
struct cipher_lists {
  uint16_t suites[PV_COUNT][CIPHER_MAX];
  uint16_t count[PV_COUNT];
};

enum phase {
  PHASE_ELIMINATE,   /* offer what is pending */
  PHASE_CANARY,      /* the first offer again, with the probe's suite last */
  PHASE_ORDER,       /* the reverse of an offer whose pick is known */
  PHASE_ORDER_AGAIN, /* the forward one, when no offer held both */
  PHASE_DONE,
};

/* One version's enumeration. Suites are indexes into its candidate list. */
struct cipher_version {
  uint64_t pending[WORDS];      /* not yet chosen nor refused */
  uint64_t accepted[WORDS];
  uint16_t known;               /* the probe's suite, or NO_SUITE */
  uint16_t pick1, pick2;        /* the first two suites elimination found */
  uint16_t pick1_offer_end;     /* the last candidate of the offer pick1 came from */
  uint16_t last_pick;
  uint16_t connections;
  uint8_t window;               /* index into kWindows */
  uint8_t phase;                /* enum phase */
  uint8_t order;                /* enum cipher_order */
  uint8_t attempts;             /* tries of the current offer that timed out */
  uint8_t answered;             /* an elimination offer of this size was answered */
  uint8_t enumerated;           /* this version is enumerated at all */
  struct cipher_failure failure; /* why it stopped short, when it did */
};

struct cipher_side {
  struct cipher_version v[PV_COUNT];
};

static struct cipher_side *side_of(struct engine *e, const struct target_state *ts) {
  return side_at(&e->ciphers, ts->ciphers);
}

static int bit_get(const uint64_t *m, unsigned i) {
  return (int)((m[i / 64] >> (i % 64)) & 1);
}
static void bit_set(uint64_t *m, unsigned i) { m[i / 64] |= 1ull << (i % 64); }
static void bit_clear(uint64_t *m, unsigned i) { m[i / 64] &= ~(1ull << (i % 64)); }
static int bits_any(const uint64_t *m) {
  for (unsigned w = 0; w < WORDS; w++) {
    if (m[w] != 0) {
      return 1;
    }
  }
  return 0;
}

int ciphers_init(struct engine *e) {
  if (!e->cfg->ciphers) {
    return 1;
  }
  e->cipher_lists = calloc(1, sizeof(*e->cipher_lists));
  if (e->cipher_lists == NULL ||
      !side_pool_init(&e->ciphers, e->ntargets, sizeof(struct cipher_side))) {
    return 0;
  }
  for (int pv = 0; pv < PV_COUNT; pv++) {
    size_t n = tp_suites_for_version(probe_version_wire((enum probe_version)pv),
                                     e->cipher_lists->suites[pv], CIPHER_MAX);
    if (n > CIPHER_MAX) {
      return 0; /* the table outgrew the bitmaps */
    }
    e->cipher_lists->count[pv] = (uint16_t)n;
  }
  return 1;
}

void ciphers_free(struct engine *e) {
  side_pool_free(&e->ciphers);
  free(e->cipher_lists);
  e->cipher_lists = NULL;
}

/* index_of finds |code| among version |pv|'s candidates. */
static uint16_t index_of(const struct engine *e, int pv, uint16_t code) {
  const struct cipher_lists *l = e->cipher_lists;
  for (uint16_t i = 0; i < l->count[pv]; i++) {
    if (l->suites[pv][i] == code) {
      return i;
    }
  }
  return NO_SUITE;
}

int plan_ciphers(struct engine *e, struct target_state *ts) {
  ts->ciphers_planned = 1;
  if (!e->cfg->ciphers || ts->status != STATUS_OK) {
    return 0;
  }
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (ts->v[pv].outcome != OUTCOME_ACCEPTED) {
      continue;
    }
    if (ts->ciphers == NONE) {
      ts->ciphers = side_take(&e->ciphers);
      if (ts->ciphers == NONE) {
        return 0; /* the pool holds one per target: cannot happen */
      }
      memset(side_of(e, ts), 0, sizeof(struct cipher_side));
    }
    struct cipher_version *cv = &side_of(e, ts)->v[pv];
    cv->enumerated = 1;
    for (uint16_t i = 0; i < e->cipher_lists->count[pv]; i++) {
      bit_set(cv->pending, i);
    }
    cv->known = index_of(e, pv, ts->v[pv].cipher_suite);
    if (cv->known != NO_SUITE) {
      bit_clear(cv->pending, cv->known);
      bit_set(cv->accepted, cv->known);
    }
    cv->pick1 = cv->pick2 = cv->last_pick = NO_SUITE;
    cv->phase = bits_any(cv->pending) ? PHASE_ELIMINATE : PHASE_DONE;
    if (cv->phase != PHASE_DONE) {
      ts->ciphers_due |= (uint8_t)(1u << pv);
    }
  }
  return ts->ciphers_due != 0;
}

int next_ciphers_version(const struct target_state *ts) {
  return ts->ciphers_due == 0 ? -1 : __builtin_ctz(ts->ciphers_due);
}

void start_ciphers(struct engine *e, uint32_t t, int pv) {
  struct target_state *ts = &e->targets[t];
  ts->ciphers_due &= (uint8_t)~(1u << pv); /* one connection per version at a time */
  side_of(e, ts)->v[pv].connections++;
  uint32_t c = conn_take(e, t, pv, &kCipherKind);
  submit_connect(e, c);
}

/* ---- the offer ------------------------------------------------------------- */

/* offer_of writes the suites the version's next connection offers into
 * |out| (codes) and returns how many; |*out_end| is the last candidate index
 * an elimination offer holds. The state does not change while a connection
 * is out, so the answer is judged against the same offer. */
static size_t offer_of(const struct engine *e, int pv, const struct cipher_version *cv,
                       uint16_t *out, uint16_t *out_end) {
  const uint16_t *suites = e->cipher_lists->suites[pv];
  size_t n = 0;
  *out_end = 0;
  switch ((enum phase)cv->phase) {
    case PHASE_ELIMINATE:
    case PHASE_CANARY:
      for (uint16_t i = 0; i < e->cipher_lists->count[pv] && n < kWindows[cv->window]; i++) {
        if (bit_get(cv->pending, i)) {
          out[n++] = suites[i];
          *out_end = i;
        }
      }
      if (cv->phase == PHASE_CANARY) {
        out[n++] = suites[cv->known];
      }
      break;
    case PHASE_ORDER:
    case PHASE_ORDER_AGAIN: {
      /* The pair, |b| after |a| in code order: reversed first, then as is. */
      uint16_t a = cv->pick1, b = cv->pick2 != NO_SUITE ? cv->pick2 : cv->known;
      if (a > b) {
        uint16_t tmp = a;
        a = b;
        b = tmp;
      }
      out[n++] = suites[cv->phase == PHASE_ORDER ? b : a];
      out[n++] = suites[cv->phase == PHASE_ORDER ? a : b];
      break;
    }
    case PHASE_DONE:
      break;
  }
  return n;
}

/* ---- what an answer teaches --------------------------------------------------- */

/* finish_version ends a version's enumeration; |failure| says why it stopped
 * short (NULL: complete). */
static void finish_version(struct cipher_version *cv, const struct cipher_failure *failure) {
  cv->phase = PHASE_DONE;
  if (failure != NULL) {
    cv->failure = *failure;
  }
}

/* after_elimination moves on once nothing is pending: the order test, when
 * two suites are known and their order is not. */
static void after_elimination(struct cipher_version *cv) {
  if (cv->order == CIPHER_ORDER_UNKNOWN && cv->pick1 != NO_SUITE &&
      (cv->pick2 != NO_SUITE || cv->known != NO_SUITE)) {
    cv->phase = PHASE_ORDER;
  } else {
    finish_version(cv, NULL);
  }
}

/* picked records that the server chose candidate |i| from an elimination
 * offer ending at |end|. */
static void picked(struct cipher_version *cv, uint16_t i, uint16_t end) {
  bit_clear(cv->pending, i);
  bit_set(cv->accepted, i);
  if (cv->pick1 == NO_SUITE) {
    cv->pick1 = i;
    cv->pick1_offer_end = end;
  } else if (cv->pick2 == NO_SUITE) {
    cv->pick2 = i;
  }
  /* Every offer is a prefix of what is pending, in code order: a pick
   * before the previous one was in the previous offer too, and the server
   * passed it over then. */
  if (cv->last_pick != NO_SUITE && i < cv->last_pick) {
    cv->order = CIPHER_ORDER_SERVER;
  }
  cv->last_pick = i;
}

/* drop_offer takes a refusal: none of the offered suites is accepted (the
 * probe's, the canary, is known to be). */
static void drop_offer(struct cipher_version *cv, const uint16_t *offer, size_t n,
                       const struct engine *e, int pv) {
  for (size_t k = 0; k < n; k++) {
    uint16_t i = index_of(e, pv, offer[k]);
    if (i != NO_SUITE && i != cv->known) {
      bit_clear(cv->pending, i);
    }
  }
}

/* The order test's answer: |first| is the suite the test offered first. */
static void order_answer(struct cipher_version *cv, uint16_t chosen, uint16_t first,
                         uint16_t second) {
  if (chosen != first && chosen != second) {
    finish_version(cv, NULL);
    return;
  }
  if (chosen == second) {
    cv->order = CIPHER_ORDER_SERVER; /* it kept a suite we put second */
    finish_version(cv, NULL);
    return;
  }
  /* It took the first one offered. With the pair's other order on record
   * (the elimination offer that held both), that is the client's order;
   * else ask the other order too. */
  int pair_seen = cv->pick2 != NO_SUITE && cv->pick2 <= cv->pick1_offer_end;
  if (cv->phase == PHASE_ORDER_AGAIN || pair_seen) {
    cv->order = CIPHER_ORDER_CLIENT;
    finish_version(cv, NULL);
  } else {
    cv->phase = PHASE_ORDER_AGAIN;
  }
}

/* cipher_answer acts on one connection's end: |chosen| is the suite of an
 * answer with the pinned version (0 with |accepted| unset for a refusal or
 * failure), |f| the failure when there is no answer to learn from. */
static void cipher_answer(struct engine *e, uint32_t c, int accepted, uint16_t chosen,
                          int refusal, const struct cipher_failure *f) {
  struct conn *cn = conn_at(e, c);
  struct target_state *ts = target_of(e, cn);
  int pv = cn->pv;
  struct cipher_version *cv = &side_of(e, ts)->v[pv];
  uint16_t offer[CIPHER_MAX + 1], end;
  size_t n = offer_of(e, pv, cv, offer, &end);
  uint16_t idx = accepted ? index_of(e, pv, chosen) : NO_SUITE;
  int in_offer = 0;
  for (size_t k = 0; k < n && accepted; k++) {
    in_offer |= offer[k] == chosen;
  }
  cn->flags |= CONN_DONE;
  stat_add(&e->sh->stats.probes_done, 1);
  if (!accepted && !refusal && f->outcome == OUTCOME_TIMEOUT && cv->attempts < e->cfg->retries) {
    cv->attempts++;
  } else if (cv->phase == PHASE_ORDER || cv->phase == PHASE_ORDER_AGAIN) {
    /* The order test learns nothing from a failure, and the set is
     * complete without it. */
    cv->attempts = 0;
    if (accepted && in_offer) {
      order_answer(cv, idx, index_of(e, pv, offer[0]), index_of(e, pv, offer[1]));
    } else {
      finish_version(cv, NULL);
    }
  } else if (accepted && in_offer && idx != NO_SUITE) {
    cv->attempts = 0;
    cv->answered = 1;
    if (cv->phase == PHASE_CANARY && idx == cv->known) {
      drop_offer(cv, offer, n, e, pv); /* the first refusal was genuine */
    } else {
      picked(cv, idx, end);
    }
    cv->phase = PHASE_ELIMINATE;
    if (!bits_any(cv->pending)) {
      after_elimination(cv);
    }
  } else if (refusal && cv->phase == PHASE_ELIMINATE && !cv->answered &&
             cv->known != NO_SUITE) {
    /* The first offer of this size refused: is it the suites, or the hello?
     * The same offer again, with an accepted suite last, tells. */
    cv->attempts = 0;
    cv->phase = PHASE_CANARY;
  } else if (refusal && cv->phase == PHASE_CANARY) {
    /* An offer holding an accepted suite was refused: the hello, not the
     * suites. Smaller offers, from the start. */
    cv->attempts = 0;
    if (cv->window + 1u < sizeof(kWindows) / sizeof(kWindows[0])) {
      cv->window++;
      cv->answered = 0;
      cv->phase = PHASE_ELIMINATE;
    } else {
      struct cipher_failure why = *f;
      why.canary = 1;
      finish_version(cv, &why);
    }
  } else if (refusal) {
    cv->attempts = 0;
    cv->answered = 1;
    drop_offer(cv, offer, n, e, pv);
    if (!bits_any(cv->pending)) {
      after_elimination(cv);
    }
  } else {
    /* Silence through every retry, a dialogue that failed, another version,
     * a suite never offered, bytes that are not TLS: what was learned
     * stands, and the record says where it stopped. */
    struct cipher_failure why = *f;
    if (accepted) {
      why.outcome = OUTCOME_REJECTED;
      why.reason = REJECT_MALFORMED;
      why.suite = chosen;
      why.unoffered = 1;
    }
    finish_version(cv, &why);
  }
  if (cv->phase != PHASE_DONE) {
    ts->ciphers_due |= (uint8_t)(1u << pv);
  }
}

/* ---- the connection kind --------------------------------------------------- */

/* cipher_feed gives the answer's bytes to the connection's reader (taken
 * at the first byte). Returns 1 once the answer is judged. */
static int cipher_feed(struct engine *e, uint32_t c, const uint8_t *p, size_t len) {
  struct conn *cn = conn_at(e, c);
  struct tp_reader *r;
  int read = hello_read(e, c, p, len, &r);
  if (read <= 0) {
    return read < 0;
  }
  struct tp_probe_verdict pvd;
  tp_probe_verdict_of(r, probe_version_wire((enum probe_version)cn->pv), cn->offered_exts, &pvd);
  side_give(&e->readers, &cn->reader);
  struct cipher_failure f;
  memset(&f, 0, sizeof(f));
  f.stage = STAGE_RECV;
  switch (pvd.verdict) {
    case TP_VERDICT_ACCEPTED:
      cipher_answer(e, c, 1, pvd.cipher_suite, 0, &f);
      return 1;
    case TP_VERDICT_ALERT:
      /* Any fatal alert refuses the offer: handshake_failure mostly,
       * insufficient_security or illegal_parameter from some. */
      f.outcome = OUTCOME_REJECTED;
      f.reason = REJECT_ALERT;
      f.alert = pvd.alert;
      cipher_answer(e, c, 0, 0, 1, &f);
      return 1;
    case TP_VERDICT_VERSION_MISMATCH:
      f.outcome = OUTCOME_REJECTED;
      f.reason = REJECT_VERSION_MISMATCH;
      f.server_version = pvd.server_version;
      break;
    case TP_VERDICT_NOT_TLS:
      f.outcome = OUTCOME_REJECTED;
      f.reason = REJECT_NOT_TLS;
      break;
    case TP_VERDICT_MALFORMED:
    case TP_VERDICT_PENDING:
      f.outcome = OUTCOME_REJECTED;
      f.reason = REJECT_MALFORMED;
      break;
  }
  cipher_answer(e, c, 0, 0, 0, &f);
  return 1;
}

static void cipher_ready(struct engine *e, uint32_t c, const uint8_t *early, size_t early_len) {
  struct conn *cn = conn_at(e, c);
  struct target_state *ts = target_of(e, cn);
  int pv = cn->pv;
  struct cipher_version *cv = &side_of(e, ts)->v[pv];
  uint16_t offer[CIPHER_MAX + 1], end;
  size_t n = offer_of(e, pv, cv, offer, &end);
  if (n == 0) {
    conn_fail(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_SEND, ENOMEM);
    return;
  }
  if (!sendbuf_take(e, c, early_len)) {
    return; /* waiting for one, or failed */
  }
  /* The hello the version's probe was answered with, bar the suites. */
  const struct verdict *v = &ts->v[pv];
  uint8_t rnd[72];
  fill_random(rnd, sizeof(rnd), &e->rng);
  uint64_t pick;
  memcpy(&pick, rnd + 64, sizeof(pick));
  const char *sni = target_sni(e, ts);
  struct tp_client_hello_opts opts = {
      .version = probe_version_wire((enum probe_version)pv),
      .sni = sni[0] ? sni : NULL,
      .cipher_list = offer,
      .cipher_list_len = n,
      .minimal = v->hello_minimal,
      .random = rnd,
      .session_id = rnd + 32,
      .key_share_empty = pv == PV_TLS13 && !v->hello_key_share,
      .x25519_share = pv == PV_TLS13 && v->hello_key_share ? key_share_pick(&e->shares, pick)
                                                           : NULL,
  };
  struct sendbuf *sb = side_at(&e->sendbufs, cn->sendbuf);
  size_t len;
  struct tp_client_hello_layout layout;
  int built = tp_build_client_hello(&opts, sb->bytes, sizeof(sb->bytes), &len, &layout);
  hello_go(e, c, built, len, &layout, cipher_feed, early, early_len);
}

static void cipher_data(struct engine *e, uint32_t c, const uint8_t *p, size_t len) {
  if (!cipher_feed(e, c, p, len)) {
    submit_recv(e, c);
  }
}
static void cipher_fail(struct engine *e, uint32_t c, const struct conn_failure *cf) {
  struct conn *cn = conn_at(e, c);
  side_give(&e->readers, &cn->reader);
  struct cipher_failure f;
  memset(&f, 0, sizeof(f));
  f.outcome = (uint8_t)cf->outcome;
  f.reason = (uint8_t)cf->reason;
  f.stage = (uint8_t)cf->stage;
  f.error = cf->error;
  if (cf->dialogue != NULL) {
    f.stage = STAGE_DIALOGUE;
    f.stage_name = starttls_stage_name(cf->dialogue);
  }
  /* A close or reset once the hello went out is how some servers refuse
   * (SChannel resets); earlier, it is no answer to the offer. */
  int refusal = cf->outcome == OUTCOME_REJECTED && cf->dialogue == NULL &&
                (cf->reason == REJECT_CLOSED || cf->reason == REJECT_RESET) &&
                (cf->stage == STAGE_RECV || cf->stage == STAGE_SEND);
  cipher_answer(e, c, 0, 0, refusal, &f);
}

const struct conn_kind kCipherKind = {
    .name = "cipher",
    .deadline_steps = CIPHER_DEADLINE_STEPS,
    .dialogue = 1,
    .ready = cipher_ready,
    .data = cipher_data,
    .eof = hello_eof,
    .sent = hello_sent,
    .fail = cipher_fail,
};

/* ---- the record --------------------------------------------------------------- */

void ciphers_record(struct engine *e, const struct target_state *ts, struct scan_result *r) {
  for (int pv = 0; pv < PV_COUNT; pv++) {
    r->ciphers[pv].state = CIPHERS_NONE;
  }
  if (ts->ciphers == NONE) {
    return;
  }
  const struct cipher_side *side = side_at(&e->ciphers, ts->ciphers);
  for (int pv = 0; pv < PV_COUNT; pv++) {
    const struct cipher_version *cv = &side->v[pv];
    struct cipher_result *out = &r->ciphers[pv];
    if (!cv->enumerated) {
      continue;
    }
    out->state = cv->failure.outcome != OUTCOME_NOT_RUN || cv->phase != PHASE_DONE
                     ? CIPHERS_INCOMPLETE
                     : CIPHERS_COMPLETE;
    out->order = cv->order;
    out->connections = cv->connections;
    out->window = kWindows[cv->window];
    out->failure = cv->failure;
    if (cv->phase != PHASE_DONE && cv->failure.outcome == OUTCOME_NOT_RUN) {
      /* Stopped from outside (a stop request): say so. */
      out->failure.outcome = OUTCOME_ERROR;
      out->failure.error = ECANCELED;
    }
    out->n = 0;
    for (uint16_t i = 0; i < e->cipher_lists->count[pv]; i++) {
      if (bit_get(cv->accepted, i)) {
        out->suites[out->n++] = e->cipher_lists->suites[pv][i];
      }
    }
  }
}

void ciphers_release(struct engine *e, struct target_state *ts) {
  side_give(&e->ciphers, &ts->ciphers);
  ts->ciphers_planned = ts->ciphers_due = 0;
}
