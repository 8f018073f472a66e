/* scanner/cli/history.c: `tlssweep history`, the runs of a --db database as
 * time series (scanner/store/history.h): the whole run, one tenant, or one
 * endpoint, run by run. A table on a terminal, JSON Lines otherwise (one
 * object per run and subject), for plotting elsewhere: the run's or the
 * tenant's "endpoints", "legacy" and "legacy_share", "legacy_confirmed"
 * (endpoints where legacy TLS works at the application level), an
 * endpoint's "accepted" versions and "legacy_works", and per version the
 * "refusal" counts, rate and 95% interval. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "scanner/cli/commands.h"
#include "scanner/cli/options.h"
#include "scanner/store/history.h"

static const struct opt_command kHistory = {
    .bit = CMD_HISTORY,
    .synopsis = "--db FILE [--tenant T | --tenants | --target X] [options]",
    .about =
        "Shows the runs of the database as time series, oldest first: per run the\n"
        "endpoints, the legacy share (endpoints accepting SSLv3/TLS 1.0/1.1), where legacy\n"
        "TLS works at the application level, tenants, and the refusal rate of TLS 1.0 and\n"
        "1.1 with its 95% Wilson interval; with --tenant, that tenant's verdict and\n"
        "endpoints (--tenants: every tenant's); with --target, one endpoint's accepted\n"
        "versions. Runs that are not\n"
        "complete (stopped, failed, died) are shown as such.",
    .epilogue = "exit status: 0 done; 1 usage error or an unknown target; 2 the database failed",
};

/* The legacy versions a confirmation can measure (BoringSSL speaks no SSLv3). */
static const int kRateVersions[] = {1, 2};

struct history_out {
  int text;
  int header_done;
  const char *last_subject;
  char subject[600];
  uint64_t points;
};

static void format_when(int64_t t, char *buf, size_t cap) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void print_rate(const struct history_rate *r) {
  if (r->handshakes == 0) {
    printf("  %-27s", "-");
    return;
  }
  char cell[64];
  snprintf(cell, sizeof(cell), "%.1f%% [%.1f,%.1f] n=%llu",
           100.0 * (double)r->refused / (double)r->handshakes, 100 * r->lo, 100 * r->hi,
           (unsigned long long)r->handshakes);
  printf("  %-27s", cell);
}

static double share(int64_t part, int64_t whole) {
  return whole > 0 ? (double)part / (double)whole : 0.0;
}

static void print_text(struct history_out *o, const struct history_point *p) {
  char when[32];
  format_when(p->run.started_at, when, sizeof(when));
  when[16] = '\0'; /* to the minute */
  if (p->status != NULL || p->verdict != NULL) {
    if (o->last_subject == NULL || strcmp(o->subject, p->subject) != 0) {
      snprintf(o->subject, sizeof(o->subject), "%s", p->subject);
      o->last_subject = o->subject;
      printf("%s%s %s\n", o->points > 1 ? "\n" : "", p->status != NULL ? "endpoint" : "tenant",
             p->subject);
      o->header_done = 0;
    }
  }
  if (!o->header_done) {
    if (p->status != NULL) {
      printf("%4s  %-16s  %-8s  %-11s  %-28s  %-7s  %-8s", "run", "started (UTC)", "state",
             "status", "accepted", "legacy", "cert");
    } else if (p->verdict != NULL) {
      printf("%4s  %-16s  %-8s  %-12s  %9s  %15s  %9s", "run", "started (UTC)", "state",
             "verdict", "endpoints", "legacy (share)", "confirmed");
    } else {
      printf("%4s  %-16s  %-7s  %-8s  %9s  %15s  %5s  %7s  %6s", "run", "started (UTC)", "kind",
             "state", "endpoints", "legacy (share)", "works", "tenants", "legacy");
    }
    for (size_t i = 0; i < sizeof(kRateVersions) / sizeof(kRateVersions[0]); i++) {
      char h[40];
      snprintf(h, sizeof(h), "%s refused", store_version_names[kRateVersions[i]]);
      printf("  %-27s", h);
    }
    putchar('\n');
    o->header_done = 1;
  }
  char legacy[40];
  snprintf(legacy, sizeof(legacy), "%lld (%.1f%%)", (long long)p->legacy,
           100 * share(p->legacy, p->endpoints));
  if (p->status != NULL) {
    char cert[16];
    snprintf(cert, sizeof(cert), "%.8s%s", p->cert ? p->cert : "-",
             p->cert_expired ? "!" : "");
    printf("%4lld  %-16s  %-8s  %-11s  %-28s  %-7s  %-8s", (long long)p->run.id, when,
           p->run.state, p->status, p->accepted[0] ? p->accepted : "none",
           p->legacy_works == 1 ? "works" : p->legacy_works == 0 ? "refused" : "-", cert);
  } else if (p->verdict != NULL) {
    printf("%4lld  %-16s  %-8s  %-12s  %9lld  %15s  %9lld", (long long)p->run.id, when,
           p->run.state, p->verdict, (long long)p->endpoints, legacy, (long long)p->legacy_app);
  } else {
    printf("%4lld  %-16s  %-7s  %-8s  %9lld  %15s  %5lld  %7lld  %6lld", (long long)p->run.id,
           when, p->run.kind, p->run.state, (long long)p->endpoints, legacy,
           (long long)p->legacy_app, (long long)p->tenants, (long long)p->tenants_legacy);
  }
  for (size_t i = 0; i < sizeof(kRateVersions) / sizeof(kRateVersions[0]); i++) {
    print_rate(&p->rate[kRateVersions[i]]);
  }
  putchar('\n');
}

static void print_json(const struct history_point *p) {
  char when[32];
  format_when(p->run.started_at, when, sizeof(when));
  json_t *o = json_pack("{sIsssssssssI}", "run", (json_int_t)p->run.id, "started", when, "kind",
                        p->run.kind, "state", p->run.state, "source", p->run.source, "records",
                        (json_int_t)p->run.records);
  if (p->status != NULL) {
    json_object_set_new(o, "endpoint", json_string(p->subject));
    json_object_set_new(o, "status", json_string(p->status));
    json_t *acc = json_array();
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", p->accepted);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
      json_array_append_new(acc, json_string(t));
    }
    json_object_set_new(o, "accepted", acc);
    json_object_set_new(o, "legacy_works", p->legacy_works < 0 ? json_null()
                                                               : json_boolean(p->legacy_works));
    json_object_set_new(o, "cert", p->cert != NULL ? json_string(p->cert) : json_null());
    if (p->cert != NULL) {
      json_object_set_new(o, "cert_expired", json_boolean(p->cert_expired));
    }
  } else {
    if (p->verdict != NULL) {
      json_object_set_new(o, "tenant", json_string(p->subject));
      json_object_set_new(o, "verdict", json_string(p->verdict));
      json_object_set_new(o, "legacy_confirmed", json_integer(p->legacy_app));
    } else {
      json_object_set_new(o, "legacy_confirmed", json_integer(p->legacy_app));
      json_object_set_new(o, "tenants", json_integer(p->tenants));
      json_object_set_new(o, "tenants_legacy", json_integer(p->tenants_legacy));
    }
    json_object_set_new(o, "endpoints", json_integer(p->endpoints));
    json_object_set_new(o, "answering", json_integer(p->answering));
    json_object_set_new(o, "legacy", json_integer(p->legacy));
    json_object_set_new(o, "legacy_share", json_real(share(p->legacy, p->endpoints)));
  }
  json_t *rates = json_object();
  for (int v = 0; v < STORE_VERSIONS; v++) {
    const struct history_rate *r = &p->rate[v];
    if (r->handshakes > 0) {
      json_object_set_new(rates, store_version_names[v],
                          json_pack("{sIsIsfsfsf}", "refused", (json_int_t)r->refused,
                                    "handshakes", (json_int_t)r->handshakes, "rate",
                                    share((int64_t)r->refused, (int64_t)r->handshakes), "lo",
                                    r->lo, "hi", r->hi));
    }
  }
  json_object_set_new(o, "refusal", rates);
  char *line = json_dumps(o, JSON_COMPACT);
  if (line != NULL) {
    puts(line);
  }
  free(line);
  json_decref(o);
}

static void on_point(void *ctx, const struct history_point *p) {
  struct history_out *o = ctx;
  o->points++;
  if (o->text) {
    print_text(o, p);
  } else {
    print_json(p);
  }
}

int cmd_history(int argc, char **argv) {
  struct db_options o = {0};
  options_defaults(&kHistory, &o);
  int first, rc;
  if (!options_parse(&kHistory, argc, argv, &o, &first, &rc)) {
    return rc;
  }
  if (o.db == NULL) {
    return usage_error(argv[0], "history needs --db FILE");
  }
  if (first != argc) {
    return usage_error(argv[0], "history takes no operands ('%s')", argv[first]);
  }
  if ((o.tenant != NULL) + (o.target != NULL) + o.tenants > 1) {
    return usage_error(argv[0], "--tenant, --tenants and --target: one of them");
  }
  struct store *db;
  char err[512];
  if (!store_open(o.db, &db, err, sizeof(err))) {
    fprintf(stderr, "tlssweep history: --db %s: %s\n", o.db, err);
    return 2;
  }
  struct history_out out = {
      .text = o.format != NULL ? strcmp(o.format, "text") == 0 : isatty(STDOUT_FILENO),
  };
  rc = 0;
  const char *tenant = o.tenants ? STORE_EVERY_TENANT : o.tenant;
  if (!store_history(db, tenant, o.target, on_point, &out)) {
    fprintf(stderr, "tlssweep history: %s\n", store_error(db));
    /* An unknown or malformed target is the user's; anything else the database's. */
    const char *e = store_error(db);
    rc = strncmp(e, "no run scanned", 14) == 0 || strncmp(e, "--target", 8) == 0 ? 1 : 2;
  } else if (out.points == 0 && o.tenant != NULL) {
    fprintf(stderr, "tlssweep history: no run has tenant %s\n", o.tenant);
    rc = 1;
  }
  store_close(db);
  return rc;
}
