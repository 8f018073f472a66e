/* scanner/output/output.c: one record per target, as JSON Lines, CSV or text.
 *
 * A JSON record is a jansson tree, written out by jsonout_compact, which
 * escapes every string as jansson would (quotes, control bytes, NUL) so a
 * record stays valid whatever a server sent; before that,
 * utf8_sanitize makes each string valid UTF-8 without dropping a byte. A
 * record's jansson tree is short-lived, so while one is rendered jansson
 * allocates from a per-thread arena that is simply rewound afterwards: a
 * scan of millions of targets makes no heap allocation per record once the
 * arena and the output buffer have grown to the largest record.
 *
 * The text view renders the same JSON tree into words (text.c), so what a
 * terminal shows is what the record says.
 *
 * Formats are plug-ins: a const struct per format, registered in kFormats. */
#include "scanner/output/output.h"

#include "scanner/base/outbuf.h"
#include "scanner/output/jsonout.h"
#include "scanner/output/policies.h"
#include "scanner/output/text.h"
#include "scanner/proto/appcheck.h"
#include "tlsparse/suites.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/err.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- per-thread rendering state --------------------------------------------- */

/* While a record is rendered, jansson's allocations come from the calling
 * thread's arena; a request that does not fit goes to malloc, and frees of
 * arena memory are no-ops (the whole arena is rewound after the record).
 * Each thread that renders has its own state, freed when the thread ends. */
struct arena {
  char *base;
  size_t cap;
  size_t used;
  size_t overflow;   /* bytes that missed the arena in this record */
};

struct render_state {
  struct arena arena;
  int arena_active;
  struct outbuf scratch;   /* sanitised strings: grows to the longest, reused */
  struct outbuf record;    /* output_record_buffer's */
};

static pthread_once_t render_once = PTHREAD_ONCE_INIT;
static pthread_key_t render_key;
static __thread struct render_state *tls_render;

static void *arena_malloc(size_t n) {
  struct render_state *rs = tls_render;
  if (rs == NULL || !rs->arena_active) {
    return malloc(n);
  }
  struct arena *a = &rs->arena;
  size_t need = (n + 15) & ~(size_t)15;
  if (need >= n && a->cap - a->used >= need) {
    void *p = a->base + a->used;
    a->used += need;
    return p;
  }
  a->overflow += need;
  return malloc(n);
}

static void arena_free(void *p) {
  struct render_state *rs = tls_render;
  if (p != NULL && rs != NULL && rs->arena.base != NULL && (char *)p >= rs->arena.base &&
      (char *)p < rs->arena.base + rs->arena.cap) {
    return;
  }
  free(p);
}

static void render_state_free(void *p) {
  struct render_state *rs = p;
  free(rs->arena.base);
  outbuf_free(&rs->scratch);
  outbuf_free(&rs->record);
  free(rs);
}

static void render_init(void) {
  pthread_key_create(&render_key, render_state_free);
  json_set_alloc_funcs(arena_malloc, arena_free);
}

/* render_state returns this thread's state, made on first use (NULL when
 * memory is short). */
static struct render_state *render_state(void) {
  pthread_once(&render_once, render_init);
  if (tls_render == NULL) {
    tls_render = calloc(1, sizeof(*tls_render));
    if (tls_render != NULL) {
      pthread_setspecific(render_key, tls_render);
    }
  }
  return tls_render;
}

struct outbuf *output_record_buffer(void) {
  struct render_state *rs = render_state();
  return rs != NULL ? &rs->record : NULL;
}

/* arena_begin readies this thread's arena for one record. */
static void arena_begin(struct render_state *rs) {
  rs->arena.used = 0;
  rs->arena.overflow = 0;
  rs->arena_active = 1;
}

/* arena_end frees the record's tree |o| (NULL: none) and stops taking
 * from the arena; if the record did not fit, it grows the arena so the next
 * such record will. A tree wholly in the arena is not walked to be freed:
 * the next arena_begin rewinds it (a tenth of the renderer's time). */
static void arena_end(struct render_state *rs, json_t *o) {
  struct arena *a = &rs->arena;
  if (a->overflow == 0) {
    rs->arena_active = 0;
    return;
  }
  json_decref(o);
  rs->arena_active = 0;
  size_t cap = a->cap ? a->cap : 16384;
  while (cap < a->used + a->overflow && cap < ((size_t)1 << 28)) {
    cap *= 2;
  }
  char *p = malloc(cap);
  if (p != NULL) {
    free(a->base);
    a->base = p;
    a->cap = cap;
  }
}

/* ---- JSON records ------------------------------------------------------------ */

/* json_bytes makes a JSON string of arbitrary bytes (sanitised). */
static json_t *json_bytes(const void *data, size_t len) {
  struct outbuf *scratch = &tls_render->scratch;
  scratch->len = 0;
  if (!utf8_sanitize(scratch, data, len)) {
    return NULL;
  }
  return json_stringn_nocheck(scratch->data, scratch->len);
}

static json_t *json_text(const char *s) { return json_bytes(s, strlen(s)); }

static void set(json_t *obj, const char *key, json_t *value) {
  /* A NULL value (allocation failure) is dropped by jansson. */
  json_object_set_new_nocheck(obj, key, value);
}

static void set_text(json_t *obj, const char *key, const char *s) {
  if (s != NULL && s[0] != '\0') {
    set(obj, key, json_text(s));
  }
}

static void set_hex16(json_t *obj, const char *key, const char *name, uint16_t code) {
  char hex[8];
  if (name == NULL) {
    snprintf(hex, sizeof(hex), "0x%04x", code);
    name = hex;
  }
  set(obj, key, json_string_nocheck(name));
}

static const char *reason_name(enum reject_reason r) {
  switch (r) {
    case REJECT_NONE: return "";
    case REJECT_ALERT: return "alert";
    case REJECT_CLOSED: return "closed";
    case REJECT_RESET: return "reset";
    case REJECT_VERSION_MISMATCH: return "version_mismatch";
    case REJECT_NOT_TLS: return "not_tls";
    case REJECT_MALFORMED: return "malformed";
    case REJECT_STARTTLS: return "starttls";
  }
  return "unknown";
}

/* rejection_name is the reason as output writes it: a dialogue failure
 * names itself ("starttls_refused", "not_smtp"...). */
static const char *rejection_name(const struct version_result *v) {
  if (v->reason == REJECT_STARTTLS && v->reason_name != NULL) {
    return v->reason_name;
  }
  return reason_name(v->reason);
}

static const char *stage_name(const struct version_result *v) {
  switch (v->stage) {
    case STAGE_NONE: return "";
    case STAGE_CONNECT: return "connect";
    case STAGE_SEND: return "send";
    case STAGE_RECV: return "recv";
    case STAGE_DIALOGUE: return v->stage_name != NULL ? v->stage_name : "starttls";
  }
  return "unknown";
}

static const char *downgrade_name(enum tp_downgrade d) {
  switch (d) {
    case TP_DOWNGRADE_NONE: return NULL;
    case TP_DOWNGRADE_TLS12: return "tls1.2";
    case TP_DOWNGRADE_TLS11: return "tls1.1";
  }
  return NULL;
}

static const char *version_or_hex(uint16_t v, char *buf, size_t cap) {
  const char *name = tp_version_name(v);
  if (name == NULL) {
    snprintf(buf, cap, "0x%04x", v);
    name = buf;
  }
  return name;
}

static const char *confirm_failure_name(enum confirm_failure f) {
  switch (f) {
    case CONFIRM_FAIL_NONE: return "";
    case CONFIRM_FAIL_ALERT: return "alert";
    case CONFIRM_FAIL_TLS: return "tls_error";
    case CONFIRM_FAIL_CLOSED: return "closed";
    case CONFIRM_FAIL_RESET: return "reset";
    case CONFIRM_FAIL_TIMEOUT: return "timeout";
    case CONFIRM_FAIL_CONNECT: return "connect";
    case CONFIRM_FAIL_STARTTLS: return "starttls";
  }
  return "unknown";
}

/* confirm_json renders a version's confirmation: the first run in full,
 * and the counts over all runs when there were several (design.md). */
static json_t *confirm_json(const struct confirm_result *c) {
  json_t *o = json_object();
  if (c->state == CONFIRM_UNSUPPORTED) {
    set(o, "handshake", json_string_nocheck("unsupported"));
    return o;
  }
  char buf[16];
  if (c->handshake_ok) {
    set(o, "handshake", json_string_nocheck("ok"));
    set(o, "version", json_string_nocheck(version_or_hex(c->version, buf, sizeof(buf))));
    set_hex16(o, "cipher", tp_cipher_name(c->cipher), c->cipher);
    set(o, "app", json_string_nocheck(c->app_name != NULL ? c->app_name : "unknown"));
    if (c->app_code != 0) {
      set(o, "app_code", json_integer(c->app_code));
    }
    if (c->reply_len > 0) {
      set(o, "app_message", json_bytes(c->reply, c->reply_len));
    }
    if (c->app == APP_PENDING && c->stage_name != NULL) {
      set(o, "app_stage", json_string_nocheck(c->stage_name));
    }
  } else {
    set(o, "handshake", json_string_nocheck("failed"));
    if (c->failure == CONFIRM_FAIL_STARTTLS && c->reason_name != NULL) {
      set(o, "reason", json_string_nocheck(c->reason_name));
    } else {
      set(o, "reason", json_string_nocheck(confirm_failure_name(c->failure)));
    }
    if (c->failure == CONFIRM_FAIL_ALERT) {
      const char *name = tp_alert_name(c->alert);
      set(o, "alert", name != NULL ? json_string_nocheck(name) : json_integer(c->alert));
    } else if (c->failure == CONFIRM_FAIL_TLS && c->error != 0) {
      const char *why = ERR_reason_error_string((uint32_t)c->error);
      set(o, "error", json_text(why != NULL ? why : "unknown"));
    } else if (c->failure == CONFIRM_FAIL_CONNECT && c->error != 0) {
      set(o, "error", json_text(strerror(c->error)));
    }
    if (c->stage_name != NULL) {
      set(o, "stage", json_string_nocheck(c->stage_name));
    }
    if (c->reply_len > 0) {
      set(o, "reply", json_bytes(c->reply, c->reply_len));
    }
  }
  if (c->runs > 1) {
    json_t *rep = json_object();
    set(rep, "n", json_integer(c->runs));
    set(rep, "handshake_ok", json_integer(c->handshake_ok_runs));
    set(rep, "app_ok", json_integer(c->app_ok_runs));
    set(rep, "app_refused", json_integer(c->app_refused_runs));
    set(o, "repeat", rep);
  }
  return o;
}

static json_t *version_json(const struct version_result *v) {
  json_t *o = json_object();
  if (o == NULL) {
    return NULL;
  }
  set(o, "verdict", json_string_nocheck(probe_outcome_name(v->outcome)));
  char buf[16];
  switch (v->outcome) {
    case OUTCOME_ACCEPTED:
      /* The suite the server picked from the probe's offer, which puts what
       * costs the server least first: not what it prefers for real clients
       * (the confirmation's cipher is that). */
      set_hex16(o, "probe_cipher", tp_cipher_name(v->cipher_suite), v->cipher_suite);
      if (v->key_share_group != 0) {
        set_hex16(o, "group", tp_group_name(v->key_share_group), v->key_share_group);
      }
      if (v->hello_retry) {
        set(o, "hello_retry", json_true());
      }
      if (v->has_ja3s) {
        char hex[2 * sizeof(v->ja3s) + 1];
        hex_encode(hex, v->ja3s, sizeof(v->ja3s));
        set(o, "ja3s", json_stringn_nocheck(hex, 2 * sizeof(v->ja3s)));
      }
      break;
    case OUTCOME_REJECTED:
      set(o, "reason", json_string_nocheck(rejection_name(v)));
      if (v->stage == STAGE_DIALOGUE) {
        set(o, "stage", json_string_nocheck(stage_name(v)));
      }
      if (v->reply_len > 0) {
        set(o, "reply", json_bytes(v->reply, v->reply_len));
      }
      if (v->reason == REJECT_ALERT) {
        const char *name = tp_alert_name(v->alert);
        if (name != NULL) {
          set(o, "alert", json_string_nocheck(name));
        } else {
          set(o, "alert", json_integer(v->alert));
        }
      } else if (v->reason == REJECT_VERSION_MISMATCH) {
        set(o, "server_version", json_string_nocheck(version_or_hex(v->server_version, buf,
                                                                     sizeof(buf))));
      } else if (v->reason == REJECT_MALFORMED) {
        set(o, "malformed", json_string_nocheck(tp_malformed_name(v->malformed)));
      }
      break;
    case OUTCOME_TIMEOUT:
    case OUTCOME_ERROR:
      set(o, "stage", json_string_nocheck(stage_name(v)));
      if (v->outcome == OUTCOME_ERROR && v->error != 0) {
        set(o, "error", json_text(strerror(v->error)));
      }
      break;
    case OUTCOME_NOT_RUN:
    case OUTCOME_CONNECTED:
    case OUTCOME_COUNT:
      break;
  }
  const char *downgrade = downgrade_name(v->downgrade);
  if (downgrade != NULL) {
    set(o, "downgrade_sentinel", json_string_nocheck(downgrade));
  }
  if (v->unsolicited_exts != 0) {
    json_t *list = json_array();
    for (int bit = 0; bit < TP_EXT_BIT_COUNT; bit++) {
      if (v->unsolicited_exts & (1u << bit)) {
        json_array_append_new(list, json_string_nocheck(tp_ext_bit_name((enum tp_ext_bit)bit)));
      }
    }
    set(o, "unsolicited_extensions", list);
  }
  if (v->warnings > 0) {
    const char *name = tp_alert_name(v->last_warning);
    set(o, "warning_alert", name ? json_string_nocheck(name) : json_integer(v->last_warning));
  }
  /* What a non-TLS or broken answer began with: as text (escaped) to read,
   * and as hex to be exact. */
  if (v->first_len > 0 && (v->reason == REJECT_NOT_TLS || v->reason == REJECT_MALFORMED)) {
    set(o, "first_bytes", json_bytes(v->first_bytes, v->first_len));
    char hex[2 * RESULT_FIRST_BYTES + 1];
    hex_encode(hex, v->first_bytes, v->first_len);
    set(o, "first_bytes_hex", json_stringn_nocheck(hex, 2 * (size_t)v->first_len));
  }
  if (v->outcome != OUTCOME_NOT_RUN) {
    set(o, "ms", json_integer(v->ms));
  }
  if (v->attempts > 1) {
    set(o, "attempts", json_integer(v->attempts));
  }
  /* Which hello gave this answer, where it was not the default one. */
  if (v->hello_minimal || v->hello_key_share) {
    set(o, "hello", json_string_nocheck(v->hello_minimal && v->hello_key_share ? "minimal,key_share"
                                        : v->hello_minimal                   ? "minimal"
                                                                               : "key_share"));
  }
  if (v->hello_minimal && v->outcome == OUTCOME_ACCEPTED) {
    /* The full hello was swallowed twice, the minimal one answered between. */
    set(o, "intolerant", json_string_nocheck("hello_shape"));
  }
  if (v->confirm.state != CONFIRM_NONE) {
    set(o, "confirm", confirm_json(&v->confirm));
  }
  return o;
}

/* flags_json lists the names of the suite flags in |flags|. */
static json_t *flags_json(uint32_t flags) {
  json_t *list = json_array();
  for (unsigned f = 0; f < TP_SUITE_FLAG_COUNT; f++) {
    if (flags & (1u << f)) {
      json_array_append_new(list, json_string_nocheck(tp_suite_flag_name((enum tp_suite_flag)f)));
    }
  }
  return list;
}

/* cipher_failure_json says where an enumeration stopped short. */
static json_t *cipher_failure_json(const struct cipher_failure *f) {
  json_t *o = json_object();
  char buf[16];
  if (f->canary) {
    /* Even a small offer holding a suite the server had accepted was
     * refused: it cannot be told what it refuses. */
    set(o, "reason", json_string_nocheck("refused_accepted_suite"));
  } else if (f->unoffered) {
    set(o, "reason", json_string_nocheck("unoffered_suite"));
    set_hex16(o, "suite", tp_cipher_name(f->suite), f->suite);
  } else if (f->outcome == OUTCOME_REJECTED) {
    struct version_result v;
    memset(&v, 0, sizeof(v));
    v.reason = (enum reject_reason)f->reason;
    set(o, "reason", json_string_nocheck(reason_name(v.reason)));
    if (f->reason == REJECT_ALERT) {
      const char *name = tp_alert_name(f->alert);
      set(o, "alert", name != NULL ? json_string_nocheck(name) : json_integer(f->alert));
    } else if (f->reason == REJECT_VERSION_MISMATCH) {
      set(o, "server_version",
          json_string_nocheck(version_or_hex(f->server_version, buf, sizeof(buf))));
    }
  } else {
    set(o, "reason", json_string_nocheck(probe_outcome_name((enum probe_outcome)f->outcome)));
    if (f->outcome == OUTCOME_ERROR && f->error != 0) {
      set(o, "error", json_text(strerror(f->error)));
    }
  }
  if (f->stage != STAGE_NONE) {
    struct version_result v;
    memset(&v, 0, sizeof(v));
    v.stage = (enum probe_stage)f->stage;
    v.stage_name = f->stage_name;
    set(o, "stage", json_string_nocheck(stage_name(&v)));
  }
  return o;
}

/* ciphers_json renders a version's enumeration (--ciphers): the suites
 * accepted with their flags, the flags present, whether the server imposes
 * its order, what it cost, and where it stopped if it did. */
static json_t *ciphers_json(const struct cipher_result *c) {
  json_t *o = json_object();
  set(o, "complete", json_boolean(c->state == CIPHERS_COMPLETE));
  if (c->order != CIPHER_ORDER_UNKNOWN) {
    set(o, "order", json_string_nocheck(c->order == CIPHER_ORDER_SERVER ? "server" : "client"));
  }
  json_t *suites = json_array();
  uint32_t all = 0;
  for (uint16_t i = 0; i < c->n; i++) {
    struct tp_suite_info s;
    json_t *one = json_object();
    char code[8];
    snprintf(code, sizeof(code), "0x%04x", c->suites[i]);
    set_hex16(one, "name", tp_cipher_name(c->suites[i]), c->suites[i]);
    set(one, "code", json_string_nocheck(code));
    if (tp_suite_info(c->suites[i], &s)) {
      set(one, "flags", flags_json(s.flags));
      all |= s.flags;
    }
    json_array_append_new(suites, one);
  }
  set(o, "suites", suites);
  set(o, "flags", flags_json(all));
  set(o, "connections", json_integer(c->connections));
  if (c->window < CIPHER_MAX) {
    set(o, "offer_size", json_integer(c->window)); /* the server choked on bigger offers */
  }
  if (c->state == CIPHERS_INCOMPLETE) {
    set(o, "failure", cipher_failure_json(&c->failure));
  }
  return o;
}

static json_t *record_json(const struct scan_result *r) {
  const struct target_item *item = r->item;
  const struct target_line *l = &item->line;
  json_t *o = json_object();
  if (o == NULL) {
    return NULL;
  }
  set(o, "target", json_text(l->text));
  if (item->line_no > 0) {
    set(o, "line", json_integer((json_int_t)item->line_no));
  }
  if (r->status != STATUS_INVALID) {
    set_text(o, "host", l->host);
    set_text(o, "ip", r->ip);
    set(o, "port", json_integer(l->port));
    set(o, "proto", json_string_nocheck(proto_get(l->proto)->scheme));
    set_text(o, "sni", r->sni);
  }
  set_text(o, "label", l->label);
  set(o, "status", json_string_nocheck(target_status_name(r->status)));
  set_text(o, "error", r->error);
  if (r->status == STATUS_OK) {
    json_t *versions = json_object();
    for (int pv = 0; pv < PV_COUNT; pv++) {
      if (r->versions_selected & (1u << pv)) {
        json_t *v = version_json(&r->v[pv]);
        if (r->ciphers[pv].state != CIPHERS_NONE) {
          set(v, "ciphers", ciphers_json(&r->ciphers[pv]));
        }
        set(versions, probe_version_name((enum probe_version)pv), v);
      }
    }
    set(o, "versions", versions);
    int legacy, min_pv, max_pv;
    scan_result_summary(r, &legacy, &min_pv, &max_pv);
    set(o, "legacy", json_boolean(legacy));
    set(o, "min", min_pv < 0 ? json_null()
                             : json_string_nocheck(probe_version_name((enum probe_version)min_pv)));
    set(o, "max", max_pv < 0 ? json_null()
                             : json_string_nocheck(probe_version_name((enum probe_version)max_pv)));
  }
  if (r->status == STATUS_OK) {
    /* Findings across versions: a server that marks its lower-version
     * answers with the RFC 8446 sentinel protects against downgrade. */
    int sentinel = 0;
    for (int pv = 0; pv < PV_COUNT; pv++) {
      sentinel |= r->v[pv].downgrade != TP_DOWNGRADE_NONE;
    }
    if (sentinel) {
      set(o, "downgrade_protection", json_true());
    }
    int legacy_app = scan_result_legacy_app(r);
    if (legacy_app >= 0) {
      set(o, "legacy_app", json_boolean(legacy_app));
    }
  }
  if (r->status == STATUS_OK && r->fallback.outcome != OUTCOME_NOT_RUN) {
    json_t *fb = version_json(&r->fallback);
    set(fb, "version", json_string_nocheck(probe_version_name((enum probe_version)r->fallback_pv)));
    int protected = r->fallback.outcome == OUTCOME_REJECTED && r->fallback.reason == REJECT_ALERT &&
                    r->fallback.alert == TP_ALERT_INAPPROPRIATE_FALLBACK;
    set(fb, "protection", json_boolean(protected));
    set(o, "fallback_scsv", fb);
  }
  if (r->has_cert) {
    set(o, "cert", cert_info_json(&r->cert));
  }
  if (r->policies != 0) {
    /* Judged from the record itself, as a record read back from a file
     * would be: the verdicts cannot say more than the record does. */
    set(o, "policy", policies_json(o, r->policies));
  }
  set(o, "scan_ms", json_integer(r->scan_ms));
  return o;
}

int output_policy_verdicts(const struct scan_result *r, int8_t out[POLICY_COUNT]) {
  memset(out, -1, POLICY_COUNT);
  if (r->policies == 0) {
    return 1;
  }
  struct render_state *rs = render_state();
  if (rs == NULL) {
    return 0;
  }
  arena_begin(rs);
  json_t *o = record_json(r);
  const json_t *judged = json_object_get(o, "policy");
  int ok = json_is_object(judged);
  for (unsigned i = 0; ok && i < POLICY_COUNT; i++) {
    out[i] = (int8_t)policy_verdict(json_object_get(judged, policy_name(i)));
  }
  arena_end(rs, o);
  return ok;
}

static int jsonl_record(const struct scan_result *r, struct outbuf *out) {
  struct render_state *rs = render_state();
  if (rs == NULL) {
    return 0;
  }
  arena_begin(rs);
  json_t *o = record_json(r);
  size_t before = out->len;
  int ok = o != NULL && jsonout_compact(o, out) && outbuf_append(out, "\n", 1);
  if (!ok) {
    out->len = before;
  }
  arena_end(rs, o);
  return ok;
}

/* ---- CSV records ------------------------------------------------------------- */

static const char kCsvHeader[] =
    "target,line,host,ip,port,proto,sni,label,status,error,legacy,min,max,scan_ms,"
    "ssl3,ssl3_detail,tls1.0,tls1.0_detail,tls1.1,tls1.1_detail,"
    "tls1.2,tls1.2_detail,tls1.3,tls1.3_detail\n";

static int csv_header(struct outbuf *out) { return outbuf_puts(out, kCsvHeader); }

/* csv_field appends one field (RFC 4180): quoted when it holds a comma, a
 * quote or a line break, with quotes doubled; control bytes become spaces
 * so that one record stays one line. */
static int csv_field(struct outbuf *out, const char *s, int last) {
  struct render_state *rs = render_state();
  if (rs == NULL) {
    return 0;
  }
  struct outbuf *scratch = &rs->scratch;
  scratch->len = 0;
  if (!utf8_sanitize(scratch, (const uint8_t *)s, strlen(s))) {
    return 0;
  }
  int quote = scratch->len > 0 && (strpbrk(s, ",\"\r\n") != NULL || s[0] == ' ');
  if (!outbuf_reserve(out, 2 * scratch->len + 3)) {
    return 0;
  }
  if (quote) {
    out->data[out->len++] = '"';
  }
  for (size_t i = 0; i < scratch->len; i++) {
    char c = scratch->data[i];
    if (c == '"') {
      out->data[out->len++] = '"';
    } else if ((unsigned char)c < 0x20 || c == 0x7f) {
      c = ' ';
    }
    out->data[out->len++] = c;
  }
  if (quote) {
    out->data[out->len++] = '"';
  }
  out->data[out->len++] = last ? '\n' : ',';
  return 1;
}

static int csv_record(const struct scan_result *r, struct outbuf *out) {
  const struct target_item *item = r->item;
  const struct target_line *l = &item->line;
  int ok = r->status == STATUS_OK;
  int legacy = 0, min_pv = -1, max_pv = -1;
  scan_result_summary(r, &legacy, &min_pv, &max_pv);
  char line[24], port[8], ms[16];
  snprintf(line, sizeof(line), "%lu", item->line_no);
  snprintf(port, sizeof(port), "%u", l->port);
  snprintf(ms, sizeof(ms), "%u", r->scan_ms);
  int invalid = r->status == STATUS_INVALID;
  int good = csv_field(out, l->text, 0) && csv_field(out, item->line_no ? line : "", 0) &&
             csv_field(out, invalid ? "" : l->host, 0) && csv_field(out, r->ip, 0) &&
             csv_field(out, invalid ? "" : port, 0) &&
             csv_field(out, invalid ? "" : proto_get(l->proto)->scheme, 0) &&
             csv_field(out, r->sni, 0) && csv_field(out, l->label, 0) &&
             csv_field(out, target_status_name(r->status), 0) && csv_field(out, r->error, 0) &&
             csv_field(out, ok ? (legacy ? "true" : "false") : "", 0) &&
             csv_field(out, min_pv >= 0 ? probe_version_name((enum probe_version)min_pv) : "", 0) &&
             csv_field(out, max_pv >= 0 ? probe_version_name((enum probe_version)max_pv) : "", 0) &&
             csv_field(out, ms, 0);
  for (int pv = 0; good && pv < PV_COUNT; pv++) {
    const struct version_result *v = &r->v[pv];
    int selected = ok && (r->versions_selected & (1u << pv));
    char detail[96] = "";
    char buf[16];
    if (selected) {
      switch (v->outcome) {
        case OUTCOME_ACCEPTED: {
          const char *c = tp_cipher_name(v->cipher_suite);
          if (c != NULL) {
            snprintf(detail, sizeof(detail), "%s", c);
          } else {
            snprintf(detail, sizeof(detail), "0x%04x", v->cipher_suite);
          }
          break;
        }
        case OUTCOME_REJECTED:
          if (v->reason == REJECT_ALERT) {
            const char *a = tp_alert_name(v->alert);
            snprintf(detail, sizeof(detail), "alert:%s", a ? a : "unknown");
          } else if (v->reason == REJECT_VERSION_MISMATCH) {
            snprintf(detail, sizeof(detail), "version_mismatch:%s",
                     version_or_hex(v->server_version, buf, sizeof(buf)));
          } else if (v->reason == REJECT_MALFORMED) {
            snprintf(detail, sizeof(detail), "malformed:%s", tp_malformed_name(v->malformed));
          } else {
            snprintf(detail, sizeof(detail), "%s", rejection_name(v));
          }
          break;
        case OUTCOME_TIMEOUT:
        case OUTCOME_ERROR:
          snprintf(detail, sizeof(detail), "%s", stage_name(v));
          break;
        case OUTCOME_NOT_RUN:
        case OUTCOME_CONNECTED:
        case OUTCOME_COUNT:
          break;
      }
    }
    good = csv_field(out, selected ? probe_outcome_name(v->outcome) : "", 0) &&
           csv_field(out, detail, pv == PV_COUNT - 1);
  }
  return good;
}

/* ---- text: the terminal view ------------------------------------------------- */

static int text_render(const struct scan_result *r, int colour, struct outbuf *out) {
  struct render_state *rs = render_state();
  if (rs == NULL) {
    return 0;
  }
  arena_begin(rs);
  json_t *o = record_json(r);
  int ok = o != NULL && text_record(o, colour, time(NULL), out);
  arena_end(rs, o);
  return ok;
}

static int text_plain(const struct scan_result *r, struct outbuf *out) {
  return text_render(r, 0, out);
}

static int text_colour(const struct scan_result *r, struct outbuf *out) {
  return text_render(r, 1, out);
}

/* text_summaries renders each JSON line of |jsonl| as a tenant's line; a
 * line that is no JSON object (none is: tenants.c writes them) is kept as
 * it is, escaped. */
static int text_summaries(const char *jsonl, size_t len, int colour, struct outbuf *out) {
  int ok = 1;
  for (size_t i = 0; ok && i < len;) {
    const char *nl = memchr(jsonl + i, '\n', len - i);
    size_t n = nl != NULL ? (size_t)(nl - (jsonl + i)) : len - i;
    json_t *o = json_loadb(jsonl + i, n, 0, NULL);
    if (json_is_object(o)) {
      ok = text_summary(o, colour, out);
    } else {
      ok = term_escape(out, jsonl + i, n) && outbuf_puts(out, "\n");
    }
    json_decref(o);
    i += n + 1;
  }
  return ok;
}

static int text_summaries_plain(const char *jsonl, size_t len, struct outbuf *out) {
  return text_summaries(jsonl, len, 0, out);
}

static int text_summaries_colour(const char *jsonl, size_t len, struct outbuf *out) {
  return text_summaries(jsonl, len, 1, out);
}

/* ---- registry ------------------------------------------------------------------ */

/* Not in kFormats: chosen for a terminal in place of "text", never by name. */
static const struct output_format kTextColour = {
    .name = "text",
    .record = text_colour,
    .summary = text_summaries_colour,
};

static const struct output_format kFormats[] = {
    {.name = "jsonl", .header = NULL, .record = jsonl_record},
    {.name = "csv", .header = csv_header, .record = csv_record},
    {.name = "text", .record = text_plain, .summary = text_summaries_plain,
     .on_terminal = &kTextColour},
};

const struct output_format *output_format_find(const char *name) {
  for (size_t i = 0; i < sizeof(kFormats) / sizeof(kFormats[0]); i++) {
    if (strcmp(kFormats[i].name, name) == 0) {
      return &kFormats[i];
    }
  }
  return NULL;
}
