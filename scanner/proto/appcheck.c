/* scanner/proto/appcheck.c: the first application exchange after a confirmation handshake.
 *
 * A protocol family (SMTP, IMAP, POP3, FTP, HTTP) is one entry of a const
 * table: how the server's first bytes must look, a line handler, and where
 * the check starts when TLS came first on the wire (the server greets inside
 * TLS) and when a STARTTLS dialogue took the greeting (the client speaks
 * next: RFC 3207 4.2, RFC 2595 4, RFC 4217 and RFC 9051 6.2.1 all discard
 * what was learnt before TLS, so asking again is the natural next step).
 * Each stage waits for one server reply; a stage that needs a command first
 * builds it when it is entered, so nothing is sent before the reply that
 * allows it. The bytes go through the plaintext driver (plaintext.h) into
 * a->in, which holds the whole reply being read (every line of a multi-line
 * SMTP or FTP reply, the untagged IMAP lines before the tagged one), so one
 * bound covers lines and replies. The machine moves one byte at a time and
 * stops at the byte that decides, so a stream fed whole or in any pieces
 * gives the same steps and bytes after the verdict are not consumed. The
 * verdicts, per protocol:
 * - POP3 (RFC 1939 4, RFC 2449 5): greeting or the first line of the CAPA
 *   answer: +OK ok, -ERR refused. The rest of the CAPA list is not read.
 * - IMAP (RFC 9051 7.1): greeting * OK or * PREAUTH ok; * BYE refused, at
 *   the greeting or before the tagged answer to "a2 CAPABILITY"; a2 OK ok,
 *   a2 NO or a2 BAD refused.
 * - SMTP (RFC 5321 3.1, 4.1.1.1): greeting 220, then EHLO, whose 250 is ok;
 *   4xx or 5xx at either refused (Exchange's 421 4.7.66).
 * - FTP (RFC 959 5.4, RFC 2389 3): greeting 220 ok (a 120 "wait" first is
 *   skipped); FEAT 211 ok, and 500 or 502 (FEAT unknown) ok too, since the
 *   session answers; other 4xx or 5xx refused.
 * - HTTP (RFC 9112 4): any status line answering HEAD / is ok, with its
 *   status kept; anything else is not_http.
 * A reply in the protocol's shape with a code or word it does not allow
 * there is a protocol error; first bytes not in its shape are not_<proto>,
 * with the first line kept (binary first bytes at once). */
#include "scanner/proto/appcheck.h"

#include "scanner/proto/mailtext.h"
#include "scanner/proto/plaintext.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tlsparse/bytes.h"

/* What the check waits for. */
enum stage {
  STAGE_NONE,       /* no check for this protocol */
  STAGE_GREETING,   /* the server's greeting */
  STAGE_EHLO,       /* SMTP: the reply to EHLO */
  STAGE_CAPABILITY, /* IMAP: the answer to "a2 CAPABILITY" */
  STAGE_CAPA,       /* POP3: the answer to CAPA */
  STAGE_FEAT,       /* FTP: the reply to FEAT */
  STAGE_HEAD,       /* HTTP: the status line answering HEAD / */
  STAGE_COUNT,
};

/* The name we send: host-name characters only, so no CR or LF can reach a
 * command line or a header. */
#define DEFAULT_NAME "tlssweep.invalid"

/* Our one IMAP command's tag; the STARTTLS dialogue used a1. */
static const char kImapCapability[] = "a2 CAPABILITY\r\n";
static const char kImapTag[] = "a2 ";
static const char kHeadStart[] = "HEAD / HTTP/1.1\r\nHost: ";
static const char kHeadEnd[] = "\r\nConnection: close\r\n\r\n";

_Static_assert(sizeof(kHeadStart) - 1 + MT_HOST_NAME_MAX + sizeof(kHeadEnd) - 1 <=
                   APPCHECK_OUT_MAX,
               "HEAD fits APPCHECK_OUT_MAX");
_Static_assert(sizeof("EHLO \r\n") - 1 + MT_HOST_NAME_MAX <= APPCHECK_OUT_MAX,
               "EHLO fits APPCHECK_OUT_MAX");

struct family {
  const char *not_proto_name; /* the verdict's name when the server speaks something else */
  enum stage tls_first;       /* the first stage when TLS came first on the wire */
  enum stage after_starttls;  /* the first stage when a dialogue took the greeting */
  /* first_bytes judges the start of the server's first reply. */
  pt_judge first_bytes;
  /* on_line gets one complete line without its CRLF or LF. */
  enum appcheck_step (*on_line)(struct appcheck *a, const uint8_t *text, size_t len);
};

static const struct family *family_of(enum proto proto);

/* ---- Verdicts and commands ---- */

static int final(const struct appcheck *a) { return a->result != APP_PENDING; }

/* decide ends the check with |result|, keeping |len| bytes at |text|
 * (bounded) as the reply. */
static enum appcheck_step decide(struct appcheck *a, enum appcheck_result result,
                                 const uint8_t *text, size_t len) {
  a->reply_len = pt_keep(a->reply, text, len);
  a->result = result;
  return APPCHECK_DONE;
}

/* decide_on_reply keeps the first line of the reply read so far, without
 * its line end (all of it if no line has ended). */
static enum appcheck_step decide_on_reply(struct appcheck *a, enum appcheck_result result) {
  return decide(a, result, a->in.buf, pt_first_line_len(&a->in));
}

/* decide_on_code ends the check on a complete SMTP or FTP reply. */
static enum appcheck_step decide_on_code(struct appcheck *a, enum appcheck_result result,
                                         unsigned code) {
  a->code = code;
  return decide_on_reply(a, result);
}

/* say moves to |next|, builds the command that stage answers, and starts
 * reading a new reply. */
static enum appcheck_step say(struct appcheck *a, enum stage next) {
  tp_cbb cbb;
  tp_cbb_init(&cbb, a->out, sizeof(a->out));
  switch (next) {
    case STAGE_EHLO:
      mt_out_text(&cbb, "EHLO ");
      mt_out_text(&cbb, a->name);
      mt_out_text(&cbb, "\r\n");
      break;
    case STAGE_CAPABILITY:
      mt_out_text(&cbb, kImapCapability);
      break;
    case STAGE_CAPA:
      mt_out_text(&cbb, "CAPA\r\n");
      break;
    case STAGE_FEAT:
      mt_out_text(&cbb, "FEAT\r\n");
      break;
    case STAGE_HEAD:
      mt_out_text(&cbb, kHeadStart);
      mt_out_text(&cbb, a->name);
      mt_out_text(&cbb, kHeadEnd);
      break;
    case STAGE_NONE:
    case STAGE_GREETING:
    case STAGE_COUNT:
      break;
  }
  size_t len;
  a->state = (int)next;
  pt_clear(&a->in);
  a->multiline.code = 0;
  if (!tp_cbb_finish(&cbb, &len) || len == 0) {
    /* Unreachable: the static assertions above bound every command. */
    a->out_len = 0;
    return decide(a, APP_TOO_LONG, a->in.buf, 0);
  }
  a->out_len = len;
  return APPCHECK_SEND;
}

/* ---- SMTP and FTP replies (RFC 5321 4.2, RFC 959 4.2) ---- */

/* negative: 4xx and 5xx refuse; any other code where it is not expected
 * breaks the protocol. */
static enum appcheck_step negative(struct appcheck *a, unsigned code) {
  return decide_on_code(a, code >= 400 ? APP_REFUSED : APP_PROTOCOL_ERROR, code);
}

/* ---- SMTP (RFC 5321, RFC 3207) ---- */

static enum appcheck_step smtp_reply(struct appcheck *a, unsigned code) {
  if (a->state == STAGE_GREETING) {
    /* RFC 5321 3.1: 554 instead of 220, 421 when the service is closing. */
    return code == 220 ? say(a, STAGE_EHLO) : negative(a, code);
  }
  return code == 250 ? decide_on_code(a, APP_OK, code) : negative(a, code);
}

/* reply_line acts on a complete SMTP or FTP reply (see mt_reply_line). */
static enum appcheck_step reply_line(struct appcheck *a, int loose, const uint8_t *l, size_t len,
                                     enum appcheck_step (*on_reply)(struct appcheck *, unsigned)) {
  unsigned code;
  switch (mt_reply_line(&a->multiline, loose, l, len, &code)) {
    case MT_REPLY_MORE:
      return APPCHECK_NEED_MORE;
    case MT_REPLY_END:
      return on_reply(a, code);
    case MT_REPLY_BAD:
      break;
  }
  return decide_on_reply(a, APP_PROTOCOL_ERROR);
}

static enum appcheck_step smtp_line(struct appcheck *a, const uint8_t *l, size_t len) {
  return reply_line(a, 0, l, len, smtp_reply);
}

/* ---- FTP (RFC 959, RFC 2389) ---- */

static enum appcheck_step ftp_reply(struct appcheck *a, unsigned code) {
  if (a->state == STAGE_GREETING) {
    if (code == 220) {
      return decide_on_code(a, APP_OK, code);
    }
    if (code < 200) {
      /* RFC 959 5.4: 120 "ready in nnn minutes" comes before the 220. */
      pt_clear(&a->in);
      return APPCHECK_NEED_MORE;
    }
    return negative(a, code);
  }
  /* RFC 2389 3: a server without FEAT answers 500 or 502; it still talks. */
  if (code == 211 || code == 500 || code == 502) {
    return decide_on_code(a, APP_OK, code);
  }
  return negative(a, code);
}

/* ftp_line: the lines inside a reply may be any text, such as FEAT's
 * " AUTH TLS". */
static enum appcheck_step ftp_line(struct appcheck *a, const uint8_t *l, size_t len) {
  return reply_line(a, 1, l, len, ftp_reply);
}

/* ---- IMAP (RFC 9051, RFC 3501) ---- */

/* imap_prefix: an untagged "* ", our tag, or a continuation "+ ". */
static enum prefix imap_prefix(const uint8_t *b, size_t len) {
  return pt_literal_prefix(b, len, b[0] == '*' ? "* " : b[0] == '+' ? "+ " : kImapTag);
}

static enum appcheck_step imap_line(struct appcheck *a, const uint8_t *l, size_t len) {
  if (len >= 2 && l[0] == '*' && l[1] == ' ') {
    const uint8_t *status = l + 2;
    size_t status_len = len - 2;
    /* RFC 9051 7.1.5: BYE at the greeting or at any time before logout. */
    if (mt_word_is(status, status_len, "BYE")) {
      return decide(a, APP_REFUSED, l, len);
    }
    if (a->state == STAGE_GREETING) {
      /* RFC 9051 7.1.1, 7.1.4. */
      int ok = mt_word_is(status, status_len, "OK") || mt_word_is(status, status_len, "PREAUTH");
      return decide(a, ok ? APP_OK : APP_PROTOCOL_ERROR, l, len);
    }
    /* The CAPABILITY data, or other untagged data (RFC 9051 2.2.2). */
    return APPCHECK_NEED_MORE;
  }
  size_t tag_len = strlen(kImapTag);
  if (a->state == STAGE_CAPABILITY && len >= tag_len && memcmp(l, kImapTag, tag_len) == 0) {
    const uint8_t *status = l + tag_len;
    size_t status_len = len - tag_len;
    if (mt_word_is(status, status_len, "OK")) {
      return decide(a, APP_OK, l, len);
    }
    if (mt_word_is(status, status_len, "NO") || mt_word_is(status, status_len, "BAD")) {
      return decide(a, APP_REFUSED, l, len);
    }
  }
  return decide(a, APP_PROTOCOL_ERROR, l, len);
}

/* ---- POP3 (RFC 1939, RFC 2449) ---- */

/* pop3_line decides on the status of the first line; CAPA's list after a
 * +OK is left unread. */
static enum appcheck_step pop3_line(struct appcheck *a, const uint8_t *l, size_t len) {
  if (mt_word_is(l, len, "+OK")) {
    return decide(a, APP_OK, l, len);
  }
  return decide(a, mt_word_is(l, len, "-ERR") ? APP_REFUSED : APP_PROTOCOL_ERROR, l, len);
}

/* ---- HTTP/1.1 (RFC 9112) ---- */

static const char kHttpName[] = "HTTP/";

/* http_prefix: the HTTP-name is case-sensitive (RFC 9112 2.3). */
static enum prefix http_prefix(const uint8_t *b, size_t len) {
  return pt_literal_prefix(b, len, kHttpName);
}

/* http_status reads a status-line (RFC 9112 4):
 *   HTTP-version SP status-code SP [ reason-phrase ]
 * with HTTP-version "HTTP/" DIGIT "." DIGIT and a status code of 100 to 599
 * (RFC 9110 15). The SP before an empty reason is often left out: allowed. */
static int http_status(const uint8_t *l, size_t len, unsigned *status) {
  static const size_t kCode = sizeof("HTTP/1.1 ") - 1;
  if (len < kCode + 3 || http_prefix(l, len) != PREFIX_OK || !mt_is_digit(l[5]) || l[6] != '.' ||
      !mt_is_digit(l[7]) || l[8] != ' ') {
    return 0;
  }
  const uint8_t *c = l + kCode;
  if (c[0] < '1' || c[0] > '5' || !mt_is_digit(c[1]) || !mt_is_digit(c[2])) {
    return 0;
  }
  if (len > kCode + 3 && c[3] != ' ') {
    return 0;
  }
  *status = (unsigned)(c[0] - '0') * 100 + (unsigned)(c[1] - '0') * 10 + (unsigned)(c[2] - '0');
  return 1;
}

static enum appcheck_step http_line(struct appcheck *a, const uint8_t *l, size_t len) {
  unsigned status;
  if (!http_status(l, len, &status)) {
    return decide(a, APP_NOT_PROTO, l, len);
  }
  a->code = status;
  return decide(a, APP_OK, l, len);
}

/* ---- The table and the driver ---- */

enum family_id { FAMILY_NONE, FAMILY_SMTP, FAMILY_IMAP, FAMILY_POP3, FAMILY_FTP, FAMILY_HTTP };

static const struct family kFamilies[] = {
    [FAMILY_NONE] = {"not_proto", STAGE_NONE, STAGE_NONE, NULL, NULL},
    [FAMILY_SMTP] = {"not_smtp", STAGE_GREETING, STAGE_EHLO, mt_reply_prefix, smtp_line},
    [FAMILY_IMAP] = {"not_imap", STAGE_GREETING, STAGE_CAPABILITY, imap_prefix, imap_line},
    [FAMILY_POP3] = {"not_pop3", STAGE_GREETING, STAGE_CAPA, mt_pop3_prefix, pop3_line},
    [FAMILY_FTP] = {"not_ftp", STAGE_GREETING, STAGE_FEAT, mt_reply_prefix, ftp_line},
    [FAMILY_HTTP] = {"not_http", STAGE_HEAD, STAGE_HEAD, http_prefix, http_line},
};

/* Protocols missing here have no check: bare TLS (we do not know what
 * speaks), and LDAP, XMPP and PostgreSQL, where a check would need a bind,
 * a stream or a startup packet rather than one harmless line. */
static const enum family_id kFamilyOf[PROTO_COUNT] = {
    [PROTO_HTTPS] = FAMILY_HTTP, [PROTO_IMAPS] = FAMILY_IMAP, [PROTO_POP3S] = FAMILY_POP3,
    [PROTO_SMTPS] = FAMILY_SMTP, [PROTO_FTPS] = FAMILY_FTP,   [PROTO_IMAP] = FAMILY_IMAP,
    [PROTO_POP3] = FAMILY_POP3,  [PROTO_SMTP] = FAMILY_SMTP,  [PROTO_SUBMISSION] = FAMILY_SMTP,
    [PROTO_FTP] = FAMILY_FTP,
};

static const struct family *family_of(enum proto proto) {
  if ((unsigned)proto >= PROTO_COUNT) {
    return &kFamilies[FAMILY_NONE];
  }
  return &kFamilies[kFamilyOf[proto]];
}

_Static_assert(APPCHECK_NEED_MORE == 0, "pt_feed's 'need more' is 0");

/* take_byte is the plaintext driver's hook: one server byte, one step. */
static int take_byte(void *machine, uint8_t b) {
  struct appcheck *a = machine;
  const struct family *f = family_of(a->proto);
  const uint8_t *line;
  size_t len;
  switch (pt_take(&a->in, f->first_bytes, b)) {
    case PT_FULL:
      return decide_on_reply(a, APP_TOO_LONG);
    case PT_FOREIGN:
      return decide_on_reply(a, APP_NOT_PROTO);
    case PT_BINARY:
      return decide(a, APP_NOT_PROTO, a->in.buf, a->in.len);
    case PT_FOREIGN_MORE:
      return APPCHECK_NEED_MORE;
    case PT_TAKEN:
      break;
  }
  return pt_line_end(&a->in, &line, &len) ? f->on_line(a, line, len) : APPCHECK_NEED_MORE;
}

void appcheck_init(struct appcheck *a, enum proto proto, int after_starttls, const char *name) {
  mt_host_name_or(a->name, name, DEFAULT_NAME);
  const struct family *f = family_of(proto);
  a->proto = proto;
  a->state = (int)(after_starttls ? f->after_starttls : f->tls_first);
  a->flags = 0;
  a->multiline.code = 0;
  a->result = a->state == STAGE_NONE ? APP_UNCHECKED : APP_PENDING;
  a->code = 0;
  pt_start(&a->in);
  a->reply_len = 0;
  a->out_len = 0;
}

enum appcheck_step appcheck_begin(struct appcheck *a) {
  if (final(a)) {
    return APPCHECK_DONE;
  }
  if (a->state == STAGE_GREETING) {
    return APPCHECK_NEED_MORE;
  }
  return say(a, (enum stage)a->state);
}

enum appcheck_step appcheck_feed(struct appcheck *a, const uint8_t *data, size_t len,
                                 size_t *consumed) {
  *consumed = 0;
  if (final(a)) {
    return APPCHECK_DONE;
  }
  return (enum appcheck_step)pt_feed(data, len, take_byte, a, consumed);
}

enum appcheck_step appcheck_eof(struct appcheck *a) {
  if (final(a)) {
    return APPCHECK_DONE;
  }
  return decide_on_reply(a, pt_foreign(&a->in) ? APP_NOT_PROTO : APP_CLOSED);
}

const uint8_t *appcheck_output(const struct appcheck *a, size_t *len) {
  *len = a->out_len;
  return a->out;
}

enum appcheck_result appcheck_result(const struct appcheck *a) { return a->result; }

const char *appcheck_result_name(const struct appcheck *a) {
  switch (a->result) {
    case APP_PENDING:
      return "pending";
    case APP_UNCHECKED:
      return "unchecked";
    case APP_OK:
      return "ok";
    case APP_REFUSED:
      return "refused";
    case APP_CLOSED:
      return "closed";
    case APP_NOT_PROTO:
      return family_of(a->proto)->not_proto_name;
    case APP_PROTOCOL_ERROR:
      return "protocol_error";
    case APP_TOO_LONG:
      return "too_long";
  }
  return "unknown";
}

const char *appcheck_stage_name(const struct appcheck *a) {
  static const char *const kNames[STAGE_COUNT] = {
      [STAGE_NONE] = "none", [STAGE_GREETING] = "greeting",
      [STAGE_EHLO] = "ehlo", [STAGE_CAPABILITY] = "capability",
      [STAGE_CAPA] = "capa", [STAGE_FEAT] = "feat",
      [STAGE_HEAD] = "head",
  };
  if (a->state < 0 || a->state >= STAGE_COUNT) {
    return "unknown";
  }
  return kNames[a->state];
}

const uint8_t *appcheck_reply(const struct appcheck *a, size_t *len) {
  *len = a->reply_len;
  return a->reply;
}

unsigned appcheck_code(const struct appcheck *a) { return a->code; }
