/* tests/scanner/rich_result.c: a scan result with every part filled in, for
 * the tests that check a record's way out (rich_result.h). */
#include "tests/scanner/rich_result.h"

#include <stdio.h>
#include <string.h>

/* A record with a part of every kind: the target, a fallback probe, a
 * certificate, versions accepted, refused with a dialogue reply and with
 * first bytes, timed out, a confirmation with the application's reply, and
 * enumerated suites, complete and not. */
void rich_result(struct scan_result *r, struct target_item *item) {
  memset(item, 0, sizeof(*item));
  memset(r, 0, sizeof(*r));
  snprintf(item->line.text, sizeof(item->line.text), "smtp://mx.example.com:25");
  snprintf(item->line.host, sizeof(item->line.host), "mx.example.com");
  snprintf(item->line.label, sizeof(item->line.label), "tenant \"a\"");
  item->line.port = 25;
  item->line_no = 7;
  r->item = item;
  r->pseq = 41;
  r->status = STATUS_OK;
  snprintf(r->ip, sizeof(r->ip), "2001:db8::25");
  snprintf(r->sni, sizeof(r->sni), "mx.example.com");
  r->versions_selected = (1u << PV_COUNT) - 1;
  r->policies = 1u;
  r->fallback_pv = PV_TLS11;
  r->fallback.outcome = OUTCOME_REJECTED;
  r->fallback.reason = REJECT_ALERT;
  r->fallback.alert = 86;
  r->fallback.alert_level = 2;
  r->has_cert = 1;
  struct cert_info *c = &r->cert;
  snprintf(c->subject, sizeof(c->subject), "CN=mx.example.com,O=Ex\\, Inc");
  snprintf(c->issuer, sizeof(c->issuer), "CN=Test CA");
  c->san_count = 2;
  c->san[0] = (struct cert_san){.type = CERT_SAN_DNS, .len = 14};
  memcpy(c->san[0].value, "mx.example.com", 14);
  c->san[1] = (struct cert_san){.type = CERT_SAN_IP, .len = 10};
  memcpy(c->san[1].value, "192.0.2.25", 10);
  c->san_more = 3;
  c->times_known = 1;
  snprintf(c->not_before, sizeof(c->not_before), "2026-01-01T00:00:00Z");
  snprintf(c->not_after, sizeof(c->not_after), "2027-01-01T00:00:00Z");
  snprintf(c->key_type, sizeof(c->key_type), "EC");
  c->key_bits = 256;
  snprintf(c->key_curve, sizeof(c->key_curve), "P-256");
  snprintf(c->signature, sizeof(c->signature), "ecdsa-with-SHA256");
  snprintf(c->sha256, sizeof(c->sha256), "%064x", 0xabcdef);
  snprintf(c->serial, sizeof(c->serial), "0a1b");
  c->chain_length = 2;
  snprintf(c->verify_error, sizeof(c->verify_error), "ok");
  c->chain_verifies = 1;
  c->name_checked = 1;
  c->name_matches = 1;

  struct version_result *v = &r->v[PV_SSL3];
  v->outcome = OUTCOME_TIMEOUT;
  v->stage = STAGE_RECV;
  v->attempts = 2;
  v = &r->v[PV_TLS10];
  v->outcome = OUTCOME_REJECTED;
  v->reason = REJECT_STARTTLS;
  v->reason_name = "starttls_refused";
  static const char reply[] = "454 4.7.0 TLS 1.0 and 1.1 are not supported \"\xff\x01";
  v->reply_len = sizeof(reply) - 1;
  memcpy(v->reply, reply, v->reply_len);
  v = &r->v[PV_TLS11];
  v->outcome = OUTCOME_REJECTED;
  v->reason = REJECT_NOT_TLS;
  v->first_len = 5;
  memcpy(v->first_bytes, "HTTP/", 5);
  v = &r->v[PV_TLS12];
  v->outcome = OUTCOME_ACCEPTED;
  v->server_version = 0x0303;
  v->cipher_suite = 0xc02f;
  v->ms = 12;
  v->attempts = 3;
  v->hello_minimal = 1;
  v->has_ja3s = 1;
  memset(v->ja3s, 0x5c, sizeof(v->ja3s));
  v->confirm.state = CONFIRM_DONE;
  v->confirm.handshake_ok = 1;
  v->confirm.version = 0x0303;
  v->confirm.cipher = 0xc02f;
  v->confirm.app_name = "ok";
  v->confirm.app_code = 250;
  static const char app[] = "250 mx.example.com ready\r\n";
  v->confirm.reply_len = sizeof(app) - 1;
  memcpy(v->confirm.reply, app, v->confirm.reply_len);
  v->confirm.runs = v->confirm.handshake_ok_runs = v->confirm.app_ok_runs = 1;
  v = &r->v[PV_TLS13];
  v->outcome = OUTCOME_ACCEPTED;
  v->server_version = 0x0304;
  v->cipher_suite = 0x1301;
  v->key_share_group = 0x001d;
  v->hello_retry = 1;

  struct cipher_result *cr = &r->ciphers[PV_TLS12];
  cr->state = CIPHERS_COMPLETE;
  cr->order = CIPHER_ORDER_SERVER;
  cr->connections = 4;
  cr->window = CIPHER_MAX;
  cr->n = 3;
  cr->suites[0] = 0x009c;
  cr->suites[1] = 0xc02f;
  cr->suites[2] = 0xc030;
  cr = &r->ciphers[PV_TLS13];
  cr->state = CIPHERS_INCOMPLETE;
  cr->connections = 2;
  cr->window = 16;
  cr->n = 1;
  cr->suites[0] = 0x1301;
  cr->failure.outcome = OUTCOME_TIMEOUT;
  cr->failure.stage = STAGE_RECV;
}
