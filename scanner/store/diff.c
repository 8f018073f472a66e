/* scanner/store/diff.c: two runs compared (see diff.h).
 *
 * Each run is read as a stream of endpoints in endpoint order (one query
 * per run: an observation per endpoint and address, its versions and its
 * certificate), and the two streams are merged, so memory holds two
 * endpoints, never a run. Tenants are merged the same way, by name; the
 * runs' refusal totals come from one aggregate query each. */
#include "scanner/store/diff.h"

#include <stdio.h>
#include <string.h>

#include "scanner/base/stats.h"
#include "scanner/store/internal.h"

static const char *const kVersions[] = {"ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"};
#define NVERSIONS 5
/* SSLv3, TLS 1.0 and 1.1: the versions being retired. */
#define LEGACY_VERSIONS 3

const char *diff_direction_name(enum diff_direction d) {
  static const char *const names[] = {"worse", "better", "changed"};
  return names[d];
}

const char *diff_scope_name(enum diff_scope s) {
  static const char *const names[] = {"endpoint", "tenant", "run"};
  return names[s];
}

static int version_index(const char *name) {
  for (int i = 0; name != NULL && i < NVERSIONS; i++) {
    if (strcmp(name, kVersions[i]) == 0) {
      return i;
    }
  }
  return -1;
}

/* One endpoint of one run, over its observations (one per address). */
struct endpoint_state {
  int64_t id;
  char url[600];
  char status[24];
  unsigned accepted, rejected;   /* masks over kVersions */
  int legacy_app;                /* 1 works, 0 refused or failed, -1 not confirmed */
  char cert[65];                 /* fingerprint, "" without a certificate */
  char key[160];                 /* the key's fingerprint, or type/bits/curve */
  int cert_expired;
  uint64_t handshakes[NVERSIONS], refused[NVERSIONS];
};

/* An observation per endpoint and address: a record written once per
 * tenant is read once. */
static const char kEndpointsSql[] =
    "WITH obs AS (SELECT min(id) AS id FROM observations WHERE run_id = ?1 AND "
    "endpoint_id IS NOT NULL GROUP BY endpoint_id, ip) "
    "SELECT o.endpoint_id, e.proto, e.host, e.port, o.status, o.legacy_app, c.sha256, "
    "c.key_sha256, c.key_type, c.key_bits, c.key_curve, o.cert_expired, v.version, v.verdict, "
    "v.handshake_ok, v.app_refused, o.id "
    "FROM obs JOIN observations o ON o.id = obs.id JOIN endpoints e ON e.id = o.endpoint_id "
    "LEFT JOIN certificates c ON c.id = o.cert_id "
    "LEFT JOIN versions v ON v.observation_id = o.id "
    "ORDER BY o.endpoint_id, o.id";

struct cursor {
  sqlite3_stmt *st;
  int rc;                         /* of the last step: SQLITE_ROW while rows remain */
};

static const char *col_text(sqlite3_stmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st, i);
  return t != NULL ? (const char *)t : NULL;
}

static void endpoint_url(sqlite3_stmt *st, char *out, size_t cap) {
  const char *proto = col_text(st, 1), *host = col_text(st, 2);
  int port = sqlite3_column_int(st, 3);
  if (host != NULL && strchr(host, ':') != NULL) {
    snprintf(out, cap, "%s://[%s]:%d", proto, host, port);
  } else {
    snprintf(out, cap, "%s://%s:%d", proto, host ? host : "", port);
  }
}

/* next_endpoint reads the rows of the cursor's next endpoint into |e|.
 * Returns 1, or 0 when there is none. */
static int next_endpoint(struct cursor *c, struct endpoint_state *e) {
  if (c->rc != SQLITE_ROW) {
    return 0;
  }
  sqlite3_stmt *st = c->st;
  memset(e, 0, sizeof(*e));
  e->id = sqlite3_column_int64(st, 0);
  e->legacy_app = -1;
  endpoint_url(st, e->url, sizeof(e->url));
  int64_t last_obs = 0;
  while (c->rc == SQLITE_ROW && sqlite3_column_int64(st, 0) == e->id) {
    int64_t obs = sqlite3_column_int64(st, 16);
    if (obs != last_obs) {
      last_obs = obs;
      const char *status = col_text(st, 4);
      /* An endpoint answers when one of its addresses does. */
      if (e->status[0] == '\0' || (status != NULL && strcmp(status, "ok") == 0)) {
        snprintf(e->status, sizeof(e->status), "%s", status ? status : "");
      }
      if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
        int app = sqlite3_column_int(st, 5);
        e->legacy_app = app > e->legacy_app ? app : e->legacy_app;
      }
      const char *sha = col_text(st, 6);
      if (sha != NULL) {
        snprintf(e->cert, sizeof(e->cert), "%s", sha);
        const char *ksha = col_text(st, 7);
        if (ksha != NULL) {
          snprintf(e->key, sizeof(e->key), "%s", ksha);
        } else {
          snprintf(e->key, sizeof(e->key), "%s/%d/%s", col_text(st, 8) ? col_text(st, 8) : "",
                   sqlite3_column_int(st, 9), col_text(st, 10) ? col_text(st, 10) : "");
        }
        e->cert_expired |= sqlite3_column_int(st, 11);
      }
    }
    int v = version_index(col_text(st, 12));
    const char *verdict = col_text(st, 13);
    if (v >= 0 && verdict != NULL) {
      if (strcmp(verdict, "accepted") == 0) {
        e->accepted |= 1u << v;
      } else if (strcmp(verdict, "rejected") == 0) {
        e->rejected |= 1u << v;
      }
      e->handshakes[v] += (uint64_t)sqlite3_column_int64(st, 14);
      e->refused[v] += (uint64_t)sqlite3_column_int64(st, 15);
    }
    c->rc = sqlite3_step(st);
  }
  return 1;
}

struct differ {
  struct store *s;
  void (*fn)(void *ctx, const struct diff_change *c);
  void *ctx;
};

static void emit(struct differ *d, enum diff_direction dir, enum diff_scope scope,
                 const char *subject, const char *change, const char *version,
                 const char *before, const char *after) {
  struct diff_change c = {
      .direction = dir,
      .scope = scope,
      .subject = subject,
      .change = change,
      .version = version,
      .before = before,
      .after = after,
  };
  d->fn(d->ctx, &c);
}

static void make_rate(uint64_t refused, uint64_t handshakes, struct diff_rate *r) {
  r->refused = refused;
  r->handshakes = handshakes;
  wilson_interval(refused, handshakes, STATS_Z_95, &r->lo, &r->hi);
}

/* compare_rates reports a refusal rate that moved beyond both intervals. */
static void compare_rates(struct differ *d, enum diff_scope scope, const char *subject,
                          const char *version, uint64_t ra, uint64_t na, uint64_t rb,
                          uint64_t nb) {
  if (na == 0 || nb == 0) {
    return;
  }
  struct diff_change c = {.scope = scope, .subject = subject, .version = version, .has_rate = 1};
  make_rate(ra, na, &c.rate_a);
  make_rate(rb, nb, &c.rate_b);
  if (c.rate_b.hi < c.rate_a.lo) {
    c.direction = DIFF_WORSE;
    c.change = "refusal_rate_down";
  } else if (c.rate_b.lo > c.rate_a.hi) {
    c.direction = DIFF_BETTER;
    c.change = "refusal_rate_up";
  } else {
    return;
  }
  d->fn(d->ctx, &c);
}

static const char *accepted_list(unsigned mask, char *buf, size_t cap) {
  buf[0] = '\0';
  size_t n = 0;
  for (int v = 0; v < NVERSIONS; v++) {
    if (mask & (1u << v)) {
      n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? "," : "", kVersions[v]);
    }
  }
  return n ? buf : "none";
}

static void compare_endpoints(struct differ *d, const struct endpoint_state *a,
                              const struct endpoint_state *b) {
  const char *u = b->url;
  if (strcmp(a->status, b->status) != 0) {
    emit(d, DIFF_CHANGED, DIFF_ENDPOINT, u, "status", NULL, a->status, b->status);
  }
  if (strcmp(a->status, "ok") != 0 || strcmp(b->status, "ok") != 0) {
    return;
  }
  for (int v = 0; v < NVERSIONS; v++) {
    unsigned bit = 1u << v;
    int known = ((a->accepted | a->rejected) & bit) && ((b->accepted | b->rejected) & bit);
    if (!known || (a->accepted & bit) == (b->accepted & bit)) {
      continue;
    }
    int legacy = v < LEGACY_VERSIONS;
    if (b->accepted & bit) {
      emit(d, legacy ? DIFF_WORSE : DIFF_CHANGED, DIFF_ENDPOINT, u, "accepts", kVersions[v],
           "rejected", "accepted");
    } else {
      emit(d, legacy ? DIFF_BETTER : DIFF_CHANGED, DIFF_ENDPOINT, u, "stopped_accepting",
           kVersions[v], "accepted", "rejected");
    }
  }
  if (a->legacy_app == 0 && b->legacy_app == 1) {
    emit(d, DIFF_WORSE, DIFF_ENDPOINT, u, "app_works", NULL, "refused", "works");
  } else if (a->legacy_app == 1 && b->legacy_app == 0) {
    emit(d, DIFF_BETTER, DIFF_ENDPOINT, u, "app_refuses", NULL, "works", "refused");
  }
  for (int v = 0; v < NVERSIONS; v++) {
    compare_rates(d, DIFF_ENDPOINT, u, kVersions[v], a->refused[v], a->handshakes[v],
                  b->refused[v], b->handshakes[v]);
  }
  if (a->cert[0] != '\0' && b->cert[0] != '\0') {
    if (strcmp(a->cert, b->cert) != 0) {
      int same_key = strcmp(a->key, b->key) == 0;
      emit(d, same_key ? DIFF_CHANGED : DIFF_WORSE, DIFF_ENDPOINT, u,
           same_key ? "cert_changed" : "cert_key_changed", NULL, a->cert, b->cert);
    }
    if (!a->cert_expired && b->cert_expired) {
      emit(d, DIFF_WORSE, DIFF_ENDPOINT, u, "cert_expired", NULL, a->cert, b->cert);
    } else if (a->cert_expired && !b->cert_expired) {
      emit(d, DIFF_BETTER, DIFF_ENDPOINT, u, "cert_renewed", NULL, a->cert, b->cert);
    }
  }
}

static int open_cursor(struct store *s, int64_t run, struct cursor *c) {
  if (sqlite3_prepare_v2(s->db, kEndpointsSql, -1, &c->st, NULL) != SQLITE_OK) {
    c->st = NULL;
    return store_fail(s, "reading a run's endpoints");
  }
  sqlite3_bind_int64(c->st, 1, run);
  c->rc = sqlite3_step(c->st);
  return 1;
}

static int diff_endpoints(struct differ *d, int64_t a, int64_t b) {
  struct cursor ca, cb;
  if (!open_cursor(d->s, a, &ca)) {
    return 0;
  }
  if (!open_cursor(d->s, b, &cb)) {
    sqlite3_finalize(ca.st);
    return 0;
  }
  struct endpoint_state ea, eb;
  int ha = next_endpoint(&ca, &ea), hb = next_endpoint(&cb, &eb);
  char list[64];
  while (ha || hb) {
    if (ha && (!hb || ea.id < eb.id)) {
      emit(d, DIFF_CHANGED, DIFF_ENDPOINT, ea.url, "vanished", NULL,
           accepted_list(ea.accepted, list, sizeof(list)), NULL);
      ha = next_endpoint(&ca, &ea);
    } else if (hb && (!ha || eb.id < ea.id)) {
      emit(d, DIFF_CHANGED, DIFF_ENDPOINT, eb.url, "appeared", NULL, NULL,
           accepted_list(eb.accepted, list, sizeof(list)));
      hb = next_endpoint(&cb, &eb);
    } else {
      compare_endpoints(d, &ea, &eb);
      ha = next_endpoint(&ca, &ea);
      hb = next_endpoint(&cb, &eb);
    }
  }
  int ok = (ca.rc == SQLITE_DONE && cb.rc == SQLITE_DONE) ||
           store_fail(d->s, "reading a run's endpoints");
  sqlite3_finalize(ca.st);
  sqlite3_finalize(cb.st);
  return ok;
}

/* ---- tenants ----------------------------------------------------------------------- */

struct tenant_state {
  char name[256];
  char verdict[24];
  int64_t confirmed;
};

static int next_tenant(struct cursor *c, struct tenant_state *t) {
  if (c->rc != SQLITE_ROW) {
    return 0;
  }
  snprintf(t->name, sizeof(t->name), "%s", col_text(c->st, 0) ? col_text(c->st, 0) : "");
  snprintf(t->verdict, sizeof(t->verdict), "%s", col_text(c->st, 1) ? col_text(c->st, 1) : "");
  t->confirmed = sqlite3_column_int64(c->st, 2);
  c->rc = sqlite3_step(c->st);
  return 1;
}

static int open_tenants(struct store *s, int64_t run, struct cursor *c) {
  if (sqlite3_prepare_v2(s->db,
                         "SELECT tenant, verdict, confirmed FROM tenants WHERE run_id = ?1 "
                         "ORDER BY tenant",
                         -1, &c->st, NULL) != SQLITE_OK) {
    c->st = NULL;
    return store_fail(s, "reading a run's tenants");
  }
  sqlite3_bind_int64(c->st, 1, run);
  c->rc = sqlite3_step(c->st);
  return 1;
}

static void compare_tenants(struct differ *d, const struct tenant_state *a,
                            const struct tenant_state *b) {
  int la = strcmp(a->verdict, "legacy") == 0, lb = strcmp(b->verdict, "legacy") == 0;
  if (strcmp(a->verdict, b->verdict) != 0) {
    emit(d, lb && !la ? DIFF_WORSE : la && !lb ? DIFF_BETTER : DIFF_CHANGED, DIFF_TENANT, b->name,
         "verdict", NULL, a->verdict, b->verdict);
  }
  if (a->confirmed != b->confirmed) {
    char before[24], after[24];
    snprintf(before, sizeof(before), "%lld", (long long)a->confirmed);
    snprintf(after, sizeof(after), "%lld", (long long)b->confirmed);
    emit(d, b->confirmed > a->confirmed ? DIFF_WORSE : DIFF_BETTER, DIFF_TENANT, b->name,
         "legacy_confirmed", NULL, before, after);
  }
}

static int diff_tenants(struct differ *d, int64_t a, int64_t b) {
  struct cursor ca, cb;
  if (!open_tenants(d->s, a, &ca)) {
    return 0;
  }
  if (!open_tenants(d->s, b, &cb)) {
    sqlite3_finalize(ca.st);
    return 0;
  }
  struct tenant_state ta, tb;
  int ha = next_tenant(&ca, &ta), hb = next_tenant(&cb, &tb);
  while (ha || hb) {
    int cmp = !ha ? 1 : !hb ? -1 : strcmp(ta.name, tb.name);
    if (cmp < 0) {
      emit(d, DIFF_CHANGED, DIFF_TENANT, ta.name, "vanished", NULL, ta.verdict, NULL);
      ha = next_tenant(&ca, &ta);
    } else if (cmp > 0) {
      emit(d, DIFF_CHANGED, DIFF_TENANT, tb.name, "appeared", NULL, NULL, tb.verdict);
      hb = next_tenant(&cb, &tb);
    } else {
      compare_tenants(d, &ta, &tb);
      ha = next_tenant(&ca, &ta);
      hb = next_tenant(&cb, &tb);
    }
  }
  int ok = (ca.rc == SQLITE_DONE && cb.rc == SQLITE_DONE) ||
           store_fail(d->s, "reading a run's tenants");
  sqlite3_finalize(ca.st);
  sqlite3_finalize(cb.st);
  return ok;
}

/* ---- the runs as a whole ---------------------------------------------------------- */

/* run_totals adds up a run's completed and refused confirmations per
 * version, an observation per endpoint and address. */
static int run_totals(struct store *s, int64_t run, uint64_t *handshakes, uint64_t *refused) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db,
                         "WITH obs AS (SELECT min(id) AS id FROM observations WHERE run_id = ?1 "
                         "GROUP BY endpoint_id, ip) "
                         "SELECT v.version, sum(v.handshake_ok), sum(v.app_refused) FROM obs "
                         "JOIN versions v ON v.observation_id = obs.id GROUP BY v.version",
                         -1, &st, NULL) != SQLITE_OK) {
    return store_fail(s, "adding up a run's refusals");
  }
  sqlite3_bind_int64(st, 1, run);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int v = version_index(col_text(st, 0));
    if (v >= 0) {
      handshakes[v] = (uint64_t)sqlite3_column_int64(st, 1);
      refused[v] = (uint64_t)sqlite3_column_int64(st, 2);
    }
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 1 : store_fail(s, "adding up a run's refusals");
}

int store_diff(struct store *s, int64_t a, int64_t b,
               void (*fn)(void *ctx, const struct diff_change *c), void *ctx) {
  struct differ d = {.s = s, .fn = fn, .ctx = ctx};
  uint64_t na[NVERSIONS] = {0}, ra[NVERSIONS] = {0}, nb[NVERSIONS] = {0}, rb[NVERSIONS] = {0};
  if (!diff_endpoints(&d, a, b) || !diff_tenants(&d, a, b) || !run_totals(s, a, na, ra) ||
      !run_totals(s, b, nb, rb)) {
    return 0;
  }
  for (int v = 0; v < NVERSIONS; v++) {
    compare_rates(&d, DIFF_RUN, "run", kVersions[v], ra[v], na[v], rb[v], nb[v]);
  }
  return 1;
}
