/* scanner/output/tenants.h: an MSP's sweep, from customers' mail domains to one
 * verdict per tenant.
 *
 * `tlssweep tenants` discovers each domain's mail endpoints (discover.h),
 * scans every distinct endpoint once with the ordinary engine, and then
 * reports each endpoint's record once for every tenant that uses it (with
 * the tenant as its label), followed by one summary record per tenant, told
 * apart by its "tenant" key:
 *
 *   {"tenant":"example.com","label":"customer-a","verdict":"legacy","dns":"ok",
 *    "endpoints":[...],"legacy_endpoints":[...],"legacy_confirmed":[...]}
 *
 * With --policy, it also counts its endpoints' compliance verdicts, policy
 * by policy, and judges the tenant as its worst endpoint (false with one not
 * compliant, else null with one unknown or not scanned):
 *
 *   "policy":{"pci-dss-4.0":{"compliant":false,"endpoints_compliant":1,
 *             "endpoints_not_compliant":1,"endpoints_unknown":0}}
 *
 * Verdicts, worst first: legacy (an endpoint accepts SSLv3, TLS 1.0 or 1.1),
 * no_tls (endpoints answer, none with TLS), unreachable (no endpoint
 * answers), dns_error (the domain's MX lookup failed: NXDOMAIN, SERVFAIL,
 * timeout), no_endpoints (nothing found), modern (TLS, none of it legacy).
 * This file holds the bookkeeping; scanner/cli/tenants.c drives discovery
 * and the scan. */
#ifndef SCANNER_TENANTS_H
#define SCANNER_TENANTS_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/targets/discover.h"
#include "scanner/base/outbuf.h"
#include "scanner/output/policies.h"
#include "scanner/output/result.h"

enum tenant_verdict {
  TENANT_LEGACY,
  TENANT_NO_TLS,
  TENANT_UNREACHABLE,
  TENANT_DNS_ERROR,
  TENANT_NO_ENDPOINTS,
  TENANT_MODERN,
};

struct tenant_endpoint {
  char line[TARGET_TEXT_MAX + 32];  /* the target line scanned: URL and label=epN */
  char url[TARGET_TEXT_MAX];        /* scheme://host:port, for the summaries */
  uint32_t *tenants;                /* indexes into tenants[] */
  size_t ntenants;
  int done;
  enum target_status status;
  int tls;                          /* some version accepted */
  int legacy;                       /* SSLv3, TLS 1.0 or 1.1 accepted by the probe */
  int legacy_app;                   /* ... and confirmed at the application level */
  int8_t policy[POLICY_COUNT];      /* --policy: 1 compliant, 0 not, -1 unknown */
};

struct tenant {
  char domain[TARGET_HOST_MAX];
  char label[TARGET_LABEL_MAX];
  const char *dns;                  /* the MX lookup's status name */
  int dns_failed;
  uint32_t *endpoints;
  size_t nendpoints;
  enum tenant_verdict verdict;
};

struct tenants {
  struct tenant *tenants;
  size_t ntenants;
  struct tenant_endpoint *endpoints;
  size_t nendpoints;
  char **lines;                     /* endpoint lines, for a target_source */
  uint32_t policies;                /* --policy: the summaries count each policy's verdicts */
};

/* tenants_build collects the tenants and endpoints of a finished discovery,
 * plus the endpoints of |preset| (NULL for none) as one more tenant named
 * after it. Returns 1, or 0 with a message in |err|. */
int tenants_build(struct tenants *t, const struct discovery *d, const char *preset, char *err,
                  size_t errcap);
void tenants_free(struct tenants *t);

/* tenants_record handles one scanned endpoint's result: it keeps what the
 * verdicts need and calls |emit| once per tenant that uses the endpoint,
 * with the result relabelled to that tenant. Returns the endpoint, or NULL
 * when the result is not one of ours. */
const struct tenant_endpoint *tenants_record(struct tenants *t, const struct scan_result *r,
                                             void (*emit)(void *ctx, const struct scan_result *r),
                                             void *ctx);

/* tenants_finish computes each tenant's verdict and appends its summary
 * record (one JSON line) to |out|. Returns 1, or 0 when memory is short. */
int tenants_finish(struct tenants *t, struct outbuf *out);

/* tenants_table writes the human table, one row per tenant, worst first. */
void tenants_table(const struct tenants *t, FILE *f);

/* tenants_legacy_app counts tenants with an endpoint where TLS 1.0/1.1
 * works at the application level (--fail-on-legacy). */
size_t tenants_legacy_app(const struct tenants *t);

const char *tenant_verdict_name(enum tenant_verdict v);

#endif /* SCANNER_TENANTS_H */
