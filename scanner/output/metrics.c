/* scanner/output/metrics.c: the --metrics file (see metrics.h).
 *
 * Counting is a lookup of the record's group (a short linear search from
 * the group used last: records of one tenant and protocol come in runs) and
 * a few additions. Rendering walks the families in a fixed order, each with
 * its HELP and TYPE once, and every group in each; label values are made
 * valid UTF-8 and escaped as the text format asks (backslash, double quote,
 * newline), since tenants and targets come from input files. */
#include "scanner/output/metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void metrics_init(struct metrics *m, const char *command, int tenant_from_label) {
  memset(m, 0, sizeof(*m));
  m->command = command;
  m->tenant_from_label = tenant_from_label;
}

void metrics_free(struct metrics *m) {
  free(m->groups);
  free(m->certs);
  memset(m, 0, sizeof(*m));
}

/* group_of finds or adds the group of |tenant| and |proto|. Returns its
 * index, or -1 when memory is short. */
static long group_of(struct metrics *m, const char *tenant, enum proto proto) {
  for (size_t i = m->ngroups; i > 0; i--) {
    const struct metrics_group *g = &m->groups[i - 1];
    if (g->proto == proto && strcmp(g->tenant, tenant) == 0) {
      return (long)(i - 1);
    }
  }
  if (m->ngroups == m->groups_cap) {
    size_t cap = m->groups_cap ? 2 * m->groups_cap : 16;
    struct metrics_group *g = realloc(m->groups, cap * sizeof(*g));
    if (g == NULL) {
      return -1;
    }
    m->groups = g;
    m->groups_cap = cap;
  }
  struct metrics_group *g = &m->groups[m->ngroups];
  memset(g, 0, sizeof(*g));
  snprintf(g->tenant, sizeof(g->tenant), "%s", tenant);
  g->proto = proto;
  return (long)m->ngroups++;
}

static void add_cert(struct metrics *m, size_t group, const struct scan_result *r) {
  if (m->ncerts == METRICS_CERT_MAX) {
    m->certs_dropped++;
    return;
  }
  if (m->ncerts == m->certs_cap) {
    size_t cap = m->certs_cap ? 2 * m->certs_cap : 64;
    struct metrics_cert *c = realloc(m->certs, cap * sizeof(*c));
    if (c == NULL) {
      m->out_of_memory = 1;
      return;
    }
    m->certs = c;
    m->certs_cap = cap;
  }
  struct metrics_cert *c = &m->certs[m->ncerts++];
  c->group = group;
  snprintf(c->target, sizeof(c->target), "%s", r->item->line.text);
  snprintf(c->ip, sizeof(c->ip), "%s", r->ip);
  c->not_after = r->cert.not_after_time;
}

void metrics_observe(void *ctx, const struct scan_result *r) {
  struct metrics *m = ctx;
  const char *tenant = m->tenant_from_label ? r->item->line.label : "";
  long gi = group_of(m, tenant, r->item->line.proto);
  if (gi < 0) {
    m->out_of_memory = 1;
    return;
  }
  struct metrics_group *g = &m->groups[gi];
  g->status[r->status]++;
  int legacy, min_pv, max_pv;
  scan_result_summary(r, &legacy, &min_pv, &max_pv);
  g->legacy += legacy != 0;
  g->legacy_app += scan_result_legacy_app(r) == 1;
  for (int pv = 0; pv < PV_COUNT; pv++) {
    const struct version_result *v = &r->v[pv];
    g->accepting[pv] += v->outcome == OUTCOME_ACCEPTED;
    if (v->confirm.state == CONFIRM_DONE) {
      g->confirm_runs[pv] += v->confirm.runs;
      g->confirm_handshakes[pv] += v->confirm.handshake_ok_runs;
      g->confirm_refused[pv] += v->confirm.app_refused_runs;
    }
  }
  if (r->has_cert && r->cert.times_known) {
    add_cert(m, (size_t)gi, r);
  }
}

/* ---- the text format -------------------------------------------------------- */

/* put_label appends name="value" with the value made valid UTF-8 and
 * escaped. */
static int put_label(struct outbuf *out, const char *name, const char *value) {
  struct outbuf clean = {0};
  int ok = utf8_sanitize(&clean, (const uint8_t *)value, strlen(value)) &&
           outbuf_puts(out, name) && outbuf_puts(out, "=\"");
  for (size_t i = 0; ok && i < clean.len; i++) {
    char c = clean.data[i];
    ok = c == '\\' ? outbuf_puts(out, "\\\\")
         : c == '"' ? outbuf_puts(out, "\\\"")
         : c == '\n' ? outbuf_puts(out, "\\n")
                     : outbuf_append(out, &c, 1);
  }
  outbuf_free(&clean);
  return ok && outbuf_puts(out, "\"");
}

static int put_family(struct outbuf *out, const char *name, const char *type, const char *help) {
  char line[512];
  int n = snprintf(line, sizeof(line), "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
  return n > 0 && (size_t)n < sizeof(line) && outbuf_puts(out, line);
}

/* put_sample appends one sample of |name| for group |g| (its tenant and
 * proto labels), with up to one more label |extra|=|extra_value|. */
static int put_sample(struct outbuf *out, const char *name, const struct metrics_group *g,
                      const char *extra, const char *extra_value, const char *value) {
  return outbuf_puts(out, name) && outbuf_puts(out, "{") && put_label(out, "tenant", g->tenant) &&
         outbuf_puts(out, ",") && put_label(out, "proto", proto_get(g->proto)->scheme) &&
         (extra == NULL ||
          (outbuf_puts(out, ",") && put_label(out, extra, extra_value))) &&
         outbuf_puts(out, "} ") && outbuf_puts(out, value) && outbuf_puts(out, "\n");
}

static int put_count(struct outbuf *out, const char *name, const struct metrics_group *g,
                     const char *extra, const char *extra_value, uint64_t v) {
  char num[32];
  snprintf(num, sizeof(num), "%" PRIu64, v);
  return put_sample(out, name, g, extra, extra_value, num);
}

/* A family counted per group and version: which member of the group. */
enum version_figure { FIG_ACCEPTING, FIG_RUNS, FIG_HANDSHAKES, FIG_REFUSED };

static uint64_t figure(const struct metrics_group *g, enum version_figure f, int pv) {
  switch (f) {
    case FIG_ACCEPTING: return g->accepting[pv];
    case FIG_RUNS: return g->confirm_runs[pv];
    case FIG_HANDSHAKES: return g->confirm_handshakes[pv];
    case FIG_REFUSED: return g->confirm_refused[pv];
  }
  return 0;
}

static const struct {
  const char *name, *type, *help;
  enum version_figure fig;
  int first_pv;  /* SSLv3 cannot be confirmed (BoringSSL lacks it) */
} kVersionFamilies[] = {
    {"tlssweep_endpoints_accepting", "gauge",
     "Endpoints whose probe of the version was accepted, in the last run.", FIG_ACCEPTING,
     PV_SSL3},
    {"tlssweep_confirmations_total", "counter",
     "Confirmation handshakes started (full BoringSSL handshakes pinned to the version).", FIG_RUNS,
     PV_TLS10},
    {"tlssweep_confirmation_handshakes_total", "counter",
     "Confirmation handshakes that completed.", FIG_HANDSHAKES, PV_TLS10},
    {"tlssweep_confirmation_refusals_total", "counter",
     "Completed confirmation handshakes the application then refused.", FIG_REFUSED, PV_TLS10},
};

static int render_groups(const struct metrics *m, struct outbuf *out) {
  int ok = put_family(out, "tlssweep_targets", "gauge",
                      "Targets of the last run, by the status of their record.");
  for (size_t i = 0; ok && i < m->ngroups; i++) {
    for (int s = 0; ok && s < STATUS_COUNT; s++) {
      ok = put_count(out, "tlssweep_targets", &m->groups[i], "status",
                     target_status_name((enum target_status)s), m->groups[i].status[s]);
    }
  }
  for (size_t f = 0; ok && f < sizeof(kVersionFamilies) / sizeof(kVersionFamilies[0]); f++) {
    ok = put_family(out, kVersionFamilies[f].name, kVersionFamilies[f].type,
                    kVersionFamilies[f].help);
    for (size_t i = 0; ok && i < m->ngroups; i++) {
      for (int pv = kVersionFamilies[f].first_pv; ok && pv < PV_COUNT; pv++) {
        ok = put_count(out, kVersionFamilies[f].name, &m->groups[i], "version",
                       probe_version_name((enum probe_version)pv),
                       figure(&m->groups[i], kVersionFamilies[f].fig, pv));
      }
    }
  }
  ok = ok && put_family(out, "tlssweep_confirmation_refusal_ratio", "gauge",
                        "Share of completed confirmation handshakes the application refused "
                        "(0 to 1), where any completed.");
  for (size_t i = 0; ok && i < m->ngroups; i++) {
    for (int pv = PV_TLS10; ok && pv < PV_COUNT; pv++) {
      const struct metrics_group *g = &m->groups[i];
      if (g->confirm_handshakes[pv] == 0) {
        continue;
      }
      char num[32];
      snprintf(num, sizeof(num), "%.6g",
               (double)g->confirm_refused[pv] / (double)g->confirm_handshakes[pv]);
      ok = put_sample(out, "tlssweep_confirmation_refusal_ratio", g, "version",
                      probe_version_name((enum probe_version)pv), num);
    }
  }
  ok = ok && put_family(out, "tlssweep_legacy_endpoints", "gauge",
                        "Endpoints that accepted SSLv3, TLS 1.0 or TLS 1.1, in the last run.");
  for (size_t i = 0; ok && i < m->ngroups; i++) {
    ok = put_count(out, "tlssweep_legacy_endpoints", &m->groups[i], NULL, NULL,
                   m->groups[i].legacy);
  }
  ok = ok && put_family(out, "tlssweep_legacy_app_endpoints", "gauge",
                        "Endpoints where TLS 1.0 or 1.1 works at the application level "
                        "(a confirmation completed and the service answered).");
  for (size_t i = 0; ok && i < m->ngroups; i++) {
    ok = put_count(out, "tlssweep_legacy_app_endpoints", &m->groups[i], NULL, NULL,
                   m->groups[i].legacy_app);
  }
  return ok;
}

static int render_certs(const struct metrics *m, const char *command_label,
                        struct outbuf *out) {
  int ok = put_family(out, "tlssweep_cert_not_after_timestamp_seconds", "gauge",
                      "The notAfter of each endpoint's certificate, as a Unix time.");
  for (size_t i = 0; ok && i < m->ncerts; i++) {
    const struct metrics_cert *c = &m->certs[i];
    const struct metrics_group *g = &m->groups[c->group];
    char num[32];
    snprintf(num, sizeof(num), "%lld", (long long)c->not_after);
    ok = outbuf_puts(out, "tlssweep_cert_not_after_timestamp_seconds{") &&
         put_label(out, "tenant", g->tenant) && outbuf_puts(out, ",") &&
         put_label(out, "proto", proto_get(g->proto)->scheme) && outbuf_puts(out, ",") &&
         put_label(out, "target", c->target) && outbuf_puts(out, ",") &&
         put_label(out, "ip", c->ip) && outbuf_puts(out, "} ") && outbuf_puts(out, num) &&
         outbuf_puts(out, "\n");
  }
  char line[512];
  snprintf(line, sizeof(line),
           "# HELP tlssweep_cert_series_dropped Endpoints with a certificate left out of "
           "tlssweep_cert_not_after_timestamp_seconds (it keeps the first %d).\n"
           "# TYPE tlssweep_cert_series_dropped gauge\n"
           "tlssweep_cert_series_dropped{%s} %" PRIu64 "\n",
           METRICS_CERT_MAX, command_label, m->certs_dropped);
  return ok && outbuf_puts(out, line);
}

int metrics_render(const struct metrics *m, double duration_s, time_t end, struct outbuf *out) {
  /* The run's own series carry the command, so that files of different
   * commands side by side in the textfile directory do not collide. */
  struct outbuf cmd = {0};
  int ok = put_label(&cmd, "command", m->command) && outbuf_append(&cmd, "", 1);
  char line[1024];
  snprintf(line, sizeof(line),
           "# HELP tlssweep_scan_duration_seconds How long the last run took.\n"
           "# TYPE tlssweep_scan_duration_seconds gauge\n"
           "tlssweep_scan_duration_seconds{%s} %.3f\n"
           "# HELP tlssweep_last_run_timestamp_seconds When the last run ended, as a Unix time.\n"
           "# TYPE tlssweep_last_run_timestamp_seconds gauge\n"
           "tlssweep_last_run_timestamp_seconds{%s} %lld\n",
           ok ? cmd.data : "", duration_s, ok ? cmd.data : "", (long long)end);
  ok = ok && render_groups(m, out) && render_certs(m, cmd.data, out) && outbuf_puts(out, line);
  outbuf_free(&cmd);
  return ok;
}

/* ---- writing it in place ------------------------------------------------------ */

static int fail(char *err, size_t errcap, const char *what, const char *path, int e) {
  snprintf(err, errcap, "%s %s: %s", what, path, strerror(e));
  return 0;
}

int metrics_write(const char *path, const struct outbuf *text, char *err, size_t errcap) {
  char tmp[4096];
  if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
    return fail(err, errcap, "path too long:", path, ENAMETOOLONG);
  }
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return fail(err, errcap, "cannot create", tmp, errno);
  }
  size_t off = 0;
  while (off < text->len) {
    ssize_t n = write(fd, text->data + off, text->len - off);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      int e = n < 0 ? errno : EIO;
      close(fd);
      unlink(tmp);
      return fail(err, errcap, "cannot write", tmp, e);
    }
    off += (size_t)n;
  }
  int e = fsync(fd) != 0 ? errno : 0;
  if (close(fd) != 0 && e == 0) {
    e = errno;
  }
  if (e != 0) {
    unlink(tmp);
    return fail(err, errcap, "cannot write", tmp, e);
  }
  if (rename(tmp, path) != 0) {
    e = errno;
    unlink(tmp);
    return fail(err, errcap, "cannot rename it to", path, e);
  }
  /* The rename itself reaches the disk with the directory. */
  char dir[4096];
  snprintf(dir, sizeof(dir), "%s", path);
  int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return 1;
}
