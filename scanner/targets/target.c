/* scanner/targets/target.c: target lines, parsed one at a time and streamed.
 *
 * target_parse_line turns one line of user input into a target_line, or into
 * an error message that names the offending token. It works on views (a
 * pointer and a length) into the caller's line and never allocates. Grammar:
 *
 *   line   := target (field)* ["#" comment]    blank or comment-only: EMPTY
 *   target := scheme "://" addr [path]         path and query are ignored
 *           | addr
 *           | ipv6 ["/" prefix]                bare IPv6 never takes a port
 *   addr   := host ["/" prefix] [":" port]     prefix and port in either order;
 *                                              a prefix only after an address
 *   host   := ipv4 | "[" ipv6 ["/" prefix] "]" | name
 *   field  := "sni=" [name] | "label=" text
 *
 * '#' starts a comment wherever it appears. In a URL, "/digits" straight
 * after an IP-literal host is a CIDR prefix (imaps://10.0.0.0/30); anything
 * else after the host is a path. A token of digits and dots is an IPv4
 * address and must parse as one (no "1.2.3.999" host names), and IPv4 parts
 * with leading zeros are refused because inet_aton would read them as octal.
 * A bare IPv6 literal cannot take a port: "2001:db8::1:993" is an address,
 * and the port needs "[2001:db8::1]:993". When a field is bad, the error
 * names the field and the record keeps the target token as its text, so the
 * user sees which target was lost.
 *
 * target_source streams items from the command line's arguments (line_no 0)
 * and then a file (line_no counts from 1). It holds one getline buffer and one
 * CIDR cursor, so memory depends on the longest line, never on the number of
 * lines. A CIDR block yields every address in increasing order, network and
 * broadcast addresses included, as zmap does unless told otherwise; shuffling
 * the order is scanner/permute.c's business, not this file's. Each item
 * carries its sequence number (target.h), computed from where it was written,
 * so it needs no counter here. */
#include "scanner/targets/target.h"

#include "scanner/base/span.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Lines longer than this are refused whole: no target line is near it, so such
 * a line is a wrong file, not a target. */
static const size_t kLineMax = 4096;

/* After a line this long, the getline buffer is given back, so one huge line
 * does not pin memory for the rest of the input. */
static const size_t kBufKeep = 1 << 16;

/* How much of a token an error message quotes. */
static const int kQuoteMax = 64;


/* span_find returns the index of the first byte of |s| in |set|, or s.len. */
static size_t span_find(struct span s, const char *set) {
  for (size_t i = 0; i < s.len; i++) {
    if (strchr(set, s.p[i]) != NULL && s.p[i] != '\0') {
      return i;
    }
  }
  return s.len;
}

static int span_eq(struct span s, const char *lit) {
  return s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}

/* qlen is the length to print of a token in a message. */
static int qlen(struct span s) { return s.len > (size_t)kQuoteMax ? kQuoteMax : (int)s.len; }

/* digits_value reads a non-empty run of digits, saturating at |cap| + 1 so
 * that "99999999999" is out of range rather than wrapped into range. */
static unsigned long digits_value(struct span s, unsigned long cap) {
  unsigned long v = 0;
  for (size_t i = 0; i < s.len; i++) {
    v = v * 10 + (unsigned long)(s.p[i] - '0');
    if (v > cap) {
      return cap + 1;
    }
  }
  return v;
}

/* check_name validates a DNS host name (letters, digits, '-' and '_' in labels
 * of 1-63 bytes, at most 253 bytes, an optional trailing dot) and writes it
 * lowercased, without the trailing dot, to |out| (TARGET_HOST_MAX bytes).
 * On failure it returns 0 and |*out_why|. */
static int check_name(struct span s, char *out, const char **out_why) {
  if (s.len > 0 && s.p[s.len - 1] == '.') {
    s.len--;
  }
  if (s.len == 0) {
    *out_why = "empty name";
    return 0;
  }
  if (s.len > 253) {
    *out_why = "longer than 253 bytes";
    return 0;
  }
  size_t label_start = 0;
  for (size_t i = 0; i <= s.len; i++) {
    if (i == s.len || s.p[i] == '.') {
      size_t n = i - label_start;
      if (n == 0) {
        *out_why = "empty label";
        return 0;
      }
      if (n > 63) {
        *out_why = "label longer than 63 bytes";
        return 0;
      }
      if (s.p[label_start] == '-' || s.p[i - 1] == '-') {
        *out_why = "label starts or ends with '-'";
        return 0;
      }
      label_start = i + 1;
      continue;
    }
    char c = s.p[i];
    int ok =
        span_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
    if (!ok) {
      *out_why = "character not allowed in a host name";
      return 0;
    }
  }
  for (size_t i = 0; i < s.len; i++) {
    char c = s.p[i];
    out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  out[s.len] = '\0';
  return 1;
}

/* The state of one target_parse_line call. */
struct parser {
  struct span tok; /* the target token, for messages */
  struct target_line *out;
  char *err;
  size_t errcap;
};

static int fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* fail writes the message and returns 0, so callers can `return fail(...)`. */
static int fail(struct parser *ps, const char *fmt, ...) {
  if (ps->errcap > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err, ps->errcap, fmt, ap);
    va_end(ap);
  }
  return 0;
}

static int parse_port(struct parser *ps, struct span s, uint16_t *out) {
  if (s.len == 0) {
    return fail(ps, "missing port in '%.*s'", qlen(ps->tok), ps->tok.p);
  }
  if (!span_is_all_digits(s)) {
    return fail(ps, "invalid port '%.*s' in '%.*s'", qlen(s), s.p, qlen(ps->tok), ps->tok.p);
  }
  unsigned long v = digits_value(s, 65535);
  if (v == 0 || v > 65535) {
    return fail(ps, "port %.*s out of range in '%.*s'", qlen(s), s.p, qlen(ps->tok), ps->tok.p);
  }
  *out = (uint16_t)v;
  return 1;
}

static int parse_prefix(struct parser *ps, struct span s, int v6, uint8_t *out) {
  unsigned max = v6 ? 128 : 32;
  if (s.len == 0) {
    return fail(ps, "missing prefix length in '%.*s'", qlen(ps->tok), ps->tok.p);
  }
  if (!span_is_all_digits(s)) {
    return fail(ps, "invalid prefix length '%.*s' in '%.*s'", qlen(s), s.p, qlen(ps->tok),
                ps->tok.p);
  }
  unsigned long v = digits_value(s, max);
  if (v > max) {
    return fail(ps, "prefix /%.*s out of range for %s (0-%u) in '%.*s'", qlen(s), s.p,
                v6 ? "IPv6" : "IPv4", max, qlen(ps->tok), ps->tok.p);
  }
  *out = (uint8_t)v;
  return 1;
}

/* check_cidr refuses blocks too large to expand and bases with host bits
 * set, naming the base the user probably meant. |written| is the address as
 * the user wrote it. */
static int check_cidr(struct parser *ps, struct span written) {
  struct target_line *out = ps->out;
  int v6 = out->kind == TARGET_CIDR6;
  unsigned total = v6 ? 128 : 32;
  unsigned host_bits = total - out->prefix;
  if (host_bits > TARGET_CIDR_MAX_HOST_BITS) {
    return fail(ps, "%.*s/%u is too large: 2^%u addresses, at most 2^%d", qlen(written), written.p,
                out->prefix, host_bits, TARGET_CIDR_MAX_HOST_BITS);
  }
  int host_bits_set = 0;
  if (v6) {
    for (unsigned i = 0; i < 16; i++) {
      unsigned bit = i * 8;
      uint8_t keep = bit + 8 <= out->prefix ? 0xff
                     : bit >= out->prefix   ? 0
                                            : (uint8_t)(0xff << (8 - (out->prefix - bit)));
      if (out->addr.v6.s6_addr[i] & (uint8_t)~keep) {
        host_bits_set = 1;
        out->addr.v6.s6_addr[i] &= keep;
      }
    }
  } else {
    uint32_t a = ntohl(out->addr.v4.s_addr);
    uint32_t mask = out->prefix == 0 ? 0 : 0xffffffffu << (32 - out->prefix);
    if (a & ~mask) {
      host_bits_set = 1;
      out->addr.v4.s_addr = htonl(a & mask);
    }
  }
  if (host_bits_set) {
    char base[INET6_ADDRSTRLEN];
    inet_ntop(v6 ? AF_INET6 : AF_INET, &out->addr, base, sizeof(base));
    return fail(ps, "%.*s/%u has host bits set; did you mean %s/%u?", qlen(written), written.p,
                out->prefix, base, out->prefix);
  }
  return 1;
}

/* looks_like_ipv6 is true when |s| has two colons or more and starts with
 * what can be an IPv6 group (up to four hex digits, or nothing as in "::1"),
 * so "1.2.3.4:993:5" is read as an address with a bad port. */
static int looks_like_ipv6(struct span s) {
  size_t colons = 0;
  for (size_t i = 0; i < s.len; i++) {
    colons += s.p[i] == ':';
  }
  size_t first = span_find(s, ":");
  if (colons < 2 || first > 4) {
    return 0;
  }
  for (size_t i = 0; i < first; i++) {
    char c = s.p[i];
    if (!span_is_digit(c) && !(c >= 'a' && c <= 'f') && !(c >= 'A' && c <= 'F')) {
      return 0;
    }
  }
  return 1;
}

/* parse_bare_ipv6 handles an unbracketed token with two or more colons before
 * any '/': an IPv6 address or block, which cannot take a port. */
static int parse_bare_ipv6(struct parser *ps, struct span rest) {
  struct target_line *out = ps->out;
  size_t slash = span_find(rest, "/");
  struct span addr = span_sub(rest, 0, slash);
  if (!span_parse_ipv6(addr, &out->addr.v6)) {
    /* "2001:db8::1:70000" or "::ffff:1.2.3.4:993": an address and a port. */
    size_t colon = addr.len;
    while (colon > 0 && addr.p[colon - 1] != ':') {
      colon--;
    }
    struct in6_addr scratch;
    if (colon > 1 && addr.p[colon - 2] != ':' && span_is_all_digits(span_sub(addr, colon, addr.len)) &&
        span_parse_ipv6(span_sub(addr, 0, colon - 1), &scratch)) {
      return fail(ps, "IPv6 address must be in brackets to take a port: '%.*s'", qlen(ps->tok),
                  ps->tok.p);
    }
    return fail(ps, "invalid IPv6 address '%.*s'", qlen(addr), addr.p);
  }
  out->kind = TARGET_IPV6;
  if (slash == rest.len) {
    return 1;
  }
  struct span after = span_sub(rest, slash + 1, rest.len);
  size_t colon = span_find(after, ":");
  if (!parse_prefix(ps, span_sub(after, 0, colon), 1, &out->prefix)) {
    return 0;
  }
  if (colon != after.len) {
    return fail(ps, "IPv6 address must be in brackets to take a port: '%.*s'", qlen(ps->tok),
                ps->tok.p);
  }
  out->kind = TARGET_CIDR6;
  return check_cidr(ps, addr);
}

/* parse_target parses the target token into |ps->out|, except the port and
 * protocol, which it returns through |*out_port| (0: not given),
 * |*out_is_url| and |*out_proto|. */
static int parse_target(struct parser *ps, uint16_t *out_port, int *out_is_url,
                        enum proto *out_proto) {
  struct target_line *out = ps->out;
  struct span rest = ps->tok;
  *out_port = 0;
  *out_is_url = 0;

  for (size_t i = 0; i + 3 <= rest.len; i++) {
    if (memcmp(rest.p + i, "://", 3) == 0) {
      if (i == 0) {
        return fail(ps, "missing scheme before '://' in '%.*s'", qlen(ps->tok), ps->tok.p);
      }
      if (!proto_from_scheme(rest.p, i, out_proto)) {
        return fail(ps, "unknown scheme '%.*s'", qlen(span_sub(rest, 0, i)), rest.p);
      }
      *out_is_url = 1;
      rest = span_sub(rest, i + 3, rest.len);
      break;
    }
  }
  int is_url = *out_is_url;
  /* In a URL, the query ends the authority as a path does. */
  const char *host_end = is_url ? ":/?" : ":/";

  struct span host;
  int bracketed = 0;
  int have_prefix = 0;
  if (rest.len > 0 && rest.p[0] == '[') {
    size_t close = span_find(rest, "]");
    if (close == rest.len) {
      return fail(ps, "missing ']' in '%.*s'", qlen(ps->tok), ps->tok.p);
    }
    host = span_sub(rest, 1, close);
    rest = span_sub(rest, close + 1, rest.len);
    bracketed = 1;
    /* "[2001:db8::/120]" carries its prefix inside the brackets. */
    size_t slash = span_find(host, "/");
    if (slash != host.len) {
      if (!parse_prefix(ps, span_sub(host, slash + 1, host.len), 1, &out->prefix)) {
        return 0;
      }
      host = span_sub(host, 0, slash);
      have_prefix = 1;
    }
  } else {
    struct span authority = span_sub(rest, 0, span_find(rest, is_url ? "/?" : "/"));
    if (looks_like_ipv6(authority)) {
      if (is_url) {
        return fail(ps, "IPv6 address must be in brackets in a URL: '%.*s'", qlen(ps->tok),
                    ps->tok.p);
      }
      return parse_bare_ipv6(ps, rest);
    }
    size_t end = span_find(rest, host_end);
    host = span_sub(rest, 0, end);
    rest = span_sub(rest, end, rest.len);
  }

  if (host.len == 0) {
    return fail(ps, "missing host in '%.*s'", qlen(ps->tok), ps->tok.p);
  }
  int is_ip = 1;
  if (bracketed) {
    if (!span_parse_ipv6(host, &out->addr.v6)) {
      return fail(ps, "invalid IPv6 address '%.*s'", qlen(host), host.p);
    }
    out->kind = TARGET_IPV6;
  } else if (span_is_digits_and_dots(host)) {
    if (!span_parse_ipv4(host, &out->addr.v4)) {
      return fail(ps, "invalid IPv4 address '%.*s'", qlen(host), host.p);
    }
    out->kind = TARGET_IPV4;
  } else {
    const char *why;
    if (!check_name(host, out->host, &why)) {
      return fail(ps, "invalid host name '%.*s': %s", qlen(host), host.p, why);
    }
    out->kind = TARGET_NAME;
    is_ip = 0;
  }

  /* A prefix and a port, in either order: "10.0.0.0/24:993" reads naturally
   * on a line, "imaps://10.0.0.0:993/30" in a URL. */
  for (int round = 0; round < 2 && rest.len > 0; round++) {
    if (rest.p[0] == '/' && !have_prefix) {
      int digit_follows = rest.len > 1 && span_is_digit(rest.p[1]);
      if (is_url && (!is_ip || !digit_follows)) {
        break; /* a path */
      }
      if (!is_ip) {
        return fail(ps, "a CIDR prefix needs an IP address, not '%.*s'", qlen(host), host.p);
      }
      struct span after = span_sub(rest, 1, rest.len);
      size_t end = span_find(after, is_url ? ":/?" : ":/");
      if (!parse_prefix(ps, span_sub(after, 0, end), out->kind == TARGET_IPV6, &out->prefix)) {
        return 0;
      }
      have_prefix = 1;
      rest = span_sub(after, end, after.len);
    } else if (rest.p[0] == ':' && *out_port == 0) {
      struct span after = span_sub(rest, 1, rest.len);
      size_t end = span_find(after, is_url ? "/?" : "/");
      if (!parse_port(ps, span_sub(after, 0, end), out_port)) {
        return 0;
      }
      rest = span_sub(after, end, after.len);
    } else {
      break;
    }
  }
  if (rest.len > 0 && !(is_url && (rest.p[0] == '/' || rest.p[0] == '?'))) {
    return fail(ps, "unexpected '%.*s' in '%.*s'", qlen(rest), rest.p, qlen(ps->tok), ps->tok.p);
  }

  if (have_prefix) {
    out->kind = out->kind == TARGET_IPV6 ? TARGET_CIDR6 : TARGET_CIDR4;
    return check_cidr(ps, host);
  }
  return 1;
}

/* parse_field applies one key=value token after the target. */
static int parse_field(struct parser *ps, struct span tok, int *seen_label) {
  struct target_line *out = ps->out;
  size_t eq = span_find(tok, "=");
  if (eq == tok.len) {
    return fail(ps, "unexpected '%.*s' after the target (fields are key=value)", qlen(tok), tok.p);
  }
  struct span key = span_sub(tok, 0, eq);
  struct span val = span_sub(tok, eq + 1, tok.len);
  if (key.len == 0) {
    return fail(ps, "missing field name in '%.*s'", qlen(tok), tok.p);
  }
  if (span_eq(key, "sni")) {
    if (out->sni_given) {
      return fail(ps, "duplicate field 'sni'");
    }
    out->sni_given = 1;
    if (val.len == 0) {
      return 1; /* sni= asks for no SNI at all */
    }
    /* RFC 6066, section 3: "Literal IPv4 and IPv6 addresses are not
     * permitted in HostName". */
    if (span_is_digits_and_dots(val) || span_find(val, ":") != val.len) {
      return fail(ps, "sni '%.*s' is an address; SNI takes a host name", qlen(val), val.p);
    }
    const char *why;
    if (!check_name(val, out->sni, &why)) {
      return fail(ps, "invalid sni name '%.*s': %s", qlen(val), val.p, why);
    }
    return 1;
  }
  if (span_eq(key, "label")) {
    if (*seen_label) {
      return fail(ps, "duplicate field 'label'");
    }
    *seen_label = 1;
    if (val.len == 0) {
      return fail(ps, "empty label= value");
    }
    if (val.len >= TARGET_LABEL_MAX) {
      return fail(ps, "label too long (%zu bytes, at most %d)", val.len, TARGET_LABEL_MAX - 1);
    }
    for (size_t i = 0; i < val.len; i++) {
      /* Printable ASCII only: a label is a tag to group results by, and
       * plain bytes keep it the same in CSV, JSON and a terminal. */
      if (val.p[i] < 0x21 || val.p[i] > 0x7e) {
        return fail(ps, "label '%.*s' has a byte that is not printable ASCII", qlen(val), val.p);
      }
    }
    memcpy(out->label, val.p, val.len);
    out->label[val.len] = '\0';
    return 1;
  }
  return fail(ps, "unknown field '%.*s'", qlen(key), key.p);
}

/* set_text copies up to TARGET_TEXT_MAX - 1 bytes of |s| into |out->text|. */
static void set_text(struct target_line *out, struct span s) {
  size_t n = s.len < TARGET_TEXT_MAX - 1 ? s.len : TARGET_TEXT_MAX - 1;
  memcpy(out->text, s.p, n);
  out->text[n] = '\0';
}

/* parse_error keeps only |out->text|, so no half-parsed field is mistaken for
 * data. */
static enum target_parse_result parse_error(struct target_line *out) {
  char text[TARGET_TEXT_MAX];
  memcpy(text, out->text, sizeof(text));
  memset(out, 0, sizeof(*out));
  memcpy(out->text, text, sizeof(text));
  return TARGET_PARSE_ERROR;
}

enum target_parse_result target_parse_line(const char *line, size_t len,
                                           const struct target_defaults *defaults,
                                           struct target_line *out, char *err, size_t errcap) {
  memset(out, 0, sizeof(*out));
  if (errcap > 0) {
    err[0] = '\0';
  }
  struct parser ps = {{line, 0}, out, err, errcap};
  struct span rest = {line, len};

  if (len > kLineMax) {
    set_text(out, rest);
    fail(&ps, "line too long (%zu bytes, at most %zu)", len, kLineMax);
    return parse_error(out);
  }
  const char *nul = memchr(line, '\0', len);
  if (nul != NULL) {
    set_text(out, span_sub(rest, 0, (size_t)(nul - line)));
    fail(&ps, "NUL byte in line");
    return parse_error(out);
  }
  rest.len = span_find(rest, "#");

  struct span tok = span_next_token(&rest);
  if (tok.len == 0) {
    return TARGET_PARSE_EMPTY;
  }
  ps.tok = tok;
  set_text(out, tok);
  if (tok.len >= TARGET_TEXT_MAX) {
    fail(&ps, "target too long (%zu bytes, at most %d)", tok.len, TARGET_TEXT_MAX - 1);
    return parse_error(out);
  }

  uint16_t port;
  int is_url;
  enum proto proto = PROTO_TLS;
  if (!parse_target(&ps, &port, &is_url, &proto)) {
    return parse_error(out);
  }
  /* Fields are checked after the target, so an error names the target's
   * first problem; the record keeps the target as its text either way. */
  int seen_label = 0;
  for (struct span field = span_next_token(&rest); field.len > 0;
       field = span_next_token(&rest)) {
    if (!parse_field(&ps, field, &seen_label)) {
      return parse_error(out);
    }
  }

  uint16_t default_port = defaults != NULL && defaults->port != 0 ? defaults->port : 443;
  if (is_url) {
    out->proto = proto;
    if (port == 0) {
      /* tls:// names no service, so it takes the scan's port. */
      port = proto == PROTO_TLS ? default_port : proto_get(proto)->default_port;
    }
  } else {
    if (port == 0) {
      port = default_port;
    }
    out->proto = proto_from_port(port);
  }
  out->port = port;
  if (out->kind != TARGET_NAME) {
    inet_ntop(out->kind == TARGET_IPV4 || out->kind == TARGET_CIDR4 ? AF_INET : AF_INET6,
              &out->addr, out->host, sizeof(out->host));
  }
  return TARGET_PARSE_OK;
}

void target_source_init(struct target_source *src, char *const *args, size_t nargs, FILE *file,
                        const struct target_defaults *defaults) {
  memset(src, 0, sizeof(*src));
  src->args = args;
  src->nargs = args != NULL ? nargs : 0;
  src->file = file;
  src->defaults.port = defaults != NULL && defaults->port != 0 ? defaults->port : 443;
  struct stat st;
  off_t at = file != NULL ? ftello(file) : -1;
  if (file != NULL && fstat(fileno(file), &st) == 0 && S_ISREG(st.st_mode) && at >= 0 &&
      st.st_size > at) {
    src->file_size = (uint64_t)(st.st_size - at);
  }
}

int target_source_estimate(const struct target_source *src, uint64_t *out_total) {
  uint64_t args_left = src->nargs - src->next_arg;
  if (src->file == NULL) {
    *out_total = src->items_read + args_left;
    return 1;
  }
  if (src->file_size == 0 || src->bytes_read == 0) {
    return 0;
  }
  /* The file's targets so far, scaled by the share of its bytes read (a
   * file that grew while read is past 100%: then what was read is the
   * estimate). */
  uint64_t file_total = src->file_items_read;
  if (src->bytes_read < src->file_size) {
    file_total = (uint64_t)((double)src->file_items_read * (double)src->file_size /
                            (double)src->bytes_read);
  }
  *out_total = src->items_read - src->file_items_read + args_left + file_total;
  return 1;
}

/* unit_seq is the sequence number of host 0 of the argument |arg_no|
 * (1-based), or of the file's line |line_no| when |arg_no| is 0. */
static uint64_t unit_seq(const struct target_source *src, unsigned long arg_no,
                         unsigned long line_no) {
  uint64_t unit = arg_no != 0 ? arg_no : (uint64_t)src->nargs + line_no;
  return unit << 32;
}

/* cidr_item fills |out| with address number |index| of the block. The base
 * has its host bits zero and |index| fits in them, so OR-ing the index into
 * the low 32 bits is the addition. */
void target_line_block_host(struct target_line *l, uint64_t index) {
  uint32_t low = (uint32_t)index;
  if (l->kind == TARGET_CIDR4) {
    l->kind = TARGET_IPV4;
    l->addr.v4.s_addr = htonl(ntohl(l->addr.v4.s_addr) | low);
    inet_ntop(AF_INET, &l->addr.v4, l->host, sizeof(l->host));
  } else {
    l->kind = TARGET_IPV6;
    for (int i = 0; i < 4; i++) {
      l->addr.v6.s6_addr[15 - i] |= (uint8_t)(low >> (8 * i));
    }
    inet_ntop(AF_INET6, &l->addr.v6, l->host, sizeof(l->host));
  }
}

static void cidr_item(const struct target_source *src, uint64_t index, struct target_item *out) {
  out->type = TARGET_ITEM_TARGET;
  out->line_no = src->cidr_line_no;
  out->arg_no = src->cidr_arg_no;
  out->seq = unit_seq(src, src->cidr_arg_no, src->cidr_line_no) | (uint32_t)index;
  out->line = src->cidr;
  out->error[0] = '\0';
  target_line_block_host(&out->line, index);
}

/* read_line returns the file's next line without its line ending, or 0 at
 * the end of the file or on a read error. */
static int read_line(struct target_source *src, struct span *out) {
  if (src->buf != NULL && src->bufcap > kBufKeep) {
    free(src->buf);
    src->buf = NULL;
    src->bufcap = 0;
  }
  ssize_t n = getline(&src->buf, &src->bufcap, src->file);
  if (n < 0) {
    /* Stop reading: a terminal would block again for another end-of-file. */
    src->file = NULL;
    return 0;
  }
  src->line_no++;
  src->bytes_read += (uint64_t)n;
  size_t len = (size_t)n;
  if (len > 0 && src->buf[len - 1] == '\n') {
    len--;
  }
  if (len > 0 && src->buf[len - 1] == '\r') {
    len--;
  }
  out->p = src->buf;
  out->len = len;
  return 1;
}

int target_source_next(struct target_source *src, struct target_item *out) {
  /* Each pass hands out a block address or consumes an argument or a line. */
  while (src->in_cidr || src->next_arg < src->nargs || src->file != NULL) {
    if (src->in_cidr) {
      if (src->cidr_next < src->cidr_count) {
        cidr_item(src, src->cidr_next++, out);
        return 1;
      }
      src->in_cidr = 0;
      continue;
    }
    struct span line;
    unsigned long arg_no = 0;
    if (src->next_arg < src->nargs) {
      arg_no = src->next_arg + 1;
      const char *arg = src->args[src->next_arg++];
      if (arg == NULL) {
        continue;
      }
      line.p = arg;
      line.len = strlen(arg);
    } else if (!read_line(src, &line)) {
      break;
    }
    memset(out, 0, sizeof(*out));
    out->line_no = arg_no ? 0 : src->line_no;
    out->arg_no = arg_no;
    out->seq = unit_seq(src, arg_no, out->line_no);
    enum target_parse_result r = target_parse_line(line.p, line.len, &src->defaults, &out->line,
                                                   out->error, sizeof(out->error));
    if (r == TARGET_PARSE_EMPTY) {
      continue;
    }
    uint64_t items = 1;
    if (r == TARGET_PARSE_ERROR) {
      out->type = TARGET_ITEM_INVALID;
    } else if (out->line.kind == TARGET_CIDR4 || out->line.kind == TARGET_CIDR6) {
      unsigned total = out->line.kind == TARGET_CIDR4 ? 32 : 128;
      src->cidr = out->line;
      src->cidr_line_no = out->line_no;
      src->cidr_arg_no = out->arg_no;
      src->cidr_next = 0;
      src->cidr_count = (uint64_t)1 << (total - out->line.prefix);
      src->in_cidr = 1;
      items = src->cidr_count;
    } else {
      out->type = TARGET_ITEM_TARGET;
    }
    src->items_read += items;
    src->file_items_read += arg_no == 0 ? items : 0;
    if (!src->in_cidr) {
      return 1;
    }
  }
  return 0;
}

void target_source_free(struct target_source *src) {
  free(src->buf);
  src->buf = NULL;
  src->bufcap = 0;
}
