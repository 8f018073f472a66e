/* scanner/cli/check.c: `tlssweep check`, a monitoring plugin in the
 * Monitoring Plugins' (Nagios, Icinga, Naemon, Checkmk) own terms.
 *
 * It scans its targets (arguments, -i FILE, a tenant's mail endpoints found
 * as `tlssweep tenants` finds them, or a preset's) with the ordinary run,
 * tests every endpoint's result against conditions (kConditions: legacy
 * TLS, legacy TLS that works in the application, certificates expired or
 * about to, no TLS 1.3, unreachable...), and prints one line on standard
 * output: the service state, what made it so, and the performance data
 *
 *   TLSSWEEP CRITICAL - 2 of 5 endpoints accept TLS 1.0/1.1 that works in the
 *   application (imaps://a:993, pop3s://b:995) | 'endpoints'=5;;;0 'legacy'=2;0;;0 ...
 *
 * (one line), and exits 0 OK, 1 WARNING, 2 CRITICAL or 3 UNKNOWN: a
 * condition of --critical-on met by any endpoint makes it CRITICAL, else one
 * of --warning-on WARNING; UNKNOWN when tlssweep could not check (bad
 * arguments, no targets, an invalid target, a tenant without endpoints, a
 * failed run, an unreachable endpoint when no list names "unreachable").
 * Performance data follow the plugins' guidelines: quoted labels, counts
 * without a unit, seconds with "s", thresholds as ranges (a count alerts
 * above 0; certificate expiry below its threshold). Records go to -o FILE
 * when given, and nowhere else: standard output is the monitoring
 * system's. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scanner/base/clock.h"
#include "scanner/cli/commands.h"
#include "scanner/cli/options.h"
#include "scanner/cli/run.h"
#include "scanner/output/tenants.h"
#include "scanner/targets/discover.h"

static const struct opt_command kCheck = {
    .bit = CMD_CHECK,
    .synopsis = "[options] [target...]",
    .about =
        "A monitoring plugin (Nagios, Icinga, Naemon, Checkmk): scans the targets (the\n"
        "arguments, -i FILE, --tenant DOMAIN's mail endpoints, --preset's endpoints),\n"
        "tests each endpoint against the conditions of --critical-on and --warning-on,\n"
        "and prints one line, the state and why, with performance data. Records go to\n"
        "-o FILE when given. Conditions: legacy (SSLv3, TLS 1.0 or 1.1 accepted),\n"
        "app-legacy (TLS 1.0/1.1 works at the application level), expired,\n"
        "cert-expires:DAYS (30d; 12h in hours), untrusted (the chain does not verify),\n"
        "no-tls13, no-tls (no version accepted), unreachable (or its name does not\n"
        "resolve); 'none' for an empty list.",
    .epilogue = "exit status: 0 OK; 1 WARNING; 2 CRITICAL; 3 UNKNOWN (bad arguments, no\n"
                "targets, an invalid target, a tenant without endpoints, a failed run)",
};

enum check_state { STATE_OK, STATE_WARNING, STATE_CRITICAL, STATE_UNKNOWN };

static const char *const kStateNames[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

enum condition {
  COND_LEGACY,
  COND_APP_LEGACY,
  COND_EXPIRED,
  COND_CERT_EXPIRES,
  COND_UNTRUSTED,
  COND_NO_TLS13,
  COND_NO_TLS,
  COND_UNREACHABLE,
  COND_COUNT,
};

/* Names as the lists spell them, the perfdata label of each count, and how
 * the status line says an endpoint meets it. */
static const struct {
  const char *name;
  const char *label;
  const char *phrase;
} kConditions[COND_COUNT] = {
    [COND_LEGACY] = {"legacy", "legacy", "accept SSLv3, TLS 1.0 or 1.1"},
    [COND_APP_LEGACY] = {"app-legacy", "app_legacy",
                         "accept TLS 1.0/1.1 that works in the application"},
    [COND_EXPIRED] = {"expired", "expired", "have an expired certificate"},
    [COND_CERT_EXPIRES] = {"cert-expires", "cert_expires", "have a certificate expiring within"},
    [COND_UNTRUSTED] = {"untrusted", "untrusted", "have a certificate that does not verify"},
    [COND_NO_TLS13] = {"no-tls13", "no_tls13", "do not accept TLS 1.3"},
    [COND_NO_TLS] = {"no-tls", "no_tls", "accept no TLS version"},
    [COND_UNREACHABLE] = {"unreachable", "unreachable", "are unreachable"},
};

/* Endpoints named in the status line per condition; the rest are counted. */
#define CHECK_NAMES 3
#define CHECK_NAME_MAX 96

struct check_run {
  struct check_options *o;
  struct tenants *tenants;        /* --tenant / --preset: endpoint names, or NULL */
  int keep_records;               /* -o FILE: records written */
  /* The state each condition raises (STATE_OK: not asked for) and the
   * cert-expires window in seconds. */
  enum check_state raises[COND_COUNT];
  long long expires_window_s;
  char expires_text[32];
  time_t now;
  /* What the endpoints showed. */
  unsigned long endpoints, invalid, accepted[PV_COUNT], met[COND_COUNT];
  char names[COND_COUNT][CHECK_NAMES][CHECK_NAME_MAX];
  int have_cert;
  long long cert_min_s;           /* the soonest expiry, seconds from now */
  char first_invalid[160];
};

/* ---- the conditions ----------------------------------------------------------- */

/* parse_window reads "30d", "12h" or a bare number of days into seconds. */
static int parse_window(const char *s, long long *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno != 0 || end == s || v < 0 || v > 36500) {
    return 0;
  }
  if (*end == '\0' || strcmp(end, "d") == 0) {
    *out = v * 86400;
  } else if (strcmp(end, "h") == 0) {
    *out = v * 3600;
  } else {
    return 0;
  }
  return 1;
}

/* read_conditions marks the conditions of |list| as raising |state|.
 * Returns 1, or 0 after writing what is wrong to |err|. */
static int read_conditions(struct check_run *cr, const char *list, enum check_state state,
                           char *err, size_t errcap) {
  if (strcmp(list, "none") == 0 || *list == '\0') {
    return 1;
  }
  char buf[256];
  snprintf(buf, sizeof(buf), "%s", list);
  char *save = NULL;
  for (char *item = strtok_r(buf, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
    char *arg = strchr(item, ':');
    if (arg != NULL) {
      *arg++ = '\0';
    }
    int c = 0;
    while (c < COND_COUNT && strcmp(item, kConditions[c].name) != 0) {
      c++;
    }
    if (c == COND_COUNT) {
      snprintf(err, errcap, "unknown condition '%s'", item);
      return 0;
    }
    if ((c == COND_CERT_EXPIRES) != (arg != NULL)) {
      snprintf(err, errcap, c == COND_CERT_EXPIRES ? "cert-expires needs days: cert-expires:30d"
                                                   : "'%s' takes no value",
               item);
      return 0;
    }
    if (c == COND_CERT_EXPIRES) {
      long long w;
      if (!parse_window(arg, &w)) {
        snprintf(err, errcap, "cert-expires:%s: expected days like 30d (or hours: 12h)", arg);
        return 0;
      }
      /* Under both lists, the longer window warns and the shorter one is critical. */
      if (cr->raises[c] == STATE_OK || (state == STATE_CRITICAL ? w < cr->expires_window_s
                                                                 : w > cr->expires_window_s)) {
        cr->expires_window_s = w;
        snprintf(cr->expires_text, sizeof(cr->expires_text), "%s", arg);
      }
    }
    if (state > cr->raises[c]) {
      cr->raises[c] = state;
    }
  }
  return 1;
}

/* conditions_met sets |met| for each condition result |r| meets. */
static void conditions_met(const struct check_run *cr, const struct scan_result *r,
                           int met[COND_COUNT], long long *cert_left_s) {
  memset(met, 0, COND_COUNT * sizeof(met[0]));
  if (r->status != STATUS_OK) {
    met[COND_UNREACHABLE] = 1;
    return;
  }
  int legacy, min_pv, max_pv;
  scan_result_summary(r, &legacy, &min_pv, &max_pv);
  met[COND_LEGACY] = legacy;
  met[COND_APP_LEGACY] = scan_result_legacy_app(r) == 1;
  met[COND_NO_TLS] = max_pv < 0;
  met[COND_NO_TLS13] = max_pv >= 0 && (r->versions_selected & (1u << PV_TLS13)) != 0 &&
                       r->v[PV_TLS13].outcome != OUTCOME_ACCEPTED;
  if (r->has_cert && r->cert.times_known) {
    *cert_left_s = (long long)(r->cert.not_after_time - cr->now);
    met[COND_EXPIRED] = r->cert.expired || *cert_left_s < 0;
    met[COND_CERT_EXPIRES] = *cert_left_s < cr->expires_window_s;
    met[COND_UNTRUSTED] = !r->cert.chain_verifies;
  }
}

/* ---- the run's hooks ------------------------------------------------------------- */

static void endpoint_name(const struct check_run *cr, const struct scan_result *r, char *out,
                          size_t cap) {
  const struct tenant_endpoint *e = NULL;
  if (cr->tenants != NULL) {
    unsigned long ei;
    if (sscanf(r->item->line.label, "ep%lu", &ei) == 1 && ei < cr->tenants->nendpoints) {
      e = &cr->tenants->endpoints[ei];
    }
  }
  snprintf(out, cap, "%s", e != NULL ? e->url : r->item->line.text);
}

/* What becomes of a record: written with -o FILE; otherwise only shown to
 * the writer's observer (--metrics), since standard output is the plugin's. */
struct emit_to {
  struct writer *w;
  int keep;
};

static void emit_record(void *ctx, const struct scan_result *r) {
  struct emit_to *to = ctx;
  if (to->keep) {
    writer_put(to->w, r);
  } else if (to->w->observe != NULL) {
    to->w->observe(to->w->observe_ctx, r);
  }
}

static int take_result(void *ctx, struct run_out *out, const struct scan_result *r) {
  struct check_run *cr = ctx;
  if (r->status == STATUS_INVALID) {
    if (cr->invalid++ == 0) {
      snprintf(cr->first_invalid, sizeof(cr->first_invalid), "%.64s: %.80s", r->item->line.text,
               r->error);
    }
  } else {
    cr->endpoints++;
    for (int pv = 0; pv < PV_COUNT; pv++) {
      cr->accepted[pv] += r->v[pv].outcome == OUTCOME_ACCEPTED;
    }
    int met[COND_COUNT];
    long long left = 0;
    conditions_met(cr, r, met, &left);
    if (r->has_cert && r->cert.times_known && (!cr->have_cert || left < cr->cert_min_s)) {
      cr->cert_min_s = left;
      cr->have_cert = 1;
    }
    for (int c = 0; c < COND_COUNT; c++) {
      if (met[c] && cr->met[c]++ < CHECK_NAMES) {
        endpoint_name(cr, r, cr->names[c][cr->met[c] - 1], CHECK_NAME_MAX);
      }
    }
  }
  /* A check takes no --db: the output's writer is all there is. */
  struct emit_to to = {.w = out->writer, .keep = cr->keep_records};
  if (cr->tenants != NULL) {
    tenants_record(cr->tenants, r, emit_record, &to);
  } else {
    emit_record(&to, r);
  }
  return 1;
}

static void no_summary(void *ctx, const struct scan_shared *sh, uint64_t start_ns) {
  (void)ctx;
  (void)sh;
  (void)start_ns;
}

/* ---- the plugin's line --------------------------------------------------------- */

/* threshold writes the range a count alerts outside of when |c| raises
 * |state|: "0" (a count above 0), or nothing. */
static const char *threshold(const struct check_run *cr, enum condition c, enum check_state state) {
  return cr->raises[c] == state ? "0" : "";
}

static void put_count(struct outbuf *out, const struct check_run *cr, const char *label,
                      unsigned long v, int c) {
  char s[160];
  snprintf(s, sizeof(s), " '%s'=%lu;%s;%s;0", label, v,
           c >= 0 ? threshold(cr, (enum condition)c, STATE_WARNING) : "",
           c >= 0 ? threshold(cr, (enum condition)c, STATE_CRITICAL) : "");
  outbuf_puts(out, s);
}

/* expiry_threshold: the certificate's seconds left alert below the
 * window of cert-expires at |state|, or below 0 when expired raises it. */
static void expiry_threshold(const struct check_run *cr, enum check_state state, char *out,
                             size_t cap) {
  *out = '\0';
  if (cr->raises[COND_CERT_EXPIRES] == state) {
    snprintf(out, cap, "%lld:", cr->expires_window_s);
  } else if (cr->raises[COND_EXPIRED] == state) {
    snprintf(out, cap, "0:");
  }
}

static void perfdata(const struct check_run *cr, double secs, struct outbuf *out) {
  outbuf_puts(out, " |");
  put_count(out, cr, "endpoints", cr->endpoints, -1);
  for (int c = 0; c < COND_COUNT; c++) {
    if (c != COND_CERT_EXPIRES) {
      put_count(out, cr, kConditions[c].label, cr->met[c], c);
    }
  }
  for (int pv = 0; pv < PV_COUNT; pv++) {
    char label[32];
    snprintf(label, sizeof(label), "accepted_%s", probe_version_name((enum probe_version)pv));
    put_count(out, cr, label, cr->accepted[pv], -1);
  }
  char s[160], warn[32], crit[32];
  if (cr->have_cert) {
    expiry_threshold(cr, STATE_WARNING, warn, sizeof(warn));
    expiry_threshold(cr, STATE_CRITICAL, crit, sizeof(crit));
    snprintf(s, sizeof(s), " 'cert_expiry_min'=%llds;%s;%s", cr->cert_min_s, warn, crit);
    outbuf_puts(out, s);
  }
  snprintf(s, sizeof(s), " 'time'=%.3fs;;;0", secs);
  outbuf_puts(out, s);
}

/* say_conditions appends what the endpoints that meet conditions raising
 * |state| show, "N of M endpoints PHRASE (names)", separated by "; ". */
static void say_conditions(const struct check_run *cr, enum check_state state,
                           struct outbuf *out) {
  for (int c = 0; c < COND_COUNT; c++) {
    if (cr->raises[c] != state || cr->met[c] == 0) {
      continue;
    }
    char s[512];
    snprintf(s, sizeof(s), "%s%lu of %lu endpoints %s%s%s (", out->len > 0 ? "; " : "",
             cr->met[c], cr->endpoints, kConditions[c].phrase, c == COND_CERT_EXPIRES ? " " : "",
             c == COND_CERT_EXPIRES ? cr->expires_text : "");
    outbuf_puts(out, s);
    for (unsigned long i = 0; i < cr->met[c] && i < CHECK_NAMES; i++) {
      outbuf_puts(out, i > 0 ? ", " : "");
      outbuf_puts(out, cr->names[c][i]);
    }
    outbuf_puts(out, cr->met[c] > CHECK_NAMES ? ", ...)" : ")");
  }
}

static void list_raising(const struct check_run *cr, enum check_state state, struct outbuf *out) {
  int any = 0;
  for (int c = 0; c < COND_COUNT; c++) {
    if (cr->raises[c] == state) {
      outbuf_puts(out, any++ ? "," : "");
      outbuf_puts(out, kConditions[c].name);
      if (c == COND_CERT_EXPIRES) {
        outbuf_puts(out, ":");
        outbuf_puts(out, cr->expires_text);
      }
    }
  }
  outbuf_puts(out, any ? "" : "none");
}

/* report prints the plugin's line. Returns the exit status. */
static int report(const struct check_run *cr, enum check_state state, const char *why,
                  double secs) {
  struct outbuf text = {0};
  if (why != NULL) {
    outbuf_puts(&text, why);
  } else {
    if (state == STATE_UNKNOWN) {
      /* Unreachable endpoints no list names: their TLS is unknown. */
      char u[128];
      snprintf(u, sizeof(u), "%lu of %lu endpoints could not be checked, unreachable (",
               cr->met[COND_UNREACHABLE], cr->endpoints);
      outbuf_puts(&text, u);
      for (unsigned long i = 0; i < cr->met[COND_UNREACHABLE] && i < CHECK_NAMES; i++) {
        outbuf_puts(&text, i > 0 ? ", " : "");
        outbuf_puts(&text, cr->names[COND_UNREACHABLE][i]);
      }
      outbuf_puts(&text, cr->met[COND_UNREACHABLE] > CHECK_NAMES ? ", ...)" : ")");
    }
    say_conditions(cr, STATE_CRITICAL, &text);
    size_t critical_len = text.len;
    say_conditions(cr, STATE_WARNING, &text);
    if (critical_len > 0 && text.len > critical_len) {
      /* What only warns, after what is critical, says so. */
      struct outbuf both = {0};
      outbuf_append(&both, text.data, critical_len);
      outbuf_puts(&both, "; WARNING: ");
      outbuf_append(&both, text.data + critical_len + 2, text.len - critical_len - 2);
      outbuf_free(&text);
      text = both;
    }
  }
  if (text.len == 0) {
    char s[96];
    snprintf(s, sizeof(s), "%lu of %lu endpoints pass (critical on ", cr->endpoints,
             cr->endpoints);
    outbuf_puts(&text, s);
    list_raising(cr, STATE_CRITICAL, &text);
    outbuf_puts(&text, "; warning on ");
    list_raising(cr, STATE_WARNING, &text);
    outbuf_puts(&text, ")");
  }
  if (state != STATE_UNKNOWN || cr->endpoints > 0) {
    perfdata(cr, secs, &text);
  }
  outbuf_append(&text, "", 1);
  printf("TLSSWEEP %s - %s\n", kStateNames[state], text.data ? text.data : "out of memory");
  fflush(stdout);
  outbuf_free(&text);
  return (int)state;
}

/* ---- the command ---------------------------------------------------------------- */

/* unknown prints the UNKNOWN line saying why. Returns its exit status. */
__attribute__((format(printf, 1, 2)))
static int unknown(const char *fmt, ...);

static int unknown(const char *fmt, ...) {
  static const struct check_run none = {0};
  char why[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof(why), fmt, ap);
  va_end(ap);
  return report(&none, STATE_UNKNOWN, why, 0);
}

/* find_tenant runs the discovery of --tenant and --preset into |t|.
 * Returns 1, or 0 after reporting UNKNOWN (|*rc|). */
static int find_tenant(const struct check_options *co, struct discovery *d, struct tenants *t,
                       int *rc) {
  const struct scan_config *c = &co->tenants.run.config;
  unsigned dns_ms = c->timeout_ms < 2000 ? c->timeout_ms : 2000;
  char err[256];
  if (!discovery_init(d, c->resolver, dns_ms, 2)) {
    *rc = unknown("cannot set up the resolver %s", c->resolver ? c->resolver : "(system's)");
    return 0;
  }
  if (co->tenant != NULL &&
      discovery_add_tenant_line(d, co->tenant, strlen(co->tenant), err, sizeof(err)) ==
          TARGET_PARSE_ERROR) {
    *rc = unknown("--tenant: %s", err);
    return 0;
  }
  if (!discovery_run(d)) {
    *rc = unknown("%s", "tenant discovery failed (out of memory?)");
    return 0;
  }
  if (!tenants_build(t, d, co->tenants.preset, err, sizeof(err))) {
    *rc = unknown("%s", err);
    return 0;
  }
  if (t->nendpoints == 0) {
    const struct discovery_tenant *dt = discovery_tenant_count(d) ? discovery_tenant(d, 0) : NULL;
    char why[256];
    snprintf(why, sizeof(why), "tenant %s: DNS %s, no endpoints found",
             dt ? dt->domain : "?", dt ? discovery_dns_status_name(dt->status) : "?");
    *rc = unknown("%s", why);
    return 0;
  }
  return 1;
}

/* check_scan scans |source| and reports. Returns the exit status. */
static int check_scan(struct check_run *cr, struct target_source *source) {
  struct run_hooks hooks = {
      .ctx = cr,
      .tenant_labels = cr->tenants != NULL,
      .result = take_result,
      .summary = no_summary,
  };
  uint64_t start = now_ns();
  int rc = run_scan(&cr->o->tenants.run, source, &hooks);
  double secs = (double)(now_ns() - start) / 1e9;
  if (cr->invalid > 0) {
    char why[256];
    snprintf(why, sizeof(why), "invalid target %s", cr->first_invalid);
    return report(cr, STATE_UNKNOWN, why, secs);
  }
  if (rc == 2 || rc >= 128) {
    return unknown("%s", rc == 2 ? "the scan failed (see its standard error)"
                                 : "the scan was stopped by a signal");
  }
  if (cr->endpoints == 0) {
    return unknown("%s", "no endpoints were checked");
  }
  enum check_state state = STATE_OK;
  for (int c = 0; c < COND_COUNT; c++) {
    if (cr->met[c] > 0 && cr->raises[c] > state) {
      state = cr->raises[c];
    }
  }
  /* An unreachable endpoint that no list mentions was not checked: that is
   * UNKNOWN, unless what was checked is already CRITICAL. */
  if (cr->met[COND_UNREACHABLE] > 0 && cr->raises[COND_UNREACHABLE] == STATE_OK &&
      state != STATE_CRITICAL) {
    state = STATE_UNKNOWN;
  }
  return report(cr, state, NULL, secs);
}

int cmd_check(int argc, char **argv) {
  struct check_options co = {0};
  int first, rc;
  if (!run_options_read(&kCheck, argc, argv, &co, &first, &rc)) {
    return rc == 0 ? 0 : unknown("%s", "invalid arguments (see tlssweep check --help)");
  }
  struct run_options *o = &co.tenants.run;
  struct check_run *cr = calloc(1, sizeof(*cr));
  if (cr == NULL) {
    return unknown("%s", "out of memory");
  }
  cr->o = &co;
  cr->now = time(NULL);
  char err[256];
  if (!read_conditions(cr, co.warning_on, STATE_WARNING, err, sizeof(err)) ||
      !read_conditions(cr, co.critical_on, STATE_CRITICAL, err, sizeof(err))) {
    free(cr);
    return unknown("%s", err);
  }
  int by_tenant = co.tenant != NULL || co.tenants.preset != NULL;
  if (by_tenant && (first < argc || o->input != NULL)) {
    free(cr);
    return unknown("%s", "give targets or --tenant/--preset, not both");
  }
  if (!by_tenant && first == argc && o->input == NULL) {
    free(cr);
    return unknown("%s", "no targets (arguments, -i FILE, --tenant DOMAIN or --preset NAME)");
  }
  /* Standard output is the monitoring system's: records go to -o or nowhere
   * (the writer then gets none, so no format writes even a header). */
  cr->keep_records = o->output != NULL && strcmp(o->output, "-") != 0;
  if (!cr->keep_records) {
    o->output = NULL;
    o->format = "jsonl";
  }
  o->quiet = 1;
  struct target_source source;
  if (by_tenant) {
    struct discovery d = {0};
    struct tenants t = {0};
    if (find_tenant(&co, &d, &t, &rc)) {
      cr->tenants = &t;
      target_source_init(&source, t.lines, t.nendpoints, NULL, &o->defaults);
      rc = check_scan(cr, &source);
      target_source_free(&source);
    }
    tenants_free(&t);
    discovery_free(&d);
  } else {
    FILE *in = NULL;
    if (o->input != NULL) {
      in = strcmp(o->input, "-") == 0 ? stdin : fopen(o->input, "r");
      if (in == NULL) {
        free(cr);
        return unknown("cannot open the target list: %s", strerror(errno));
      }
    }
    target_source_init(&source, argv + first, (size_t)(argc - first), in, &o->defaults);
    rc = check_scan(cr, &source);
    target_source_free(&source);
    if (in != NULL && in != stdin) {
      fclose(in);
    }
  }
  free(cr);
  return rc;
}
