/* scanner/proto/ldapmsg.h: LDAP messages as the dialogue before TLS (starttls.c) and the check
 * after it (appcheck.c) write and read them.
 *
 * Both sides send one ExtendedRequest (StartTLS before TLS, "Who am I?"
 * after it) and read one response whose protocolOp is an LDAPResult (RFC
 * 4511 4.1.9, 4.12). Pure helpers over bounded views: the request builder,
 * the framing that says when a whole LDAPMessage is in a buffer (its outer
 * SEQUENCE's definite length, X.690 8.1.3; LDAP forbids the indefinite
 * form, RFC 4511 5.1), the judge of a server's first byte, and the parse of
 * the LDAPResult. */
#ifndef SCANNER_LDAPMSG_H
#define SCANNER_LDAPMSG_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/proto/plaintext.h"
#include "tlsparse/bytes.h"

#define LDAP_OID_STARTTLS "1.3.6.1.4.1.1466.20037" /* RFC 4511 4.14.1 */
#define LDAP_OID_WHOAMI "1.3.6.1.4.1.4203.1.11.3"  /* RFC 4532 2 */

/* resultCode values (RFC 4511 4.1.9, Appendix A) the checks tell apart. */
#define LDAP_SUCCESS 0
#define LDAP_PROTOCOL_ERROR 2

/* ldap_extended_request writes LDAPMessage { messageID |message_id| (1 to
 * 127), ExtendedRequest { requestName |oid| } } (RFC 4511 4.12) into |cbb|. */
void ldap_extended_request(tp_cbb *cbb, uint8_t message_id, const char *oid);

/* ldap_prefix: an LDAPMessage starts with a SEQUENCE tag. */
enum prefix ldap_prefix(const uint8_t *b, size_t len);

/* ldap_frame judges |len| bytes read of an LDAPMessage, checking its length
 * against |max| as soon as that is known. A length BER does not allow
 * (indefinite, over 4 bytes) is PT_FRAME_BAD. */
enum pt_frame ldap_frame(const uint8_t *buf, size_t len, size_t max);

/* One response, as read from a complete LDAPMessage. */
struct ldap_result {
  uint32_t message_id; /* 0: an unsolicited notification (RFC 4511 4.4) */
  uint32_t code;       /* resultCode */
  tp_cbs diagnostic;   /* diagnosticMessage: a view into the message */
};

/* ldap_extended_response parses one complete LDAPMessage whose protocolOp
 * is an ExtendedResponse (RFC 4511 4.12): messageID, then the LDAPResult's
 * resultCode, matchedDN and diagnosticMessage; what follows them
 * (referral, responseName, responseValue, controls) is not read. Returns 1
 * and |*out|, or 0 when the message is not that. */
int ldap_extended_response(const uint8_t *buf, size_t len, struct ldap_result *out);

#endif /* SCANNER_LDAPMSG_H */
