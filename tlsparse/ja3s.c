/* tlsparse/ja3s.c: the JA3S text of a ServerHello.
 *
 * JA3S (github.com/salesforce/ja3, ja3s.py and ja3s.zeek) fingerprints a
 * server by its answer: the ServerHello's legacy_version, the cipher suite
 * it chose and the types of the extensions it sent, in their order, as
 * "771,49199,65281-0-11-35-23"; the fingerprint is the MD5 of that text,
 * which the caller computes (tlsparse does no cryptography). The extension
 * block is walked again here rather than kept in order by the reader: only
 * accepted answers need it, once. */
#include "tlsparse/bytes.h"
#include "tlsparse/tlsparse.h"

/* put_uint appends |sep| (when not 0) and |v| in decimal, keeping room for
 * the NUL; every value here is a u16, so five digits at most. */
static int put_uint(char *out, size_t cap, size_t *len, char sep, uint16_t v) {
  char digits[5];
  size_t n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  if (cap - *len <= n + (sep != 0)) {
    return 0;
  }
  if (sep != 0) {
    out[(*len)++] = sep;
  }
  while (n > 0) {
    out[(*len)++] = digits[--n];
  }
  out[*len] = '\0';
  return 1;
}

int tp_ja3s_string(const struct tp_server_hello *sh, char *out, size_t cap, size_t *out_len) {
  size_t len = 0;
  if (cap == 0 || !put_uint(out, cap, &len, 0, sh->legacy_version) ||
      !put_uint(out, cap, &len, ',', sh->cipher_suite) || len + 1 >= cap) {
    return 0;
  }
  out[len++] = ',';
  out[len] = '\0';
  tp_cbs exts = sh->extensions;
  char sep = 0;
  while (sh->has_extensions && exts.len > 0) {
    uint16_t type;
    tp_cbs body;
    if (!tp_cbs_get_u16(&exts, &type) || !tp_cbs_get_u16_length_prefixed(&exts, &body) ||
        !put_uint(out, cap, &len, sep, type)) {
      return 0;
    }
    sep = '-';
  }
  *out_len = len;
  return 1;
}
