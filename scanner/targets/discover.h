/* scanner/targets/discover.h: a tenant's mail endpoints, found in DNS.
 *
 * `tlssweep tenants` starts from mail domains ("tenants") instead of hosts.
 * Discovery asks DNS, through c-ares, for each domain's MX records, its RFC
 * 6186 SRV records and a few conventional host names, and turns the answers
 * into endpoints (host, port, protocol). An endpoint that several tenants use
 * (a hosted provider's MX host) is one entry listing its tenants, so it is
 * scanned once. Discovery does no probing: its output is the endpoint list,
 * each tenant's DNS status, and, for --dry-run, target lines in the grammar of
 * scanner/target.h.
 *
 * Where endpoints come from:
 *   MX host H                    smtp://H:25, submission://H:587, smtps://H:465
 *   SRV _imap._tcp.D -> T:P      imap://T:P    (_imaps: imaps, _pop3: pop3,
 *                                _pop3s: pop3s, _submission: submission,
 *                                _submissions: smtps); target "." is skipped
 *                                (RFC 2782: the service is not available)
 *   a name N.D that has an A or AAAA record:
 *     mail.D                     imap 143, imaps 993, pop3 110, pop3s 995,
 *                                smtp 25, submission 587, smtps 465
 *     imap.D                     imap 143, imaps 993
 *     pop.D, pop3.D              pop3 110, pop3s 995
 *     smtp.D                     smtp 25, submission 587, smtps 465
 *     autodiscover.D             https 443
 *
 * A tenant's DNS status is that of its MX query. When the domain does not
 * exist, or its MX query fails (SERVFAIL, timeout, another error), the SRV
 * and name lookups are not made; with MX records or with none (no_mx), they
 * are. Host names from DNS are lowercased, lose their trailing dot and must
 * be valid host names; at most DISCOVERY_MAX_ANSWERS records of each answer
 * are used.
 *
 * All lookups run on one c-ares channel polled by discovery's own loop (no
 * threads), at most DISCOVERY_MAX_IN_FLIGHT lookups at a time, so a list of
 * ten thousand domains keeps a bounded number of queries outstanding. */
#ifndef SCANNER_DISCOVER_H
#define SCANNER_DISCOVER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scanner/targets/target.h"

#define DISCOVERY_MAX_IN_FLIGHT 256 /* lookups (an A+AAAA lookup counts once) */
#define DISCOVERY_MAX_ANSWERS 32    /* MX or SRV records used per answer */

/* The DNS status of a tenant: the outcome of its domain's MX query. */
enum discovery_dns_status {
  DISCOVERY_DNS_OK,        /* at least one usable MX host */
  DISCOVERY_DNS_NO_MX,     /* the domain exists without MX (or with a null MX,
                            * RFC 7505); SRV and names were still looked up */
  DISCOVERY_DNS_NXDOMAIN,
  DISCOVERY_DNS_SERVFAIL,
  DISCOVERY_DNS_TIMEOUT,   /* no answer within the timeout and tries */
  DISCOVERY_DNS_ERROR,     /* anything else (REFUSED, a malformed answer...);
                            * |detail| says what */
};

/* Where an endpoint was found; a bitmask, since one endpoint can be found
 * several ways (an SRV target that is also imap.D). */
enum {
  DISCOVERY_SOURCE_MX = 1 << 0,
  DISCOVERY_SOURCE_SRV = 1 << 1,
  DISCOVERY_SOURCE_NAME = 1 << 2,
};

/* One endpoint of one tenant: an index into the endpoint list and how this
 * tenant's DNS led to it. */
struct discovery_link {
  uint32_t endpoint;
  unsigned sources;
};

struct discovery_tenant {
  char domain[TARGET_HOST_MAX];   /* normalised: lowercase, no trailing dot */
  char label[TARGET_LABEL_MAX];   /* the label given, or the domain */
  enum discovery_dns_status status;
  const char *detail;             /* c-ares's words for the MX outcome (static) */
  unsigned mx_hosts;              /* usable MX records */
  unsigned failed_lookups;        /* SRV and name lookups that failed (timeout,
                                   * SERVFAIL...): the endpoint list may be
                                   * incomplete; NXDOMAIN and NODATA are answers */
  struct discovery_link *links;   /* sorted by endpoint index */
  size_t nlinks;
  size_t links_cap;
  uint8_t next_job;               /* internal: the next lookup to start */
};

struct discovery_endpoint {
  char *host;                     /* normalised host name, owned */
  uint16_t port;
  enum proto proto;
  unsigned sources;               /* union over its tenants */
  uint32_t *tenants;              /* tenant indexes, ascending */
  size_t ntenants;
  size_t tenants_cap;
};

/* Discovery's state. Fields are internal; read results through the
 * accessors. */
struct discovery {
  void *channel;                  /* ares_channel */
  int channel_ready;
  struct discovery_tenant *tenants;
  size_t ntenants, tenants_cap;
  struct discovery_endpoint *endpoints;
  size_t nendpoints, endpoints_cap;
  uint32_t *tenant_index;         /* open addressing by domain: index + 1 */
  size_t tenant_index_cap;
  uint32_t *endpoint_index;       /* open addressing by endpoint: index + 1 */
  size_t endpoint_index_cap;
  struct discovery_slot *slots;   /* DISCOVERY_MAX_IN_FLIGHT lookup contexts */
  uint32_t *free_slots;
  size_t nfree_slots;
  uint32_t *ready;                /* tenants whose SRV/name lookups are due */
  size_t ready_head, ready_tail;
  size_t next_mx;                 /* next tenant whose MX query starts */
  unsigned in_flight, peak_in_flight;
  size_t lookups_done;            /* answered, failed or not made */
  size_t lookups_dropped;         /* second phases a failed MX query ruled out */
  int out_of_memory;
  int ran;
  /* Called by discovery_run after each wait for answers (at least once a
   * second while lookups are out), when set: for a status line. */
  void (*on_progress)(void *ctx, const struct discovery *d);
  void *progress_ctx;
};

/* discovery_init prepares |d| with a c-ares channel that asks |resolver|
 * ("ADDR", "ADDR:PORT", "[V6]:PORT"; NULL: the system's resolv.conf) and
 * waits |timeout_ms| per try for |tries| tries (c-ares doubles the wait after
 * each round over the servers). Search domains and /etc/hosts are never
 * used; a SERVFAIL or REFUSED answer is taken as it is, not retried. Returns 1, or 0 with |d| needing no discovery_free. */
int discovery_init(struct discovery *d, const char *resolver, unsigned timeout_ms,
                   unsigned tries);

/* discovery_normalise_name checks that |name| is a valid DNS host name
 * (letters, digits, '-', '_', labels of 1-63 bytes, at most 253 bytes, an
 * optional trailing dot; not an address) and writes it lowercased without
 * the trailing dot to |out| (TARGET_HOST_MAX bytes). Returns 1, or 0 with
 * what is wrong in |err| (|errcap| bytes). */
int discovery_normalise_name(const char *name, char out[TARGET_HOST_MAX], char *err,
                             size_t errcap);

/* discovery_add_tenant adds the mail domain |domain| (a host name with at
 * least two labels) with |label| (NULL or "": the domain). Labels are
 * printable ASCII without spaces, '#' or ','; "shared" is reserved for the
 * dry run's shared endpoints. A domain already added is refused. Returns 1,
 * or 0 with a message in |err| (|errcap| bytes). Call before discovery_run. */
int discovery_add_tenant(struct discovery *d, const char *domain, const char *label, char *err,
                         size_t errcap);

/* discovery_add_tenant_line adds the tenant of one line of a -i file
 * ("domain [label=TEXT] [# comment]", |len| bytes, no newline). Returns
 * TARGET_PARSE_OK, TARGET_PARSE_EMPTY for a blank or comment line, or
 * TARGET_PARSE_ERROR with a message in |err|. */
enum target_parse_result discovery_add_tenant_line(struct discovery *d, const char *line,
                                                   size_t len, char *err, size_t errcap);

/* discovery_add_tenant_file adds the tenants of every line of |f| (a -i
 * file). Each bad line is passed to |on_error| with its 1-based number and
 * the message, and the rest go on. Returns 1, or 0 when reading |f| failed. */
int discovery_add_tenant_file(struct discovery *d, FILE *f,
                              void (*on_error)(void *ctx, unsigned long line_no, const char *err),
                              void *ctx);

/* discovery_run makes every tenant's lookups and returns when all are
 * answered or timed out. Call once. Returns 1, or 0 when discovery itself
 * failed (out of memory, poll failed); tenants not resolved then keep status
 * DISCOVERY_DNS_ERROR. Endpoints come out ordered by their first tenant,
 * then host, port and protocol, so the same answers give the same order. */
int discovery_run(struct discovery *d);

/* The answers, as discovery_run's callbacks hand them over; public so that
 * tests can feed answers without a resolver. |tenant| is an index,
 * |ares_status| the lookup's c-ares status and |abuf| (|alen| bytes) the DNS
 * response on ARES_SUCCESS.
 *
 * discovery_answer_mx sets the tenant's DNS status from its MX answer and
 * records smtp, submission and smtps endpoints on each usable MX host. */
void discovery_answer_mx(struct discovery *d, size_t tenant, int ares_status,
                         const unsigned char *abuf, int alen);
/* discovery_answer_srv records the targets of an SRV answer as |proto|
 * endpoints at the ports the records give. */
void discovery_answer_srv(struct discovery *d, size_t tenant, enum proto proto, int ares_status,
                          const unsigned char *abuf, int alen);
/* discovery_answer_name records the endpoints of the conventional name
 * |prefix| ("mail.", "imap.", "pop.", "pop3.", "smtp.", "autodiscover.")
 * under the tenant's domain when |has_address| (an A or AAAA record). */
void discovery_answer_name(struct discovery *d, size_t tenant, const char *prefix,
                           int ares_status, int has_address);
/* discovery_finish orders the endpoints (first tenant, host, port, protocol)
 * and each endpoint's tenants and tenant's links; discovery_run calls it.
 * Returns 1, or 0 when out of memory. */
int discovery_finish(struct discovery *d);

/* discovery_progress tells how far discovery_run has come: the lookups
 * done (answered, failed, or not made) and those it will make in all (each
 * tenant's MX query and, unless that failed, its SRV and name lookups). */
void discovery_progress(const struct discovery *d, size_t *out_done, size_t *out_total);

/* discovery_peak_in_flight returns the most lookups that were in flight at
 * once during discovery_run. */
unsigned discovery_peak_in_flight(const struct discovery *d);

size_t discovery_tenant_count(const struct discovery *d);
/* discovery_tenant returns tenant |i| (in the order added), owned by |d|. */
const struct discovery_tenant *discovery_tenant(const struct discovery *d, size_t i);
size_t discovery_endpoint_count(const struct discovery *d);
/* discovery_endpoint returns endpoint |i|, owned by |d|. */
const struct discovery_endpoint *discovery_endpoint(const struct discovery *d, size_t i);

/* discovery_dns_status_name returns "ok", "no_mx", "nxdomain", "servfail",
 * "timeout" or "error". */
const char *discovery_dns_status_name(enum discovery_dns_status s);

/* discovery_sources_text writes the names of the bits of |sources| ("mx",
 * "srv", "name"), comma-separated, to |out| (at least 16 bytes). */
void discovery_sources_text(unsigned sources, char *out, size_t cap);

/* discovery_write_targets writes one target line per endpoint to |out|:
 *
 *   imaps://imap.a.test:993 label=a.test # srv,name
 *   smtp://mx.shared.test:25 label=shared # mx; tenants: b.test,c.test
 *
 * A target line takes one label: an endpoint of one tenant carries that
 * tenant's label, a shared endpoint the label "shared" and its tenants'
 * labels in the comment. `tlssweep scan` reads the output as it is. Returns 1,
 * or 0 on a write error. */
int discovery_write_targets(const struct discovery *d, FILE *out);

/* discovery_preset returns the target lines of the preset |name| and their
 * number in |*out_count|, or NULL for an unknown preset. "exchange-online":
 * the Exchange Online endpoints of the TLS 1.0/1.1 retirement, labelled
 * "exchange-online", the opt-in legacy endpoints included. */
const char *const *discovery_preset(const char *name, size_t *out_count);

/* discovery_free releases everything |d| holds. */
void discovery_free(struct discovery *d);

#endif /* SCANNER_DISCOVER_H */
