/* scanner/store/history.c: the time series of a store (see history.h).
 *
 * The runs are listed first (there are few: one a week for years is a few
 * hundred), then each is asked about with a handful of aggregate queries,
 * an observation per endpoint and address, as diff.c counts them. */
#include "scanner/store/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/base/stats.h"
#include "scanner/store/internal.h"

const char STORE_EVERY_TENANT[] = "";

const char *const store_version_names[STORE_VERSIONS] = {"ssl3", "tls1.0", "tls1.1", "tls1.2",
                                                         "tls1.3"};

static int version_index(const char *name) {
  for (int i = 0; name != NULL && i < STORE_VERSIONS; i++) {
    if (strcmp(name, store_version_names[i]) == 0) {
      return i;
    }
  }
  return -1;
}

static const char *col_text(sqlite3_stmt *st, int i) {
  return (const char *)sqlite3_column_text(st, i);
}

struct run_list {
  struct store_run *v;
  size_t n, cap;
  int oom;
};

static void add_run(void *ctx, const struct store_run *r) {
  struct run_list *l = ctx;
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 64;
    struct store_run *p = realloc(l->v, cap * sizeof(*p));
    if (p == NULL) {
      l->oom = 1;
      return;
    }
    l->v = p;
    l->cap = cap;
  }
  l->v[l->n++] = *r;
}

/* query runs |sql| with integer |a| and text-or-integer parameters, and
 * calls |row| per row. */
struct query {
  const char *sql;
  int64_t run;
  int64_t endpoint;             /* ?2 when the query takes an endpoint */
  const char *text;             /* ?2 when the query takes a text */
};

static int run_query(struct store *s, const struct query *q,
                     void (*row)(void *ctx, sqlite3_stmt *st), void *ctx) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db, q->sql, -1, &st, NULL) != SQLITE_OK) {
    return store_fail(s, "reading the history");
  }
  sqlite3_bind_int64(st, 1, q->run);
  if (q->text != NULL) {
    sqlite3_bind_text(st, 2, q->text, -1, SQLITE_STATIC);
  } else if (q->endpoint != 0) {
    sqlite3_bind_int64(st, 2, q->endpoint);
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    row(ctx, st);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 1 : store_fail(s, "reading the history");
}

/* rate_row reads (version, handshakes, refused) into the point's rates. */
static void rate_row(void *ctx, sqlite3_stmt *st) {
  struct history_point *p = ctx;
  int v = version_index(col_text(st, 0));
  if (v >= 0) {
    p->rate[v].handshakes = (uint64_t)sqlite3_column_int64(st, 1);
    p->rate[v].refused = (uint64_t)sqlite3_column_int64(st, 2);
  }
}

static void finish_rates(struct history_point *p) {
  for (int v = 0; v < STORE_VERSIONS; v++) {
    wilson_interval(p->rate[v].refused, p->rate[v].handshakes, STATS_Z_95, &p->rate[v].lo,
                    &p->rate[v].hi);
  }
}

/* ---- the whole run ------------------------------------------------------------------- */

static void counts_row(void *ctx, sqlite3_stmt *st) {
  struct history_point *p = ctx;
  p->endpoints = sqlite3_column_int64(st, 0);
  p->answering = sqlite3_column_int64(st, 1);
  p->legacy = sqlite3_column_int64(st, 2);
  p->legacy_app = sqlite3_column_int64(st, 3);
}

static void tenants_row(void *ctx, sqlite3_stmt *st) {
  struct history_point *p = ctx;
  p->tenants = sqlite3_column_int64(st, 0);
  p->tenants_legacy = sqlite3_column_int64(st, 1);
}

#define OBS_OF_RUN                                                                     \
  "WITH obs AS (SELECT min(id) AS id FROM observations WHERE run_id = ?1 AND "        \
  "endpoint_id IS NOT NULL GROUP BY endpoint_id, ip) "

static int run_point(struct store *s, struct history_point *p) {
  struct query counts = {
      .sql = OBS_OF_RUN
      "SELECT count(DISTINCT o.endpoint_id), "
      "count(DISTINCT CASE WHEN o.status = 'ok' THEN o.endpoint_id END), "
      "count(DISTINCT CASE WHEN o.legacy = 1 THEN o.endpoint_id END), "
      "count(DISTINCT CASE WHEN o.legacy_app = 1 THEN o.endpoint_id END) "
      "FROM obs JOIN observations o ON o.id = obs.id",
      .run = p->run.id,
  };
  struct query tenants = {
      .sql = "SELECT count(*), coalesce(sum(verdict = 'legacy'), 0) FROM tenants "
             "WHERE run_id = ?1",
      .run = p->run.id,
  };
  struct query rates = {
      .sql = OBS_OF_RUN
      "SELECT v.version, sum(v.handshake_ok), sum(v.app_refused) FROM obs "
      "JOIN versions v ON v.observation_id = obs.id GROUP BY v.version",
      .run = p->run.id,
  };
  return run_query(s, &counts, counts_row, p) && run_query(s, &tenants, tenants_row, p) &&
         run_query(s, &rates, rate_row, p);
}

/* ---- one tenant --------------------------------------------------------------------- */

struct tenant_row {
  struct history_point *p;
  char verdict[24];
  int found;
};

static void tenant_row(void *ctx, sqlite3_stmt *st) {
  struct tenant_row *t = ctx;
  t->found = 1;
  snprintf(t->verdict, sizeof(t->verdict), "%s", col_text(st, 0) ? col_text(st, 0) : "");
  t->p->endpoints = sqlite3_column_int64(st, 1);
  t->p->legacy = sqlite3_column_int64(st, 2);
  t->p->legacy_app = sqlite3_column_int64(st, 3);
}

static void answering_row(void *ctx, sqlite3_stmt *st) {
  struct history_point *p = ctx;
  p->answering = sqlite3_column_int64(st, 0);
}

#define OBS_OF_TENANT                                                                  \
  "WITH obs AS (SELECT min(o.id) AS id FROM observations o JOIN tenant_endpoints te "   \
  "ON te.run_id = o.run_id AND te.endpoint_id = o.endpoint_id WHERE o.run_id = ?1 AND " \
  "te.tenant = ?2 GROUP BY o.endpoint_id, o.ip) "

/* The callback a point is handed to while its strings are alive. */
struct sink {
  void (*fn)(void *ctx, const struct history_point *p);
  void *ctx;
};

static int tenant_point(struct store *s, struct history_point *p, const char *tenant,
                        const struct sink *out) {
  struct tenant_row t = {.p = p};
  struct query q = {
      .sql = "SELECT verdict, endpoints, legacy, confirmed FROM tenants WHERE run_id = ?1 AND "
             "tenant = ?2",
      .run = p->run.id,
      .text = tenant,
  };
  if (!run_query(s, &q, tenant_row, &t)) {
    return 0;
  }
  if (!t.found) {
    return 1;
  }
  struct query answering = {
      .sql = OBS_OF_TENANT
      "SELECT count(DISTINCT o.endpoint_id) FROM obs JOIN observations o ON o.id = obs.id "
      "WHERE o.status = 'ok'",
      .run = p->run.id,
      .text = tenant,
  };
  struct query rates = {
      .sql = OBS_OF_TENANT
      "SELECT v.version, sum(v.handshake_ok), sum(v.app_refused) FROM obs "
      "JOIN versions v ON v.observation_id = obs.id GROUP BY v.version",
      .run = p->run.id,
      .text = tenant,
  };
  p->subject = tenant;
  p->verdict = t.verdict;
  if (!run_query(s, &answering, answering_row, p) || !run_query(s, &rates, rate_row, p)) {
    return 0;
  }
  finish_rates(p);
  out->fn(out->ctx, p);
  return 1;
}

/* ---- one endpoint ----------------------------------------------------------------- */

struct endpoint_row {
  struct history_point *p;
  unsigned accepted;
  int64_t last_obs;
  int found;
  char status[24];
  char cert[65];
};

static void endpoint_row(void *ctx, sqlite3_stmt *st) {
  struct endpoint_row *e = ctx;
  struct history_point *p = e->p;
  e->found = 1;
  int64_t obs = sqlite3_column_int64(st, 0);
  if (obs != e->last_obs) {
    e->last_obs = obs;
    const char *status = col_text(st, 1);
    if (e->status[0] == '\0' || (status != NULL && strcmp(status, "ok") == 0)) {
      snprintf(e->status, sizeof(e->status), "%s", status ? status : "");
    }
    if (sqlite3_column_type(st, 2) != SQLITE_NULL && sqlite3_column_int(st, 2) > p->legacy_works) {
      p->legacy_works = sqlite3_column_int(st, 2);
    }
    if (col_text(st, 3) != NULL) {
      snprintf(e->cert, sizeof(e->cert), "%s", col_text(st, 3));
      p->cert_expired |= sqlite3_column_int(st, 4);
    }
  }
  int v = version_index(col_text(st, 5));
  if (v >= 0) {
    const char *verdict = col_text(st, 6);
    if (verdict != NULL && strcmp(verdict, "accepted") == 0) {
      e->accepted |= 1u << v;
    }
    p->rate[v].handshakes += (uint64_t)sqlite3_column_int64(st, 7);
    p->rate[v].refused += (uint64_t)sqlite3_column_int64(st, 8);
  }
}

static int endpoint_point(struct store *s, struct history_point *p, int64_t endpoint,
                          const char *url, const struct sink *out) {
  struct endpoint_row e = {.p = p};
  p->legacy_works = -1;
  struct query q = {
      .sql = "SELECT o.id, o.status, o.legacy_app, c.sha256, o.cert_expired, v.version, "
             "v.verdict, v.handshake_ok, v.app_refused FROM observations o "
             "LEFT JOIN certificates c ON c.id = o.cert_id "
             "LEFT JOIN versions v ON v.observation_id = o.id "
             "WHERE o.id IN (SELECT min(id) FROM observations WHERE run_id = ?1 AND "
             "endpoint_id = ?2 GROUP BY ip) ORDER BY o.id",
      .run = p->run.id,
      .endpoint = endpoint,
  };
  if (!run_query(s, &q, endpoint_row, &e)) {
    return 0;
  }
  if (!e.found) {
    return 1;
  }
  char accepted[64] = "";
  size_t n = 0;
  for (int v = 0; v < STORE_VERSIONS; v++) {
    if (e.accepted & (1u << v)) {
      n += (size_t)snprintf(accepted + n, sizeof(accepted) - n, "%s%s", n ? "," : "",
                            store_version_names[v]);
    }
  }
  p->subject = url;
  p->status = e.status;
  p->accepted = accepted;
  p->cert = e.cert[0] != '\0' ? e.cert : NULL;
  finish_rates(p);
  out->fn(out->ctx, p);
  return 1;
}

/* ---- the series ----------------------------------------------------------------------- */

struct endpoint_ref {
  int64_t id;
  char url[600];
};

struct endpoint_list {
  struct endpoint_ref *v;
  size_t n, cap;
  int oom;
};

static void endpoint_ref_row(void *ctx, sqlite3_stmt *st) {
  struct endpoint_list *l = ctx;
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    struct endpoint_ref *p = realloc(l->v, cap * sizeof(*p));
    if (p == NULL) {
      l->oom = 1;
      return;
    }
    l->v = p;
    l->cap = cap;
  }
  struct endpoint_ref *r = &l->v[l->n++];
  r->id = sqlite3_column_int64(st, 0);
  const char *proto = col_text(st, 1), *host = col_text(st, 2);
  int port = sqlite3_column_int(st, 3);
  snprintf(r->url, sizeof(r->url), strchr(host, ':') ? "%s://[%s]:%d" : "%s://%s:%d", proto,
           host, port);
}

/* find_endpoints lists the endpoints |target| names: proto://host:port
 * (brackets around an IPv6 host), or a host and so all its endpoints. */
static int find_endpoints(struct store *s, const char *target, struct endpoint_list *l) {
  char proto[32], host[512];
  int port = 0;
  const char *sep = strstr(target, "://");
  const char *h = target;
  if (sep != NULL) {
    snprintf(proto, sizeof(proto), "%.*s", (int)(sep - target), target);
    h = sep + 3;
    const char *colon = strrchr(h, ':');
    if (colon == NULL || (port = atoi(colon + 1)) <= 0) {
      snprintf(s->error, sizeof(s->error), "--target %s: expected proto://host:port or a host",
               target);
      return 0;
    }
    int bracket = *h == '[';
    snprintf(host, sizeof(host), "%.*s", (int)(colon - h) - 2 * bracket, h + bracket);
  } else {
    snprintf(host, sizeof(host), "%s", target);
  }
  sqlite3_stmt *st;
  const char *sql = sep != NULL ? "SELECT id, proto, host, port FROM endpoints WHERE host = ?1 "
                                  "AND proto = ?2 AND port = ?3"
                                : "SELECT id, proto, host, port FROM endpoints WHERE host = ?1 "
                                  "ORDER BY proto, port";
  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
    return store_fail(s, "finding the endpoint");
  }
  sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
  if (sep != NULL) {
    sqlite3_bind_text(st, 2, proto, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, port);
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    endpoint_ref_row(l, st);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE || l->oom) {
    return store_fail(s, "finding the endpoint");
  }
  if (l->n == 0) {
    snprintf(s->error, sizeof(s->error), "no run scanned %s", target);
    return 0;
  }
  return 1;
}

/* every_tenant calls |fn| with each tenant's name, in order. */
static int every_tenant(struct store *s, int (*fn)(struct store *s, const char *tenant, void *ctx),
                        void *ctx) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db, "SELECT DISTINCT tenant FROM tenants ORDER BY tenant", -1, &st,
                         NULL) != SQLITE_OK) {
    return store_fail(s, "listing the tenants");
  }
  int rc, ok = 1;
  while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    /* The name is copied: the callback runs queries of its own. */
    char name[512];
    snprintf(name, sizeof(name), "%s", col_text(st, 0) ? col_text(st, 0) : "");
    ok = fn(s, name, ctx);
  }
  sqlite3_finalize(st);
  if (ok && rc != SQLITE_DONE) {
    return store_fail(s, "listing the tenants");
  }
  return ok;
}

struct every {
  void (*fn)(void *ctx, const struct history_point *p);
  void *ctx;
};

static int one_tenant(struct store *s, const char *tenant, void *ctx) {
  struct every *e = ctx;
  return store_history(s, tenant, NULL, e->fn, e->ctx);
}

int store_history(struct store *s, const char *tenant, const char *target,
                  void (*fn)(void *ctx, const struct history_point *p), void *ctx) {
  if (tenant == STORE_EVERY_TENANT) {
    struct every e = {fn, ctx};
    return every_tenant(s, one_tenant, &e);
  }
  struct run_list runs = {0};
  struct endpoint_list eps = {0};
  int ok = store_runs(s, add_run, &runs);
  if (ok && runs.oom) {
    snprintf(s->error, sizeof(s->error), "out of memory");
    ok = 0;
  }
  if (ok && target != NULL) {
    ok = find_endpoints(s, target, &eps);
  }
  struct sink out = {fn, ctx};
  size_t nsubjects = target != NULL ? eps.n : 1;
  for (size_t e = 0; ok && e < nsubjects; e++) {
    for (size_t i = 0; ok && i < runs.n; i++) {
      struct history_point p;
      memset(&p, 0, sizeof(p));
      p.run = runs.v[i];
      if (target != NULL) {
        ok = endpoint_point(s, &p, eps.v[e].id, eps.v[e].url, &out);
      } else if (tenant != NULL) {
        ok = tenant_point(s, &p, tenant, &out);
      } else if ((ok = run_point(s, &p))) {
        finish_rates(&p);
        fn(ctx, &p);
      }
    }
  }
  free(runs.v);
  free(eps.v);
  return ok;
}
