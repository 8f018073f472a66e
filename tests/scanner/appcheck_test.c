/* tests/scanner/appcheck_test.c: the application check after a confirmation handshake,
 * from server transcripts; and the Wilson score interval.
 *
 * Each check is a script: what we say first (where the client speaks
 * first), then turns of "the server says this, we answer that", ending on
 * the verdict. Server texts are those of Dovecot, Postfix, Exim, vsftpd,
 * ProFTPD, nginx and Exchange Online (its TLS 1.0/1.1 refusals as Microsoft
 * documented them; greetings trimmed), and slapd, Prosody and PostgreSQL
 * 15 (captured from the daemons the integration tests run). Every script runs with each server
 * message fed whole, one byte at a time, split in two at every byte
 * boundary, and in pieces of 2, 3, 5 and 7 bytes: the same steps and the
 * exact same bytes out must come, and no step but NEED_MORE may come before
 * the last byte of the message that brings it (no command ahead of its
 * go-ahead). Cases the scripts cannot express (bytes after the verdict,
 * bounds, the close, hostile names) are tests of their own. The Wilson
 * tests compare with the count form of the formula in long double and with
 * published values. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scanner/proto/appcheck.h"
#include "scanner/base/stats.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* B expands a string literal to the pointer and length fields of a struct. */
#define B(s) (const uint8_t *)(s), sizeof(s) - 1

struct turn {
  const uint8_t *server;
  size_t server_len;
  const uint8_t *client; /* what we answer; NULL: the verdict comes on this message */
  size_t client_len;
};

struct script {
  const char *what;
  enum proto proto;
  int after_starttls;
  const char *name;     /* appcheck_init's name */
  const uint8_t *hello; /* what we say first; NULL when the server speaks first */
  size_t hello_len;
  const struct turn *turns;
  size_t nturns;
  enum appcheck_result result;
  const char *result_name;
  const char *stage; /* where it ended */
  unsigned code;
  const uint8_t *reply; /* the reply kept; NULL: not checked */
  size_t reply_len;
};

#define TURNS(t) .turns = (t), .nturns = ARRAY_SIZE(t)
#define REPLY(s) .reply = (const uint8_t *)(s), .reply_len = sizeof(s) - 1
#define HELLO(s) .hello = (const uint8_t *)(s), .hello_len = sizeof(s) - 1

static struct appcheck ac; /* 3 KB: not on the stack */

static const char *step_name(enum appcheck_step s) {
  switch (s) {
    case APPCHECK_NEED_MORE:
      return "NEED_MORE";
    case APPCHECK_SEND:
      return "SEND";
    case APPCHECK_DONE:
      return "DONE";
  }
  return "?";
}

/* feed_message feeds |len| bytes: a first piece of |first| bytes, then pieces
 * of |piece|. Every feed before the message's last byte must consume all it
 * got and say NEED_MORE. Returns the step the last byte brought. */
static enum appcheck_step feed_message(const struct script *s, const char *mode, const uint8_t *msg,
                                       size_t len, size_t first, size_t piece) {
  size_t at = 0;
  enum appcheck_step step = APPCHECK_NEED_MORE;
  while (at < len) {
    size_t n = at == 0 ? first : piece;
    if (n > len - at) {
      n = len - at;
    }
    size_t consumed = (size_t)-1;
    step = appcheck_feed(&ac, msg + at, n, &consumed);
    if (consumed > n) {
      fail_msg("%s [%s]: consumed %zu of %zu", s->what, mode, consumed, n);
    }
    at += consumed;
    if (step != APPCHECK_NEED_MORE) {
      if (at != len) {
        fail_msg("%s [%s]: %s after %zu of %zu bytes (stage %s, %s)", s->what, mode,
                 step_name(step), at, len, appcheck_stage_name(&ac), appcheck_result_name(&ac));
      }
      return step;
    }
    if (consumed != n) {
      fail_msg("%s [%s]: NEED_MORE but consumed %zu of %zu", s->what, mode, consumed, n);
    }
  }
  return step;
}

static void expect_output(const struct script *s, const char *mode, const uint8_t *want,
                          size_t want_len) {
  size_t len;
  const uint8_t *out = appcheck_output(&ac, &len);
  if (len != want_len || memcmp(out, want, len) != 0) {
    fail_msg("%s [%s]: sent '%.*s', want '%.*s'", s->what, mode, (int)len, (const char *)out,
             (int)want_len, (const char *)want);
  }
  assert_true(len > 0 && len <= APPCHECK_OUT_MAX);
}

/* run plays |s|; turn |split_turn| (or all when it is SIZE_MAX) is fed as
 * |first| then |piece| bytes at a time, the others whole. */
static void run(const struct script *s, const char *mode, size_t split_turn, size_t first,
                size_t piece) {
  appcheck_init(&ac, s->proto, s->after_starttls, s->name);
  assert_int_equal(appcheck_result(&ac), APP_PENDING);
  enum appcheck_step step = appcheck_begin(&ac);
  if (s->hello != NULL) {
    assert_int_equal(step, APPCHECK_SEND);
    expect_output(s, mode, s->hello, s->hello_len);
  } else {
    assert_int_equal(step, APPCHECK_NEED_MORE);
    assert_int_equal(ac.out_len, 0);
  }
  for (size_t i = 0; i < s->nturns; i++) {
    const struct turn *t = &s->turns[i];
    int split = split_turn == SIZE_MAX || split_turn == i;
    step = feed_message(s, mode, t->server, t->server_len, split ? first : t->server_len,
                        split ? piece : t->server_len);
    enum appcheck_step want = t->client != NULL ? APPCHECK_SEND : APPCHECK_DONE;
    if (step != want) {
      fail_msg("%s [%s]: turn %zu gave %s (%s at %s), want %s", s->what, mode, i, step_name(step),
               appcheck_result_name(&ac), appcheck_stage_name(&ac), step_name(want));
    }
    if (t->client != NULL) {
      assert_int_equal(appcheck_result(&ac), APP_PENDING);
      expect_output(s, mode, t->client, t->client_len);
    }
  }
  if (appcheck_result(&ac) != s->result) {
    fail_msg("%s [%s]: result %s, want %s", s->what, mode, appcheck_result_name(&ac),
             s->result_name);
  }
  assert_string_equal(appcheck_result_name(&ac), s->result_name);
  assert_string_equal(appcheck_stage_name(&ac), s->stage);
  assert_int_equal(appcheck_code(&ac), s->code);
  if (s->reply != NULL) {
    size_t len;
    const uint8_t *reply = appcheck_reply(&ac, &len);
    if (len != s->reply_len || memcmp(reply, s->reply, len) != 0) {
      fail_msg("%s [%s]: kept '%.*s', want '%.*s'", s->what, mode, (int)len, (const char *)reply,
               (int)s->reply_len, (const char *)s->reply);
    }
  }
  /* The verdict stays, takes nothing more, and survives the close. */
  size_t consumed = 1;
  assert_int_equal(appcheck_feed(&ac, (const uint8_t *)"x", 1, &consumed), APPCHECK_DONE);
  assert_int_equal(consumed, 0);
  assert_int_equal(appcheck_eof(&ac), APPCHECK_DONE);
  assert_int_equal(appcheck_begin(&ac), APPCHECK_DONE);
  assert_int_equal(appcheck_result(&ac), s->result);
}

/* check plays |s| whole, a byte at a time, split at every boundary of every
 * message, and in small pieces. */
static void check(const struct script *s) {
  char mode[64];
  run(s, "whole", SIZE_MAX, SIZE_MAX, SIZE_MAX);
  run(s, "bytes", SIZE_MAX, 1, 1);
  for (size_t i = 0; i < s->nturns; i++) {
    for (size_t k = 1; k < s->turns[i].server_len; k++) {
      snprintf(mode, sizeof(mode), "turn %zu split at %zu", i, k);
      run(s, mode, i, k, SIZE_MAX);
    }
  }
  static const size_t kPieces[] = {2, 3, 5, 7};
  for (size_t i = 0; i < ARRAY_SIZE(kPieces); i++) {
    snprintf(mode, sizeof(mode), "pieces of %zu", kPieces[i]);
    run(s, mode, SIZE_MAX, kPieces[i], kPieces[i]);
  }
}

static void check_all(const struct script *scripts, size_t n) {
  for (size_t i = 0; i < n; i++) {
    check(&scripts[i]);
  }
}

/* feed_all feeds |len| bytes at once to the global ac. */
static enum appcheck_step feed_all(const void *data, size_t len, size_t *consumed) {
  return appcheck_feed(&ac, (const uint8_t *)data, len, consumed);
}

static void expect_reply(const char *want) {
  size_t len;
  const uint8_t *reply = appcheck_reply(&ac, &len);
  assert_int_equal(len, strlen(want));
  assert_memory_equal(reply, want, len);
}

/* Exchange Online's refusals of TLS 1.0 and 1.1 in the application. */
#define EXCHANGE_POPIMAP_TEXT                                                \
  "TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to " \
  "support TLS 1.2. Visit https://aka.ms/popimap_tls"
#define EXCHANGE_POP3_REFUSAL "-ERR " EXCHANGE_POPIMAP_TEXT
#define EXCHANGE_IMAP_REFUSAL "* BYE " EXCHANGE_POPIMAP_TEXT
#define EXCHANGE_SMTP_REFUSAL                                                           \
  "421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to " \
  "support TLS 1.2. Visit https://aka.ms/smtp_auth_tls"

/* ==== POP3 (RFC 1939, RFC 2449) ==== */

#define DOVECOT_POP3 "+OK Dovecot (Debian) ready."
#define EXCHANGE_POP3                                  \
  "+OK The Microsoft Exchange POP3 service is ready. " \
  "[UwBOADQAUABSADAANQAwADEAQwBBADAAMAAxADMALgBuAGEAbQA=]"

static void test_pop3s(void **state) {
  (void)state;
  static const struct turn kDovecot[] = {{B(DOVECOT_POP3 "\r\n"), NULL, 0}};
  static const struct turn kExchange[] = {{B(EXCHANGE_POP3 "\r\n"), NULL, 0}};
  static const struct turn kRefused[] = {{B(EXCHANGE_POP3_REFUSAL "\r\n"), NULL, 0}};
  static const struct turn kBusy[] = {{B("-ERR [SYS/TEMP] Too many connections\n"), NULL, 0}};
  static const struct turn kBare[] = {{B("+OK\r\n"), NULL, 0}};
  static const struct script kScripts[] = {
      {"pop3s dovecot", PROTO_POP3S, 0, NULL, TURNS(kDovecot), .result = APP_OK,
       .result_name = "ok", .stage = "greeting", REPLY(DOVECOT_POP3)},
      {"pop3s exchange", PROTO_POP3S, 0, NULL, TURNS(kExchange), .result = APP_OK,
       .result_name = "ok", .stage = "greeting", REPLY(EXCHANGE_POP3)},
      {"pop3s exchange tls1.0", PROTO_POP3S, 0, NULL, TURNS(kRefused), .result = APP_REFUSED,
       .result_name = "refused", .stage = "greeting", REPLY(EXCHANGE_POP3_REFUSAL)},
      {"pop3s busy, bare LF", PROTO_POP3S, 0, NULL, TURNS(kBusy), .result = APP_REFUSED,
       .result_name = "refused", .stage = "greeting",
       REPLY("-ERR [SYS/TEMP] Too many connections")},
      {"pop3s bare +OK", PROTO_POP3S, 0, NULL, TURNS(kBare), .result = APP_OK, .result_name = "ok",
       .stage = "greeting", REPLY("+OK")},
  };
  check_all(kScripts, ARRAY_SIZE(kScripts));
}

static void test_pop3_after_stls(void **state) {
  (void)state;
  /* The verdict is the CAPA answer's status line: the list is not read. */
  static const struct turn kCapa[] = {{B("+OK\r\n"), NULL, 0}};
  static const struct turn kCapaText[] = {{B("+OK Capability list follows\r\n"), NULL, 0}};
  static const struct turn kRefused[] = {{B(EXCHANGE_POP3_REFUSAL "\r\n"), NULL, 0}};
  static const struct turn kLower[] = {{B("-err unknown command\r\n"), NULL, 0}};
  static const struct script kScripts[] = {
      {"pop3 capa", PROTO_POP3, 1, NULL, HELLO("CAPA\r\n"), TURNS(kCapa), .result = APP_OK,
       .result_name = "ok", .stage = "capa", REPLY("+OK")},
      {"pop3 capa text", PROTO_POP3, 1, NULL, HELLO("CAPA\r\n"), TURNS(kCapaText), .result = APP_OK,
       .result_name = "ok", .stage = "capa", REPLY("+OK Capability list follows")},
      {"pop3 exchange tls1.0", PROTO_POP3, 1, NULL, HELLO("CAPA\r\n"), TURNS(kRefused),
       .result = APP_REFUSED, .result_name = "refused", .stage = "capa",
       REPLY(EXCHANGE_POP3_REFUSAL)},
      {"pop3 lower-case -err", PROTO_POP3, 1, NULL, HELLO("CAPA\r\n"), TURNS(kLower),
       .result = APP_REFUSED, .result_name = "refused", .stage = "capa",
       REPLY("-err unknown command")},
  };
  check_all(kScripts, ARRAY_SIZE(kScripts));
}

/* CAPA's multi-line list: the verdict comes on its first line, and the
 * list is left unconsumed, whole or in pieces. */
static void test_pop3_capa_list(void **state) {
  (void)state;
  static const char kList[] =
      "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\n"
      "USER\r\nSASL PLAIN\r\n.\r\n";
  static const size_t kPieces[] = {1, 2, 4, 5, 6, sizeof(kList) - 1};
  for (size_t i = 0; i < ARRAY_SIZE(kPieces); i++) {
    appcheck_init(&ac, PROTO_POP3, 1, NULL);
    assert_int_equal(appcheck_begin(&ac), APPCHECK_SEND);
    size_t at = 0, consumed = 0;
    enum appcheck_step step = APPCHECK_NEED_MORE;
    while (step == APPCHECK_NEED_MORE && at < sizeof(kList) - 1) {
      size_t n = sizeof(kList) - 1 - at < kPieces[i] ? sizeof(kList) - 1 - at : kPieces[i];
      step = feed_all(kList + at, n, &consumed);
      at += consumed;
    }
    assert_int_equal(step, APPCHECK_DONE);
    assert_int_equal(at, 5);
    assert_string_equal(appcheck_result_name(&ac), "ok");
    expect_reply("+OK");
  }
}

/* ==== IMAP (RFC 9051, RFC 3501) ==== */

#define DOVECOT_IMAP                                                                        \
  "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN] " \
  "Dovecot (Debian) ready."
#define EXCHANGE_IMAP                                    \
  "* OK The Microsoft Exchange IMAP4 service is ready. " \
  "[UwBOADQAUABSADAANQAwADEAQwBBADAAMAAxADMALgBuAGEAbQA=]"

static void test_imaps(void **state) {
  (void)state;
  static const struct turn kDovecot[] = {{B(DOVECOT_IMAP "\r\n"), NULL, 0}};
  static const struct turn kExchange[] = {{B(EXCHANGE_IMAP "\r\n"), NULL, 0}};
  static const struct turn kPreauth[] = {
      {B("* PREAUTH IMAP4rev1 server logged in as Smith\r\n"), NULL, 0}};
  static const struct turn kRefused[] = {{B(EXCHANGE_IMAP_REFUSAL "\r\n"), NULL, 0}};
  static const struct turn kLowerBye[] = {{B("* bye Autologout; idle for too long\n"), NULL, 0}};
  static const struct script kScripts[] = {
      {"imaps dovecot", PROTO_IMAPS, 0, NULL, TURNS(kDovecot), .result = APP_OK,
       .result_name = "ok", .stage = "greeting", REPLY(DOVECOT_IMAP)},
      {"imaps exchange", PROTO_IMAPS, 0, NULL, TURNS(kExchange), .result = APP_OK,
       .result_name = "ok", .stage = "greeting", REPLY(EXCHANGE_IMAP)},
      {"imaps preauth", PROTO_IMAPS, 0, NULL, TURNS(kPreauth), .result = APP_OK,
       .result_name = "ok", .stage = "greeting",
       REPLY("* PREAUTH IMAP4rev1 server logged in as Smith")},
      {"imaps exchange tls1.0", PROTO_IMAPS, 0, NULL, TURNS(kRefused), .result = APP_REFUSED,
       .result_name = "refused", .stage = "greeting", REPLY(EXCHANGE_IMAP_REFUSAL)},
      {"imaps lower-case bye", PROTO_IMAPS, 0, NULL, TURNS(kLowerBye), .result = APP_REFUSED,
       .result_name = "refused", .stage = "greeting", REPLY("* bye Autologout; idle for too long")},
  };
  check_all(kScripts, ARRAY_SIZE(kScripts));
}

#define DOVECOT_CAPABILITY                                                                \
  "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN\r\n" \
  "a2 OK Pre-login capabilities listed, post-login capabilities have more.\r\n"

static void test_imap_after_starttls(void **state) {
  (void)state;
  static const struct turn kDovecot[] = {{B(DOVECOT_CAPABILITY), NULL, 0}};
  static const struct turn kRefused[] = {{B(EXCHANGE_IMAP_REFUSAL "\r\n"), NULL, 0}};
  /* The BYE may follow other untagged data; it decides before any tag. */
  static const struct turn kByeLater[] = {{B("* OK [ALERT] System shutdown in 10 minutes\r\n"
                                             "* BYE System shutting down\r\n"),
                                           NULL, 0}};
  static const struct turn kNo[] = {{B("* CAPABILITY IMAP4rev1\r\na2 NO [UNAVAILABLE] "
                                       "TLS 1.0 is not allowed\r\n"),
                                     NULL, 0}};
  static const struct turn kBad[] = {{B("a2 BAD Command unknown\n"), NULL, 0}};
  static const struct turn kTagOnly[] = {{B("a2 ok\r\n"), NULL, 0}};
  static const struct script kScripts[] = {
      {"imap dovecot", PROTO_IMAP, 1, NULL, HELLO("a2 CAPABILITY\r\n"), TURNS(kDovecot),
       .result = APP_OK, .result_name = "ok", .stage = "capability",
       REPLY("a2 OK Pre-login capabilities listed, post-login capabilities have more.")},
      {"imap exchange tls1.0", PROTO_IMAP, 1, NULL, HELLO("a2 CAPABILITY\r\n"), TURNS(kRefused),
       .result = APP_REFUSED, .result_name = "refused", .stage = "capability",
       REPLY(EXCHANGE_IMAP_REFUSAL)},
      {"imap bye after untagged", PROTO_IMAP, 1, NULL, HELLO("a2 CAPABILITY\r\n"), TURNS(kByeLater),
       .result = APP_REFUSED, .result_name = "refused", .stage = "capability",
       REPLY("* BYE System shutting down")},
      {"imap tagged NO", PROTO_IMAP, 1, NULL, HELLO("a2 CAPABILITY\r\n"), TURNS(kNo),
       .result = APP_REFUSED, .result_name = "refused", .stage = "capability",
       REPLY("a2 NO [UNAVAILABLE] TLS 1.0 is not allowed")},
      {"imap tagged BAD", PROTO_IMAP, 1, NULL, HELLO("a2 CAPABILITY\r\n"), TURNS(kBad),
       .result = APP_REFUSED, .result_name = "refused", .stage = "capability",
       REPLY("a2 BAD Command unknown")},
      {"imap bare tagged ok", PROTO_IMAP, 1, NULL, HELLO("a2 CAPABILITY\r\n"), TURNS(kTagOnly),
       .result = APP_OK, .result_name = "ok", .stage = "capability", REPLY("a2 ok")},
  };
  check_all(kScripts, ARRAY_SIZE(kScripts));
}

/* ==== SMTP (RFC 5321, RFC 3207) ==== */

#define POSTFIX_GREETING "220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n"
#define POSTFIX_EHLO                                                                        \
  "250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n" \
  "250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n"          \
  "250-SMTPUTF8\r\n250 CHUNKING\r\n"
#define EXCHANGE_SMTP_GREETING                                                       \
  "220 SN4PR0501CA0123.outlook.office365.com Microsoft ESMTP MAIL Service ready at " \
  "Mon, 5 Feb 2024 10:00:00 +0000\r\n"
#define EXCHANGE_EHLO                                                                     \
  "250-SN4PR0501CA0123.outlook.office365.com Hello [192.0.2.7]\r\n250-SIZE 157286400\r\n" \
  "250-PIPELINING\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n250-AUTH LOGIN XOAUTH2\r\n"    \
  "250-8BITMIME\r\n250-BINARYMIME\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n"

static void test_smtps(void **state) {
  (void)state;
  static const struct turn kPostfix[] = {
      {B(POSTFIX_GREETING), B("EHLO mail.example.com\r\n")},
      {B(POSTFIX_EHLO), NULL, 0},
  };
  /* A multi-line greeting: EHLO only after its last line. */
  static const struct turn kMultiline[] = {
      {B("220-smtp.example.org ESMTP Exim 4.96\r\n220-We do not authorize the use of this\r\n"
         "220 system to transport unsolicited mail\r\n"),
       B("EHLO mail.example.com\r\n")},
      {B("250-smtp.example.org Hello mail.example.com [192.0.2.7]\r\n250-SIZE 52428800\r\n"
         "250 HELP\r\n"),
       NULL, 0},
  };
  static const struct turn kExchangeRefused[] = {
      {B(EXCHANGE_SMTP_GREETING), B("EHLO mail.example.com\r\n")},
      {B(EXCHANGE_SMTP_REFUSAL "\r\n"), NULL, 0},
  };
  static const struct turn kGreetingRefused[] = {{B(EXCHANGE_SMTP_REFUSAL "\r\n"), NULL, 0}};
  static const struct turn kGreeting554[] = {
      {B("554-mx.example.net\r\n554 5.7.1 Service unavailable; client host blocked\r\n"), NULL, 0}};
  static const struct turn kEhlo550[] = {
      {B(POSTFIX_GREETING), B("EHLO mail.example.com\r\n")},
      {B("550 5.7.1 Access denied\r\n"), NULL, 0},
  };
  static const struct turn kBareLf[] = {
      {B("220-mx ready\n220 mx\n"), B("EHLO mail.example.com\r\n")},
      {B("250-mx\n250 8BITMIME\n"), NULL, 0},
  };
  static const struct script kScripts[] = {
      {"smtps postfix", PROTO_SMTPS, 0, "mail.example.com", TURNS(kPostfix), .result = APP_OK,
       .result_name = "ok", .stage = "ehlo", .code = 250, REPLY("250-mail.example.com")},
      {"smtps multi-line greeting", PROTO_SMTPS, 0, "mail.example.com", TURNS(kMultiline),
       .result = APP_OK, .result_name = "ok", .stage = "ehlo", .code = 250,
       REPLY("250-smtp.example.org Hello mail.example.com [192.0.2.7]")},
      {"smtps exchange tls1.0", PROTO_SMTPS, 0, "mail.example.com", TURNS(kExchangeRefused),
       .result = APP_REFUSED, .result_name = "refused", .stage = "ehlo", .code = 421,
       REPLY(EXCHANGE_SMTP_REFUSAL)},
      {"smtps refused at greeting", PROTO_SMTPS, 0, "mail.example.com", TURNS(kGreetingRefused),
       .result = APP_REFUSED, .result_name = "refused", .stage = "greeting", .code = 421,
       REPLY(EXCHANGE_SMTP_REFUSAL)},
      {"smtps 554 greeting", PROTO_SMTPS, 0, "mail.example.com", TURNS(kGreeting554),
       .result = APP_REFUSED, .result_name = "refused", .stage = "greeting", .code = 554,
       REPLY("554-mx.example.net")},
      {"smtps ehlo 550", PROTO_SMTPS, 0, "mail.example.com", TURNS(kEhlo550), .result = APP_REFUSED,
       .result_name = "refused", .stage = "ehlo", .code = 550, REPLY("550 5.7.1 Access denied")},
      {"smtps bare LF", PROTO_SMTPS, 0, "mail.example.com", TURNS(kBareLf), .result = APP_OK,
       .result_name = "ok", .stage = "ehlo", .code = 250, REPLY("250-mx")},
  };
  check_all(kScripts, ARRAY_SIZE(kScripts));
}

/* After STARTTLS there is no second greeting: EHLO comes first (RFC 3207 4.2). */
static void test_smtp_after_starttls(void **state) {
  (void)state;
  static const struct turn kPostfix[] = {{B(POSTFIX_EHLO), NULL, 0}};
  static const struct turn kExchange[] = {{B(EXCHANGE_EHLO), NULL, 0}};
  static const struct turn kRefused[] = {{B(EXCHANGE_SMTP_REFUSAL "\r\n"), NULL, 0}};
  static const struct turn kMultiRefused[] = {
      {B("554-5.7.0 Your TLS version is too old.\r\n554 5.7.0 Use TLS 1.2 or newer.\r\n"), NULL,
       0}};
  static const struct script kScripts[] = {
      {"smtp postfix", PROTO_SMTP, 1, NULL, HELLO("EHLO tlssweep.invalid\r\n"), TURNS(kPostfix),
       .result = APP_OK, .result_name = "ok", .stage = "ehlo", .code = 250,
       REPLY("250-mail.example.com")},
      {"submission exchange", PROTO_SUBMISSION, 1, "scanner.example.net",
       HELLO("EHLO scanner.example.net\r\n"), TURNS(kExchange), .result = APP_OK,
       .result_name = "ok", .stage = "ehlo", .code = 250,
       REPLY("250-SN4PR0501CA0123.outlook.office365.com Hello [192.0.2.7]")},
      {"submission exchange tls1.0", PROTO_SUBMISSION, 1, "scanner.example.net",
       HELLO("EHLO scanner.example.net\r\n"), TURNS(kRefused), .result = APP_REFUSED,
       .result_name = "refused", .stage = "ehlo", .code = 421, REPLY(EXCHANGE_SMTP_REFUSAL)},
      {"smtp multi-line refusal", PROTO_SMTP, 1, NULL, HELLO("EHLO tlssweep.invalid\r\n"),
       TURNS(kMultiRefused), .result = APP_REFUSED, .result_name = "refused", .stage = "ehlo",
       .code = 554, REPLY("554-5.7.0 Your TLS version is too old.")},
  };
  check_all(kScripts, ARRAY_SIZE(kScripts));
}

/* ==== FTP (RFC 959, RFC 2389, RFC 4217) ==== */

#define VSFTPD_FEAT                                                                      \
  "211-Features:\r\n AUTH TLS\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n PBSZ\r\n PROT\r\n" \
  " REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n211 End\r\n"

static void test_ftps(void **state) {
  (void)state;
  static const struct turn kVsftpd[] = {{B("220 (vsFTPd 3.0.3)\r\n"), NULL, 0}};
  static const struct turn kProftpd[] = {
      {B("220-Welcome to the example.org archive.\r\n    All transfers are logged.\r\n"
         "220-\r\n220 ProFTPD Server (Debian) [::ffff:192.0.2.10]\r\n"),
       NULL, 0}};
  static const struct turn kWaitThenReady[] = {
      {B("120 Service ready in 1 minute.\r\n220 ready\r\n"), NULL, 0}};
  static const struct turn kBusy[] = {
      {B("421 Too many connections (8) from this IP\r\n"), NULL, 0}};
  static const struct turn kTls10[] = {
      {B("530-TLS 1.0 is no longer accepted\r\n530 Use TLS 1.2 or newer\r\n"), NULL, 0}};
  static const struct script kScripts[] = {
      {"ftps vsftpd", PROTO_FTPS, 0, NULL, TURNS(kVsftpd), .result = APP_OK, .result_name = "ok",
       .stage = "greeting", .code = 220, REPLY("220 (vsFTPd 3.0.3)")},
      {"ftps proftpd multi-line", PROTO_FTPS, 0, NULL, TURNS(kProftpd), .result = APP_OK,
       .result_name = "ok", .stage = "greeting", .code = 220,
       REPLY("220-Welcome to the example.org archive.")},
      {"ftps 120 then 220", PROTO_FTPS, 0, NULL, TURNS(kWaitThenReady), .result = APP_OK,
       .result_name = "ok", .stage = "greeting", .code = 220, REPLY("220 ready")},
      {"ftps 421", PROTO_FTPS, 0, NULL, TURNS(kBusy), .result = APP_REFUSED,
       .result_name = "refused", .stage = "greeting", .code = 421,
       REPLY("421 Too many connections (8) from this IP")},
      {"ftps 530 multi-line", PROTO_FTPS, 0, NULL, TURNS(kTls10), .result = APP_REFUSED,
       .result_name = "refused", .stage = "greeting", .code = 530,
       REPLY("530-TLS 1.0 is no longer accepted")},
  };
  check_all(kScripts, ARRAY_SIZE(kScripts));
}

static void test_ftp_after_auth_tls(void **state) {
  (void)state;
  static const struct turn kVsftpd[] = {{B(VSFTPD_FEAT), NULL, 0}};
  static const struct turn kNotUnderstood[] = {{B("500 FEAT not understood\r\n"), NULL, 0}};
  static const struct turn kNotImplemented[] = {{B("502 Command not implemented.\r\n"), NULL, 0}};
  static const struct turn kRefused[] = {
      {B("421 Service not available, closing control connection.\r\n"), NULL, 0}};
  static const struct turn kPolicy[] = {{B("534 Request denied for policy reasons.\r\n"), NULL, 0}};
  static const struct turn kBareLf[] = {
      {B("211-Extensions supported:\n MLST size*;\n211 END\n"), NULL, 0}};
  static const struct script kScripts[] = {
      {"ftp vsftpd feat", PROTO_FTP, 1, NULL, HELLO("FEAT\r\n"), TURNS(kVsftpd), .result = APP_OK,
       .result_name = "ok", .stage = "feat", .code = 211, REPLY("211-Features:")},
      {"ftp feat 500", PROTO_FTP, 1, NULL, HELLO("FEAT\r\n"), TURNS(kNotUnderstood),
       .result = APP_OK, .result_name = "ok", .stage = "feat", .code = 500,
       REPLY("500 FEAT not understood")},
      {"ftp feat 502", PROTO_FTP, 1, NULL, HELLO("FEAT\r\n"), TURNS(kNotImplemented),
       .result = APP_OK, .result_name = "ok", .stage = "feat", .code = 502,
       REPLY("502 Command not implemented.")},
      {"ftp feat 421", PROTO_FTP, 1, NULL, HELLO("FEAT\r\n"), TURNS(kRefused),
       .result = APP_REFUSED, .result_name = "refused", .stage = "feat", .code = 421,
       REPLY("421 Service not available, closing control connection.")},
      {"ftp feat 534", PROTO_FTP, 1, NULL, HELLO("FEAT\r\n"), TURNS(kPolicy), .result = APP_REFUSED,
       .result_name = "refused", .stage = "feat", .code = 534,
       REPLY("534 Request denied for policy reasons.")},
      {"ftp feat bare LF", PROTO_FTP, 1, NULL, HELLO("FEAT\r\n"), TURNS(kBareLf), .result = APP_OK,
       .result_name = "ok", .stage = "feat", .code = 211, REPLY("211-Extensions supported:")},
  };
  check_all(kScripts, ARRAY_SIZE(kScripts));
}

/* ==== HTTP (RFC 9112) ==== */

#define HEAD_REQUEST(host) "HEAD / HTTP/1.1\r\nHost: " host "\r\nConnection: close\r\n\r\n"

static void test_https(void **state) {
  (void)state;
  static const struct turn kOk[] = {{B("HTTP/1.1 200 OK\r\n"), NULL, 0}};
  static const struct turn kBadRequest[] = {{B("HTTP/1.1 400 Bad Request\r\n"), NULL, 0}};
  static const struct turn kUpgrade[] = {{B("HTTP/1.1 426 Upgrade Required\r\n"), NULL, 0}};
  static const struct turn kNoReason[] = {{B("HTTP/1.0 301\n"), NULL, 0}};
  static const struct turn kSsh[] = {{B("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"), NULL, 0}};
  static const struct turn kHtml[] = {{B("<html><body>hello</body></html>\n"), NULL, 0}};
  static const struct turn kBadStatus[] = {{B("HTTP/1.1 OK\r\n"), NULL, 0}};
  static const struct turn kBadCode[] = {{B("HTTP/1.1 999 Odd\r\n"), NULL, 0}};
  static const struct script kScripts[] = {
      {"https 200", PROTO_HTTPS, 0, "www.example.com", HELLO(HEAD_REQUEST("www.example.com")),
       TURNS(kOk), .result = APP_OK, .result_name = "ok", .stage = "head", .code = 200,
       REPLY("HTTP/1.1 200 OK")},
      {"https 400", PROTO_HTTPS, 0, NULL, HELLO(HEAD_REQUEST("tlssweep.invalid")),
       TURNS(kBadRequest), .result = APP_OK, .result_name = "ok", .stage = "head", .code = 400,
       REPLY("HTTP/1.1 400 Bad Request")},
      {"https 426", PROTO_HTTPS, 0, "www.example.com", HELLO(HEAD_REQUEST("www.example.com")),
       TURNS(kUpgrade), .result = APP_OK, .result_name = "ok", .stage = "head", .code = 426,
       REPLY("HTTP/1.1 426 Upgrade Required")},
      {"https no reason", PROTO_HTTPS, 0, "www.example.com", HELLO(HEAD_REQUEST("www.example.com")),
       TURNS(kNoReason), .result = APP_OK, .result_name = "ok", .stage = "head", .code = 301,
       REPLY("HTTP/1.0 301")},
      {"https ssh", PROTO_HTTPS, 0, "www.example.com", HELLO(HEAD_REQUEST("www.example.com")),
       TURNS(kSsh), .result = APP_NOT_PROTO, .result_name = "not_http", .stage = "head",
       REPLY("SSH-2.0-OpenSSH_9.2p1 Debian-2")},
      {"https html", PROTO_HTTPS, 0, "www.example.com", HELLO(HEAD_REQUEST("www.example.com")),
       TURNS(kHtml), .result = APP_NOT_PROTO, .result_name = "not_http", .stage = "head",
       REPLY("<html><body>hello</body></html>")},
      {"https bad status line", PROTO_HTTPS, 0, "www.example.com",
       HELLO(HEAD_REQUEST("www.example.com")), TURNS(kBadStatus), .result = APP_NOT_PROTO,
       .result_name = "not_http", .stage = "head", REPLY("HTTP/1.1 OK")},
      {"https bad code", PROTO_HTTPS, 0, "www.example.com", HELLO(HEAD_REQUEST("www.example.com")),
       TURNS(kBadCode), .result = APP_NOT_PROTO, .result_name = "not_http", .stage = "head",
       REPLY("HTTP/1.1 999 Odd")},
  };
  check_all(kScripts, ARRAY_SIZE(kScripts));
}

/* ==== LDAP (RFC 4511 4.12, RFC 4532) ==== */

/* "Who am I?": LDAPMessage { messageID 2, ExtendedRequest { requestName
 * 1.3.6.1.4.1.4203.1.11.3 } }. */
#define WHOAMI_REQUEST "\x30\x1e\x02\x01\x02\x77\x19\x80\x17" "1.3.6.1.4.1.4203.1.11.3"
/* slapd 2.5's answer to an anonymous "Who am I?": success, an empty
 * authzId as the responseValue. */
#define SLAPD_WHOAMI "\x30\x0e\x02\x01\x02\x78\x09\x0a\x01\x00\x04\x00\x04\x00\x8b\x00"
/* The same with "require authc" in slapd.conf: unwillingToPerform. */
#define SLAPD_REQUIRE_AUTHC \
  "\x30\x23\x02\x01\x02\x78\x1e\x0a\x01\x35\x04\x00\x04\x17" "authentication required"

/* ldap_message builds LDAPMessage { messageID |id|, [APPLICATION] |op| {
 * resultCode |code|, matchedDN "", diagnosticMessage |text| } } with
 * short-form lengths (|text| under 100 bytes). */
static size_t ldap_message(uint8_t *out, uint8_t id, uint8_t op, uint8_t code, const char *text) {
  size_t n = strlen(text);
  uint8_t *p = out;
  *p++ = 0x30;
  *p++ = (uint8_t)(3 + 2 + 3 + 2 + 2 + n);
  *p++ = 0x02, *p++ = 1, *p++ = id;
  *p++ = op;
  *p++ = (uint8_t)(3 + 2 + 2 + n);
  *p++ = 0x0a, *p++ = 1, *p++ = code;
  *p++ = 0x04, *p++ = 0;
  *p++ = 0x04, *p++ = (uint8_t)n;
  memcpy(p, text, n);
  return (size_t)(p - out) + n;
}

static void test_ldap(void **state) {
  (void)state;
  static const struct turn kSlapd[] = {{B(SLAPD_WHOAMI), NULL, 0}};
  static const struct turn kRequireAuthc[] = {{B(SLAPD_REQUIRE_AUTHC), NULL, 0}};
  static const struct script kScripts[] = {
      {"ldaps slapd whoami", PROTO_LDAPS, 0, NULL, HELLO(WHOAMI_REQUEST), TURNS(kSlapd),
       .result = APP_OK, .result_name = "ok", .stage = "whoami", .code = 0, REPLY("")},
      {"ldap slapd whoami after starttls", PROTO_LDAP, 1, NULL, HELLO(WHOAMI_REQUEST),
       TURNS(kSlapd), .result = APP_OK, .result_name = "ok", .stage = "whoami", .code = 0,
       REPLY("")},
      {"ldaps slapd require authc", PROTO_LDAPS, 0, NULL, HELLO(WHOAMI_REQUEST),
       TURNS(kRequireAuthc), .result = APP_OK, .result_name = "ok", .stage = "whoami",
       .code = 53, REPLY("authentication required")},
  };
  check_all(kScripts, ARRAY_SIZE(kScripts));
  /* Result codes: the request answered (ok), or the session refused. */
  static const struct {
    const char *what;
    uint8_t id, op, code;
    const char *text;
    enum appcheck_result result;
    const char *result_name;
    const char *reply;
  } kCases[] = {
      {"no whoami", 2, 0x78, 2, "unsupported extended operation", APP_OK, "ok",
       "unsupported extended operation"},
      {"insufficient access", 2, 0x78, 50, "anonymous whoami not allowed", APP_OK, "ok",
       "anonymous whoami not allowed"},
      {"confidentiality required", 2, 0x78, 13, "TLS 1.2 or better required", APP_REFUSED,
       "refused", "TLS 1.2 or better required"},
      {"stronger auth required", 2, 0x78, 8, "", APP_REFUSED, "refused", ""},
      {"busy", 2, 0x78, 51, "", APP_REFUSED, "refused", ""},
      {"notice of disconnection", 0, 0x78, 52, "server is shutting down", APP_REFUSED, "refused",
       "server is shutting down"},
      {"notice with success", 0, 0x78, 0, "", APP_REFUSED, "refused", ""},
      {"diagnostic with a line end", 2, 0x78, 52, "no\r\nmore", APP_REFUSED, "refused", "no"},
      {"another messageID", 1, 0x78, 0, "", APP_PROTOCOL_ERROR, "protocol_error", ""},
      {"a bind response", 2, 0x61, 0, "", APP_PROTOCOL_ERROR, "protocol_error", ""},
  };
  static uint8_t msg[128];
  for (size_t i = 0; i < ARRAY_SIZE(kCases); i++) {
    struct turn t[1] = {{msg, 0, NULL, 0}};
    t[0].server_len = ldap_message(msg, kCases[i].id, kCases[i].op, kCases[i].code,
                                   kCases[i].text);
    struct script s = {kCases[i].what, PROTO_LDAP, 1, NULL, HELLO(WHOAMI_REQUEST), TURNS(t),
                       .result = kCases[i].result, .result_name = kCases[i].result_name,
                       .stage = "whoami",
                       .code = kCases[i].result == APP_PROTOCOL_ERROR ? 0 : kCases[i].code,
                       .reply = (const uint8_t *)kCases[i].reply,
                       .reply_len = strlen(kCases[i].reply)};
    check(&s);
  }
  /* The message's own length: the long form, an indefinite length, a
   * length past the bound, and a SEQUENCE with trailing bytes inside. */
  static const struct turn kLongForm[] = {
      {B("\x30\x84\x00\x00\x00\x0c\x02\x01\x02\x78\x07\x0a\x01\x00\x04\x00\x04\x00"), NULL, 0}};
  static const struct turn kIndefinite[] = {{B("\x30\x80"), NULL, 0}};
  static const struct turn kHuge[] = {{B("\x30\x82\x10\x00"), NULL, 0}};
  static const struct turn kNotLdap[] = {{B("HTTP/1.1 400 Bad Request\r\n"), NULL, 0}};
  static const struct script kFraming[] = {
      {"ldap long-form length", PROTO_LDAP, 1, NULL, HELLO(WHOAMI_REQUEST), TURNS(kLongForm),
       .result = APP_OK, .result_name = "ok", .stage = "whoami", REPLY("")},
      {"ldap indefinite length", PROTO_LDAP, 1, NULL, HELLO(WHOAMI_REQUEST), TURNS(kIndefinite),
       .result = APP_PROTOCOL_ERROR, .result_name = "protocol_error", .stage = "whoami"},
      {"ldap too long", PROTO_LDAPS, 0, NULL, HELLO(WHOAMI_REQUEST), TURNS(kHuge),
       .result = APP_TOO_LONG, .result_name = "too_long", .stage = "whoami"},
      {"http at ldaps", PROTO_LDAPS, 0, NULL, HELLO(WHOAMI_REQUEST), TURNS(kNotLdap),
       .result = APP_NOT_PROTO, .result_name = "not_ldap", .stage = "whoami",
       REPLY("HTTP/1.1 400 Bad Request")},
  };
  check_all(kFraming, ARRAY_SIZE(kFraming));
}

/* ==== XMPP (RFC 6120) ==== */

#define XMPP_HEADER(name)                                                                  \
  "<?xml version='1.0'?><stream:stream to='" name "' xmlns='jabber:client' "              \
  "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
/* Prosody 0.12's restarted stream and its features after TLS. */
#define PROSODY_STREAM                                                                  \
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xml:lang='en' "            \
  "from='localhost' id='470ab7f2-daa0-4b27-9bae-a6ff04c0a2ad' version='1.0' "           \
  "xmlns:stream='http://etherx.jabber.org/streams'>"
#define PROSODY_FEATURES                                                                \
  "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"              \
  "<mechanism>PLAIN</mechanism><mechanism>SCRAM-SHA-1</mechanism>"                      \
  "<mechanism>SCRAM-SHA-1-PLUS</mechanism></mechanisms></stream:features>"
#define STREAM_ERROR(condition, text)                                                   \
  "<stream:error><" condition " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>" text     \
  "</stream:error>"

static void test_xmpp(void **state) {
  (void)state;
  static const struct turn kProsody[] = {{B(PROSODY_STREAM PROSODY_FEATURES), NULL, 0}};
  static const struct turn kSpaced[] = {
      {B(PROSODY_STREAM "\n  " PROSODY_FEATURES), NULL, 0}};
  static const struct turn kEmpty[] = {{B(PROSODY_STREAM "<stream:features/>"), NULL, 0}};
  static const struct turn kHostUnknown[] = {
      {B(PROSODY_STREAM STREAM_ERROR("host-unknown", "")), NULL, 0}};
  static const struct turn kPolicy[] = {
      {B(PROSODY_STREAM STREAM_ERROR(
           "policy-violation",
           "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>TLS 1.0 is not allowed</text>")),
       NULL, 0}};
  static const struct turn kErrorFirst[] = {
      {B(STREAM_ERROR("internal-server-error", "")), NULL, 0}};
  static const struct turn kHttp[] = {{B("HTTP/1.1 400 Bad Request\r\n"), NULL, 0}};
  static const struct turn kHtml[] = {{B("<html>"), NULL, 0}};
  static const struct script kScripts[] = {
      {"prosody after starttls", PROTO_XMPP, 1, NULL, HELLO(XMPP_HEADER("localhost")),
       TURNS(kProsody), .result = APP_OK, .result_name = "ok", .stage = "features",
       REPLY(PROSODY_FEATURES)},
      {"prosody, direct TLS", PROTO_XMPP, 0, "chat.example.org",
       HELLO(XMPP_HEADER("chat.example.org")), TURNS(kProsody), .result = APP_OK,
       .result_name = "ok", .stage = "features", REPLY(PROSODY_FEATURES)},
      {"features after whitespace", PROTO_XMPP, 1, NULL, HELLO(XMPP_HEADER("localhost")),
       TURNS(kSpaced), .result = APP_OK, .result_name = "ok", .stage = "features",
       REPLY(PROSODY_FEATURES)},
      {"empty features", PROTO_XMPP, 1, NULL, HELLO(XMPP_HEADER("localhost")), TURNS(kEmpty),
       .result = APP_OK, .result_name = "ok", .stage = "features", REPLY("<stream:features/>")},
      {"host-unknown", PROTO_XMPP, 1, "scanner.example.net",
       HELLO(XMPP_HEADER("scanner.example.net")), TURNS(kHostUnknown), .result = APP_REFUSED,
       .result_name = "refused", .stage = "features",
       REPLY(STREAM_ERROR("host-unknown", ""))},
      {"policy-violation", PROTO_XMPP, 1, NULL, HELLO(XMPP_HEADER("localhost")), TURNS(kPolicy),
       .result = APP_REFUSED, .result_name = "refused", .stage = "features",
       REPLY(STREAM_ERROR(
           "policy-violation",
           "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>TLS 1.0 is not allowed</text>"))},
      {"error before the stream", PROTO_XMPP, 1, NULL, HELLO(XMPP_HEADER("localhost")),
       TURNS(kErrorFirst), .result = APP_REFUSED, .result_name = "refused", .stage = "stream",
       REPLY(STREAM_ERROR("internal-server-error", ""))},
      {"http at xmpp", PROTO_XMPP, 1, NULL, HELLO(XMPP_HEADER("localhost")), TURNS(kHttp),
       .result = APP_NOT_PROTO, .result_name = "not_xmpp", .stage = "stream",
       REPLY("HTTP/1.1 400 Bad Request")},
      {"html at xmpp", PROTO_XMPP, 1, NULL, HELLO(XMPP_HEADER("localhost")), TURNS(kHtml),
       .result = APP_NOT_PROTO, .result_name = "not_xmpp", .stage = "stream", REPLY("<html>")},
  };
  check_all(kScripts, ARRAY_SIZE(kScripts));
}

/* ==== PostgreSQL (protocol 3) ==== */

/* StartupMessage: length 49, protocol 3.0, user and application_name. */
#define PG_STARTUP                                                             \
  "\x00\x00\x00\x31\x00\x03\x00\x00user\x00tlssweep\x00" "application_name\x00" \
  "tlssweep\x00\x00"
/* PostgreSQL 15's answers, captured: SCRAM over TLS (channel binding
 * offered), trust for a role that does not exist (AuthenticationOk, then
 * the error), and no pg_hba.conf line for us. */
#define PG_SASL "R\x00\x00\x00*\x00\x00\x00\x0aSCRAM-SHA-256-PLUS\x00SCRAM-SHA-256\x00\x00"
#define PG_AUTH_OK "R\x00\x00\x00\x08\x00\x00\x00\x00"
#define PG_NO_HBA                                                                            \
  "E\x00\x00\x00\x9eSFATAL\x00VFATAL\x00" "C28000\x00Mno pg_hba.conf entry for host "       \
  "\"127.0.0.1\", user \"tlssweep\", database \"tlssweep\", SSL encryption\x00" "Fauth.c\x00" \
  "L544\x00RClientAuthentication\x00\x00"
#define PG_TOO_MANY                                                                   \
  "E\x00\x00\x00USFATAL\x00VFATAL\x00" "C53300\x00Msorry, too many clients already\x00" \
  "Fproc.c\x00L362\x00RInitProcess\x00\x00"
#define PG_NOTICE "N\x00\x00\x00<SWARNING\x00VWARNING\x00" "C01000\x00Mthe server is in maintenance\x00\x00"

static void test_postgres(void **state) {
  (void)state;
  static const struct turn kSasl[] = {{B(PG_SASL), NULL, 0}};
  static const struct turn kTrust[] = {{B(PG_AUTH_OK), NULL, 0}};
  static const struct turn kNoHba[] = {{B(PG_NO_HBA), NULL, 0}};
  static const struct turn kTooMany[] = {{B(PG_TOO_MANY), NULL, 0}};
  static const struct turn kNoticeFirst[] = {{B(PG_NOTICE PG_SASL), NULL, 0}};
  static const struct turn kV2[] = {{B("EFATAL:  unsupported frontend protocol\n\x00"), NULL, 0}};
  static const struct turn kMd5[] = {{B("R\x00\x00\x00\x0c\x00\x00\x00\x05\x12\x34\x56\x78"), NULL, 0}};
  static const struct turn kOddAuth[] = {{B("R\x00\x00\x00\x08\x00\x00\x00\x0b"), NULL, 0}};
  static const struct turn kShortLength[] = {{B("R\x00\x00\x00\x03"), NULL, 0}};
  static const struct turn kBadFields[] = {{B("E\x00\x00\x00\x06SX"), NULL, 0}};
  static const struct turn kOtherType[] = {{B(PG_NOTICE "Z\x00\x00\x00\x05I"), NULL, 0}};
  static const struct turn kHttp[] = {{B("HTTP/1.1 400 Bad Request\r\n"), NULL, 0}};
  static const struct script kScripts[] = {
      {"postgres scram", PROTO_POSTGRES, 1, NULL, HELLO(PG_STARTUP), TURNS(kSasl),
       .result = APP_OK, .result_name = "ok", .stage = "startup", .code = 10,
       REPLY("SCRAM-SHA-256-PLUS")},
      {"postgres trust", PROTO_POSTGRES, 1, NULL, HELLO(PG_STARTUP), TURNS(kTrust),
       .result = APP_OK, .result_name = "ok", .stage = "startup", .code = 0, REPLY("")},
      {"postgres md5", PROTO_POSTGRES, 1, NULL, HELLO(PG_STARTUP), TURNS(kMd5),
       .result = APP_OK, .result_name = "ok", .stage = "startup", .code = 5, REPLY("")},
      {"postgres no pg_hba.conf line", PROTO_POSTGRES, 1, NULL, HELLO(PG_STARTUP), TURNS(kNoHba),
       .result = APP_OK, .result_name = "ok", .stage = "startup",
       REPLY("FATAL 28000 no pg_hba.conf entry for host \"127.0.0.1\", user \"tlssweep\", "
             "database \"tlssweep\", SSL encryption")},
      {"postgres too many clients", PROTO_POSTGRES, 1, NULL, HELLO(PG_STARTUP), TURNS(kTooMany),
       .result = APP_REFUSED, .result_name = "refused", .stage = "startup",
       REPLY("FATAL 53300 sorry, too many clients already")},
      {"postgres notice first", PROTO_POSTGRES, 1, NULL, HELLO(PG_STARTUP), TURNS(kNoticeFirst),
       .result = APP_OK, .result_name = "ok", .stage = "startup", .code = 10,
       REPLY("SCRAM-SHA-256-PLUS")},
      {"postgres protocol 2 error", PROTO_POSTGRES, 1, NULL, HELLO(PG_STARTUP), TURNS(kV2),
       .result = APP_REFUSED, .result_name = "refused", .stage = "startup",
       REPLY("FATAL:  unsupported frontend protocol")},
      {"postgres unknown auth type", PROTO_POSTGRES, 1, NULL, HELLO(PG_STARTUP), TURNS(kOddAuth),
       .result = APP_PROTOCOL_ERROR, .result_name = "protocol_error", .stage = "startup"},
      {"postgres length under 4", PROTO_POSTGRES, 1, NULL, HELLO(PG_STARTUP),
       TURNS(kShortLength), .result = APP_PROTOCOL_ERROR, .result_name = "protocol_error",
       .stage = "startup"},
      {"postgres bad error fields", PROTO_POSTGRES, 1, NULL, HELLO(PG_STARTUP),
       TURNS(kBadFields), .result = APP_PROTOCOL_ERROR, .result_name = "protocol_error",
       .stage = "startup"},
      {"postgres ReadyForQuery first", PROTO_POSTGRES, 1, NULL, HELLO(PG_STARTUP),
       TURNS(kOtherType), .result = APP_PROTOCOL_ERROR, .result_name = "protocol_error",
       .stage = "startup"},
      {"http at postgres", PROTO_POSTGRES, 1, NULL, HELLO(PG_STARTUP), TURNS(kHttp),
       .result = APP_NOT_PROTO, .result_name = "not_postgres", .stage = "startup",
       REPLY("HTTP/1.1 400 Bad Request")},
  };
  check_all(kScripts, ARRAY_SIZE(kScripts));
}

/* LDAP, XMPP and PostgreSQL beyond the scripts: bytes after the verdict,
 * the close, the bounds, an alert for an answer, and hostile names. */
static void test_client_first_edges(void **state) {
  (void)state;
  size_t consumed, len;
  static const struct {
    enum proto proto;
    const char *stream;
    size_t stream_len, decided_at;
  } kAfter[] = {
      {PROTO_LDAPS, SLAPD_WHOAMI "\x30\x05", sizeof(SLAPD_WHOAMI "\x30\x05") - 1,
       sizeof(SLAPD_WHOAMI) - 1},
      {PROTO_XMPP, PROSODY_STREAM PROSODY_FEATURES "<iq/>",
       sizeof(PROSODY_STREAM PROSODY_FEATURES "<iq/>") - 1,
       sizeof(PROSODY_STREAM PROSODY_FEATURES) - 1},
      {PROTO_POSTGRES, PG_AUTH_OK PG_NO_HBA, sizeof(PG_AUTH_OK PG_NO_HBA) - 1,
       sizeof(PG_AUTH_OK) - 1},
  };
  for (size_t i = 0; i < ARRAY_SIZE(kAfter); i++) {
    appcheck_init(&ac, kAfter[i].proto, 1, NULL);
    assert_int_equal(appcheck_begin(&ac), APPCHECK_SEND);
    assert_int_equal(feed_all(kAfter[i].stream, kAfter[i].stream_len, &consumed), APPCHECK_DONE);
    assert_int_equal(consumed, kAfter[i].decided_at);
    assert_string_equal(appcheck_result_name(&ac), "ok");
  }
  /* A stream error cut short by the close is still a refusal; a message cut
   * short is a close. */
#define CUT_ERROR PROSODY_STREAM "<stream:error><policy-violation"
  static const struct {
    enum proto proto;
    const char *stream;
    size_t len;
    const char *result_name;
    const char *reply; /* NULL: binary, not checked */
  } kCut[] = {
      {PROTO_XMPP, CUT_ERROR, sizeof(CUT_ERROR) - 1, "refused", "<stream:error><policy-violation"},
      {PROTO_LDAP, "\x30\x0e\x02\x01", 4, "closed", NULL},
      {PROTO_POSTGRES, "R\x00\x00", 3, "closed", NULL},
  };
  for (size_t i = 0; i < ARRAY_SIZE(kCut); i++) {
    appcheck_init(&ac, kCut[i].proto, 1, NULL);
    appcheck_begin(&ac);
    assert_int_equal(feed_all(kCut[i].stream, kCut[i].len, &consumed), APPCHECK_NEED_MORE);
    assert_int_equal(appcheck_eof(&ac), APPCHECK_DONE);
    assert_string_equal(appcheck_result_name(&ac), kCut[i].result_name);
    if (kCut[i].reply != NULL) {
      expect_reply(kCut[i].reply);
    }
  }
  /* Features longer than the bound. */
  appcheck_init(&ac, PROTO_XMPP, 1, NULL);
  appcheck_begin(&ac);
  assert_int_equal(feed_all(PROSODY_STREAM "<stream:features>",
                            strlen(PROSODY_STREAM "<stream:features>"), &consumed),
                   APPCHECK_NEED_MORE);
  enum appcheck_step step = APPCHECK_NEED_MORE;
  size_t total = 0;
  while (step == APPCHECK_NEED_MORE && total < 2 * APPCHECK_LINE_MAX) {
    step = feed_all("<x/>", 4, &consumed);
    total += consumed;
  }
  assert_int_equal(step, APPCHECK_DONE);
  assert_string_equal(appcheck_result_name(&ac), "too_long");
  assert_string_equal(appcheck_stage_name(&ac), "features");
  /* An alert for an answer is judged at its first byte. */
  static const enum proto kClientFirst[] = {PROTO_LDAPS, PROTO_XMPP, PROTO_POSTGRES};
  for (size_t i = 0; i < ARRAY_SIZE(kClientFirst); i++) {
    appcheck_init(&ac, kClientFirst[i], 1, NULL);
    appcheck_begin(&ac);
    assert_int_equal(feed_all("\x15\x03\x01\x00\x02\x02\x46", 7, &consumed), APPCHECK_DONE);
    assert_int_equal(consumed, 1);
    assert_int_equal(appcheck_result(&ac), APP_NOT_PROTO);
  }
  /* The XMPP "to" is a host name or localhost, as before TLS: no quote can
   * end the attribute. */
  static const char *const kBad[] = {"x' evil='1", "a b", "", "host:5222"};
  for (size_t i = 0; i < ARRAY_SIZE(kBad); i++) {
    appcheck_init(&ac, PROTO_XMPP, 1, kBad[i]);
    assert_int_equal(appcheck_begin(&ac), APPCHECK_SEND);
    const uint8_t *out = appcheck_output(&ac, &len);
    assert_int_equal(len, strlen(XMPP_HEADER("localhost")));
    assert_memory_equal(out, XMPP_HEADER("localhost"), len);
  }
  static char name[MT_HOST_NAME_MAX + 1];
  memset(name, 'x', MT_HOST_NAME_MAX);
  appcheck_init(&ac, PROTO_XMPP, 1, name);
  assert_int_equal(appcheck_begin(&ac), APPCHECK_SEND);
  appcheck_output(&ac, &len);
  assert_int_equal(len, strlen(XMPP_HEADER("")) + MT_HOST_NAME_MAX);
}

/* ==== Everything else ==== */

/* Servers that speak something else: the first line is kept. */
static void test_not_proto(void **state) {
  (void)state;
  static const struct turn kImapAtPop3[] = {{B(DOVECOT_IMAP "\r\n"), NULL, 0}};
  static const struct turn kPop3AtImap[] = {{B(DOVECOT_POP3 "\r\n"), NULL, 0}};
  static const struct turn kSshAtSmtp[] = {{B("SSH-2.0-OpenSSH_9.2p1\r\n"), NULL, 0}};
  static const struct turn kHttpAtFtp[] = {{B("HTTP/1.1 400 Bad Request\r\n"), NULL, 0}};
  static const struct turn kPop3AfterImap[] = {{B("+OK\r\n"), NULL, 0}};
  static const struct turn kSmtpAfterFtp[] = {{B("2200 x\r\n"), NULL, 0}};
  static const struct turn kPop3NoSpace[] = {{B("+OKAY\r\n"), NULL, 0}};
  static const struct script kScripts[] = {
      {"imap at pop3s", PROTO_POP3S, 0, NULL, TURNS(kImapAtPop3), .result = APP_NOT_PROTO,
       .result_name = "not_pop3", .stage = "greeting", REPLY(DOVECOT_IMAP)},
      {"pop3 at imaps", PROTO_IMAPS, 0, NULL, TURNS(kPop3AtImap), .result = APP_NOT_PROTO,
       .result_name = "not_imap", .stage = "greeting", REPLY(DOVECOT_POP3)},
      {"ssh at smtps", PROTO_SMTPS, 0, NULL, TURNS(kSshAtSmtp), .result = APP_NOT_PROTO,
       .result_name = "not_smtp", .stage = "greeting", REPLY("SSH-2.0-OpenSSH_9.2p1")},
      {"http at ftps", PROTO_FTPS, 0, NULL, TURNS(kHttpAtFtp), .result = APP_NOT_PROTO,
       .result_name = "not_ftp", .stage = "greeting", REPLY("HTTP/1.1 400 Bad Request")},
      {"pop3 after imap starttls", PROTO_IMAP, 1, NULL, HELLO("a2 CAPABILITY\r\n"),
       TURNS(kPop3AfterImap), .result = APP_NOT_PROTO, .result_name = "not_imap",
       .stage = "capability", REPLY("+OK")},
      {"four digits after auth tls", PROTO_FTP, 1, NULL, HELLO("FEAT\r\n"), TURNS(kSmtpAfterFtp),
       .result = APP_NOT_PROTO, .result_name = "not_ftp", .stage = "feat", REPLY("2200 x")},
      {"+OKAY at pop3s", PROTO_POP3S, 0, NULL, TURNS(kPop3NoSpace), .result = APP_NOT_PROTO,
       .result_name = "not_pop3", .stage = "greeting", REPLY("+OKAY")},
  };
  check_all(kScripts, ARRAY_SIZE(kScripts));
}

/* Binary first bytes (a TLS record, NUL) are judged at once: no line end
 * will come. */
static void test_binary_first_byte(void **state) {
  (void)state;
  static const enum proto kProtos[] = {PROTO_POP3S, PROTO_IMAPS, PROTO_SMTPS, PROTO_FTPS};
  static const uint8_t kAlert[] = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46};
  for (size_t i = 0; i < ARRAY_SIZE(kProtos); i++) {
    size_t consumed;
    appcheck_init(&ac, kProtos[i], 0, NULL);
    assert_int_equal(appcheck_begin(&ac), APPCHECK_NEED_MORE);
    assert_int_equal(feed_all(kAlert, sizeof(kAlert), &consumed), APPCHECK_DONE);
    assert_int_equal(consumed, 1);
    assert_int_equal(appcheck_result(&ac), APP_NOT_PROTO);
    assert_int_equal(ac.reply_len, 1);
    assert_int_equal(ac.reply[0], 0x15);
  }
  /* After a valid start, a binary byte waits for the line end like any other. */
  appcheck_init(&ac, PROTO_HTTPS, 0, NULL);
  assert_int_equal(appcheck_begin(&ac), APPCHECK_SEND);
  size_t consumed;
  assert_int_equal(feed_all("HTTP/\x00", 6, &consumed), APPCHECK_NEED_MORE);
  assert_int_equal(feed_all("\n", 1, &consumed), APPCHECK_DONE);
  assert_string_equal(appcheck_result_name(&ac), "not_http");
  assert_int_equal(ac.reply_len, 6);
}

/* Replies in the protocol's shape that it does not allow where they come. */
static void test_protocol_errors(void **state) {
  (void)state;
  static const struct turn kSmtp250Greeting[] = {{B("250 hello\r\n"), NULL, 0}};
  static const struct turn kSmtpEhlo354[] = {
      {B(POSTFIX_GREETING), B("EHLO tlssweep.invalid\r\n")},
      {B("354 go ahead\r\n"), NULL, 0},
  };
  static const struct turn kSmtpCodeChange[] = {{B("250-mx\r\n251 odd\r\n"), NULL, 0}};
  static const struct turn kSmtpNotACode[] = {{B("250-mx\r\nSIZE 1000\r\n"), NULL, 0}};
  static const struct turn kImapNoGreeting[] = {{B("* NO not now\r\n"), NULL, 0}};
  static const struct turn kImapTagGreeting[] = {{B("a2 OK hi\r\n"), NULL, 0}};
  static const struct turn kImapOddTag[] = {{B("a2 FOO\r\n"), NULL, 0}};
  static const struct turn kImapContinuation[] = {{B("+ go ahead\r\n"), NULL, 0}};
  static const struct turn kFtp331[] = {{B("331 Password required\r\n"), NULL, 0}};
  static const struct turn kFtpFeat150[] = {{B("150 Here it comes\r\n"), NULL, 0}};
  static const struct script kScripts[] = {
      {"smtps 250 greeting", PROTO_SMTPS, 0, NULL, TURNS(kSmtp250Greeting),
       .result = APP_PROTOCOL_ERROR, .result_name = "protocol_error", .stage = "greeting",
       .code = 250, REPLY("250 hello")},
      {"smtps ehlo 354", PROTO_SMTPS, 0, NULL, TURNS(kSmtpEhlo354), .result = APP_PROTOCOL_ERROR,
       .result_name = "protocol_error", .stage = "ehlo", .code = 354, REPLY("354 go ahead")},
      {"smtp code change", PROTO_SMTP, 1, NULL, HELLO("EHLO tlssweep.invalid\r\n"),
       TURNS(kSmtpCodeChange), .result = APP_PROTOCOL_ERROR, .result_name = "protocol_error",
       .stage = "ehlo", REPLY("250-mx")},
      {"smtp not a code", PROTO_SMTP, 1, NULL, HELLO("EHLO tlssweep.invalid\r\n"),
       TURNS(kSmtpNotACode), .result = APP_PROTOCOL_ERROR, .result_name = "protocol_error",
       .stage = "ehlo", REPLY("250-mx")},
      {"imaps NO greeting", PROTO_IMAPS, 0, NULL, TURNS(kImapNoGreeting),
       .result = APP_PROTOCOL_ERROR, .result_name = "protocol_error", .stage = "greeting",
       REPLY("* NO not now")},
      {"imaps tagged greeting", PROTO_IMAPS, 0, NULL, TURNS(kImapTagGreeting),
       .result = APP_PROTOCOL_ERROR, .result_name = "protocol_error", .stage = "greeting",
       REPLY("a2 OK hi")},
      {"imap odd tagged status", PROTO_IMAP, 1, NULL, HELLO("a2 CAPABILITY\r\n"),
       TURNS(kImapOddTag), .result = APP_PROTOCOL_ERROR, .result_name = "protocol_error",
       .stage = "capability", REPLY("a2 FOO")},
      {"imap continuation", PROTO_IMAP, 1, NULL, HELLO("a2 CAPABILITY\r\n"),
       TURNS(kImapContinuation), .result = APP_PROTOCOL_ERROR, .result_name = "protocol_error",
       .stage = "capability", REPLY("+ go ahead")},
      {"ftps 331 greeting", PROTO_FTPS, 0, NULL, TURNS(kFtp331), .result = APP_PROTOCOL_ERROR,
       .result_name = "protocol_error", .stage = "greeting", .code = 331,
       REPLY("331 Password required")},
      {"ftp feat 150", PROTO_FTP, 1, NULL, HELLO("FEAT\r\n"), TURNS(kFtpFeat150),
       .result = APP_PROTOCOL_ERROR, .result_name = "protocol_error", .stage = "feat", .code = 150,
       REPLY("150 Here it comes")},
  };
  check_all(kScripts, ARRAY_SIZE(kScripts));
}

/* Protocols without a check are done at once and take no bytes. */
static void test_unchecked(void **state) {
  (void)state;
  static const struct {
    enum proto proto;
    int after_starttls;
  } kCases[] = {
      {PROTO_TLS, 0},
      {PROTO_TLS, 1},
      {PROTO_COUNT, 0},
  };
  for (size_t i = 0; i < ARRAY_SIZE(kCases); i++) {
    appcheck_init(&ac, kCases[i].proto, kCases[i].after_starttls, "mail.example.com");
    assert_int_equal(appcheck_result(&ac), APP_UNCHECKED);
    assert_int_equal(appcheck_begin(&ac), APPCHECK_DONE);
    size_t consumed = 9;
    assert_int_equal(feed_all("+OK\r\n", 5, &consumed), APPCHECK_DONE);
    assert_int_equal(consumed, 0);
    assert_int_equal(appcheck_eof(&ac), APPCHECK_DONE);
    assert_int_equal(appcheck_result(&ac), APP_UNCHECKED);
    assert_string_equal(appcheck_result_name(&ac), "unchecked");
    assert_string_equal(appcheck_stage_name(&ac), "none");
    assert_int_equal(ac.reply_len, 0);
    assert_int_equal(ac.out_len, 0);
    assert_int_equal(appcheck_code(&ac), 0);
  }
}

/* Every protocol with a check, both ways in: where it starts. */
static void test_first_stages(void **state) {
  (void)state;
  static const struct {
    enum proto proto;
    int after_starttls;
    enum appcheck_step step;
    const char *stage;
  } kCases[] = {
      {PROTO_POP3S, 0, APPCHECK_NEED_MORE, "greeting"},
      {PROTO_IMAPS, 0, APPCHECK_NEED_MORE, "greeting"},
      {PROTO_SMTPS, 0, APPCHECK_NEED_MORE, "greeting"},
      {PROTO_FTPS, 0, APPCHECK_NEED_MORE, "greeting"},
      {PROTO_HTTPS, 0, APPCHECK_SEND, "head"},
      {PROTO_SMTP, 1, APPCHECK_SEND, "ehlo"},
      {PROTO_SUBMISSION, 1, APPCHECK_SEND, "ehlo"},
      {PROTO_IMAP, 1, APPCHECK_SEND, "capability"},
      {PROTO_POP3, 1, APPCHECK_SEND, "capa"},
      {PROTO_FTP, 1, APPCHECK_SEND, "feat"},
      {PROTO_LDAPS, 0, APPCHECK_SEND, "whoami"},
      {PROTO_LDAP, 1, APPCHECK_SEND, "whoami"},
      {PROTO_XMPP, 1, APPCHECK_SEND, "stream"},
      {PROTO_POSTGRES, 1, APPCHECK_SEND, "startup"},
      /* The family decides, not the port: a greeting read inside TLS... */
      {PROTO_SMTP, 0, APPCHECK_NEED_MORE, "greeting"},
      /* ...or a command after a dialogue. */
      {PROTO_IMAPS, 1, APPCHECK_SEND, "capability"},
      {PROTO_HTTPS, 1, APPCHECK_SEND, "head"},
  };
  for (size_t i = 0; i < ARRAY_SIZE(kCases); i++) {
    appcheck_init(&ac, kCases[i].proto, kCases[i].after_starttls, NULL);
    assert_int_equal(appcheck_begin(&ac), kCases[i].step);
    assert_string_equal(appcheck_stage_name(&ac), kCases[i].stage);
    assert_int_equal(appcheck_result(&ac), APP_PENDING);
    assert_string_equal(appcheck_result_name(&ac), "pending");
    assert_int_equal(ac.out_len > 0, kCases[i].step == APPCHECK_SEND);
  }
}

/* Bytes after the verdict belong to no one: never consumed. */
static void test_bytes_after_verdict(void **state) {
  (void)state;
  static const struct {
    enum proto proto;
    int after_starttls;
    const char *stream;
    size_t decided_at;
  } kCases[] = {
      {PROTO_POP3S, 0, DOVECOT_POP3 "\r\n+OK more\r\n", sizeof(DOVECOT_POP3 "\r\n") - 1},
      {PROTO_IMAPS, 0, DOVECOT_IMAP "\r\n* OK x\r\n", sizeof(DOVECOT_IMAP "\r\n") - 1},
      {PROTO_FTPS, 0, "220 ready\r\n221 bye\r\n", 11},
      {PROTO_HTTPS, 0, "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 0\r\n\r\n", 17},
      {PROTO_IMAP, 1, DOVECOT_CAPABILITY "* BYE late\r\n", sizeof(DOVECOT_CAPABILITY) - 1},
      {PROTO_FTP, 1, VSFTPD_FEAT "421 late\r\n", sizeof(VSFTPD_FEAT) - 1},
      {PROTO_SMTP, 1, POSTFIX_EHLO "421 late\r\n", sizeof(POSTFIX_EHLO) - 1},
  };
  for (size_t i = 0; i < ARRAY_SIZE(kCases); i++) {
    appcheck_init(&ac, kCases[i].proto, kCases[i].after_starttls, NULL);
    appcheck_begin(&ac);
    size_t consumed;
    assert_int_equal(feed_all(kCases[i].stream, strlen(kCases[i].stream), &consumed),
                     APPCHECK_DONE);
    assert_int_equal(consumed, kCases[i].decided_at);
    assert_string_equal(appcheck_result_name(&ac), "ok");
  }
}

/* A server that talks ahead (greeting and more in one read) gets EHLO only
 * for its complete greeting; the rest is fed again after the send, as the
 * engine does, and read as the EHLO reply. */
static void test_no_send_before_go_ahead(void **state) {
  (void)state;
  static const char kAhead[] = POSTFIX_GREETING "250 mail.example.com\r\n";
  size_t consumed, len;
  appcheck_init(&ac, PROTO_SMTPS, 0, NULL);
  assert_int_equal(appcheck_begin(&ac), APPCHECK_NEED_MORE);
  /* Nothing while the greeting is incomplete, nor within a multi-line one. */
  assert_int_equal(feed_all("220-mail.example.com\r\n220 mail", 30, &consumed), APPCHECK_NEED_MORE);
  assert_int_equal(consumed, 30);
  assert_int_equal(ac.out_len, 0);
  assert_int_equal(feed_all(NULL, 0, &consumed), APPCHECK_NEED_MORE);
  assert_int_equal(consumed, 0);
  assert_int_equal(feed_all("\r\n", 2, &consumed), APPCHECK_SEND);
  assert_int_equal(consumed, 2);
  /* Talking ahead. */
  appcheck_init(&ac, PROTO_SMTPS, 0, NULL);
  appcheck_begin(&ac);
  assert_int_equal(feed_all(kAhead, sizeof(kAhead) - 1, &consumed), APPCHECK_SEND);
  assert_int_equal(consumed, strlen(POSTFIX_GREETING));
  const uint8_t *out = appcheck_output(&ac, &len);
  assert_int_equal(len, strlen("EHLO tlssweep.invalid\r\n"));
  assert_memory_equal(out, "EHLO tlssweep.invalid\r\n", len);
  size_t rest = sizeof(kAhead) - 1 - consumed;
  assert_int_equal(feed_all(kAhead + consumed, rest, &consumed), APPCHECK_DONE);
  assert_int_equal(consumed, rest);
  assert_string_equal(appcheck_result_name(&ac), "ok");
  assert_int_equal(appcheck_code(&ac), 250);
  /* Server-first protocols say nothing at all. */
  static const enum proto kServerFirst[] = {PROTO_POP3S, PROTO_IMAPS, PROTO_FTPS};
  for (size_t i = 0; i < ARRAY_SIZE(kServerFirst); i++) {
    appcheck_init(&ac, kServerFirst[i], 0, NULL);
    assert_int_equal(appcheck_begin(&ac), APPCHECK_NEED_MORE);
    assert_int_equal(ac.out_len, 0);
  }
}

/* The engine's loop over one buffer holding everything the server said:
 * consumed counts add up to the verdict's byte, across a SEND. */
static void test_consumed_accounting(void **state) {
  (void)state;
  static const char kStream[] =
      "220-mx.example.org ESMTP\r\n220 ready\r\n250-mx.example.org\r\n250 SIZE\r\nEXTRA";
  static const size_t kPieces[] = {1, 3, 8, sizeof(kStream) - 1};
  for (size_t p = 0; p < ARRAY_SIZE(kPieces); p++) {
    appcheck_init(&ac, PROTO_SMTPS, 0, NULL);
    enum appcheck_step step = appcheck_begin(&ac);
    size_t at = 0, sends = 0, total = sizeof(kStream) - 1;
    while (step != APPCHECK_DONE && at < total) {
      size_t n = total - at < kPieces[p] ? total - at : kPieces[p];
      size_t consumed;
      step = feed_all(kStream + at, n, &consumed);
      assert_true(consumed <= n);
      if (step == APPCHECK_NEED_MORE) {
        assert_int_equal(consumed, n);
      }
      if (step == APPCHECK_SEND) {
        sends++;
      }
      at += consumed;
    }
    assert_int_equal(step, APPCHECK_DONE);
    assert_int_equal(sends, 1);
    assert_int_equal(at, total - strlen("EXTRA"));
    assert_string_equal(appcheck_result_name(&ac), "ok");
  }
}

static void test_line_bounds(void **state) {
  (void)state;
  static uint8_t big[APPCHECK_LINE_MAX + 16];
  size_t consumed;
  /* A greeting of exactly APPCHECK_LINE_MAX bytes, CRLF included, is fine. */
  memset(big, 'a', sizeof(big));
  memcpy(big, "+OK ", 4);
  big[APPCHECK_LINE_MAX - 2] = '\r';
  big[APPCHECK_LINE_MAX - 1] = '\n';
  appcheck_init(&ac, PROTO_POP3S, 0, NULL);
  assert_int_equal(feed_all(big, APPCHECK_LINE_MAX, &consumed), APPCHECK_DONE);
  assert_int_equal(consumed, APPCHECK_LINE_MAX);
  assert_string_equal(appcheck_result_name(&ac), "ok");
  assert_int_equal(ac.reply_len, APPCHECK_REPLY_MAX);
  assert_memory_equal(ac.reply, "+OK aaa", 7);
  /* One byte more is too long, judged on that byte. */
  memset(big, 'a', sizeof(big));
  memcpy(big, "-ERR ", 5);
  appcheck_init(&ac, PROTO_POP3S, 0, NULL);
  assert_int_equal(feed_all(big, sizeof(big), &consumed), APPCHECK_DONE);
  assert_int_equal(consumed, APPCHECK_LINE_MAX + 1);
  assert_int_equal(appcheck_result(&ac), APP_TOO_LONG);
  assert_string_equal(appcheck_result_name(&ac), "too_long");
  assert_string_equal(appcheck_stage_name(&ac), "greeting");
  assert_int_equal(ac.reply_len, APPCHECK_REPLY_MAX);
  assert_memory_equal(ac.reply, "-ERR aaa", 8);
  /* The bound is on the whole reply, however short its lines: FEAT... */
  static const char kFeature[] = " X-FEATURE\r\n";
  appcheck_init(&ac, PROTO_FTP, 1, NULL);
  assert_int_equal(appcheck_begin(&ac), APPCHECK_SEND);
  assert_int_equal(feed_all("211-Features:\r\n", 15, &consumed), APPCHECK_NEED_MORE);
  size_t total = 15;
  enum appcheck_step step = APPCHECK_NEED_MORE;
  while (step == APPCHECK_NEED_MORE) {
    step = feed_all(kFeature, sizeof(kFeature) - 1, &consumed);
    total += consumed;
  }
  assert_int_equal(step, APPCHECK_DONE);
  assert_int_equal(total, APPCHECK_LINE_MAX + 1);
  assert_string_equal(appcheck_result_name(&ac), "too_long");
  expect_reply("211-Features:");
  /* ...an SMTP reply... */
  appcheck_init(&ac, PROTO_SUBMISSION, 1, NULL);
  appcheck_begin(&ac);
  step = APPCHECK_NEED_MORE;
  while (step == APPCHECK_NEED_MORE) {
    step = feed_all("250-X\r\n", 7, &consumed);
  }
  assert_string_equal(appcheck_result_name(&ac), "too_long");
  expect_reply("250-X");
  /* ...and the IMAP untagged lines before the tagged answer. */
  appcheck_init(&ac, PROTO_IMAP, 1, NULL);
  appcheck_begin(&ac);
  step = APPCHECK_NEED_MORE;
  while (step == APPCHECK_NEED_MORE) {
    step = feed_all("* OK keepalive\r\n", 16, &consumed);
  }
  assert_string_equal(appcheck_result_name(&ac), "too_long");
  assert_string_equal(appcheck_stage_name(&ac), "capability");
  expect_reply("* OK keepalive");
  /* A foreign first line is kept to the report's bound, then judged. */
  memset(big, 'z', sizeof(big));
  appcheck_init(&ac, PROTO_IMAPS, 0, NULL);
  assert_int_equal(feed_all(big, sizeof(big), &consumed), APPCHECK_DONE);
  assert_int_equal(consumed, APPCHECK_REPLY_MAX);
  assert_string_equal(appcheck_result_name(&ac), "not_imap");
  assert_int_equal(ac.reply_len, APPCHECK_REPLY_MAX);
}

static void test_eof(void **state) {
  (void)state;
  size_t consumed;
  /* Closed before a byte. */
  appcheck_init(&ac, PROTO_POP3S, 0, NULL);
  appcheck_begin(&ac);
  assert_int_equal(appcheck_eof(&ac), APPCHECK_DONE);
  assert_int_equal(appcheck_result(&ac), APP_CLOSED);
  assert_string_equal(appcheck_result_name(&ac), "closed");
  assert_string_equal(appcheck_stage_name(&ac), "greeting");
  assert_int_equal(ac.reply_len, 0);
  /* Closed in the middle of a line: what came is kept. */
  appcheck_init(&ac, PROTO_POP3S, 0, NULL);
  assert_int_equal(feed_all("-ERR TLS 1.0 a", 14, &consumed), APPCHECK_NEED_MORE);
  assert_int_equal(appcheck_eof(&ac), APPCHECK_DONE);
  assert_string_equal(appcheck_result_name(&ac), "closed");
  expect_reply("-ERR TLS 1.0 a");
  /* Closed after EHLO was sent, and after the command of a resumed session. */
  appcheck_init(&ac, PROTO_SMTPS, 0, NULL);
  assert_int_equal(feed_all(POSTFIX_GREETING, strlen(POSTFIX_GREETING), &consumed), APPCHECK_SEND);
  assert_int_equal(appcheck_eof(&ac), APPCHECK_DONE);
  assert_string_equal(appcheck_result_name(&ac), "closed");
  assert_string_equal(appcheck_stage_name(&ac), "ehlo");
  assert_int_equal(ac.reply_len, 0);
  appcheck_init(&ac, PROTO_IMAP, 1, NULL);
  assert_int_equal(appcheck_begin(&ac), APPCHECK_SEND);
  assert_int_equal(appcheck_eof(&ac), APPCHECK_DONE);
  assert_string_equal(appcheck_result_name(&ac), "closed");
  assert_string_equal(appcheck_stage_name(&ac), "capability");
  /* Closed inside a multi-line reply: its first line is kept. */
  appcheck_init(&ac, PROTO_FTP, 1, NULL);
  appcheck_begin(&ac);
  assert_int_equal(feed_all("211-Features:\r\n AUTH TLS\r\n", 26, &consumed), APPCHECK_NEED_MORE);
  assert_int_equal(appcheck_eof(&ac), APPCHECK_DONE);
  assert_string_equal(appcheck_result_name(&ac), "closed");
  assert_int_equal(appcheck_code(&ac), 0);
  expect_reply("211-Features:");
  /* A foreign first line cut by the close is still foreign. */
  appcheck_init(&ac, PROTO_POP3S, 0, NULL);
  assert_int_equal(feed_all("SSH-2.0-Open", 12, &consumed), APPCHECK_NEED_MORE);
  assert_int_equal(appcheck_eof(&ac), APPCHECK_DONE);
  assert_string_equal(appcheck_result_name(&ac), "not_pop3");
  expect_reply("SSH-2.0-Open");
  /* The close after the verdict changes nothing. */
  appcheck_init(&ac, PROTO_POP3S, 0, NULL);
  assert_int_equal(
      feed_all(EXCHANGE_POP3_REFUSAL "\r\n", strlen(EXCHANGE_POP3_REFUSAL) + 2, &consumed),
      APPCHECK_DONE);
  assert_int_equal(appcheck_eof(&ac), APPCHECK_DONE);
  assert_string_equal(appcheck_result_name(&ac), "refused");
  expect_reply(EXCHANGE_POP3_REFUSAL);
}

/* The name goes into EHLO and the Host header: anything but host-name
 * characters falls back to the default, so no CRLF can be injected. */
static void test_name_sanitized(void **state) {
  (void)state;
  static const char *const kBad[] = {
      "evil\r\nRCPT",
      "evil\nRCPT TO:<x@example.com>",
      "",
      "a b",
      "x\r\n\r\nGET /admin",
      "\"quoted\"",
      "host:443",
      "ex\x01mple",
      "[2001:db8::1]",
  };
  size_t consumed, len;
  const uint8_t *out;
  for (size_t i = 0; i < ARRAY_SIZE(kBad); i++) {
    appcheck_init(&ac, PROTO_SMTPS, 0, kBad[i]);
    assert_int_equal(feed_all("220 x\r\n", 7, &consumed), APPCHECK_SEND);
    out = appcheck_output(&ac, &len);
    assert_int_equal(len, strlen("EHLO tlssweep.invalid\r\n"));
    assert_memory_equal(out, "EHLO tlssweep.invalid\r\n", len);
    appcheck_init(&ac, PROTO_HTTPS, 0, kBad[i]);
    assert_int_equal(appcheck_begin(&ac), APPCHECK_SEND);
    out = appcheck_output(&ac, &len);
    assert_int_equal(len, strlen(HEAD_REQUEST("tlssweep.invalid")));
    assert_memory_equal(out, HEAD_REQUEST("tlssweep.invalid"), len);
  }
  /* A name over 253 bytes is no host name; 253 bytes is, and fits. */
  static char name[300];
  memset(name, 'a', 254);
  appcheck_init(&ac, PROTO_SMTP, 1, name);
  assert_string_equal(ac.name, "tlssweep.invalid");
  name[253] = '\0';
  appcheck_init(&ac, PROTO_HTTPS, 0, name);
  assert_string_equal(ac.name, name);
  assert_int_equal(appcheck_begin(&ac), APPCHECK_SEND);
  appcheck_output(&ac, &len);
  assert_int_equal(len, strlen(HEAD_REQUEST("")) + 253);
  assert_true(len <= APPCHECK_OUT_MAX);
  appcheck_init(&ac, PROTO_SMTP, 1, "MX-1.Example.COM");
  assert_int_equal(appcheck_begin(&ac), APPCHECK_SEND);
  out = appcheck_output(&ac, &len);
  assert_int_equal(len, strlen("EHLO MX-1.Example.COM\r\n"));
  assert_memory_equal(out, "EHLO MX-1.Example.COM\r\n", len);
  appcheck_init(&ac, PROTO_HTTPS, 0, "192.0.2.7");
  assert_int_equal(appcheck_begin(&ac), APPCHECK_SEND);
  out = appcheck_output(&ac, &len);
  assert_memory_equal(out, HEAD_REQUEST("192.0.2.7"), len);
}

/* The output stays what the SEND step said until the next SEND. */
static void test_output_stable(void **state) {
  (void)state;
  size_t consumed, len;
  appcheck_init(&ac, PROTO_SMTPS, 0, "mail.example.com");
  assert_int_equal(feed_all(POSTFIX_GREETING, strlen(POSTFIX_GREETING), &consumed), APPCHECK_SEND);
  assert_int_equal(feed_all("250-mail.example.com\r\n", 22, &consumed), APPCHECK_NEED_MORE);
  const uint8_t *out = appcheck_output(&ac, &len);
  assert_memory_equal(out, "EHLO mail.example.com\r\n", len);
  assert_int_equal(feed_all("250 DSN\r\n", 9, &consumed), APPCHECK_DONE);
  out = appcheck_output(&ac, &len);
  assert_memory_equal(out, "EHLO mail.example.com\r\n", len);
}

/* ==== The Wilson score interval ==== */

/* wilson_reference is the count form of the interval, in long double:
 * (x + z^2/2 -+ z sqrt(x (n - x) / n + z^2/4)) / (n + z^2). */
static void wilson_reference(uint64_t x, uint64_t n, long double z, long double *lo,
                             long double *hi) {
  long double xs = (long double)x, ns = (long double)n, z2 = z * z;
  long double root = z * sqrtl(xs * (ns - xs) / ns + z2 / 4.0L);
  *lo = (xs + z2 / 2.0L - root) / (ns + z2);
  *hi = (xs + z2 / 2.0L + root) / (ns + z2);
}

static void test_wilson_against_formula(void **state) {
  (void)state;
  static const struct {
    uint64_t x, n;
  } kCases[] = {
      {0, 10},
      {10, 10},
      {5, 10},
      {13, 20},
      {130, 200},
      {1, 1000},
      {1, 1},
      {0, 1},
      {999, 1000},
      {7, 3000000},
      {123456789, 987654321},
  };
  static const double kZ[] = {STATS_Z_95, 1.0, 2.575829};
  for (size_t i = 0; i < ARRAY_SIZE(kCases); i++) {
    for (size_t k = 0; k < ARRAY_SIZE(kZ); k++) {
      double lo, hi;
      long double want_lo, want_hi;
      wilson_interval(kCases[i].x, kCases[i].n, kZ[k], &lo, &hi);
      wilson_reference(kCases[i].x, kCases[i].n, kZ[k], &want_lo, &want_hi);
      if (fabsl((long double)lo - want_lo) > 1e-12L || fabsl((long double)hi - want_hi) > 1e-12L) {
        fail_msg("%llu/%llu z=%g: [%.15g, %.15g], want [%.15Lg, %.15Lg]",
                 (unsigned long long)kCases[i].x, (unsigned long long)kCases[i].n, kZ[k], lo, hi,
                 want_lo, want_hi);
      }
      double p = (double)kCases[i].x / (double)kCases[i].n;
      assert_true(0.0 <= lo && lo <= p && p <= hi && hi <= 1.0);
    }
  }
}

/* Published 95% intervals, to the digits given: the textbook three, and the
 * worked examples of Newcombe (1998), Statist. Med. 17, 857-872. */
static void test_wilson_published(void **state) {
  (void)state;
  static const struct {
    uint64_t x, n;
    double lo, hi;
  } kCases[] = {
      {5, 10, 0.2366, 0.7634},   {0, 10, 0.0, 0.2775},      {10, 10, 0.7225, 1.0},
      {81, 263, 0.2553, 0.3662}, {15, 148, 0.0624, 0.1605}, {0, 20, 0.0, 0.1611},
      {1, 29, 0.0061, 0.1718},   {29, 29, 0.8830, 1.0},
  };
  for (size_t i = 0; i < ARRAY_SIZE(kCases); i++) {
    double lo, hi;
    wilson_interval(kCases[i].x, kCases[i].n, STATS_Z_95, &lo, &hi);
    if (fabs(lo - kCases[i].lo) > 5e-5 || fabs(hi - kCases[i].hi) > 5e-5) {
      fail_msg("%llu/%llu: [%.6f, %.6f], published [%.6f, %.6f]", (unsigned long long)kCases[i].x,
               (unsigned long long)kCases[i].n, lo, hi, kCases[i].lo, kCases[i].hi);
    }
  }
}

static void test_wilson_edges(void **state) {
  (void)state;
  double lo, hi, lo2, hi2;
  /* Nothing observed, or nonsense: the interval that claims nothing. */
  wilson_interval(0, 0, STATS_Z_95, &lo, &hi);
  assert_true(lo == 0.0 && hi == 1.0);
  wilson_interval(11, 10, STATS_Z_95, &lo, &hi);
  assert_true(lo == 0.0 && hi == 1.0);
  wilson_interval(5, 10, -1.0, &lo, &hi);
  assert_true(lo == 0.0 && hi == 1.0);
  wilson_interval(5, 10, NAN, &lo, &hi);
  assert_true(lo == 0.0 && hi == 1.0);
  wilson_interval(5, 10, INFINITY, &lo, &hi);
  assert_true(lo == 0.0 && hi == 1.0);
  /* The ends are exact. */
  wilson_interval(0, 10, STATS_Z_95, &lo, &hi);
  assert_true(lo == 0.0);
  wilson_interval(10, 10, STATS_Z_95, &lo, &hi);
  assert_true(hi == 1.0);
  /* (1 - lo is about z^2/n = 2e-19 here: below a double's resolution at 1.) */
  wilson_interval(UINT64_MAX, UINT64_MAX, STATS_Z_95, &lo, &hi);
  assert_true(hi == 1.0 && lo > 0.999999999 && lo <= 1.0);
  /* z = 0 is the point estimate. */
  wilson_interval(13, 20, 0.0, &lo, &hi);
  assert_true(fabs(lo - 0.65) < 1e-15 && fabs(hi - 0.65) < 1e-15);
  /* Symmetric: x of n mirrors n - x of n. */
  for (uint64_t x = 0; x <= 20; x++) {
    wilson_interval(x, 20, STATS_Z_95, &lo, &hi);
    wilson_interval(20 - x, 20, STATS_Z_95, &lo2, &hi2);
    assert_true(fabs(lo - (1.0 - hi2)) < 1e-12 && fabs(hi - (1.0 - lo2)) < 1e-12);
  }
  /* Wider with z, narrower with n. */
  wilson_interval(13, 20, 1.0, &lo, &hi);
  wilson_interval(13, 20, STATS_Z_95, &lo2, &hi2);
  assert_true(lo2 < lo && hi < hi2);
  wilson_interval(130, 200, STATS_Z_95, &lo, &hi);
  assert_true(lo2 < lo && hi < hi2);
  /* Huge n: the counts never overflow and the width shrinks like 1/sqrt(n). */
  wilson_interval(UINT64_C(1) << 40, UINT64_C(1) << 41, STATS_Z_95, &lo, &hi);
  double half = STATS_Z_95 * sqrt(0.25 / (double)(UINT64_C(1) << 41));
  assert_true(fabs(lo - (0.5 - half)) < 1e-12 && fabs(hi - (0.5 + half)) < 1e-12);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pop3s),
      cmocka_unit_test(test_pop3_after_stls),
      cmocka_unit_test(test_pop3_capa_list),
      cmocka_unit_test(test_imaps),
      cmocka_unit_test(test_imap_after_starttls),
      cmocka_unit_test(test_smtps),
      cmocka_unit_test(test_smtp_after_starttls),
      cmocka_unit_test(test_ftps),
      cmocka_unit_test(test_ftp_after_auth_tls),
      cmocka_unit_test(test_https),
      cmocka_unit_test(test_ldap),
      cmocka_unit_test(test_xmpp),
      cmocka_unit_test(test_postgres),
      cmocka_unit_test(test_client_first_edges),
      cmocka_unit_test(test_not_proto),
      cmocka_unit_test(test_binary_first_byte),
      cmocka_unit_test(test_protocol_errors),
      cmocka_unit_test(test_unchecked),
      cmocka_unit_test(test_first_stages),
      cmocka_unit_test(test_bytes_after_verdict),
      cmocka_unit_test(test_no_send_before_go_ahead),
      cmocka_unit_test(test_consumed_accounting),
      cmocka_unit_test(test_line_bounds),
      cmocka_unit_test(test_eof),
      cmocka_unit_test(test_name_sanitized),
      cmocka_unit_test(test_output_stable),
      cmocka_unit_test(test_wilson_against_formula),
      cmocka_unit_test(test_wilson_published),
      cmocka_unit_test(test_wilson_edges),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
