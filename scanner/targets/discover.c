/* scanner/targets/discover.c: mail endpoints of tenant domains, from DNS (c-ares).
 *
 * Each tenant goes through two phases. First its MX query: the answer (or
 * its failure) is the tenant's DNS status. If the domain exists, its second
 * phase is queued: the six RFC 6186 SRV queries and the A/AAAA lookups of
 * the conventional names, one "job" each, numbered after the MX job. A pump
 * starts jobs while fewer than DISCOVERY_MAX_IN_FLIGHT are in flight,
 * second-phase jobs first so tenants finish before new ones start; each job
 * holds one slot, the context its c-ares callback receives. Callbacks hand
 * the answer to discovery_answer_mx/srv/name (public, so that tests feed
 * answers without a resolver), which record endpoints and queue work but
 * never start lookups, so a callback that c-ares runs inside ares_query
 * cannot recurse into the pump. The loop polls the channel's sockets
 * (ares_getsock) with ares_timeout as the bound.
 *
 * Endpoints are kept once, in an open-addressing table keyed by (host, port,
 * protocol); each endpoint lists its tenants and each tenant its endpoints
 * (links), with the sources that led to it. At the end endpoints are sorted
 * so that the output does not depend on the order answers arrived in. */
#include "scanner/targets/discover.h"

#include <arpa/nameser.h>
#include <ares.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* A lookup in flight: the callback's context. */
struct discovery_slot {
  struct discovery *d;
  uint32_t tenant;
  uint8_t job;
};

/* RFC 6186, section 3: the SRV services of mail access and submission.
 * _submissions is RFC 8314's implicit-TLS submission (port 465). */
static const struct {
  const char *prefix;
  enum proto proto;
} kSrvServices[] = {
    {"_imap._tcp.", PROTO_IMAP},
    {"_imaps._tcp.", PROTO_IMAPS},
    {"_pop3._tcp.", PROTO_POP3},
    {"_pop3s._tcp.", PROTO_POP3S},
    {"_submission._tcp.", PROTO_SUBMISSION},
    {"_submissions._tcp.", PROTO_SMTPS},
};
#define NUM_SRV (sizeof(kSrvServices) / sizeof(kSrvServices[0]))

/* Conventional names and the protocols probed on them (at their default
 * ports) when the name has an address. */
static const struct {
  const char *prefix;
  enum proto protos[7];
  size_t nprotos;
} kNames[] = {
    {"mail.",
     {PROTO_IMAP, PROTO_IMAPS, PROTO_POP3, PROTO_POP3S, PROTO_SMTP, PROTO_SUBMISSION, PROTO_SMTPS},
     7},
    {"imap.", {PROTO_IMAP, PROTO_IMAPS}, 2},
    {"pop.", {PROTO_POP3, PROTO_POP3S}, 2},
    {"pop3.", {PROTO_POP3, PROTO_POP3S}, 2},
    {"smtp.", {PROTO_SMTP, PROTO_SUBMISSION, PROTO_SMTPS}, 3},
    {"autodiscover.", {PROTO_HTTPS}, 1},
};
#define NUM_NAMES (sizeof(kNames) / sizeof(kNames[0]))

/* An MX host is reached the three ways mail servers take mail. */
static const enum proto kMxProtos[] = {PROTO_SMTP, PROTO_SUBMISSION, PROTO_SMTPS};

enum {
  JOB_MX = 0,
  JOB_SRV_FIRST = 1,
  JOB_NAME_FIRST = JOB_SRV_FIRST + NUM_SRV,
  JOB_COUNT = JOB_NAME_FIRST + NUM_NAMES,
};

static const char *const kExchangeOnline[] = {
    "imaps://outlook.office365.com:993 label=exchange-online",
    "pop3s://outlook.office365.com:995 label=exchange-online",
    "submission://outlook.office365.com:587 label=exchange-online",
    "submission://smtp.office365.com:587 label=exchange-online",
    "pop3s://pop-legacy.office365.com:995 label=exchange-online # opt-in legacy endpoint",
    "imaps://imap-legacy.office365.com:993 label=exchange-online # opt-in legacy endpoint",
    "submission://smtp-legacy.office365.com:587 label=exchange-online # opt-in legacy endpoint",
};

static void set_err(char *err, size_t errcap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errcap, const char *fmt, ...) {
  if (err == NULL || errcap == 0) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errcap, fmt, ap);
  va_end(ap);
}

/* grow makes room for |need| elements of |size| bytes in |*p| (capacity
 * |*cap|). Returns 1, or 0 when out of memory (|*p| unchanged). */
static int grow(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) {
    return 1;
  }
  size_t n = *cap < 8 ? 8 : *cap * 2;
  while (n < need) {
    n *= 2;
  }
  void *q = realloc(*p, n * size);
  if (q == NULL) {
    return 0;
  }
  *p = q;
  *cap = n;
  return 1;
}

/* ---- names ------------------------------------------------------------------ */

int discovery_normalise_name(const char *name, char out[TARGET_HOST_MAX], char *err,
                             size_t errcap) {
  size_t len = strlen(name);
  if (len == 0) {
    set_err(err, errcap, "empty name");
    return 0;
  }
  /* Only name characters, so that the target grammar below sees a bare host
   * (no port, scheme, field or comment). */
  for (size_t i = 0; i < len; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '-' || c == '_' || c == '.')) {
      set_err(err, errcap, "character not allowed in a host name");
      return 0;
    }
  }
  /* The target grammar's own name check, so that whatever discovery emits
   * is a host `scan` accepts. */
  struct target_line l;
  char why[TARGET_ERROR_MAX];
  if (target_parse_line(name, len, NULL, &l, why, sizeof(why)) != TARGET_PARSE_OK) {
    set_err(err, errcap, "%s", why);
    return 0;
  }
  if (l.kind != TARGET_NAME) {
    set_err(err, errcap, "an address, not a host name");
    return 0;
  }
  memcpy(out, l.host, TARGET_HOST_MAX);
  return 1;
}

/* check_label accepts a tenant label: printable ASCII without spaces, and
 * without the bytes the dry run's comment uses ('#', ','). */
static int check_label(const char *label, const char **out_why) {
  size_t len = strlen(label);
  if (len >= TARGET_LABEL_MAX) {
    *out_why = "too long";
    return 0;
  }
  for (size_t i = 0; i < len; i++) {
    if (label[i] < 0x21 || label[i] > 0x7e || label[i] == '#' || label[i] == ',') {
      *out_why = "only printable ASCII without spaces, '#' or ','";
      return 0;
    }
  }
  if (strcmp(label, "shared") == 0) {
    *out_why = "'shared' is reserved for endpoints of several tenants";
    return 0;
  }
  return 1;
}

/* ---- tables ----------------------------------------------------------------- */

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n) {
  const unsigned char *s = p;
  for (size_t i = 0; i < n; i++) {
    h = (h ^ s[i]) * 0x100000001b3ULL; /* FNV-1a */
  }
  return h;
}

static uint64_t hash_endpoint(const char *host, uint16_t port, enum proto proto) {
  uint64_t h = hash_bytes(0xcbf29ce484222325ULL, host, strlen(host));
  h = hash_bytes(h, &port, sizeof(port));
  return hash_bytes(h, &proto, sizeof(proto));
}

static uint64_t hash_domain(const char *domain) {
  return hash_bytes(0xcbf29ce484222325ULL, domain, strlen(domain));
}

/* table_rebuild sizes an index table for |count| + 1 entries at most half
 * full and reinserts entries 0..count-1 using |hash_of|. Returns 1 or 0. */
static int table_rebuild(uint32_t **table, size_t *cap, size_t count,
                         uint64_t (*hash_of)(const struct discovery *, size_t),
                         const struct discovery *d) {
  if ((count + 1) * 2 <= *cap) {
    return 1;
  }
  size_t n = *cap < 64 ? 64 : *cap * 2;
  uint32_t *t = calloc(n, sizeof(*t));
  if (t == NULL) {
    return 0;
  }
  for (size_t i = 0; i < count; i++) {
    size_t j = hash_of(d, i) & (n - 1);
    while (t[j] != 0) {
      j = (j + 1) & (n - 1);
    }
    t[j] = (uint32_t)i + 1;
  }
  free(*table);
  *table = t;
  *cap = n;
  return 1;
}

static uint64_t tenant_hash_of(const struct discovery *d, size_t i) {
  return hash_domain(d->tenants[i].domain);
}

static uint64_t endpoint_hash_of(const struct discovery *d, size_t i) {
  const struct discovery_endpoint *e = &d->endpoints[i];
  return hash_endpoint(e->host, e->port, e->proto);
}

/* ---- set-up ----------------------------------------------------------------- */

int discovery_init(struct discovery *d, const char *resolver, unsigned timeout_ms,
                   unsigned tries) {
  memset(d, 0, sizeof(*d));
  struct ares_options opts;
  memset(&opts, 0, sizeof(opts));
  opts.timeout = (int)(timeout_ms > 0 ? timeout_ms : 1);
  opts.tries = (int)(tries > 0 ? tries : 1);
  /* NOCHECKRESP: a SERVFAIL or REFUSED answer is the tenant's answer. Without
   * it c-ares 1.18 retries the server and, once the tries are spent, reports
   * ARES_ECONNREFUSED, which would hide the SERVFAIL. */
  opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOCHECKRESP;
  opts.ndomains = 0;  /* no search domains from resolv.conf */
  opts.domains = NULL;
  char lookups[] = "b"; /* DNS only, never /etc/hosts */
  opts.lookups = lookups;
  int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS | ARES_OPT_DOMAINS |
             ARES_OPT_LOOKUPS;
  ares_channel channel;
  if (ares_init_options(&channel, &opts, mask) != ARES_SUCCESS) {
    return 0;
  }
  if (resolver != NULL && ares_set_servers_ports_csv(channel, resolver) != ARES_SUCCESS) {
    ares_destroy(channel);
    return 0;
  }
  d->channel = channel;
  d->channel_ready = 1;
  return 1;
}

int discovery_add_tenant(struct discovery *d, const char *domain, const char *label, char *err,
                         size_t errcap) {
  if (d->ran) {
    set_err(err, errcap, "discovery already ran");
    return 0;
  }
  char name[TARGET_HOST_MAX];
  char why[TARGET_ERROR_MAX];
  if (!discovery_normalise_name(domain, name, why, sizeof(why))) {
    set_err(err, errcap, "invalid domain '%.*s': %s", 80, domain, why);
    return 0;
  }
  if (strchr(name, '.') == NULL) {
    set_err(err, errcap, "invalid domain '%s': a mail domain has at least two labels", name);
    return 0;
  }
  if (label == NULL || label[0] == '\0') {
    label = name;
  } else {
    const char *label_why;
    if (!check_label(label, &label_why)) {
      set_err(err, errcap, "invalid label '%.*s': %s", 80, label, label_why);
      return 0;
    }
  }
  if (!table_rebuild(&d->tenant_index, &d->tenant_index_cap, d->ntenants, tenant_hash_of, d)) {
    set_err(err, errcap, "out of memory");
    return 0;
  }
  size_t mask = d->tenant_index_cap - 1;
  size_t j = hash_domain(name) & mask;
  for (; d->tenant_index[j] != 0; j = (j + 1) & mask) {
    if (strcmp(d->tenants[d->tenant_index[j] - 1].domain, name) == 0) {
      set_err(err, errcap, "duplicate domain '%s'", name);
      return 0;
    }
  }
  if (d->ntenants >= UINT32_MAX - 1 ||
      !grow((void **)&d->tenants, &d->tenants_cap, d->ntenants + 1, sizeof(*d->tenants))) {
    set_err(err, errcap, "out of memory");
    return 0;
  }
  struct discovery_tenant *t = &d->tenants[d->ntenants];
  memset(t, 0, sizeof(*t));
  memcpy(t->domain, name, sizeof(t->domain));
  snprintf(t->label, sizeof(t->label), "%s", label);
  t->status = DISCOVERY_DNS_ERROR;
  t->detail = "not resolved";
  d->tenant_index[j] = (uint32_t)d->ntenants + 1;
  d->ntenants++;
  return 1;
}

enum target_parse_result discovery_add_tenant_line(struct discovery *d, const char *line,
                                                   size_t len, char *err, size_t errcap) {
  char buf[TARGET_TEXT_MAX];
  const char *hash = memchr(line, '#', len);
  if (hash != NULL) {
    len = (size_t)(hash - line);
  }
  if (memchr(line, '\0', len) != NULL) {
    set_err(err, errcap, "NUL byte in line");
    return TARGET_PARSE_ERROR;
  }
  /* Tokens: the domain, then optional label=TEXT. */
  const char *tok[3];
  size_t toklen[3];
  size_t ntok = 0;
  for (size_t i = 0; i < len;) {
    if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
      i++;
      continue;
    }
    size_t start = i;
    while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
      i++;
    }
    if (ntok == 2) {
      set_err(err, errcap, "unexpected '%.*s' (a line is: domain [label=TEXT])",
              (int)(i - start > 80 ? 80 : i - start), line + start);
      return TARGET_PARSE_ERROR;
    }
    tok[ntok] = line + start;
    toklen[ntok] = i - start;
    ntok++;
  }
  if (ntok == 0) {
    return TARGET_PARSE_EMPTY;
  }
  if (toklen[0] >= TARGET_HOST_MAX) {
    set_err(err, errcap, "domain too long (%zu bytes)", toklen[0]);
    return TARGET_PARSE_ERROR;
  }
  char domain[TARGET_HOST_MAX];
  memcpy(domain, tok[0], toklen[0]);
  domain[toklen[0]] = '\0';
  const char *label = NULL;
  if (ntok == 2) {
    if (toklen[1] < 6 || memcmp(tok[1], "label=", 6) != 0) {
      set_err(err, errcap, "unexpected '%.*s' (a line is: domain [label=TEXT])",
              (int)(toklen[1] > 80 ? 80 : toklen[1]), tok[1]);
      return TARGET_PARSE_ERROR;
    }
    if (toklen[1] == 6) {
      set_err(err, errcap, "empty label= value");
      return TARGET_PARSE_ERROR;
    }
    if (toklen[1] - 6 >= sizeof(buf)) {
      set_err(err, errcap, "label too long");
      return TARGET_PARSE_ERROR;
    }
    memcpy(buf, tok[1] + 6, toklen[1] - 6);
    buf[toklen[1] - 6] = '\0';
    label = buf;
  }
  return discovery_add_tenant(d, domain, label, err, errcap) ? TARGET_PARSE_OK
                                                             : TARGET_PARSE_ERROR;
}

int discovery_add_tenant_file(struct discovery *d, FILE *f,
                              void (*on_error)(void *ctx, unsigned long line_no, const char *err),
                              void *ctx) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  unsigned long no = 0;
  char err[256];
  while ((n = getline(&line, &cap, f)) >= 0) {
    no++;
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
      n--;
    }
    if (discovery_add_tenant_line(d, line, (size_t)n, err, sizeof(err)) == TARGET_PARSE_ERROR) {
      on_error(ctx, no, err);
    }
  }
  free(line);
  return !ferror(f);
}

/* ---- recording answers ------------------------------------------------------ */

/* add_link records that tenant |ti| uses endpoint |ei|, found by |source|. */
static int add_link(struct discovery *d, uint32_t ti, uint32_t ei, unsigned source) {
  struct discovery_tenant *t = &d->tenants[ti];
  struct discovery_endpoint *e = &d->endpoints[ei];
  e->sources |= source;
  for (size_t i = 0; i < t->nlinks; i++) {
    if (t->links[i].endpoint == ei) {
      t->links[i].sources |= source;
      return 1;
    }
  }
  if (!grow((void **)&t->links, &t->links_cap, t->nlinks + 1, sizeof(*t->links)) ||
      !grow((void **)&e->tenants, &e->tenants_cap, e->ntenants + 1, sizeof(*e->tenants))) {
    return 0;
  }
  t->links[t->nlinks++] = (struct discovery_link){ei, source};
  e->tenants[e->ntenants++] = ti;
  return 1;
}

/* add_endpoint records endpoint (|raw_host|, |port|, |proto|) for tenant
 * |ti|. A host that is not a valid name is skipped. Returns 0 only when out
 * of memory. */
static int add_endpoint(struct discovery *d, uint32_t ti, const char *raw_host, uint16_t port,
                        enum proto proto, unsigned source) {
  char host[TARGET_HOST_MAX];
  if (port == 0 || !discovery_normalise_name(raw_host, host, NULL, 0)) {
    return 1;
  }
  if (!table_rebuild(&d->endpoint_index, &d->endpoint_index_cap, d->nendpoints,
                     endpoint_hash_of, d)) {
    return 0;
  }
  size_t mask = d->endpoint_index_cap - 1;
  size_t j = hash_endpoint(host, port, proto) & mask;
  for (; d->endpoint_index[j] != 0; j = (j + 1) & mask) {
    uint32_t ei = d->endpoint_index[j] - 1;
    const struct discovery_endpoint *e = &d->endpoints[ei];
    if (e->port == port && e->proto == proto && strcmp(e->host, host) == 0) {
      return add_link(d, ti, ei, source);
    }
  }
  if (d->nendpoints >= UINT32_MAX - 1 ||
      !grow((void **)&d->endpoints, &d->endpoints_cap, d->nendpoints + 1, sizeof(*d->endpoints))) {
    return 0;
  }
  struct discovery_endpoint *e = &d->endpoints[d->nendpoints];
  memset(e, 0, sizeof(*e));
  e->host = strdup(host);
  if (e->host == NULL) {
    return 0;
  }
  e->port = port;
  e->proto = proto;
  uint32_t ei = (uint32_t)d->nendpoints++;
  d->endpoint_index[j] = ei + 1;
  return add_link(d, ti, ei, source);
}

/* is_root says whether a name from an answer is the root ("." or empty): an
 * SRV "service not available" (RFC 2782) or a null MX (RFC 7505). */
static int is_root(const char *name) { return name[0] == '\0' || strcmp(name, ".") == 0; }

static enum discovery_dns_status status_of(int ares_status) {
  switch (ares_status) {
    case ARES_SUCCESS:
      return DISCOVERY_DNS_OK;
    case ARES_ENODATA:
      return DISCOVERY_DNS_NO_MX;
    case ARES_ENOTFOUND:
      return DISCOVERY_DNS_NXDOMAIN;
    case ARES_ESERVFAIL:
      return DISCOVERY_DNS_SERVFAIL;
    case ARES_ETIMEOUT:
      return DISCOVERY_DNS_TIMEOUT;
    default:
      return DISCOVERY_DNS_ERROR;
  }
}

static void release_slot(struct discovery_slot *slot) {
  struct discovery *d = slot->d;
  d->free_slots[d->nfree_slots++] = (uint32_t)(slot - d->slots);
  d->in_flight--;
  d->lookups_done++;
}

void discovery_answer_mx(struct discovery *d, size_t tenant, int ares_status,
                         const unsigned char *abuf, int alen) {
  struct discovery_tenant *t = &d->tenants[tenant];
  uint32_t ti = (uint32_t)tenant;
  t->status = status_of(ares_status);
  t->detail = ares_strerror(ares_status);
  if (ares_status == ARES_SUCCESS) {
    struct ares_mx_reply *mx = NULL;
    int pr = ares_parse_mx_reply(abuf, alen, &mx);
    if (pr == ARES_SUCCESS) {
      unsigned n = 0;
      for (struct ares_mx_reply *m = mx; m != NULL && n < DISCOVERY_MAX_ANSWERS;
           m = m->next, n++) {
        char host[TARGET_HOST_MAX];
        if (is_root(m->host) || !discovery_normalise_name(m->host, host, NULL, 0)) {
          continue;
        }
        t->mx_hosts++;
        for (size_t k = 0; k < sizeof(kMxProtos) / sizeof(kMxProtos[0]); k++) {
          if (!add_endpoint(d, ti, host, proto_get(kMxProtos[k])->default_port, kMxProtos[k],
                            DISCOVERY_SOURCE_MX)) {
            d->out_of_memory = 1;
          }
        }
      }
      ares_free_data(mx);
      if (t->mx_hosts == 0) {
        t->status = DISCOVERY_DNS_NO_MX;
        t->detail = "no usable MX host (null MX or invalid names)";
      }
    } else if (pr == ARES_ENODATA) {
      t->status = DISCOVERY_DNS_NO_MX; /* an answer of CNAMEs only */
      t->detail = ares_strerror(pr);
    } else {
      t->status = DISCOVERY_DNS_ERROR;
      t->detail = ares_strerror(pr);
    }
  }
  if (t->status != DISCOVERY_DNS_OK && t->status != DISCOVERY_DNS_NO_MX) {
    d->lookups_dropped += JOB_COUNT - 1;
  } else if (d->ready != NULL) {
    /* Outside discovery_run (answers fed by hand) there is no queue. */
    t->next_job = JOB_SRV_FIRST;
    d->ready[d->ready_tail++] = ti; /* sized for every tenant; each enters once */
  }
}

/* lookup_failed says whether a second-phase outcome is a failure rather
 * than an answer (a name that does not exist or has no such record). */
static int lookup_failed(int status) {
  return status != ARES_SUCCESS && status != ARES_ENODATA && status != ARES_ENOTFOUND &&
         status != ARES_EDESTRUCTION && status != ARES_ECANCELLED;
}

void discovery_answer_srv(struct discovery *d, size_t tenant, enum proto proto, int ares_status,
                          const unsigned char *abuf, int alen) {
  struct discovery_tenant *t = &d->tenants[tenant];
  if (ares_status != ARES_SUCCESS) {
    t->failed_lookups += lookup_failed(ares_status);
    return;
  }
  struct ares_srv_reply *srv = NULL;
  int pr = ares_parse_srv_reply(abuf, alen, &srv);
  if (pr != ARES_SUCCESS) {
    t->failed_lookups += pr != ARES_ENODATA;
    return;
  }
  unsigned n = 0;
  for (struct ares_srv_reply *r = srv; r != NULL && n < DISCOVERY_MAX_ANSWERS; r = r->next, n++) {
    if (!is_root(r->host) &&
        !add_endpoint(d, (uint32_t)tenant, r->host, r->port, proto, DISCOVERY_SOURCE_SRV)) {
      d->out_of_memory = 1;
    }
  }
  ares_free_data(srv);
}

void discovery_answer_name(struct discovery *d, size_t tenant, const char *prefix,
                           int ares_status, int has_address) {
  struct discovery_tenant *t = &d->tenants[tenant];
  size_t which = 0;
  while (which < NUM_NAMES && strcmp(kNames[which].prefix, prefix) != 0) {
    which++;
  }
  if (which == NUM_NAMES) {
    return;
  }
  if (ares_status != ARES_SUCCESS || !has_address) {
    t->failed_lookups += lookup_failed(ares_status);
    return;
  }
  char host[TARGET_HOST_MAX];
  if (snprintf(host, sizeof(host), "%s%s", prefix, t->domain) >= (int)sizeof(host)) {
    return;
  }
  for (size_t k = 0; k < kNames[which].nprotos; k++) {
    enum proto p = kNames[which].protos[k];
    if (!add_endpoint(d, (uint32_t)tenant, host, proto_get(p)->default_port, p,
                      DISCOVERY_SOURCE_NAME)) {
      d->out_of_memory = 1;
    }
  }
}

static void mx_done(void *arg, int status, int timeouts, unsigned char *abuf, int alen) {
  (void)timeouts;
  struct discovery_slot *slot = arg;
  discovery_answer_mx(slot->d, slot->tenant, status, abuf, alen);
  release_slot(slot);
}

static void srv_done(void *arg, int status, int timeouts, unsigned char *abuf, int alen) {
  (void)timeouts;
  struct discovery_slot *slot = arg;
  discovery_answer_srv(slot->d, slot->tenant, kSrvServices[slot->job - JOB_SRV_FIRST].proto,
                       status, abuf, alen);
  release_slot(slot);
}

static void name_done(void *arg, int status, int timeouts, struct ares_addrinfo *ai) {
  (void)timeouts;
  struct discovery_slot *slot = arg;
  discovery_answer_name(slot->d, slot->tenant, kNames[slot->job - JOB_NAME_FIRST].prefix, status,
                        ai != NULL && ai->nodes != NULL);
  release_slot(slot);
  if (ai != NULL) {
    ares_freeaddrinfo(ai);
  }
}

/* ---- the loop --------------------------------------------------------------- */

/* start_job starts lookup |job| of tenant |ti|, unless its name would be
 * longer than a DNS name can be (then nothing by that name exists). */
static void start_job(struct discovery *d, uint32_t ti, uint8_t job) {
  const char *domain = d->tenants[ti].domain;
  const char *prefix = "";
  if (job >= JOB_NAME_FIRST) {
    prefix = kNames[job - JOB_NAME_FIRST].prefix;
  } else if (job >= JOB_SRV_FIRST) {
    prefix = kSrvServices[job - JOB_SRV_FIRST].prefix;
  }
  char name[TARGET_HOST_MAX + 32];
  int n = snprintf(name, sizeof(name), "%s%s", prefix, domain);
  if (n < 0 || n > 253) {
    d->lookups_done++;
    return;
  }
  struct discovery_slot *slot = &d->slots[d->free_slots[--d->nfree_slots]];
  slot->d = d;
  slot->tenant = ti;
  slot->job = job;
  d->in_flight++;
  if (d->in_flight > d->peak_in_flight) {
    d->peak_in_flight = d->in_flight;
  }
  /* The callback may run (and release the slot) before these return. */
  ares_channel channel = d->channel;
  if (job == JOB_MX) {
    ares_query(channel, name, ns_c_in, ns_t_mx, mx_done, slot);
  } else if (job < JOB_NAME_FIRST) {
    ares_query(channel, name, ns_c_in, ns_t_srv, srv_done, slot);
  } else {
    struct ares_addrinfo_hints hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_flags = ARES_AI_NOSORT; /* existence only: no RFC 6724 sorting */
    ares_getaddrinfo(channel, name, NULL, &hints, name_done, slot);
  }
}

/* pump starts lookups while slots are free: second phases first. Returns
 * whether any work is left to start. */
static int pump(struct discovery *d) {
  while (d->nfree_slots > 0) {
    if (d->ready_head < d->ready_tail) {
      uint32_t ti = d->ready[d->ready_head];
      struct discovery_tenant *t = &d->tenants[ti];
      uint8_t job = t->next_job++;
      if (t->next_job == JOB_COUNT) {
        d->ready_head++;
      }
      start_job(d, ti, job);
    } else if (d->next_mx < d->ntenants) {
      start_job(d, (uint32_t)d->next_mx++, JOB_MX);
    } else {
      break;
    }
  }
  return d->ready_head < d->ready_tail || d->next_mx < d->ntenants;
}

/* wait_and_process polls the channel's sockets until one is ready or its
 * next timeout, then lets c-ares read answers and expire queries. */
static int wait_and_process(struct discovery *d) {
  ares_channel channel = d->channel;
  ares_socket_t socks[ARES_GETSOCK_MAXNUM];
  /* The bits as unsigned: ARES_GETSOCK_WRITABLE shifts an int 1 into the
   * sign bit for the last socket. */
  unsigned bits = (unsigned)ares_getsock(channel, socks, ARES_GETSOCK_MAXNUM);
  struct pollfd pfd[ARES_GETSOCK_MAXNUM];
  nfds_t n = 0;
  for (unsigned i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
    short events = (short)(((bits & (1u << i)) ? POLLIN : 0) |
                           ((bits & (1u << (i + ARES_GETSOCK_MAXNUM))) ? POLLOUT : 0));
    if (events != 0) {
      pfd[n].fd = socks[i];
      pfd[n].events = events;
      pfd[n].revents = 0;
      n++;
    }
  }
  struct timeval max = {1, 0}, tv;
  struct timeval *tvp = ares_timeout(channel, &max, &tv);
  int ms = (int)(tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000);
  int r = poll(pfd, n, ms);
  if (r < 0) {
    return errno == EINTR;
  }
  int processed = 0;
  for (nfds_t i = 0; i < n; i++) {
    if (pfd[i].revents == 0) {
      continue;
    }
    short ev = pfd[i].revents;
    ares_socket_t rfd = (ev & (POLLIN | POLLERR | POLLHUP)) ? pfd[i].fd : ARES_SOCKET_BAD;
    ares_socket_t wfd = (ev & POLLOUT) ? pfd[i].fd : ARES_SOCKET_BAD;
    ares_process_fd(channel, rfd, wfd);
    processed = 1;
  }
  if (!processed) {
    ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* timeouts */
  }
  return 1;
}

static int compare_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

static int compare_links(const void *a, const void *b) {
  const struct discovery_link *x = a, *y = b;
  return (x->endpoint > y->endpoint) - (x->endpoint < y->endpoint);
}

static int compare_endpoints(const void *a, const void *b, void *ctx) {
  const struct discovery *d = ctx;
  const struct discovery_endpoint *x = &d->endpoints[*(const uint32_t *)a];
  const struct discovery_endpoint *y = &d->endpoints[*(const uint32_t *)b];
  /* An endpoint without tenants exists only after running out of memory. */
  uint32_t tx = x->ntenants ? x->tenants[0] : UINT32_MAX;
  uint32_t ty = y->ntenants ? y->tenants[0] : UINT32_MAX;
  if (tx != ty) {
    return tx < ty ? -1 : 1;
  }
  int c = strcmp(x->host, y->host);
  if (c != 0) {
    return c;
  }
  if (x->port != y->port) {
    return x->port < y->port ? -1 : 1;
  }
  return (x->proto > y->proto) - (x->proto < y->proto);
}

int discovery_finish(struct discovery *d) {
  size_t n = d->nendpoints;
  for (size_t i = 0; i < n; i++) {
    if (d->endpoints[i].ntenants > 1) {
      qsort(d->endpoints[i].tenants, d->endpoints[i].ntenants, sizeof(uint32_t), compare_u32);
    }
  }
  uint32_t *order = malloc((n ? n : 1) * sizeof(*order));
  uint32_t *new_index = malloc((n ? n : 1) * sizeof(*new_index));
  struct discovery_endpoint *sorted = malloc((n ? n : 1) * sizeof(*sorted));
  if (order == NULL || new_index == NULL || sorted == NULL) {
    free(order);
    free(new_index);
    free(sorted);
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    order[i] = (uint32_t)i;
  }
  qsort_r(order, n, sizeof(*order), compare_endpoints, d);
  for (size_t i = 0; i < n; i++) {
    sorted[i] = d->endpoints[order[i]];
    new_index[order[i]] = (uint32_t)i;
  }
  free(d->endpoints);
  d->endpoints = sorted;
  d->endpoints_cap = n ? n : 1;
  for (size_t i = 0; i < d->ntenants; i++) {
    struct discovery_tenant *t = &d->tenants[i];
    for (size_t k = 0; k < t->nlinks; k++) {
      t->links[k].endpoint = new_index[t->links[k].endpoint];
    }
    if (t->nlinks > 1) {
      qsort(t->links, t->nlinks, sizeof(*t->links), compare_links);
    }
  }
  free(order);
  free(new_index);
  /* The index table held the old numbering; it is rebuilt if more come. */
  free(d->endpoint_index);
  d->endpoint_index = NULL;
  d->endpoint_index_cap = 0;
  return 1;
}

int discovery_run(struct discovery *d) {
  if (!d->channel_ready || d->ran) {
    return 0;
  }
  d->ran = 1;
  d->slots = calloc(DISCOVERY_MAX_IN_FLIGHT, sizeof(*d->slots));
  d->free_slots = calloc(DISCOVERY_MAX_IN_FLIGHT, sizeof(*d->free_slots));
  d->ready = calloc(d->ntenants ? d->ntenants : 1, sizeof(*d->ready));
  if (d->slots == NULL || d->free_slots == NULL || d->ready == NULL) {
    return 0;
  }
  for (uint32_t i = 0; i < DISCOVERY_MAX_IN_FLIGHT; i++) {
    d->free_slots[d->nfree_slots++] = DISCOVERY_MAX_IN_FLIGHT - 1 - i;
  }
  int ok = 1;
  for (;;) {
    int more = pump(d);
    if (d->in_flight == 0) {
      if (more) {
        continue; /* every lookup just started already finished */
      }
      break;
    }
    if (!wait_and_process(d)) {
      ok = 0;
      break;
    }
    if (d->on_progress != NULL) {
      d->on_progress(d->progress_ctx, d);
    }
  }
  if (!ok) {
    /* Answers still due are dropped; their callbacks see ARES_EDESTRUCTION. */
    ares_cancel(d->channel);
  }
  if (!discovery_finish(d)) {
    d->out_of_memory = 1;
  }
  return ok && !d->out_of_memory;
}

/* ---- results ---------------------------------------------------------------- */

void discovery_progress(const struct discovery *d, size_t *out_done, size_t *out_total) {
  *out_done = d->lookups_done;
  *out_total = d->ntenants * JOB_COUNT - d->lookups_dropped;
}

unsigned discovery_peak_in_flight(const struct discovery *d) { return d->peak_in_flight; }

size_t discovery_tenant_count(const struct discovery *d) { return d->ntenants; }

const struct discovery_tenant *discovery_tenant(const struct discovery *d, size_t i) {
  return i < d->ntenants ? &d->tenants[i] : NULL;
}

size_t discovery_endpoint_count(const struct discovery *d) { return d->nendpoints; }

const struct discovery_endpoint *discovery_endpoint(const struct discovery *d, size_t i) {
  return i < d->nendpoints ? &d->endpoints[i] : NULL;
}

const char *discovery_dns_status_name(enum discovery_dns_status s) {
  switch (s) {
    case DISCOVERY_DNS_OK:
      return "ok";
    case DISCOVERY_DNS_NO_MX:
      return "no_mx";
    case DISCOVERY_DNS_NXDOMAIN:
      return "nxdomain";
    case DISCOVERY_DNS_SERVFAIL:
      return "servfail";
    case DISCOVERY_DNS_TIMEOUT:
      return "timeout";
    case DISCOVERY_DNS_ERROR:
      break;
  }
  return "error";
}

void discovery_sources_text(unsigned sources, char *out, size_t cap) {
  static const char *const kNamesOfBits[] = {"mx", "srv", "name"};
  size_t used = 0;
  if (cap == 0) {
    return;
  }
  out[0] = '\0';
  for (size_t i = 0; i < 3; i++) {
    if (sources & (1u << i)) {
      int n = snprintf(out + used, cap - used, "%s%s", used ? "," : "", kNamesOfBits[i]);
      if (n < 0 || (size_t)n >= cap - used) {
        return;
      }
      used += (size_t)n;
    }
  }
}

int discovery_write_targets(const struct discovery *d, FILE *out) {
  for (size_t i = 0; i < d->nendpoints; i++) {
    const struct discovery_endpoint *e = &d->endpoints[i];
    if (e->ntenants == 0) {
      continue;
    }
    char sources[32];
    discovery_sources_text(e->sources, sources, sizeof(sources));
    const char *label = e->ntenants == 1 ? d->tenants[e->tenants[0]].label : "shared";
    fprintf(out, "%s://%s:%u label=%s # %s", proto_get(e->proto)->scheme, e->host,
            (unsigned)e->port, label, sources);
    if (e->ntenants > 1) {
      fputs("; tenants: ", out);
      for (size_t k = 0; k < e->ntenants; k++) {
        fprintf(out, "%s%s", k ? "," : "", d->tenants[e->tenants[k]].label);
      }
    }
    fputc('\n', out);
  }
  return !ferror(out);
}

const char *const *discovery_preset(const char *name, size_t *out_count) {
  if (strcmp(name, "exchange-online") == 0) {
    *out_count = sizeof(kExchangeOnline) / sizeof(kExchangeOnline[0]);
    return kExchangeOnline;
  }
  *out_count = 0;
  return NULL;
}

void discovery_free(struct discovery *d) {
  if (d->channel_ready) {
    ares_destroy(d->channel);
  }
  for (size_t i = 0; i < d->ntenants; i++) {
    free(d->tenants[i].links);
  }
  for (size_t i = 0; i < d->nendpoints; i++) {
    free(d->endpoints[i].host);
    free(d->endpoints[i].tenants);
  }
  free(d->tenants);
  free(d->endpoints);
  free(d->tenant_index);
  free(d->endpoint_index);
  free(d->slots);
  free(d->free_slots);
  free(d->ready);
  memset(d, 0, sizeof(*d));
}
