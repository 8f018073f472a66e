/* scanner/engine/politeness.c: how hard the scan presses on the servers it
 * touches: the --rate token bucket, and the connections in flight per
 * address (--per-host) and per network (--per-network).
 *
 * Both are shared by every engine thread, so that the limits hold for the
 * whole scan, not per thread. The in-flight counts are one pair of tables
 * (inflight.h) under one lock, held for a lookup or two per connection: a
 * target is bound to its keys while it is in flight (so the tables never
 * need to grow), and each connection takes a place under both caps before
 * it starts (admit) and gives it back when its slot is freed. Without
 * --per-network (the default) the network table is not kept at all: its
 * lookups were half the cost, in cache misses, of a table the size of the
 * scan's targets. */
#include <pthread.h>
#include <string.h>

#include "scanner/engine/inflight.h"
#include "scanner/engine/internal.h"

void rate_limiter_init(struct rate_limiter *rl, double rate) {
  pthread_mutex_init(&rl->lock, NULL);
  rl->rate = rate;
  rl->burst = rate / 10 < 1 ? 1 : rate / 10;
  rl->tokens = rl->burst;
  rl->last_ns = 0;
}

unsigned rate_limiter_take(struct rate_limiter *rl, unsigned want, uint64_t now,
                           uint64_t *wait_ns) {
  if (rl->rate <= 0) {
    return want;
  }
  pthread_mutex_lock(&rl->lock);
  if (rl->last_ns == 0) {
    rl->last_ns = now;
  }
  if (now > rl->last_ns) {
    rl->tokens += (double)(now - rl->last_ns) * 1e-9 * rl->rate;
    if (rl->tokens > rl->burst) {
      rl->tokens = rl->burst;
    }
    rl->last_ns = now;
  }
  unsigned got = rl->tokens >= want ? want : (unsigned)rl->tokens;
  rl->tokens -= got;
  if (got == 0) {
    *wait_ns = (uint64_t)((1.0 - rl->tokens) / rl->rate * 1e9) + 1;
  }
  pthread_mutex_unlock(&rl->lock);
  return got;
}

int politeness_init(struct politeness *p, uint32_t targets) {
  memset(p, 0, sizeof(*p));
  if (pthread_mutex_init(&p->lock, NULL) != 0) {
    return 0;
  }
  if (!inflight_init(&p->per_host, targets) || !inflight_init(&p->per_net, targets)) {
    politeness_free(p);
    return 0;
  }
  return 1;
}

void politeness_free(struct politeness *p) {
  inflight_free(&p->per_host);
  inflight_free(&p->per_net);
  pthread_mutex_destroy(&p->lock);
}

/* target_keys makes the in-flight keys of a target's address: its own, and
 * its network's when --per-network counts networks (returns whether). */
static int target_keys(const struct engine *e, const struct target_state *ts,
                       struct inflight_key *host, struct inflight_key *net) {
  inflight_key_of(&ts->addr.sa, 32, 128, host);
  if (e->cfg->per_network == 0) {
    return 0;
  }
  inflight_key_of(&ts->addr.sa, e->cfg->net_prefix4, e->cfg->net_prefix6, net);
  return 1;
}

/* bind_target makes a target count in the in-flight tables; they are sized
 * for every engine's targets at once, so this cannot fail. */
void bind_target(struct engine *e, struct target_state *ts) {
  struct inflight_key host, net;
  int nets = target_keys(e, ts, &host, &net);
  pthread_mutex_lock(&e->polite->lock);
  inflight_ref(&e->polite->per_host, &host);
  if (nets) {
    inflight_ref(&e->polite->per_net, &net);
  }
  pthread_mutex_unlock(&e->polite->lock);
  ts->bound = 1;
}

void unbind_target(struct engine *e, struct target_state *ts) {
  if (!ts->bound) {
    return;
  }
  struct inflight_key host, net;
  int nets = target_keys(e, ts, &host, &net);
  pthread_mutex_lock(&e->polite->lock);
  inflight_unref(&e->polite->per_host, &host);
  if (nets) {
    inflight_unref(&e->polite->per_net, &net);
  }
  pthread_mutex_unlock(&e->polite->lock);
  ts->bound = 0;
}

/* admit takes a place for one more connection to the target's address and
 * network, unless that would pass --per-host or --per-network (checked and
 * counted under one lock, so two engines cannot both take the last place).
 * Returns 1 when admitted; release_place gives the place back. */
int admit(struct engine *e, const struct target_state *ts) {
  struct inflight_key host, net;
  int nets = target_keys(e, ts, &host, &net);
  /* A bench's handshakes all go to one address: its own concurrency is the cap. */
  unsigned per_host = e->cfg->bench.version != 0 ? e->cfg->bench.concurrency : e->cfg->per_host;
  struct politeness *p = e->polite;
  pthread_mutex_lock(&p->lock);
  struct inflight_entry *h = inflight_find(&p->per_host, &host);
  struct inflight_entry *n = nets ? inflight_find(&p->per_net, &net) : NULL;
  int ok = !(h != NULL && h->count >= per_host) &&
           !(n != NULL && n->count >= e->cfg->per_network);
  if (ok) {
    if (h != NULL) {
      h->count++;
    }
    if (n != NULL) {
      n->count++;
    }
  }
  pthread_mutex_unlock(&p->lock);
  return ok;
}

void release_place(struct engine *e, const struct target_state *ts) {
  struct inflight_key host, net;
  int nets = target_keys(e, ts, &host, &net);
  struct politeness *p = e->polite;
  pthread_mutex_lock(&p->lock);
  struct inflight_entry *h = inflight_find(&p->per_host, &host);
  struct inflight_entry *n = nets ? inflight_find(&p->per_net, &net) : NULL;
  if (h != NULL) {
    h->count--;
  }
  if (n != NULL) {
    n->count--;
  }
  pthread_mutex_unlock(&p->lock);
}
