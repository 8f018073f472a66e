/* scanner/report/model.c: a report's counts and bounded lists (see model.h).
 *
 * A record is judged once (explain.h: its class, its cells, its findings)
 * and counted everywhere it belongs. A row is built only when a table will
 * keep it: each row_set is a max-heap on (class, input order), so "is this
 * record worse than the least bad row kept?" is one comparison with the
 * top, and a sweep of a million modern endpoints builds no row past the
 * first few thousand. */
#include "scanner/report/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const kReportStatusNames[RS_COUNT] = {"ok",      "unreachable", "dns_error",
                                                  "blocked", "invalid",     "other"};

const char *const kReportVerdictNames[RV_COUNT] = {
    "legacy", "no_tls", "unreachable", "dns_error", "no_endpoints", "modern", "unknown"};

/* cut_len is how much of |s| a report keeps: at most REPORT_STRING_MAX
 * bytes, cut where a UTF-8 sequence starts. */
static size_t cut_len(const char *s) {
  size_t len = strnlen(s, REPORT_STRING_MAX + 1);
  if (len <= REPORT_STRING_MAX) {
    return len;
  }
  len = REPORT_STRING_MAX;
  while (len > 0 && ((uint8_t)s[len] & 0xc0) == 0x80) {
    len--;
  }
  return len;
}

/* dup_checked copies |s| (NULL stays NULL), cut to REPORT_STRING_MAX, and
 * notes a failure. */
static char *dup_checked(struct report *r, const char *s) {
  if (s == NULL) {
    return NULL;
  }
  char *d = strndup(s, cut_len(s));
  if (d == NULL) {
    r->out_of_memory = 1;
  }
  return d;
}

/* ---- rows --------------------------------------------------------------------- */

/* worse says whether (c1, o1) sorts before (c2, o2): a worse class, or the
 * same class earlier in the input. */
static int worse(enum endpoint_class c1, uint64_t o1, enum endpoint_class c2, uint64_t o2) {
  return c1 != c2 ? c1 < c2 : o1 < o2;
}

static int row_worse(const struct report_row *a, const struct report_row *b) {
  return worse(a->cls, a->order, b->cls, b->order);
}

static void row_unref(struct report_row *row) {
  if (row == NULL || --row->refs > 0) {
    return;
  }
  free(row->target);
  free(row->label);
  free(row->ip);
  free(row->proto);
  free(row->error);
  free(row->cert_name);
  free(row->policy);
  for (int i = 0; i < EXPLAIN_VERSIONS; i++) {
    free(row->v[i].words);
  }
  free(row);
}

static int row_set_init(struct row_set *set, size_t cap) {
  memset(set, 0, sizeof(*set));
  set->cap = cap;
  set->heap = calloc(cap > 0 ? cap : 1, sizeof(*set->heap));
  return set->heap != NULL;
}

static void row_set_free(struct row_set *set) {
  for (size_t i = 0; i < set->n; i++) {
    row_unref(set->heap[i]);
  }
  free(set->heap);
  memset(set, 0, sizeof(*set));
}

/* row_set_wants says whether a record of class |c| at |order| would be
 * kept; if not, it is counted as left out. */
static int row_set_wants(struct row_set *set, enum endpoint_class c, uint64_t order) {
  if (set->n < set->cap) {
    return 1;
  }
  const struct report_row *top = set->n > 0 ? set->heap[0] : NULL;
  if (top != NULL && worse(c, order, top->cls, top->order)) {
    return 1;
  }
  set->dropped[c]++;
  return 0;
}

static void sift_down(struct report_row **h, size_t n, size_t i) {
  for (;;) {
    size_t big = i, l = 2 * i + 1, rr = 2 * i + 2;
    if (l < n && row_worse(h[big], h[l])) {
      big = l;
    }
    if (rr < n && row_worse(h[big], h[rr])) {
      big = rr;
    }
    if (big == i) {
      return;
    }
    struct report_row *t = h[i];
    h[i] = h[big];
    h[big] = t;
    i = big;
  }
}

/* row_set_put keeps |row| (which row_set_wants admitted), letting the
 * least bad row go when the set is full. */
static void row_set_put(struct row_set *set, struct report_row *row) {
  row->refs++;
  struct report_row **h = set->heap;
  if (set->n == set->cap) {
    set->dropped[h[0]->cls]++;
    row_unref(h[0]);
    h[0] = row;
    sift_down(h, set->n, 0);
    return;
  }
  size_t i = set->n++;
  h[i] = row;
  while (i > 0 && row_worse(h[(i - 1) / 2], h[i])) {
    struct report_row *t = h[i];
    h[i] = h[(i - 1) / 2];
    h[(i - 1) / 2] = t;
    i = (i - 1) / 2;
  }
}

static int compare_rows(const void *a, const void *b) {
  const struct report_row *x = *(struct report_row *const *)a;
  const struct report_row *y = *(struct report_row *const *)b;
  return row_worse(x, y) ? -1 : row_worse(y, x) ? 1 : 0;
}

static void row_set_order(struct row_set *set) {
  qsort(set->heap, set->n, sizeof(*set->heap), compare_rows);
}

/* cell_words writes a version's verdict and confirmation in words. */
static char *cell_words(struct report *r, const json_t *v) {
  struct outbuf *b = &r->scratch;
  b->len = 0;
  const json_t *confirm = json_object_get(v, "confirm");
  int ok = explain_version(v, b) &&
           (confirm == NULL || (outbuf_puts(b, "; ") && explain_confirm(confirm, b))) &&
           outbuf_append(b, "", 1);
  return ok ? dup_checked(r, b->data) : NULL;
}

/* policy_words writes a line per policy the record was judged by: "NAME
 * not compliant: VIOLATION; ...", or what is unknown. */
static char *policy_words(struct report *r, const json_t *rec) {
  const json_t *judged = json_object_get(rec, "policy");
  struct outbuf *b = &r->scratch;
  b->len = 0;
  int ok = 1;
  for (unsigned i = 0; ok && i < POLICY_COUNT; i++) {
    const json_t *one = json_object_get(judged, policy_name(i));
    if (!json_is_object(one)) {
      continue;
    }
    int verdict = policy_verdict(one);
    ok = (b->len == 0 || outbuf_puts(b, "\n")) && outbuf_puts(b, policy_name(i)) &&
         outbuf_puts(b, verdict == 1 ? " compliant" : verdict == 0 ? " not compliant" : " unknown");
    const json_t *why = json_object_get(one, verdict == 0 ? "violations" : "unknown");
    size_t k;
    const json_t *w;
    json_array_foreach(why, k, w) {
      const char *s = json_string_value(w);
      ok = ok && (s == NULL || (outbuf_puts(b, k == 0 ? ": " : "; ") && outbuf_puts(b, s)));
    }
  }
  if (!ok || !outbuf_append(b, "", 1)) {
    r->out_of_memory = 1;
    return NULL;
  }
  return b->len > 1 ? dup_checked(r, b->data) : NULL;
}

static struct report_row *make_row(struct report *r, const json_t *rec, uint64_t order,
                                   enum endpoint_class cls, uint32_t findings) {
  struct report_row *row = calloc(1, sizeof(*row));
  if (row == NULL) {
    r->out_of_memory = 1;
    return NULL;
  }
  row->order = order;
  row->cls = cls;
  row->findings = findings;
  row->target = dup_checked(r, explain_str(rec, "target"));
  row->label = dup_checked(r, explain_str(rec, "label"));
  row->ip = dup_checked(r, explain_str(rec, "ip"));
  row->proto = dup_checked(r, explain_str(rec, "proto"));
  row->error = dup_checked(r, explain_str(rec, "error"));
  char name[256];
  explain_cert_name(rec, name, sizeof(name));
  if (json_is_object(json_object_get(rec, "cert"))) {
    row->cert_name = dup_checked(r, name);
  }
  row->has_expiry = explain_cert_expiry(rec, &row->not_after);
  row->policy = policy_words(r, rec);
  const json_t *versions = json_object_get(rec, "versions");
  for (int i = 0; i < EXPLAIN_VERSIONS; i++) {
    explain_cell(rec, kExplainVersionKeys[i], &row->v[i].cell);
    const json_t *v = json_object_get(versions, kExplainVersionKeys[i]);
    if (v != NULL) {
      row->v[i].words = cell_words(r, v);
    }
  }
  return row;
}

/* ---- lists -------------------------------------------------------------------- */

/* expiry_add keeps the REPORT_EXPIRING_MAX soonest expiries. */
static void expiry_add(struct report *r, struct expiry_set *set, const char *target,
                       const char *cert_name, time_t after) {
  size_t slot = set->n;
  if (set->n == REPORT_EXPIRING_MAX) {
    slot = 0;
    for (size_t i = 1; i < set->n; i++) {
      if (set->v[i].not_after > set->v[slot].not_after) {
        slot = i;
      }
    }
    set->more++;
    if (set->v[slot].not_after <= after) {
      return;
    }
    free(set->v[slot].target);
    free(set->v[slot].cert_name);
  } else {
    set->n++;
  }
  set->v[slot].not_after = after;
  set->v[slot].target = dup_checked(r, target);
  set->v[slot].cert_name = dup_checked(r, cert_name);
}

static void expiry_free(struct expiry_set *set) {
  for (size_t i = 0; i < set->n; i++) {
    free(set->v[i].target);
    free(set->v[i].cert_name);
  }
  set->n = 0;
}

static int compare_expiry(const void *a, const void *b) {
  const struct report_expiry *x = a, *y = b;
  return (x->not_after > y->not_after) - (x->not_after < y->not_after);
}

static void add_message(struct report *r, const char *text, int version) {
  char cut[REPORT_MESSAGE_LEN + 1];
  snprintf(cut, sizeof(cut), "%s", text != NULL ? text : "");
  for (size_t i = 0; i < r->nmessages; i++) {
    if (strcmp(r->messages[i].text, cut) == 0) {
      r->messages[i].count++;
      r->messages[i].versions |= 1u << version;
      return;
    }
  }
  if (r->nmessages == REPORT_MESSAGES_MAX) {
    r->other_messages++;
    return;
  }
  struct report_message *m = &r->messages[r->nmessages];
  m->text = dup_checked(r, cut);
  if (m->text == NULL) {
    return;
  }
  m->count = 1;
  m->versions = 1u << version;
  r->nmessages++;
}

static void add_rate(struct report *r, const json_t *rec, int version,
                     const struct explain_cell *cell) {
  if (r->nrates == REPORT_RATES_MAX) {
    r->more_rates++;
    return;
  }
  struct report_rate *rate = &r->rates[r->nrates++];
  rate->target = dup_checked(r, explain_str(rec, "target"));
  rate->label = dup_checked(r, explain_str(rec, "label"));
  rate->version = version;
  rate->trials = cell->handshake_ok;
  rate->refused = cell->app_refused;
}

/* ---- groups ------------------------------------------------------------------- */

static uint64_t hash_name(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s != '\0'; s++) {
    h = (h ^ (uint8_t)*s) * 1099511628211ull;
  }
  return h;
}

/* group_get finds the group |name|, making it if there is room. Returns
 * NULL for a group past REPORT_GROUPS_MAX (or when memory is short). */
static struct report_group *group_get(struct report *r, const char *full_name) {
  char name[REPORT_STRING_MAX + 1];
  snprintf(name, sizeof(name), "%.*s", (int)cut_len(full_name), full_name);
  size_t mask = r->group_index_cap - 1;
  size_t i = (size_t)hash_name(name) & mask;
  for (; r->group_index[i] != 0; i = (i + 1) & mask) {
    struct report_group *g = r->groups[r->group_index[i] - 1];
    if (strcmp(g->name, name) == 0) {
      return g;
    }
  }
  if (r->ngroups == REPORT_GROUPS_MAX) {
    return NULL;
  }
  struct report_group *g = calloc(1, sizeof(*g));
  if (g == NULL || (g->name = strdup(name)) == NULL ||
      !row_set_init(&g->rows, REPORT_GROUP_ROWS)) {
    if (g != NULL) {
      free(g->name);
      free(g);
    }
    r->out_of_memory = 1;
    return NULL;
  }
  r->groups[r->ngroups++] = g;
  r->group_index[i] = (uint32_t)r->ngroups;
  return g;
}

static void group_free(struct report_group *g) {
  free(g->name);
  free(g->tenant);
  free(g->dns);
  for (int f = 0; f < FINDING_COUNT; f++) {
    for (int k = 0; k < REPORT_EXAMPLES; k++) {
      free(g->examples[f][k]);
    }
  }
  row_set_free(&g->rows);
  expiry_free(&g->expiring);
  free(g);
}

/* group_verdict works a group's verdict out of its endpoints, as
 * `tlssweep tenants` does. */
static enum report_verdict group_verdict(const struct report_group *g) {
  if (g->records == 0) {
    return RV_NO_ENDPOINTS;
  }
  if (g->by_class[CLASS_LEGACY] + g->by_class[CLASS_LEGACY_REFUSED] > 0) {
    return RV_LEGACY;
  }
  if (g->by_class[CLASS_MODERN] > 0) {
    return RV_MODERN;
  }
  if (g->by_class[CLASS_NO_TLS] > 0) {
    return RV_NO_TLS;
  }
  return g->by_class[CLASS_DNS_ERROR] == g->records ? RV_DNS_ERROR : RV_UNREACHABLE;
}

static int compare_groups(const void *a, const void *b) {
  const struct report_group *x = *(struct report_group *const *)a;
  const struct report_group *y = *(struct report_group *const *)b;
  if (x->verdict != y->verdict) {
    return (int)x->verdict - (int)y->verdict;
  }
  return strcmp(x->name, y->name);
}

/* ---- the report --------------------------------------------------------------- */

int report_init(struct report *r, time_t now, size_t max_rows) {
  memset(r, 0, sizeof(*r));
  r->now = now;
  r->group_index_cap = 512; /* a power of two, over twice REPORT_GROUPS_MAX */
  r->group_index = calloc(r->group_index_cap, sizeof(*r->group_index));
  r->groups = calloc(REPORT_GROUPS_MAX, sizeof(*r->groups));
  if (r->group_index == NULL || r->groups == NULL || !row_set_init(&r->rows, max_rows)) {
    report_free(r);
    return 0;
  }
  return 1;
}

void report_free(struct report *r) {
  row_set_free(&r->rows);
  for (size_t i = 0; i < r->ngroups; i++) {
    group_free(r->groups[i]);
  }
  free(r->groups);
  free(r->group_index);
  for (size_t i = 0; i < r->nprotos; i++) {
    free(r->protos[i].name);
  }
  for (size_t i = 0; i < r->nmessages; i++) {
    free(r->messages[i].text);
  }
  for (size_t i = 0; i < r->nrates; i++) {
    free(r->rates[i].target);
    free(r->rates[i].label);
  }
  expiry_free(&r->expiring);
  for (size_t i = 0; i < r->nmetadata; i++) {
    json_decref(r->metadata[i]);
    free(r->metadata_names[i]);
  }
  for (size_t i = 0; i < r->ninputs; i++) {
    free(r->inputs[i].name);
  }
  free(r->inputs);
  for (size_t i = 0; i < r->nerrors; i++) {
    free(r->errors[i].where);
    free(r->errors[i].what);
  }
  outbuf_free(&r->scratch);
  memset(r, 0, sizeof(*r));
}

int report_add_input(struct report *r, const char *name) {
  struct report_input *p = realloc(r->inputs, (r->ninputs + 1) * sizeof(*p));
  if (p == NULL) {
    r->out_of_memory = 1;
    return 0;
  }
  r->inputs = p;
  memset(&p[r->ninputs], 0, sizeof(*p));
  p[r->ninputs].name = dup_checked(r, name);
  r->ninputs++;
  return 1;
}

static struct report_input *current_input(struct report *r) {
  return r->ninputs > 0 ? &r->inputs[r->ninputs - 1] : NULL;
}

void report_add_error(struct report *r, const char *where, const char *what) {
  r->errors_total++;
  struct report_input *in = current_input(r);
  if (in != NULL) {
    in->bad_lines++;
  }
  if (r->nerrors < REPORT_ERRORS_MAX) {
    r->errors[r->nerrors].where = dup_checked(r, where);
    r->errors[r->nerrors].what = dup_checked(r, what);
    r->nerrors++;
  }
}

static enum report_status status_of(const char *name) {
  for (int s = 0; s < RS_OTHER; s++) {
    if (name != NULL && strcmp(name, kReportStatusNames[s]) == 0) {
      return (enum report_status)s;
    }
  }
  return RS_OTHER;
}

/* proto_of returns the counts of protocol |name|: its own among the first
 * REPORT_PROTOS_MAX, else the "other" bucket. */
static struct proto_counts *proto_of(struct report *r, const char *name) {
  for (size_t i = 0; i < r->nprotos; i++) {
    if (strcmp(r->protos[i].name, name) == 0) {
      return &r->protos[i];
    }
  }
  if (r->nprotos == REPORT_PROTOS_MAX) {
    return &r->protos[REPORT_PROTOS_MAX];
  }
  char *copy = strdup(name);
  if (copy == NULL) {
    r->out_of_memory = 1;
    return &r->protos[REPORT_PROTOS_MAX];
  }
  r->protos[r->nprotos].name = copy;
  return &r->protos[r->nprotos++];
}

/* count_versions adds a record's cells to the per-version counts, the
 * protocol's, the refusal messages and the --repeat rates. */
static void count_versions(struct report *r, const json_t *rec, struct proto_counts *pc) {
  const json_t *versions = json_object_get(rec, "versions");
  for (int i = 0; i < EXPLAIN_VERSIONS; i++) {
    struct explain_cell cell;
    explain_cell(rec, kExplainVersionKeys[i], &cell);
    if (cell.verdict == CELL_NOT_PROBED || cell.verdict == CELL_SKIPPED) {
      continue;
    }
    struct version_counts *vc = &r->versions[i];
    int acc = cell.verdict == CELL_ACCEPTED;
    vc->probed++;
    vc->accepted += acc;
    if (pc != NULL) {
      pc->probed[i]++;
      pc->accepted[i] += acc;
    }
    if (cell.app == CELL_APP_NONE) {
      continue;
    }
    vc->confirmed++;
    vc->app_ok += cell.app == CELL_APP_OK;
    vc->app_refused += cell.app == CELL_APP_REFUSED;
    if (cell.runs > 1) {
      vc->repeated++;
      vc->trials += cell.handshake_ok;
      vc->refused += cell.app_refused;
      add_rate(r, rec, i, &cell);
    } else if (cell.app != CELL_APP_FAILED) {
      vc->trials++;
      vc->refused += cell.app == CELL_APP_REFUSED;
    }
    if (cell.app == CELL_APP_REFUSED) {
      const json_t *confirm = json_object_get(json_object_get(versions, kExplainVersionKeys[i]),
                                              "confirm");
      add_message(r, explain_str(confirm, "app_message"), i);
    }
  }
}

static void count_in_group(struct report *r, struct report_group *g, const json_t *rec,
                           enum endpoint_class cls, uint32_t findings) {
  g->records++;
  g->by_class[cls]++;
  const char *target = explain_str(rec, "target");
  for (int f = 0; f < FINDING_COUNT; f++) {
    if (!(findings & (1u << f))) {
      continue;
    }
    if (g->findings[f] < REPORT_EXAMPLES && target != NULL) {
      g->examples[f][g->findings[f]] = dup_checked(r, target);
    }
    g->findings[f]++;
  }
}

/* count_policies counts the record's compliance verdicts in |counts|, for
 * the policies policies.h knows (a file's other names are not shown).
 * Returns whether the record was judged by any. */
static int count_policies(struct policy_counts *counts, const json_t *rec) {
  const json_t *judged = json_object_get(rec, "policy");
  int any = 0;
  for (unsigned i = 0; i < POLICY_COUNT; i++) {
    const json_t *one = json_object_get(judged, policy_name(i));
    if (!json_is_object(one)) {
      continue;
    }
    struct policy_counts *c = &counts[i];
    int verdict = policy_verdict(one);
    c->judged++;
    c->compliant += verdict == 1;
    c->not_compliant += verdict == 0;
    c->unknown += verdict == -1;
    any = 1;
  }
  return any;
}

int report_add_record(struct report *r, const json_t *rec) {
  uint64_t order = r->records++;
  struct report_input *in = current_input(r);
  if (in != NULL) {
    in->records++;
  }
  r->by_status[status_of(explain_str(rec, "status"))]++;
  enum endpoint_class cls = explain_class(rec);
  r->by_class[cls]++;
  uint32_t findings = explain_findings(rec, r->now);
  for (int f = 0; f < FINDING_COUNT; f++) {
    r->findings[f] += (findings >> f) & 1;
  }
  const char *proto = explain_str(rec, "proto");
  struct proto_counts *pc = proto != NULL ? proto_of(r, proto) : NULL;
  if (pc != NULL) {
    pc->records++;
    pc->ok += cls != CLASS_UNREACHABLE && cls != CLASS_DNS_ERROR && cls != CLASS_BLOCKED &&
              cls != CLASS_INVALID;
  }
  count_versions(r, rec, pc);
  r->judged |= count_policies(r->policies, rec);

  const char *label = explain_str(rec, "label");
  struct report_group *g = label != NULL ? group_get(r, label) : NULL;
  if (label == NULL) {
    r->ungrouped_records++;
  } else if (g == NULL) {
    r->overflow_records++;
  } else {
    count_in_group(r, g, rec, cls, findings);
    count_policies(g->policies, rec);
  }

  time_t after;
  char name[256] = "";
  if (explain_cert_expiry(rec, &after) &&
      after - r->now < (time_t)EXPLAIN_EXPIRING_DAYS * 86400) {
    explain_cert_name(rec, name, sizeof(name));
    const char *target = explain_str(rec, "target");
    expiry_add(r, &r->expiring, target, name, after);
    if (g != NULL) {
      expiry_add(r, &g->expiring, target, name, after);
    }
  }

  int in_table = row_set_wants(&r->rows, cls, order);
  int in_group = g != NULL && row_set_wants(&g->rows, cls, order);
  if (in_table || in_group) {
    struct report_row *row = make_row(r, rec, order, cls, findings);
    if (row != NULL) {
      if (in_table) {
        row_set_put(&r->rows, row);
      }
      if (in_group) {
        row_set_put(&g->rows, row);
      }
    }
  }
  return !r->out_of_memory;
}

static enum report_verdict verdict_of(const char *name) {
  for (int v = 0; v < RV_UNKNOWN; v++) {
    if (name != NULL && strcmp(name, kReportVerdictNames[v]) == 0) {
      return (enum report_verdict)v;
    }
  }
  return RV_UNKNOWN;
}

int report_add_summary(struct report *r, const json_t *s) {
  r->summaries++;
  struct report_input *in = current_input(r);
  if (in != NULL) {
    in->summaries++;
  }
  const char *tenant = explain_str(s, "tenant");
  const char *label = explain_str(s, "label");
  if (label == NULL && tenant == NULL) {
    report_add_error(r, "a tenant summary", "it names no tenant");
    return 1;
  }
  struct report_group *g = group_get(r, label != NULL ? label : tenant);
  if (g == NULL) {
    r->overflow_groups++;
    return !r->out_of_memory;
  }
  g->has_summary = 1;
  free(g->tenant);
  free(g->dns);
  g->tenant = dup_checked(r, tenant);
  g->dns = dup_checked(r, explain_str(s, "dns"));
  g->summary_verdict = verdict_of(explain_str(s, "verdict"));
  g->summary_endpoints = json_array_size(json_object_get(s, "endpoints"));
  g->summary_legacy = json_array_size(json_object_get(s, "legacy_endpoints"));
  g->summary_confirmed = json_array_size(json_object_get(s, "legacy_confirmed"));
  return !r->out_of_memory;
}

int report_add_metadata(struct report *r, json_t *doc, const char *name) {
  if (r->nmetadata == REPORT_METADATA_MAX) {
    report_add_error(r, name, "more metadata documents than a report shows; left out");
    return 1;
  }
  r->metadata_names[r->nmetadata] = dup_checked(r, name);
  r->metadata[r->nmetadata++] = json_incref(doc);
  return !r->out_of_memory;
}

static int compare_messages(const void *a, const void *b) {
  const struct report_message *x = a, *y = b;
  return (x->count < y->count) - (x->count > y->count);
}

void report_finish(struct report *r) {
  row_set_order(&r->rows);
  for (size_t i = 0; i < r->ngroups; i++) {
    struct report_group *g = r->groups[i];
    g->verdict = g->has_summary ? g->summary_verdict : group_verdict(g);
    row_set_order(&g->rows);
    qsort(g->expiring.v, g->expiring.n, sizeof(g->expiring.v[0]), compare_expiry);
  }
  qsort(r->groups, r->ngroups, sizeof(*r->groups), compare_groups);
  qsort(r->expiring.v, r->expiring.n, sizeof(r->expiring.v[0]), compare_expiry);
  qsort(r->messages, r->nmessages, sizeof(r->messages[0]), compare_messages);
}
