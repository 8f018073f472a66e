/* tests/scanner/starttls_test.c: the plaintext dialogues before TLS, from server transcripts.
 *
 * Each dialogue is a script: what we say first (for protocols where the
 * client speaks first), then turns of "the server says this, we answer
 * that", ending on the go-ahead or a failure. Server texts are those of
 * Postfix, Exim, Dovecot, Exchange, vsftpd, ProFTPD, FileZilla Server,
 * Prosody and ejabberd (some trimmed; Exchange's refusal text is
 * Exchange-like, not captured); LDAP messages are built here per RFC 4511
 * 4.14 and 4.12 (the success shaped as OpenLDAP's slapd answers, with the
 * responseName). Every script runs with each server message fed whole, one
 * byte at a time, split in two at every byte boundary, and in pieces of 2,
 * 3, 5 and 7 bytes: the same steps and the exact same bytes out must come,
 * and no step but NEED_MORE may come before the last byte of the message
 * that allows it (no command ahead of its go-ahead). Cases the scripts
 * cannot express (bytes after the go-ahead, bounds, the close, hostile
 * names) are tests of their own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scanner/proto/starttls.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* B expands a string literal to the pointer and length fields of a struct. */
#define B(s) (const uint8_t *)(s), sizeof(s) - 1

struct turn {
  const uint8_t *server;
  size_t server_len;
  const uint8_t *client; /* what we answer; NULL: the dialogue ends on this message */
  size_t client_len;
};

struct script {
  const char *what;
  enum proto proto;
  const char *name;       /* starttls_init's name */
  const uint8_t *hello;   /* what we say first; NULL when the server speaks first */
  size_t hello_len;
  const struct turn *turns;
  size_t nturns;
  enum starttls_step end; /* the step on the last message */
  enum starttls_failure failure;
  const char *failure_name;
  const char *stage;      /* where it ended */
  const uint8_t *reply;   /* the reply kept on failure; NULL: not checked */
  size_t reply_len;
};

#define TURNS(t) .turns = (t), .nturns = ARRAY_SIZE(t)

static struct starttls st; /* 4.6 KB: not on the stack */

static const char *step_name(enum starttls_step s) {
  switch (s) {
    case STARTTLS_NEED_MORE:
      return "NEED_MORE";
    case STARTTLS_SEND:
      return "SEND";
    case STARTTLS_READY:
      return "READY";
    case STARTTLS_FAILED:
      return "FAILED";
  }
  return "?";
}

/* feed_message feeds |len| bytes: a first piece of |first| bytes, then pieces
 * of |piece|. Every feed before the message's last byte must consume all it
 * got and say NEED_MORE. Returns the step the last byte brought. */
static enum starttls_step feed_message(const struct script *s, const char *mode,
                                       const uint8_t *msg, size_t len, size_t first,
                                       size_t piece) {
  size_t at = 0;
  enum starttls_step step = STARTTLS_NEED_MORE;
  while (at < len) {
    size_t n = at == 0 ? first : piece;
    if (n > len - at) {
      n = len - at;
    }
    size_t consumed = (size_t)-1;
    step = starttls_feed(&st, msg + at, n, &consumed);
    if (consumed > n) {
      fail_msg("%s [%s]: consumed %zu of %zu", s->what, mode, consumed, n);
    }
    at += consumed;
    if (step != STARTTLS_NEED_MORE) {
      if (at != len) {
        fail_msg("%s [%s]: %s after %zu of %zu bytes (stage %s, %s)", s->what, mode,
                 step_name(step), at, len, starttls_stage_name(&st), starttls_failure_name(&st));
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
  const uint8_t *out = starttls_output(&st, &len);
  if (len != want_len || memcmp(out, want, len) != 0) {
    fail_msg("%s [%s]: sent '%.*s', want '%.*s'", s->what, mode, (int)len, (const char *)out,
             (int)want_len, (const char *)want);
  }
  assert_true(len > 0 && len <= STARTTLS_OUT_MAX);
}

/* run plays |s|; turn |split_turn| (or all when it is SIZE_MAX) is fed as
 * |first| then |piece| bytes at a time, the others whole. */
static void run(const struct script *s, const char *mode, size_t split_turn, size_t first,
                size_t piece) {
  starttls_init(&st, s->proto, s->name);
  assert_true(starttls_needed(s->proto));
  enum starttls_step step = starttls_begin(&st);
  if (s->hello != NULL) {
    assert_int_equal(step, STARTTLS_SEND);
    expect_output(s, mode, s->hello, s->hello_len);
  } else {
    assert_int_equal(step, STARTTLS_NEED_MORE);
  }
  for (size_t i = 0; i < s->nturns; i++) {
    const struct turn *t = &s->turns[i];
    int split = split_turn == SIZE_MAX || split_turn == i;
    step = feed_message(s, mode, t->server, t->server_len, split ? first : t->server_len,
                        split ? piece : t->server_len);
    enum starttls_step want = t->client != NULL ? STARTTLS_SEND : s->end;
    if (step != want) {
      fail_msg("%s [%s]: turn %zu gave %s (%s at %s), want %s", s->what, mode, i,
               step_name(step), starttls_failure_name(&st), starttls_stage_name(&st),
               step_name(want));
    }
    if (t->client != NULL) {
      expect_output(s, mode, t->client, t->client_len);
    }
  }
  assert_int_equal(starttls_failure(&st), s->failure);
  assert_string_equal(starttls_failure_name(&st), s->failure_name);
  assert_string_equal(starttls_stage_name(&st), s->stage);
  if (s->reply != NULL) {
    assert_int_equal(st.reply_len, s->reply_len);
    assert_memory_equal(st.reply, s->reply, s->reply_len);
  }
  /* Final steps stay final, take nothing more, and survive the close. */
  size_t consumed = 1;
  assert_int_equal(starttls_feed(&st, (const uint8_t *)"x", 1, &consumed), s->end);
  assert_int_equal(consumed, 0);
  assert_int_equal(starttls_eof(&st), s->end);
  assert_int_equal(starttls_failure(&st), s->failure);
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

/* feed_all feeds |len| bytes at once to the global st. */
static enum starttls_step feed_all(const void *data, size_t len, size_t *consumed) {
  return starttls_feed(&st, (const uint8_t *)data, len, consumed);
}

/* ==== SMTP (RFC 5321, RFC 3207) ==== */

#define POSTFIX_GREETING "220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n"
#define POSTFIX_EHLO                                                                      \
  "250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n" \
  "250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n"  \
  "250 CHUNKING\r\n"
#define POSTFIX_GO "220 2.0.0 Ready to start TLS\r\n"

static void test_smtp_postfix(void **state) {
  (void)state;
  static const struct turn kTurns[] = {
      {B(POSTFIX_GREETING), B("EHLO tlssweep.invalid\r\n")},
      {B(POSTFIX_EHLO), B("STARTTLS\r\n")},
      {B(POSTFIX_GO), NULL, 0},
  };
  static const struct script kScript = {.what = "postfix", .proto = PROTO_SMTP, TURNS(kTurns),
                                        .end = STARTTLS_READY, .failure = STARTTLS_OK,
                                        .failure_name = "ok", .stage = "starttls"};
  check(&kScript);
}

static void test_submission_exim(void **state) {
  (void)state;
  static const struct turn kTurns[] = {
      {B("220 smtp.example.org ESMTP Exim 4.96 Mon, 01 Jan 2024 12:00:00 +0000\r\n"),
       B("EHLO scanner.example.net\r\n")},
      {B("250-smtp.example.org Hello scanner.example.net [192.0.2.7]\r\n250-SIZE 52428800\r\n"
         "250-8BITMIME\r\n250-PIPELINING\r\n250-PIPE_CONNECT\r\n250-CHUNKING\r\n250-STARTTLS\r\n"
         "250-PRDR\r\n250 HELP\r\n"),
       B("STARTTLS\r\n")},
      {B("220 TLS go ahead\r\n"), NULL, 0},
  };
  static const struct script kScript = {
      .what = "exim submission", .proto = PROTO_SUBMISSION, .name = "scanner.example.net",
      TURNS(kTurns), .end = STARTTLS_READY, .failure = STARTTLS_OK, .failure_name = "ok",
      .stage = "starttls"};
  check(&kScript);
}

/* A multi-line greeting, bare LF line ends, and a keyword in lower case as
 * the last line of the EHLO reply. */
static void test_smtp_multiline_bare_lf(void **state) {
  (void)state;
  static const struct turn kTurns[] = {
      {B("220-mx.example.org ESMTP ready\n220-Unsolicited bulk mail is refused here\n"
         "220 mx.example.org\n"),
       B("EHLO tlssweep.invalid\r\n")},
      {B("250-mx.example.org\r\n250-SIZE 35882577\n250 starttls\r\n"), B("STARTTLS\r\n")},
      {B("220\n"), NULL, 0},
  };
  static const struct script kScript = {.what = "multi-line", .proto = PROTO_SMTP,
                                        TURNS(kTurns), .end = STARTTLS_READY,
                                        .failure = STARTTLS_OK, .failure_name = "ok",
                                        .stage = "starttls"};
  check(&kScript);
}

static void test_smtp_rejected_greeting(void **state) {
  (void)state;
  static const struct turn kTurns[] = {
      {B("554 5.7.1 Service unavailable; client [192.0.2.7] blocked using zen.spamhaus.org\r\n"),
       NULL, 0},
  };
  static const struct script kScript = {
      .what = "554 greeting", .proto = PROTO_SMTP, TURNS(kTurns), .end = STARTTLS_FAILED,
      .failure = STARTTLS_REJECTED_GREETING, .failure_name = "greeting_refused",
      .stage = "greeting",
      .reply = B("554 5.7.1 Service unavailable; client [192.0.2.7] blocked using "
                 "zen.spamhaus.org\r\n")};
  check(&kScript);
  /* A 421 greeting (service closing) is a refusal too, multi-line or not. */
  static const struct turn k421[] = {
      {B("421-mail.example.com busy\r\n421 4.3.2 Try again later\r\n"), NULL, 0},
  };
  static const struct script k421Script = {.what = "421 greeting", .proto = PROTO_SMTP,
                                           TURNS(k421), .end = STARTTLS_FAILED,
                                           .failure = STARTTLS_REJECTED_GREETING,
                                           .failure_name = "greeting_refused",
                                           .stage = "greeting"};
  check(&k421Script);
}

static void test_smtp_no_starttls(void **state) {
  (void)state;
  static const struct turn kTurns[] = {
      {B(POSTFIX_GREETING), B("EHLO tlssweep.invalid\r\n")},
      {B("250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-XSTARTTLS\r\n"
         "250-STARTTLSX\r\n250 8BITMIME\r\n"),
       NULL, 0},
  };
  static const struct script kScript = {
      .what = "no STARTTLS", .proto = PROTO_SMTP, TURNS(kTurns), .end = STARTTLS_FAILED,
      .failure = STARTTLS_UNSUPPORTED, .failure_name = "starttls_unsupported", .stage = "ehlo"};
  check(&kScript);
  /* A one-line EHLO reply has no keywords at all. */
  static const struct turn kOneLine[] = {
      {B(POSTFIX_GREETING), B("EHLO tlssweep.invalid\r\n")},
      {B("250 mail.example.com\r\n"), NULL, 0},
  };
  static const struct script kOneLineScript = {
      .what = "one-line EHLO", .proto = PROTO_SMTP, TURNS(kOneLine), .end = STARTTLS_FAILED,
      .failure = STARTTLS_UNSUPPORTED, .failure_name = "starttls_unsupported", .stage = "ehlo",
      .reply = B("250 mail.example.com\r\n")};
  check(&kOneLineScript);
  /* A server that does not know EHLO at all (RFC 5321 4.1.4). */
  static const struct turn kNoEhlo[] = {
      {B(POSTFIX_GREETING), B("EHLO tlssweep.invalid\r\n")},
      {B("502 5.5.2 Error: command not recognized\r\n"), NULL, 0},
  };
  static const struct script kNoEhloScript = {
      .what = "EHLO unknown", .proto = PROTO_SMTP, TURNS(kNoEhlo), .end = STARTTLS_FAILED,
      .failure = STARTTLS_UNSUPPORTED, .failure_name = "starttls_unsupported", .stage = "ehlo"};
  check(&kNoEhloScript);
}

static void test_smtp_refused(void **state) {
  (void)state;
  static const struct turn kTurns[] = {
      {B(POSTFIX_GREETING), B("EHLO tlssweep.invalid\r\n")},
      {B(POSTFIX_EHLO), B("STARTTLS\r\n")},
      {B("454 4.7.0 TLS not available due to local problem\r\n"), NULL, 0},
  };
  static const struct script kScript = {
      .what = "454", .proto = PROTO_SMTP, TURNS(kTurns), .end = STARTTLS_FAILED,
      .failure = STARTTLS_REFUSED, .failure_name = "starttls_refused", .stage = "starttls",
      .reply = B("454 4.7.0 TLS not available due to local problem\r\n")};
  check(&kScript);
  /* EHLO refused outright. */
  static const struct turn kEhlo[] = {
      {B(POSTFIX_GREETING), B("EHLO tlssweep.invalid\r\n")},
      {B("421 4.7.0 mail.example.com Error: too many errors\r\n"), NULL, 0},
  };
  static const struct script kEhloScript = {
      .what = "EHLO 421", .proto = PROTO_SMTP, TURNS(kEhlo), .end = STARTTLS_FAILED,
      .failure = STARTTLS_REFUSED, .failure_name = "starttls_refused", .stage = "ehlo"};
  check(&kEhloScript);
}

static void test_smtp_protocol_errors(void **state) {
  (void)state;
  /* The code changes in the middle of a multi-line reply. */
  static const struct turn kMixed[] = {
      {B(POSTFIX_GREETING), B("EHLO tlssweep.invalid\r\n")},
      {B("250-mail.example.com\r\n251 STARTTLS\r\n"), NULL, 0},
  };
  static const struct script kMixedScript = {
      .what = "mixed codes", .proto = PROTO_SMTP, TURNS(kMixed), .end = STARTTLS_FAILED,
      .failure = STARTTLS_PROTOCOL_ERROR, .failure_name = "starttls_protocol_error",
      .stage = "ehlo"};
  check(&kMixedScript);
  /* A continuation line without a code, which SMTP (unlike FTP) forbids. */
  static const struct turn kBare[] = {
      {B("220-mail.example.com\r\nwelcome\r\n"), NULL, 0},
  };
  static const struct script kBareScript = {
      .what = "codeless line", .proto = PROTO_SMTP, TURNS(kBare), .end = STARTTLS_FAILED,
      .failure = STARTTLS_PROTOCOL_ERROR, .failure_name = "starttls_protocol_error",
      .stage = "greeting"};
  check(&kBareScript);
  /* A 250 greeting is SMTP-shaped but not a greeting. */
  static const struct turn k250[] = {{B("250 hello\r\n"), NULL, 0}};
  static const struct script k250Script = {
      .what = "250 greeting", .proto = PROTO_SMTP, TURNS(k250), .end = STARTTLS_FAILED,
      .failure = STARTTLS_PROTOCOL_ERROR, .failure_name = "starttls_protocol_error",
      .stage = "greeting"};
  check(&k250Script);
}

static void test_smtp_not_smtp(void **state) {
  (void)state;
  static const struct turn kImap[] = {
      {B("* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.\r\n"), NULL, 0},
  };
  static const struct script kImapScript = {
      .what = "IMAP on 25", .proto = PROTO_SMTP, TURNS(kImap), .end = STARTTLS_FAILED,
      .failure = STARTTLS_NOT_PROTO, .failure_name = "not_smtp", .stage = "greeting",
      .reply = B("* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.\r\n")};
  check(&kImapScript);
  static const struct turn kHttp[] = {{B("HTTP/1.1 400 Bad Request\r\n"), NULL, 0}};
  static const struct script kHttpScript = {
      .what = "HTTP on 587", .proto = PROTO_SUBMISSION, TURNS(kHttp), .end = STARTTLS_FAILED,
      .failure = STARTTLS_NOT_PROTO, .failure_name = "not_smtp", .stage = "greeting",
      .reply = B("HTTP/1.1 400 Bad Request\r\n")};
  check(&kHttpScript);
  static const struct turn kSsh[] = {{B("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"), NULL, 0}};
  static const struct script kSshScript = {
      .what = "SSH on 25", .proto = PROTO_SMTP, TURNS(kSsh), .end = STARTTLS_FAILED,
      .failure = STARTTLS_NOT_PROTO, .failure_name = "not_smtp", .stage = "greeting"};
  check(&kSshScript);
  /* Only the first line is kept, up to what a reply keeps: a foreign server
   * that never ends its line is judged at STARTTLS_REPLY_MAX bytes. */
  starttls_init(&st, PROTO_SMTP, NULL);
  assert_int_equal(starttls_begin(&st), STARTTLS_NEED_MORE);
  static uint8_t junk[STARTTLS_REPLY_MAX + 100];
  memset(junk, 'x', sizeof(junk));
  size_t consumed;
  assert_int_equal(feed_all(junk, sizeof(junk), &consumed), STARTTLS_FAILED);
  assert_int_equal(consumed, STARTTLS_REPLY_MAX);
  assert_int_equal(st.reply_len, STARTTLS_REPLY_MAX);
  assert_string_equal(starttls_failure_name(&st), "not_smtp");
}

/* A server that speaks TLS at once (or any binary first byte) is judged on
 * that byte: no line end will ever come. */
static void test_binary_first_byte(void **state) {
  (void)state;
  static const uint8_t kAlert[] = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46};
  static const uint8_t kHello[] = {0x16, 0x03, 0x03, 0x00, 0x5a, 0x02, 0x00};
  static const struct {
    enum proto proto;
    const char *name;
  } kProtos[] = {
      {PROTO_SMTP, "not_smtp"}, {PROTO_SUBMISSION, "not_smtp"},  {PROTO_IMAP, "not_imap"},
      {PROTO_POP3, "not_pop3"}, {PROTO_FTP, "not_ftp"},          {PROTO_LDAP, "not_ldap"},
      {PROTO_XMPP, "not_xmpp"}, {PROTO_POSTGRES, "not_postgres"},
  };
  for (size_t i = 0; i < ARRAY_SIZE(kProtos); i++) {
    for (int which = 0; which < 2; which++) {
      const uint8_t *data = which ? kHello : kAlert;
      starttls_init(&st, kProtos[i].proto, NULL);
      starttls_begin(&st);
      size_t consumed;
      assert_int_equal(feed_all(data, sizeof(kAlert), &consumed), STARTTLS_FAILED);
      assert_int_equal(consumed, 1);
      assert_int_equal(starttls_failure(&st), STARTTLS_NOT_PROTO);
      assert_string_equal(starttls_failure_name(&st), kProtos[i].name);
      assert_int_equal(st.reply_len, 1);
      assert_int_equal(st.reply[0], data[0]);
    }
  }
  /* XMPP allows whitespace before the stream; a binary byte after it is
   * judged just the same. */
  starttls_init(&st, PROTO_XMPP, NULL);
  starttls_begin(&st);
  size_t consumed;
  assert_int_equal(feed_all("\r\n \x16\x03", 5, &consumed), STARTTLS_FAILED);
  assert_int_equal(consumed, 4);
  assert_string_equal(starttls_failure_name(&st), "not_xmpp");
}

/* ==== IMAP (RFC 3501, RFC 9051) ==== */

#define DOVECOT_IMAP                                                                       \
  "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS " \
  "AUTH=PLAIN] Dovecot (Debian) ready.\r\n"

static void test_imap_dovecot(void **state) {
  (void)state;
  static const struct turn kTurns[] = {
      {B(DOVECOT_IMAP), B("a1 STARTTLS\r\n")},
      {B("a1 OK Begin TLS negotiation now.\r\n"), NULL, 0},
  };
  static const struct script kScript = {.what = "dovecot imap", .proto = PROTO_IMAP,
                                        TURNS(kTurns), .end = STARTTLS_READY,
                                        .failure = STARTTLS_OK, .failure_name = "ok",
                                        .stage = "starttls"};
  check(&kScript);
}

/* Without a CAPABILITY response code in the greeting, STARTTLS is asked
 * blindly; untagged data before the tagged answer is skipped. */
static void test_imap_no_capability_code(void **state) {
  (void)state;
  static const struct turn kTurns[] = {
      {B("* OK IMAP4rev1 Service Ready\r\n"), B("a1 STARTTLS\r\n")},
      {B("* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n* OK still here\r\n"
         "a1 ok Begin TLS negotiation now\r\n"),
       NULL, 0},
  };
  static const struct script kScript = {.what = "imap blind", .proto = PROTO_IMAP,
                                        TURNS(kTurns), .end = STARTTLS_READY,
                                        .failure = STARTTLS_OK, .failure_name = "ok",
                                        .stage = "starttls"};
  check(&kScript);
}

static void test_imap_unsupported(void **state) {
  (void)state;
  static const struct turn kCap[] = {
      {B("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLSX "
         "AUTH=PLAIN] Dovecot ready.\r\n"),
       NULL, 0},
  };
  static const struct script kCapScript = {
      .what = "no STARTTLS capability", .proto = PROTO_IMAP, TURNS(kCap),
      .end = STARTTLS_FAILED, .failure = STARTTLS_UNSUPPORTED,
      .failure_name = "starttls_unsupported", .stage = "greeting",
      .reply = B("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ "
                 "STARTTLSX AUTH=PLAIN] Dovecot ready.\r\n")};
  check(&kCapScript);
  /* RFC 3501 6.2.1: PREAUTH forbids STARTTLS. The example greeting of RFC 3501 7.1.4. */
  static const struct turn kPreauth[] = {
      {B("* PREAUTH IMAP4rev1 server logged in as Smith\r\n"), NULL, 0},
  };
  static const struct script kPreauthScript = {
      .what = "PREAUTH", .proto = PROTO_IMAP, TURNS(kPreauth), .end = STARTTLS_FAILED,
      .failure = STARTTLS_UNSUPPORTED, .failure_name = "starttls_unsupported",
      .stage = "greeting", .reply = B("* PREAUTH IMAP4rev1 server logged in as Smith\r\n")};
  check(&kPreauthScript);
}

static void test_imap_refusals(void **state) {
  (void)state;
  static const struct turn kBye[] = {{B("* BYE Server shutting down.\r\n"), NULL, 0}};
  static const struct script kByeScript = {
      .what = "BYE greeting", .proto = PROTO_IMAP, TURNS(kBye), .end = STARTTLS_FAILED,
      .failure = STARTTLS_REJECTED_GREETING, .failure_name = "greeting_refused",
      .stage = "greeting", .reply = B("* BYE Server shutting down.\r\n")};
  check(&kByeScript);
  /* The tagged refusal is what is kept, not the untagged lines before it. */
  static const struct turn kBad[] = {
      {B("* OK IMAP4rev1 Service Ready\r\n"), B("a1 STARTTLS\r\n")},
      {B("* OK noise\r\na1 BAD Error in IMAP command STARTTLS: Unknown command.\r\n"), NULL, 0},
  };
  static const struct script kBadScript = {
      .what = "a1 BAD", .proto = PROTO_IMAP, TURNS(kBad), .end = STARTTLS_FAILED,
      .failure = STARTTLS_REFUSED, .failure_name = "starttls_refused", .stage = "starttls",
      .reply = B("a1 BAD Error in IMAP command STARTTLS: Unknown command.\r\n")};
  check(&kBadScript);
  static const struct turn kNo[] = {
      {B(DOVECOT_IMAP), B("a1 STARTTLS\r\n")},
      {B("a1 NO [UNAVAILABLE] TLS not available\r\n"), NULL, 0},
  };
  static const struct script kNoScript = {
      .what = "a1 NO", .proto = PROTO_IMAP, TURNS(kNo), .end = STARTTLS_FAILED,
      .failure = STARTTLS_REFUSED, .failure_name = "starttls_refused", .stage = "starttls",
      .reply = B("a1 NO [UNAVAILABLE] TLS not available\r\n")};
  check(&kNoScript);
  static const struct turn kByeLater[] = {
      {B(DOVECOT_IMAP), B("a1 STARTTLS\r\n")},
      {B("* BYE Internal error\r\n"), NULL, 0},
  };
  static const struct script kByeLaterScript = {
      .what = "BYE after STARTTLS", .proto = PROTO_IMAP, TURNS(kByeLater),
      .end = STARTTLS_FAILED, .failure = STARTTLS_REFUSED, .failure_name = "starttls_refused",
      .stage = "starttls"};
  check(&kByeLaterScript);
  /* An answer for a tag we never sent. */
  static const struct turn kTag[] = {
      {B(DOVECOT_IMAP), B("a1 STARTTLS\r\n")},
      {B("a2 OK Begin TLS negotiation now.\r\n"), NULL, 0},
  };
  static const struct script kTagScript = {
      .what = "wrong tag", .proto = PROTO_IMAP, TURNS(kTag), .end = STARTTLS_FAILED,
      .failure = STARTTLS_PROTOCOL_ERROR, .failure_name = "starttls_protocol_error",
      .stage = "starttls"};
  check(&kTagScript);
  static const struct turn kSmtp[] = {{B(POSTFIX_GREETING), NULL, 0}};
  static const struct script kSmtpScript = {
      .what = "SMTP on 143", .proto = PROTO_IMAP, TURNS(kSmtp), .end = STARTTLS_FAILED,
      .failure = STARTTLS_NOT_PROTO, .failure_name = "not_imap", .stage = "greeting",
      .reply = B(POSTFIX_GREETING)};
  check(&kSmtpScript);
}

/* ==== POP3 (RFC 1939, RFC 2595) ==== */

static void test_pop3_dovecot(void **state) {
  (void)state;
  static const struct turn kTurns[] = {
      {B("+OK Dovecot (Debian) ready.\r\n"), B("STLS\r\n")},
      {B("+OK Begin TLS negotiation now.\r\n"), NULL, 0},
  };
  static const struct script kScript = {.what = "dovecot pop3", .proto = PROTO_POP3,
                                        TURNS(kTurns), .end = STARTTLS_READY,
                                        .failure = STARTTLS_OK, .failure_name = "ok",
                                        .stage = "starttls"};
  check(&kScript);
}

static void test_pop3_exchange(void **state) {
  (void)state;
  static const struct turn kTurns[] = {
      {B("+OK The Microsoft Exchange POP3 service is ready.\r\n"), B("STLS\r\n")},
      {B("+OK Begin TLS negotiation.\r\n"), NULL, 0},
  };
  static const struct script kScript = {.what = "exchange pop3", .proto = PROTO_POP3,
                                        TURNS(kTurns), .end = STARTTLS_READY,
                                        .failure = STARTTLS_OK, .failure_name = "ok",
                                        .stage = "starttls"};
  check(&kScript);
  static const struct turn kRefused[] = {
      {B("+OK The Microsoft Exchange POP3 service is ready.\r\n"), B("STLS\r\n")},
      {B("-ERR TLS 1.0 and 1.1 are not supported. Please upgrade your client to TLS 1.2.\r\n"),
       NULL, 0},
  };
  static const struct script kRefusedScript = {
      .what = "exchange refusal", .proto = PROTO_POP3, TURNS(kRefused), .end = STARTTLS_FAILED,
      .failure = STARTTLS_REFUSED, .failure_name = "starttls_refused", .stage = "starttls",
      .reply =
          B("-ERR TLS 1.0 and 1.1 are not supported. Please upgrade your client to TLS 1.2.\r\n")};
  check(&kRefusedScript);
}

static void test_pop3_failures(void **state) {
  (void)state;
  static const struct turn kErr[] = {{B("-ERR [SYS/TEMP] Too many connections\r\n"), NULL, 0}};
  static const struct script kErrScript = {
      .what = "-ERR greeting", .proto = PROTO_POP3, TURNS(kErr), .end = STARTTLS_FAILED,
      .failure = STARTTLS_REJECTED_GREETING, .failure_name = "greeting_refused",
      .stage = "greeting", .reply = B("-ERR [SYS/TEMP] Too many connections\r\n")};
  check(&kErrScript);
  static const struct turn kOkay[] = {{B("+OKAY then\r\n"), NULL, 0}};
  static const struct script kOkayScript = {
      .what = "+OKAY", .proto = PROTO_POP3, TURNS(kOkay), .end = STARTTLS_FAILED,
      .failure = STARTTLS_NOT_PROTO, .failure_name = "not_pop3", .stage = "greeting"};
  check(&kOkayScript);
  static const struct turn kOdd[] = {
      {B("+OK\r\n"), B("STLS\r\n")},
      {B("* OK what\r\n"), NULL, 0},
  };
  static const struct script kOddScript = {
      .what = "odd STLS answer", .proto = PROTO_POP3, TURNS(kOdd), .end = STARTTLS_FAILED,
      .failure = STARTTLS_PROTOCOL_ERROR, .failure_name = "starttls_protocol_error",
      .stage = "starttls"};
  check(&kOddScript);
}

/* ==== FTP (RFC 959, RFC 4217) ==== */

static void test_ftp_vsftpd(void **state) {
  (void)state;
  static const struct turn kTurns[] = {
      {B("220 (vsFTPd 3.0.3)\r\n"), B("AUTH TLS\r\n")},
      {B("234 Proceed with negotiation.\r\n"), NULL, 0},
  };
  static const struct script kScript = {.what = "vsftpd", .proto = PROTO_FTP, TURNS(kTurns),
                                        .end = STARTTLS_READY, .failure = STARTTLS_OK,
                                        .failure_name = "ok", .stage = "starttls"};
  check(&kScript);
}

/* ProFTPD with a DisplayConnect banner: RFC 959 4.2 lets the lines inside a
 * multi-line reply be any text, even a line that starts with another code. */
static void test_ftp_proftpd_multiline(void **state) {
  (void)state;
  static const struct turn kTurns[] = {
      {B("220-Welcome to the example.org archive.\r\n"
         "    All transfers are logged.\r\n"
         "200 is not the end\r\n"
         "220-\r\n"
         "220 ProFTPD Server (Debian) [::ffff:192.0.2.10]\r\n"),
       B("AUTH TLS\r\n")},
      {B("234 AUTH TLS successful\r\n"), NULL, 0},
  };
  static const struct script kScript = {.what = "proftpd", .proto = PROTO_FTP, TURNS(kTurns),
                                        .end = STARTTLS_READY, .failure = STARTTLS_OK,
                                        .failure_name = "ok", .stage = "starttls"};
  check(&kScript);
  static const struct turn kFz[] = {
      {B("220-FileZilla Server 1.7.0\r\n220-Please visit https://filezilla-project.org/\r\n"
         "220 \r\n"),
       B("AUTH TLS\r\n")},
      {B("234 Using authentication type TLS.\r\n"), NULL, 0},
  };
  static const struct script kFzScript = {.what = "filezilla", .proto = PROTO_FTP, TURNS(kFz),
                                          .end = STARTTLS_READY, .failure = STARTTLS_OK,
                                          .failure_name = "ok", .stage = "starttls"};
  check(&kFzScript);
  /* RFC 959 5.4: 120 (ready in n minutes) comes before the 220. */
  static const struct turn kLater[] = {
      {B("120 Service ready in 1 minute.\r\n220 Service ready.\r\n"), B("AUTH TLS\r\n")},
      {B("234 AUTH TLS OK.\r\n"), NULL, 0},
  };
  static const struct script kLaterScript = {.what = "120 then 220", .proto = PROTO_FTP,
                                             TURNS(kLater), .end = STARTTLS_READY,
                                             .failure = STARTTLS_OK, .failure_name = "ok",
                                             .stage = "starttls"};
  check(&kLaterScript);
}

static void test_ftp_failures(void **state) {
  (void)state;
  static const struct turn kVsftpd[] = {
      {B("220 (vsFTPd 3.0.3)\r\n"), B("AUTH TLS\r\n")},
      {B("530 Please login with USER and PASS.\r\n"), NULL, 0},
  };
  static const struct script kVsftpdScript = {
      .what = "vsftpd without ssl", .proto = PROTO_FTP, TURNS(kVsftpd), .end = STARTTLS_FAILED,
      .failure = STARTTLS_REFUSED, .failure_name = "starttls_refused", .stage = "starttls",
      .reply = B("530 Please login with USER and PASS.\r\n")};
  check(&kVsftpdScript);
  static const struct turn kProftpd[] = {
      {B("220 ProFTPD Server (Debian) [::ffff:192.0.2.10]\r\n"), B("AUTH TLS\r\n")},
      {B("500 AUTH not understood\r\n"), NULL, 0},
  };
  static const struct script kProftpdScript = {
      .what = "proftpd without mod_tls", .proto = PROTO_FTP, TURNS(kProftpd),
      .end = STARTTLS_FAILED, .failure = STARTTLS_UNSUPPORTED,
      .failure_name = "starttls_unsupported", .stage = "starttls",
      .reply = B("500 AUTH not understood\r\n")};
  check(&kProftpdScript);
  static const struct turn k502[] = {
      {B("220 ready\r\n"), B("AUTH TLS\r\n")},
      {B("502 Command not implemented.\r\n"), NULL, 0},
  };
  static const struct script k502Script = {
      .what = "502", .proto = PROTO_FTP, TURNS(k502), .end = STARTTLS_FAILED,
      .failure = STARTTLS_UNSUPPORTED, .failure_name = "starttls_unsupported",
      .stage = "starttls"};
  check(&k502Script);
  static const struct turn k421[] = {
      {B("421 There are too many connected users, please try later.\r\n"), NULL, 0},
  };
  static const struct script k421Script = {
      .what = "421 greeting", .proto = PROTO_FTP, TURNS(k421), .end = STARTTLS_FAILED,
      .failure = STARTTLS_REJECTED_GREETING, .failure_name = "greeting_refused",
      .stage = "greeting"};
  check(&k421Script);
  static const struct turn k334[] = {
      {B("220 ready\r\n"), B("AUTH TLS\r\n")},
      {B("334 ADAT=\r\n"), NULL, 0},
  };
  static const struct script k334Script = {
      .what = "334", .proto = PROTO_FTP, TURNS(k334), .end = STARTTLS_FAILED,
      .failure = STARTTLS_PROTOCOL_ERROR, .failure_name = "starttls_protocol_error",
      .stage = "starttls"};
  check(&k334Script);
  static const struct turn kPop[] = {{B("+OK Dovecot ready.\r\n"), NULL, 0}};
  static const struct script kPopScript = {
      .what = "POP3 on 21", .proto = PROTO_FTP, TURNS(kPop), .end = STARTTLS_FAILED,
      .failure = STARTTLS_NOT_PROTO, .failure_name = "not_ftp", .stage = "greeting"};
  check(&kPopScript);
}

/* ==== LDAP (RFC 4511 4.14) ==== */

/* The request of RFC 4511 4.14.1, byte by byte. */
static const uint8_t kLdapRequest[] = {
    0x30, 0x1d,             /* LDAPMessage SEQUENCE */
    0x02, 0x01, 0x01,       /* messageID 1 */
    0x77, 0x18,             /* [APPLICATION 23] ExtendedRequest */
    0x80, 0x16,             /* [0] requestName */
    '1', '.', '3', '.', '6', '.', '1', '.', '4', '.', '1', '.', '1', '4', '6', '6', '.',
    '2', '0', '0', '3', '7',
};

/* The success response: resultCode success, empty matchedDN and
 * diagnosticMessage, responseName the StartTLS OID (RFC 4511 4.14.2). */
static const uint8_t kLdapSuccess[] = {
    0x30, 0x24,             /* LDAPMessage SEQUENCE, 36 bytes */
    0x02, 0x01, 0x01,       /* messageID 1 */
    0x78, 0x1f,             /* [APPLICATION 24] ExtendedResponse, 31 bytes */
    0x0a, 0x01, 0x00,       /* resultCode success (0) */
    0x04, 0x00,             /* matchedDN "" */
    0x04, 0x00,             /* diagnosticMessage "" */
    0x8a, 0x16,             /* [10] responseName */
    '1', '.', '3', '.', '6', '.', '1', '.', '4', '.', '1', '.', '1', '4', '6', '6', '.',
    '2', '0', '0', '3', '7',
};

/* ber_tlv writes one BER element with a minimal definite length. */
static size_t ber_tlv(uint8_t *out, uint8_t tag, const uint8_t *contents, size_t len) {
  size_t n = 0;
  out[n++] = tag;
  if (len < 0x80) {
    out[n++] = (uint8_t)len;
  } else if (len < 0x100) {
    out[n++] = 0x81;
    out[n++] = (uint8_t)len;
  } else {
    out[n++] = 0x82;
    out[n++] = (uint8_t)(len >> 8);
    out[n++] = (uint8_t)len;
  }
  memmove(out + n, contents, len);
  return n + len;
}

/* ldap_response builds LDAPMessage { messageID, ExtendedResponse { resultCode,
 * matchedDN "", diagnosticMessage } } into |out|. */
static size_t ldap_response(uint8_t *out, uint8_t message_id, uint8_t result,
                            const char *diagnostic) {
  uint8_t op[1024], msg[1100];
  size_t op_len = 0, msg_len = 0;
  op_len += ber_tlv(op + op_len, 0x0a, &result, 1);
  op_len += ber_tlv(op + op_len, 0x04, (const uint8_t *)"", 0);
  op_len += ber_tlv(op + op_len, 0x04, (const uint8_t *)diagnostic, strlen(diagnostic));
  msg_len += ber_tlv(msg + msg_len, 0x02, &message_id, 1);
  msg_len += ber_tlv(msg + msg_len, 0x78, op, op_len);
  return ber_tlv(out, 0x30, msg, msg_len);
}

static void test_ldap_openldap(void **state) {
  (void)state;
  static const struct turn kTurns[] = {{kLdapSuccess, sizeof(kLdapSuccess), NULL, 0}};
  static const struct script kScript = {
      .what = "openldap", .proto = PROTO_LDAP, .hello = kLdapRequest,
      .hello_len = sizeof(kLdapRequest), TURNS(kTurns), .end = STARTTLS_READY,
      .failure = STARTTLS_OK, .failure_name = "ok", .stage = "extended_request"};
  check(&kScript);
  /* The bare minimum response (no responseName), and the same with its
   * outer length in the 4-byte long form, which BER allows. */
  static uint8_t minimal[64], long_form[64];
  size_t n = ldap_response(minimal, 1, 0, "");
  static const uint8_t kWant[] = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07,
                                  0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00};
  assert_int_equal(n, sizeof(kWant));
  assert_memory_equal(minimal, kWant, n);
  long_form[0] = 0x30;
  long_form[1] = 0x84;
  long_form[2] = long_form[3] = long_form[4] = 0;
  long_form[5] = 0x0c;
  memcpy(long_form + 6, minimal + 2, n - 2);
  struct turn t1[] = {{minimal, n, NULL, 0}};
  struct turn t2[] = {{long_form, n + 4, NULL, 0}};
  struct script s = {.what = "ldap minimal", .proto = PROTO_LDAP, .hello = kLdapRequest,
                     .hello_len = sizeof(kLdapRequest), TURNS(t1), .end = STARTTLS_READY,
                     .failure = STARTTLS_OK, .failure_name = "ok", .stage = "extended_request"};
  check(&s);
  s.what = "ldap long form";
  s.turns = t2;
  check(&s);
}

static void test_ldap_failures(void **state) {
  (void)state;
  static uint8_t msg[1200];
  struct turn t[] = {{msg, 0, NULL, 0}};
  struct script s = {.proto = PROTO_LDAP, .hello = kLdapRequest,
                     .hello_len = sizeof(kLdapRequest), TURNS(t), .end = STARTTLS_FAILED,
                     .stage = "extended_request"};

  /* unavailable (52): TLS not configured. The diagnosticMessage is kept. */
  s.what = "ldap unavailable";
  t[0].server_len = ldap_response(msg, 1, 52, "Could not initiate StartTLS.");
  s.failure = STARTTLS_REFUSED;
  s.failure_name = "starttls_refused";
  s.reply = (const uint8_t *)"Could not initiate StartTLS.";
  s.reply_len = strlen("Could not initiate StartTLS.");
  check(&s);

  /* protocolError (2): the server does not know the operation (RFC 4511 4.12). */
  s.what = "ldap protocolError";
  t[0].server_len = ldap_response(msg, 1, 2, "unsupported extended operation");
  s.failure = STARTTLS_UNSUPPORTED;
  s.failure_name = "starttls_unsupported";
  s.reply = (const uint8_t *)"unsupported extended operation";
  s.reply_len = strlen("unsupported extended operation");
  check(&s);

  /* A long diagnosticMessage: lengths in the long form at every level; the
   * reply keeps its first STARTTLS_REPLY_MAX bytes. */
  static char long_text[301];
  memset(long_text, 'd', 300);
  s.what = "ldap long diagnostic";
  t[0].server_len = ldap_response(msg, 1, 53, long_text);
  assert_int_equal(msg[1], 0x82);
  s.failure = STARTTLS_REFUSED;
  s.failure_name = "starttls_refused";
  s.reply = (const uint8_t *)long_text;
  s.reply_len = STARTTLS_REPLY_MAX;
  check(&s);

  /* A Notice of Disconnection (messageID 0, RFC 4511 4.4.1). */
  s.what = "ldap notice of disconnection";
  t[0].server_len = ldap_response(msg, 0, 52, "server is shutting down");
  s.reply = (const uint8_t *)"server is shutting down";
  s.reply_len = strlen("server is shutting down");
  check(&s);

  s.failure = STARTTLS_PROTOCOL_ERROR;
  s.failure_name = "starttls_protocol_error";
  s.reply = NULL;
  s.what = "ldap wrong messageID";
  t[0].server_len = ldap_response(msg, 2, 0, "");
  check(&s);
  s.what = "ldap success as a notification";
  t[0].server_len = ldap_response(msg, 0, 0, "");
  check(&s);

  /* A BindResponse ([APPLICATION 1]) where the ExtendedResponse belongs. */
  static const uint8_t kBind[] = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0a,
                                  0x01, 0x00, 0x04, 0x00, 0x04, 0x00};
  s.what = "ldap bind response";
  memcpy(msg, kBind, sizeof(kBind));
  t[0].server_len = sizeof(kBind);
  check(&s);

  /* An inner length that runs past its SEQUENCE. */
  static const uint8_t kOverrun[] = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a,
                                     0x01, 0x00, 0x04, 0x09, 0x04, 0x00};
  s.what = "ldap overrun";
  memcpy(msg, kOverrun, sizeof(kOverrun));
  t[0].server_len = sizeof(kOverrun);
  check(&s);

  /* A negative resultCode. */
  static const uint8_t kNegative[] = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a,
                                      0x01, 0x80, 0x04, 0x00, 0x04, 0x00};
  s.what = "ldap negative result";
  memcpy(msg, kNegative, sizeof(kNegative));
  t[0].server_len = sizeof(kNegative);
  check(&s);

  /* The indefinite form and a 5-byte length are refused on their first
   * length byte. */
  s.what = "ldap indefinite";
  memcpy(msg, "\x30\x80", 2);
  t[0].server_len = 2;
  check(&s);
  s.what = "ldap 5-byte length";
  memcpy(msg, "\x30\x85", 2);
  check(&s);

  /* A length over the bound is judged as soon as it is read. */
  s.what = "ldap too long";
  memcpy(msg, "\x30\x82\x10\x00", 4);
  t[0].server_len = 4;
  s.failure = STARTTLS_TOO_LONG;
  s.failure_name = "starttls_too_long";
  check(&s);
  /* A length of exactly the bound is fine until its bytes stop coming. */
  starttls_init(&st, PROTO_LDAP, NULL);
  assert_int_equal(starttls_begin(&st), STARTTLS_SEND);
  size_t consumed;
  assert_int_equal(feed_all("\x30\x82\x07\xfc", 4, &consumed), STARTTLS_NEED_MORE);
  assert_int_equal(starttls_eof(&st), STARTTLS_FAILED);
  assert_string_equal(starttls_failure_name(&st), "closed");

  s.what = "HTTP on 389";
  static const char kHttp[] = "HTTP/1.1 400 Bad Request\r\n";
  memcpy(msg, kHttp, sizeof(kHttp) - 1);
  t[0].server_len = sizeof(kHttp) - 1;
  s.failure = STARTTLS_NOT_PROTO;
  s.failure_name = "not_ldap";
  s.reply = (const uint8_t *)kHttp;
  s.reply_len = sizeof(kHttp) - 1;
  check(&s);
}

/* ==== XMPP (RFC 6120) ==== */

#define XMPP_HEADER(name)                                                                  \
  "<?xml version='1.0'?><stream:stream to='" name                                         \
  "' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
#define PROCEED "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
#define STARTTLS_ELEMENT "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
#define PROSODY_STREAM                                                                   \
  "<?xml version='1.0'?><stream:stream xmlns:db='jabber:server:dialback' "              \
  "xmlns:stream='http://etherx.jabber.org/streams' version='1.0' from='example.com' "   \
  "id='4f8b2c1e-7a55-4d0b-9d1e-0c6a1f1b2d3e' xml:lang='en' xmlns='jabber:client'>"
#define EJABBERD_STREAM                                                                  \
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "                          \
  "xmlns:stream='http://etherx.jabber.org/streams' "                                    \
  "xmlns:xml='http://www.w3.org/XML/1998/namespace' id='12345678901234567890' "         \
  "version='1.0' xml:lang='en' from='example.com'>"

static void test_xmpp_prosody(void **state) {
  (void)state;
  static const struct turn kTurns[] = {
      {B(PROSODY_STREAM "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
                        "<required/></starttls></stream:features>"),
       B(STARTTLS_ELEMENT)},
      {B(PROCEED), NULL, 0},
  };
  static const struct script kScript = {
      .what = "prosody", .proto = PROTO_XMPP, .name = "example.com",
      .hello = B(XMPP_HEADER("example.com")), TURNS(kTurns), .end = STARTTLS_READY,
      .failure = STARTTLS_OK, .failure_name = "ok", .stage = "starttls"};
  check(&kScript);
}

static void test_xmpp_ejabberd(void **state) {
  (void)state;
  static const struct turn kTurns[] = {
      {B(EJABBERD_STREAM
         "\n<stream:features><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' "
         "node='http://www.process-one.net/en/ejabberd/' ver='KLpQ1zZ7Ri0BqU0vE5pVEXAMPLE='/>"
         STARTTLS_ELEMENT "<register xmlns='http://jabber.org/features/iq-register'/>"
         "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>"
         "<mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>"),
       B(STARTTLS_ELEMENT)},
      {B("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'></proceed>"), NULL, 0},
  };
  static const struct script kScript = {
      .what = "ejabberd", .proto = PROTO_XMPP, .hello = B(XMPP_HEADER("localhost")),
      TURNS(kTurns), .end = STARTTLS_READY, .failure = STARTTLS_OK, .failure_name = "ok",
      .stage = "starttls"};
  check(&kScript);
}

static void test_xmpp_failures(void **state) {
  (void)state;
  static const struct turn kNoTls[] = {
      {B(PROSODY_STREAM "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                        "<mechanism>PLAIN</mechanism></mechanisms></stream:features>"),
       NULL, 0},
  };
  static const struct script kNoTlsScript = {
      .what = "no starttls feature", .proto = PROTO_XMPP, .hello = B(XMPP_HEADER("localhost")),
      TURNS(kNoTls), .end = STARTTLS_FAILED, .failure = STARTTLS_UNSUPPORTED,
      .failure_name = "starttls_unsupported", .stage = "features",
      .reply = B("<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                 "<mechanism>PLAIN</mechanism></mechanisms></stream:features>")};
  check(&kNoTlsScript);
  static const struct turn kEmpty[] = {{B(EJABBERD_STREAM "<stream:features/>"), NULL, 0}};
  static const struct script kEmptyScript = {
      .what = "empty features", .proto = PROTO_XMPP, .hello = B(XMPP_HEADER("localhost")),
      TURNS(kEmpty), .end = STARTTLS_FAILED, .failure = STARTTLS_UNSUPPORTED,
      .failure_name = "starttls_unsupported", .stage = "features"};
  check(&kEmptyScript);
  /* A <starttls/> of another namespace is not the feature. */
  static const struct turn kOtherNs[] = {
      {B(EJABBERD_STREAM "<stream:features><starttls xmlns='urn:example:other'/>"
                         "</stream:features>"),
       NULL, 0},
  };
  static const struct script kOtherNsScript = {
      .what = "other namespace", .proto = PROTO_XMPP, .hello = B(XMPP_HEADER("localhost")),
      TURNS(kOtherNs), .end = STARTTLS_FAILED, .failure = STARTTLS_UNSUPPORTED,
      .failure_name = "starttls_unsupported", .stage = "features"};
  check(&kOtherNsScript);
  static const struct turn kFailure[] = {
      {B(PROSODY_STREAM "<stream:features>" STARTTLS_ELEMENT "</stream:features>"),
       B(STARTTLS_ELEMENT)},
      {B("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"), NULL, 0},
  };
  static const struct script kFailureScript = {
      .what = "failure", .proto = PROTO_XMPP, .hello = B(XMPP_HEADER("localhost")),
      TURNS(kFailure), .end = STARTTLS_FAILED, .failure = STARTTLS_REFUSED,
      .failure_name = "starttls_refused", .stage = "starttls",
      .reply = B("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")};
  check(&kFailureScript);
  /* ejabberd for a "to" it does not serve: the error is kept whole. */
  static const struct turn kHost[] = {
      {B(EJABBERD_STREAM "<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                         "</stream:error>"),
       NULL, 0},
  };
  static const struct script kHostScript = {
      .what = "host-unknown", .proto = PROTO_XMPP, .name = "scanner.example.net",
      .hello = B(XMPP_HEADER("scanner.example.net")), TURNS(kHost), .end = STARTTLS_FAILED,
      .failure = STARTTLS_REFUSED, .failure_name = "starttls_refused", .stage = "features",
      .reply = B("<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                 "</stream:error>")};
  check(&kHostScript);
  static const struct turn kHttp[] = {{B("HTTP/1.1 400 Bad Request\r\n"), NULL, 0}};
  static const struct script kHttpScript = {
      .what = "HTTP on 5222", .proto = PROTO_XMPP, .hello = B(XMPP_HEADER("localhost")),
      TURNS(kHttp), .end = STARTTLS_FAILED, .failure = STARTTLS_NOT_PROTO,
      .failure_name = "not_xmpp", .stage = "stream", .reply = B("HTTP/1.1 400 Bad Request\r\n")};
  check(&kHttpScript);
  static const struct turn kHtml[] = {{B("<!DOCTYPE html><html>"), NULL, 0}};
  static const struct script kHtmlScript = {
      .what = "HTML on 5222", .proto = PROTO_XMPP, .hello = B(XMPP_HEADER("localhost")),
      TURNS(kHtml), .end = STARTTLS_FAILED, .failure = STARTTLS_NOT_PROTO,
      .failure_name = "not_xmpp", .stage = "stream"};
  check(&kHtmlScript);

  /* A stream error cut short by the close is still a refusal. */
  starttls_init(&st, PROTO_XMPP, NULL);
  assert_int_equal(starttls_begin(&st), STARTTLS_SEND);
  static const char kCut[] = EJABBERD_STREAM "<stream:error><policy-violation";
  size_t consumed;
  assert_int_equal(feed_all(kCut, sizeof(kCut) - 1, &consumed), STARTTLS_NEED_MORE);
  assert_int_equal(starttls_eof(&st), STARTTLS_FAILED);
  assert_string_equal(starttls_failure_name(&st), "starttls_refused");
}

/* ==== PostgreSQL (protocol 3.0, SSLRequest) ==== */

static const uint8_t kSslRequest[] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};

static void test_postgres(void **state) {
  (void)state;
  static const struct turn kYes[] = {{B("S"), NULL, 0}};
  static const struct script kYesScript = {
      .what = "postgres S", .proto = PROTO_POSTGRES, .hello = kSslRequest,
      .hello_len = sizeof(kSslRequest), TURNS(kYes), .end = STARTTLS_READY,
      .failure = STARTTLS_OK, .failure_name = "ok", .stage = "sslrequest"};
  check(&kYesScript);
  static const struct turn kNo[] = {{B("N"), NULL, 0}};
  static const struct script kNoScript = {
      .what = "postgres N", .proto = PROTO_POSTGRES, .hello = kSslRequest,
      .hello_len = sizeof(kSslRequest), TURNS(kNo), .end = STARTTLS_FAILED,
      .failure = STARTTLS_UNSUPPORTED, .failure_name = "starttls_unsupported",
      .stage = "sslrequest", .reply = B("N")};
  check(&kNoScript);

  /* An ErrorResponse (protocol 3): kept whole. */
  static const char kFields[] = "SFATAL\0VFATAL\0C08P01\0Minvalid length of startup packet\0"
                                "Fpostmaster.c\0L2000\0RProcessStartupPacket\0";
  static uint8_t err[128];
  size_t body = sizeof(kFields); /* with the list's final NUL */
  err[0] = 'E';
  err[1] = 0;
  err[2] = 0;
  err[3] = 0;
  err[4] = (uint8_t)(4 + body);
  memcpy(err + 5, kFields, body);
  struct turn t[] = {{err, 5 + body, NULL, 0}};
  struct script s = {.what = "postgres E", .proto = PROTO_POSTGRES, .hello = kSslRequest,
                     .hello_len = sizeof(kSslRequest), TURNS(t), .end = STARTTLS_FAILED,
                     .failure = STARTTLS_REFUSED, .failure_name = "starttls_refused",
                     .stage = "sslrequest", .reply = err, .reply_len = 5 + body};
  check(&s);
  /* Before protocol 3: 'E' and NUL-terminated text. */
  static const uint8_t kOld[] = "EFATAL:  unsupported frontend protocol\n";
  t[0].server = kOld;
  t[0].server_len = sizeof(kOld); /* with its NUL */
  s.what = "postgres E v2";
  s.reply = kOld;
  s.reply_len = sizeof(kOld);
  check(&s);
  /* A length below 4 cannot be. */
  static const uint8_t kShort[] = {'E', 0, 0, 0, 3};
  t[0].server = kShort;
  t[0].server_len = sizeof(kShort);
  s.what = "postgres E short";
  s.failure = STARTTLS_PROTOCOL_ERROR;
  s.failure_name = "starttls_protocol_error";
  s.reply = NULL;
  check(&s);

  static const struct turn kHttp[] = {{B("HTTP/1.1 400 Bad Request\r\n"), NULL, 0}};
  static const struct script kHttpScript = {
      .what = "HTTP on 5432", .proto = PROTO_POSTGRES, .hello = kSslRequest,
      .hello_len = sizeof(kSslRequest), TURNS(kHttp), .end = STARTTLS_FAILED,
      .failure = STARTTLS_NOT_PROTO, .failure_name = "not_postgres", .stage = "sslrequest"};
  check(&kHttpScript);
}

/* ==== Across protocols ==== */

/* The TLS bytes that follow a go-ahead in the same read are not consumed:
 * they belong to the TLS reader. */
static void test_bytes_after_go_ahead(void **state) {
  (void)state;
  static const uint8_t kTls[] = {0x16, 0x03, 0x03, 0x00, 0x5a};
  static const struct {
    enum proto proto;
    const char *before;  /* the messages that lead up to the go-ahead, as one read */
    const char *go;      /* the go-ahead */
  } kCases[] = {
      {PROTO_SMTP, POSTFIX_GREETING POSTFIX_EHLO, POSTFIX_GO},
      {PROTO_IMAP, DOVECOT_IMAP, "a1 OK Begin TLS negotiation now.\r\n"},
      {PROTO_POP3, "+OK Dovecot (Debian) ready.\r\n", "+OK Begin TLS negotiation now.\r\n"},
      {PROTO_FTP, "220 (vsFTPd 3.0.3)\r\n", "234 Proceed with negotiation.\r\n"},
      {PROTO_XMPP, PROSODY_STREAM "<stream:features>" STARTTLS_ELEMENT "</stream:features>",
       PROCEED},
      {PROTO_POSTGRES, "", "S"},
  };
  uint8_t buf[1024];
  for (size_t i = 0; i < ARRAY_SIZE(kCases); i++) {
    starttls_init(&st, kCases[i].proto, NULL);
    enum starttls_step step = starttls_begin(&st);
    /* Everything the server says before the go-ahead arrives in one read:
     * each feed stops where a command is due, and the rest is fed again. */
    const uint8_t *p = (const uint8_t *)kCases[i].before;
    size_t left = strlen(kCases[i].before);
    while (left > 0) {
      size_t consumed;
      step = starttls_feed(&st, p, left, &consumed);
      assert_int_equal(step, STARTTLS_SEND);
      assert_true(consumed > 0 && consumed <= left);
      p += consumed;
      left -= consumed;
    }
    size_t go_len = strlen(kCases[i].go);
    memcpy(buf, kCases[i].go, go_len);
    memcpy(buf + go_len, kTls, sizeof(kTls));
    size_t consumed;
    assert_int_equal(starttls_feed(&st, buf, go_len + sizeof(kTls), &consumed), STARTTLS_READY);
    assert_int_equal(consumed, go_len);
  }
  /* LDAP too. */
  starttls_init(&st, PROTO_LDAP, NULL);
  starttls_begin(&st);
  memcpy(buf, kLdapSuccess, sizeof(kLdapSuccess));
  memcpy(buf + sizeof(kLdapSuccess), kTls, sizeof(kTls));
  size_t consumed;
  assert_int_equal(feed_all(buf, sizeof(kLdapSuccess) + sizeof(kTls), &consumed),
                   STARTTLS_READY);
  assert_int_equal(consumed, sizeof(kLdapSuccess));
}

/* A server that talks ahead (greeting and more in one read) gets the EHLO
 * only for the greeting; what follows is left for the next feed, which
 * reads it as the answer to EHLO. */
static void test_no_pipelining(void **state) {
  (void)state;
  static const char kAhead[] = POSTFIX_GREETING "250 mail.example.com\r\n";
  starttls_init(&st, PROTO_SMTP, NULL);
  size_t consumed;
  assert_int_equal(feed_all(kAhead, sizeof(kAhead) - 1, &consumed), STARTTLS_SEND);
  assert_int_equal(consumed, strlen(POSTFIX_GREETING));
  size_t len;
  const uint8_t *out = starttls_output(&st, &len);
  assert_int_equal(len, strlen("EHLO tlssweep.invalid\r\n"));
  assert_memory_equal(out, "EHLO tlssweep.invalid\r\n", len);
  /* Nothing more is said until the EHLO reply is complete. */
  assert_int_equal(feed_all("250 mail.exa", 12, &consumed), STARTTLS_NEED_MORE);
  assert_int_equal(consumed, 12);
  assert_int_equal(feed_all(NULL, 0, &consumed), STARTTLS_NEED_MORE);
  assert_int_equal(consumed, 0);
}

static void test_line_bounds(void **state) {
  (void)state;
  static uint8_t big[STARTTLS_LINE_MAX + 16];
  size_t consumed;
  /* A greeting of exactly STARTTLS_LINE_MAX bytes, CRLF included, is fine. */
  memset(big, 'a', sizeof(big));
  memcpy(big, "220 ", 4);
  big[STARTTLS_LINE_MAX - 2] = '\r';
  big[STARTTLS_LINE_MAX - 1] = '\n';
  starttls_init(&st, PROTO_SMTP, NULL);
  assert_int_equal(feed_all(big, STARTTLS_LINE_MAX, &consumed), STARTTLS_SEND);
  assert_int_equal(consumed, STARTTLS_LINE_MAX);
  /* One byte more is too long, judged on that byte. */
  memset(big, 'a', sizeof(big));
  memcpy(big, "220 ", 4);
  starttls_init(&st, PROTO_SMTP, NULL);
  assert_int_equal(feed_all(big, sizeof(big), &consumed), STARTTLS_FAILED);
  assert_int_equal(consumed, STARTTLS_LINE_MAX + 1);
  assert_string_equal(starttls_failure_name(&st), "starttls_too_long");
  assert_string_equal(starttls_stage_name(&st), "greeting");
  assert_int_equal(st.reply_len, STARTTLS_REPLY_MAX);
  assert_memory_equal(st.reply, "220 aaa", 7);
  /* The bound is on the whole reply, however short its lines. */
  static const char kLine[] = "220-yes, more of the banner\r\n";
  starttls_init(&st, PROTO_FTP, NULL);
  size_t total = 0;
  enum starttls_step step = STARTTLS_NEED_MORE;
  while (step == STARTTLS_NEED_MORE) {
    step = feed_all(kLine, sizeof(kLine) - 1, &consumed);
    total += consumed;
  }
  assert_int_equal(step, STARTTLS_FAILED);
  assert_int_equal(total, STARTTLS_LINE_MAX + 1);
  assert_string_equal(starttls_failure_name(&st), "starttls_too_long");
  /* IMAP untagged lines before the tagged answer count too. */
  starttls_init(&st, PROTO_IMAP, NULL);
  assert_int_equal(feed_all(DOVECOT_IMAP, strlen(DOVECOT_IMAP), &consumed), STARTTLS_SEND);
  static const char kUntagged[] = "* OK keepalive\r\n";
  step = STARTTLS_NEED_MORE;
  while (step == STARTTLS_NEED_MORE) {
    step = feed_all(kUntagged, sizeof(kUntagged) - 1, &consumed);
  }
  assert_int_equal(step, STARTTLS_FAILED);
  assert_string_equal(starttls_failure_name(&st), "starttls_too_long");
  assert_string_equal(starttls_stage_name(&st), "starttls");
  /* XMPP features without an end. */
  starttls_init(&st, PROTO_XMPP, NULL);
  starttls_begin(&st);
  assert_int_equal(feed_all(PROSODY_STREAM "<stream:features>",
                            strlen(PROSODY_STREAM "<stream:features>"), &consumed),
                   STARTTLS_NEED_MORE);
  step = STARTTLS_NEED_MORE;
  while (step == STARTTLS_NEED_MORE) {
    step = feed_all("<x/>", 4, &consumed);
  }
  assert_int_equal(step, STARTTLS_FAILED);
  assert_string_equal(starttls_failure_name(&st), "starttls_too_long");
  assert_string_equal(starttls_stage_name(&st), "features");
}

static void test_eof(void **state) {
  (void)state;
  size_t consumed;
  /* Closed before a byte. */
  starttls_init(&st, PROTO_SMTP, NULL);
  assert_int_equal(starttls_eof(&st), STARTTLS_FAILED);
  assert_int_equal(starttls_failure(&st), STARTTLS_CLOSED);
  assert_string_equal(starttls_failure_name(&st), "closed");
  assert_int_equal(st.reply_len, 0);
  /* Closed in the middle of a line: what came is kept. */
  starttls_init(&st, PROTO_SMTP, NULL);
  assert_int_equal(feed_all("220 mail", 8, &consumed), STARTTLS_NEED_MORE);
  assert_int_equal(starttls_eof(&st), STARTTLS_FAILED);
  assert_int_equal(st.reply_len, 8);
  assert_memory_equal(st.reply, "220 mail", 8);
  /* Closed after EHLO was sent. */
  starttls_init(&st, PROTO_SMTP, NULL);
  assert_int_equal(feed_all(POSTFIX_GREETING, strlen(POSTFIX_GREETING), &consumed),
                   STARTTLS_SEND);
  assert_int_equal(starttls_eof(&st), STARTTLS_FAILED);
  assert_string_equal(starttls_failure_name(&st), "closed");
  assert_string_equal(starttls_stage_name(&st), "ehlo");
  /* A foreign first line cut by the close is still foreign. */
  starttls_init(&st, PROTO_POP3, NULL);
  assert_int_equal(feed_all("SSH-2.0-Open", 12, &consumed), STARTTLS_NEED_MORE);
  assert_int_equal(starttls_eof(&st), STARTTLS_FAILED);
  assert_string_equal(starttls_failure_name(&st), "not_pop3");
  assert_int_equal(st.reply_len, 12);
  /* A PostgreSQL error cut short is still a refusal. */
  starttls_init(&st, PROTO_POSTGRES, NULL);
  starttls_begin(&st);
  assert_int_equal(feed_all("E\0\0\0\x40SFATAL", 11, &consumed), STARTTLS_NEED_MORE);
  assert_int_equal(starttls_eof(&st), STARTTLS_FAILED);
  assert_string_equal(starttls_failure_name(&st), "starttls_refused");
  /* The close after the go-ahead changes nothing. */
  starttls_init(&st, PROTO_POSTGRES, NULL);
  starttls_begin(&st);
  assert_int_equal(feed_all("S", 1, &consumed), STARTTLS_READY);
  assert_int_equal(starttls_eof(&st), STARTTLS_READY);
  assert_int_equal(starttls_failure(&st), STARTTLS_OK);
}

/* Names go into a command line or an XML attribute: anything but host-name
 * characters falls back to the default. */
static void test_name_sanitized(void **state) {
  (void)state;
  static const char *const kBad[] = {
      "evil\r\nRCPT", "evil\nRCPT TO:<x@example.com>", "", "a b", "x'/><evil",
      "\"quoted\"", "host:25", "ex\x01mple",
  };
  size_t consumed, len;
  const uint8_t *out;
  for (size_t i = 0; i < ARRAY_SIZE(kBad); i++) {
    starttls_init(&st, PROTO_SMTP, kBad[i]);
    assert_int_equal(feed_all("220 x\r\n", 7, &consumed), STARTTLS_SEND);
    out = starttls_output(&st, &len);
    assert_int_equal(len, strlen("EHLO tlssweep.invalid\r\n"));
    assert_memory_equal(out, "EHLO tlssweep.invalid\r\n", len);
    starttls_init(&st, PROTO_XMPP, kBad[i]);
    assert_int_equal(starttls_begin(&st), STARTTLS_SEND);
    out = starttls_output(&st, &len);
    assert_int_equal(len, strlen(XMPP_HEADER("localhost")));
    assert_memory_equal(out, XMPP_HEADER("localhost"), len);
  }
  /* A name over 253 bytes is no host name; 253 bytes is. */
  static char name[300];
  memset(name, 'a', 254);
  starttls_init(&st, PROTO_SMTP, name);
  assert_string_equal(st.ehlo_name, "tlssweep.invalid");
  name[253] = '\0';
  starttls_init(&st, PROTO_XMPP, name);
  assert_string_equal(st.ehlo_name, name);
  assert_int_equal(starttls_begin(&st), STARTTLS_SEND);
  starttls_output(&st, &len);
  assert_true(len <= STARTTLS_OUT_MAX);
  starttls_init(&st, PROTO_SMTP, "MX-1.Example.COM");
  assert_int_equal(feed_all("220 x\r\n", 7, &consumed), STARTTLS_SEND);
  out = starttls_output(&st, &len);
  assert_memory_equal(out, "EHLO MX-1.Example.COM\r\n", len);
}

/* starttls_needed agrees with the protocol table; implicit-TLS protocols are
 * ready at once. */
static void test_needed_and_implicit(void **state) {
  (void)state;
  for (int p = 0; p < PROTO_COUNT; p++) {
    const struct proto_info *info = proto_get((enum proto)p);
    assert_non_null(info);
    assert_int_equal(starttls_needed((enum proto)p), !info->implicit_tls);
    if (!info->implicit_tls) {
      continue;
    }
    starttls_init(&st, (enum proto)p, NULL);
    assert_int_equal(starttls_begin(&st), STARTTLS_READY);
    size_t consumed = 7;
    assert_int_equal(feed_all("\x16\x03\x01", 3, &consumed), STARTTLS_READY);
    assert_int_equal(consumed, 0);
    assert_int_equal(starttls_eof(&st), STARTTLS_READY);
    assert_int_equal(starttls_failure(&st), STARTTLS_OK);
    assert_string_equal(starttls_failure_name(&st), "ok");
    assert_string_equal(starttls_stage_name(&st), "none");
  }
  assert_int_equal(starttls_needed(PROTO_COUNT), 0);
}

static void test_first_stages(void **state) {
  (void)state;
  static const struct {
    enum proto proto;
    const char *stage;
  } kCases[] = {
      {PROTO_SMTP, "greeting"},  {PROTO_SUBMISSION, "greeting"}, {PROTO_IMAP, "greeting"},
      {PROTO_POP3, "greeting"},  {PROTO_FTP, "greeting"},        {PROTO_LDAP, "extended_request"},
      {PROTO_XMPP, "stream"},    {PROTO_POSTGRES, "sslrequest"},
  };
  for (size_t i = 0; i < ARRAY_SIZE(kCases); i++) {
    starttls_init(&st, kCases[i].proto, NULL);
    starttls_begin(&st);
    assert_string_equal(starttls_stage_name(&st), kCases[i].stage);
    assert_int_equal(starttls_failure(&st), STARTTLS_OK);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_smtp_postfix),
      cmocka_unit_test(test_submission_exim),
      cmocka_unit_test(test_smtp_multiline_bare_lf),
      cmocka_unit_test(test_smtp_rejected_greeting),
      cmocka_unit_test(test_smtp_no_starttls),
      cmocka_unit_test(test_smtp_refused),
      cmocka_unit_test(test_smtp_protocol_errors),
      cmocka_unit_test(test_smtp_not_smtp),
      cmocka_unit_test(test_binary_first_byte),
      cmocka_unit_test(test_imap_dovecot),
      cmocka_unit_test(test_imap_no_capability_code),
      cmocka_unit_test(test_imap_unsupported),
      cmocka_unit_test(test_imap_refusals),
      cmocka_unit_test(test_pop3_dovecot),
      cmocka_unit_test(test_pop3_exchange),
      cmocka_unit_test(test_pop3_failures),
      cmocka_unit_test(test_ftp_vsftpd),
      cmocka_unit_test(test_ftp_proftpd_multiline),
      cmocka_unit_test(test_ftp_failures),
      cmocka_unit_test(test_ldap_openldap),
      cmocka_unit_test(test_ldap_failures),
      cmocka_unit_test(test_xmpp_prosody),
      cmocka_unit_test(test_xmpp_ejabberd),
      cmocka_unit_test(test_xmpp_failures),
      cmocka_unit_test(test_postgres),
      cmocka_unit_test(test_bytes_after_go_ahead),
      cmocka_unit_test(test_no_pipelining),
      cmocka_unit_test(test_line_bounds),
      cmocka_unit_test(test_eof),
      cmocka_unit_test(test_name_sanitized),
      cmocka_unit_test(test_needed_and_implicit),
      cmocka_unit_test(test_first_stages),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
