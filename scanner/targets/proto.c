/* scanner/targets/proto.c: the protocols tlssweep can probe, as URL schemes name them.
 *
 * One const table maps each protocol to its scheme, its well-known port and
 * whether the ClientHello goes out right after connect (implicit TLS) or
 * after a STARTTLS-style dialogue. A target line's scheme is looked up here,
 * and a bare target's protocol is guessed from its port through the same
 * table, so the two can never disagree. */
#include "scanner/targets/proto.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

/* Indexed by enum proto (designated initializers keep the two in step). */
static const struct proto_info kProtos[PROTO_COUNT] = {
    /* Generic implicit TLS. Its port is the scan's default port (-p); 443 is
     * only what -p defaults to, and proto_from_port never returns it for 443
     * because https comes first in the table. */
    [PROTO_TLS] = {PROTO_TLS, "tls", 443, 1},
    [PROTO_HTTPS] = {PROTO_HTTPS, "https", 443, 1},
    [PROTO_IMAPS] = {PROTO_IMAPS, "imaps", 993, 1},
    [PROTO_POP3S] = {PROTO_POP3S, "pop3s", 995, 1},
    [PROTO_SMTPS] = {PROTO_SMTPS, "smtps", 465, 1},
    [PROTO_FTPS] = {PROTO_FTPS, "ftps", 990, 1},
    [PROTO_LDAPS] = {PROTO_LDAPS, "ldaps", 636, 1},
    [PROTO_IMAP] = {PROTO_IMAP, "imap", 143, 0},
    [PROTO_POP3] = {PROTO_POP3, "pop3", 110, 0},
    [PROTO_SMTP] = {PROTO_SMTP, "smtp", 25, 0},
    [PROTO_SUBMISSION] = {PROTO_SUBMISSION, "submission", 587, 0},
    [PROTO_FTP] = {PROTO_FTP, "ftp", 21, 0},
    [PROTO_LDAP] = {PROTO_LDAP, "ldap", 389, 0},
    [PROTO_XMPP] = {PROTO_XMPP, "xmpp", 5222, 0},
    [PROTO_POSTGRES] = {PROTO_POSTGRES, "postgres", 5432, 0},
};

const struct proto_info *proto_get(enum proto p) {
  if ((unsigned)p >= PROTO_COUNT) {
    return NULL;
  }
  return &kProtos[p];
}

int proto_from_scheme(const char *scheme, size_t len, enum proto *out) {
  for (size_t i = 0; i < PROTO_COUNT; i++) {
    const char *s = kProtos[i].scheme;
    /* strncasecmp alone would accept a prefix ("imap" for "imaps"). */
    if (strlen(s) == len && strncasecmp(s, scheme, len) == 0) {
      *out = kProtos[i].proto;
      return 1;
    }
  }
  return 0;
}

enum proto proto_from_port(uint16_t port) {
  /* PROTO_TLS is skipped: its port in the table is only a default, and an
   * unknown port falls through to it anyway. */
  for (size_t i = 0; i < PROTO_COUNT; i++) {
    if (kProtos[i].proto != PROTO_TLS && kProtos[i].default_port == port) {
      return kProtos[i].proto;
    }
  }
  return PROTO_TLS;
}
