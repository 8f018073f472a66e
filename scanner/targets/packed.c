/* scanner/targets/packed.c: target items kept small (packed.h). */
#include "scanner/targets/packed.h"

#include <string.h>

/* item_strings lists an item's strings and their buffers' sizes. */
static void item_strings(const struct target_item *it, const char *out[PACKED_STRINGS],
                         size_t cap[PACKED_STRINGS]) {
  out[PACKED_TEXT] = it->line.text;
  cap[PACKED_TEXT] = sizeof(it->line.text);
  out[PACKED_HOST] = it->line.host;
  cap[PACKED_HOST] = sizeof(it->line.host);
  out[PACKED_SNI] = it->line.sni;
  cap[PACKED_SNI] = sizeof(it->line.sni);
  out[PACKED_LABEL] = it->line.label;
  cap[PACKED_LABEL] = sizeof(it->line.label);
  out[PACKED_ERROR] = it->error;
  cap[PACKED_ERROR] = sizeof(it->error);
}

size_t packed_item_bytes(const struct target_item *it) {
  const char *str[PACKED_STRINGS];
  size_t cap[PACKED_STRINGS], total = 0;
  item_strings(it, str, cap);
  for (int i = 0; i < PACKED_STRINGS; i++) {
    total += strnlen(str[i], cap[i] - 1) + 1;
  }
  return total;
}

void packed_item_pack(struct packed_item *p, const struct target_item *it, char *dst) {
  const char *str[PACKED_STRINGS];
  size_t cap[PACKED_STRINGS], at = 0;
  item_strings(it, str, cap);
  for (int i = 0; i < PACKED_STRINGS; i++) {
    size_t n = strnlen(str[i], cap[i] - 1);
    p->at[i] = (uint16_t)at;
    memcpy(dst + at, str[i], n);
    dst[at + n] = '\0';
    at += n + 1;
  }
  p->bytes = (uint16_t)at;
  p->seq = it->seq;
  p->line_no = it->line_no;
  p->arg_no = it->arg_no;
  memcpy(p->addr, &it->line.addr, sizeof(p->addr));
  p->port = it->line.port;
  p->type = (uint8_t)it->type;
  p->kind = (uint8_t)it->line.kind;
  p->prefix = it->line.prefix;
  p->proto = (uint8_t)it->line.proto;
  p->sni_given = (uint8_t)it->line.sni_given;
}

void packed_item_unpack(const struct packed_item *p, const char *src, struct target_item *out) {
  /* The numbers, and each string up to its NUL: what lies behind the NUL
   * in a buffer is never read. */
  out->type = p->type;
  out->seq = p->seq;
  out->line_no = p->line_no;
  out->arg_no = p->arg_no;
  memcpy(&out->line.addr, p->addr, sizeof(p->addr));
  out->line.prefix = p->prefix;
  out->line.port = p->port;
  out->line.kind = (enum target_kind)p->kind;
  out->line.proto = (enum proto)p->proto;
  out->line.sni_given = p->sni_given;
  char *dst[PACKED_STRINGS] = {out->line.text, out->line.host, out->line.sni, out->line.label,
                               out->error};
  for (int i = 0; i < PACKED_STRINGS; i++) {
    const char *s = src + p->at[i];
    memcpy(dst[i], s, strlen(s) + 1);
  }
}
