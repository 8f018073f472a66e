/* scanner/proto/starttls.c: the plaintext dialogues before TLS, as byte-driven state machines.
 *
 * Every protocol is one entry of a const table: how the server's first bytes
 * must look, what the client says first (LDAP, XMPP and PostgreSQL speak
 * first), and a handler that takes one server byte at a time. The bytes go
 * through the plaintext driver (plaintext.h) into st->in, which holds the
 * whole reply being read, so one bound covers lines and replies; line
 * protocols get each line at its LF. Because the machine moves one byte at a
 * time and stops at the byte that completes a reply, feeding a stream whole
 * or in any pieces gives the same steps, and nothing after the go-ahead is
 * ever consumed. A command is only built when the reply that allows it is
 * complete, so nothing is pipelined. A server whose first bytes are not the
 * protocol is reported as not_<proto> with its first line kept; binary first
 * bytes (a TLS record, say) are reported at once, since no line end will
 * come. */
#include "scanner/proto/starttls.h"

#include "scanner/proto/ldapmsg.h"
#include "scanner/proto/mailtext.h"
#include "scanner/proto/pgmsg.h"
#include "scanner/proto/plaintext.h"
#include "scanner/proto/xmppstream.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tlsparse/bytes.h"

/* Where the dialogue is; each stage waits for one server message. */
enum stage {
  STAGE_NONE,       /* implicit TLS: no dialogue */
  STAGE_GREETING,   /* the server's greeting (SMTP, IMAP, POP3, FTP) */
  STAGE_EHLO,       /* SMTP: the reply to EHLO */
  STAGE_STARTTLS,   /* the reply to STARTTLS, STLS, AUTH TLS or <starttls/> */
  STAGE_STREAM,     /* XMPP: the server's stream header */
  STAGE_FEATURES,   /* XMPP: <stream:features> */
  STAGE_SSLREQUEST, /* PostgreSQL: the answer to SSLRequest */
  STAGE_EXTENDED,   /* LDAP: the ExtendedResponse to StartTLS */
  STAGE_COUNT,
};

/* st->flags: what is in progress. */
#define F_READY (1u << 0)         /* the go-ahead came: final */
#define F_OFFERED (1u << 1)       /* STARTTLS listed in EHLO / stream features */
#define F_PROCEED (1u << 2)       /* XMPP: <proceed> opened, waiting for </proceed> */
#define F_PG_ERROR (1u << 3)      /* PostgreSQL: reading an ErrorResponse */
#define F_REPLY_STATE (F_OFFERED | F_PROCEED)

/* The names we send: host-name characters only, so no CR, LF or quote can
 * reach a command line or an XML attribute. */
#define DEFAULT_EHLO_NAME "tlssweep.invalid"

struct dialogue {
  const char *not_proto_name; /* the reason when the server speaks something else */
  enum stage first_stage;
  /* first_bytes judges the start of the server's first message. */
  pt_judge first_bytes;
  /* hello builds what the client says first; NULL when the server speaks first. */
  enum starttls_step (*hello)(struct starttls *st);
  /* on_byte is called with |b| already appended to st->in.buf. */
  enum starttls_step (*on_byte)(struct starttls *st, uint8_t b);
  /* on_line (line protocols) gets one complete line without its CRLF or LF. */
  enum starttls_step (*on_line)(struct starttls *st, const uint8_t *text, size_t len);
};

static const struct dialogue *dialogue_of(enum proto proto);

/* ---- Steps ---- */

static enum starttls_step fail_with(struct starttls *st, enum starttls_failure why,
                                    const uint8_t *reply, size_t len) {
  st->reply_len = pt_keep(st->reply, reply, len);
  st->failure = why;
  return STARTTLS_FAILED;
}

/* fail keeps the message read so far (bounded) as the reply. */
static enum starttls_step fail(struct starttls *st, enum starttls_failure why) {
  return fail_with(st, why, st->in.buf, st->in.len);
}

static enum starttls_step ready(struct starttls *st) {
  st->flags |= F_READY;
  return STARTTLS_READY;
}

/* final_step reports whether the dialogue is over, and its last step. */
static int final_step(const struct starttls *st, enum starttls_step *out) {
  if (st->flags & F_READY) {
    *out = STARTTLS_READY;
    return 1;
  }
  if (st->failure != STARTTLS_OK) {
    *out = STARTTLS_FAILED;
    return 1;
  }
  return 0;
}

/* say finishes the command written into st->out, moves to |next| and starts
 * reading a new reply. */
static enum starttls_step say(struct starttls *st, enum stage next, const tp_cbb *cbb) {
  size_t len;
  if (!tp_cbb_finish(cbb, &len) || len == 0) {
    /* Unreachable: the static assertions below bound every command. */
    st->out_len = 0;
    return fail(st, STARTTLS_TOO_LONG);
  }
  st->out_len = len;
  st->state = (int)next;
  pt_clear(&st->in);
  st->flags &= ~F_REPLY_STATE;
  st->multiline.code = 0;
  return STARTTLS_SEND;
}

static enum starttls_step say_bytes(struct starttls *st, enum stage next, const uint8_t *data,
                                    size_t len) {
  tp_cbb cbb;
  tp_cbb_init(&cbb, st->out, sizeof(st->out));
  tp_cbb_add_bytes(&cbb, data, len);
  return say(st, next, &cbb);
}

static enum starttls_step say_text(struct starttls *st, enum stage next, const char *text) {
  return say_bytes(st, next, (const uint8_t *)text, strlen(text));
}

/* framed reports whether a binary message is all there; if it is not, the
 * step is waiting for more or a failure. */
static int framed(struct starttls *st, enum pt_frame frame, enum starttls_step *step) {
  switch (frame) {
    case PT_FRAME_DONE:
      return 1;
    case PT_FRAME_MORE:
      *step = STARTTLS_NEED_MORE;
      return 0;
    case PT_FRAME_BAD:
      *step = fail(st, STARTTLS_PROTOCOL_ERROR);
      return 0;
    case PT_FRAME_TOO_LONG:
      *step = fail(st, STARTTLS_TOO_LONG);
      return 0;
  }
  *step = fail(st, STARTTLS_PROTOCOL_ERROR);
  return 0;
}

/* ---- Line protocols ---- */

/* line_byte hands the protocol each line of the reply at its LF. */
static enum starttls_step line_byte(struct starttls *st, uint8_t b) {
  (void)b;
  const uint8_t *line;
  size_t len;
  if (!pt_line_end(&st->in, &line, &len)) {
    return STARTTLS_NEED_MORE;
  }
  return dialogue_of(st->proto)->on_line(st, line, len);
}

/* rest_of_reply is the raw text from |p| (inside st->in.buf) to the end of
 * what was read: a line with its line end, for the report. */
static size_t rest_of_reply(const struct starttls *st, const uint8_t *p) {
  return (size_t)(st->in.buf + st->in.len - p);
}

/* command_refused classifies a negative reply to EHLO or AUTH TLS: 500, 502
 * and 504 say the command is not known or not implemented. */
static enum starttls_step command_refused(struct starttls *st, unsigned code) {
  if (code == 500 || code == 502 || code == 504) {
    return fail(st, STARTTLS_UNSUPPORTED);
  }
  if (code >= 400) {
    return fail(st, STARTTLS_REFUSED);
  }
  return fail(st, STARTTLS_PROTOCOL_ERROR);
}

/* ---- SMTP (RFC 5321, RFC 3207) ---- */

/* smtp_reply acts on a complete reply, all of whose lines are in st->in.buf. */
static enum starttls_step smtp_reply(struct starttls *st, unsigned code) {
  tp_cbb cbb;
  switch ((enum stage)st->state) {
    case STAGE_GREETING:
      if (code == 220) {
        tp_cbb_init(&cbb, st->out, sizeof(st->out));
        mt_out_text(&cbb, "EHLO ");
        mt_out_text(&cbb, st->ehlo_name);
        mt_out_text(&cbb, "\r\n");
        return say(st, STAGE_EHLO, &cbb);
      }
      /* RFC 5321 3.1: 554 instead of 220; 421 when the service is closing. */
      return fail(st, code >= 400 ? STARTTLS_REJECTED_GREETING : STARTTLS_PROTOCOL_ERROR);
    case STAGE_EHLO:
      if (code == 250) {
        return (st->flags & F_OFFERED) ? say_text(st, STAGE_STARTTLS, "STARTTLS\r\n")
                                       : fail(st, STARTTLS_UNSUPPORTED);
      }
      return command_refused(st, code);
    case STAGE_STARTTLS:
      if (code == 220) {
        return ready(st);
      }
      /* RFC 3207 4: 454 "TLS not available", 501, 5xx. */
      return fail(st, code >= 400 ? STARTTLS_REFUSED : STARTTLS_PROTOCOL_ERROR);
    default:
      return fail(st, STARTTLS_PROTOCOL_ERROR);
  }
}

/* smtp_line: every line of an SMTP reply carries the same code; all but the
 * last have a hyphen after it (RFC 5321 4.2.1). EHLO keywords follow the
 * code on every line after the first (RFC 5321 4.1.1.1). */
static enum starttls_step smtp_line(struct starttls *st, const uint8_t *l, size_t len) {
  int continuation = st->multiline.code != 0;
  unsigned code;
  enum mt_reply_step step = mt_reply_line(&st->multiline, 0, l, len, &code);
  if (step == MT_REPLY_BAD) {
    return fail(st, STARTTLS_PROTOCOL_ERROR);
  }
  if (continuation && st->state == STAGE_EHLO && len > 4) {
    const uint8_t *kw = l + 4;
    size_t kw_len = len - 4;
    while (kw_len > 0 && (*kw == ' ' || *kw == '\t')) {
      kw++;
      kw_len--;
    }
    if (mt_word_is(kw, kw_len, "STARTTLS")) {
      st->flags |= F_OFFERED;
    }
  }
  return step == MT_REPLY_MORE ? STARTTLS_NEED_MORE : smtp_reply(st, code);
}

/* ---- FTP (RFC 959, RFC 4217) ---- */

static enum starttls_step ftp_reply(struct starttls *st, unsigned code) {
  if (st->state == STAGE_GREETING) {
    if (code == 220) {
      return say_text(st, STAGE_STARTTLS, "AUTH TLS\r\n");
    }
    if (code < 200) {
      /* RFC 959 5.4: 120 "ready in nnn minutes" comes before the 220. */
      pt_clear(&st->in);
      return STARTTLS_NEED_MORE;
    }
    return fail(st, code >= 400 ? STARTTLS_REJECTED_GREETING : STARTTLS_PROTOCOL_ERROR);
  }
  if (code == 234) {
    return ready(st);
  }
  return command_refused(st, code);
}

/* ftp_line: the lines inside a reply may be any text (RFC 959 4.2). */
static enum starttls_step ftp_line(struct starttls *st, const uint8_t *l, size_t len) {
  unsigned code;
  switch (mt_reply_line(&st->multiline, 1, l, len, &code)) {
    case MT_REPLY_MORE:
      return STARTTLS_NEED_MORE;
    case MT_REPLY_END:
      return ftp_reply(st, code);
    case MT_REPLY_BAD:
      break;
  }
  return fail(st, STARTTLS_PROTOCOL_ERROR);
}

/* ---- IMAP (RFC 3501, RFC 9051) ---- */

/* imap_prefix: the greeting is untagged. */
static enum prefix imap_prefix(const uint8_t *b, size_t len) {
  return pt_literal_prefix(b, len, "* ");
}

/* imap_greeting_capability looks for a [CAPABILITY ...] response code at the
 * start of the greeting's text (RFC 3501 7.1): -1 when there is none, else
 * whether it lists STARTTLS. */
static int imap_greeting_capability(const uint8_t *t, size_t len) {
  static const char kCode[] = "[CAPABILITY ";
  size_t i = 0;
  while (i < len && t[i] == ' ') {
    i++;
  }
  if (!mt_starts_with_ci(t + i, len - i, kCode)) {
    return -1;
  }
  i += sizeof(kCode) - 1;
  while (i < len && t[i] != ']') {
    size_t start = i;
    while (i < len && t[i] != ' ' && t[i] != ']') {
      i++;
    }
    if (i - start == 8 && mt_starts_with_ci(t + start, 8, "STARTTLS")) {
      return 1;
    }
    while (i < len && t[i] == ' ') {
      i++;
    }
  }
  return 0;
}

static enum starttls_step imap_line(struct starttls *st, const uint8_t *l, size_t len) {
  int untagged = len >= 2 && l[0] == '*' && l[1] == ' ';
  if (st->state == STAGE_GREETING) {
    if (!untagged) {
      return fail(st, STARTTLS_PROTOCOL_ERROR);
    }
    const uint8_t *status = l + 2;
    size_t status_len = len - 2;
    if (mt_word_is(status, status_len, "OK")) {
      if (imap_greeting_capability(status + 2, status_len - 2) == 0) {
        return fail(st, STARTTLS_UNSUPPORTED);
      }
      return say_text(st, STAGE_STARTTLS, "a1 STARTTLS\r\n");
    }
    /* RFC 3501 6.2.1: STARTTLS is only valid before authentication, and a
     * PREAUTH greeting starts out authenticated. */
    if (mt_word_is(status, status_len, "PREAUTH")) {
      return fail(st, STARTTLS_UNSUPPORTED);
    }
    if (mt_word_is(status, status_len, "BYE")) {
      return fail(st, STARTTLS_REJECTED_GREETING);
    }
    return fail(st, STARTTLS_PROTOCOL_ERROR);
  }
  /* The answer to "a1 STARTTLS": untagged data may come first (RFC 3501 2.2.2). */
  if (untagged) {
    if (mt_word_is(l + 2, len - 2, "BYE")) {
      return fail_with(st, STARTTLS_REFUSED, l, rest_of_reply(st, l));
    }
    return STARTTLS_NEED_MORE;
  }
  if (len >= 3 && memcmp(l, "a1 ", 3) == 0) {
    if (mt_word_is(l + 3, len - 3, "OK")) {
      return ready(st);
    }
    if (mt_word_is(l + 3, len - 3, "NO") || mt_word_is(l + 3, len - 3, "BAD")) {
      return fail_with(st, STARTTLS_REFUSED, l, rest_of_reply(st, l));
    }
  }
  return fail(st, STARTTLS_PROTOCOL_ERROR);
}

/* ---- POP3 (RFC 1939, RFC 2595) ---- */

static enum starttls_step pop3_line(struct starttls *st, const uint8_t *l, size_t len) {
  int ok = mt_word_is(l, len, "+OK");
  int err = mt_word_is(l, len, "-ERR");
  if (st->state == STAGE_GREETING) {
    if (ok) {
      return say_text(st, STAGE_STARTTLS, "STLS\r\n");
    }
    return fail(st, err ? STARTTLS_REJECTED_GREETING : STARTTLS_PROTOCOL_ERROR);
  }
  if (ok) {
    return ready(st);
  }
  return fail(st, err ? STARTTLS_REFUSED : STARTTLS_PROTOCOL_ERROR);
}

/* ---- LDAP (RFC 4511 4.14) ---- */

static enum starttls_step ldap_hello(struct starttls *st) {
  tp_cbb cbb;
  tp_cbb_init(&cbb, st->out, sizeof(st->out));
  ldap_extended_request(&cbb, 1, LDAP_OID_STARTTLS);
  return say(st, STAGE_EXTENDED, &cbb);
}

/* ldap_response acts on the complete LDAPMessage in st->in. */
static enum starttls_step ldap_response(struct starttls *st) {
  struct ldap_result res;
  if (!ldap_extended_response(st->in.buf, st->in.len, &res)) {
    return fail(st, STARTTLS_PROTOCOL_ERROR);
  }
  /* messageID 0 is an unsolicited notification (RFC 4511 4.4), such as the
   * Notice of Disconnection a server sends before it hangs up: never a
   * success, but its resultCode and text say why. */
  if (res.message_id != 1 && !(res.message_id == 0 && res.code != LDAP_SUCCESS)) {
    return fail(st, STARTTLS_PROTOCOL_ERROR);
  }
  if (res.code == LDAP_SUCCESS) {
    return ready(st);
  }
  /* RFC 4511 4.12: a server that does not know the request name answers
   * protocolError. */
  return fail_with(st, res.code == LDAP_PROTOCOL_ERROR ? STARTTLS_UNSUPPORTED : STARTTLS_REFUSED,
                   res.diagnostic.data, res.diagnostic.len);
}

/* ldap_byte waits until the whole message is there. */
static enum starttls_step ldap_byte(struct starttls *st, uint8_t b) {
  (void)b;
  enum starttls_step step;
  return framed(st, ldap_frame(st->in.buf, st->in.len, STARTTLS_LINE_MAX), &step)
             ? ldap_response(st)
             : step;
}

/* ---- XMPP (RFC 6120) ---- */

static const char kXmppTlsNs[] = "urn:ietf:params:xml:ns:xmpp-tls";
static const char kXmppStartTls[] = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
_Static_assert(XMPP_HEADER_FIXED_LEN + MT_HOST_NAME_MAX <= STARTTLS_OUT_MAX,
               "the XMPP stream header fits STARTTLS_OUT_MAX");
_Static_assert(sizeof("EHLO \r\n") - 1 + MT_HOST_NAME_MAX <= STARTTLS_OUT_MAX,
               "EHLO fits STARTTLS_OUT_MAX");

static enum starttls_step xmpp_hello(struct starttls *st) {
  tp_cbb cbb;
  tp_cbb_init(&cbb, st->out, sizeof(st->out));
  xmpp_stream_header(&cbb, st->ehlo_name);
  return say(st, STAGE_STREAM, &cbb);
}

/* xmpp_answer: RFC 6120 5.4.2.3 (<proceed/>, or <proceed> and its end) and
 * 5.4.2.2 (<failure/>). */
static enum starttls_step xmpp_answer(struct starttls *st, const struct xml_tag *tag) {
  if (xml_name_is(tag, "proceed")) {
    if (tag->end || tag->empty) {
      return ready(st);
    }
    st->flags |= F_PROCEED;
    return STARTTLS_NEED_MORE;
  }
  if (!tag->end && xml_name_is(tag, "failure")) {
    return fail(st, STARTTLS_REFUSED);
  }
  return STARTTLS_NEED_MORE;
}

static enum starttls_step xmpp_byte(struct starttls *st, uint8_t b) {
  (void)b;
  struct xml_tag tag;
  switch (xmpp_read(&st->xmpp, &st->in, &tag)) {
    case XMPP_MORE:
      return STARTTLS_NEED_MORE;
    case XMPP_STREAM_ERROR:
      return fail(st, STARTTLS_REFUSED);
    case XMPP_NOT_STREAM:
      return fail(st, STARTTLS_NOT_PROTO);
    case XMPP_STREAM:
      st->state = STAGE_FEATURES;
      pt_clear(&st->in);
      return STARTTLS_NEED_MORE;
    case XMPP_FEATURE:
      if (st->state == STAGE_FEATURES) {
        if (xml_name_is(&tag, "starttls") && mt_contains(tag.text, tag.len, kXmppTlsNs)) {
          st->flags |= F_OFFERED;
        }
        return STARTTLS_NEED_MORE;
      }
      return st->state == STAGE_STARTTLS ? xmpp_answer(st, &tag) : STARTTLS_NEED_MORE;
    case XMPP_FEATURES:
      if (st->state != STAGE_FEATURES) {
        return STARTTLS_NEED_MORE;
      }
      return (st->flags & F_OFFERED) ? say_text(st, STAGE_STARTTLS, kXmppStartTls)
                                     : fail(st, STARTTLS_UNSUPPORTED);
    case XMPP_ELEMENT:
      return st->state == STAGE_STARTTLS ? xmpp_answer(st, &tag) : STARTTLS_NEED_MORE;
  }
  return fail(st, STARTTLS_PROTOCOL_ERROR);
}

/* ---- PostgreSQL (protocol 3, "SSL Session Encryption") ---- */

/* SSLRequest: Int32 length 8, Int32 80877103 (1234 << 16 | 5679). */
static const uint8_t kSslRequest[8] = {0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f};

static enum prefix postgres_prefix(const uint8_t *b, size_t len) {
  return pt_first_byte_in(b, len, "SNE");
}

static enum starttls_step postgres_hello(struct starttls *st) {
  return say_bytes(st, STAGE_SSLREQUEST, kSslRequest, sizeof(kSslRequest));
}

/* postgres_error reads an ErrorResponse whole, to keep it. */
static enum starttls_step postgres_error(struct starttls *st) {
  enum starttls_step step;
  return framed(st, pg_frame(st->in.buf, st->in.len, STARTTLS_LINE_MAX), &step)
             ? fail(st, STARTTLS_REFUSED)
             : step;
}

static enum starttls_step postgres_byte(struct starttls *st, uint8_t b) {
  if (st->flags & F_PG_ERROR) {
    return postgres_error(st);
  }
  switch (b) {
    case 'S':
      return ready(st);
    case 'N':
      return fail(st, STARTTLS_UNSUPPORTED);
    case 'E':
      st->flags |= F_PG_ERROR;
      return STARTTLS_NEED_MORE;
    default:
      return fail(st, STARTTLS_NOT_PROTO);
  }
}

/* ---- The table and the driver ---- */

static const struct dialogue kDialogues[PROTO_COUNT] = {
    [PROTO_SMTP] = {"not_smtp", STAGE_GREETING, mt_reply_prefix, NULL, line_byte, smtp_line},
    [PROTO_SUBMISSION] = {"not_smtp", STAGE_GREETING, mt_reply_prefix, NULL, line_byte, smtp_line},
    [PROTO_IMAP] = {"not_imap", STAGE_GREETING, imap_prefix, NULL, line_byte, imap_line},
    [PROTO_POP3] = {"not_pop3", STAGE_GREETING, mt_pop3_prefix, NULL, line_byte, pop3_line},
    [PROTO_FTP] = {"not_ftp", STAGE_GREETING, mt_reply_prefix, NULL, line_byte, ftp_line},
    [PROTO_LDAP] = {"not_ldap", STAGE_EXTENDED, ldap_prefix, ldap_hello, ldap_byte, NULL},
    [PROTO_XMPP] = {"not_xmpp", STAGE_STREAM, xmpp_prefix, xmpp_hello, xmpp_byte, NULL},
    [PROTO_POSTGRES] = {"not_postgres", STAGE_SSLREQUEST, postgres_prefix, postgres_hello,
                        postgres_byte, NULL},
};

/* dialogue_of returns the protocol's entry, or NULL for implicit TLS. */
static const struct dialogue *dialogue_of(enum proto proto) {
  if ((unsigned)proto >= PROTO_COUNT || kDialogues[proto].on_byte == NULL) {
    return NULL;
  }
  return &kDialogues[proto];
}

_Static_assert(STARTTLS_NEED_MORE == 0, "pt_feed's 'need more' is 0");

/* take_byte is the plaintext driver's hook: one server byte, one step. */
static int take_byte(void *machine, uint8_t b) {
  struct starttls *st = machine;
  const struct dialogue *d = dialogue_of(st->proto);
  switch (pt_take(&st->in, d->first_bytes, b)) {
    case PT_FULL:
      return fail(st, STARTTLS_TOO_LONG);
    case PT_FOREIGN:
      return fail(st, STARTTLS_NOT_PROTO);
    case PT_FOREIGN_MORE:
      return STARTTLS_NEED_MORE;
    case PT_TAKEN:
      break;
  }
  return d->on_byte(st, b);
}

int starttls_needed(enum proto proto) { return dialogue_of(proto) != NULL; }

void starttls_init(struct starttls *st, enum proto proto, const char *name) {
  const struct dialogue *d = dialogue_of(proto);
  mt_host_name_or(st->ehlo_name, name,
                  proto == PROTO_XMPP ? XMPP_DEFAULT_DOMAIN : DEFAULT_EHLO_NAME);
  st->proto = proto;
  st->failure = STARTTLS_OK;
  st->multiline.code = 0;
  pt_start(&st->in);
  xmpp_reader_start(&st->xmpp);
  st->reply_len = 0;
  st->out_len = 0;
  if (d == NULL) {
    st->state = STAGE_NONE;
    st->flags = F_READY;
    return;
  }
  st->state = (int)d->first_stage;
  st->flags = 0;
}

enum starttls_step starttls_begin(struct starttls *st) {
  enum starttls_step step;
  if (final_step(st, &step)) {
    return step;
  }
  const struct dialogue *d = dialogue_of(st->proto);
  return d->hello != NULL ? d->hello(st) : STARTTLS_NEED_MORE;
}

enum starttls_step starttls_feed(struct starttls *st, const uint8_t *data, size_t len,
                                 size_t *consumed) {
  enum starttls_step step;
  *consumed = 0;
  if (final_step(st, &step)) {
    return step;
  }
  return (enum starttls_step)pt_feed(data, len, take_byte, st, consumed);
}

enum starttls_step starttls_eof(struct starttls *st) {
  enum starttls_step step;
  if (final_step(st, &step)) {
    return step;
  }
  if (pt_foreign(&st->in)) {
    return fail(st, STARTTLS_NOT_PROTO);
  }
  /* A refusal whose text was cut short by the close is still a refusal. */
  if ((st->flags & F_PG_ERROR) || xmpp_in_error(&st->xmpp)) {
    return fail(st, STARTTLS_REFUSED);
  }
  return fail(st, STARTTLS_CLOSED);
}

const uint8_t *starttls_output(const struct starttls *st, size_t *len) {
  *len = st->out_len;
  return st->out;
}

enum starttls_failure starttls_failure(const struct starttls *st) { return st->failure; }

const char *starttls_failure_name(const struct starttls *st) {
  switch (st->failure) {
    case STARTTLS_OK:
      return "ok";
    case STARTTLS_UNSUPPORTED:
      return "starttls_unsupported";
    case STARTTLS_REFUSED:
      return "starttls_refused";
    case STARTTLS_NOT_PROTO: {
      const struct dialogue *d = dialogue_of(st->proto);
      return d != NULL ? d->not_proto_name : "not_proto";
    }
    case STARTTLS_REJECTED_GREETING:
      return "greeting_refused";
    case STARTTLS_TOO_LONG:
      return "starttls_too_long";
    case STARTTLS_CLOSED:
      return "closed";
    case STARTTLS_PROTOCOL_ERROR:
      return "starttls_protocol_error";
  }
  return "starttls_unknown";
}

const char *starttls_stage_name(const struct starttls *st) {
  static const char *const kNames[STAGE_COUNT] = {
      [STAGE_NONE] = "none",
      [STAGE_GREETING] = "greeting",
      [STAGE_EHLO] = "ehlo",
      [STAGE_STARTTLS] = "starttls",
      [STAGE_STREAM] = "stream",
      [STAGE_FEATURES] = "features",
      [STAGE_SSLREQUEST] = "sslrequest",
      [STAGE_EXTENDED] = "extended_request",
  };
  if (st->state < 0 || st->state >= STAGE_COUNT) {
    return "unknown";
  }
  return kNames[st->state];
}
