/* scanner/output/jsonout.c: compact JSON text from a jansson tree (jsonout.h).
 *
 * Escaping follows jansson's dump without flags, so the two agree byte for
 * byte (tests/scanner/jsonout_test checks it, and a fuzzer feeds it every
 * string): '"' and '\' get a backslash, the controls below 0x20 become \b,
 * \f, \n, \r, \t or \u00XX in upper-case hex, and every other byte,
 * multi-byte UTF-8 included, is copied as it is. The strings of a record are
 * valid UTF-8 (utf8_sanitize) before they reach the tree. */
#include "scanner/output/jsonout.h"

#include <string.h>

/* The letter after the backslash for the bytes with a short escape; the
 * other controls below 0x20 are written \u00XX. */
static const char kEscape[128] = {
    ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r',
    ['\t'] = 't', ['"'] = '"',  ['\\'] = '\\',
};

static int put_string(struct outbuf *out, const char *s, size_t len) {
  /* At most six bytes per input byte, and the quotes. */
  if (len > ((size_t)-1 - 2) / 6 || !outbuf_reserve(out, 6 * len + 2)) {
    return 0;
  }
  char *p = out->data + out->len;
  *p++ = '"';
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    char e = c < 0x80 ? kEscape[c] : 0;
    if (e != 0) {
      *p++ = '\\';
      *p++ = e;
    } else if (c >= 0x20) {
      *p++ = (char)c;
    } else {
      static const char kHex[] = "0123456789ABCDEF";
      memcpy(p, "\\u00", 4);
      p[4] = kHex[c >> 4];
      p[5] = kHex[c & 15];
      p += 6;
    }
  }
  *p++ = '"';
  out->len = (size_t)(p - out->data);
  return 1;
}

static int put_integer(struct outbuf *out, json_int_t v) {
  char buf[24];
  char *p = buf + sizeof(buf);
  /* Through unsigned, so the most negative value has a magnitude too. */
  unsigned long long m = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
  do {
    *--p = (char)('0' + m % 10);
    m /= 10;
  } while (m != 0);
  if (v < 0) {
    *--p = '-';
  }
  return outbuf_append(out, p, (size_t)(buf + sizeof(buf) - p));
}

static int put_value(const json_t *v, struct outbuf *out, int depth) {
  switch (json_typeof(v)) {
    case JSON_OBJECT: {
      if (depth >= JSONOUT_MAX_DEPTH || !outbuf_append(out, "{", 1)) {
        return 0;
      }
      const char *key;
      size_t key_len;
      json_t *value;
      int first = 1;
      json_object_keylen_foreach((json_t *)v, key, key_len, value) {
        if ((!first && !outbuf_append(out, ",", 1)) || !put_string(out, key, key_len) ||
            !outbuf_append(out, ":", 1) || !put_value(value, out, depth + 1)) {
          return 0;
        }
        first = 0;
      }
      return outbuf_append(out, "}", 1);
    }
    case JSON_ARRAY: {
      if (depth >= JSONOUT_MAX_DEPTH || !outbuf_append(out, "[", 1)) {
        return 0;
      }
      size_t n = json_array_size(v);
      for (size_t i = 0; i < n; i++) {
        if ((i > 0 && !outbuf_append(out, ",", 1)) ||
            !put_value(json_array_get(v, i), out, depth + 1)) {
          return 0;
        }
      }
      return outbuf_append(out, "]", 1);
    }
    case JSON_STRING:
      return put_string(out, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
      return put_integer(out, json_integer_value(v));
    case JSON_TRUE:
      return outbuf_append(out, "true", 4);
    case JSON_FALSE:
      return outbuf_append(out, "false", 5);
    case JSON_NULL:
      return outbuf_append(out, "null", 4);
    case JSON_REAL: {
      /* jansson's own digits; a lone real has no container to loop-check. */
      char buf[64];
      size_t n = json_dumpb(v, buf, sizeof(buf), JSON_COMPACT | JSON_ENCODE_ANY);
      return n > 0 && n <= sizeof(buf) && outbuf_append(out, buf, n);
    }
  }
  return 0;
}

int jsonout_compact(const json_t *v, struct outbuf *out) {
  size_t before = out->len;
  if (v == NULL || !put_value(v, out, 0)) {
    out->len = before;
    return 0;
  }
  return 1;
}
