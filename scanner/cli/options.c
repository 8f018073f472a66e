/* scanner/cli/options.c: the option table and everything made from it (see
 * options.h).
 *
 * kOptions declares each option once. An entry names the commands that take
 * it; two entries may share a name when they are different options of
 * different commands (the bench's --version V is not the scan's --version).
 * A value is checked and stored by its kind (a flag stores a constant; a
 * number is checked against its range; a duration is read as 500ms, 5s or
 * 1m; a string is kept as typed) or by the entry's own parser. Defaults are
 * written as they would be typed and go through the same parser, so what
 * --help calls the default is what a command starts from. Parsing is
 * getopt_long over arrays built from the table for one command; a bad value
 * is reported by opt_error, which names the flag and quotes the value. */
#include "scanner/cli/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <openssl/ssl.h>

#include "scanner/cli/report.h"
#include "scanner/output/output.h"
#include "scanner/proto/mailtext.h"
#include "scanner/targets/permute.h"
#include "tlsparse/tlsparse.h"

/* What a parser found wrong, for opt_error: |why| replaces the entry's
 * |expect|; |value| is quoted (the argument unless a parser names the bad
 * part of it; NULL: nothing to quote). */
struct opt_fault {
  const char *why;
  const char *value;
  char part[64];
};

enum opt_kind {
  OPT_FLAG,       /* no argument: stores |value| */
  OPT_UINT,       /* a decimal in [min, max] */
  OPT_DURATION,   /* "500ms", "5s", "1m" or seconds: milliseconds in a uint32_t */
  OPT_STRING,     /* kept as typed */
  OPT_CUSTOM,     /* checked and stored by |parse| */
  OPT_HELP,       /* answered here: the command's --help */
  OPT_VERSION,    /* answered here: version and allocator */
  OPT_LIST,       /* answered here: the table for the cli test */
};

struct opt {
  const char *name;           /* long name */
  char short_name;            /* 0: none */
  enum opt_kind kind;
  unsigned commands;          /* enum command_bit mask */
  const char *metavar;        /* the argument in --help; NULL: takes none */
  const char *help;           /* NULL: left out of --help and the list */
  int joined;                 /* in --help on the line of the entry before */
  const char *def;            /* default as typed (a flag: on by default) */
  const char *note;           /* what --help says when there is no |def| */
  size_t offset, size;        /* the field in the command's options struct */
  uint64_t min, max;          /* OPT_UINT */
  uint64_t value;             /* OPT_FLAG */
  const char *expect;         /* for a bad value: what was expected (OPT_UINT:
                                 what the number is) */
  int (*parse)(const char *arg, void *opts, struct opt_fault *f); /* OPT_CUSTOM */
  const char *example;        /* a valid value, when there is no default */
};

#define AT(type, member) \
  .offset = offsetof(type, member), .size = sizeof(((type *)0)->member)
#define RUN(member) AT(struct run_options, member)

#define STR(x) #x
#define XSTR(x) STR(x)

/* Shared entries are offsets into struct run_options, which starts each
 * scanning command's struct. */
_Static_assert(offsetof(struct tenants_options, run) == 0, "run options first");
_Static_assert(offsetof(struct bench_options, run) == 0, "run options first");
_Static_assert(offsetof(struct check_options, tenants) == 0, "tenants options first");

#define SWEEPS (CMD_SCAN | CMD_LAB | CMD_TENANTS)
#define SCANS (SWEEPS | CMD_CHECK)
#define RUNS (SCANS | CMD_BENCH)
#define STORE (CMD_IMPORT | CMD_DIFF | CMD_HISTORY)
#define ALL (RUNS | CMD_HELLO | CMD_REPORT | STORE)

/* ---- checking values ------------------------------------------------------ */

/* parse_uint reads a decimal in [min, max]. */
static int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out) {
  if (*s == '\0' || *s == '-') {
    return 0;
  }
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max) {
    return 0;
  }
  *out = v;
  return 1;
}

/* parse_duration_ms reads "500ms", "5s", "2m" or a bare number of seconds,
 * from 1 ms to an hour. */
static int parse_duration_ms(const char *s, uint32_t *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno != 0 || end == s || !(v >= 0)) {
    return 0;
  }
  double ms;
  if (strcmp(end, "ms") == 0) {
    ms = v;
  } else if (strcmp(end, "s") == 0 || *end == '\0') {
    ms = v * 1000;
  } else if (strcmp(end, "m") == 0) {
    ms = v * 60000;
  } else {
    return 0;
  }
  if (ms < 1 || ms > 3600000) {
    return 0;
  }
  *out = (uint32_t)ms;
  return 1;
}

static int parse_format(const char *arg, void *opts, struct opt_fault *f) {
  (void)f;
  if (output_format_find(arg) == NULL) {
    return 0;
  }
  ((struct run_options *)opts)->format = arg;
  return 1;
}

/* parse_versions reads "tls1.0,tls1.2" into a mask of probe versions; a bad
 * one is named alone. */
static int parse_versions(const char *arg, void *opts, struct opt_fault *f) {
  uint32_t mask = 0;
  char buf[256];
  snprintf(buf, sizeof(buf), "%s", arg);
  char *save = NULL;
  for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
    uint16_t wire;
    uint32_t bit = 0;
    if (tp_version_from_name(tok, &wire)) {
      for (int pv = 0; pv < PV_COUNT; pv++) {
        if (probe_version_wire((enum probe_version)pv) == wire) {
          bit = 1u << pv;
        }
      }
    }
    if (bit == 0) {
      snprintf(f->part, sizeof(f->part), "%s", tok);
      f->value = f->part;
      return 0;
    }
    mask |= bit;
  }
  if (mask == 0) {
    return 0;
  }
  ((struct run_options *)opts)->config.versions = mask;
  return 1;
}

static int parse_report_metadata(const char *arg, void *opts, struct opt_fault *f) {
  struct report_options *ro = opts;
  if (ro->nmetadata == REPORT_METADATA_FILES) {
    f->why = "given too many times (at most " XSTR(REPORT_METADATA_FILES) ")";
    return 0;
  }
  ro->metadata[ro->nmetadata++] = arg;
  return 1;
}

static int parse_rate(const char *arg, void *opts, struct opt_fault *f) {
  (void)f;
  char *end;
  double rate = strtod(arg, &end);
  if (end == arg || *end != '\0' || !(rate >= 0)) {
    return 0;
  }
  ((struct run_options *)opts)->config.rate = rate;
  return 1;
}

static int parse_network_prefix(const char *arg, void *opts, struct opt_fault *f) {
  (void)f;
  unsigned p4, p6;
  char tail;
  if (sscanf(arg, "%u,%u%c", &p4, &p6, &tail) != 2 || p4 > 32 || p6 > 128) {
    return 0;
  }
  struct scan_config *c = &((struct run_options *)opts)->config;
  c->net_prefix4 = p4;
  c->net_prefix6 = p6;
  return 1;
}

/* parse_ehlo: the name goes into SMTP and XMPP commands, so it must be one
 * that cannot smuggle a line break. */
static int parse_ehlo(const char *arg, void *opts, struct opt_fault *f) {
  (void)f;
  if (!mt_host_name_ok(arg)) {
    return 0;
  }
  ((struct run_options *)opts)->config.ehlo = arg;
  return 1;
}

static int parse_source_ip(const char *arg, void *opts, struct opt_fault *f) {
  struct scan_config *c = &((struct run_options *)opts)->config;
  size_t cap = sizeof(c->sources) / sizeof(c->sources[0]);
  if (c->nsources == cap) {
    snprintf(f->part, sizeof(f->part), "at most %zu addresses", cap);
    f->why = f->part;
    f->value = NULL;
    return 0;
  }
  struct sockaddr_storage *ss = &c->sources[c->nsources];
  memset(ss, 0, sizeof(*ss));
  struct sockaddr_in *sin = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, arg, &sin->sin_addr) == 1) {
    sin->sin_family = AF_INET;
  } else if (inet_pton(AF_INET6, arg, &sin6->sin6_addr) == 1) {
    sin6->sin6_family = AF_INET6;
  } else {
    return 0;
  }
  c->nsources++;
  return 1;
}

static int parse_seed(const char *arg, void *opts, struct opt_fault *f) {
  (void)f;
  uint64_t seed;
  if (!parse_uint(arg, 0, UINT64_MAX, &seed)) {
    return 0;
  }
  struct run_options *o = opts;
  o->seed = seed;
  o->seed_given = 1;
  return 1;
}

static int parse_shard(const char *arg, void *opts, struct opt_fault *f) {
  (void)f;
  struct run_options *o = opts;
  return permuter_parse_shard(arg, &o->shard, &o->nshards);
}

/* parse_confirm_all: every accepted version is confirmed, so confirmation
 * is on too. */
/* parse_policy reads --policy's list; an unknown name is named alone. */
static int parse_policy(const char *arg, void *opts, struct opt_fault *f) {
  if (!policies_parse(arg, &((struct run_options *)opts)->config.policies, f->part,
                      sizeof(f->part))) {
    f->value = f->part;
    return 0;
  }
  return 1;
}

static int parse_confirm_all(const char *arg, void *opts, struct opt_fault *f) {
  (void)arg;
  (void)f;
  struct scan_config *c = &((struct run_options *)opts)->config;
  c->confirm = 1;
  c->confirm_all = 1;
  return 1;
}

static int parse_bench_version(const char *arg, void *opts, struct opt_fault *f) {
  (void)f;
  uint16_t v;
  if (!tp_version_from_name(arg, &v) || v < TP_TLS10) {
    return 0;
  }
  ((struct run_options *)opts)->config.bench.version = v;
  return 1;
}

/* parse_cipher: a typo would silently bench the defaults, so BoringSSL
 * reads the list now. */
static int parse_cipher(const char *arg, void *opts, struct opt_fault *f) {
  (void)f;
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  int ok = ctx != NULL && SSL_CTX_set_strict_cipher_list(ctx, arg);
  SSL_CTX_free(ctx);
  if (!ok) {
    return 0;
  }
  ((struct run_options *)opts)->config.bench.ciphers = arg;
  return 1;
}

static int parse_view(const char *arg, void *opts, struct opt_fault *f) {
  (void)f;
  if (strcmp(arg, "text") != 0 && strcmp(arg, "jsonl") != 0) {
    return 0;
  }
  ((struct db_options *)opts)->format = arg;
  return 1;
}

/* ---- the table -------------------------------------------------------------- */

/* In --help order: a command's own options first. */
static const struct opt kOptions[] = {
    /* tlssweep hello */
    {"minimal", 0, OPT_FLAG, CMD_HELLO, NULL,
     "the minimal hello, the shape a swallowed hello is retried with",
     AT(struct hello_options, minimal), .value = 1},
    {"modern", 0, OPT_FLAG, CMD_HELLO, NULL, "modern cipher suites only",
     AT(struct hello_options, modern), .value = 1},
    {"fallback-scsv", 0, OPT_FLAG, CMD_HELLO, NULL, "add TLS_FALLBACK_SCSV to the cipher suites",
     AT(struct hello_options, fallback_scsv), .value = 1},
    {"era-order", 0, OPT_FLAG, CMD_HELLO, NULL,
     "the suites in their era's order, as a scan with --era-order sends them",
     AT(struct hello_options, era_order), .value = 1},
    {"key-share", 0, OPT_FLAG, CMD_HELLO, NULL,
     "TLS 1.3 with an x25519 key share, as a probe whose empty key share drew no answer",
     AT(struct hello_options, key_share), .value = 1},
    /* tlssweep bench */
    {"version", 0, OPT_CUSTOM, CMD_BENCH, "V", "tls1.0, tls1.1, tls1.2 or tls1.3", .def = "tls1.2",
     .parse = parse_bench_version, .expect = "expected tls1.0, tls1.1, tls1.2 or tls1.3"},
    {"concurrency", 'c', OPT_UINT, CMD_BENCH, "N", "handshakes in flight, all threads together",
     .def = "32", RUN(config.bench.concurrency), .min = 1, .max = 100000, .expect = "concurrency"},
    {"duration", 0, OPT_UINT, CMD_BENCH, "S", "stop starting handshakes after S seconds",
     .def = "10", AT(struct bench_options, duration_s), .min = 1, .max = 86400,
     .expect = "the duration in seconds"},
    {"handshakes", 0, OPT_UINT, CMD_BENCH, "N", "stop after N handshakes instead",
     RUN(config.bench.handshakes), .min = 1, .max = 4000000000u, .expect = "the handshake count",
     .example = "10"},
    {"resume-sessions", 0, OPT_FLAG, CMD_BENCH, NULL,
     "offer the first session again (session ids, TLS 1.2 tickets)", RUN(config.bench.resume),
     .value = 1},
    {"cipher", 0, OPT_CUSTOM, CMD_BENCH, "LIST", "BoringSSL cipher list for TLS 1.2 and below",
     .note = "broad", .parse = parse_cipher, .expect = "expected a cipher list BoringSSL reads",
     .example = "ECDHE-RSA-AES128-GCM-SHA256"},
    {"json", 0, OPT_FLAG, CMD_BENCH, NULL,
     "one JSON object at the end (handshakes_per_sec, latency_ms, errors, client_cpu_s) "
     "instead of the table",
     AT(struct bench_options, json), .value = 1},
    /* tlssweep report */
    {"output", 'o', OPT_STRING, CMD_REPORT, "FILE", "write the HTML page to FILE ('-': standard "
     "output)", .def = "report.html", AT(struct report_options, output)},
    {"metadata", 0, OPT_CUSTOM, CMD_REPORT, "FILE",
     "a scan's --metadata file: when, how and by which version it ran (repeatable, one per "
     "part of a sharded scan)",
     .parse = parse_report_metadata, .example = "metadata.json"},
    {"title", 0, OPT_STRING, CMD_REPORT, "TEXT", "the page's title", .note = "tlssweep report",
     AT(struct report_options, title)},
    {"max-rows", 0, OPT_UINT, CMD_REPORT, "N",
     "endpoint rows in the table, the worst kept (every record is counted in the charts)",
     .def = "5000", AT(struct report_options, max_rows), .min = 1, .max = 1000000,
     .expect = "the row count"},
    {"db", 0, OPT_STRING, CMD_REPORT, "FILE",
     "add the trends of this history database (--db of scan, lab, tenants; tlssweep import): "
     "legacy share and refusal rates run by run, each tenant's legacy share",
     .note = "none", AT(struct report_options, db)},
    /* tlssweep import, diff, history */
    {"db", 0, OPT_STRING, CMD_IMPORT | CMD_HISTORY, "FILE", "the SQLite database of runs",
     AT(struct db_options, db)},
    {"db", 0, OPT_STRING, CMD_DIFF, "FILE",
     "the SQLite database of runs (then the operands are run numbers)",
     .note = "none: the operands are two JSON Lines files", AT(struct db_options, db)},
    {"metadata", 0, OPT_STRING, CMD_IMPORT, "FILE",
     "the files are the parts of one scan, which this --metadata document describes: one "
     "run for them all",
     .note = "a run per file", AT(struct db_options, metadata)},
    {"tenant", 0, OPT_STRING, CMD_HISTORY, "T", "the series of one tenant (its domain)",
     AT(struct db_options, tenant)},
    {"tenants", 0, OPT_FLAG, CMD_HISTORY, NULL, "the series of every tenant, one after another",
     AT(struct db_options, tenants), .value = 1},
    {"target", 0, OPT_STRING, CMD_HISTORY, "X",
     "the series of one endpoint (proto://host:port, or a host: each of its endpoints)",
     AT(struct db_options, target)},
    {"format", 0, OPT_CUSTOM, CMD_DIFF | CMD_HISTORY, "FMT", "text or jsonl",
     .note = "text on a terminal, jsonl otherwise", .parse = parse_view,
     .expect = "expected text or jsonl", .example = "jsonl"},
    /* tlssweep check */
    {"tenant", 0, OPT_STRING, CMD_CHECK, "DOMAIN",
     "check the mail endpoints of DOMAIN, found as tlssweep tenants finds them",
     AT(struct check_options, tenant)},
    {"critical-on", 0, OPT_STRING, CMD_CHECK, "LIST",
     "conditions that make the check CRITICAL: legacy, app-legacy, expired, "
     "cert-expires:DAYS (30d), untrusted, no-tls13, no-tls, unreachable, or none",
     .def = "app-legacy,expired", AT(struct check_options, critical_on)},
    {"warning-on", 0, OPT_STRING, CMD_CHECK, "LIST", "conditions that make it WARNING (as above)",
     .def = "legacy,cert-expires:14d,unreachable", AT(struct check_options, warning_on)},
    /* tlssweep tenants */
    {"dry-run", 0, OPT_FLAG, CMD_TENANTS, NULL,
     "print the endpoints found as target lines (to -o), and scan nothing",
     AT(struct tenants_options, dry_run), .value = 1},
    {"preset", 0, OPT_STRING, CMD_TENANTS | CMD_CHECK, "NAME",
     "add a provider's endpoints as one more tenant: exchange-online (Exchange Online's "
     "IMAP, POP and SMTP endpoints, legacy ones included)",
     AT(struct tenants_options, preset)},
    /* Where targets come from and where records go. */
    {"input", 'i', OPT_STRING, CMD_SCAN | CMD_CHECK, "FILE",
     "read targets from FILE ('-' for standard input)", RUN(input)},
    {"input", 'i', OPT_STRING, CMD_TENANTS, "FILE",
     "read domains from FILE, one 'domain [label=NAME]' a line ('-' for standard input)",
     RUN(input)},
    {"output", 'o', OPT_STRING, SWEEPS, "FILE", "write records to FILE", .note = "standard output",
     RUN(output)},
    {"output", 'o', OPT_STRING, CMD_CHECK, "FILE", "write records to FILE",
     .note = "nowhere: standard output is the plugin's line", RUN(output)},
    {"format", 0, OPT_CUSTOM, SCANS, "FMT", "jsonl, csv or text (the terminal view)",
     .note = "text when standard output is a terminal and no -o is given, else jsonl",
     .parse = parse_format, .expect = "expected jsonl, csv or text", .example = "jsonl"},
    /* What a probe is. */
    {"versions", 'V', OPT_CUSTOM, SCANS, "LIST", "versions to probe",
     .def = "ssl3,tls1.0,tls1.1,tls1.2,tls1.3", .parse = parse_versions,
     .expect = "expected ssl3, tls1.0, tls1.1, tls1.2 or tls1.3"},
    {"port", 'p', OPT_UINT, CMD_SCAN | CMD_CHECK, "PORT", "port for targets without one", .def = "443",
     RUN(defaults.port), .min = 1, .max = 65535, .expect = "port"},
    /* How hard to push. */
    /* No typed default: left at 0, run.c sets CONCURRENCY_DEFAULT, fitted
     * quietly to the descriptor limit (a typed -c that does not fit is said). */
    {"concurrency", 'c', OPT_UINT, SCANS, "N", "connections in flight per thread",
     .note = XSTR(CONCURRENCY_DEFAULT) ", fewer when the descriptor limit is lower",
     RUN(config.concurrency), .min = 1, .max = 1000000, .expect = "concurrency",
     .example = "1000"},
    {"rate", 'r', OPT_CUSTOM, SCANS, "N", "new connections per second, all threads; 0 = no limit",
     .def = "0", .parse = parse_rate, .expect = "rate must be a number >= 0"},
    {"per-host", 0, OPT_UINT, SCANS, "N", "connections in flight to one address, all threads",
     .def = "1", RUN(config.per_host), .min = 1, .max = 1000,
     .expect = "connections to one address"},
    {"per-network", 0, OPT_UINT, SCANS, "N",
     "connections in flight to one network, all threads; 0 = no limit", .def = "0",
     RUN(config.per_network), .min = 0, .max = 100000, .expect = "connections to one network"},
    {"network-prefix", 0, OPT_CUSTOM, SCANS, "V4,V6", "what --per-network calls a network",
     .def = "24,48", .parse = parse_network_prefix,
     .expect = "expected V4,V6 prefix lengths like 24,48"},
    {"timeout", 0, OPT_DURATION, RUNS, "DURATION",
     "per step (connect, each read): 500ms, 5s, 1m; a probe's connection lasts at most 4 "
     "steps, a confirmation's 6",
     .def = "5s", RUN(config.timeout_ms), .expect = "expected a duration like 500ms, 5s or 1m"},
    {"retries", 0, OPT_UINT, SCANS, "N", "extra attempts after a timeout", .def = "1",
     RUN(config.retries), .min = 0, .max = 10, .expect = "retries"},
    /* What a probe says. */
    {"sni", 0, OPT_FLAG, SCANS, NULL, "send SNI for host names", .def = "", RUN(config.sni),
     .value = 1},
    {"no-sni", 0, OPT_FLAG, SCANS, NULL, "", .joined = 1, RUN(config.sni), .value = 0},
    {"ehlo", 0, OPT_CUSTOM, SCANS, "NAME", "SMTP EHLO name; XMPP domain of targets given by address",
     .note = "tlssweep.invalid", .parse = parse_ehlo,
     .expect = "expected a host name (letters, digits, '-' and '.')", .example = "scan.example"},
    /* Names and addresses. */
    {"resolver", 0, OPT_STRING, RUNS, "ADDR[:PORT]", "DNS server for host names",
     .note = "system's", RUN(config.resolver)},
    {"ipv4-only", 0, OPT_FLAG, SCANS, NULL,
     "resolve and probe only that family (other literals become blocked records)",
     .note = "both; IPv4 first", RUN(config.family), .value = 4},
    {"ipv6-only", 0, OPT_FLAG, SCANS, NULL, "", .joined = 1, RUN(config.family), .value = 6},
    {"all-addresses", 0, OPT_FLAG, SCANS, NULL, "probe every address of a name, one record each",
     .note = "the first only; not with --resume", RUN(config.all_addresses), .value = 1},
    {"source-ip", 0, OPT_CUSTOM, SCANS, "ADDR",
     "bind connections to ADDR; repeat for several, used in turn per family (Linux 6.11+)",
     .note = "the kernel's choice", .parse = parse_source_ip,
     .expect = "expected an IPv4 or IPv6 address", .example = "127.0.0.1"},
    {"blocklist", 0, OPT_STRING, SCANS, "FILE",
     "never connect to these CIDRs/addresses (one per line, '#' comments); reserved ranges "
     "(0/8, 224/4, 240/4, ff00::/8...) are always blocked",
     .note = "none", RUN(blocklist)},
    {"allowlist", 0, OPT_STRING, SCANS, "FILE", "connect only to these",
     .note = "everything not blocked", RUN(allowlist)},
    /* The engines and what the person sees. */
    {"threads", 0, OPT_UINT, RUNS, "N", "engine threads, one io_uring each",
     .note = "number of cores", RUN(config.threads), .min = 1, .max = 256, .expect = "threads",
     .example = "2"},
    {"status", 0, OPT_FLAG, RUNS, NULL, "status line on stderr every second",
     .note = "when stderr is a terminal", RUN(status), .value = 1},
    {"quiet", 'q', OPT_FLAG, SWEEPS, NULL, "no status line and no summary", RUN(quiet), .value = 1},
    {"quiet", 'q', OPT_FLAG, CMD_BENCH, NULL, "no status line", RUN(quiet), .value = 1},
    {"connect-only", 0, OPT_FLAG, SWEEPS, NULL,
     "TCP connect and close only, no probe (the benchmark floor)", RUN(config.connect_only),
     .value = 1},
    {"alloc-stats", 0, OPT_FLAG, SWEEPS, NULL,
     "print heap allocations per probe at the end (jemalloc)", RUN(alloc_stats), .value = 1},
    /* Confirmation. */
    {"confirm", 0, OPT_FLAG, SCANS, NULL,
     "confirm accepted TLS 1.0/1.1 (and, as a control, the highest accepted version) with "
     "full BoringSSL handshakes and the protocol's first exchange",
     .def = "", RUN(config.confirm), .value = 1},
    {"no-confirm", 0, OPT_FLAG, SCANS, NULL, "", .joined = 1, RUN(config.confirm), .value = 0},
    {"confirm-all", 0, OPT_CUSTOM, SCANS, NULL,
     "confirm every accepted version (--repeat applies to all)", .parse = parse_confirm_all},
    {"repeat", 0, OPT_UINT, SCANS, "N",
     "confirm each accepted legacy version N times; the summary gives the refusal rate with a "
     "95% Wilson interval",
     .def = "1", RUN(config.repeat), .min = 1, .max = 255, .expect = "repeats"},
    {"ca-file", 0, OPT_STRING, SCANS, "FILE", "trust store for the certificate report",
     .note = "system's", RUN(ca_file)},
    {"check-fallback", 0, OPT_FLAG, SCANS, NULL,
     "one more probe at the second highest accepted version with TLS_FALLBACK_SCSV: is "
     "downgrade refused?",
     RUN(config.check_fallback), .value = 1},
    {"ciphers", 0, OPT_FLAG, SCANS, NULL,
     "every suite each accepted version accepts, by elimination (about one connection per "
     "suite found, one more per version), their weak classes, and whether the server "
     "imposes its order",
     RUN(config.ciphers), .value = 1},
    {"policy", 0, OPT_CUSTOM, SCANS, "NAME[,NAME]",
     "judge each record by compliance policies: rfc8996, nist-sp800-52r2, pci-dss-4.0, "
     "bsi-tr-02102-2, mozilla-modern, mozilla-intermediate, or all; what only --ciphers or "
     "the certificate could tell is said unknown",
     .parse = parse_policy, .example = "pci-dss-4.0,rfc8996",
     .expect = "expected rfc8996, nist-sp800-52r2, pci-dss-4.0, bsi-tr-02102-2, mozilla-modern, "
               "mozilla-intermediate or all"},
    {"era-order", 0, OPT_FLAG, SCANS, NULL,
     "TLS 1.0-1.2 probes offer their suites in the order a client of the version's era "
     "did (ECDHE first, so the server signs), not static RSA first",
     .note = "RSA first: the cheapest answer", RUN(config.era_order), .value = 1},
    {"no-shape-retry", 0, OPT_FLAG, SCANS, NULL,
     "do not retry a swallowed hello (closed, reset, silence) with the minimal hello",
     .note = "retry once", RUN(config.shape_retry), .value = 0},
    {"fail-on-legacy", 0, OPT_FLAG, SWEEPS, NULL,
     "exit 3 when TLS 1.0/1.1 works at the application level", RUN(fail_on_legacy), .value = 1},
    /* The order, its parts, and going on after a stop. */
    {"seed", 0, OPT_CUSTOM, SWEEPS, "N", "seed of the target order",
     .note = "random; kept in --resume's file", .parse = parse_seed, .expect = "expected a number",
     .example = "1"},
    {"shard", 0, OPT_CUSTOM, SWEEPS, "I/N",
     "scan part I of N (0 <= I < N; the same --seed and input on every part; the parts' "
     "outputs concatenate)",
     .def = "0/1", .parse = parse_shard, .expect = "expected I/N with 0 <= I < N"},
    {"shuffle-window", 0, OPT_UINT, SWEEPS, "N",
     "lines and CIDR blocks shuffled N at a time; 0 = input order (blocks are always walked in "
     "a permuted order)",
     .def = XSTR(PERMUTER_WINDOW_DEFAULT), RUN(window), .min = 0, .max = PERMUTER_WINDOW_MAX,
     .expect = "the shuffle window"},
    {"resume", 0, OPT_STRING, CMD_SCAN | CMD_LAB, "FILE",
     "checkpoint to FILE; if it exists, go on from it (needs -o)", RUN(resume)},
    {"metadata", 0, OPT_STRING, SCANS, "FILE",
     "write a JSON description of the scan to FILE at the end", RUN(metadata)},
    {"db", 0, OPT_STRING, SWEEPS, "FILE",
     "keep this run in the SQLite database FILE (made if missing; tlssweep history and diff "
     "read it); if it fails, the scan goes on and exits 5",
     RUN(db)},
    {"metrics", 0, OPT_STRING, SCANS, "FILE",
     "write the run's figures for Prometheus to FILE at the end (node_exporter's textfile "
     "format; written to FILE.tmp, then renamed)",
     RUN(metrics)},
    /* Answered at once. */
    {"help", 'h', OPT_HELP, ALL, .help = "this text"},
    {"version", 0, OPT_VERSION, SCANS, .help = "version and allocator"},
    {"list-options", 0, OPT_LIST, ALL, .help = NULL},
};

#define OPTIONS_COUNT (sizeof(kOptions) / sizeof(kOptions[0]))

/* ---- applying an entry -------------------------------------------------------- */

static void *field_of(const struct opt *o, void *opts) {
  return (uint8_t *)opts + o->offset;
}

/* store_uint stores |v| in the entry's field, as wide as the field is. */
static void store_uint(const struct opt *o, void *opts, uint64_t v) {
  void *p = field_of(o, opts);
  if (o->size == sizeof(uint16_t)) {
    uint16_t x = (uint16_t)v;
    memcpy(p, &x, sizeof(x));
  } else if (o->size == sizeof(uint32_t)) {
    uint32_t x = (uint32_t)v;
    memcpy(p, &x, sizeof(x));
  } else if (o->size == sizeof(uint64_t)) {
    memcpy(p, &v, sizeof(v));
  } else {
    abort(); /* a table entry with a field of no integer width */
  }
}

/* apply_option checks |arg| (NULL for a flag) and stores it. Returns 1, or
 * 0 with |f| saying what was wrong. */
static int apply_option(const struct opt *o, const char *arg, void *opts, struct opt_fault *f) {
  f->why = NULL;
  f->value = arg;
  if (o->parse != NULL) {
    return o->parse(arg, opts, f);
  }
  uint64_t v;
  uint32_t ms;
  switch (o->kind) {
    case OPT_FLAG:
      store_uint(o, opts, o->value);
      return 1;
    case OPT_UINT:
      if (!parse_uint(arg, o->min, o->max, &v)) {
        return 0;
      }
      store_uint(o, opts, v);
      return 1;
    case OPT_DURATION:
      if (!parse_duration_ms(arg, &ms)) {
        return 0;
      }
      store_uint(o, opts, ms);
      return 1;
    case OPT_STRING:
      if (o->size != sizeof(arg)) {
        abort(); /* a string option whose field is no pointer */
      }
      memcpy(field_of(o, opts), &arg, sizeof(arg));
      return 1;
    default:
      abort(); /* kinds without a parser are answered by options_parse */
  }
}

/* flag_name is how messages name an option: its short form if it has one. */
static void flag_name(const struct opt *o, char *buf, size_t cap) {
  if (o->short_name != 0) {
    snprintf(buf, cap, "-%c", o->short_name);
  } else {
    snprintf(buf, cap, "--%s", o->name);
  }
}

static void see_help(const char *name) {
  fprintf(stderr, "(see tlssweep %s --help)\n", name);
}

/* opt_error reports a bad value: "tlssweep: -c: concurrency must be
 * 1-1000000, not 'x'". */
static void opt_error(const char *name, const struct opt *o, const struct opt_fault *f) {
  char flag[48];
  flag_name(o, flag, sizeof(flag));
  fprintf(stderr, "tlssweep: %s: ", flag);
  if (f->why != NULL) {
    fputs(f->why, stderr);
  } else if (o->kind == OPT_UINT) {
    fprintf(stderr, "%s must be %llu-%llu", o->expect, (unsigned long long)o->min,
            (unsigned long long)o->max);
  } else {
    fputs(o->expect, stderr);
  }
  if (f->value != NULL) {
    fprintf(stderr, ", not '%s'", f->value);
  }
  fputc('\n', stderr);
  see_help(name);
}

int usage_error(const char *name, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "tlssweep: ");
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  see_help(name);
  return 1;
}

/* ---- defaults ------------------------------------------------------------------ */

static int takes(const struct opt *o, unsigned bit) {
  return (o->commands & bit) != 0;
}

/* default_of is the default of |o| for command |cmd|: its own, or the
 * table's. */
static const char *default_of(const struct opt *o, const struct opt_command *cmd) {
  for (const struct opt_default *d = cmd->defaults; d != NULL && d->name != NULL; d++) {
    if (strcmp(d->name, o->name) == 0) {
      return d->value;
    }
  }
  return o->def;
}

static void apply_defaults(const struct opt_command *cmd, void *opts) {
  for (size_t i = 0; i < OPTIONS_COUNT; i++) {
    const struct opt *o = &kOptions[i];
    const char *def = takes(o, cmd->bit) ? default_of(o, cmd) : NULL;
    struct opt_fault f;
    if (def != NULL && !apply_option(o, o->metavar != NULL ? def : NULL, opts, &f)) {
      fprintf(stderr, "tlssweep: the default of --%s, '%s', is not valid\n", o->name, def);
      abort();
    }
  }
}

static int takes_name(const struct opt_command *cmd, const char *name) {
  for (size_t i = 0; i < OPTIONS_COUNT; i++) {
    if (takes(&kOptions[i], cmd->bit) && strcmp(kOptions[i].name, name) == 0) {
      return 1;
    }
  }
  return 0;
}

/* check_overrides aborts when a command sets the default of an option it
 * does not take (a typo would be ignored otherwise). */
static void check_overrides(const struct opt_command *cmd) {
  for (const struct opt_default *d = cmd->defaults; d != NULL && d->name != NULL; d++) {
    if (!takes_name(cmd, d->name)) {
      fprintf(stderr, "tlssweep: a default for --%s, which the command does not take\n", d->name);
      abort();
    }
  }
}

void options_defaults(const struct opt_command *cmd, void *opts) {
  check_overrides(cmd);
  if (cmd->bit != CMD_SCAN && (cmd->bit & RUNS) != 0) {
    static const struct opt_command kScanDefaults = {.bit = CMD_SCAN};
    apply_defaults(&kScanDefaults, opts);
  }
  apply_defaults(cmd, opts);
}

/* ---- --help and --list-options --------------------------------------------- */

#define HELP_COLUMN 26
#define HELP_WIDTH 80

/* print_wrapped writes |text| from column |col| on (where the cursor is),
 * wrapping at the width with the help column as the indent. */
static void print_wrapped(FILE *f, const char *text, int col) {
  int first = 1;
  for (const char *p = text; *p != '\0';) {
    if (*p == ' ') {
      p++;
      continue;
    }
    size_t word = strcspn(p, " ");
    if (!first && col + 1 + (int)word > HELP_WIDTH) {
      fprintf(f, "\n%*s", HELP_COLUMN, "");
      col = HELP_COLUMN;
    } else if (!first) {
      fputc(' ', f);
      col++;
    }
    fwrite(p, 1, word, f);
    col += (int)word;
    p += word;
    first = 0;
  }
  fputc('\n', f);
}

/* print_option writes the help of entry |i| (and of the entries joined to
 * it) for |cmd|. */
static void print_option(FILE *f, const struct opt_command *cmd, size_t i) {
  const struct opt *o = &kOptions[i];
  char left[160];
  int n = o->short_name != 0 ? snprintf(left, sizeof(left), "  -%c, --%s", o->short_name, o->name)
                             : snprintf(left, sizeof(left), "      --%s", o->name);
  for (size_t j = i + 1; j < OPTIONS_COUNT && kOptions[j].joined; j++) {
    if (takes(&kOptions[j], cmd->bit)) {
      n += snprintf(left + n, sizeof(left) - (size_t)n, " / --%s", kOptions[j].name);
    }
  }
  if (o->metavar != NULL) {
    n += snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->metavar);
  }
  fputs(left, f);
  int col = n < HELP_COLUMN - 2 ? HELP_COLUMN : n + 2;
  fprintf(f, "%*s", col - n, "");
  const char *def = default_of(o, cmd);
  char text[512];
  if (def != NULL && o->metavar == NULL) {
    snprintf(text, sizeof(text), "%s [--%s]", o->help, o->name);
  } else if (def != NULL || o->note != NULL) {
    snprintf(text, sizeof(text), "%s [%s]", o->help, def != NULL ? def : o->note);
  } else {
    snprintf(text, sizeof(text), "%s", o->help);
  }
  print_wrapped(f, text, col);
}

void options_help(const struct opt_command *cmd, const char *name, FILE *f) {
  fprintf(f, "usage: tlssweep %s %s\n\n%s\n\noptions (default in brackets):\n", name,
          cmd->synopsis, cmd->about);
  for (size_t i = 0; i < OPTIONS_COUNT; i++) {
    const struct opt *o = &kOptions[i];
    if (takes(o, cmd->bit) && o->help != NULL && !o->joined) {
      print_option(f, cmd, i);
    }
  }
  if (cmd->epilogue != NULL) {
    fprintf(f, "\n%s\n", cmd->epilogue);
  }
}

/* list_options writes, for the cli test, one line per option of |cmd|:
 * its long name, its short name, and a value it accepts ('-': none). */
static void list_options(const struct opt_command *cmd) {
  for (size_t i = 0; i < OPTIONS_COUNT; i++) {
    const struct opt *o = &kOptions[i];
    if (!takes(o, cmd->bit) || o->help == NULL) {
      continue;
    }
    char short_form[4] = "-";
    if (o->short_name != 0) {
      snprintf(short_form, sizeof(short_form), "-%c", o->short_name);
    }
    const char *value = "-";
    if (o->metavar != NULL) {
      const char *def = default_of(o, cmd);
      value = def != NULL ? def : o->example != NULL ? o->example : o->metavar;
    }
    printf("--%s %s %s\n", o->name, short_form, value);
  }
}

/* ---- parsing ------------------------------------------------------------------ */

/* The getopt_long arrays for one command. */
struct getopt_arrays {
  struct option longs[OPTIONS_COUNT + 1];
  char shorts[2 * OPTIONS_COUNT + 2];
};

/* Long options come back from getopt_long as kLongBase + their index. */
enum { kLongBase = 256 };

static void build_getopt(unsigned bit, struct getopt_arrays *g) {
  size_t nl = 0, ns = 0;
  g->shorts[ns++] = ':'; /* a missing value returns ':' */
  for (size_t i = 0; i < OPTIONS_COUNT; i++) {
    const struct opt *o = &kOptions[i];
    if (!takes(o, bit)) {
      continue;
    }
    int has_arg = o->metavar != NULL ? required_argument : no_argument;
    g->longs[nl++] = (struct option){o->name, has_arg, NULL, kLongBase + (int)i};
    if (o->short_name != 0) {
      g->shorts[ns++] = o->short_name;
      if (has_arg == required_argument) {
        g->shorts[ns++] = ':';
      }
    }
  }
  g->longs[nl] = (struct option){NULL, 0, NULL, 0};
  g->shorts[ns] = '\0';
}

static const struct opt *short_option(unsigned bit, int c) {
  for (size_t i = 0; i < OPTIONS_COUNT; i++) {
    if (takes(&kOptions[i], bit) && kOptions[i].short_name == c) {
      return &kOptions[i];
    }
  }
  return NULL;
}

/* typed_option returns the argument getopt_long just read a long option
 * from: the value follows in the same argument ("--c=5") or in the next. */
static const char *typed_option(char **argv) {
  const char *last = argv[optind - 1];
  if (optarg == NULL || (optarg > last && optarg <= last + strlen(last))) {
    return last;
  }
  return argv[optind - 2];
}

/* bad_option reports what getopt_long could not take: an unknown option, a
 * flag given a value, a missing value, or an abbreviated long option. */
static void bad_option(const char *name, int c, const char *typed, const struct opt *meant) {
  char flag[64];
  if (optopt > 0 && optopt < kLongBase) {
    snprintf(flag, sizeof(flag), "-%c", optopt);
  } else {
    snprintf(flag, sizeof(flag), "%.*s", (int)strcspn(typed, "="), typed);
  }
  if (meant != NULL) {
    fprintf(stderr, "tlssweep: %s: not an option of 'tlssweep %s' (--%s is)\n", flag, name,
            meant->name);
  } else if (c == ':') {
    fprintf(stderr, "tlssweep: %s: needs a value\n", flag);
  } else if (optopt >= kLongBase) {
    fprintf(stderr, "tlssweep: %s: takes no value\n", flag);
  } else {
    fprintf(stderr, "tlssweep: %s: not an option of 'tlssweep %s'\n", flag, name);
  }
  see_help(name);
}

/* answer handles the options answered at once. Returns 1 when |o| was one. */
static int answer(const struct opt_command *cmd, const char *name, const struct opt *o) {
  switch (o->kind) {
    case OPT_HELP:
      options_help(cmd, name, stdout);
      return 1;
    case OPT_VERSION:
      print_version();
      return 1;
    case OPT_LIST:
      list_options(cmd);
      return 1;
    default:
      return 0;
  }
}

int options_parse(const struct opt_command *cmd, int argc, char **argv, void *opts,
                  int *out_first, int *out_exit) {
  const char *name = argv[0];
  struct getopt_arrays g;
  build_getopt(cmd->bit, &g);
  optind = 0; /* a fresh scan of a new argv */
  opterr = 0; /* bad options are reported here */
  int c, li;
  while ((li = -1, c = getopt_long(argc, argv, g.shorts, g.longs, &li)) != -1) {
    const char *typed = optind > 0 ? argv[optind - 1] : "";
    const struct opt *o = NULL;
    if (c >= kLongBase) {
      o = &kOptions[c - kLongBase];
      typed = typed_option(argv);
      size_t len = strcspn(typed + 2, "=");
      if (len != strlen(o->name)) {
        bad_option(name, c, typed, o); /* an abbreviation */
        *out_exit = 1;
        return 0;
      }
    } else if (c != '?' && c != ':') {
      o = short_option(cmd->bit, c);
    }
    if (o == NULL) {
      bad_option(name, c, typed, NULL);
      *out_exit = 1;
      return 0;
    }
    if (answer(cmd, name, o)) {
      *out_exit = 0;
      return 0;
    }
    struct opt_fault f;
    if (!apply_option(o, o->metavar != NULL ? optarg : NULL, opts, &f)) {
      opt_error(name, o, &f);
      *out_exit = 1;
      return 0;
    }
  }
  *out_first = optind;
  return 1;
}
