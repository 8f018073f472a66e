/* tests/scanner/target_test.c: target_parse_line and the protocol table.
 *
 * Every target form of design.md's "Command line" section is parsed and its
 * fields checked one by one; every error is checked by its exact message and
 * the token the error record keeps, because those messages are what a user
 * reads to fix a file of ten thousand lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "scanner/targets/target.h"

static const struct target_defaults kDefaults = {443};

/* parse_ok parses |line| with |defaults| and fails the test unless it is a
 * target. */
static struct target_line parse_ok_with(const char *line, const struct target_defaults *defaults) {
  struct target_line l;
  char err[TARGET_ERROR_MAX] = "unset";
  enum target_parse_result r =
      target_parse_line(line, strlen(line), defaults, &l, err, sizeof(err));
  if (r != TARGET_PARSE_OK) {
    fail_msg("'%s': expected a target, got %d (%s)", line, (int)r, err);
  }
  assert_string_equal(err, "");
  return l;
}

static struct target_line parse_ok(const char *line) { return parse_ok_with(line, &kDefaults); }

static void assert_v4(const struct target_line *l, const char *text) {
  struct in_addr want;
  assert_int_equal(inet_pton(AF_INET, text, &want), 1);
  assert_memory_equal(&l->addr.v4, &want, sizeof(want));
}

static void assert_v6(const struct target_line *l, const char *text) {
  struct in6_addr want;
  assert_int_equal(inet_pton(AF_INET6, text, &want), 1);
  assert_memory_equal(&l->addr.v6, &want, sizeof(want));
}

static void test_ipv4(void **state) {
  (void)state;
  struct target_line l = parse_ok("1.2.3.4");
  assert_int_equal(l.kind, TARGET_IPV4);
  assert_string_equal(l.text, "1.2.3.4");
  assert_string_equal(l.host, "1.2.3.4");
  assert_v4(&l, "1.2.3.4");
  assert_int_equal(l.port, 443);
  assert_int_equal(l.proto, PROTO_HTTPS);
  assert_int_equal(l.sni_given, 0);
  assert_string_equal(l.label, "");

  l = parse_ok("0.0.0.0");
  assert_v4(&l, "0.0.0.0");
  l = parse_ok("255.255.255.255");
  assert_v4(&l, "255.255.255.255");
}

static void test_ipv4_port(void **state) {
  (void)state;
  struct target_line l = parse_ok("1.2.3.4:993");
  assert_int_equal(l.kind, TARGET_IPV4);
  assert_string_equal(l.text, "1.2.3.4:993");
  assert_string_equal(l.host, "1.2.3.4");
  assert_int_equal(l.port, 993);
  assert_int_equal(l.proto, PROTO_IMAPS);

  l = parse_ok("1.2.3.4:1");
  assert_int_equal(l.port, 1);
  assert_int_equal(l.proto, PROTO_TLS);
  l = parse_ok("1.2.3.4:65535");
  assert_int_equal(l.port, 65535);
  l = parse_ok("1.2.3.4:00993");
  assert_int_equal(l.port, 993);
}

static void test_defaults_port(void **state) {
  (void)state;
  const struct target_defaults smtp = {25};
  struct target_line l = parse_ok_with("1.2.3.4", &smtp);
  assert_int_equal(l.port, 25);
  assert_int_equal(l.proto, PROTO_SMTP);
  l = parse_ok_with("mail.example.com", &smtp);
  assert_int_equal(l.port, 25);
  assert_int_equal(l.proto, PROTO_SMTP);
  /* An explicit port wins over -p. */
  l = parse_ok_with("1.2.3.4:995", &smtp);
  assert_int_equal(l.port, 995);
  assert_int_equal(l.proto, PROTO_POP3S);
  /* No defaults: 443. */
  l = parse_ok_with("1.2.3.4", NULL);
  assert_int_equal(l.port, 443);
  assert_int_equal(l.proto, PROTO_HTTPS);
  const struct target_defaults odd = {8443};
  l = parse_ok_with("1.2.3.4", &odd);
  assert_int_equal(l.port, 8443);
  assert_int_equal(l.proto, PROTO_TLS);
}

static void test_ipv6(void **state) {
  (void)state;
  struct target_line l = parse_ok("[2001:db8::1]:993");
  assert_int_equal(l.kind, TARGET_IPV6);
  assert_string_equal(l.text, "[2001:db8::1]:993");
  assert_string_equal(l.host, "2001:db8::1");
  assert_v6(&l, "2001:db8::1");
  assert_int_equal(l.port, 993);
  assert_int_equal(l.proto, PROTO_IMAPS);

  l = parse_ok("[2001:db8::1]");
  assert_int_equal(l.kind, TARGET_IPV6);
  assert_string_equal(l.host, "2001:db8::1");
  assert_int_equal(l.port, 443);

  l = parse_ok("2001:db8::1");
  assert_int_equal(l.kind, TARGET_IPV6);
  assert_v6(&l, "2001:db8::1");
  assert_int_equal(l.port, 443);
  assert_int_equal(l.proto, PROTO_HTTPS);

  /* host is the canonical text form. */
  l = parse_ok("2001:DB8:0:0:0:0:0:1");
  assert_string_equal(l.host, "2001:db8::1");
  assert_string_equal(l.text, "2001:DB8:0:0:0:0:0:1");
  l = parse_ok("::1");
  assert_string_equal(l.host, "::1");
  l = parse_ok("[::ffff:1.2.3.4]:443");
  assert_v6(&l, "::ffff:1.2.3.4");
  /* A bare literal never takes a port: the last group is part of it. */
  l = parse_ok("2001:db8::1:993");
  assert_v6(&l, "2001:db8::1:993");
  assert_int_equal(l.port, 443);
}

static void test_cidr4(void **state) {
  (void)state;
  struct target_line l = parse_ok("10.0.0.0/24");
  assert_int_equal(l.kind, TARGET_CIDR4);
  assert_int_equal(l.prefix, 24);
  assert_string_equal(l.text, "10.0.0.0/24");
  assert_string_equal(l.host, "10.0.0.0");
  assert_v4(&l, "10.0.0.0");
  assert_int_equal(l.port, 443);
  assert_int_equal(l.proto, PROTO_HTTPS);

  l = parse_ok("10.0.0.0/24:993");
  assert_int_equal(l.kind, TARGET_CIDR4);
  assert_int_equal(l.prefix, 24);
  assert_int_equal(l.port, 993);
  assert_int_equal(l.proto, PROTO_IMAPS);

  l = parse_ok("0.0.0.0/0");
  assert_int_equal(l.kind, TARGET_CIDR4);
  assert_int_equal(l.prefix, 0);
  l = parse_ok("192.0.2.7/32");
  assert_int_equal(l.prefix, 32);
  assert_v4(&l, "192.0.2.7");
  l = parse_ok("172.16.0.0/12");
  assert_int_equal(l.prefix, 12);
}

static void test_cidr6(void **state) {
  (void)state;
  struct target_line l = parse_ok("2001:db8::/120");
  assert_int_equal(l.kind, TARGET_CIDR6);
  assert_int_equal(l.prefix, 120);
  assert_string_equal(l.host, "2001:db8::");
  assert_v6(&l, "2001:db8::");
  assert_int_equal(l.port, 443);

  l = parse_ok("[2001:db8::/120]:993");
  assert_int_equal(l.kind, TARGET_CIDR6);
  assert_int_equal(l.prefix, 120);
  assert_int_equal(l.port, 993);
  l = parse_ok("[2001:db8::]/120:995");
  assert_int_equal(l.kind, TARGET_CIDR6);
  assert_int_equal(l.prefix, 120);
  assert_int_equal(l.port, 995);
  assert_int_equal(l.proto, PROTO_POP3S);
  /* The largest block accepted: 2^32 addresses. */
  l = parse_ok("2001:db8::/96");
  assert_int_equal(l.prefix, 96);
  l = parse_ok("2001:db8::5/128");
  assert_int_equal(l.prefix, 128);
}

static void test_cidr_in_url(void **state) {
  (void)state;
  struct target_line l = parse_ok("imaps://10.0.0.0/30");
  assert_int_equal(l.kind, TARGET_CIDR4);
  assert_int_equal(l.prefix, 30);
  assert_int_equal(l.port, 993);
  assert_int_equal(l.proto, PROTO_IMAPS);
  assert_string_equal(l.text, "imaps://10.0.0.0/30");

  l = parse_ok("imaps://10.0.0.0:10993/30");
  assert_int_equal(l.kind, TARGET_CIDR4);
  assert_int_equal(l.port, 10993);
  assert_int_equal(l.proto, PROTO_IMAPS);

  l = parse_ok("smtp://[2001:db8::/126]");
  assert_int_equal(l.kind, TARGET_CIDR6);
  assert_int_equal(l.prefix, 126);
  assert_int_equal(l.port, 25);

  /* After a host name, a slash starts a path, digits or not. */
  l = parse_ok("https://example.com/24");
  assert_int_equal(l.kind, TARGET_NAME);
  assert_int_equal(l.prefix, 0);
}

static void test_names(void **state) {
  (void)state;
  struct target_line l = parse_ok("mail.example.com");
  assert_int_equal(l.kind, TARGET_NAME);
  assert_string_equal(l.host, "mail.example.com");
  assert_int_equal(l.port, 443);
  assert_int_equal(l.proto, PROTO_HTTPS);

  l = parse_ok("mail.example.com:587");
  assert_string_equal(l.host, "mail.example.com");
  assert_string_equal(l.text, "mail.example.com:587");
  assert_int_equal(l.port, 587);
  assert_int_equal(l.proto, PROTO_SUBMISSION);

  /* Lowercased, trailing dot stripped; the text stays as written. */
  l = parse_ok("MAIL.Example.COM.:993");
  assert_string_equal(l.host, "mail.example.com");
  assert_string_equal(l.text, "MAIL.Example.COM.:993");

  l = parse_ok("localhost");
  assert_string_equal(l.host, "localhost");
  l = parse_ok("_dmarc.example-1.com");
  assert_string_equal(l.host, "_dmarc.example-1.com");
  /* Digits and dots plus one letter is a name, not an address. */
  l = parse_ok("1.2.3.4a");
  assert_int_equal(l.kind, TARGET_NAME);
  l = parse_ok("123.example");
  assert_int_equal(l.kind, TARGET_NAME);

  char name[300];
  memset(name, 'a', 63);
  strcpy(name + 63, ".com");
  l = parse_ok(name);
  assert_string_equal(l.host, name);

  /* 253 bytes: four labels of 63 and one dot less than 256. */
  char long_name[260];
  size_t n = 0;
  for (int i = 0; i < 4; i++) {
    memset(long_name + n, 'a' + i, i < 3 ? 63 : 61);
    n += i < 3 ? 63 : 61;
    if (i < 3) {
      long_name[n++] = '.';
    }
  }
  long_name[n] = '\0';
  assert_int_equal(strlen(long_name), 253);
  l = parse_ok(long_name);
  assert_string_equal(l.host, long_name);
  /* ... and with its trailing dot, 254 bytes as written. */
  long_name[n] = '.';
  long_name[n + 1] = '\0';
  l = parse_ok(long_name);
  assert_int_equal(strlen(l.host), 253);
}

struct scheme_case {
  const char *scheme;
  enum proto proto;
  uint16_t port;
  int implicit_tls;
};

/* design.md, "Command line": the schemes, their ports and dialogues. */
static const struct scheme_case kSchemes[] = {
    {"imap", PROTO_IMAP, 143, 0},   {"imaps", PROTO_IMAPS, 993, 1},
    {"pop3", PROTO_POP3, 110, 0},   {"pop3s", PROTO_POP3S, 995, 1},
    {"smtp", PROTO_SMTP, 25, 0},    {"submission", PROTO_SUBMISSION, 587, 0},
    {"smtps", PROTO_SMTPS, 465, 1}, {"https", PROTO_HTTPS, 443, 1},
    {"ftp", PROTO_FTP, 21, 0},      {"ftps", PROTO_FTPS, 990, 1},
    {"ldap", PROTO_LDAP, 389, 0},   {"ldaps", PROTO_LDAPS, 636, 1},
    {"xmpp", PROTO_XMPP, 5222, 0},  {"postgres", PROTO_POSTGRES, 5432, 0},
};

static void test_url_schemes(void **state) {
  (void)state;
  const struct target_defaults odd = {8443};
  for (size_t i = 0; i < sizeof(kSchemes) / sizeof(kSchemes[0]); i++) {
    const struct scheme_case *c = &kSchemes[i];
    char line[128];
    snprintf(line, sizeof(line), "%s://mail.example.com", c->scheme);
    /* -p does not apply to a URL: the scheme names the port. */
    struct target_line l = parse_ok_with(line, &odd);
    assert_int_equal(l.kind, TARGET_NAME);
    assert_string_equal(l.host, "mail.example.com");
    assert_string_equal(l.text, line);
    assert_int_equal(l.proto, c->proto);
    assert_int_equal(l.port, c->port);

    /* An explicit port keeps the scheme's protocol. */
    snprintf(line, sizeof(line), "%s://1.2.3.4:10000/some/path?q=1", c->scheme);
    l = parse_ok(line);
    assert_int_equal(l.kind, TARGET_IPV4);
    assert_int_equal(l.proto, c->proto);
    assert_int_equal(l.port, 10000);

    const struct proto_info *info = proto_get(c->proto);
    assert_non_null(info);
    assert_int_equal(info->proto, c->proto);
    assert_string_equal(info->scheme, c->scheme);
    assert_int_equal(info->default_port, c->port);
    assert_int_equal(info->implicit_tls, c->implicit_tls);
    assert_int_equal(proto_from_port(c->port), c->proto);
  }
}

static void test_url_forms(void **state) {
  (void)state;
  struct target_line l = parse_ok("IMAPS://Mail.Example.com");
  assert_int_equal(l.proto, PROTO_IMAPS);
  assert_string_equal(l.host, "mail.example.com");

  l = parse_ok("https://example.com/a/b?c=d");
  assert_string_equal(l.host, "example.com");
  assert_int_equal(l.port, 443);
  l = parse_ok("https://example.com?c=d");
  assert_string_equal(l.host, "example.com");
  l = parse_ok("https://example.com:8443/");
  assert_int_equal(l.port, 8443);
  assert_int_equal(l.proto, PROTO_HTTPS);
  l = parse_ok("https://[2001:db8::1]:8443/x");
  assert_int_equal(l.kind, TARGET_IPV6);
  assert_string_equal(l.host, "2001:db8::1");
  assert_int_equal(l.port, 8443);
  l = parse_ok("ldaps://[2001:db8::1]");
  assert_int_equal(l.port, 636);
  /* A port URL on a port proto_from_port would read otherwise. */
  l = parse_ok("smtp://mail.example.com:465");
  assert_int_equal(l.proto, PROTO_SMTP);
  assert_int_equal(l.port, 465);
}

static void test_url_tls(void **state) {
  (void)state;
  struct target_line l = parse_ok("tls://1.2.3.4:853");
  assert_int_equal(l.proto, PROTO_TLS);
  assert_int_equal(l.port, 853);
  /* Even on a well-known port, tls:// stays generic. */
  l = parse_ok("tls://1.2.3.4:993");
  assert_int_equal(l.proto, PROTO_TLS);
  /* Without a port, the scan's default port. */
  const struct target_defaults odd = {8443};
  l = parse_ok_with("tls://example.com", &odd);
  assert_int_equal(l.proto, PROTO_TLS);
  assert_int_equal(l.port, 8443);
  l = parse_ok("tls://example.com");
  assert_int_equal(l.port, 443);
  assert_int_equal(l.proto, PROTO_TLS);
}

static void test_proto_table(void **state) {
  (void)state;
  static const struct {
    uint16_t port;
    enum proto proto;
  } kPorts[] = {
      {25, PROTO_SMTP},   {587, PROTO_SUBMISSION}, {143, PROTO_IMAP},  {110, PROTO_POP3},
      {21, PROTO_FTP},    {389, PROTO_LDAP},       {5222, PROTO_XMPP}, {5432, PROTO_POSTGRES},
      {465, PROTO_SMTPS}, {993, PROTO_IMAPS},      {995, PROTO_POP3S}, {990, PROTO_FTPS},
      {636, PROTO_LDAPS}, {443, PROTO_HTTPS},      {8443, PROTO_TLS},  {853, PROTO_TLS},
      {1, PROTO_TLS},     {65535, PROTO_TLS},
  };
  for (size_t i = 0; i < sizeof(kPorts) / sizeof(kPorts[0]); i++) {
    assert_int_equal(proto_from_port(kPorts[i].port), kPorts[i].proto);
  }

  enum proto p = PROTO_COUNT;
  assert_int_equal(proto_from_scheme("imaps", 5, &p), 1);
  assert_int_equal(p, PROTO_IMAPS);
  assert_int_equal(proto_from_scheme("IMAP", 4, &p), 1);
  assert_int_equal(p, PROTO_IMAP);
  /* The length bounds the scheme: no NUL needed, no prefix match. */
  assert_int_equal(proto_from_scheme("imapsXYZ", 5, &p), 1);
  assert_int_equal(p, PROTO_IMAPS);
  assert_int_equal(proto_from_scheme("imaps", 3, &p), 0);
  assert_int_equal(proto_from_scheme("tls", 3, &p), 1);
  assert_int_equal(p, PROTO_TLS);
  assert_int_equal(proto_from_scheme("gopher", 6, &p), 0);
  assert_int_equal(proto_from_scheme("", 0, &p), 0);

  for (int i = 0; i < PROTO_COUNT; i++) {
    const struct proto_info *info = proto_get((enum proto)i);
    assert_non_null(info);
    assert_int_equal(info->proto, i);
    enum proto back;
    assert_int_equal(proto_from_scheme(info->scheme, strlen(info->scheme), &back), 1);
    assert_int_equal(back, i);
  }
  assert_true(proto_get(PROTO_TLS)->implicit_tls);
  assert_null(proto_get(PROTO_COUNT));
}

static void test_fields(void **state) {
  (void)state;
  struct target_line l = parse_ok("1.2.3.4:993 sni=Mail.Example.com. label=tenant-a");
  assert_string_equal(l.text, "1.2.3.4:993");
  assert_int_equal(l.sni_given, 1);
  assert_string_equal(l.sni, "mail.example.com");
  assert_string_equal(l.label, "tenant-a");

  /* Empty sni=: send no SNI, even for a name. */
  l = parse_ok("mail.example.com sni=");
  assert_int_equal(l.sni_given, 1);
  assert_string_equal(l.sni, "");
}

static void test_fields_order_and_space(void **state) {
  (void)state;
  struct target_line l = parse_ok("[2001:db8::1]:993\tlabel=grp_1\t sni=x.test  # comment sni=y");
  assert_string_equal(l.label, "grp_1");
  assert_string_equal(l.sni, "x.test");
  l = parse_ok("imaps://host.test label=a/b:c=d,e");
  assert_string_equal(l.label, "a/b:c=d,e");
  assert_int_equal(l.sni_given, 0);

  char line[300];
  char label[TARGET_LABEL_MAX];
  memset(label, 'x', TARGET_LABEL_MAX - 1);
  label[TARGET_LABEL_MAX - 1] = '\0';
  snprintf(line, sizeof(line), "1.2.3.4 label=%s", label);
  l = parse_ok(line);
  assert_string_equal(l.label, label);
}

static void test_comments_and_blanks(void **state) {
  (void)state;
  static const char *const kEmpty[] = {
      "", " ", "\t \r", "#", "# a comment", "   # indented", "#1.2.3.4", "\r"};
  for (size_t i = 0; i < sizeof(kEmpty) / sizeof(kEmpty[0]); i++) {
    struct target_line l;
    char err[TARGET_ERROR_MAX];
    assert_int_equal(
        target_parse_line(kEmpty[i], strlen(kEmpty[i]), &kDefaults, &l, err, sizeof(err)),
        TARGET_PARSE_EMPTY);
  }
  struct target_line l = parse_ok("  1.2.3.4:993   # the mail server\r");
  assert_string_equal(l.text, "1.2.3.4:993");
  assert_int_equal(l.port, 993);
  l = parse_ok("1.2.3.4#no space before the comment");
  assert_string_equal(l.text, "1.2.3.4");
  l = parse_ok("https://example.com/#fragment");
  assert_string_equal(l.host, "example.com");
  /* A field after the '#' is part of the comment. */
  l = parse_ok("1.2.3.4 # label=x");
  assert_string_equal(l.label, "");
}

static void test_length_not_nul_terminated(void **state) {
  (void)state;
  const char buf[] = {'1', '.', '2', '.', '3', '.', '4', ':', '9', '9', '3', '9', 'X'};
  struct target_line l;
  char err[TARGET_ERROR_MAX];
  assert_int_equal(target_parse_line(buf, 11, &kDefaults, &l, err, sizeof(err)), TARGET_PARSE_OK);
  assert_string_equal(l.text, "1.2.3.4:993");
  assert_int_equal(l.port, 993);
}

struct error_case {
  const char *line;
  const char *message; /* exact */
  const char *text;    /* the token the record keeps */
};

static const struct error_case kErrors[] = {
    /* ports */
    {"1.2.3.4:70000", "port 70000 out of range in '1.2.3.4:70000'", "1.2.3.4:70000"},
    {"1.2.3.4:0", "port 0 out of range in '1.2.3.4:0'", "1.2.3.4:0"},
    {"1.2.3.4:99999999999999999999",
     "port 99999999999999999999 out of range in "
     "'1.2.3.4:99999999999999999999'",
     "1.2.3.4:99999999999999999999"},
    {"example.com:imaps", "invalid port 'imaps' in 'example.com:imaps'", "example.com:imaps"},
    {"1.2.3.4:-1", "invalid port '-1' in '1.2.3.4:-1'", "1.2.3.4:-1"},
    {"1.2.3.4:993:5", "invalid port '993:5' in '1.2.3.4:993:5'", "1.2.3.4:993:5"},
    {"example.com:1:2", "invalid port '1:2' in 'example.com:1:2'", "example.com:1:2"},
    {"https://example.com:1:2/", "invalid port '1:2' in 'https://example.com:1:2/'",
     "https://example.com:1:2/"},
    {"example.com:", "missing port in 'example.com:'", "example.com:"},
    {"[2001:db8::1]:", "missing port in '[2001:db8::1]:'", "[2001:db8::1]:"},
    {"imaps://host.test:0", "port 0 out of range in 'imaps://host.test:0'", "imaps://host.test:0"},
    /* schemes and URLs */
    {"gopher://example.com", "unknown scheme 'gopher'", "gopher://example.com"},
    {"imaps:/example.com", "missing port in 'imaps:/example.com'", "imaps:/example.com"},
    {"://example.com", "missing scheme before '://' in '://example.com'", "://example.com"},
    {"imaps://", "missing host in 'imaps://'", "imaps://"},
    {"imaps://:993", "missing host in 'imaps://:993'", "imaps://:993"},
    {"https://2001:db8::1/", "IPv6 address must be in brackets in a URL: 'https://2001:db8::1/'",
     "https://2001:db8::1/"},
    {"https://user@example.com",
     "invalid host name 'user@example.com': character not allowed in a host name",
     "https://user@example.com"},
    /* host names */
    {"a..b", "invalid host name 'a..b': empty label", "a..b"},
    {".example.com", "invalid host name '.example.com': empty label", ".example.com"},
    {"example.com..", "invalid host name 'example.com..': empty label", "example.com.."},
    {"-a.example.com", "invalid host name '-a.example.com': label starts or ends with '-'",
     "-a.example.com"},
    {"a-.example.com", "invalid host name 'a-.example.com': label starts or ends with '-'",
     "a-.example.com"},
    {"exa$mple.com", "invalid host name 'exa$mple.com': character not allowed in a host name",
     "exa$mple.com"},
    {"caf\xc3\xa9.example",
     "invalid host name 'caf\xc3\xa9.example': character not allowed in a "
     "host name",
     "caf\xc3\xa9.example"},
    {"example.com/24", "a CIDR prefix needs an IP address, not 'example.com'", "example.com/24"},
    {".", "invalid host name '.': empty name", "."},
    /* IPv4 look-alikes */
    {"1.2.3.999", "invalid IPv4 address '1.2.3.999'", "1.2.3.999"},
    {"256.1.1.1", "invalid IPv4 address '256.1.1.1'", "256.1.1.1"},
    {"1.2.3", "invalid IPv4 address '1.2.3'", "1.2.3"},
    {"1.2.3.4.5", "invalid IPv4 address '1.2.3.4.5'", "1.2.3.4.5"},
    {"1.2.3.4.", "invalid IPv4 address '1.2.3.4.'", "1.2.3.4."},
    {"01.2.3.4", "invalid IPv4 address '01.2.3.4'", "01.2.3.4"},
    {"1..3.4:993", "invalid IPv4 address '1..3.4'", "1..3.4:993"},
    {"12345", "invalid IPv4 address '12345'", "12345"},
    /* IPv6 */
    {"2001:db8::1:70000", "IPv6 address must be in brackets to take a port: '2001:db8::1:70000'",
     "2001:db8::1:70000"},
    {"::ffff:1.2.3.4:993", "IPv6 address must be in brackets to take a port: '::ffff:1.2.3.4:993'",
     "::ffff:1.2.3.4:993"},
    {"2001:db8::/120:993", "IPv6 address must be in brackets to take a port: '2001:db8::/120:993'",
     "2001:db8::/120:993"},
    {"abcd:1:2", "invalid IPv6 address 'abcd:1:2'", "abcd:1:2"},
    {"2001:db8::zz", "invalid IPv6 address '2001:db8::zz'", "2001:db8::zz"},
    {"2001:db8:::1", "invalid IPv6 address '2001:db8:::1'", "2001:db8:::1"},
    {"[2001:db8::1", "missing ']' in '[2001:db8::1'", "[2001:db8::1"},
    {"[2001:db8::1]x", "unexpected 'x' in '[2001:db8::1]x'", "[2001:db8::1]x"},
    {"[1.2.3.4]:993", "invalid IPv6 address '1.2.3.4'", "[1.2.3.4]:993"},
    {"[]:993", "missing host in '[]:993'", "[]:993"},
    {"[fe80::1%eth0]", "invalid IPv6 address 'fe80::1%eth0'", "[fe80::1%eth0]"},
    /* CIDR */
    {"10.0.0.1/24", "10.0.0.1/24 has host bits set; did you mean 10.0.0.0/24?", "10.0.0.1/24"},
    {"192.168.1.77/20:993", "192.168.1.77/20 has host bits set; did you mean 192.168.0.0/20?",
     "192.168.1.77/20:993"},
    {"1.2.3.4/0", "1.2.3.4/0 has host bits set; did you mean 0.0.0.0/0?", "1.2.3.4/0"},
    {"2001:db8::1/120", "2001:db8::1/120 has host bits set; did you mean 2001:db8::/120?",
     "2001:db8::1/120"},
    {"[2001:db8::c:1/109]", "2001:db8::c:1/109 has host bits set; did you mean 2001:db8::8:0/109?",
     "[2001:db8::c:1/109]"},
    {"10.0.0.0/33", "prefix /33 out of range for IPv4 (0-32) in '10.0.0.0/33'", "10.0.0.0/33"},
    {"2001:db8::/129", "prefix /129 out of range for IPv6 (0-128) in '2001:db8::/129'",
     "2001:db8::/129"},
    {"10.0.0.0/", "missing prefix length in '10.0.0.0/'", "10.0.0.0/"},
    {"10.0.0.0/:993", "missing prefix length in '10.0.0.0/:993'", "10.0.0.0/:993"},
    {"10.0.0.0/2a", "invalid prefix length '2a' in '10.0.0.0/2a'", "10.0.0.0/2a"},
    {"10.0.0.0/24/8", "unexpected '/8' in '10.0.0.0/24/8'", "10.0.0.0/24/8"},
    {"2001:db8::/64", "2001:db8::/64 is too large: 2^64 addresses, at most 2^32", "2001:db8::/64"},
    {"2001:db8::/95", "2001:db8::/95 is too large: 2^33 addresses, at most 2^32", "2001:db8::/95"},
    {"::/0", "::/0 is too large: 2^128 addresses, at most 2^32", "::/0"},
    {"imaps://10.0.0.1/30", "10.0.0.1/30 has host bits set; did you mean 10.0.0.0/30?",
     "imaps://10.0.0.1/30"},
    {"https://1.2.3.4/200", "prefix /200 out of range for IPv4 (0-32) in 'https://1.2.3.4/200'",
     "https://1.2.3.4/200"},
    /* fields: the record keeps the target; the message names the field */
    {"1.2.3.4 foo=bar", "unknown field 'foo'", "1.2.3.4"},
    {"1.2.3.4 SNI=x.test", "unknown field 'SNI'", "1.2.3.4"},
    {"1.2.3.4 extra", "unexpected 'extra' after the target (fields are key=value)", "1.2.3.4"},
    {"1.2.3.4 =x", "missing field name in '=x'", "1.2.3.4"},
    {"1.2.3.4 sni=a..b", "invalid sni name 'a..b': empty label", "1.2.3.4"},
    {"1.2.3.4 sni=1.2.3.4", "sni '1.2.3.4' is an address; SNI takes a host name", "1.2.3.4"},
    {"1.2.3.4 sni=::1", "sni '::1' is an address; SNI takes a host name", "1.2.3.4"},
    {"1.2.3.4 sni=x.test sni=y.test", "duplicate field 'sni'", "1.2.3.4"},
    {"1.2.3.4 sni= sni=", "duplicate field 'sni'", "1.2.3.4"},
    {"1.2.3.4 label=a label=b", "duplicate field 'label'", "1.2.3.4"},
    {"1.2.3.4 label=", "empty label= value", "1.2.3.4"},
    {"1.2.3.4 label=caf\xc3\xa9", "label 'caf\xc3\xa9' has a byte that is not printable ASCII",
     "1.2.3.4"},
    {"1.2.3.4 label=a\x01", "label 'a\x01' has a byte that is not printable ASCII", "1.2.3.4"},
    /* the target's error comes first */
    {"a..b foo=bar", "invalid host name 'a..b': empty label", "a..b"},
};

static void test_errors(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(kErrors) / sizeof(kErrors[0]); i++) {
    const struct error_case *c = &kErrors[i];
    struct target_line l;
    char err[TARGET_ERROR_MAX];
    enum target_parse_result r =
        target_parse_line(c->line, strlen(c->line), &kDefaults, &l, err, sizeof(err));
    if (r != TARGET_PARSE_ERROR) {
      fail_msg("'%s': expected an error, got %d (host '%s' port %u)", c->line, (int)r, l.host,
               l.port);
    }
    if (strcmp(err, c->message) != 0) {
      fail_msg("'%s':\n  got  \"%s\"\n  want \"%s\"", c->line, err, c->message);
    }
    assert_string_equal(l.text, c->text);
    /* Nothing half-parsed survives an error. */
    assert_int_equal(l.port, 0);
    assert_string_equal(l.host, "");
    assert_string_equal(l.label, "");
    assert_int_equal(l.sni_given, 0);
  }
}

static void test_long_line(void **state) {
  (void)state;
  char *line = malloc(5000);
  assert_non_null(line);
  struct target_line l;
  char err[TARGET_ERROR_MAX];

  /* 4096 bytes: a target padded with spaces still parses. */
  memset(line, ' ', 4096);
  memcpy(line, "1.2.3.4", 7);
  assert_int_equal(target_parse_line(line, 4096, &kDefaults, &l, err, sizeof(err)),
                   TARGET_PARSE_OK);
  assert_string_equal(l.host, "1.2.3.4");

  /* One byte more is refused whole, however harmless its content. */
  memset(line, ' ', 4097);
  memcpy(line, "1.2.3.4", 7);
  assert_int_equal(target_parse_line(line, 4097, &kDefaults, &l, err, sizeof(err)),
                   TARGET_PARSE_ERROR);
  assert_string_equal(err, "line too long (4097 bytes, at most 4096)");
  assert_int_equal(strlen(l.text), TARGET_TEXT_MAX - 1);
  assert_memory_equal(l.text, "1.2.3.4 ", 8);
  assert_int_equal(l.port, 0);

  /* A target token that does not fit |text|. */
  memset(line, 'a', 600);
  line[600] = '\0';
  assert_int_equal(target_parse_line(line, 600, &kDefaults, &l, err, sizeof(err)),
                   TARGET_PARSE_ERROR);
  assert_string_equal(err, "target too long (600 bytes, at most 511)");
  assert_int_equal(strlen(l.text), TARGET_TEXT_MAX - 1);

  /* A 300-byte name fits |text| but not DNS. */
  memset(line, 'a', 300);
  for (int i = 50; i < 300; i += 50) {
    line[i] = '.';
  }
  line[300] = '\0';
  assert_int_equal(target_parse_line(line, 300, &kDefaults, &l, err, sizeof(err)),
                   TARGET_PARSE_ERROR);
  assert_non_null(strstr(err, ": longer than 253 bytes"));
  assert_string_equal(l.text, line);

  /* A 64-byte label. */
  memset(line, 'a', 64);
  strcpy(line + 64, ".com");
  assert_int_equal(target_parse_line(line, strlen(line), &kDefaults, &l, err, sizeof(err)),
                   TARGET_PARSE_ERROR);
  assert_non_null(strstr(err, ": label longer than 63 bytes"));

  /* A label of TARGET_LABEL_MAX bytes does not fit. */
  strcpy(line, "1.2.3.4 label=");
  memset(line + 14, 'x', TARGET_LABEL_MAX);
  line[14 + TARGET_LABEL_MAX] = '\0';
  assert_int_equal(target_parse_line(line, strlen(line), &kDefaults, &l, err, sizeof(err)),
                   TARGET_PARSE_ERROR);
  assert_string_equal(err, "label too long (128 bytes, at most 127)");
  free(line);
}

static void test_nul_byte(void **state) {
  (void)state;
  const char line[] = "1.2.3.4\0:993";
  struct target_line l;
  char err[TARGET_ERROR_MAX];
  assert_int_equal(target_parse_line(line, sizeof(line) - 1, &kDefaults, &l, err, sizeof(err)),
                   TARGET_PARSE_ERROR);
  assert_string_equal(err, "NUL byte in line");
  assert_string_equal(l.text, "1.2.3.4");
}

static void test_small_error_buffer(void **state) {
  (void)state;
  struct target_line l;
  char err[8];
  memset(err, 'z', sizeof(err));
  assert_int_equal(target_parse_line("a..b", 4, &kDefaults, &l, err, sizeof(err)),
                   TARGET_PARSE_ERROR);
  assert_string_equal(err, "invalid");
  /* No buffer at all is allowed too. */
  assert_int_equal(target_parse_line("a..b", 4, &kDefaults, &l, NULL, 0), TARGET_PARSE_ERROR);
  assert_string_equal(l.text, "a..b");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ipv4),
      cmocka_unit_test(test_ipv4_port),
      cmocka_unit_test(test_defaults_port),
      cmocka_unit_test(test_ipv6),
      cmocka_unit_test(test_cidr4),
      cmocka_unit_test(test_cidr6),
      cmocka_unit_test(test_cidr_in_url),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_url_schemes),
      cmocka_unit_test(test_url_forms),
      cmocka_unit_test(test_url_tls),
      cmocka_unit_test(test_proto_table),
      cmocka_unit_test(test_fields),
      cmocka_unit_test(test_fields_order_and_space),
      cmocka_unit_test(test_comments_and_blanks),
      cmocka_unit_test(test_length_not_nul_terminated),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_long_line),
      cmocka_unit_test(test_nul_byte),
      cmocka_unit_test(test_small_error_buffer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
