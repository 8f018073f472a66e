/* scanner/cli/main.c: the tlssweep command line.
 *
 * Commands: `scan` reads targets (arguments, -i FILE, or standard input),
 * runs one engine thread per --threads with a shared target feed, writes one
 * record per target through the writer, shows a status line and a summary;
 * `lab` starts the built-in loopback lab and scans it, checking every verdict
 * against the lab's configuration; `hello` prints the exact ClientHello of a
 * pinned version. All settings live in a scan_config passed down; there is no
 * global configuration. Exit status: 0 done, 1 usage or input error (a bad
 * flag, an unreadable input, or invalid target lines, reported after the
 * scan), 2 fatal runtime error. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scanner/targets/blocklist.h"
#include "scanner/output/cert.h"
#include "scanner/engine/engine.h"
#include "scanner/lab/lab.h"
#include "scanner/output/output.h"
#include "scanner/targets/permute.h"
#include "scanner/base/stats.h"
#include "scanner/output/tenants.h"
#include "scanner/output/writer.h"
#include "tlsparse/tlsparse.h"

#include <jansson.h>
#include <openssl/ssl.h>

#define TLSSWEEP_VERSION "0.2.0"

/* jemalloc's control interface. Weak, so that sanitizer builds (which keep
 * their own malloc) link without jemalloc and report that instead. */
int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp,
            size_t newlen) __attribute__((weak));

static const char kUsage[] =
    "usage: tlssweep <command> [options]\n"
    "\n"
    "Finds which TLS versions (SSLv3, TLS 1.0, 1.1, 1.2, 1.3) each endpoint accepts,\n"
    "with version-pinned probes, one JSON line per target.\n"
    "\n"
    "commands:\n"
    "  scan [options] [target...]  scan targets from arguments, -i FILE, or standard input\n"
    "  lab [options]               start the built-in loopback lab and scan it\n"
    "  tenants [options] [domain...]  discover each mail domain's endpoints (MX, SRV,\n"
    "                              mail./imap./pop./smtp./autodiscover.), scan each once,\n"
    "                              and give one verdict per tenant; domains also from\n"
    "                              -i FILE ('domain [label=NAME]' per line);\n"
    "                              --dry-run prints the endpoints as target lines;\n"
    "                              --preset exchange-online adds Exchange Online's endpoints\n"
    "  bench TARGET [options]      full handshakes per second against one endpoint\n"
    "                              (tlssweep bench --help)\n"
    "  hello VERSION [SNI]         print the ClientHello sent for VERSION, as hex\n"
    "                              (--minimal, --modern, --fallback-scsv)\n"
    "\n"
    "targets: 1.2.3.4  1.2.3.4:993  [2001:db8::1]:993  10.0.0.0/24  mail.example.com\n"
    "  mail.example.com:587  imaps://host  (implicit TLS: https imaps pop3s smtps ftps\n"
    "  ldaps tls; STARTTLS: smtp submission imap pop3 ftp ldap xmpp postgres)\n"
    "  optional fields after a target: sni=NAME label=TEXT; '#' starts a comment\n"
    "\n"
    "scan options (default in brackets):\n"
    "  -i, --input FILE        read targets from FILE ('-' for standard input)\n"
    "  -o, --output FILE       write records to FILE [standard output]\n"
    "      --format FMT        jsonl or csv [jsonl]\n"
    "  -V, --versions LIST     versions to probe [ssl3,tls1.0,tls1.1,tls1.2,tls1.3]\n"
    "  -p, --port PORT         port for targets without one [443]\n"
    "  -c, --concurrency N     connections in flight per thread [1000]\n"
    "  -r, --rate N            new connections per second, all threads; 0 = no limit [0]\n"
    "      --per-host N        connections in flight to one address, all threads [1]\n"
    "      --per-network N     connections in flight to one network, all threads; 0 = no\n"
    "                          limit [0]\n"
    "      --network-prefix V4,V6  what --per-network calls a network [24,48]\n"
    "      --timeout DURATION  per step (connect, each read): 500ms, 5s, 1m; a probe's\n"
    "                          connection lasts at most 4 steps, a confirmation's 6 [5s]\n"
    "      --retries N         extra attempts after a timeout [1]\n"
    "      --sni / --no-sni    send SNI for host names [--sni]\n"
    "      --ehlo NAME         SMTP EHLO name and XMPP domain [tlssweep.invalid]\n"
    "      --resolver ADDR[:PORT]  DNS server for host names [system's]\n"
    "      --ipv4-only, --ipv6-only  resolve and probe only that family (other\n"
    "                          literals become blocked records) [both; IPv4 first]\n"
    "      --all-addresses     probe every address of a name, one record each\n"
    "                          [the first only; not with --resume]\n"
    "      --threads N         engine threads, one io_uring each [number of cores]\n"
    "      --status            status line on stderr every second [when stderr is a terminal]\n"
    "  -q, --quiet             no status line and no summary\n"
    "      --connect-only      TCP connect and close only, no probe (the benchmark floor)\n"
    "      --alloc-stats       print heap allocations per probe at the end (jemalloc)\n"
    "      --confirm / --no-confirm  confirm accepted TLS 1.0/1.1 (and, as a control, the\n"
    "                          highest accepted version) with full BoringSSL handshakes\n"
    "                          and the protocol's first exchange [--confirm]\n"
    "      --confirm-all       confirm every accepted version (--repeat applies to all)\n"
    "      --repeat N          confirm each accepted legacy version N times; the summary\n"
    "                          gives the refusal rate with a 95% Wilson interval [1]\n"
    "      --ca-file FILE      trust store for the certificate report [system's]\n"
    "      --check-fallback    one more probe at the second highest accepted version with\n"
    "                          TLS_FALLBACK_SCSV: is downgrade refused? [off]\n"
    "      --no-shape-retry    do not retry a swallowed hello (closed, reset, silence)\n"
    "                          with the minimal hello [retry once]\n"
    "      --fail-on-legacy    exit 3 when TLS 1.0/1.1 works at the application level\n"
    "      --source-ip ADDR    bind connections to ADDR; repeat for several, used in\n"
    "                          turn per family (Linux 6.11+) [the kernel's choice]\n"
    "      --blocklist FILE    never connect to these CIDRs/addresses (one per line, '#'\n"
    "                          comments); reserved ranges (0/8, 224/4, 240/4, ff00::/8...)\n"
    "                          are always blocked [none]\n"
    "      --allowlist FILE    connect only to these [everything not blocked]\n"
    "      --seed N            seed of the target order [random; kept in --resume's file]\n"
    "      --shard I/N         scan part I of N (0 <= I < N; the same --seed and input on\n"
    "                          every part; the parts' outputs concatenate) [0/1]\n"
    "      --shuffle-window N  lines and CIDR blocks shuffled N at a time; 0 = input order\n"
    "                          (blocks are always walked in a permuted order) [16384]\n"
    "      --resume FILE       checkpoint to FILE; if it exists, go on from it (needs -o)\n"
    "      --metadata FILE     write a JSON description of the scan to FILE at the end\n"
    "  -h, --help              this text\n"
    "      --version           version and allocator\n"
    "\n"
    "exit status: 0 done; 1 usage or input error (bad flags, unreadable input, invalid\n"
    "target lines: all other targets are still scanned); 2 fatal runtime error;\n"
    "3 with --fail-on-legacy when an endpoint accepts TLS 1.0/1.1; 130/143 stopped by\n"
    "SIGINT/SIGTERM (a second SIGINT stops without waiting)\n";

static void allocator_name(char *buf, size_t cap) {
  const char *version = NULL;
  size_t len = sizeof(version);
  if (mallctl != NULL && mallctl("version", &version, &len, NULL, 0) == 0) {
    snprintf(buf, cap, "jemalloc %s", version);
  } else {
    snprintf(buf, cap, "system malloc (jemalloc not linked)");
  }
}

/* jemalloc_nmalloc returns how many allocations jemalloc has served, or 0
 * when jemalloc is not the allocator. With tcache on, small allocations are
 * counted when a thread cache refills, so exact figures need
 * MALLOC_CONF=tcache:false (the benchmark sets it). */
static uint64_t jemalloc_nmalloc(void) {
  if (mallctl == NULL) {
    return 0;
  }
  uint64_t epoch = 1, small = 0, large = 0;
  size_t len = sizeof(epoch);
  mallctl("epoch", &epoch, &len, &epoch, len);
  len = sizeof(small);
  mallctl("stats.arenas.4096.small.nmalloc", &small, &len, NULL, 0); /* all arenas */
  len = sizeof(large);
  mallctl("stats.arenas.4096.large.nmalloc", &large, &len, NULL, 0);
  return small + large;
}

/* ---- hello ---------------------------------------------------------------- */

static int cmd_hello(int argc, char **argv) {
  static const struct option kOptions[] = {
      {"minimal", no_argument, NULL, 'm'},
      {"modern", no_argument, NULL, 'M'},
      {"fallback-scsv", no_argument, NULL, 'f'},
      {NULL, 0, NULL, 0},
  };
  struct tp_client_hello_opts opts = {.ciphers = TP_CIPHERS_BROAD};
  int c;
  while ((c = getopt_long(argc, argv, "", kOptions, NULL)) != -1) {
    switch (c) {
      case 'm': opts.minimal = 1; break;
      case 'M': opts.ciphers = TP_CIPHERS_MODERN; break;
      case 'f': opts.fallback_scsv = 1; break;
      default:
        fprintf(stderr, "%s", kUsage);
        return 1;
    }
  }
  if (optind >= argc || argc - optind > 2) {
    fprintf(stderr, "tlssweep hello: expected VERSION [SNI]\n");
    return 1;
  }
  if (!tp_version_from_name(argv[optind], &opts.version) || opts.version < TP_SSL3) {
    fprintf(stderr, "tlssweep hello: unknown version '%s' (ssl3, tls1.0, tls1.1, tls1.2, tls1.3)\n",
            argv[optind]);
    return 1;
  }
  if (argc - optind == 2) {
    opts.sni = argv[optind + 1];
  }
  /* Fixed values: this output is for comparing shapes, not for sending. */
  uint8_t random[32], session_id[32], share[32];
  memset(random, 0x11, sizeof(random));
  memset(session_id, 0x22, sizeof(session_id));
  memset(share, 0x33, sizeof(share));
  opts.random = random;
  opts.session_id = session_id;
  opts.x25519_share = share;
  uint8_t out[TP_CLIENT_HELLO_MAX];
  size_t len;
  if (!tp_build_client_hello(&opts, out, sizeof(out), &len, NULL)) {
    fprintf(stderr, "tlssweep hello: cannot build this hello\n");
    return 2;
  }
  for (size_t i = 0; i < len; i++) {
    printf("%02x%s", out[i], (i + 1) % 32 == 0 || i + 1 == len ? "\n" : "");
  }
  return 0;
}

/* ---- option parsing ------------------------------------------------------- */

/* parse_uint parses a decimal in [min, max]. */
static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out) {
  char *end;
  errno = 0;
  if (*s == '\0' || *s == '-') {
    return 0;
  }
  unsigned long v = strtoul(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max) {
    return 0;
  }
  *out = v;
  return 1;
}

/* parse_duration_ms reads "500ms", "5s", "2m" or a bare number of seconds. */
static int parse_duration_ms(const char *s, uint32_t *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno != 0 || end == s || v < 0) {
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

/* valid_host_name accepts what SMTP's EHLO takes: letters, digits, '-' and
 * '.', 1-253 bytes, so a name can never smuggle a line break. */
static int valid_host_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 253) {
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '-' || c == '.')) {
      return 0;
    }
  }
  return 1;
}

/* parse_versions reads "tls1.0,tls1.2" into a mask of probe versions. */
static int parse_versions(const char *s, uint32_t *out, char *bad, size_t badcap) {
  uint32_t mask = 0;
  char buf[256];
  snprintf(buf, sizeof(buf), "%s", s);
  char *save = NULL;
  for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
    uint16_t wire;
    int found = 0;
    if (tp_version_from_name(tok, &wire)) {
      for (int pv = 0; pv < PV_COUNT; pv++) {
        if (probe_version_wire((enum probe_version)pv) == wire) {
          mask |= 1u << pv;
          found = 1;
        }
      }
    }
    if (!found) {
      snprintf(bad, badcap, "%s", tok);
      return 0;
    }
  }
  if (mask == 0) {
    snprintf(bad, badcap, "%s", s);
    return 0;
  }
  *out = mask;
  return 1;
}

struct scan_options {
  struct scan_config config;
  struct target_defaults defaults;
  const char *input;
  const char *output;
  const char *format;
  int status;       /* -1: when stderr is a terminal */
  const char *resume;   /* checkpoint file (--resume), or NULL */
  uint64_t identity;    /* hash of the command line, for checkpoints */
  int quiet;
  int alloc_stats;
  const char *metadata;  /* --metadata FILE, or NULL */
  int seed_given;        /* --seed */
  uint64_t seed;
  uint32_t shard, nshards; /* --shard I/N */
  size_t window;         /* --shuffle-window */
  const char *blocklist, *allowlist;
  int fail_on_legacy;    /* exit 3 when TLS 1.0/1.1 works somewhere */
  const char *ca_file;   /* trust store for the certificate report */
  int tenants_mode;      /* `tlssweep tenants` */
  int dry_run;           /* tenants: print the endpoints, do not probe */
  const char *preset;    /* tenants: --preset exchange-online */
  struct tenants *tenants; /* tenants: the sweep's bookkeeping */
  int bench_json;        /* bench: one JSON object at the end */
  int argc;              /* the command line, for the metadata */
  char **argv;
};

enum {
  OPT_FORMAT = 256,
  OPT_PER_HOST,
  OPT_TIMEOUT,
  OPT_RETRIES,
  OPT_SNI,
  OPT_NO_SNI,
  OPT_RESOLVER,
  OPT_THREADS,
  OPT_STATUS,
  OPT_VERSION,
  OPT_CONNECT_ONLY,
  OPT_ALLOC_STATS,
  OPT_EHLO,
  OPT_RESUME,
  OPT_PER_NETWORK,
  OPT_METADATA,
  OPT_SEED,
  OPT_BLOCKLIST,
  OPT_SOURCE_IP,
  OPT_CONFIRM,
  OPT_NO_CONFIRM,
  OPT_CONFIRM_ALL,
  OPT_REPEAT,
  OPT_FAIL_ON_LEGACY,
  OPT_CA_FILE,
  OPT_CHECK_FALLBACK,
  OPT_DRY_RUN,
  OPT_PRESET,
  OPT_NO_SHAPE_RETRY,
  OPT_ALLOWLIST,
  OPT_SHARD,
  OPT_SHUFFLE_WINDOW,
  OPT_IPV4_ONLY,
  OPT_IPV6_ONLY,
  OPT_ALL_ADDRESSES,
  OPT_NETWORK_PREFIX,
};

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...);

static int usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "tlssweep: ");
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n(see tlssweep --help)\n");
  return 1;
}

/* parse_scan_options fills |o| from argv. Returns 0, or the exit status for
 * a usage error (1) or a request answered here (-1 after --help). */
static int parse_scan_options(int argc, char **argv, struct scan_options *o) {
  static const struct option kOptions[] = {
      {"input", required_argument, NULL, 'i'},
      {"output", required_argument, NULL, 'o'},
      {"format", required_argument, NULL, OPT_FORMAT},
      {"versions", required_argument, NULL, 'V'},
      {"port", required_argument, NULL, 'p'},
      {"concurrency", required_argument, NULL, 'c'},
      {"rate", required_argument, NULL, 'r'},
      {"per-host", required_argument, NULL, OPT_PER_HOST},
      {"timeout", required_argument, NULL, OPT_TIMEOUT},
      {"retries", required_argument, NULL, OPT_RETRIES},
      {"sni", no_argument, NULL, OPT_SNI},
      {"no-sni", no_argument, NULL, OPT_NO_SNI},
      {"resolver", required_argument, NULL, OPT_RESOLVER},
      {"threads", required_argument, NULL, OPT_THREADS},
      {"status", no_argument, NULL, OPT_STATUS},
      {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, OPT_VERSION},
      {"connect-only", no_argument, NULL, OPT_CONNECT_ONLY},
      {"alloc-stats", no_argument, NULL, OPT_ALLOC_STATS},
      {"ehlo", required_argument, NULL, OPT_EHLO},
      {"resume", required_argument, NULL, OPT_RESUME},
      {"per-network", required_argument, NULL, OPT_PER_NETWORK},
      {"metadata", required_argument, NULL, OPT_METADATA},
      {"seed", required_argument, NULL, OPT_SEED},
      {"blocklist", required_argument, NULL, OPT_BLOCKLIST},
      {"source-ip", required_argument, NULL, OPT_SOURCE_IP},
      {"confirm", no_argument, NULL, OPT_CONFIRM},
      {"no-confirm", no_argument, NULL, OPT_NO_CONFIRM},
      {"confirm-all", no_argument, NULL, OPT_CONFIRM_ALL},
      {"repeat", required_argument, NULL, OPT_REPEAT},
      {"fail-on-legacy", no_argument, NULL, OPT_FAIL_ON_LEGACY},
      {"ca-file", required_argument, NULL, OPT_CA_FILE},
      {"check-fallback", no_argument, NULL, OPT_CHECK_FALLBACK},
      {"dry-run", no_argument, NULL, OPT_DRY_RUN},
      {"preset", required_argument, NULL, OPT_PRESET},
      {"no-shape-retry", no_argument, NULL, OPT_NO_SHAPE_RETRY},
      {"allowlist", required_argument, NULL, OPT_ALLOWLIST},
      {"shard", required_argument, NULL, OPT_SHARD},
      {"shuffle-window", required_argument, NULL, OPT_SHUFFLE_WINDOW},
      {"ipv4-only", no_argument, NULL, OPT_IPV4_ONLY},
      {"ipv6-only", no_argument, NULL, OPT_IPV6_ONLY},
      {"all-addresses", no_argument, NULL, OPT_ALL_ADDRESSES},
      {"network-prefix", required_argument, NULL, OPT_NETWORK_PREFIX},
      {NULL, 0, NULL, 0},
  };
  int c;
  unsigned long v;
  char bad[256];
  while ((c = getopt_long(argc, argv, "i:o:V:p:c:r:qh", kOptions, NULL)) != -1) {
    switch (c) {
      case 'i': o->input = optarg; break;
      case 'o': o->output = optarg; break;
      case OPT_FORMAT:
        if (output_format_find(optarg) == NULL) {
          return usage_error("--format: unknown format '%s' (jsonl, csv)", optarg);
        }
        o->format = optarg;
        break;
      case 'V':
        if (!parse_versions(optarg, &o->config.versions, bad, sizeof(bad))) {
          return usage_error("-V: unknown version '%s' (ssl3, tls1.0, tls1.1, tls1.2, tls1.3)", bad);
        }
        break;
      case 'p':
        if (!parse_uint(optarg, 1, 65535, &v)) {
          return usage_error("-p: port must be 1-65535, not '%s'", optarg);
        }
        o->defaults.port = (uint16_t)v;
        break;
      case 'c':
        if (!parse_uint(optarg, 1, 1000000, &v)) {
          return usage_error("-c: concurrency must be 1-1000000, not '%s'", optarg);
        }
        o->config.concurrency = (unsigned)v;
        break;
      case 'r': {
        char *end;
        double rate = strtod(optarg, &end);
        if (end == optarg || *end != '\0' || rate < 0) {
          return usage_error("-r: rate must be a number >= 0, not '%s'", optarg);
        }
        o->config.rate = rate;
        break;
      }
      case OPT_PER_HOST:
        if (!parse_uint(optarg, 1, 1000, &v)) {
          return usage_error("--per-host must be 1-1000, not '%s'", optarg);
        }
        o->config.per_host = (unsigned)v;
        break;
      case OPT_TIMEOUT:
        if (!parse_duration_ms(optarg, &o->config.timeout_ms)) {
          return usage_error("--timeout: expected a duration like 500ms, 5s or 1m, not '%s'",
                             optarg);
        }
        break;
      case OPT_RETRIES:
        if (!parse_uint(optarg, 0, 10, &v)) {
          return usage_error("--retries must be 0-10, not '%s'", optarg);
        }
        o->config.retries = (unsigned)v;
        break;
      case OPT_SNI: o->config.sni = 1; break;
      case OPT_NO_SNI: o->config.sni = 0; break;
      case OPT_RESOLVER: o->config.resolver = optarg; break;
      case OPT_RESUME: o->resume = optarg; break;
      case OPT_METADATA: o->metadata = optarg; break;
      case OPT_BLOCKLIST: o->blocklist = optarg; break;
      case OPT_CONFIRM: o->config.confirm = 1; break;
      case OPT_NO_CONFIRM: o->config.confirm = 0; break;
      case OPT_CONFIRM_ALL:
        o->config.confirm = 1;
        o->config.confirm_all = 1;
        break;
      case OPT_REPEAT:
        if (!parse_uint(optarg, 1, 255, &v)) {
          return usage_error("--repeat must be 1-255, not '%s'", optarg);
        }
        o->config.repeat = (unsigned)v;
        break;
      case OPT_FAIL_ON_LEGACY: o->fail_on_legacy = 1; break;
      case OPT_CA_FILE: o->ca_file = optarg; break;
      case OPT_CHECK_FALLBACK: o->config.check_fallback = 1; break;
      case OPT_DRY_RUN:
      case OPT_PRESET:
        if (!o->tenants_mode) {
          return usage_error("--%s is an option of 'tlssweep tenants'",
                             c == OPT_DRY_RUN ? "dry-run" : "preset");
        }
        if (c == OPT_DRY_RUN) {
          o->dry_run = 1;
        } else {
          o->preset = optarg;
        }
        break;
      case OPT_NO_SHAPE_RETRY: o->config.shape_retry = 0; break;
      case OPT_SOURCE_IP: {
        struct scan_config *cfg = &o->config;
        if (cfg->nsources == sizeof(cfg->sources) / sizeof(cfg->sources[0])) {
          return usage_error("--source-ip: at most %zu addresses",
                             sizeof(cfg->sources) / sizeof(cfg->sources[0]));
        }
        struct sockaddr_storage *ss = &cfg->sources[cfg->nsources];
        memset(ss, 0, sizeof(*ss));
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
        if (inet_pton(AF_INET, optarg, &sin->sin_addr) == 1) {
          sin->sin_family = AF_INET;
        } else if (inet_pton(AF_INET6, optarg, &sin6->sin6_addr) == 1) {
          sin6->sin6_family = AF_INET6;
        } else {
          return usage_error("--source-ip: '%s' is not an IPv4 or IPv6 address", optarg);
        }
        cfg->nsources++;
        break;
      }
      case OPT_ALLOWLIST: o->allowlist = optarg; break;
      case OPT_SEED: {
        char *end;
        errno = 0;
        unsigned long long seed = strtoull(optarg, &end, 10);
        if (errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-') {
          return usage_error("--seed: expected a number, not '%s'", optarg);
        }
        o->seed = seed;
        o->seed_given = 1;
        break;
      }
      case OPT_SHARD:
        if (!permuter_parse_shard(optarg, &o->shard, &o->nshards)) {
          return usage_error("--shard: expected I/N with 0 <= I < N, not '%s'", optarg);
        }
        break;
      case OPT_SHUFFLE_WINDOW:
        if (!parse_uint(optarg, 0, PERMUTER_WINDOW_MAX, &v)) {
          return usage_error("--shuffle-window must be 0-%lu, not '%s'",
                             (unsigned long)PERMUTER_WINDOW_MAX, optarg);
        }
        o->window = v;
        break;
      case OPT_IPV4_ONLY: o->config.family = 4; break;
      case OPT_IPV6_ONLY: o->config.family = 6; break;
      case OPT_ALL_ADDRESSES: o->config.all_addresses = 1; break;
      case OPT_PER_NETWORK:
        if (!parse_uint(optarg, 0, 100000, &v)) {
          return usage_error("--per-network must be 0-100000, not '%s'", optarg);
        }
        o->config.per_network = (unsigned)v;
        break;
      case OPT_NETWORK_PREFIX: {
        unsigned p4, p6;
        char tail;
        if (sscanf(optarg, "%u,%u%c", &p4, &p6, &tail) != 2 || p4 > 32 || p6 > 128) {
          return usage_error("--network-prefix: expected V4,V6 prefix lengths like 24,48, not '%s'",
                             optarg);
        }
        o->config.net_prefix4 = p4;
        o->config.net_prefix6 = p6;
        break;
      }
      case OPT_EHLO:
        if (!valid_host_name(optarg)) {
          return usage_error("--ehlo: '%s' is not a host name", optarg);
        }
        o->config.ehlo = optarg;
        break;
      case OPT_THREADS:
        if (!parse_uint(optarg, 1, 256, &v)) {
          return usage_error("--threads must be 1-256, not '%s'", optarg);
        }
        o->config.threads = (unsigned)v;
        break;
      case OPT_STATUS: o->status = 1; break;
      case OPT_CONNECT_ONLY: o->config.connect_only = 1; break;
      case OPT_ALLOC_STATS: o->alloc_stats = 1; break;
      case 'q': o->quiet = 1; break;
      case 'h':
        fputs(kUsage, stdout);
        return -1;
      case OPT_VERSION: {
        char alloc[128];
        allocator_name(alloc, sizeof(alloc));
        printf("tlssweep %s (allocator: %s)\n", TLSSWEEP_VERSION, alloc);
        return -1;
      }
      default:
        fprintf(stderr, "(see tlssweep --help)\n");
        return 1;
    }
  }
  if (o->nshards > 1 && !o->seed_given) {
    /* A random seed per machine would split the targets differently on
     * each, and the parts would neither cover the whole nor be disjoint. */
    return usage_error("--shard needs --seed (the same on every part)");
  }
  if (o->resume != NULL && o->config.all_addresses) {
    /* A name's several records complete at different times; a checkpoint
     * could not say which of them reached the output. */
    return usage_error("--resume cannot be combined with --all-addresses");
  }
  /* Resolver "ADDR:PORT" is what c-ares takes; an IPv6 with a port must be
   * bracketed, which c-ares also reads. */
  return 0;
}

static void default_options(struct scan_options *o) {
  memset(o, 0, sizeof(*o));
  o->config.versions = (1u << PV_COUNT) - 1;
  o->config.concurrency = 1000;
  o->config.rate = 0;
  o->config.per_host = 1;
  o->config.confirm = 1;
  o->config.repeat = 1;
  o->config.shape_retry = 1;
  o->config.per_network = 0;
  o->config.net_prefix4 = 24;
  o->config.net_prefix6 = 48;
  o->config.timeout_ms = 5000;
  o->config.retries = 1;
  o->config.sni = 1;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  o->config.threads = cores > 0 ? (unsigned)cores : 1;
  o->defaults.port = 443;
  o->format = "jsonl";
  o->shard = 0;
  o->nshards = 1;
  o->window = PERMUTER_WINDOW_DEFAULT;
  o->status = -1;
}

/* ---- running a scan -------------------------------------------------------- */

struct run {
  struct scan_shared shared;
  uint64_t bench_last_count, bench_last_ns; /* bench: for the per-second rate */
  struct tenants *tenants;      /* tenants mode: records go out once per tenant */
  uint64_t seed;                /* the target order's seed */
  uint64_t drain_ns;            /* after a stop signal, how long in-flight work may take */
  const char *input_name;       /* for messages: the -i file, or "input" */
  struct writer writer;
  const struct lab *lab;        /* lab runs: check each result */
  unsigned long lab_ok, lab_bad;
  int status_line;
  uint64_t start_ns;
  atomic_int finished;
};

static void emit_record(void *ctx, const struct scan_result *r) {
  struct run *run = ctx;
  writer_put(&run->writer, r);
}

static void on_result(void *ctx, const struct scan_result *r) {
  struct run *run = ctx;
  if (run->tenants != NULL && tenants_record(run->tenants, r, emit_record, run) != NULL) {
    return;
  }
  if (r->status == STATUS_INVALID) {
    /* The record says it too; stderr tells the person running the scan. */
    const struct target_item *item = r->item;
    if (item->line_no > 0) {
      fprintf(stderr, "tlssweep: %s line %lu: %s\n", run->input_name, item->line_no, r->error);
    } else {
      fprintf(stderr, "tlssweep: argument %lu ('%.64s'): %s\n", item->arg_no, item->line.text,
              r->error);
    }
  }
  writer_put(&run->writer, r);
  if (run->lab != NULL) {
    const struct lab_endpoint *ep = lab_find(run->lab, r->item->line.label);
    char why[128];
    if (ep != NULL && lab_check(ep, r, why, sizeof(why))) {
      run->lab_ok++;
    } else {
      run->lab_bad++;
      fprintf(stderr, "lab: %s (%s): %s\n", r->item->line.label, r->item->line.text,
              ep == NULL ? "unknown endpoint" : why);
    }
  }
}

static int on_congested(void *ctx) {
  struct run *run = ctx;
  return writer_congested(&run->writer);
}

static uint64_t load(const uint64_t *p) {
  return atomic_load_explicit((_Atomic uint64_t *)p, memory_order_relaxed);
}

/* print_status writes the one-line progress report: targets done (of the
 * total once the input has been read to its end, which is when the total is
 * known), probes per second, connections in flight, legacy endpoints so far,
 * and an estimate of the time left. */
static uint64_t bench_handshakes(struct scan_stats *st) {
  uint64_t n = 0;
  for (int pv = 0; pv < PV_COUNT; pv++) {
    n += load(&st->confirm_handshakes[pv]);
  }
  return n;
}

static uint64_t bench_errors(struct scan_stats *st) {
  uint64_t n = 0;
  for (int f = 1; f < 8; f++) {
    n += load(&st->confirm_failures[f]);
  }
  return n;
}

/* bench_percentile_ms reads percentile |q| (0..1) off the histogram. */
static double bench_percentile_ms(struct scan_stats *st, double q) {
  uint64_t total = 0;
  for (unsigned b = 0; b < BENCH_BUCKETS; b++) {
    total += load(&st->bench_hist[b]);
  }
  if (total == 0) {
    return 0;
  }
  uint64_t want = (uint64_t)(q * (double)total), seen = 0;
  for (unsigned b = 0; b < BENCH_BUCKETS; b++) {
    seen += load(&st->bench_hist[b]);
    if (seen > want) {
      return (double)bench_bucket_upper_us(b) / 1000.0;
    }
  }
  return (double)load(&st->bench_max_us) / 1000.0;
}

/* print_bench_status: handshakes completed (by the confirmation counters,
 * which a bench's runs go through), their rate over the last second, errors
 * and connections in flight. */
static void print_bench_status(struct run *run) {
  struct scan_stats *st = &run->shared.stats;
  uint64_t now = now_ns(), n = bench_handshakes(st);
  double dt = (double)(now - run->bench_last_ns) / 1e9;
  double rate = dt > 0 ? (double)(n - run->bench_last_count) / dt : 0;
  run->bench_last_count = n;
  run->bench_last_ns = now;
  fprintf(stderr, "\r\033[K%llu handshakes, %.0f/s, p50 %.1f ms, p99 %.1f ms, %llu errors, %llu in flight",
          (unsigned long long)n, rate, bench_percentile_ms(st, 0.5), bench_percentile_ms(st, 0.99),
          (unsigned long long)bench_errors(st), (unsigned long long)load(&st->in_flight));
}

static void print_status(struct run *run) {
  if (run->shared.config->bench.version != 0) {
    print_bench_status(run);
    return;
  }
  struct scan_stats *st = &run->shared.stats;
  double secs = (double)(now_ns() - run->start_ns) / 1e9;
  uint64_t done = load(&st->targets_done);
  /* The feed is written under its lock by the engines; these reads are atomic. */
  uint64_t taken = __atomic_load_n(&run->shared.feed->taken, __ATOMIC_RELAXED);
  int total_known = __atomic_load_n(&run->shared.feed->done, __ATOMIC_ACQUIRE);
  double pps = secs > 0 ? (double)load(&st->probes_done) / secs : 0;
  char total[48], eta[32] = "";
  if (total_known) {
    snprintf(total, sizeof(total), "/%llu", (unsigned long long)taken);
    double tps = secs > 0 ? (double)done / secs : 0;
    if (tps > 0 && taken > done) {
      double left = (double)(taken - done) / tps;
      snprintf(eta, sizeof(eta), ", ETA %.0fs", left);
    }
  } else {
    snprintf(total, sizeof(total), " (%llu read)", (unsigned long long)taken);
  }
  fprintf(stderr, "\r\033[K%llu%s targets, %.0f probes/s, %llu in flight, %llu legacy, %.0fs%s",
          (unsigned long long)done, total, pps, (unsigned long long)load(&st->in_flight),
          (unsigned long long)load(&st->legacy_targets), secs, eta);
}

static void *status_main(void *arg) {
  struct run *run = arg;
  while (!atomic_load(&run->finished)) {
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 100000000};
    for (int i = 0; i < 10 && !atomic_load(&run->finished); i++) {
      nanosleep(&ts, NULL);
    }
    if (!atomic_load(&run->finished)) {
      print_status(run);
    }
  }
  fputs("\r\033[K", stderr);
  return NULL;
}

/* bench_report ends a bench: a table on stderr, or one JSON object on
 * stdout with --json. */
static void bench_report(struct run *run, const struct scan_options *o) {
  struct scan_stats *st = &run->shared.stats;
  double secs = (double)(now_ns() - run->start_ns) / 1e9;
  uint64_t n = bench_handshakes(st);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
  static const char *const kKinds[8] = {"",        "alert",   "tls_error", "closed",
                                        "reset",   "timeout", "connect",   "starttls"};
  if (o->bench_json) {
    json_t *doc = json_object();
    json_object_set_new(doc, "version",
                        json_string(tp_version_name(o->config.bench.version)));
    json_object_set_new(doc, "concurrency", json_integer(o->config.bench.concurrency));
    json_object_set_new(doc, "duration_s", json_real(secs));
    json_object_set_new(doc, "handshakes", json_integer((json_int_t)n));
    json_object_set_new(doc, "handshakes_per_sec", json_real(secs > 0 ? (double)n / secs : 0));
    json_object_set_new(doc, "resumed", json_integer((json_int_t)load(&st->bench_resumed)));
    json_t *lat = json_object();
    json_object_set_new(lat, "p50", json_real(bench_percentile_ms(st, 0.50)));
    json_object_set_new(lat, "p90", json_real(bench_percentile_ms(st, 0.90)));
    json_object_set_new(lat, "p99", json_real(bench_percentile_ms(st, 0.99)));
    json_object_set_new(lat, "max", json_real((double)load(&st->bench_max_us) / 1000.0));
    json_object_set_new(doc, "latency_ms", lat);
    json_t *errors = json_object();
    for (int f = 1; f < 8; f++) {
      json_object_set_new(errors, kKinds[f], json_integer((json_int_t)load(&st->confirm_failures[f])));
    }
    json_object_set_new(doc, "errors", errors);
    json_object_set_new(doc, "client_cpu_s", json_real(cpu));
    json_object_set_new(doc, "close", json_string(load(&st->bench_fin_close) ? "fin" : "reset"));
    char *text = json_dumps(doc, JSON_COMPACT);
    if (text != NULL) {
      printf("%s\n", text);
      free(text);
    }
    json_decref(doc);
    return;
  }
  fprintf(stderr, "\nbench: %s, %u at once, %.1f s\n", tp_version_name(o->config.bench.version),
          o->config.bench.concurrency, secs);
  fprintf(stderr, "  %-22s %12llu\n", "handshakes", (unsigned long long)n);
  fprintf(stderr, "  %-22s %12.0f\n", "handshakes per second", secs > 0 ? (double)n / secs : 0);
  fprintf(stderr, "  %-22s %12llu\n", "resumed sessions", (unsigned long long)load(&st->bench_resumed));
  fprintf(stderr, "  %-22s %12.2f %8.2f %8.2f %8.2f\n", "latency ms p50/90/99/max",
          bench_percentile_ms(st, 0.5), bench_percentile_ms(st, 0.9), bench_percentile_ms(st, 0.99),
          (double)load(&st->bench_max_us) / 1000.0);
  for (int f = 1; f < 8; f++) {
    uint64_t k = load(&st->confirm_failures[f]);
    if (k > 0) {
      fprintf(stderr, "  errors: %-14s %12llu\n", kKinds[f], (unsigned long long)k);
    }
  }
  fprintf(stderr, "  %-22s %12.2f\n", "client CPU seconds", cpu);
  fprintf(stderr, "  %-22s %12s\n", "connections closed by",
          load(&st->bench_fin_close) ? "FIN (TIME_WAIT)" : "reset");
}

static void print_summary(struct run *run) {
  struct scan_stats *st = &run->shared.stats;
  double secs = (double)(now_ns() - run->start_ns) / 1e9;
  fprintf(stderr, "\nsummary: %llu targets in %.1fs (%.0f probes/s)\n",
          (unsigned long long)load(&st->targets_done), secs,
          secs > 0 ? (double)load(&st->probes_done) / secs : 0.0);
  fprintf(stderr, "  %-12s %10s\n", "version", "accepted");
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (run->shared.config->versions & (1u << pv)) {
      fprintf(stderr, "  %-12s %10llu\n", probe_version_name((enum probe_version)pv),
              (unsigned long long)load(&st->accepted[pv]));
    }
  }
  fprintf(stderr, "  %-12s %10llu\n", "legacy", (unsigned long long)load(&st->legacy_targets));
  fprintf(stderr, "  %-12s %10llu\n", "legacy app", (unsigned long long)load(&st->legacy_app_targets));
  for (int pv = 0; pv < PV_COUNT; pv++) {
    uint64_t hs = load(&st->confirm_handshakes[pv]);
    uint64_t ok = load(&st->confirm_app_ok[pv]);
    uint64_t refused = load(&st->confirm_app_refused[pv]);
    uint64_t runs = load(&st->confirm_runs[pv]);
    if (runs == 0) {
      continue;
    }
    /* Of the sessions whose handshake completed, how many did the
     * application refuse in its protocol: the rate a gradual retirement
     * shows (other endings, such as a silent close, are neither). */
    double lo, hi;
    wilson_interval(refused, hs, 1.959964, &lo, &hi);
    fprintf(stderr,
            "  confirm %-6s %llu runs: %llu handshakes, application ok %llu, refused %llu "
            "= %.1f%% (95%% CI %.1f-%.1f%%)\n",
            probe_version_name((enum probe_version)pv), (unsigned long long)runs,
            (unsigned long long)hs, (unsigned long long)ok, (unsigned long long)refused,
            hs ? 100.0 * (double)refused / (double)hs : 0.0, 100 * lo, 100 * hi);
  }
  for (int s = 0; s < STATUS_COUNT; s++) {
    fprintf(stderr, "  %-12s %10llu\n", target_status_name((enum target_status)s),
            (unsigned long long)load(&st->status_count[s]));
  }
}

/* Only for the signal handler, which cannot be given a context. */
static struct run *g_signal_run;
static volatile sig_atomic_t g_signal;

/* on_signal: the first SIGINT or SIGTERM stops new work and gives what is
 * in flight until the drain deadline; a second SIGINT stops at once. Either
 * way the engines return, the output is flushed and the summary printed. */
static void on_signal(int sig) {
  struct run *run = g_signal_run;
  if (run == NULL) {
    return;
  }
  if (run->shared.stop != 0 && sig == SIGINT) {
    run->shared.stop = 2;
    return;
  }
  g_signal = sig;
  run->shared.stop_deadline_ns = now_ns() + run->drain_ns; /* clock_gettime is signal-safe */
  run->shared.stop = 1;
}

struct thread_arg {
  struct scan_shared *shared;
  int rc;
};

static void *engine_thread(void *arg) {
  struct thread_arg *ta = arg;
  ta->rc = engine_run(ta->shared);
  return NULL;
}

static json_t *json_time(time_t t) {
  char buf[32];
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return json_string(buf);
}

/* write_metadata writes one JSON document describing the scan (as zmap's
 * --metadata-file does): what ran, with which settings, when, and what came
 * of it. Returns 0 or an errno value. */
static int write_metadata(const struct scan_options *o, struct run *run, time_t start,
                          time_t end) {
  const struct scan_config *c = &o->config;
  struct scan_stats *st = &run->shared.stats;
  json_t *doc = json_object();
  char alloc[128];
  allocator_name(alloc, sizeof(alloc));
  json_object_set_new(doc, "tool", json_string("tlssweep"));
  json_object_set_new(doc, "version", json_string(TLSSWEEP_VERSION));
  json_object_set_new(doc, "allocator", json_string(alloc));
  json_t *cmd = json_array();
  for (int i = 0; i < o->argc; i++) {
    json_array_append_new(cmd, json_stringn(o->argv[i], strlen(o->argv[i])));
  }
  json_object_set_new(doc, "command", cmd);
  json_t *opt = json_object();
  json_t *versions = json_array();
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (c->versions & (1u << pv)) {
      json_array_append_new(versions, json_string(probe_version_name((enum probe_version)pv)));
    }
  }
  json_object_set_new(opt, "versions", versions);
  json_object_set_new(opt, "port", json_integer(o->defaults.port));
  json_object_set_new(opt, "concurrency", json_integer(c->concurrency));
  json_object_set_new(opt, "threads", json_integer(c->threads));
  json_object_set_new(opt, "rate", json_real(c->rate));
  json_object_set_new(opt, "per_host", json_integer(c->per_host));
  json_object_set_new(opt, "per_network", json_integer(c->per_network));
  json_object_set_new(opt, "network_prefix",
                      json_pack("[ii]", (int)c->net_prefix4, (int)c->net_prefix6));
  json_object_set_new(opt, "timeout_ms", json_integer(c->timeout_ms));
  json_object_set_new(opt, "retries", json_integer(c->retries));
  json_object_set_new(opt, "sni", json_boolean(c->sni));
  json_object_set_new(opt, "ehlo", c->ehlo ? json_string(c->ehlo) : json_null());
  json_object_set_new(opt, "resolver", c->resolver ? json_string(c->resolver) : json_null());
  json_object_set_new(opt, "family", c->family ? json_integer(c->family) : json_null());
  json_object_set_new(opt, "all_addresses", json_boolean(c->all_addresses));
  json_object_set_new(opt, "format", json_string(o->format));
  json_object_set_new(opt, "input", o->input ? json_string(o->input) : json_null());
  json_object_set_new(opt, "output", o->output ? json_string(o->output) : json_null());
  json_object_set_new(opt, "resume", o->resume ? json_string(o->resume) : json_null());
  json_object_set_new(opt, "seed", json_integer((json_int_t)run->seed));
  json_object_set_new(opt, "shard", json_pack("[ii]", (int)o->shard, (int)o->nshards));
  json_object_set_new(opt, "shuffle_window", json_integer((json_int_t)o->window));
  json_object_set_new(doc, "options", opt);
  json_object_set_new(doc, "start", json_time(start));
  json_object_set_new(doc, "end", json_time(end));
  json_object_set_new(doc, "duration_s", json_real((double)(now_ns() - run->start_ns) / 1e9));
  json_t *targets = json_object();
  json_object_set_new(targets, "read", json_integer((json_int_t)run->shared.feed->position));
  json_object_set_new(targets, "done", json_integer((json_int_t)load(&st->targets_done)));
  json_object_set_new(targets, "skipped_as_done_before",
                      json_integer((json_int_t)run->shared.feed->skipped));
  json_object_set_new(targets, "not_started",
                      json_integer((json_int_t)load(&run->shared.not_started)));
  json_object_set_new(targets, "abandoned", json_integer((json_int_t)load(&run->shared.abandoned)));
  json_object_set_new(targets, "legacy", json_integer((json_int_t)load(&st->legacy_targets)));
  json_object_set_new(doc, "targets", targets);
  json_t *status = json_object();
  for (int s = 0; s < STATUS_COUNT; s++) {
    json_object_set_new(status, target_status_name((enum target_status)s),
                        json_integer((json_int_t)load(&st->status_count[s])));
  }
  json_object_set_new(doc, "status", status);
  json_t *by_version = json_object();
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (!(c->versions & (1u << pv))) {
      continue;
    }
    json_t *counts = json_object();
    for (int oc = 0; oc < OUTCOME_COUNT; oc++) {
      uint64_t n = load(&st->outcomes[pv][oc]);
      if (n > 0) {
        json_object_set_new(counts, probe_outcome_name((enum probe_outcome)oc),
                            json_integer((json_int_t)n));
      }
    }
    json_object_set_new(by_version, probe_version_name((enum probe_version)pv), counts);
  }
  json_object_set_new(doc, "verdicts", by_version);
  json_object_set_new(doc, "probes", json_integer((json_int_t)load(&st->probes_done)));
  json_object_set_new(doc, "stopped_by",
                      g_signal == 0 ? json_null()
                                    : json_string(g_signal == SIGINT ? "SIGINT" : "SIGTERM"));
  int err = json_dump_file(doc, o->metadata, JSON_INDENT(2)) == 0 ? 0 : EIO;
  json_decref(doc);
  return err;
}

static int permuter_next_fn(void *source, struct target_item *out) {
  return permuter_next(source, out);
}

/* random_seed picks a seed for a scan that was given none. */
static uint64_t random_seed(void) {
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed)) {
    seed = now_ns() ^ ((uint64_t)getpid() << 32);
  }
  return seed;
}

static int run_scan_with_policy(struct scan_options *o, struct target_source *source,
                                const struct lab *lab);

/* run_scan scans everything |source| yields. Returns the exit status. */
static int run_scan(struct scan_options *o, struct target_source *source, const struct lab *lab) {
  struct scan_policy policy;
  char perr[512];
  if (!scan_policy_load(&policy, o->blocklist, o->allowlist, perr, sizeof(perr))) {
    fprintf(stderr, "tlssweep: %s\n", perr);
    return 1;
  }
  o->config.policy = &policy;
  struct cert_verifier verifier;
  int have_verifier = 0;
  if (o->config.confirm) {
    if (!cert_verifier_init(&verifier, o->ca_file)) {
      fprintf(stderr, "tlssweep: cannot load the trust store%s%s\n", o->ca_file ? " " : "",
              o->ca_file ? o->ca_file : "");
      scan_policy_free(&policy);
      return 1;
    }
    have_verifier = 1;
    o->config.verifier = &verifier;
  }
  int rc_policy = run_scan_with_policy(o, source, lab);
  o->config.policy = NULL;
  o->config.verifier = NULL;
  if (have_verifier) {
    cert_verifier_free(&verifier);
  }
  scan_policy_free(&policy);
  return rc_policy;
}

/* run_scan_with_policy is run_scan once the block and allow lists are loaded. */
static int run_scan_with_policy(struct scan_options *o, struct target_source *source,
                                const struct lab *lab) {
  int out_fd = STDOUT_FILENO;
  struct checkpoint cp;
  memset(&cp, 0, sizeof(cp));
  done_set_init(&cp.done);
  int resumed = 0;
  if (o->resume != NULL) {
    /* A checkpoint describes an output file; standard output cannot be
     * truncated and appended to. */
    if (o->output == NULL || strcmp(o->output, "-") == 0) {
      fprintf(stderr, "tlssweep: --resume needs -o FILE\n");
      return 1;
    }
    char err[512];
    int rc = checkpoint_read(o->resume, &cp, err, sizeof(err));
    if (rc < 0) {
      fprintf(stderr, "tlssweep: --resume: %s\n", err);
      return 1;
    }
    if (rc == 1 && cp.identity != o->identity) {
      fprintf(stderr, "tlssweep: --resume: %s belongs to a scan with another command line; "
                      "run the same command, or remove it to start afresh\n", o->resume);
      done_set_free(&cp.done);
      return 1;
    }
    resumed = rc == 1;
    cp.identity = o->identity;
  }
  if (o->output != NULL && strcmp(o->output, "-") != 0) {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (resumed ? O_APPEND : O_TRUNC);
    out_fd = open(o->output, flags, 0644);
    if (out_fd < 0) {
      fprintf(stderr, "tlssweep: cannot open output '%s': %s\n", o->output, strerror(errno));
      done_set_free(&cp.done);
      return 1;
    }
    if (resumed) {
      /* Records written after the checkpoint (and a torn last line) go: their
       * targets are not in the done set and are probed again. */
      struct stat st;
      if (fstat(out_fd, &st) != 0 || (uint64_t)st.st_size < cp.output_bytes ||
          ftruncate(out_fd, (off_t)cp.output_bytes) != 0) {
        fprintf(stderr, "tlssweep: --resume: output '%s' is shorter than its checkpoint says "
                        "(%llu bytes): was it changed?\n",
                o->output, (unsigned long long)cp.output_bytes);
        close(out_fd);
        done_set_free(&cp.done);
        return 1;
      }
      fprintf(stderr, "tlssweep: resuming: %llu targets already done\n",
              (unsigned long long)cp.done.count);
    }
  }
  struct run *run = calloc(1, sizeof(*run));
  /* The order: the given seed, or the one a resumed scan used, or a new
   * random one (recorded in the checkpoint and the metadata). */
  uint64_t seed = o->seed_given ? o->seed : resumed ? cp.seed : random_seed();
  cp.seed = seed;
  struct permuter *perm = malloc(sizeof(*perm));
  if (perm == NULL || !permuter_init(perm, source, seed, o->shard, o->nshards, o->window)) {
    fprintf(stderr, "tlssweep: cannot set up the target order (out of memory)\n");
    free(perm);
    done_set_free(&cp.done);
    return 2;
  }
  struct target_feed feed = {
      .next = permuter_next_fn,
      .source = perm,
      .skip = resumed ? &cp.done : NULL,
  };
  struct rate_limiter limiter;
  if (run == NULL) {
    return 2;
  }
  pthread_mutex_init(&feed.lock, NULL);
  rate_limiter_init(&limiter, o->config.rate);
  run->lab = lab;
  run->seed = seed;
  run->tenants = o->tenants;
  /* In-flight targets get one step's timeout (at least a second) to finish. */
  run->drain_ns = (uint64_t)(o->config.timeout_ms < 1000 ? 1000 : o->config.timeout_ms) * 1000000u;
  run->input_name = o->input == NULL || strcmp(o->input, "-") == 0 ? "input" : o->input;
  run->shared.config = &o->config;
  run->shared.feed = &feed;
  run->shared.limiter = &limiter;
  run->shared.sink = (struct scan_sink){.on_result = on_result, .congested = on_congested, .ctx = run};
  pthread_mutex_init(&run->shared.sink_lock, NULL);
  run->start_ns = now_ns();
  run->bench_last_ns = run->start_ns;
  time_t start_time = time(NULL);
  uint64_t nmalloc_start = jemalloc_nmalloc();
  /* 16 MiB of rendered records before engines hold back new targets. */
  /* The checkpoint's own done set is the writer's from here on; the feed
   * skips by a copy taken before the writer starts adding to it. */
  struct done_set skip;
  done_set_init(&skip);
  if (resumed) {
    if (!done_set_copy(&skip, &cp.done)) {
      fprintf(stderr, "tlssweep: out of memory\n");
      return 2;
    }
    feed.skip = &skip;
  }
  if (!writer_start(&run->writer, out_fd, output_format_find(o->format), 16u << 20,
                    !resumed || cp.output_bytes == 0, o->resume != NULL ? &cp : NULL,
                    o->resume)) {
    fprintf(stderr, "tlssweep: cannot start the output writer: %s\n", strerror(errno));
    return 2;
  }
  g_signal_run = run;
  struct sigaction sa = {.sa_handler = on_signal};
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  run->status_line = !o->quiet && (o->status == 1 || (o->status == -1 && isatty(STDERR_FILENO)));
  pthread_t status_thread;
  int status_started =
      run->status_line && pthread_create(&status_thread, NULL, status_main, run) == 0;

  unsigned n = o->config.threads;
  pthread_t *threads = calloc(n, sizeof(*threads));
  struct thread_arg *args = calloc(n, sizeof(*args));
  /* --per-host and --per-network count across all engine threads. */
  struct politeness polite;
  int polite_ok = politeness_init(&polite, n * engine_targets_per_thread(&o->config));
  run->shared.polite = &polite;
  int fatal = threads == NULL || args == NULL || !polite_ok;
  if (fatal) {
    fprintf(stderr, "tlssweep: out of memory\n");
    n = 0; /* no thread to join */
  }
  for (unsigned i = 0; !fatal && i < n; i++) {
    args[i].shared = &run->shared;
    if (pthread_create(&threads[i], NULL, engine_thread, &args[i]) != 0) {
      fatal = 1;
      n = i;
    }
  }
  for (unsigned i = 0; i < n; i++) {
    pthread_join(threads[i], NULL);
    if (args[i].rc < 0) {
      if (args[i].rc == -EOPNOTSUPP) {
        fprintf(stderr, "tlssweep: --source-ip needs io_uring's bind (Linux 6.11 or later)\n");
      } else {
        fprintf(stderr, "tlssweep: cannot set up io_uring: %s\n", strerror(-args[i].rc));
      }
      fatal = 1;
    }
  }
  if (polite_ok) {
    politeness_free(&polite);
  }
  run->shared.polite = NULL;
  atomic_store(&run->finished, 1);
  if (status_started) {
    pthread_join(status_thread, NULL);
  }
  if (run->tenants != NULL) {
    /* Every endpoint is in: the tenants' summary records close the output. */
    struct outbuf sums = {0};
    if (!tenants_finish(run->tenants, &sums) ||
        !writer_put_text(&run->writer, sums.data ? sums.data : "", sums.len)) {
      fprintf(stderr, "tlssweep: out of memory writing the tenant summaries\n");
      fatal = 1;
    }
    outbuf_free(&sums);
  }
  int werr = writer_finish(&run->writer);
  if (out_fd != STDOUT_FILENO) {
    close(out_fd);
  }
  if (werr != 0) {
    fprintf(stderr, "tlssweep: writing output failed: %s\n", strerror(werr));
    fatal = 1;
  }
  if (run->writer.cp_error != 0) {
    fprintf(stderr, "tlssweep: writing the checkpoint %s failed: %s\n", o->resume,
            strerror(run->writer.cp_error));
    fatal = 1;
  }
  if (g_signal != 0) {
    uint64_t abandoned = load(&run->shared.abandoned);
    fprintf(stderr,
            "tlssweep: stopped by %s: %llu targets done, %llu in flight not finished, "
            "%llu read but not started%s\n",
            g_signal == SIGINT ? "SIGINT" : "SIGTERM",
            (unsigned long long)load(&run->shared.stats.targets_done),
            (unsigned long long)abandoned,
            (unsigned long long)load(&run->shared.not_started),
            o->resume != NULL ? "; the same command with --resume goes on from here" : "");
  }
  int bench_failed = 0;
  if (o->config.bench.version != 0) {
    bench_report(run, o);
    /* A bench without a single handshake has measured nothing. */
    bench_failed = bench_handshakes(&run->shared.stats) == 0;
  } else if (!o->quiet) {
    print_summary(run);
  }
  if (o->metadata != NULL && write_metadata(o, run, start_time, time(NULL)) != 0) {
    fprintf(stderr, "tlssweep: cannot write the metadata to %s\n", o->metadata);
    fatal = 1;
  }
  if (o->alloc_stats) {
    uint64_t allocs = jemalloc_nmalloc() - nmalloc_start;
    uint64_t probes = load(&run->shared.stats.probes_done);
    fprintf(stderr, "alloc-stats: %llu allocations, %llu probes, %.3f per probe\n",
            (unsigned long long)allocs, (unsigned long long)probes,
            probes ? (double)allocs / (double)probes : 0.0);
  }
  int rc = 0;
  if (fatal) {
    rc = 2;
  } else if (load(&run->shared.stats.status_count[STATUS_INVALID]) > 0) {
    rc = 1;
  }
  if (lab != NULL) {
    fprintf(stderr, "lab: %lu of %lu endpoints answered as configured\n", run->lab_ok,
            run->lab_ok + run->lab_bad);
    if (run->lab_bad > 0 && rc == 0) {
      rc = 2;
    }
  }
  if (rc == 0 && o->fail_on_legacy && load(&run->shared.stats.legacy_app_targets) > 0) {
    rc = 3;
  }
  if (run->tenants != NULL && !o->quiet) {
    tenants_table(run->tenants, stderr);
  }
  if (rc == 0 && bench_failed) {
    rc = 2;
  }
  if (g_signal != 0) {
    rc = 128 + g_signal; /* as shells report a death by that signal */
  }
  g_signal_run = NULL;
  g_signal = 0;
  done_set_free(&skip);
  done_set_free(&cp.done);
  permuter_free(perm);
  free(perm);
  free(threads);
  free(args);
  free(run);
  return rc;
}

static int cmd_scan(int argc, char **argv) {
  struct scan_options o;
  default_options(&o);
  o.identity = checkpoint_identity(argc, argv);
  o.argc = argc;
  o.argv = argv;
  int rc = parse_scan_options(argc, argv, &o);
  if (rc != 0) {
    return rc < 0 ? 0 : rc;
  }
  FILE *in = NULL;
  int nargs = argc - optind;
  if (o.input != NULL) {
    in = strcmp(o.input, "-") == 0 ? stdin : fopen(o.input, "r");
    if (in == NULL) {
      fprintf(stderr, "tlssweep: cannot open input '%s': %s\n", o.input, strerror(errno));
      return 1;
    }
  } else if (nargs == 0) {
    if (isatty(STDIN_FILENO)) {
      fprintf(stderr, "tlssweep: no targets given and standard input is a terminal: "
                      "running the built-in lab (tlssweep lab)\n");
      return -2; /* the caller runs the lab */
    }
    in = stdin;
  }
  struct target_source source;
  target_source_init(&source, argv + optind, (size_t)nargs, in, &o.defaults);
  rc = run_scan(&o, &source, NULL);
  if (in != NULL && ferror(in)) {
    fprintf(stderr, "tlssweep: reading input failed\n");
    rc = rc == 0 ? 1 : rc;
  }
  target_source_free(&source);
  if (in != NULL && in != stdin) {
    fclose(in);
  }
  return rc;
}

static const char kBenchUsage[] =
    "usage: tlssweep bench TARGET [options]\n"
    "\n"
    "Full TLS handshakes against one endpoint, as fast as it will take them (BoringSSL in\n"
    "the io_uring loop). TARGET is a target line: host:port, or a URL such as\n"
    "imap://mail.example.com (the STARTTLS dialogue runs before each handshake).\n"
    "\n"
    "  --version V           tls1.0, tls1.1, tls1.2 or tls1.3 [tls1.2]\n"
    "  -c, --concurrency N   handshakes in flight [32]\n"
    "  --duration S          stop starting handshakes after S seconds [10]\n"
    "  --handshakes N        stop after N handshakes instead\n"
    "  --resume-sessions     offer the first session again (session ids, TLS 1.2 tickets)\n"
    "  --cipher LIST         BoringSSL cipher list for TLS 1.2 and below [broad]\n"
    "  --timeout DURATION    per step [5s]\n"
    "  --resolver ADDR[:PORT], --threads N [1], --status, -q\n"
    "  --json                one JSON object at the end (handshakes_per_sec, latency_ms,\n"
    "                        errors, client_cpu_s) instead of the table\n"
    "\n"
    "Each handshake is a new connection, closed with a reset (SO_LINGER 0) once the\n"
    "handshake is done, so neither side keeps a TIME_WAIT socket and a long run to one\n"
    "address and port never runs out of ephemeral ports (before Linux 6.7 the ring cannot\n"
    "set it: tlssweep then closes with a FIN and says so; set net.ipv4.tcp_tw_reuse=1).\n";

/* cmd_bench: handshake throughput of one server (issue: tlssweep bench). */
static int cmd_bench(int argc, char **argv) {
  static const struct option kOptions[] = {
      {"version", required_argument, NULL, 'v'},
      {"concurrency", required_argument, NULL, 'c'},
      {"duration", required_argument, NULL, 'd'},
      {"handshakes", required_argument, NULL, 'n'},
      {"resume-sessions", no_argument, NULL, 'R'},
      {"cipher", required_argument, NULL, 'C'},
      {"timeout", required_argument, NULL, 't'},
      {"resolver", required_argument, NULL, 'r'},
      {"threads", required_argument, NULL, 'T'},
      {"status", no_argument, NULL, 'S'},
      {"json", no_argument, NULL, 'j'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  struct scan_options o;
  default_options(&o);
  o.config.confirm = 1;
  o.config.shape_retry = 0;
  o.config.bench.version = TP_TLS12;
  o.config.bench.concurrency = 32;
  o.config.threads = 1;
  o.output = "/dev/null";
  o.quiet = 0;
  unsigned long v, duration = 10;
  int c;
  while ((c = getopt_long(argc, argv, "c:qh", kOptions, NULL)) != -1) {
    switch (c) {
      case 'v':
        if (!tp_version_from_name(optarg, &o.config.bench.version) ||
            o.config.bench.version < TP_TLS10) {
          return usage_error("bench --version: tls1.0, tls1.1, tls1.2 or tls1.3, not '%s'", optarg);
        }
        break;
      case 'c':
        if (!parse_uint(optarg, 1, 100000, &v)) {
          return usage_error("bench -c: 1-100000, not '%s'", optarg);
        }
        o.config.bench.concurrency = (unsigned)v;
        break;
      case 'd':
        if (!parse_uint(optarg, 1, 86400, &v)) {
          return usage_error("bench --duration: seconds, 1-86400, not '%s'", optarg);
        }
        duration = v;
        break;
      case 'n':
        if (!parse_uint(optarg, 1, 4000000000ul, &v)) {
          return usage_error("bench --handshakes: 1-4000000000, not '%s'", optarg);
        }
        o.config.bench.handshakes = (uint32_t)v;
        break;
      case 'R': o.config.bench.resume = 1; break;
      case 'C': o.config.bench.ciphers = optarg; break;
      case 't':
        if (!parse_duration_ms(optarg, &o.config.timeout_ms)) {
          return usage_error("bench --timeout: a duration like 500ms or 5s, not '%s'", optarg);
        }
        break;
      case 'r': o.config.resolver = optarg; break;
      case 'T':
        if (!parse_uint(optarg, 1, 256, &v)) {
          return usage_error("bench --threads: 1-256, not '%s'", optarg);
        }
        o.config.threads = (unsigned)v;
        break;
      case 'S': o.status = 1; break;
      case 'j': o.bench_json = 1; break;
      case 'q': o.quiet = 1; break;
      case 'h':
        fputs(kBenchUsage, stdout);
        return 0;
      default:
        fputs(kBenchUsage, stderr);
        return 1;
    }
  }
  if (argc - optind != 1) {
    fputs(kBenchUsage, stderr);
    return 1;
  }
  if (o.config.bench.ciphers != NULL) {
    /* A typo would silently bench the defaults: check the list first. */
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    int ok = ctx != NULL && SSL_CTX_set_strict_cipher_list(ctx, o.config.bench.ciphers);
    SSL_CTX_free(ctx);
    if (!ok) {
      return usage_error("bench --cipher: BoringSSL does not understand '%s'", o.config.bench.ciphers);
    }
  }
  /* Every thread's slots may hold the whole concurrency. */
  o.config.concurrency = o.config.bench.concurrency;
  if (o.config.bench.handshakes == 0) {
    o.config.bench.deadline_ns = now_ns() + (uint64_t)duration * 1000000000u;
  }
  o.identity = checkpoint_identity(argc, argv);
  o.argc = argc;
  o.argv = argv;
  o.window = 0;
  struct target_source source;
  target_source_init(&source, argv + optind, 1, NULL, &o.defaults);
  int rc = run_scan(&o, &source, NULL);
  target_source_free(&source);
  return rc;
}

/* cmd_tenants: discover the mail endpoints of the given domains, scan each
 * distinct endpoint once, and report per tenant (tenants.h). */
static int cmd_tenants(int argc, char **argv) {
  struct scan_options o;
  default_options(&o);
  o.tenants_mode = 1;
  o.identity = checkpoint_identity(argc, argv);
  o.argc = argc;
  o.argv = argv;
  int rc = parse_scan_options(argc, argv, &o);
  if (rc != 0) {
    return rc < 0 ? 0 : rc;
  }
  if (o.resume != NULL) {
    return usage_error("--resume is an option of 'tlssweep scan', not of 'tenants'");
  }
  struct discovery d;
  /* A DNS answer is quicker than a TLS step: a second per try, at most. */
  unsigned dns_ms = o.config.timeout_ms < 2000 ? o.config.timeout_ms : 2000;
  if (!discovery_init(&d, o.config.resolver, dns_ms, 2)) {
    fprintf(stderr, "tlssweep tenants: cannot set up the resolver%s%s\n",
            o.config.resolver ? " " : "", o.config.resolver ? o.config.resolver : "");
    return 1;
  }
  int bad = 0;
  char err[256];
  for (int i = optind; i < argc; i++) {
    if (discovery_add_tenant_line(&d, argv[i], strlen(argv[i]), err, sizeof(err)) ==
        TARGET_PARSE_ERROR) {
      fprintf(stderr, "tlssweep tenants: argument %d ('%.64s'): %s\n", i - optind + 1, argv[i],
              err);
      bad = 1;
    }
  }
  if (o.input != NULL) {
    FILE *in = strcmp(o.input, "-") == 0 ? stdin : fopen(o.input, "r");
    if (in == NULL) {
      fprintf(stderr, "tlssweep tenants: cannot open input '%s': %s\n", o.input, strerror(errno));
      discovery_free(&d);
      return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long no = 0;
    while ((n = getline(&line, &cap, in)) >= 0) {
      no++;
      while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
        n--;
      }
      if (discovery_add_tenant_line(&d, line, (size_t)n, err, sizeof(err)) ==
          TARGET_PARSE_ERROR) {
        fprintf(stderr, "tlssweep tenants: %s line %lu: %s\n", o.input, no, err);
        bad = 1;
      }
    }
    free(line);
    if (in != stdin) {
      fclose(in);
    }
  }
  if (discovery_tenant_count(&d) == 0 && o.preset == NULL) {
    discovery_free(&d);
    return usage_error("tenants: no domains (arguments, -i FILE) and no --preset");
  }
  if (!discovery_run(&d)) {
    fprintf(stderr, "tlssweep tenants: discovery failed (out of memory?)\n");
    discovery_free(&d);
    return 2;
  }
  struct tenants t;
  if (!tenants_build(&t, &d, o.preset, err, sizeof(err))) {
    fprintf(stderr, "tlssweep tenants: %s\n", err);
    tenants_free(&t);
    discovery_free(&d);
    return 1;
  }
  if (o.dry_run) {
    /* The endpoints as target lines `tlssweep scan` reads. */
    FILE *out = stdout;
    if (o.output != NULL && strcmp(o.output, "-") != 0) {
      out = fopen(o.output, "w");
      if (out == NULL) {
        fprintf(stderr, "tlssweep tenants: cannot open output '%s': %s\n", o.output,
                strerror(errno));
        tenants_free(&t);
        discovery_free(&d);
        return 1;
      }
    }
    int ok = discovery_write_targets(&d, out);
    size_t np = 0;
    const char *const *preset = o.preset ? discovery_preset(o.preset, &np) : NULL;
    for (size_t i = 0; preset != NULL && i < np; i++) {
      ok = ok && fprintf(out, "%s\n", preset[i]) > 0;
    }
    for (size_t i = 0; i < discovery_tenant_count(&d); i++) {
      const struct discovery_tenant *dt = discovery_tenant(&d, i);
      fprintf(stderr, "tenant %s: dns %s, %zu endpoints\n", dt->domain,
              discovery_dns_status_name(dt->status), dt->nlinks);
    }
    if (out != stdout) {
      ok = fclose(out) == 0 && ok;
    }
    tenants_free(&t);
    discovery_free(&d);
    return !ok ? 2 : bad ? 1 : 0;
  }
  struct target_source source;
  target_source_init(&source, t.lines, t.nendpoints, NULL, &o.defaults);
  o.tenants = &t;
  rc = run_scan(&o, &source, NULL);
  target_source_free(&source);
  if (rc == 0 && o.fail_on_legacy && tenants_legacy_app(&t) > 0) {
    rc = 3;
  }
  if (rc == 0 && bad) {
    rc = 1;
  }
  tenants_free(&t);
  discovery_free(&d);
  return rc;
}

static int cmd_lab(int argc, char **argv) {
  struct scan_options o;
  default_options(&o);
  /* The lab's silent endpoint times out by design: keep that short. */
  o.config.timeout_ms = 500;
  o.config.retries = 0;
  int rc = parse_scan_options(argc, argv, &o);
  if (rc != 0) {
    return rc < 0 ? 0 : rc;
  }
  if (optind != argc) {
    return usage_error("lab takes no targets ('%s')", argv[optind]);
  }
  char err[256];
  struct lab *lab = lab_start(err, sizeof(err));
  if (lab == NULL) {
    fprintf(stderr, "tlssweep lab: %s\n", err);
    return 2;
  }
  size_t n = lab_count(lab);
  char **lines = calloc(n, sizeof(*lines));
  char(*storage)[160] = calloc(n, sizeof(*storage));
  if (lines == NULL || storage == NULL) {
    lab_stop(lab);
    return 2;
  }
  fprintf(stderr, "lab: %zu endpoints on loopback:\n", n);
  for (size_t i = 0; i < n; i++) {
    const struct lab_endpoint *ep = lab_endpoint_at(lab, i);
    snprintf(storage[i], sizeof(storage[i]), "%s label=%s", ep->target, ep->name);
    lines[i] = storage[i];
    fprintf(stderr, "  %-22s %s\n", ep->target, ep->name);
  }
  struct target_source source;
  target_source_init(&source, lines, n, NULL, &o.defaults);
  rc = run_scan(&o, &source, lab);
  target_source_free(&source);
  lab_stop(lab);
  free(lines);
  free(storage);
  return rc;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(kUsage, stdout);
    return 0;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
    fputs(kUsage, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0) {
    char alloc[128];
    allocator_name(alloc, sizeof(alloc));
    printf("tlssweep %s (allocator: %s)\n", TLSSWEEP_VERSION, alloc);
    return 0;
  }
  if (strcmp(cmd, "hello") == 0) {
    return cmd_hello(argc - 1, argv + 1);
  }
  if (strcmp(cmd, "scan") == 0) {
    int rc = cmd_scan(argc - 1, argv + 1);
    if (rc == -2) {
      optind = 1;
      char *lab_argv[] = {"lab", NULL};
      rc = cmd_lab(1, lab_argv);
    }
    return rc;
  }
  if (strcmp(cmd, "lab") == 0) {
    return cmd_lab(argc - 1, argv + 1);
  }
  if (strcmp(cmd, "tenants") == 0) {
    return cmd_tenants(argc - 1, argv + 1);
  }
  if (strcmp(cmd, "bench") == 0) {
    return cmd_bench(argc - 1, argv + 1);
  }
  fprintf(stderr, "tlssweep: unknown command '%s'\n\n%s", cmd, kUsage);
  return 1;
}
