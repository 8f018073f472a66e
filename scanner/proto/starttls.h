/* scanner/proto/starttls.h: the plaintext dialogues that come before a ClientHello.
 *
 * Mail, directory and database services on their plain ports speak TLS only
 * after a short dialogue (SMTP STARTTLS, IMAP STARTTLS, POP3 STLS, FTP AUTH
 * TLS, LDAP StartTLS, XMPP <starttls/>, PostgreSQL SSLRequest). Each
 * dialogue is a small pure state machine: bytes from the server go in, and
 * it answers with bytes to send, "need more", "ready for the ClientHello",
 * or a failure with its kind. No I/O, no allocation, no globals: the engine
 * owns one struct starttls per connection and moves the bytes. It never
 * sends a command before the server's go-ahead for it (no pipelining), keeps
 * lines and replies to a bounded length, and keeps the server's last reply
 * (bounded, raw: output escapes it) for the report. */
#ifndef SCANNER_STARTTLS_H
#define SCANNER_STARTTLS_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/proto/mailtext.h"
#include "scanner/proto/plaintext.h"
#include "scanner/proto/xmppstream.h"
#include "scanner/targets/proto.h"

/* Longest line or reply the dialogue holds; a longer one is a failure
 * (STARTTLS_TOO_LONG), never a buffer overrun. */
#define STARTTLS_LINE_MAX PT_BUF_MAX
/* What is kept of the server's reply for the report. */
#define STARTTLS_REPLY_MAX PT_KEEP_MAX
/* Largest command the dialogue sends (XMPP's stream header is the longest). */
#define STARTTLS_OUT_MAX 512

enum starttls_step {
  STARTTLS_NEED_MORE,  /* feed more server bytes */
  STARTTLS_SEND,       /* send starttls_output(), then feed the answer */
  STARTTLS_READY,      /* the server said go: the ClientHello comes next */
  STARTTLS_FAILED,     /* see starttls_failure() */
};

enum starttls_failure {
  STARTTLS_OK,             /* no failure */
  STARTTLS_UNSUPPORTED,    /* the server does not offer TLS (not in EHLO, CAPA...) */
  STARTTLS_REFUSED,        /* it was asked and refused: the reply is kept */
  STARTTLS_NOT_PROTO,      /* the greeting was not this protocol: first bytes kept */
  STARTTLS_REJECTED_GREETING, /* a well-formed refusal at greeting (SMTP 554, IMAP BYE) */
  STARTTLS_TOO_LONG,       /* a line or reply longer than STARTTLS_LINE_MAX */
  STARTTLS_CLOSED,         /* the server closed before the go-ahead (starttls_eof) */
  STARTTLS_PROTOCOL_ERROR, /* a reply that breaks the protocol (bad BER, bad code) */
};

struct starttls {
  enum proto proto;
  int state;                        /* private to starttls.c */
  enum starttls_failure failure;
  unsigned flags;                   /* private to starttls.c */
  struct mt_reply multiline;        /* SMTP, FTP: the reply being read */
  char ehlo_name[MT_HOST_NAME_MAX + 1]; /* SMTP EHLO argument; XMPP "to" domain */
  struct pt_reader in;              /* the server's current line or message */
  struct xmpp_reader xmpp;          /* XMPP: where the server's stream is */
  size_t reply_len;
  uint8_t reply[STARTTLS_REPLY_MAX];/* the reply behind a failure, raw */
  size_t out_len;
  uint8_t out[STARTTLS_OUT_MAX];    /* bytes to send when a step says SEND */
};

/* starttls_needed reports whether |proto| has a dialogue before TLS. */
int starttls_needed(enum proto proto);

/* starttls_init readies |st| for one connection of |proto|. |name| is the
 * SMTP EHLO name and the XMPP stream's "to" domain (a host name; NULL picks
 * a default: "tlssweep.invalid" for EHLO, the literal "localhost" for XMPP). */
void starttls_init(struct starttls *st, enum proto proto, const char *name);

/* starttls_begin returns the first step after connect: STARTTLS_SEND for
 * protocols where the client speaks first (LDAP, XMPP, PostgreSQL),
 * STARTTLS_READY for implicit-TLS protocols, else STARTTLS_NEED_MORE (wait
 * for the greeting). */
enum starttls_step starttls_begin(struct starttls *st);

/* starttls_feed takes bytes from the server. It consumes at most |len| and
 * sets |*consumed|; it stops at the end of the reply that decides a step, so
 * bytes after a go-ahead are not consumed (they belong to the TLS reader),
 * nor bytes after a reply that asks for a SEND (a server talking ahead: send
 * the command, then feed them again). Returns the next step; FAILED and
 * READY are final. */
enum starttls_step starttls_feed(struct starttls *st, const uint8_t *data, size_t len,
                                 size_t *consumed);

/* starttls_eof tells the dialogue the server closed the connection. Returns
 * STARTTLS_FAILED (STARTTLS_CLOSED), or the final step if already final. */
enum starttls_step starttls_eof(struct starttls *st);

/* starttls_output returns the bytes a SEND step asks for, and their length;
 * they stay unchanged until the next SEND step. */
const uint8_t *starttls_output(const struct starttls *st, size_t *len);

enum starttls_failure starttls_failure(const struct starttls *st);

/* starttls_failure_name returns "starttls_unsupported", "starttls_refused",
 * "not_smtp" (not_imap, not_pop3 ... for STARTTLS_NOT_PROTO), ... as the
 * output's reason. */
const char *starttls_failure_name(const struct starttls *st);

/* starttls_stage_name names where the dialogue is ("greeting", "ehlo",
 * "starttls" ...), for a timeout's "stage". */
const char *starttls_stage_name(const struct starttls *st);

#endif /* SCANNER_STARTTLS_H */
