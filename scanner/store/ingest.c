/* scanner/store/ingest.c: one JSON line of a run's output into the store's
 * rows (see store.h).
 *
 * A line is a target's record (it has "target") or a tenant summary (it has
 * "tenant"), exactly as scanner/output writes them. A record becomes one
 * row of observations, one row of versions per version in its "versions"
 * object, its endpoint (protocol, host, port) and its certificate (by
 * SHA-256 fingerprint) found or added; a summary becomes a row of tenants
 * and one row of tenant_endpoints per endpoint it names. A confirmation
 * without --repeat carries no counts; its one run is counted here, so the
 * refusal rate of any run reads from the same four columns. Every value is
 * bound as a parameter: nothing from a line ever becomes SQL text. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/store/internal.h"

/* ---- reading a record's JSON ------------------------------------------------- */

static const char *get_text(const json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

/* get_int reads an integer field. Returns 1 with |*out|, or 0 when absent. */
static int get_int(const json_t *o, const char *key, int64_t *out) {
  const json_t *v = json_object_get(o, key);
  if (!json_is_integer(v)) {
    return 0;
  }
  *out = json_integer_value(v);
  return 1;
}

/* bind_text binds a string field, or NULL when it is absent. An alert the
 * scanner could not name is written as its number: bound as that number's
 * text, so the column holds one type. */
static void bind_field(sqlite3_stmt *st, int i, const json_t *o, const char *key) {
  const json_t *v = json_object_get(o, key);
  if (json_is_string(v)) {
    sqlite3_bind_text(st, i, json_string_value(v), (int)json_string_length(v), SQLITE_STATIC);
  } else if (json_is_integer(v)) {
    char num[24];
    snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
    sqlite3_bind_text(st, i, num, -1, SQLITE_TRANSIENT);
  } else {
    sqlite3_bind_null(st, i);
  }
}

static void bind_int_field(sqlite3_stmt *st, int i, const json_t *o, const char *key) {
  int64_t v;
  if (get_int(o, key, &v)) {
    sqlite3_bind_int64(st, i, v);
  } else {
    sqlite3_bind_null(st, i);
  }
}

static void bind_bool_field(sqlite3_stmt *st, int i, const json_t *o, const char *key) {
  const json_t *v = json_object_get(o, key);
  if (json_is_boolean(v)) {
    sqlite3_bind_int(st, i, json_is_true(v));
  } else {
    sqlite3_bind_null(st, i);
  }
}

/* ---- endpoints and certificates ------------------------------------------------ */

/* endpoint_id finds or adds the endpoint (proto, host, port). */
static int endpoint_id(struct store *s, const char *proto, const char *host, int64_t port,
                       int64_t *out) {
  sqlite3_stmt *st = store_stmt(s, ST_ENDPOINT_FIND);
  sqlite3_bind_text(st, 1, proto, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, host, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, port);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 1;
  }
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) {
    return store_fail(s, "finding an endpoint");
  }
  st = store_stmt(s, ST_ENDPOINT_ADD);
  sqlite3_bind_text(st, 1, proto, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, host, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, port);
  if (!store_step(s, st, "adding an endpoint")) {
    return 0;
  }
  *out = sqlite3_last_insert_rowid(s->db);
  return 1;
}

/* cert_id finds or adds the certificate |cert| by its fingerprint. */
static int cert_id(struct store *s, const json_t *cert, const char *sha256, int64_t *out) {
  sqlite3_stmt *st = store_stmt(s, ST_CERT_FIND);
  sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 1;
  }
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) {
    return store_fail(s, "finding a certificate");
  }
  const json_t *key = json_object_get(cert, "key");
  st = store_stmt(s, ST_CERT_ADD);
  sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
  bind_field(st, 2, cert, "subject");
  bind_field(st, 3, cert, "issuer");
  bind_field(st, 4, cert, "not_before");
  bind_field(st, 5, cert, "not_after");
  bind_field(st, 6, key, "type");
  bind_int_field(st, 7, key, "bits");
  bind_field(st, 8, key, "curve");
  bind_field(st, 9, key, "sha256");
  bind_field(st, 10, cert, "signature");
  bind_bool_field(st, 11, cert, "self_signed");
  if (!store_step(s, st, "adding a certificate")) {
    return 0;
  }
  *out = sqlite3_last_insert_rowid(s->db);
  return 1;
}

/* ---- records ------------------------------------------------------------------------ */

/* put_version stores one version's verdict, and its confirmation's counts. */
static int put_version(struct store *s, int64_t obs, const char *name, const json_t *v) {
  const char *verdict = get_text(v, "verdict");
  if (verdict == NULL) {
    return 1; /* not a version's verdict: nothing to keep */
  }
  sqlite3_stmt *st = store_stmt(s, ST_VERSION_ADD);
  sqlite3_bind_int64(st, 1, obs);
  sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, verdict, -1, SQLITE_STATIC);
  bind_field(st, 4, v, "reason");
  bind_field(st, 5, v, "alert");
  bind_field(st, 6, v, "stage");
  /* The probe's suite: "probe_cipher" since the probes offer the cheapest
   * suites first, "cipher" in files written before. */
  bind_field(st, 7, v, json_object_get(v, "probe_cipher") != NULL ? "probe_cipher" : "cipher");
  bind_int_field(st, 8, v, "ms");
  const json_t *c = json_object_get(v, "confirm");
  const char *handshake = get_text(c, "handshake");
  if (handshake != NULL) {
    bind_field(st, 9, c, "handshake");
    bind_field(st, 10, c, "app");
    bind_field(st, 11, c, json_object_get(c, "app_message") != NULL ? "app_message" : "reply");
    bind_field(st, 16, c, "cipher");
    const json_t *rep = json_object_get(c, "repeat");
    int64_t n = 1, hs_ok, app_ok, refused;
    if (rep != NULL && get_int(rep, "n", &n) && get_int(rep, "handshake_ok", &hs_ok) &&
        get_int(rep, "app_ok", &app_ok) && get_int(rep, "app_refused", &refused)) {
      /* --repeat: the counts over all runs */
    } else if (strcmp(handshake, "unsupported") == 0) {
      n = 0, hs_ok = 0, app_ok = 0, refused = 0;
    } else {
      const char *app = get_text(c, "app");
      n = 1;
      hs_ok = strcmp(handshake, "ok") == 0;
      app_ok = hs_ok && app != NULL && strcmp(app, "ok") == 0;
      refused = hs_ok && app != NULL && strcmp(app, "refused") == 0;
    }
    sqlite3_bind_int64(st, 12, n);
    sqlite3_bind_int64(st, 13, hs_ok);
    sqlite3_bind_int64(st, 14, app_ok);
    sqlite3_bind_int64(st, 15, refused);
  }
  return store_step(s, st, "adding a version's verdict");
}

/* put_record stores a target's record. */
static int put_record(struct store *s, int64_t run, const json_t *o, enum store_dup dup,
                      enum store_line *out_kind) {
  const char *target = get_text(o, "target");
  const char *status = get_text(o, "status");
  if (status == NULL) {
    *out_kind = STORE_LINE_BAD;
    return 1;
  }
  const char *host = get_text(o, "host"), *ip = get_text(o, "ip");
  const char *proto = get_text(o, "proto"), *label = get_text(o, "label");
  int64_t line = -1, port = -1;
  get_int(o, "line", &line);
  get_int(o, "port", &port);
  int64_t key = store_record_key(target, line, host, ip, port, proto, label);

  sqlite3_stmt *st = store_stmt(s, ST_OBS_FIND);
  sqlite3_bind_int64(st, 1, run);
  sqlite3_bind_int64(st, 2, key);
  int rc = sqlite3_step(st);
  int64_t old = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    return store_fail(s, "finding a record");
  }
  if (old != 0 && dup == STORE_DUP_KEEP) {
    *out_kind = STORE_LINE_KNOWN;
    return 1;
  }
  if (old != 0) {
    st = store_stmt(s, ST_VERSIONS_DROP);
    sqlite3_bind_int64(st, 1, old);
    if (!store_step(s, st, "replacing a record")) {
      return 0;
    }
    st = store_stmt(s, ST_OBS_DROP);
    sqlite3_bind_int64(st, 1, old);
    if (!store_step(s, st, "replacing a record")) {
      return 0;
    }
  }

  int64_t ep = 0, cert = 0;
  if (host != NULL && proto != NULL && port > 0 && !endpoint_id(s, proto, host, port, &ep)) {
    return 0;
  }
  const json_t *c = json_object_get(o, "cert");
  const char *sha256 = get_text(c, "sha256");
  if (sha256 != NULL && !cert_id(s, c, sha256, &cert)) {
    return 0;
  }
  st = store_stmt(s, ST_OBS_ADD);
  sqlite3_bind_int64(st, 1, run);
  sqlite3_bind_int64(st, 2, key);
  if (ep != 0) {
    sqlite3_bind_int64(st, 3, ep);
  }
  sqlite3_bind_text(st, 4, target != NULL ? target : "", -1, SQLITE_STATIC);
  if (line >= 0) {
    sqlite3_bind_int64(st, 5, line);
  }
  bind_field(st, 6, o, "ip");
  bind_field(st, 7, o, "sni");
  bind_field(st, 8, o, "label");
  sqlite3_bind_text(st, 9, status, -1, SQLITE_STATIC);
  bind_field(st, 10, o, "error");
  bind_bool_field(st, 11, o, "legacy");
  bind_bool_field(st, 12, o, "legacy_app");
  bind_field(st, 13, o, "min");
  bind_field(st, 14, o, "max");
  if (cert != 0) {
    sqlite3_bind_int64(st, 15, cert);
    bind_bool_field(st, 16, c, "expired");
    bind_bool_field(st, 17, c, "chain_verifies");
  }
  bind_int_field(st, 18, o, "scan_ms");
  if (!store_step(s, st, "adding a record")) {
    return 0;
  }
  int64_t obs = sqlite3_last_insert_rowid(s->db);
  const char *name;
  const json_t *v;
  json_object_foreach((json_t *)json_object_get(o, "versions"), name, v) {
    if (!put_version(s, obs, name, v)) {
      return 0;
    }
  }
  *out_kind = STORE_LINE_RECORD;
  return 1;
}

/* ---- tenant summaries ------------------------------------------------------------ */

/* parse_url splits "scheme://host:port" (host in brackets when it is an
 * IPv6 address) as tenant summaries name endpoints. Returns 1, or 0 when
 * |url| is not one. */
static int parse_url(const char *url, char *proto, size_t pcap, char *host, size_t hcap,
                     int64_t *port) {
  const char *sep = strstr(url, "://");
  if (sep == NULL || (size_t)(sep - url) >= pcap) {
    return 0;
  }
  snprintf(proto, pcap, "%.*s", (int)(sep - url), url);
  const char *h = sep + 3;
  const char *colon = strrchr(h, ':');
  if (colon == NULL) {
    return 0;
  }
  const char *hend = colon;
  if (*h == '[') {
    h++;
    if (hend[-1] != ']') {
      return 0;
    }
    hend--;
  }
  if (hend <= h || (size_t)(hend - h) >= hcap) {
    return 0;
  }
  snprintf(host, hcap, "%.*s", (int)(hend - h), h);
  char *end;
  long p = strtol(colon + 1, &end, 10);
  if (*end != '\0' || p <= 0 || p > 65535) {
    return 0;
  }
  *port = p;
  return 1;
}

static int listed(const json_t *list, const char *url) {
  size_t i;
  const json_t *v;
  json_array_foreach(list, i, v) {
    const char *u = json_string_value(v);
    if (u != NULL && strcmp(u, url) == 0) {
      return 1;
    }
  }
  return 0;
}

static int put_tenant(struct store *s, int64_t run, const json_t *o, enum store_dup dup,
                      enum store_line *out_kind) {
  const char *tenant = get_text(o, "tenant"), *verdict = get_text(o, "verdict");
  const json_t *all = json_object_get(o, "endpoints");
  const json_t *legacy = json_object_get(o, "legacy_endpoints");
  const json_t *confirmed = json_object_get(o, "legacy_confirmed");
  if (tenant == NULL || verdict == NULL) {
    *out_kind = STORE_LINE_BAD;
    return 1;
  }
  sqlite3_stmt *st = store_stmt(s, ST_TENANT_FIND);
  sqlite3_bind_int64(st, 1, run);
  sqlite3_bind_text(st, 2, tenant, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    return store_fail(s, "finding a tenant");
  }
  if (rc == SQLITE_ROW && dup == STORE_DUP_KEEP) {
    *out_kind = STORE_LINE_KNOWN;
    return 1;
  }
  st = store_stmt(s, ST_TENANT_PUT);
  sqlite3_bind_int64(st, 1, run);
  sqlite3_bind_text(st, 2, tenant, -1, SQLITE_STATIC);
  bind_field(st, 3, o, "label");
  sqlite3_bind_text(st, 4, verdict, -1, SQLITE_STATIC);
  bind_field(st, 5, o, "dns");
  sqlite3_bind_int64(st, 6, (int64_t)json_array_size(all));
  sqlite3_bind_int64(st, 7, (int64_t)json_array_size(legacy));
  sqlite3_bind_int64(st, 8, (int64_t)json_array_size(confirmed));
  if (!store_step(s, st, "adding a tenant")) {
    return 0;
  }
  st = store_stmt(s, ST_TENANT_ENDPOINTS_DROP);
  sqlite3_bind_int64(st, 1, run);
  sqlite3_bind_text(st, 2, tenant, -1, SQLITE_STATIC);
  if (!store_step(s, st, "adding a tenant")) {
    return 0;
  }
  size_t i;
  const json_t *v;
  json_array_foreach(all, i, v) {
    const char *url = json_string_value(v);
    char proto[32], host[512];
    int64_t port, ep;
    if (url == NULL || !parse_url(url, proto, sizeof(proto), host, sizeof(host), &port)) {
      continue;
    }
    if (!endpoint_id(s, proto, host, port, &ep)) {
      return 0;
    }
    st = store_stmt(s, ST_TENANT_ENDPOINT_PUT);
    sqlite3_bind_int64(st, 1, run);
    sqlite3_bind_text(st, 2, tenant, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, ep);
    sqlite3_bind_int(st, 4, listed(legacy, url));
    sqlite3_bind_int(st, 5, listed(confirmed, url));
    if (!store_step(s, st, "adding a tenant's endpoint")) {
      return 0;
    }
  }
  *out_kind = STORE_LINE_TENANT;
  return 1;
}

/* A parsed line is jansson's tree of it; the type stays the store's. */
struct store_parsed *store_parse(const char *line, size_t len) {
  json_error_t jerr;
  /* A reply may hold NUL bytes: the writer escapes them as \u0000. */
  json_t *o = json_loadb(line, len, JSON_ALLOW_NUL, &jerr);
  if (!json_is_object(o)) {
    json_decref(o);
    return NULL;
  }
  return (struct store_parsed *)o;
}

void store_parsed_free(struct store_parsed *p) {
  json_decref((json_t *)p);
}

int store_ingest_line(struct store *s, int64_t run, const char *line, size_t len,
                      enum store_dup dup, enum store_line *out_kind) {
  return store_ingest_parsed(s, run, store_parse(line, len), dup, out_kind);
}

int store_ingest_parsed(struct store *s, int64_t run, struct store_parsed *p, enum store_dup dup,
                        enum store_line *out_kind) {
  *out_kind = STORE_LINE_BAD;
  json_t *o = (json_t *)p;
  if (o == NULL) {
    return 1;
  }
  int ok = 1;
  if (json_object_get(o, "tenant") != NULL) {
    ok = put_tenant(s, run, o, dup, out_kind);
  } else if (json_is_string(json_object_get(o, "target"))) {
    ok = put_record(s, run, o, dup, out_kind);
  }
  json_decref(o);
  return ok;
}
