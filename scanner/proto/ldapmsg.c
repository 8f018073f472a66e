/* scanner/proto/ldapmsg.c: LDAP requests and responses, BER per X.690 (see ldapmsg.h). */
#include "scanner/proto/ldapmsg.h"

#include <string.h>

#define BER_SEQUENCE 0x30
#define BER_INTEGER 0x02
#define BER_OCTET_STRING 0x04
#define BER_ENUMERATED 0x0a
#define BER_CONTEXT_0 0x80          /* [0], primitive */
#define LDAP_EXTENDED_REQUEST 0x77  /* [APPLICATION 23], constructed */
#define LDAP_EXTENDED_RESPONSE 0x78 /* [APPLICATION 24], constructed */

enum ber {
  BER_OK,
  BER_SHORT, /* more bytes needed */
  BER_BAD,
};

/* ber_length reads a definite length (X.690 8.1.3): the short form, or the
 * long form with 1 to 4 length bytes. */
static enum ber ber_length(tp_cbs *cbs, size_t *out) {
  uint8_t first;
  if (!tp_cbs_get_u8(cbs, &first)) {
    return BER_SHORT;
  }
  if (first < 0x80) {
    *out = first;
    return BER_OK;
  }
  size_t width = first & 0x7F;
  if (width == 0 || width > 4) {
    return BER_BAD;
  }
  uint32_t value = 0;
  for (size_t i = 0; i < width; i++) {
    uint8_t b;
    if (!tp_cbs_get_u8(cbs, &b)) {
      return BER_SHORT;
    }
    value = value << 8 | b;
  }
  *out = value;
  return BER_OK;
}

/* ber_get reads one element with tag |tag| and sets |contents| to its value.
 * On failure |cbs| is left as it was. */
static int ber_get(tp_cbs *cbs, uint8_t tag, tp_cbs *contents) {
  tp_cbs copy = *cbs;
  uint8_t got;
  size_t len;
  if (!tp_cbs_get_u8(&copy, &got) || got != tag || ber_length(&copy, &len) != BER_OK ||
      !tp_cbs_get_bytes(&copy, contents, len)) {
    return 0;
  }
  *cbs = copy;
  return 1;
}

/* ber_uint reads an INTEGER or ENUMERATED value that must be 0 to 2^31-1. */
static int ber_uint(tp_cbs *cbs, uint32_t *out) {
  if (cbs->len == 0 || cbs->len > 4 || (cbs->data[0] & 0x80) != 0) {
    return 0;
  }
  uint32_t value = 0;
  uint8_t b;
  while (tp_cbs_get_u8(cbs, &b)) {
    value = value << 8 | b;
  }
  *out = value;
  return 1;
}

/* Every block of the request is far shorter than 128 bytes, so a one-byte
 * length prefix is BER's short form. */
void ldap_extended_request(tp_cbb *cbb, uint8_t message_id, const char *oid) {
  tp_cbb_add_u8(cbb, BER_SEQUENCE); /* LDAPMessage */
  tp_cbb_open_u8(cbb);
  tp_cbb_add_u8(cbb, BER_INTEGER); /* messageID */
  tp_cbb_add_u8(cbb, 1);
  tp_cbb_add_u8(cbb, message_id);
  tp_cbb_add_u8(cbb, LDAP_EXTENDED_REQUEST); /* protocolOp */
  tp_cbb_open_u8(cbb);
  tp_cbb_add_u8(cbb, BER_CONTEXT_0); /* requestName LDAPOID */
  tp_cbb_open_u8(cbb);
  tp_cbb_add_bytes(cbb, (const uint8_t *)oid, strlen(oid));
  tp_cbb_close(cbb);
  tp_cbb_close(cbb);
  tp_cbb_close(cbb);
}

enum prefix ldap_prefix(const uint8_t *b, size_t len) {
  return pt_first_byte_in(b, len, "\x30"); /* BER_SEQUENCE */
}

enum pt_frame ldap_frame(const uint8_t *buf, size_t len, size_t max) {
  tp_cbs cbs;
  size_t body;
  tp_cbs_init(&cbs, buf, len);
  if (!tp_cbs_skip(&cbs, 1)) {
    return PT_FRAME_MORE;
  }
  switch (ber_length(&cbs, &body)) {
    case BER_SHORT:
      return PT_FRAME_MORE;
    case BER_BAD:
      return PT_FRAME_BAD;
    case BER_OK:
      break;
  }
  size_t header = len - cbs.len;
  if (body > max - header) {
    return PT_FRAME_TOO_LONG;
  }
  return cbs.len < body ? PT_FRAME_MORE : PT_FRAME_DONE;
}

/*   LDAPMessage ::= SEQUENCE { messageID INTEGER, protocolOp, controls [0] OPTIONAL }
 *   ExtendedResponse ::= [APPLICATION 24] SEQUENCE { resultCode ENUMERATED,
 *     matchedDN LDAPDN, diagnosticMessage LDAPString, referral [3] OPTIONAL,
 *     responseName [10] OPTIONAL, responseValue [11] OPTIONAL } */
int ldap_extended_response(const uint8_t *buf, size_t len, struct ldap_result *out) {
  tp_cbs msg, seq, id, op, code, matched_dn;
  tp_cbs_init(&msg, buf, len);
  return ber_get(&msg, BER_SEQUENCE, &seq) && msg.len == 0 &&
         ber_get(&seq, BER_INTEGER, &id) && ber_uint(&id, &out->message_id) &&
         ber_get(&seq, LDAP_EXTENDED_RESPONSE, &op) && ber_get(&op, BER_ENUMERATED, &code) &&
         ber_uint(&code, &out->code) && ber_get(&op, BER_OCTET_STRING, &matched_dn) &&
         ber_get(&op, BER_OCTET_STRING, &out->diagnostic);
}
