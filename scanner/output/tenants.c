/* scanner/output/tenants.c: tenants, their endpoints and their verdicts (see
 * tenants.h). Endpoints are scanned under the label "epN" (their index), so
 * each result finds its endpoint without a lookup table; the tenants'
 * own labels go on the records written out. */
#include "scanner/output/tenants.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/output/output.h"

static const char kEndpointLabelPrefix[] = "ep";

const char *tenant_verdict_name(enum tenant_verdict v) {
  switch (v) {
    case TENANT_LEGACY: return "legacy";
    case TENANT_NO_TLS: return "no_tls";
    case TENANT_UNREACHABLE: return "unreachable";
    case TENANT_DNS_ERROR: return "dns_error";
    case TENANT_NO_ENDPOINTS: return "no_endpoints";
    case TENANT_MODERN: return "modern";
  }
  return "unknown";
}

static int push_u32(uint32_t **v, size_t *n, uint32_t x) {
  uint32_t *p = realloc(*v, (*n + 1) * sizeof(**v));
  if (p == NULL) {
    return 0;
  }
  p[(*n)++] = x;
  *v = p;
  return 1;
}

/* add_endpoint appends an endpoint for |url| (or finds it among the first
 * |search_from|.. entries) and links it with tenant |ti|. */
static int add_endpoint(struct tenants *t, const char *url, uint32_t ti, size_t search_from) {
  size_t ei = t->nendpoints;
  for (size_t i = search_from; i < t->nendpoints; i++) {
    if (strcmp(t->endpoints[i].url, url) == 0) {
      ei = i;
      break;
    }
  }
  if (ei == t->nendpoints) {
    struct tenant_endpoint *p = realloc(t->endpoints, (t->nendpoints + 1) * sizeof(*p));
    if (p == NULL) {
      return 0;
    }
    t->endpoints = p;
    struct tenant_endpoint *e = &t->endpoints[t->nendpoints++];
    memset(e, 0, sizeof(*e));
    snprintf(e->url, sizeof(e->url), "%s", url);
    snprintf(e->line, sizeof(e->line), "%s label=%s%zu", url, kEndpointLabelPrefix, ei);
  }
  return push_u32(&t->endpoints[ei].tenants, &t->endpoints[ei].ntenants, ti) &&
         push_u32(&t->tenants[ti].endpoints, &t->tenants[ti].nendpoints, (uint32_t)ei);
}

static void endpoint_url(const char *scheme, const char *host, unsigned port, char *out,
                         size_t cap) {
  if (strchr(host, ':') != NULL) {
    snprintf(out, cap, "%s://[%s]:%u", scheme, host, port);
  } else {
    snprintf(out, cap, "%s://%s:%u", scheme, host, port);
  }
}

int tenants_build(struct tenants *t, const struct discovery *d, const char *preset, char *err,
                  size_t errcap) {
  memset(t, 0, sizeof(*t));
  size_t nd = discovery_tenant_count(d);
  size_t preset_count = 0;
  const char *const *preset_lines = NULL;
  if (preset != NULL) {
    preset_lines = discovery_preset(preset, &preset_count);
    if (preset_lines == NULL) {
      snprintf(err, errcap, "unknown preset '%s' (exchange-online)", preset);
      return 0;
    }
  }
  t->ntenants = nd + (preset != NULL);
  t->tenants = calloc(t->ntenants ? t->ntenants : 1, sizeof(*t->tenants));
  if (t->tenants == NULL) {
    snprintf(err, errcap, "out of memory");
    return 0;
  }
  for (size_t i = 0; i < nd; i++) {
    const struct discovery_tenant *dt = discovery_tenant(d, i);
    struct tenant *tn = &t->tenants[i];
    snprintf(tn->domain, sizeof(tn->domain), "%s", dt->domain);
    snprintf(tn->label, sizeof(tn->label), "%s", dt->label);
    tn->dns = discovery_dns_status_name(dt->status);
    tn->dns_failed = dt->status != DISCOVERY_DNS_OK && dt->status != DISCOVERY_DNS_NO_MX;
  }
  /* Discovery's endpoints are already distinct: no search needed. */
  for (size_t e = 0; e < discovery_endpoint_count(d); e++) {
    const struct discovery_endpoint *de = discovery_endpoint(d, e);
    char url[TARGET_TEXT_MAX];
    endpoint_url(proto_get(de->proto)->scheme, de->host, de->port, url, sizeof(url));
    for (size_t k = 0; k < de->ntenants; k++) {
      if (!add_endpoint(t, url, de->tenants[k], k == 0 ? t->nendpoints : t->nendpoints - 1)) {
        snprintf(err, errcap, "out of memory");
        return 0;
      }
    }
  }
  if (preset != NULL) {
    struct tenant *tn = &t->tenants[nd];
    snprintf(tn->domain, sizeof(tn->domain), "%s", preset);
    snprintf(tn->label, sizeof(tn->label), "%s", preset);
    tn->dns = "preset";
    for (size_t i = 0; i < preset_count; i++) {
      struct target_line l;
      char perr[TARGET_ERROR_MAX];
      struct target_defaults def = {443};
      if (target_parse_line(preset_lines[i], strlen(preset_lines[i]), &def, &l, perr,
                            sizeof(perr)) != TARGET_PARSE_OK) {
        snprintf(err, errcap, "preset line '%s': %s", preset_lines[i], perr);
        return 0;
      }
      char url[TARGET_TEXT_MAX];
      endpoint_url(proto_get(l.proto)->scheme, l.host, l.port, url, sizeof(url));
      /* A discovered endpoint may be one of the preset's: scan it once. */
      if (!add_endpoint(t, url, (uint32_t)nd, 0)) {
        snprintf(err, errcap, "out of memory");
        return 0;
      }
    }
  }
  t->lines = calloc(t->nendpoints ? t->nendpoints : 1, sizeof(*t->lines));
  if (t->lines == NULL) {
    snprintf(err, errcap, "out of memory");
    return 0;
  }
  for (size_t e = 0; e < t->nendpoints; e++) {
    t->lines[e] = t->endpoints[e].line;
  }
  return 1;
}

void tenants_free(struct tenants *t) {
  for (size_t i = 0; i < t->ntenants; i++) {
    free(t->tenants[i].endpoints);
  }
  for (size_t e = 0; e < t->nendpoints; e++) {
    free(t->endpoints[e].tenants);
  }
  free(t->tenants);
  free(t->endpoints);
  free(t->lines);
  memset(t, 0, sizeof(*t));
}

const struct tenant_endpoint *tenants_record(struct tenants *t, const struct scan_result *r,
                                             void (*emit)(void *ctx, const struct scan_result *r),
                                             void *ctx) {
  const char *label = r->item->line.label;
  size_t plen = sizeof(kEndpointLabelPrefix) - 1;
  if (strncmp(label, kEndpointLabelPrefix, plen) != 0) {
    return NULL;
  }
  char *end;
  unsigned long ei = strtoul(label + plen, &end, 10);
  if (*end != '\0' || ei >= t->nendpoints) {
    return NULL;
  }
  struct tenant_endpoint *e = &t->endpoints[ei];
  int legacy, min_pv, max_pv;
  scan_result_summary(r, &legacy, &min_pv, &max_pv);
  e->done = 1;
  e->status = r->status;
  e->tls = max_pv >= 0;
  e->legacy = legacy;
  e->legacy_app = scan_result_legacy_app(r) == 1;
  if (!output_policy_verdicts(r, e->policy)) {
    memset(e->policy, -1, sizeof(e->policy));
  }
  /* The same record, once per tenant, with the tenant as its label. */
  struct target_item item = *r->item;
  struct scan_result copy = *r;
  copy.item = &item;
  for (size_t k = 0; k < e->ntenants; k++) {
    snprintf(item.line.label, sizeof(item.line.label), "%s", t->tenants[e->tenants[k]].label);
    emit(ctx, &copy);
  }
  return e;
}

/* policy_counts is a tenant's compliance, policy by policy (tenants.h). */
static json_t *policy_counts(const struct tenants *t, const struct tenant *tn) {
  json_t *o = json_object();
  for (unsigned i = 0; i < POLICY_COUNT; i++) {
    if (!(t->policies & (1u << i))) {
      continue;
    }
    json_int_t n[3] = {0, 0, 0};
    for (size_t k = 0; k < tn->nendpoints; k++) {
      const struct tenant_endpoint *e = &t->endpoints[tn->endpoints[k]];
      int v = e->done ? e->policy[i] : -1;
      n[v == 1 ? 0 : v == 0 ? 1 : 2]++;
    }
    json_t *one = json_object();
    json_object_set_new(one, "compliant",
                        n[1] > 0                          ? json_false()
                        : n[2] > 0 || tn->nendpoints == 0 ? json_null()
                                                          : json_true());
    json_object_set_new(one, "endpoints_compliant", json_integer(n[0]));
    json_object_set_new(one, "endpoints_not_compliant", json_integer(n[1]));
    json_object_set_new(one, "endpoints_unknown", json_integer(n[2]));
    json_object_set_new(o, policy_name(i), one);
  }
  return o;
}

static enum tenant_verdict verdict_of(const struct tenants *t, const struct tenant *tn) {
  if (tn->dns_failed) {
    return TENANT_DNS_ERROR;
  }
  if (tn->nendpoints == 0) {
    return TENANT_NO_ENDPOINTS;
  }
  int legacy = 0, tls = 0, reachable = 0;
  for (size_t k = 0; k < tn->nendpoints; k++) {
    const struct tenant_endpoint *e = &t->endpoints[tn->endpoints[k]];
    legacy |= e->legacy;
    tls |= e->tls;
    reachable |= e->done && e->status == STATUS_OK;
  }
  if (legacy) {
    return TENANT_LEGACY;
  }
  if (tls) {
    return TENANT_MODERN;
  }
  return reachable ? TENANT_NO_TLS : TENANT_UNREACHABLE;
}

int tenants_finish(struct tenants *t, struct outbuf *out) {
  for (size_t i = 0; i < t->ntenants; i++) {
    struct tenant *tn = &t->tenants[i];
    tn->verdict = verdict_of(t, tn);
    json_t *o = json_object();
    json_t *all = json_array(), *legacy = json_array(), *confirmed = json_array();
    for (size_t k = 0; k < tn->nendpoints; k++) {
      const struct tenant_endpoint *e = &t->endpoints[tn->endpoints[k]];
      json_array_append_new(all, json_string(e->url));
      if (e->legacy) {
        json_array_append_new(legacy, json_string(e->url));
      }
      if (e->legacy_app) {
        json_array_append_new(confirmed, json_string(e->url));
      }
    }
    json_object_set_new(o, "tenant", json_string(tn->domain));
    json_object_set_new(o, "label", json_string(tn->label));
    json_object_set_new(o, "verdict", json_string(tenant_verdict_name(tn->verdict)));
    json_object_set_new(o, "dns", json_string(tn->dns));
    json_object_set_new(o, "endpoints", all);
    json_object_set_new(o, "legacy_endpoints", legacy);
    json_object_set_new(o, "legacy_confirmed", confirmed);
    if (t->policies != 0) {
      json_object_set_new(o, "policy", policy_counts(t, tn));
    }
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    int ok = text != NULL && outbuf_puts(out, text) && outbuf_puts(out, "\n");
    free(text);
    if (!ok) {
      return 0;
    }
  }
  return 1;
}

static int worse_first(const void *a, const void *b) {
  const struct tenant *x = *(const struct tenant *const *)a;
  const struct tenant *y = *(const struct tenant *const *)b;
  if (x->verdict != y->verdict) {
    return (int)x->verdict - (int)y->verdict;
  }
  return strcmp(x->domain, y->domain);
}

void tenants_table(const struct tenants *t, FILE *f) {
  const struct tenant **order = malloc((t->ntenants ? t->ntenants : 1) * sizeof(*order));
  if (order == NULL) {
    return;
  }
  for (size_t i = 0; i < t->ntenants; i++) {
    order[i] = &t->tenants[i];
  }
  qsort(order, t->ntenants, sizeof(*order), worse_first);
  fprintf(f, "\n%-32s %-13s %-9s %9s %7s %9s\n", "tenant", "verdict", "dns", "endpoints",
          "legacy", "confirmed");
  for (size_t i = 0; i < t->ntenants; i++) {
    const struct tenant *tn = order[i];
    size_t legacy = 0, confirmed = 0;
    for (size_t k = 0; k < tn->nendpoints; k++) {
      legacy += t->endpoints[tn->endpoints[k]].legacy;
      confirmed += t->endpoints[tn->endpoints[k]].legacy_app;
    }
    fprintf(f, "%-32s %-13s %-9s %9zu %7zu %9zu\n", tn->label, tenant_verdict_name(tn->verdict),
            tn->dns, tn->nendpoints, legacy, confirmed);
  }
  free(order);
}

size_t tenants_legacy_app(const struct tenants *t) {
  size_t n = 0;
  for (size_t i = 0; i < t->ntenants; i++) {
    const struct tenant *tn = &t->tenants[i];
    for (size_t k = 0; k < tn->nendpoints; k++) {
      if (t->endpoints[tn->endpoints[k]].legacy_app) {
        n++;
        break;
      }
    }
  }
  return n;
}
