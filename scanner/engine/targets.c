/* scanner/engine/targets.c: targets from the feed to their record.
 *
 * An engine holds about 1.5 targets per connection slot, so a target's
 * state is compact (internal.h): its line packed into a few bytes, its
 * address, what is left to do, and the small facts of each version's
 * answer. The rest (first bytes, dialogue replies, confirmation details,
 * the certificate, --all-addresses' other addresses, a line too long to
 * pack) goes to its extras, taken the first time it is needed. When the
 * target is done, its record is rebuilt in full in the engine's scratch
 * scan_result and handed to the sink, which renders it at once.
 *
 * The life of a target: start_target takes an item from the feed (an
 * invalid line or a blocked family becomes its record at once), a name is
 * resolved (resolve.c), target_ready checks the address against the
 * scan's policy and queues it in the FIFO the scheduler (schedule.c) walks;
 * conn_settle requeues it while versions, the fallback probe or
 * confirmations are left, and finish_target writes its record. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "scanner/engine/internal.h"
#include "scanner/targets/blocklist.h"

int targets_init(struct engine *e) {
  e->ntargets = engine_targets_per_thread(e->cfg);
  e->targets = calloc(e->ntargets, sizeof(*e->targets));
  if (e->targets == NULL ||
      !side_pool_init(&e->extras, e->ntargets, sizeof(struct target_extras))) {
    return 0;
  }
  /* Nothing is linked up front: a state is first touched when first
   * taken (a fresh index), so the calloc'd slab costs memory only as far as
   * the scan's peak of targets in flight (20,016 states of 680 bytes per
   * thread at the default -c would otherwise be 13 MiB each, touched for a
   * scan of one host). */
  e->free_targets = NONE;
  e->fresh_targets = 0;
  e->fifo_head = e->fifo_tail = NONE;
  return 1;
}

/* target_take is a free target state: the last one freed (its memory is
 * warm), else one never used; NONE when all are in use. */
static uint32_t target_take(struct engine *e) {
  uint32_t t = e->free_targets;
  if (t != NONE) {
    e->free_targets = e->targets[t].next;
  } else if (e->fresh_targets < e->ntargets) {
    t = e->fresh_targets++;
  }
  return t;
}

uint32_t engine_targets_per_thread(const struct scan_config *cfg) {
  return cfg->concurrency * 2 + 16;
}

struct target_extras *target_extras(struct engine *e, struct target_state *ts) {
  if (ts->extras == NONE) {
    ts->extras = side_take(&e->extras);
    if (ts->extras == NONE) {
      return NULL;
    }
    memset(side_at(&e->extras, ts->extras), 0, offsetof(struct target_extras, cert));
    ((struct target_extras *)side_at(&e->extras, ts->extras))->has_cert = 0;
  }
  return side_at(&e->extras, ts->extras);
}

/* ---- the line -------------------------------------------------------------- */

static const char *item_storage(const struct engine *e, const struct target_state *ts) {
  if (ts->item.in_extras) {
    return ((const struct target_extras *)side_at(&e->extras, ts->extras))->strings;
  }
  return ts->item.strings;
}

const char *target_host(const struct engine *e, const struct target_state *ts) {
  return packed_item_string(&ts->item.p, item_storage(e, ts), PACKED_HOST);
}

const char *target_sni(const struct engine *e, const struct target_state *ts) {
  if (ts->item.sni == PACKED_STRINGS) {
    return "";
  }
  return packed_item_string(&ts->item.p, item_storage(e, ts), (enum packed_string)ts->item.sni);
}

/* hold_item keeps |item| in the target: its strings inline when they fit,
 * else in its extras. The SNI the hellos carry is decided here, once: the
 * line's sni= or a name's own, when --sni is on and the name may be sent. */
static void hold_item(struct engine *e, struct target_state *ts, const struct target_item *item) {
  struct held_item *h = &ts->item;
  char *dst = h->strings;
  h->in_extras = 0;
  if (packed_item_bytes(item) > sizeof(h->strings)) {
    struct target_extras *x = target_extras(e, ts);
    if (x != NULL) {
      dst = x->strings;
      h->in_extras = 1;
    }
  }
  packed_item_pack(&h->p, item, dst);
  const struct target_line *l = &item->line;
  h->sni = PACKED_STRINGS;
  if (e->cfg->sni && item->type == TARGET_ITEM_TARGET) {
    if (l->sni_given) {
      h->sni = tp_sni_usable(l->sni) ? PACKED_SNI : PACKED_STRINGS;
    } else if (l->kind == TARGET_NAME && tp_sni_usable(l->host)) {
      h->sni = PACKED_HOST;
    }
  }
}

/* ---- the FIFO of targets waiting for a slot ------------------------------------- */

void fifo_push(struct engine *e, uint32_t t) {
  struct target_state *ts = &e->targets[t];
  if (ts->queued) {
    return;
  }
  ts->queued = 1;
  ts->next = NONE;
  if (e->fifo_tail == NONE) {
    e->fifo_head = t;
  } else {
    e->targets[e->fifo_tail].next = t;
  }
  e->fifo_tail = t;
}

uint32_t fifo_pop(struct engine *e) {
  uint32_t t = e->fifo_head;
  if (t == NONE) {
    return NONE;
  }
  e->fifo_head = e->targets[t].next;
  if (e->fifo_head == NONE) {
    e->fifo_tail = NONE;
  }
  e->targets[t].queued = 0;
  return t;
}

/* ---- from the feed to the queue ------------------------------------------------- */

void set_sockaddr(struct target_state *ts, int family, const void *addr, uint16_t port) {
  memset(&ts->addr, 0, sizeof(ts->addr));
  if (family == AF_INET) {
    ts->addr.v4.sin_family = AF_INET;
    ts->addr.v4.sin_port = htons(port);
    memcpy(&ts->addr.v4.sin_addr, addr, 4);
    ts->addrlen = sizeof(ts->addr.v4);
  } else {
    ts->addr.v6.sin6_family = AF_INET6;
    ts->addr.v6.sin6_port = htons(port);
    memcpy(&ts->addr.v6.sin6_addr, addr, 16);
    ts->addrlen = sizeof(ts->addr.v6);
  }
}

/* progress_reset readies a target's per-address progress: what is left to
 * probe and confirm, and the answers so far. */
static void progress_reset(struct engine *e, struct target_state *ts) {
  ts->versions_left = e->cfg->versions;
  ts->connected_once = 0;
  ts->fallback_planned = ts->fallback_due = ts->confirm_planned = 0;
  ts->fallback_pv = 0;
  ts->shape_tried = ts->minimal_next = ts->minimal_won = ts->share_next = 0;
  memset(ts->attempts, 0, sizeof(ts->attempts));
  memset(ts->full_swallowed, 0, sizeof(ts->full_swallowed));
  memset(ts->confirm_left, 0, sizeof(ts->confirm_left));
  memset(ts->v, 0, sizeof(ts->v));
  memset(&ts->fallback, 0, sizeof(ts->fallback));
  ts->start_ns = now_ns();
}

void target_ready(struct engine *e, uint32_t t) {
  struct target_state *ts = &e->targets[t];
  const void *a = ts->addr.sa.sa_family == AF_INET ? (const void *)&ts->addr.v4.sin_addr
                                                   : (const void *)&ts->addr.v6.sin6_addr;
  /* Every address is checked here, before any connection: literals and DNS
   * answers alike pass through this point. */
  const char *why = NULL;
  if (e->cfg->policy != NULL &&
      policy_check(e->cfg->policy, ts->addr.sa.sa_family, a, &why) != POLICY_ALLOW) {
    ts->status = STATUS_BLOCKED;
    ts->error.text = why != NULL ? why : "blocked";
    finish_target(e, t);
    return;
  }
  bind_target(e, ts);
  if (e->cfg->bench.version != 0) {
    bench_plan(e, ts); /* no probes, only full handshakes at the version */
  }
  if (ts->versions_left == 0 && !confirm_pending(ts)) {
    finish_target(e, t);
    return;
  }
  fifo_push(e, t);
}

/* start_target takes one item from the feed into a free target state. */
static void start_target(struct engine *e, const struct target_item *item, uint64_t pseq) {
  uint32_t t = target_take(e);
  struct target_state *ts = &e->targets[t];
  e->targets_used++;
  memset(ts, 0, offsetof(struct target_state, v));
  ts->used = 1;
  ts->engine = e;
  ts->next = NONE;
  ts->extras = NONE;
  ts->ciphers = NONE;
  ts->pseq = pseq;
  ts->status = STATUS_OK;
  progress_reset(e, ts);
  hold_item(e, ts, item);
  if (item->type == TARGET_ITEM_INVALID) {
    ts->status = STATUS_INVALID;
    finish_target(e, t);
    return;
  }
  const struct target_line *l = &item->line;
  int family = l->kind == TARGET_IPV4 ? 4 : l->kind == TARGET_IPV6 ? 6 : 0;
  if (family != 0 && e->cfg->family != 0 && e->cfg->family != family) {
    ts->status = STATUS_BLOCKED;
    ts->error.family = (uint8_t)family;
    finish_target(e, t);
    return;
  }
  if (l->kind == TARGET_IPV4) {
    set_sockaddr(ts, AF_INET, &l->addr.v4, l->port);
    target_ready(e, t);
  } else if (l->kind == TARGET_IPV6) {
    set_sockaddr(ts, AF_INET6, &l->addr.v6, l->port);
    target_ready(e, t);
  } else {
    resolve_start(e, t);
  }
}

void take_targets(struct engine *e) {
  struct scan_shared *sh = e->sh;
  if (sh->sink.congested != NULL && sh->sink.congested(sh->sink.ctx)) {
    return;
  }
  while (!e->feed_done && e->targets_used < e->ntargets && !sh->stop) {
    /* About as many targets waiting as there are slots, and half again. */
    if (e->targets_used >= e->nconn + e->nconn / 2 + 8) {
      return;
    }
    struct target_item item;
    struct target_feed *feed = sh->feed;
    int got;
    uint64_t pseq = 0;
    pthread_mutex_lock(&feed->lock);
    for (;;) {
      got = !feed->done && feed->next(feed->source, &item);
      if (!got) {
        __atomic_store_n(&feed->done, 1, __ATOMIC_RELEASE);
        break;
      }
      pseq = feed->position++;
      if (feed->skip == NULL || !done_set_has(feed->skip, pseq)) {
        __atomic_fetch_add(&feed->taken, 1, __ATOMIC_RELAXED);
        break;
      }
      feed->skipped++; /* done before the checkpoint: not again */
    }
    pthread_mutex_unlock(&feed->lock);
    if (!got) {
      e->feed_done = 1;
      return;
    }
    start_target(e, &item, pseq);
  }
}

static void target_free(struct engine *e, uint32_t t) {
  struct target_state *ts = &e->targets[t];
  side_give(&e->extras, &ts->extras);
  ciphers_release(e, ts);
  ts->used = 0;
  ts->next = e->free_targets;
  e->free_targets = t;
  e->targets_used--;
}

void drop_unstarted(struct engine *e) {
  uint32_t keep_head = NONE, keep_tail = NONE;
  for (uint32_t t = fifo_pop(e); t != NONE; t = fifo_pop(e)) {
    struct target_state *ts = &e->targets[t];
    int started = ts->active > 0;
    for (int pv = 0; pv < PV_COUNT && !started; pv++) {
      started = ts->attempts[pv] > 0;
    }
    if (started) {
      ts->next = NONE;
      ts->queued = 1;
      if (keep_tail == NONE) {
        keep_head = t;
      } else {
        e->targets[keep_tail].next = t;
      }
      keep_tail = t;
      continue;
    }
    stat_add(&e->sh->not_started, 1);
    unbind_target(e, ts);
    target_free(e, t);
  }
  e->fifo_head = keep_head;
  e->fifo_tail = keep_tail;
}

/* ---- the record ------------------------------------------------------------------ */

static void version_out(const struct verdict *v, const struct target_extras *x, unsigned at,
                        struct version_result *out) {
  out->outcome = (enum probe_outcome)v->outcome;
  out->reason = (enum reject_reason)v->reason;
  out->stage = (enum probe_stage)v->stage;
  out->error = v->error;
  out->server_version = v->server_version;
  out->cipher_suite = v->cipher_suite;
  out->key_share_group = v->key_share_group;
  out->alert = v->alert;
  out->alert_level = v->alert_level;
  out->malformed = (enum tp_malformed)v->malformed;
  out->downgrade = (enum tp_downgrade)v->downgrade;
  out->hello_retry = v->hello_retry;
  out->unsolicited_exts = v->unsolicited_exts;
  out->warnings = v->warnings;
  out->last_warning = v->last_warning;
  out->ms = v->ms;
  out->attempts = v->attempts;
  if (v->has_ja3s) {
    out->has_ja3s = 1;
    memcpy(out->ja3s, v->ja3s, sizeof(out->ja3s));
  } else {
    out->stage_name = v->stage_name;
    out->reason_name = v->reason_name;
  }
  out->hello_minimal = v->hello_minimal;
  out->hello_key_share = v->hello_key_share;
  if (x != NULL) {
    out->first_len = x->first_len[at];
    memcpy(out->first_bytes, x->first_bytes[at], x->first_len[at]);
    out->reply_len = x->reply_len[at];
    memcpy(out->reply, x->reply[at], x->reply_len[at]);
    if (at < PV_COUNT) {
      out->confirm = x->confirm[at];
    }
  }
}

/* build_record rebuilds the target's full record in the engine's scratch. */
static struct scan_result *build_record(struct engine *e, struct target_state *ts) {
  struct scan_result *r = &e->scratch;
  const struct target_extras *x = ts->extras != NONE ? side_at(&e->extras, ts->extras) : NULL;
  memset(r, 0, offsetof(struct scan_result, cert));
  memset(r->v, 0, sizeof(r->v));
  packed_item_unpack(&ts->item.p, item_storage(e, ts), &e->scratch_item);
  r->item = &e->scratch_item;
  r->pseq = ts->pseq;
  r->status = (enum target_status)ts->status;
  r->versions_selected = e->cfg->versions;
  r->policies = e->cfg->policies;
  if (ts->addrlen != 0) {
    const void *a = ts->addr.sa.sa_family == AF_INET ? (const void *)&ts->addr.v4.sin_addr
                                                     : (const void *)&ts->addr.v6.sin6_addr;
    inet_ntop(ts->addr.sa.sa_family, a, r->ip, sizeof(r->ip));
  }
  snprintf(r->sni, sizeof(r->sni), "%s", target_sni(e, ts));
  if (r->status == STATUS_INVALID) {
    snprintf(r->error, sizeof(r->error), "%s", e->scratch_item.error);
  } else if (ts->error.family != 0) {
    snprintf(r->error, sizeof(r->error), "an IPv%d address, and the scan is --ipv%d-only",
             ts->error.family, e->cfg->family);
  } else if (ts->error.errnum != 0) {
    snprintf(r->error, sizeof(r->error), "%s: %s", ts->error.text, strerror(ts->error.errnum));
  } else if (ts->error.text != NULL) {
    snprintf(r->error, sizeof(r->error), "%s", ts->error.text);
  }
  for (int pv = 0; pv < PV_COUNT; pv++) {
    version_out(&ts->v[pv], x, (unsigned)pv, &r->v[pv]);
  }
  r->fallback_pv = ts->fallback_pv;
  version_out(&ts->fallback, x, PV_COUNT, &r->fallback);
  ciphers_record(e, ts, r);
  if (x != NULL && x->has_cert) {
    r->has_cert = 1;
    r->cert = x->cert;
  }
  r->scan_ms = (uint32_t)((now_ns() - ts->start_ns) / 1000000);
  return r;
}

static void count_record(struct engine *e, const struct scan_result *r) {
  int legacy, min_pv, max_pv;
  scan_result_summary(r, &legacy, &min_pv, &max_pv);
  struct scan_stats *st = &e->sh->stats;
  stat_add(&st->targets_done, 1);
  stat_add(&st->status_count[r->status], 1);
  if (legacy) {
    stat_add(&st->legacy_targets, 1);
  }
  if (scan_result_legacy_app(r) == 1) {
    stat_add(&st->legacy_app_targets, 1);
  }
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (r->v[pv].outcome == OUTCOME_ACCEPTED) {
      stat_add(&st->accepted[pv], 1);
    }
    if (r->status == STATUS_OK && (r->versions_selected & (1u << pv))) {
      stat_add(&st->outcomes[pv][r->v[pv].outcome], 1);
    }
    const struct confirm_result *cr = &r->v[pv].confirm;
    if (cr->runs > 0) {
      stat_add(&st->confirm_runs[pv], cr->runs);
      stat_add(&st->confirm_handshakes[pv], cr->handshake_ok_runs);
      stat_add(&st->confirm_app_ok[pv], cr->app_ok_runs);
      stat_add(&st->confirm_app_refused[pv], cr->app_refused_runs);
    }
  }
}

/* next_address moves a target on to its name's next address
 * (--all-addresses), once its record for this one is written. */
static void next_address(struct engine *e, uint32_t t) {
  struct target_state *ts = &e->targets[t];
  struct target_extras *x = side_at(&e->extras, ts->extras);
  const struct sockaddr *sa = (const struct sockaddr *)&x->more[ts->next_more++];
  memset(x->first_len, 0, sizeof(x->first_len));
  memset(x->reply_len, 0, sizeof(x->reply_len));
  memset(x->confirm, 0, sizeof(x->confirm));
  x->has_cert = 0;
  ciphers_release(e, ts);
  progress_reset(e, ts);
  ts->status = STATUS_OK;
  memset(&ts->error, 0, sizeof(ts->error));
  if (sa->sa_family == AF_INET) {
    set_sockaddr(ts, AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ts->item.p.port);
  } else {
    set_sockaddr(ts, AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ts->item.p.port);
  }
  target_ready(e, t);
}

void finish_target(struct engine *e, uint32_t t) {
  struct target_state *ts = &e->targets[t];
  const struct scan_result *r = build_record(e, ts);
  count_record(e, r);
  pthread_mutex_lock(&e->sh->sink_lock);
  e->sh->sink.on_result(e->sh->sink.ctx, r);
  pthread_mutex_unlock(&e->sh->sink_lock);
  unbind_target(e, ts);
  if (ts->next_more < ts->nmore && ts->status != STATUS_INVALID) {
    next_address(e, t); /* the record is written: the same target goes on */
    return;
  }
  target_free(e, t);
}
