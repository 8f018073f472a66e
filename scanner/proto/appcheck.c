/* scanner/proto/appcheck.c: the first application exchange after a confirmation handshake.
 *
 * A protocol family (SMTP, IMAP, POP3, FTP, HTTP, LDAP, XMPP, PostgreSQL)
 * is one entry of a const table: how the server's first bytes must look, a
 * byte handler (a line handler for the line protocols), and where the check
 * starts when TLS came first on the wire (the server greets inside TLS) and
 * when a STARTTLS dialogue took the greeting (the client speaks next: RFC
 * 3207 4.2, RFC 2595 4, RFC 4217 and RFC 9051 6.2.1 all discard what was
 * learnt before TLS, so asking again is the natural next step; RFC 6120
 * 5.4.3.3 restarts the XMPP stream). LDAP, XMPP and PostgreSQL clients speak
 * first either way.
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
 * - LDAP (RFC 4511 4.12, RFC 4532): the ExtendedResponse to "Who am I?":
 *   success ok, and so are the codes that answer the request rather than
 *   the session (see ldap_answered); other codes, and a Notice of
 *   Disconnection, refused. The resultCode is the code, the
 *   diagnosticMessage the reply.
 * - XMPP (RFC 6120 4.3.2): the restarted stream's features complete are
 *   ok, kept from their start; a <stream:error> refused.
 * - PostgreSQL (protocol 3, "Start-up"): an authentication request answering
 *   the StartupMessage is ok (its type is the code); an ErrorResponse about
 *   who asks is ok too (see pg_answered), any other refused; either is kept
 *   as "severity SQLSTATE message". NoticeResponse and
 *   NegotiateProtocolVersion before the answer are skipped.
 * A reply in the protocol's shape with a code or word it does not allow
 * there is a protocol error; first bytes not in its shape are not_<proto>,
 * with the first line kept (binary first bytes at once). */
#include "scanner/proto/appcheck.h"

#include "scanner/proto/ldapmsg.h"
#include "scanner/proto/mailtext.h"
#include "scanner/proto/pgmsg.h"
#include "scanner/proto/plaintext.h"
#include "scanner/proto/xmppstream.h"

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
  STAGE_WHOAMI,     /* LDAP: the ExtendedResponse to "Who am I?" */
  STAGE_STREAM,     /* XMPP: the server's restarted stream header */
  STAGE_FEATURES,   /* XMPP: its <stream:features> */
  STAGE_STARTUP,    /* PostgreSQL: the answer to the StartupMessage */
  STAGE_COUNT,
};

/* The name we send: host-name characters only, so no CR, LF or quote can
 * reach a command line, a header or an XML attribute. */
#define DEFAULT_NAME "tlssweep.invalid"

/* Our LDAP request's messageID; StartTLS was 1. */
#define LDAP_WHOAMI_ID 2

/* StartupMessage (protocol 3.0) for a user no server should have; the
 * database defaults to the user's name. */
static const uint8_t kPgStartup[] =
    "\x00\x00\x00\x31"            /* Int32 length, 49, counting itself */
    "\x00\x03\x00\x00"            /* Int32 protocol 3.0 */
    "user\0tlssweep\0"              /* the parameters, and the list's final */
    "application_name\0tlssweep\0"; /* 0: the literal's own */
_Static_assert(sizeof(kPgStartup) == 49, "the StartupMessage's length");

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
_Static_assert(XMPP_HEADER_FIXED_LEN + MT_HOST_NAME_MAX <= APPCHECK_OUT_MAX,
               "the XMPP stream header fits APPCHECK_OUT_MAX");

struct family {
  const char *not_proto_name; /* the verdict's name when the server speaks something else */
  const char *default_name;   /* the name sent when none (or no host name) is given */
  enum stage tls_first;       /* the first stage when TLS came first on the wire */
  enum stage after_starttls;  /* the first stage when a dialogue took the greeting */
  /* first_bytes judges the start of the server's first reply. */
  pt_judge first_bytes;
  /* on_byte reads the newest byte, at a->in.buf[a->in.len - 1]. */
  enum appcheck_step (*on_byte)(struct appcheck *a);
  /* on_line (line protocols) gets one complete line without its CRLF or LF. */
  enum appcheck_step (*on_line)(struct appcheck *a, const uint8_t *text, size_t len);
};

static const struct family *family_of(enum proto proto);

/* ---- Verdicts and commands ---- */

static int final(const struct appcheck *a) { return a->result != APP_PENDING; }

/* decide ends the check with |result|, keeping the first line of the |len|
 * bytes at |text| (bounded, without its line end) as the reply. */
static enum appcheck_step decide(struct appcheck *a, enum appcheck_result result,
                                 const uint8_t *text, size_t len) {
  a->reply_len = pt_keep(a->reply, text, pt_line_len(text, len));
  a->result = result;
  return APPCHECK_DONE;
}

/* decide_on_reply keeps the first line of the reply read so far. */
static enum appcheck_step decide_on_reply(struct appcheck *a, enum appcheck_result result) {
  return decide(a, result, a->in.buf, a->in.len);
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
    case STAGE_WHOAMI:
      ldap_extended_request(&cbb, LDAP_WHOAMI_ID, LDAP_OID_WHOAMI);
      break;
    case STAGE_STREAM:
      xmpp_stream_header(&cbb, a->name);
      break;
    case STAGE_STARTUP:
      tp_cbb_add_bytes(&cbb, kPgStartup, sizeof(kPgStartup));
      break;
    case STAGE_NONE:
    case STAGE_GREETING:
    case STAGE_FEATURES:
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

/* ---- Binary and XML protocols ---- */

/* unframed is the step for a message that is not all there, or whose
 * length is wrong. */
static enum appcheck_step unframed(struct appcheck *a, enum pt_frame frame) {
  if (frame == PT_FRAME_MORE) {
    return APPCHECK_NEED_MORE;
  }
  return decide_on_reply(a, frame == PT_FRAME_TOO_LONG ? APP_TOO_LONG : APP_PROTOCOL_ERROR);
}

/* ---- LDAP (RFC 4511, RFC 4532) ---- */

/* ldap_answered: result codes that answer the request, or say what the
 * server thinks of who asks: success; protocolError from a server without
 * the operation (RFC 4511 4.12: as with FTP's 502 to FEAT, the session
 * answers); inappropriateAuthentication, invalidCredentials,
 * insufficientAccessRights and unwillingToPerform (48 to 50, 53: 389-ds and
 * slapd's "require authc" turn an anonymous "Who am I?" away so, on every
 * TLS version alike). The other codes speak of the session itself, its
 * protection or the service (strongerAuthRequired 8, confidentialityRequired
 * 13, busy 51, unavailable 52, other 80 ...): refused. */
static int ldap_answered(uint32_t code) {
  return code == LDAP_SUCCESS || code == LDAP_PROTOCOL_ERROR || (code >= 48 && code <= 50) ||
         code == 53;
}

static enum appcheck_step ldap_byte(struct appcheck *a) {
  enum pt_frame frame = ldap_frame(a->in.buf, a->in.len, APPCHECK_LINE_MAX);
  if (frame != PT_FRAME_DONE) {
    return unframed(a, frame);
  }
  struct ldap_result res;
  if (!ldap_extended_response(a->in.buf, a->in.len, &res) ||
      (res.message_id != LDAP_WHOAMI_ID && res.message_id != 0)) {
    return decide(a, APP_PROTOCOL_ERROR, a->in.buf, 0);
  }
  /* messageID 0 is an unsolicited notification (RFC 4511 4.4), such as the
   * Notice of Disconnection a server sends before it hangs up. */
  a->code = res.code;
  return decide(a, res.message_id != 0 && ldap_answered(res.code) ? APP_OK : APP_REFUSED,
                res.diagnostic.data, res.diagnostic.len);
}

/* ---- XMPP (RFC 6120) ---- */

static enum appcheck_step xmpp_byte(struct appcheck *a) {
  struct xml_tag tag;
  switch (xmpp_read(&a->xmpp, &a->in, &tag)) {
    case XMPP_STREAM_ERROR:
      return decide_on_reply(a, APP_REFUSED);
    case XMPP_NOT_STREAM:
      return decide_on_reply(a, APP_NOT_PROTO);
    case XMPP_STREAM:
      a->state = STAGE_FEATURES;
      pt_clear(&a->in);
      return APPCHECK_NEED_MORE;
    case XMPP_FEATURES: {
      /* Kept from their first tag: whitespace may come before. */
      const uint8_t *lt = memchr(a->in.buf, '<', a->in.len);
      return decide(a, APP_OK, lt, a->in.len - (size_t)(lt - a->in.buf));
    }
    case XMPP_MORE:
    case XMPP_FEATURE:
    case XMPP_ELEMENT:
      break;
  }
  return APPCHECK_NEED_MORE;
}

/* ---- PostgreSQL (protocol 3, "Start-up") ---- */

/* The first answers to a StartupMessage: an authentication request,
 * an ErrorResponse, and before them a NoticeResponse or a
 * NegotiateProtocolVersion. */
static enum prefix pg_prefix(const uint8_t *b, size_t len) {
  return pt_first_byte_in(b, len, "REvN");
}

/* pg_auth: AuthenticationRequest, Int32 type (Ok 0, KerberosV5 2,
 * CleartextPassword 3, MD5Password 5, GSS 7, SSPI 9, SASL 10): the server
 * read the StartupMessage and asks to authenticate. SASL's first mechanism
 * is kept. */
static enum appcheck_step pg_auth(struct appcheck *a) {
  tp_cbs body;
  uint16_t high, low;
  pg_body(a->in.buf, a->in.len, &body);
  if (!tp_cbs_get_u16(&body, &high) || !tp_cbs_get_u16(&body, &low) || high != 0 ||
      !(low == 0 || low == 2 || low == 3 || low == 5 || low == 7 || low == 9 || low == 10)) {
    return decide(a, APP_PROTOCOL_ERROR, a->in.buf, 0);
  }
  a->code = low;
  const uint8_t *nul = low == 10 ? memchr(body.data, 0, body.len) : NULL;
  return decide(a, APP_OK, body.data, nul != NULL ? (size_t)(nul - body.data) : 0);
}

/* pg_answered: SQLSTATE class 28 (invalid authorization specification: no
 * pg_hba.conf entry for us, no such role) and 3D000 (no such database) are
 * about who asks: the server read the StartupMessage and decided on it.
 * Other errors (too many connections 53300, starting up 57P03, protocol
 * violation 08P01 ...) refuse the session. */
static int pg_answered(const tp_cbs *sqlstate) {
  return sqlstate->len == 5 &&
         (memcmp(sqlstate->data, "28", 2) == 0 || memcmp(sqlstate->data, "3D000", 5) == 0);
}

/* append copies what fits of |text| at |at| in |out|, a report's text. */
static size_t append(uint8_t out[PT_KEEP_MAX], size_t at, const tp_cbs *text) {
  size_t n = text->len < PT_KEEP_MAX - at ? text->len : PT_KEEP_MAX - at;
  if (n > 0) {
    memcpy(out + at, text->data, n);
  }
  return at + n;
}

/* pg_error keeps an ErrorResponse as "severity SQLSTATE message"; one from
 * a server older than protocol 3 is its text. */
static enum appcheck_step pg_error(struct appcheck *a) {
  if (a->in.buf[1] != 0) {
    return decide(a, APP_REFUSED, a->in.buf + 1, a->in.len - 2);
  }
  tp_cbs body, space;
  struct pg_error err;
  pg_body(a->in.buf, a->in.len, &body);
  if (!pg_error_fields(body, &err)) {
    return decide(a, APP_PROTOCOL_ERROR, a->in.buf, 0);
  }
  uint8_t text[PT_KEEP_MAX];
  tp_cbs_init(&space, (const uint8_t *)" ", 1);
  size_t n = append(text, 0, &err.severity);
  n = append(text, n, &space);
  n = append(text, n, &err.code);
  n = append(text, n, &space);
  n = append(text, n, &err.message);
  return decide(a, pg_answered(&err.code) ? APP_OK : APP_REFUSED, text, n);
}

static enum appcheck_step pg_byte(struct appcheck *a) {
  enum pt_frame frame = pg_frame(a->in.buf, a->in.len, APPCHECK_LINE_MAX);
  if (frame != PT_FRAME_DONE) {
    return unframed(a, frame);
  }
  switch (a->in.buf[0]) {
    case 'R':
      return pg_auth(a);
    case 'E':
      return pg_error(a);
    case 'N':
    case 'v':
      pt_clear(&a->in);
      return APPCHECK_NEED_MORE;
    default:
      return decide(a, APP_PROTOCOL_ERROR, a->in.buf, 0);
  }
}

/* ---- The table and the driver ---- */

/* line_byte hands the protocol each line of the reply at its LF. */
static enum appcheck_step line_byte(struct appcheck *a) {
  const uint8_t *line;
  size_t len;
  if (!pt_line_end(&a->in, &line, &len)) {
    return APPCHECK_NEED_MORE;
  }
  return family_of(a->proto)->on_line(a, line, len);
}

enum family_id {
  FAMILY_NONE,
  FAMILY_SMTP,
  FAMILY_IMAP,
  FAMILY_POP3,
  FAMILY_FTP,
  FAMILY_HTTP,
  FAMILY_LDAP,
  FAMILY_XMPP,
  FAMILY_POSTGRES,
};

static const struct family kFamilies[] = {
    [FAMILY_NONE] = {"not_proto", DEFAULT_NAME, STAGE_NONE, STAGE_NONE, NULL, NULL, NULL},
    [FAMILY_SMTP] = {"not_smtp", DEFAULT_NAME, STAGE_GREETING, STAGE_EHLO, mt_reply_prefix,
                     line_byte, smtp_line},
    [FAMILY_IMAP] = {"not_imap", DEFAULT_NAME, STAGE_GREETING, STAGE_CAPABILITY, imap_prefix,
                     line_byte, imap_line},
    [FAMILY_POP3] = {"not_pop3", DEFAULT_NAME, STAGE_GREETING, STAGE_CAPA, mt_pop3_prefix,
                     line_byte, pop3_line},
    [FAMILY_FTP] = {"not_ftp", DEFAULT_NAME, STAGE_GREETING, STAGE_FEAT, mt_reply_prefix, line_byte,
                    ftp_line},
    [FAMILY_HTTP] = {"not_http", DEFAULT_NAME, STAGE_HEAD, STAGE_HEAD, http_prefix, line_byte,
                     http_line},
    [FAMILY_LDAP] = {"not_ldap", DEFAULT_NAME, STAGE_WHOAMI, STAGE_WHOAMI, ldap_prefix, ldap_byte,
                     NULL},
    [FAMILY_XMPP] = {"not_xmpp", XMPP_DEFAULT_DOMAIN, STAGE_STREAM, STAGE_STREAM, xmpp_prefix,
                     xmpp_byte, NULL},
    [FAMILY_POSTGRES] = {"not_postgres", DEFAULT_NAME, STAGE_STARTUP, STAGE_STARTUP, pg_prefix,
                         pg_byte, NULL},
};

/* Protocols missing here have no check: bare TLS, where we do not know what
 * speaks. */
static const enum family_id kFamilyOf[PROTO_COUNT] = {
    [PROTO_HTTPS] = FAMILY_HTTP,     [PROTO_IMAPS] = FAMILY_IMAP, [PROTO_POP3S] = FAMILY_POP3,
    [PROTO_SMTPS] = FAMILY_SMTP,     [PROTO_FTPS] = FAMILY_FTP,   [PROTO_LDAPS] = FAMILY_LDAP,
    [PROTO_IMAP] = FAMILY_IMAP,      [PROTO_POP3] = FAMILY_POP3,  [PROTO_SMTP] = FAMILY_SMTP,
    [PROTO_SUBMISSION] = FAMILY_SMTP, [PROTO_FTP] = FAMILY_FTP,   [PROTO_LDAP] = FAMILY_LDAP,
    [PROTO_XMPP] = FAMILY_XMPP,      [PROTO_POSTGRES] = FAMILY_POSTGRES,
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
  switch (pt_take(&a->in, f->first_bytes, b)) {
    case PT_FULL:
      return decide_on_reply(a, APP_TOO_LONG);
    case PT_FOREIGN:
      return decide_on_reply(a, APP_NOT_PROTO);
    case PT_FOREIGN_MORE:
      return APPCHECK_NEED_MORE;
    case PT_TAKEN:
      break;
  }
  return f->on_byte(a);
}

void appcheck_init(struct appcheck *a, enum proto proto, int after_starttls, const char *name) {
  const struct family *f = family_of(proto);
  mt_host_name_or(a->name, name, f->default_name);
  a->proto = proto;
  a->state = (int)(after_starttls ? f->after_starttls : f->tls_first);
  a->multiline.code = 0;
  xmpp_reader_start(&a->xmpp);
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
  if (pt_foreign(&a->in)) {
    return decide_on_reply(a, APP_NOT_PROTO);
  }
  /* A stream error cut short by the close is still a refusal. */
  return decide_on_reply(a, xmpp_in_error(&a->xmpp) ? APP_REFUSED : APP_CLOSED);
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
      [STAGE_HEAD] = "head", [STAGE_WHOAMI] = "whoami",
      [STAGE_STREAM] = "stream", [STAGE_FEATURES] = "features",
      [STAGE_STARTUP] = "startup",
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
