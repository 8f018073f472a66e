/* scanner/output/result.c: the probe versions and what a finished result adds up to.
 *
 * The versions tlssweep probes are an enum in output order, so results,
 * statistics and the -V mask index the same arrays; this file maps them to
 * the wire and to their names, and computes the fields every output format
 * derives the same way (legacy, lowest and highest accepted version). */
#include "scanner/output/result.h"

static const uint16_t kWire[PV_COUNT] = {
    [PV_SSL3] = TP_SSL3,   [PV_TLS10] = TP_TLS10, [PV_TLS11] = TP_TLS11,
    [PV_TLS12] = TP_TLS12, [PV_TLS13] = TP_TLS13,
};

uint16_t probe_version_wire(enum probe_version pv) {
  return (unsigned)pv < PV_COUNT ? kWire[pv] : 0;
}

const char *probe_version_name(enum probe_version pv) {
  return tp_version_name(probe_version_wire(pv));
}

int probe_version_from_wire(uint16_t wire, enum probe_version *out) {
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (kWire[pv] == wire) {
      *out = (enum probe_version)pv;
      return 1;
    }
  }
  return 0;
}

void scan_result_summary(const struct scan_result *r, int *legacy, int *min_pv, int *max_pv) {
  *legacy = 0;
  *min_pv = -1;
  *max_pv = -1;
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (r->v[pv].outcome != OUTCOME_ACCEPTED) {
      continue;
    }
    if (*min_pv < 0) {
      *min_pv = pv;
    }
    *max_pv = pv;
    /* Legacy: anything older than TLS 1.2, which is what is being retired. */
    if (pv == PV_SSL3 || pv == PV_TLS10 || pv == PV_TLS11) {
      *legacy = 1;
    }
  }
}

const char *target_status_name(enum target_status s) {
  switch (s) {
    case STATUS_OK: return "ok";
    case STATUS_UNREACHABLE: return "unreachable";
    case STATUS_DNS_ERROR: return "dns_error";
    case STATUS_BLOCKED: return "blocked";
    case STATUS_INVALID: return "invalid";
    case STATUS_COUNT: break;
  }
  return "unknown";
}

const char *probe_outcome_name(enum probe_outcome o) {
  switch (o) {
    case OUTCOME_NOT_RUN: return "skipped";
    case OUTCOME_ACCEPTED: return "accepted";
    case OUTCOME_REJECTED: return "rejected";
    case OUTCOME_TIMEOUT: return "timeout";
    case OUTCOME_ERROR: return "error";
    case OUTCOME_CONNECTED: return "connected";
    case OUTCOME_COUNT: break;
  }
  return "unknown";
}

int scan_result_legacy_app(const struct scan_result *r) {
  int seen = -1;
  for (int pv = PV_TLS10; pv <= PV_TLS11; pv++) {
    const struct confirm_result *c = &r->v[pv].confirm;
    if (c->state != CONFIRM_DONE || c->runs == 0) {
      continue;
    }
    seen = 0;
    if (c->app_ok_runs > 0) {
      return 1;
    }
  }
  return seen;
}
