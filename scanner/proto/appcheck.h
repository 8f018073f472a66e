/* scanner/proto/appcheck.h: does the application still talk after the handshake?
 *
 * A server can complete a TLS 1.0 handshake and then refuse the session in
 * its own protocol: Exchange Online, retiring TLS 1.0 and 1.1, answered
 * with POP3 "-ERR TLS 1.0 and 1.1 are not supported...", IMAP "* BYE ..."
 * and SMTP "421 4.7.66 ...". After a confirmation handshake, this check
 * reads the first application exchange over the decrypted stream and says
 * ok or refused: the server's greeting where it speaks first (POP3S, IMAPS,
 * SMTPS, FTPS), one harmless command where the client speaks next (EHLO,
 * CAPABILITY, CAPA, FEAT after a STARTTLS dialogue; HEAD / for HTTPS; an
 * LDAP "Who am I?"; the restarted XMPP stream; a PostgreSQL StartupMessage
 * for a user no server should have).
 * Like starttls.h it is a pure state machine: decrypted bytes go in, a step
 * comes out (need more, send this, done). No I/O, no allocation, no
 * globals: the engine owns one struct appcheck per confirmation and moves
 * the bytes through its TLS connection. Nothing is sent before the server's
 * go-ahead where the server speaks first, lines and replies are bounded,
 * and the reply that decided is kept (bounded, raw: output escapes it). */
#ifndef SCANNER_APPCHECK_H
#define SCANNER_APPCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/proto/mailtext.h"
#include "scanner/proto/plaintext.h"
#include "scanner/proto/xmppstream.h"
#include "scanner/targets/proto.h"

/* Longest reply held: all lines of a multi-line SMTP or FTP reply, the
 * IMAP lines before the tagged answer, one LDAP or PostgreSQL message, XMPP
 * stream features. A longer one ends the check as APP_TOO_LONG, never a
 * buffer overrun. */
#define APPCHECK_LINE_MAX PT_BUF_MAX
/* What is kept of the deciding reply for the report: its first line (LDAP's
 * diagnosticMessage, PostgreSQL's error fields, XMPP's features or error). */
#define APPCHECK_REPLY_MAX PT_KEEP_MAX
/* Largest command sent (HEAD with a Host header is the longest). */
#define APPCHECK_OUT_MAX 512

enum appcheck_step {
  APPCHECK_NEED_MORE, /* feed more server bytes (or appcheck_eof) */
  APPCHECK_SEND,      /* send appcheck_output() inside TLS, then feed the answer */
  APPCHECK_DONE,      /* appcheck_result() is final */
};

enum appcheck_result {
  APP_PENDING,        /* no verdict yet: the check is not DONE */
  APP_UNCHECKED,      /* no application check for this protocol */
  APP_OK,             /* the application answered: the session works */
  APP_REFUSED,        /* the application refused in its protocol: the reply is kept */
  APP_CLOSED,         /* the server closed before it answered (appcheck_eof) */
  APP_NOT_PROTO,      /* the first bytes were not this protocol: first line kept */
  APP_PROTOCOL_ERROR, /* this protocol's shape, but a reply it does not allow here */
  APP_TOO_LONG,       /* a reply longer than APPCHECK_LINE_MAX */
};

struct appcheck {
  enum proto proto;
  int state;      /* private to appcheck.c */
  struct mt_reply multiline; /* SMTP, FTP: the reply being read */
  struct xmpp_reader xmpp;   /* XMPP: where the server's stream is */
  enum appcheck_result result;
  unsigned code;  /* see appcheck_code */
  char name[MT_HOST_NAME_MAX + 1]; /* EHLO argument, HTTP Host, XMPP "to" */
  struct pt_reader in;             /* the reply being read */
  size_t reply_len;
  uint8_t reply[APPCHECK_REPLY_MAX]; /* the deciding line, raw, without its line end */
  size_t out_len;
  uint8_t out[APPCHECK_OUT_MAX]; /* bytes to send when a step says SEND */
};

/* appcheck_init readies |a| for the application stream of one TLS
 * connection of |proto|. |after_starttls| is 1 when a plaintext dialogue
 * (starttls.h) came before the handshake and took the server's greeting, so
 * the client speaks next; 0 when TLS was the first thing on the wire and the
 * server greets inside it. |name| is the EHLO argument, the HTTP Host and
 * the XMPP stream's "to" domain (a host name; anything else, or NULL,
 * becomes "tlssweep.invalid", and "localhost" for XMPP, as starttls_init
 * does). */
void appcheck_init(struct appcheck *a, enum proto proto, int after_starttls, const char *name);

/* appcheck_begin returns the first step after the handshake (call it once,
 * right after appcheck_init): DONE (with APP_UNCHECKED) for bare TLS, which
 * has no check, SEND where the client speaks first, else NEED_MORE. Once
 * DONE, it returns DONE. */
enum appcheck_step appcheck_begin(struct appcheck *a);

/* appcheck_feed takes decrypted bytes from the server. It consumes at most
 * |len|, sets |*consumed|, and stops at the byte that ends the deciding
 * reply (DONE) or a reply that asks for a SEND: the rest is not consumed
 * (after a SEND, send and feed it again). Returns the next step; DONE is
 * final. */
enum appcheck_step appcheck_feed(struct appcheck *a, const uint8_t *data, size_t len,
                                 size_t *consumed);

/* appcheck_eof tells the check the server closed. Returns DONE: APP_CLOSED
 * (what came of an unfinished reply is kept), APP_NOT_PROTO if a foreign
 * first line was being read, or the verdict already reached. */
enum appcheck_step appcheck_eof(struct appcheck *a);

/* appcheck_output returns the bytes a SEND step asks for, and their length;
 * they stay unchanged until the next SEND step. */
const uint8_t *appcheck_output(const struct appcheck *a, size_t *len);

/* appcheck_result returns the verdict; APP_PENDING until a step is DONE. */
enum appcheck_result appcheck_result(const struct appcheck *a);

/* appcheck_result_name names the verdict for the output: "ok", "refused",
 * "closed", "not_pop3" (not_imap, not_smtp, not_ftp, not_http, not_ldap,
 * not_xmpp, not_postgres for APP_NOT_PROTO), "protocol_error", "too_long",
 * "unchecked", "pending". */
const char *appcheck_result_name(const struct appcheck *a);

/* appcheck_stage_name names what the check waits for ("greeting", "ehlo",
 * "capability", "capa", "feat", "head", "whoami", "stream", "features",
 * "startup", "none"), for a timeout's "stage". */
const char *appcheck_stage_name(const struct appcheck *a);

/* appcheck_reply returns the kept reply (owned by |a|) and its length. */
const uint8_t *appcheck_reply(const struct appcheck *a, size_t *len);

/* appcheck_code returns the deciding reply's numeric code, or 0 when it has
 * none: the SMTP or FTP reply code, the HTTP status, LDAP's resultCode
 * (0 for success), PostgreSQL's authentication request type (10 for SASL). */
unsigned appcheck_code(const struct appcheck *a);

#endif /* SCANNER_APPCHECK_H */
