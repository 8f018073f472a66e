/* scanner/output/text.c: the terminal view (see text.h).
 *
 * A block per record:
 *
 *   pop3s://mail.example.com:995  [tenant-a]  legacy TLS refused by the service
 *     SSLv3    refused: alert protocol_version
 *     TLS 1.0  accepted, TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA; handshake ok, application
 *              refused: "-ERR TLS 1.0 and 1.1 are not supported..."
 *     ...
 *     cert     mail.example.com, expires 2027-01-31 (in 58 days)
 *     findings TLS 1.0/1.1 refused after the handshake
 *
 * Lines are not wrapped: a terminal wraps them, and a pager can cut them.
 * Text from the record goes through term_escape (scanner/base/outbuf.h) on
 * its way out; only the SGR sequences this file writes itself are raw
 * escapes. */
#include "scanner/output/text.h"

#include <stdio.h>
#include <string.h>

#include "scanner/output/explain.h"

#define SGR_RESET "\033[0m"
#define SGR_BOLD "\033[1m"
#define SGR_DIM "\033[2m"
#define SGR_RED "\033[1;31m"
#define SGR_GREEN "\033[32m"
#define SGR_YELLOW "\033[33m"

/* ---- a block ------------------------------------------------------------------ */

struct text {
  struct outbuf *out;
  int colour;
  int ok;
  struct outbuf words;   /* explain's phrases before they are escaped */
};

static void raw(struct text *t, const char *s) {
  t->ok = t->ok && outbuf_puts(t->out, s);
}

static void sgr(struct text *t, const char *code) {
  if (t->colour) {
    raw(t, code);
  }
}

/* esc writes a string from the record, escaped. */
static void esc(struct text *t, const char *s) {
  t->ok = t->ok && (s == NULL || term_escape(t->out, s, strlen(s)));
}

/* esc_words writes what explain wrote into |t->words|, escaped, and
 * empties it. */
static void esc_words(struct text *t) {
  t->ok = t->ok && term_escape(t->out, t->words.data ? t->words.data : "", t->words.len);
  t->words.len = 0;
}

static const char *class_colour(enum endpoint_class c) {
  switch (c) {
    case CLASS_LEGACY: return SGR_RED;
    case CLASS_LEGACY_REFUSED:
    case CLASS_NO_TLS:
    case CLASS_UNREACHABLE:
    case CLASS_DNS_ERROR:
    case CLASS_INVALID: return SGR_YELLOW;
    case CLASS_BLOCKED: return SGR_DIM;
    case CLASS_MODERN: return SGR_GREEN;
    case CLASS_COUNT: break;
  }
  return SGR_RESET;
}

static void header(struct text *t, const json_t *r, enum endpoint_class c) {
  sgr(t, SGR_BOLD);
  esc(t, explain_str(r, "target"));
  sgr(t, SGR_RESET);
  const char *host = explain_str(r, "host"), *ip = explain_str(r, "ip");
  if (ip != NULL && (host == NULL || strcmp(host, ip) != 0)) {
    raw(t, " (");
    esc(t, ip);
    raw(t, ")");
  }
  const char *label = explain_str(r, "label");
  if (label != NULL) {
    raw(t, "  [");
    esc(t, label);
    raw(t, "]");
  }
  raw(t, "  ");
  sgr(t, class_colour(c));
  raw(t, class_words(c));
  sgr(t, SGR_RESET);
  const char *error = explain_str(r, "error");
  if (error != NULL) {
    raw(t, ": ");
    esc(t, error);
  }
  raw(t, "\n");
}

static const char *cell_colour(int version, const struct explain_cell *cell) {
  switch (cell->verdict) {
    case CELL_ACCEPTED:
      if (version <= 2) {
        return cell->app == CELL_APP_REFUSED ? SGR_YELLOW : SGR_RED;
      }
      return SGR_GREEN;
    case CELL_TIMEOUT:
    case CELL_ERROR: return SGR_YELLOW;
    default: return SGR_DIM;
  }
}

/* list writes the strings of the array |a|, escaped, |sep| between them. */
static void list(struct text *t, const json_t *a, const char *sep) {
  size_t i;
  const json_t *v;
  json_array_foreach(a, i, v) {
    if (i > 0) {
      raw(t, sep);
    }
    esc(t, json_string_value(v));
  }
}

/* suites_row writes a version's enumeration (--ciphers) under its row: how
 * many suites, whose order, whether it is complete, the weak flags in
 * colour, then the suites. */
static void suites_row(struct text *t, const json_t *c) {
  const json_t *suites = json_object_get(c, "suites");
  const char *order = json_string_value(json_object_get(c, "order"));
  char buf[96];
  snprintf(buf, sizeof(buf), "             %zu suite%s", json_array_size(suites),
           json_array_size(suites) == 1 ? "" : "s");
  raw(t, buf);
  if (order != NULL) {
    raw(t, strcmp(order, "server") == 0 ? ", the server's order" : ", the client's order");
  }
  if (!json_is_true(json_object_get(c, "complete"))) {
    sgr(t, SGR_YELLOW);
    raw(t, ", incomplete");
    sgr(t, SGR_RESET);
    const json_t *failure = json_object_get(c, "failure");
    const char *reason = json_string_value(json_object_get(failure, "reason"));
    if (reason != NULL) {
      raw(t, " (");
      esc(t, reason);
      raw(t, ")");
    }
  }
  const json_t *flags = json_object_get(c, "flags");
  if (json_array_size(flags) > 0) {
    raw(t, "; weak: ");
    sgr(t, SGR_RED);
    list(t, flags, " ");
    sgr(t, SGR_RESET);
  }
  size_t i;
  const json_t *s;
  json_array_foreach(suites, i, s) {
    raw(t, i == 0 ? ": " : ", ");
    esc(t, json_string_value(json_object_get(s, "name")));
  }
  raw(t, "\n");
}

static void version_rows(struct text *t, const json_t *r) {
  const json_t *versions = json_object_get(r, "versions");
  for (int i = 0; i < EXPLAIN_VERSIONS; i++) {
    const json_t *v = json_object_get(versions, kExplainVersionKeys[i]);
    if (v == NULL) {
      continue;
    }
    struct explain_cell cell;
    explain_cell(r, kExplainVersionKeys[i], &cell);
    char name[16];
    snprintf(name, sizeof(name), "  %-8s ", kExplainVersionNames[i]);
    sgr(t, cell_colour(i, &cell));
    raw(t, name);
    sgr(t, SGR_RESET);
    t->ok = t->ok && explain_version(v, &t->words);
    const json_t *confirm = json_object_get(v, "confirm");
    if (confirm != NULL) {
      t->ok = t->ok && outbuf_puts(&t->words, "; ") && explain_confirm(confirm, &t->words);
    }
    esc_words(t);
    raw(t, "\n");
    const json_t *ciphers = json_object_get(v, "ciphers");
    if (json_is_object(ciphers)) {
      suites_row(t, ciphers);
    }
  }
}

static void cert_row(struct text *t, const json_t *r, time_t now) {
  char name[256];
  explain_cert_name(r, name, sizeof(name));
  time_t after;
  if (name[0] == '\0' && !explain_cert_expiry(r, &after)) {
    return;
  }
  raw(t, "  cert     ");
  esc(t, name);
  if (explain_cert_expiry(r, &after)) {
    struct tm tm;
    char buf[64];
    gmtime_r(&after, &tm);
    strftime(buf, sizeof(buf), ", expires %Y-%m-%d", &tm);
    raw(t, buf);
    long days = (long)((after - now) / 86400);
    snprintf(buf, sizeof(buf), after < now ? " (%ld days ago)" : " (in %ld days)",
             after < now ? -days : days);
    raw(t, buf);
  }
  raw(t, "\n");
}

static void findings_row(struct text *t, uint32_t findings) {
  if (findings == 0) {
    return;
  }
  raw(t, "  findings ");
  const char *sep = "";
  for (int f = 0; f < FINDING_COUNT; f++) {
    if (!(findings & (1u << f))) {
      continue;
    }
    const struct finding_info *fi = finding_info((enum finding)f);
    raw(t, sep);
    sgr(t, fi->severity == SEVERITY_CRITICAL ? SGR_RED
           : fi->severity == SEVERITY_WARNING ? SGR_YELLOW
                                              : SGR_DIM);
    raw(t, fi->title);
    sgr(t, SGR_RESET);
    sep = "; ";
  }
  raw(t, "\n");
}

/* verdict_words writes a compliance verdict ("compliant": true, false or
 * null) in words and colour. */
static void verdict_words(struct text *t, const json_t *compliant) {
  sgr(t, json_is_true(compliant) ? SGR_GREEN : json_is_false(compliant) ? SGR_RED : SGR_YELLOW);
  raw(t, json_is_true(compliant) ? "compliant" : json_is_false(compliant) ? "not compliant"
                                                                          : "unknown");
  sgr(t, SGR_RESET);
}

/* policy_rows writes a row per policy the record was judged by (--policy):
 * its verdict, then the violations, or what is unknown when there are
 * none. */
static void policy_rows(struct text *t, const json_t *record) {
  const json_t *policies = json_object_get(record, "policy");
  const char *name;
  const json_t *p;
  int first = 1;
  json_object_foreach((json_t *)policies, name, p) {
    raw(t, first ? "  policy   " : "           ");
    first = 0;
    esc(t, name);
    raw(t, " ");
    const json_t *compliant = json_object_get(p, "compliant");
    verdict_words(t, compliant);
    const json_t *why = json_object_get(p, json_is_false(compliant) ? "violations" : "unknown");
    if (json_array_size(why) > 0) {
      raw(t, ": ");
      list(t, why, "; ");
    }
    raw(t, "\n");
  }
}

int text_record(const json_t *record, int colour, time_t now, struct outbuf *out) {
  struct text t = {.out = out, .colour = colour, .ok = 1};
  enum endpoint_class c = explain_class(record);
  header(&t, record, c);
  version_rows(&t, record);
  cert_row(&t, record, now);
  findings_row(&t, explain_findings(record, now));
  policy_rows(&t, record);
  raw(&t, "\n");
  outbuf_free(&t.words);
  return t.ok;
}

/* ---- a tenant ----------------------------------------------------------------- */

/* urls writes up to three strings of the array |a|, escaped, and how many
 * more there are. */
static void urls(struct text *t, const json_t *a) {
  size_t n = json_array_size(a);
  for (size_t i = 0; i < n && i < 3; i++) {
    raw(t, i == 0 ? " (" : ", ");
    esc(t, json_string_value(json_array_get(a, i)));
  }
  if (n > 3) {
    char buf[32];
    snprintf(buf, sizeof(buf), " and %zu more", n - 3);
    raw(t, buf);
  }
  if (n > 0) {
    raw(t, ")");
  }
}

int text_summary(const json_t *s, int colour, struct outbuf *out) {
  struct text t = {.out = out, .colour = colour, .ok = 1};
  const char *verdict = explain_str(s, "verdict");
  raw(&t, "tenant ");
  sgr(&t, SGR_BOLD);
  esc(&t, explain_str(s, "tenant"));
  sgr(&t, SGR_RESET);
  const char *label = explain_str(s, "label"), *tenant = explain_str(s, "tenant");
  if (label != NULL && (tenant == NULL || strcmp(label, tenant) != 0)) {
    raw(&t, "  [");
    esc(&t, label);
    raw(&t, "]");
  }
  raw(&t, "  ");
  int legacy = verdict != NULL && strcmp(verdict, "legacy") == 0;
  int modern = verdict != NULL && strcmp(verdict, "modern") == 0;
  sgr(&t, legacy ? SGR_RED : modern ? SGR_GREEN : SGR_YELLOW);
  esc(&t, verdict != NULL ? verdict : "unknown");
  sgr(&t, SGR_RESET);
  const json_t *legacy_eps = json_object_get(s, "legacy_endpoints");
  const json_t *confirmed = json_object_get(s, "legacy_confirmed");
  char buf[128];
  snprintf(buf, sizeof(buf), ": %zu endpoints, %zu accept legacy TLS",
           json_array_size(json_object_get(s, "endpoints")), json_array_size(legacy_eps));
  raw(&t, buf);
  urls(&t, legacy_eps);
  snprintf(buf, sizeof(buf), ", %zu where it works", json_array_size(confirmed));
  raw(&t, buf);
  urls(&t, confirmed);
  raw(&t, "; dns ");
  esc(&t, explain_str(s, "dns"));
  const char *name;
  const json_t *p;
  json_object_foreach(json_object_get(s, "policy"), name, p) {
    raw(&t, "; ");
    esc(&t, name);
    raw(&t, " ");
    verdict_words(&t, json_object_get(p, "compliant"));
    snprintf(buf, sizeof(buf), " (%lld compliant, %lld not, %lld unknown)",
             (long long)json_integer_value(json_object_get(p, "endpoints_compliant")),
             (long long)json_integer_value(json_object_get(p, "endpoints_not_compliant")),
             (long long)json_integer_value(json_object_get(p, "endpoints_unknown")));
    raw(&t, buf);
  }
  raw(&t, "\n");
  return t.ok;
}
