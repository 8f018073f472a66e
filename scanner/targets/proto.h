/* scanner/targets/proto.h: the protocols tlssweep can probe, as URL schemes
 * name them: each one's scheme, well-known port, and whether TLS starts
 * right after connect or after a STARTTLS-style dialogue (proto.c holds the
 * one table behind these functions). */
#ifndef SCANNER_TARGETS_PROTO_H
#define SCANNER_TARGETS_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* Protocols, as URL schemes name them. Implicit-TLS protocols need no
 * dialogue before the ClientHello; the others speak a STARTTLS dialogue. */
enum proto {
  PROTO_TLS,         /* bare target on a port we do not know: implicit TLS */
  PROTO_HTTPS,
  PROTO_IMAPS,
  PROTO_POP3S,
  PROTO_SMTPS,
  PROTO_FTPS,
  PROTO_LDAPS,
  PROTO_IMAP,        /* STARTTLS */
  PROTO_POP3,        /* STLS */
  PROTO_SMTP,        /* STARTTLS on 25 */
  PROTO_SUBMISSION,  /* STARTTLS on 587 */
  PROTO_FTP,         /* AUTH TLS */
  PROTO_LDAP,        /* StartTLS extended operation */
  PROTO_XMPP,
  PROTO_POSTGRES,    /* SSLRequest */
  PROTO_COUNT,
};

struct proto_info {
  enum proto proto;
  const char *scheme;     /* "imaps" */
  uint16_t default_port;  /* 993 */
  int implicit_tls;       /* 1: ClientHello right after connect */
};

/* proto_get returns the table entry for |p|. */
const struct proto_info *proto_get(enum proto p);
/* proto_from_scheme finds a scheme (case-insensitive, without "://").
 * Returns 1 and |*out|, or 0. */
int proto_from_scheme(const char *scheme, size_t len, enum proto *out);
/* proto_from_port guesses the protocol of a bare target from its port
 * (993 -> imaps, 143 -> imap, 25 -> smtp ...; unknown ports -> PROTO_TLS,
 * 443 -> https). */
enum proto proto_from_port(uint16_t port);

#endif /* SCANNER_TARGETS_PROTO_H */
