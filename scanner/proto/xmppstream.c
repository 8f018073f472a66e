/* scanner/proto/xmppstream.c: the client's stream header and a tolerant reader of the
 * server's stream (see xmppstream.h). */
#include "scanner/proto/xmppstream.h"

#include <string.h>

static const char kXmppHead[] = "<?xml version='1.0'?><stream:stream to='";
static const char kXmppTail[] =
    "' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
_Static_assert(sizeof(kXmppHead) - 1 + sizeof(kXmppTail) - 1 == XMPP_HEADER_FIXED_LEN,
               "XMPP_HEADER_FIXED_LEN");

/* x->flags */
#define F_OPEN (1u << 0)        /* the server's stream header came */
#define F_IN_TAG (1u << 1)      /* between '<' and '>' */
#define F_IN_FEATURES (1u << 2) /* inside <stream:features> */
#define F_IN_ERROR (1u << 3)    /* inside <stream:error>, kept for the report */

int xml_name_is(const struct xml_tag *tag, const char *name) {
  return tag->local_len == strlen(name) && memcmp(tag->local, name, tag->local_len) == 0;
}

/* xml_tag_parse reads the tag of |len| bytes at |t| ('<' to '>'). Returns
 * 0 for what is not an element (<?xml ...?>, <!-- -->, <!DOCTYPE>). */
static int xml_tag_parse(const uint8_t *t, size_t len, struct xml_tag *out) {
  if (len > 2 && (t[1] == '?' || t[1] == '!')) {
    return 0;
  }
  size_t i = 1;
  out->text = t;
  out->len = len;
  out->end = len > 2 && t[1] == '/';
  if (out->end) {
    i = 2;
  }
  out->empty = !out->end && len > 2 && t[len - 2] == '/';
  size_t name = i;
  while (i < len && t[i] != ' ' && t[i] != '\t' && t[i] != '\r' && t[i] != '\n' && t[i] != '/' &&
         t[i] != '>') {
    if (t[i] == ':') {
      name = i + 1;
    }
    i++;
  }
  out->local = t + name;
  out->local_len = i - name;
  return 1;
}

void xmpp_stream_header(tp_cbb *cbb, const char *to) {
  tp_cbb_add_bytes(cbb, (const uint8_t *)kXmppHead, sizeof(kXmppHead) - 1);
  tp_cbb_add_bytes(cbb, (const uint8_t *)to, strlen(to));
  tp_cbb_add_bytes(cbb, (const uint8_t *)kXmppTail, sizeof(kXmppTail) - 1);
}

/* Only the newest byte needs a look: while the answer is MORE, every byte
 * before it was whitespace. */
enum prefix xmpp_prefix(const uint8_t *b, size_t len) {
  uint8_t c = b[len - 1];
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
    return PREFIX_MORE;
  }
  return c == '<' ? PREFIX_OK : PREFIX_BAD;
}

void xmpp_reader_start(struct xmpp_reader *x) { x->flags = 0; }

int xmpp_in_error(const struct xmpp_reader *x) { return (x->flags & F_IN_ERROR) != 0; }

/* tag_event acts on a tag, in the order the stream allows: an error is
 * read whole wherever it comes, the stream is opened before anything else,
 * and features are collected until they end. */
static enum xmpp_event tag_event(struct xmpp_reader *x, struct pt_reader *in, size_t start,
                                 struct xml_tag *tag) {
  if (x->flags & F_IN_ERROR) {
    return tag->end && xml_name_is(tag, "error") ? XMPP_STREAM_ERROR : XMPP_MORE;
  }
  if (!tag->end && xml_name_is(tag, "error")) {
    /* RFC 6120 4.9: keep the error from its start for the report. */
    pt_drop_front(in, start);
    if (tag->empty) {
      return XMPP_STREAM_ERROR;
    }
    x->flags |= F_IN_ERROR;
    return XMPP_MORE;
  }
  if (!(x->flags & F_OPEN)) {
    if (!tag->end && xml_name_is(tag, "stream")) {
      x->flags |= F_OPEN;
      return XMPP_STREAM;
    }
    return XMPP_NOT_STREAM;
  }
  if (xml_name_is(tag, "features")) {
    if (!tag->end && !tag->empty) {
      x->flags |= F_IN_FEATURES;
      return XMPP_MORE;
    }
    x->flags &= ~F_IN_FEATURES;
    return XMPP_FEATURES;
  }
  if ((x->flags & F_IN_FEATURES) && !tag->end) {
    return XMPP_FEATURE;
  }
  return XMPP_ELEMENT;
}

/* Text between tags is kept but not read. */
enum xmpp_event xmpp_read(struct xmpp_reader *x, struct pt_reader *in, struct xml_tag *tag) {
  uint8_t b = in->buf[in->len - 1];
  if (!(x->flags & F_IN_TAG)) {
    if (b == '<') {
      x->flags |= F_IN_TAG;
    }
    return XMPP_MORE;
  }
  if (b != '>') {
    return XMPP_MORE;
  }
  x->flags &= ~F_IN_TAG;
  size_t start = in->len - 1;
  while (start > 0 && in->buf[start] != '<') {
    start--;
  }
  if (in->buf[start] != '<' || !xml_tag_parse(in->buf + start, in->len - start, tag)) {
    return XMPP_MORE;
  }
  return tag_event(x, in, start, tag);
}
