/* scanner/engine/schedule.c: which target gets the next free slot.
 *
 * Targets wait in one FIFO. Each round gives free slots to them in order:
 * a target's next version to probe, else (once its probes are in) the
 * fallback probe, else its versions' next cipher connections (--ciphers),
 * else its next confirmation run, several of which may run
 * side by side as --per-host allows. A connection starts only with a place
 * under --per-host and --per-network (politeness.c) and a token of --rate;
 * a target held by either keeps its place at the front for the next round,
 * so the order in which targets were read is the order in which they are
 * served. */
#include <string.h>

#include "scanner/engine/internal.h"

/* next_version is the lowest version still to probe, or -1. */
static int next_version(uint32_t versions_left) {
  return versions_left == 0 ? -1 : __builtin_ctz(versions_left);
}

/* hold puts |t| on the deferred list, which goes back in front of the FIFO
 * at the end of the round, in order. */
static void hold(struct engine *e, uint32_t t, uint32_t *head, uint32_t *tail) {
  struct target_state *ts = &e->targets[t];
  ts->next = NONE;
  ts->queued = 1;
  if (*tail == NONE) {
    *head = t;
  } else {
    e->targets[*tail].next = t;
  }
  *tail = t;
}

uint64_t start_connections(struct engine *e) {
  e->held_by_cap = 0;
  unsigned budget = e->slots.nfree;
  uint32_t deferred_head = NONE, deferred_tail = NONE;
  uint64_t wait = 0;
  while (budget > 0 && e->fifo_head != NONE) {
    uint32_t t = fifo_pop(e);
    struct target_state *ts = &e->targets[t];
    int pv = next_version(ts->versions_left);
    int confirm = 0, fallback = 0, ciphers = 0;
    if (pv < 0 && ts->active == 0 && ts->fallback_due) {
      pv = ts->fallback_pv;
      fallback = 1;
    } else if (pv < 0 && ts->ciphers_due != 0) {
      /* --ciphers: one connection per version at a time, versions side by
       * side as --per-host allows. */
      pv = next_ciphers_version(ts);
      ciphers = 1;
    } else if (pv < 0 && (ts->active == 0 || ts->confirm_planned)) {
      /* Confirmations start once every probe of the target is in; then
       * several may run at once, as --per-host allows. */
      if (e->cfg->bench.deadline_ns != 0 && now_ns() >= e->cfg->bench.deadline_ns) {
        memset(ts->confirm_left, 0, sizeof(ts->confirm_left)); /* --duration is up */
      }
      pv = next_confirm_version(ts);
      confirm = 1;
    }
    if (pv < 0 || ts->status != STATUS_OK) {
      continue; /* conn_settle finishes it when its last connection ends */
    }
    uint64_t w = 0;
    int held = !admit(e, ts);
    /* Held while none of its own connections is open: what holds it is
     * another target's connection, perhaps another engine's. */
    e->held_by_cap |= held && ts->active == 0;
    if (!held && rate_limiter_take(e->sh->limiter, 1, now_ns(), &w) == 0) {
      release_place(e, ts);
      wait = w;
      held = 1; /* keep its place at the front */
      budget = 0;
    }
    if (held) {
      hold(e, t, &deferred_head, &deferred_tail);
      continue;
    }
    if (confirm) {
      start_confirm(e, t, pv);
      if (confirm_pending(ts)) {
        fifo_push(e, t); /* more runs of the same target may start beside it */
      }
    } else if (ciphers) {
      start_ciphers(e, t, pv);
      if (ts->ciphers_due != 0) {
        fifo_push(e, t);
      }
    } else {
      start_probe(e, t, pv, fallback);
    }
    budget--;
  }
  if (deferred_head != NONE) {
    e->targets[deferred_tail].next = e->fifo_head;
    if (e->fifo_tail == NONE) {
      e->fifo_tail = deferred_tail;
    }
    e->fifo_head = deferred_head;
  }
  return wait;
}
