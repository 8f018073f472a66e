/* tests/scanner/discover_test.c: tenant discovery without a resolver.
 *
 * DNS responses are built here in wire format (RFC 1035, section 4.1; MX
 * RDATA section 3.3.9; SRV RDATA RFC 2782) and fed to the answer entry points
 * that discovery_run's callbacks use, so normalisation, the null MX and "."
 * SRV targets, the answer cap, deduplication across tenants, the order of
 * the output and the dry run's lines are checked exactly. Every line the dry
 * run and the preset write is parsed back with the scan's own parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ares.h>
#include <cmocka.h>

#include "scanner/targets/discover.h"

/* ---- a DNS response builder ------------------------------------------------- */

struct dns_msg {
  unsigned char buf[8192];
  size_t len;
  size_t ancount_at;
  unsigned ancount;
};

static void put8(struct dns_msg *m, unsigned v) {
  assert_true(m->len < sizeof(m->buf));
  m->buf[m->len++] = (unsigned char)v;
}

static void put16(struct dns_msg *m, unsigned v) {
  put8(m, (v >> 8) & 0xff);
  put8(m, v & 0xff);
}

/* put_name writes |name| as uncompressed labels; "." is the root. */
static void put_name(struct dns_msg *m, const char *name) {
  while (*name != '\0' && strcmp(name, ".") != 0) {
    const char *dot = strchr(name, '.');
    size_t n = dot != NULL ? (size_t)(dot - name) : strlen(name);
    put8(m, (unsigned)n);
    for (size_t i = 0; i < n; i++) {
      put8(m, (unsigned char)name[i]);
    }
    name += n + (dot != NULL);
  }
  put8(m, 0);
}

/* dns_begin starts a NOERROR response to the question (|qname|, |qtype|). */
static void dns_begin(struct dns_msg *m, const char *qname, unsigned qtype) {
  m->len = 0;
  m->ancount = 0;
  put16(m, 0x1234); /* ID */
  put16(m, 0x8180); /* QR, RD, RA, RCODE 0 */
  put16(m, 1);      /* QDCOUNT */
  m->ancount_at = m->len;
  put16(m, 0); /* ANCOUNT, patched */
  put16(m, 0); /* NSCOUNT */
  put16(m, 0); /* ARCOUNT */
  put_name(m, qname);
  put16(m, qtype);
  put16(m, 1); /* IN */
}

/* dns_rr_begin starts an answer RR owned by the question's name; returns
 * where RDLENGTH goes. */
static size_t dns_rr_begin(struct dns_msg *m, unsigned type) {
  put16(m, 0xc00c); /* NAME: pointer to the question */
  put16(m, type);
  put16(m, 1);
  put16(m, 0);
  put16(m, 300); /* TTL */
  size_t at = m->len;
  put16(m, 0);
  m->ancount++;
  m->buf[m->ancount_at] = (unsigned char)(m->ancount >> 8);
  m->buf[m->ancount_at + 1] = (unsigned char)m->ancount;
  return at;
}

static void dns_rr_end(struct dns_msg *m, size_t at) {
  size_t n = m->len - at - 2;
  m->buf[at] = (unsigned char)(n >> 8);
  m->buf[at + 1] = (unsigned char)n;
}

static void dns_mx(struct dns_msg *m, unsigned pref, const char *host) {
  size_t at = dns_rr_begin(m, 15);
  put16(m, pref); /* PREFERENCE */
  put_name(m, host); /* EXCHANGE */
  dns_rr_end(m, at);
}

static void dns_srv(struct dns_msg *m, unsigned port, const char *target) {
  size_t at = dns_rr_begin(m, 33);
  put16(m, 0);    /* Priority */
  put16(m, 0);    /* Weight */
  put16(m, port); /* Port */
  put_name(m, target);
  dns_rr_end(m, at);
}

/* ---- helpers ---------------------------------------------------------------- */

static void init(struct discovery *d) {
  assert_int_equal(discovery_init(d, "127.0.0.1:9", 100, 1), 1);
}

static void add(struct discovery *d, const char *domain, const char *label) {
  char err[256] = "";
  if (!discovery_add_tenant(d, domain, label, err, sizeof(err))) {
    fail_msg("add %s: %s", domain, err);
  }
}

static void feed_mx(struct discovery *d, size_t tenant, const char *const *hosts, size_t n) {
  struct dns_msg m;
  dns_begin(&m, discovery_tenant(d, tenant)->domain, 15);
  for (size_t i = 0; i < n; i++) {
    dns_mx(&m, (unsigned)(10 * (i + 1)), hosts[i]);
  }
  discovery_answer_mx(d, tenant, ARES_SUCCESS, m.buf, (int)m.len);
}

/* endpoints_text renders tenant |ti|'s endpoints as "scheme://host:port/src"
 * lines, in link order. */
static char *endpoints_text(const struct discovery *d, size_t ti) {
  static char out[8192];
  size_t used = 0;
  out[0] = '\0';
  const struct discovery_tenant *t = discovery_tenant(d, ti);
  for (size_t k = 0; k < t->nlinks; k++) {
    const struct discovery_endpoint *e = discovery_endpoint(d, t->links[k].endpoint);
    char src[32];
    discovery_sources_text(t->links[k].sources, src, sizeof(src));
    used += (size_t)snprintf(out + used, sizeof(out) - used, "%s://%s:%u/%s\n",
                             proto_get(e->proto)->scheme, e->host, (unsigned)e->port, src);
  }
  return out;
}

static char *render(const struct discovery *d) {
  static char out[16384];
  FILE *f = fmemopen(out, sizeof(out), "w");
  assert_non_null(f);
  assert_int_equal(discovery_write_targets(d, f), 1);
  fputc('\0', f);
  fclose(f);
  return out;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_normalise(void **state) {
  (void)state;
  char out[TARGET_HOST_MAX];
  char err[TARGET_ERROR_MAX];
  assert_int_equal(discovery_normalise_name("MX1.Example.COM.", out, err, sizeof(err)), 1);
  assert_string_equal(out, "mx1.example.com");
  assert_int_equal(discovery_normalise_name("_imaps._tcp.a-b.test", out, err, sizeof(err)), 1);
  assert_string_equal(out, "_imaps._tcp.a-b.test");
  static const char *const bad[] = {
      "", ".", "a..b", "1.2.3.4", "a b.test", "host.test:25", "imaps://x.test", "-a.test",
      "a.test#x", "::1",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    err[0] = '\0';
    if (discovery_normalise_name(bad[i], out, err, sizeof(err))) {
      fail_msg("'%s' accepted as '%s'", bad[i], out);
    }
    assert_true(err[0] != '\0');
  }
  char longname[300];
  memset(longname, 'a', sizeof(longname));
  longname[63] = '\0'; /* one label of 63 bytes: fine */
  assert_int_equal(discovery_normalise_name(longname, out, err, sizeof(err)), 1);
  longname[63] = 'a';
  longname[64] = '\0';
  assert_int_equal(discovery_normalise_name(longname, out, err, sizeof(err)), 0);
  for (size_t i = 0; i < 254; i += 2) {
    longname[i] = 'a';
    longname[i + 1] = '.';
  }
  longname[253] = '\0'; /* 253 bytes ending in 'a' */
  assert_int_equal(discovery_normalise_name(longname, out, err, sizeof(err)), 1);
  longname[253] = 'b';
  longname[254] = '\0';
  assert_int_equal(discovery_normalise_name(longname, out, err, sizeof(err)), 0);
}

static void test_add_tenant(void **state) {
  (void)state;
  struct discovery d;
  init(&d);
  char err[256];
  assert_int_equal(discovery_add_tenant(&d, "Contoso.COM.", NULL, err, sizeof(err)), 1);
  assert_int_equal(discovery_add_tenant(&d, "fabrikam.com", "Fabrikam-EU", err, sizeof(err)), 1);
  assert_int_equal(discovery_tenant_count(&d), 2);
  assert_string_equal(discovery_tenant(&d, 0)->domain, "contoso.com");
  assert_string_equal(discovery_tenant(&d, 0)->label, "contoso.com");
  assert_string_equal(discovery_tenant(&d, 1)->label, "Fabrikam-EU");
  assert_null(discovery_tenant(&d, 2));

  assert_int_equal(discovery_add_tenant(&d, "CONTOSO.com", "x", err, sizeof(err)), 0);
  assert_string_equal(err, "duplicate domain 'contoso.com'");
  assert_int_equal(discovery_add_tenant(&d, "localhost", NULL, err, sizeof(err)), 0);
  assert_string_equal(err, "invalid domain 'localhost': a mail domain has at least two labels");
  assert_int_equal(discovery_add_tenant(&d, "a.test:25", NULL, err, sizeof(err)), 0);
  assert_string_equal(err, "invalid domain 'a.test:25': character not allowed in a host name");
  assert_int_equal(discovery_add_tenant(&d, "10.0.0.1", NULL, err, sizeof(err)), 0);
  assert_string_equal(err, "invalid domain '10.0.0.1': an address, not a host name");
  assert_int_equal(discovery_add_tenant(&d, "b.test", "has space", err, sizeof(err)), 0);
  assert_string_equal(err,
                      "invalid label 'has space': only printable ASCII without spaces, '#' or ','");
  assert_int_equal(discovery_add_tenant(&d, "b.test", "a,b", err, sizeof(err)), 0);
  assert_int_equal(discovery_add_tenant(&d, "b.test", "x#y", err, sizeof(err)), 0);
  assert_int_equal(discovery_add_tenant(&d, "b.test", "shared", err, sizeof(err)), 0);
  assert_string_equal(err,
                      "invalid label 'shared': 'shared' is reserved for endpoints of several "
                      "tenants");
  assert_int_equal(discovery_tenant_count(&d), 2);
  /* Many tenants: the domain table grows and still finds duplicates. */
  for (int i = 0; i < 3000; i++) {
    char name[64];
    snprintf(name, sizeof(name), "t%d.bulk.test", i);
    add(&d, name, NULL);
  }
  assert_int_equal(discovery_add_tenant(&d, "T2999.bulk.test", NULL, err, sizeof(err)), 0);
  assert_int_equal(discovery_add_tenant(&d, "t0.bulk.test", NULL, err, sizeof(err)), 0);
  assert_int_equal(discovery_tenant_count(&d), 3002);
  discovery_free(&d);
}

static void test_tenant_lines(void **state) {
  (void)state;
  struct discovery d;
  init(&d);
  char err[256];
#define LINE(s) discovery_add_tenant_line(&d, s, strlen(s), err, sizeof(err))
  assert_int_equal(LINE("a.test"), TARGET_PARSE_OK);
  assert_int_equal(LINE("  B.test\tlabel=Bee   # the bee tenant\r"), TARGET_PARSE_OK);
  assert_int_equal(LINE(""), TARGET_PARSE_EMPTY);
  assert_int_equal(LINE("   # a comment"), TARGET_PARSE_EMPTY);
  assert_int_equal(LINE("c.test sni=x"), TARGET_PARSE_ERROR);
  assert_string_equal(err, "unexpected 'sni=x' (a line is: domain [label=TEXT])");
  assert_int_equal(LINE("c.test label=x extra"), TARGET_PARSE_ERROR);
  assert_string_equal(err, "unexpected 'extra' (a line is: domain [label=TEXT])");
  assert_int_equal(LINE("c.test label="), TARGET_PARSE_ERROR);
  assert_string_equal(err, "empty label= value");
  assert_int_equal(LINE("bad_.-x label=y"), TARGET_PARSE_ERROR);
#undef LINE
  assert_int_equal(discovery_tenant_count(&d), 2);
  assert_string_equal(discovery_tenant(&d, 1)->domain, "b.test");
  assert_string_equal(discovery_tenant(&d, 1)->label, "Bee");
  discovery_free(&d);
}

static void test_mx_answer(void **state) {
  (void)state;
  struct discovery d;
  init(&d);
  add(&d, "a.test", NULL);
  static const char *const hosts[] = {"MX1.A.Test", "mx2.a.test", ".", "bad!.a.test",
                                      "mx1.a.test"};
  feed_mx(&d, 0, hosts, 5);
  assert_int_equal(discovery_finish(&d), 1);
  const struct discovery_tenant *t = discovery_tenant(&d, 0);
  assert_int_equal(t->status, DISCOVERY_DNS_OK);
  assert_string_equal(discovery_dns_status_name(t->status), "ok");
  assert_int_equal(t->mx_hosts, 3); /* mx1 twice counts twice; its endpoints once */
  assert_string_equal(endpoints_text(&d, 0),
                      "smtp://mx1.a.test:25/mx\n"
                      "smtps://mx1.a.test:465/mx\n"
                      "submission://mx1.a.test:587/mx\n"
                      "smtp://mx2.a.test:25/mx\n"
                      "smtps://mx2.a.test:465/mx\n"
                      "submission://mx2.a.test:587/mx\n");
  discovery_free(&d);
}

static void test_null_mx_and_cap(void **state) {
  (void)state;
  struct discovery d;
  init(&d);
  add(&d, "null.test", NULL);
  add(&d, "many.test", NULL);
  static const char *const null_mx[] = {"."};
  feed_mx(&d, 0, null_mx, 1);
  char names[40][32];
  const char *hosts[40];
  for (int i = 0; i < 40; i++) {
    snprintf(names[i], sizeof(names[i]), "mx%02d.many.test", i);
    hosts[i] = names[i];
  }
  feed_mx(&d, 1, hosts, 40);
  assert_int_equal(discovery_finish(&d), 1);
  assert_int_equal(discovery_tenant(&d, 0)->status, DISCOVERY_DNS_NO_MX);
  assert_int_equal(discovery_tenant(&d, 0)->nlinks, 0);
  assert_int_equal(discovery_tenant(&d, 1)->mx_hosts, DISCOVERY_MAX_ANSWERS);
  assert_int_equal(discovery_endpoint_count(&d), 3 * DISCOVERY_MAX_ANSWERS);
  discovery_free(&d);
}

static void test_srv_answer(void **state) {
  (void)state;
  struct discovery d;
  init(&d);
  add(&d, "a.test", NULL);
  struct dns_msg m;
  dns_begin(&m, "_imaps._tcp.a.test", 33);
  dns_srv(&m, 993, "IMAP.a.test.");
  dns_srv(&m, 0, "zero.a.test");
  dns_srv(&m, 10993, "alt.a.test");
  discovery_answer_srv(&d, 0, PROTO_IMAPS, ARES_SUCCESS, m.buf, (int)m.len);
  dns_begin(&m, "_submission._tcp.a.test", 33);
  dns_srv(&m, 0, "."); /* RFC 2782: not available */
  discovery_answer_srv(&d, 0, PROTO_SUBMISSION, ARES_SUCCESS, m.buf, (int)m.len);
  /* A failed SRV lookup is counted; an absent record is an answer. */
  discovery_answer_srv(&d, 0, PROTO_POP3, ARES_ETIMEOUT, NULL, 0);
  discovery_answer_srv(&d, 0, PROTO_POP3S, ARES_ENOTFOUND, NULL, 0);
  discovery_answer_srv(&d, 0, PROTO_IMAP, ARES_ENODATA, NULL, 0);
  /* imap.a.test also resolves: imaps://imap.a.test:993 is found both ways. */
  discovery_answer_name(&d, 0, "imap.", ARES_SUCCESS, 1);
  discovery_answer_name(&d, 0, "pop.", ARES_ENOTFOUND, 0);
  discovery_answer_name(&d, 0, "smtp.", ARES_ESERVFAIL, 0);
  assert_int_equal(discovery_finish(&d), 1);
  assert_string_equal(endpoints_text(&d, 0),
                      "imaps://alt.a.test:10993/srv\n"
                      "imap://imap.a.test:143/name\n"
                      "imaps://imap.a.test:993/srv,name\n");
  assert_int_equal(discovery_tenant(&d, 0)->failed_lookups, 2);
  discovery_free(&d);
}

static void test_conventional_names(void **state) {
  (void)state;
  struct discovery d;
  init(&d);
  add(&d, "n.test", NULL);
  discovery_answer_mx(&d, 0, ARES_ENODATA, NULL, 0);
  static const char *const prefixes[] = {"mail.", "imap.", "pop.", "pop3.", "smtp.",
                                         "autodiscover.", "www."};
  for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
    discovery_answer_name(&d, 0, prefixes[i], ARES_SUCCESS, 1);
  }
  assert_int_equal(discovery_finish(&d), 1);
  assert_int_equal(discovery_tenant(&d, 0)->status, DISCOVERY_DNS_NO_MX);
  assert_string_equal(endpoints_text(&d, 0),
                      "https://autodiscover.n.test:443/name\n"
                      "imap://imap.n.test:143/name\n"
                      "imaps://imap.n.test:993/name\n"
                      "smtp://mail.n.test:25/name\n"
                      "pop3://mail.n.test:110/name\n"
                      "imap://mail.n.test:143/name\n"
                      "smtps://mail.n.test:465/name\n"
                      "submission://mail.n.test:587/name\n"
                      "imaps://mail.n.test:993/name\n"
                      "pop3s://mail.n.test:995/name\n"
                      "pop3://pop.n.test:110/name\n"
                      "pop3s://pop.n.test:995/name\n"
                      "pop3://pop3.n.test:110/name\n"
                      "pop3s://pop3.n.test:995/name\n"
                      "smtp://smtp.n.test:25/name\n"
                      "smtps://smtp.n.test:465/name\n"
                      "submission://smtp.n.test:587/name\n");
  discovery_free(&d);
}

static void test_statuses(void **state) {
  (void)state;
  static const struct {
    int ares;
    enum discovery_dns_status want;
    const char *name;
  } cases[] = {
      {ARES_ENODATA, DISCOVERY_DNS_NO_MX, "no_mx"},
      {ARES_ENOTFOUND, DISCOVERY_DNS_NXDOMAIN, "nxdomain"},
      {ARES_ESERVFAIL, DISCOVERY_DNS_SERVFAIL, "servfail"},
      {ARES_ETIMEOUT, DISCOVERY_DNS_TIMEOUT, "timeout"},
      {ARES_EREFUSED, DISCOVERY_DNS_ERROR, "error"},
  };
  struct discovery d;
  init(&d);
  add(&d, "s.test", NULL);
  assert_int_equal(discovery_tenant(&d, 0)->status, DISCOVERY_DNS_ERROR);
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    discovery_answer_mx(&d, 0, cases[i].ares, NULL, 0);
    const struct discovery_tenant *t = discovery_tenant(&d, 0);
    assert_int_equal(t->status, cases[i].want);
    assert_string_equal(discovery_dns_status_name(t->status), cases[i].name);
    assert_string_equal(t->detail, ares_strerror(cases[i].ares));
  }
  /* A malformed answer is an error, with c-ares's reason. */
  static const unsigned char junk[] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1};
  discovery_answer_mx(&d, 0, ARES_SUCCESS, junk, (int)sizeof(junk));
  assert_int_equal(discovery_tenant(&d, 0)->status, DISCOVERY_DNS_ERROR);
  assert_int_equal(discovery_tenant(&d, 0)->nlinks, 0);
  discovery_free(&d);
}

/* Three tenants, two of them behind one provider's MX host; the order of
 * answers must not change the result. */
static void build_shared(struct discovery *d, int reverse) {
  init(d);
  add(d, "a.test", NULL);
  add(d, "b.test", "tenant-b");
  add(d, "c.test", NULL);
  static const char *const a_mx[] = {"mx.a.test"};
  static const char *const shared_mx[] = {"MX.Shared.Test."};
  if (!reverse) {
    feed_mx(d, 0, a_mx, 1);
    feed_mx(d, 1, shared_mx, 1);
    feed_mx(d, 2, shared_mx, 1);
    discovery_answer_name(d, 1, "pop3.", ARES_SUCCESS, 1);
  } else {
    discovery_answer_name(d, 1, "pop3.", ARES_SUCCESS, 1);
    feed_mx(d, 2, shared_mx, 1);
    feed_mx(d, 1, shared_mx, 1);
    feed_mx(d, 0, a_mx, 1);
  }
  assert_int_equal(discovery_finish(d), 1);
}

static const char kSharedTargets[] =
    "smtp://mx.a.test:25 label=a.test # mx\n"
    "smtps://mx.a.test:465 label=a.test # mx\n"
    "submission://mx.a.test:587 label=a.test # mx\n"
    "smtp://mx.shared.test:25 label=shared # mx; tenants: tenant-b,c.test\n"
    "smtps://mx.shared.test:465 label=shared # mx; tenants: tenant-b,c.test\n"
    "submission://mx.shared.test:587 label=shared # mx; tenants: tenant-b,c.test\n"
    "pop3://pop3.b.test:110 label=tenant-b # name\n"
    "pop3s://pop3.b.test:995 label=tenant-b # name\n";

static void test_shared_endpoints(void **state) {
  (void)state;
  for (int reverse = 0; reverse < 2; reverse++) {
    struct discovery d;
    build_shared(&d, reverse);
    assert_int_equal(discovery_endpoint_count(&d), 8);
    const struct discovery_endpoint *e = discovery_endpoint(&d, 3);
    assert_string_equal(e->host, "mx.shared.test");
    assert_int_equal(e->port, 25);
    assert_int_equal(e->proto, PROTO_SMTP);
    assert_int_equal(e->sources, DISCOVERY_SOURCE_MX);
    assert_int_equal(e->ntenants, 2);
    assert_int_equal(e->tenants[0], 1);
    assert_int_equal(e->tenants[1], 2);
    assert_string_equal(endpoints_text(&d, 2),
                        "smtp://mx.shared.test:25/mx\n"
                        "smtps://mx.shared.test:465/mx\n"
                        "submission://mx.shared.test:587/mx\n");
    assert_int_equal(discovery_tenant(&d, 1)->nlinks, 5);
    assert_string_equal(render(&d), kSharedTargets);
    discovery_free(&d);
  }
}

/* Every dry-run line is a target line that names its endpoint. */
static void test_rendered_lines_parse(void **state) {
  (void)state;
  struct discovery d;
  build_shared(&d, 0);
  char *text = render(&d);
  size_t i = 0;
  for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n"), i++) {
    struct target_line l;
    char err[TARGET_ERROR_MAX];
    assert_int_equal(target_parse_line(line, strlen(line), NULL, &l, err, sizeof(err)),
                     TARGET_PARSE_OK);
    const struct discovery_endpoint *e = discovery_endpoint(&d, i);
    assert_string_equal(l.host, e->host);
    assert_int_equal(l.port, e->port);
    assert_int_equal(l.proto, e->proto);
    assert_string_equal(l.label, e->ntenants > 1 ? "shared"
                                                 : discovery_tenant(&d, e->tenants[0])->label);
  }
  assert_int_equal(i, discovery_endpoint_count(&d));
  discovery_free(&d);
}

static void test_preset(void **state) {
  (void)state;
  size_t n = 99;
  assert_null(discovery_preset("gmail", &n));
  assert_int_equal(n, 0);
  const char *const *lines = discovery_preset("exchange-online", &n);
  assert_non_null(lines);
  static const struct {
    const char *host;
    uint16_t port;
    enum proto proto;
  } want[] = {
      {"outlook.office365.com", 993, PROTO_IMAPS},
      {"outlook.office365.com", 995, PROTO_POP3S},
      {"outlook.office365.com", 587, PROTO_SUBMISSION},
      {"smtp.office365.com", 587, PROTO_SUBMISSION},
      {"pop-legacy.office365.com", 995, PROTO_POP3S},
      {"imap-legacy.office365.com", 993, PROTO_IMAPS},
      {"smtp-legacy.office365.com", 587, PROTO_SUBMISSION},
  };
  assert_int_equal(n, sizeof(want) / sizeof(want[0]));
  for (size_t i = 0; i < n; i++) {
    struct target_line l;
    char err[TARGET_ERROR_MAX];
    assert_int_equal(target_parse_line(lines[i], strlen(lines[i]), NULL, &l, err, sizeof(err)),
                     TARGET_PARSE_OK);
    assert_string_equal(l.host, want[i].host);
    assert_int_equal(l.port, want[i].port);
    assert_int_equal(l.proto, want[i].proto);
    assert_string_equal(l.label, "exchange-online");
  }
}

static void test_sources_text(void **state) {
  (void)state;
  char out[32];
  discovery_sources_text(0, out, sizeof(out));
  assert_string_equal(out, "");
  discovery_sources_text(DISCOVERY_SOURCE_MX | DISCOVERY_SOURCE_SRV | DISCOVERY_SOURCE_NAME, out,
                         sizeof(out));
  assert_string_equal(out, "mx,srv,name");
  discovery_sources_text(DISCOVERY_SOURCE_NAME, out, sizeof(out));
  assert_string_equal(out, "name");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_normalise),
      cmocka_unit_test(test_add_tenant),
      cmocka_unit_test(test_tenant_lines),
      cmocka_unit_test(test_mx_answer),
      cmocka_unit_test(test_null_mx_and_cap),
      cmocka_unit_test(test_srv_answer),
      cmocka_unit_test(test_conventional_names),
      cmocka_unit_test(test_statuses),
      cmocka_unit_test(test_shared_endpoints),
      cmocka_unit_test(test_rendered_lines_parse),
      cmocka_unit_test(test_preset),
      cmocka_unit_test(test_sources_text),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
