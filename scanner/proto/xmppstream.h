/* scanner/proto/xmppstream.h: an XMPP stream as the dialogue before TLS (starttls.c) and the
 * check after it (appcheck.c) open and read it.
 *
 * Both sides send a stream header and read the server's: its
 * <stream:stream>, then <stream:features> (RFC 6120 4.3, 4.3.2), or a
 * <stream:error> (4.9) at any time. The reader is a tolerant tag scanner,
 * not an XML parser: it finds each tag's end in the bytes of a plaintext
 * reader (plaintext.h), skips declarations and comments, and reports what
 * the caller acts on as events. A '>' inside an attribute value would end a
 * tag early: the servers we meet do not send one, and the scan stays
 * bounded either way. No I/O, no allocation. */
#ifndef SCANNER_XMPPSTREAM_H
#define SCANNER_XMPPSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/proto/plaintext.h"
#include "tlsparse/bytes.h"

/* The "to" domain when no name is given. */
#define XMPP_DEFAULT_DOMAIN "localhost"
/* The stream header's length without its domain. */
#define XMPP_HEADER_FIXED_LEN 126

/* One tag as the scan sees it. */
struct xml_tag {
  const uint8_t *text;  /* the whole tag, '<' to '>' */
  size_t len;
  const uint8_t *local; /* the element name without its prefix ("features") */
  size_t local_len;
  int end;              /* </name> */
  int empty;            /* <name/> */
};

/* xml_name_is: the tag's local name is |name|. */
int xml_name_is(const struct xml_tag *tag, const char *name);

/* xmpp_stream_header writes the client's stream header to domain |to| (a
 * host name, so no quote can end the attribute). */
void xmpp_stream_header(tp_cbb *cbb, const char *to);

/* xmpp_prefix: the server's stream starts with '<' after optional
 * whitespace. */
enum prefix xmpp_prefix(const uint8_t *b, size_t len);

/* Private to xmppstream.c. */
struct xmpp_reader {
  unsigned flags;
};

enum xmpp_event {
  XMPP_MORE,          /* nothing to act on yet */
  XMPP_STREAM,        /* the server's <stream:stream> opened its stream */
  XMPP_NOT_STREAM,    /* an element other than a stream opened it */
  XMPP_FEATURE,       /* a start or empty tag inside <stream:features> */
  XMPP_FEATURES,      /* </stream:features> or <stream:features/>: all there */
  XMPP_ELEMENT,       /* any other tag of the stream */
  XMPP_STREAM_ERROR,  /* a whole <stream:error>: the buffer holds it from its start */
};

/* xmpp_reader_start readies |x| for a server's stream (before its header). */
void xmpp_reader_start(struct xmpp_reader *x);

/* xmpp_read looks at the newest byte in |in|. At a tag's end it returns
 * the event and sets |*tag| (a view into |in|) for FEATURE and ELEMENT; a
 * <stream:error> is kept from its start, so it may move the buffer. */
enum xmpp_event xmpp_read(struct xmpp_reader *x, struct pt_reader *in, struct xml_tag *tag);

/* xmpp_in_error reports whether a <stream:error> is being read (for the
 * close: a refusal cut short is still a refusal). */
int xmpp_in_error(const struct xmpp_reader *x);

#endif /* SCANNER_XMPPSTREAM_H */
