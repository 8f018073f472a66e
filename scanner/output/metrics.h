/* scanner/output/metrics.h: the --metrics file, a run's figures in
 * Prometheus' text format for node_exporter's textfile collector.
 *
 * The collector sees every record the writer is given (writer.h's observer;
 * `tlssweep check` without -o shows it the records it does not write) and
 * counts each in the group of its tenant and protocol: a tenants sweep's
 * records carry the tenant as their label and are counted once per tenant
 * that uses the endpoint; a scan's and the lab's have no tenant (an empty
 * label value, which Prometheus reads as no label). Groups are few (at most
 * one per tenant and protocol), so memory follows the tenants, not the
 * targets; certificate expiry is a series per endpoint, the first
 * METRICS_CERT_MAX of them, and the file says how many were left out.
 *
 * At the end of the run, metrics_render writes the families below (every
 * name prefixed tlssweep_, counters ending in _total, times in seconds) and
 * metrics_write puts them in place atomically: FILE.tmp written, fsynced and
 * renamed over FILE (a name node_exporter skips, as it reads only *.prom),
 * so a reader sees the last complete run or the one before, never half. */
#ifndef SCANNER_OUTPUT_METRICS_H
#define SCANNER_OUTPUT_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "scanner/base/outbuf.h"
#include "scanner/output/result.h"
#include "scanner/targets/proto.h"

/* Certificate expiry series kept, one per endpoint; the rest are counted. */
#define METRICS_CERT_MAX 10000

/* The counts of one tenant and protocol. */
struct metrics_group {
  char tenant[TARGET_LABEL_MAX];
  enum proto proto;
  uint64_t status[STATUS_COUNT];
  uint64_t accepting[PV_COUNT];
  uint64_t legacy, legacy_app;
  uint64_t confirm_runs[PV_COUNT], confirm_handshakes[PV_COUNT], confirm_refused[PV_COUNT];
};

/* One endpoint's certificate expiry. */
struct metrics_cert {
  size_t group;
  char target[TARGET_TEXT_MAX];
  char ip[64];
  time_t not_after;
};

struct metrics {
  const char *command;        /* "scan", "lab", "tenants": a label of the run's series */
  int tenant_from_label;      /* records' labels are tenants (tlssweep tenants) */
  struct metrics_group *groups;
  size_t ngroups, groups_cap;
  struct metrics_cert *certs;
  size_t ncerts, certs_cap;
  uint64_t certs_dropped;
  int out_of_memory;          /* a record could not be counted */
};

/* metrics_init starts an empty collector for |command| (a static string). */
void metrics_init(struct metrics *m, const char *command, int tenant_from_label);
void metrics_free(struct metrics *m);

/* metrics_observe counts one record (a writer observer: call it with the
 * writer's lock held, or from one thread). */
void metrics_observe(void *m, const struct scan_result *r);

/* metrics_render appends the text format to |out|: the groups' counts, the
 * certificates' expiry, the run's duration |duration_s| and its end |end|.
 * Returns 1, or 0 when memory is short. */
int metrics_render(const struct metrics *m, double duration_s, time_t end, struct outbuf *out);

/* metrics_write puts |text| at |path| atomically (see above). Returns 1, or
 * 0 with what failed in |err|; then |path| is as it was. */
int metrics_write(const char *path, const struct outbuf *text, char *err, size_t errcap);

#endif /* SCANNER_OUTPUT_METRICS_H */
