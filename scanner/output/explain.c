/* scanner/output/explain.c: a record in words (see explain.h).
 *
 * Each judgement reads the record's fields as output.c writes them; the
 * names of reasons, alerts and stages are the record's own (output.c,
 * scanner/proto), turned into short phrases here. A field this file does
 * not know is shown as it is rather than dropped, so a newer record still
 * reads sensibly. */
#include "scanner/output/explain.h"

#include <stdio.h>
#include <string.h>

const char *const kExplainVersionKeys[EXPLAIN_VERSIONS] = {"ssl3", "tls1.0", "tls1.1", "tls1.2",
                                                           "tls1.3"};
const char *const kExplainVersionNames[EXPLAIN_VERSIONS] = {"SSLv3", "TLS 1.0", "TLS 1.1",
                                                            "TLS 1.2", "TLS 1.3"};

const char *explain_str(const json_t *obj, const char *key) {
  return json_is_object(obj) ? json_string_value(json_object_get(obj, key)) : NULL;
}

static int str_is(const json_t *obj, const char *key, const char *value) {
  const char *s = explain_str(obj, key);
  return s != NULL && strcmp(s, value) == 0;
}

static uint64_t uint_of(const json_t *obj, const char *key) {
  json_int_t v = json_integer_value(json_object_get(obj, key));
  return v > 0 ? (uint64_t)v : 0;
}

/* ---- classes ------------------------------------------------------------------ */

static const struct {
  const char *name, *words;
} kClasses[CLASS_COUNT] = {
    [CLASS_LEGACY] = {"legacy", "legacy TLS accepted"},
    [CLASS_LEGACY_REFUSED] = {"legacy_refused", "legacy TLS refused by the service"},
    [CLASS_NO_TLS] = {"no_tls", "no TLS version accepted"},
    [CLASS_UNREACHABLE] = {"unreachable", "unreachable"},
    [CLASS_DNS_ERROR] = {"dns_error", "name does not resolve"},
    [CLASS_INVALID] = {"invalid", "invalid target"},
    [CLASS_BLOCKED] = {"blocked", "blocked, not scanned"},
    [CLASS_MODERN] = {"modern", "modern TLS only"},
};

const char *class_name(enum endpoint_class c) {
  return c < CLASS_COUNT ? kClasses[c].name : "unknown";
}

const char *class_words(enum endpoint_class c) {
  return c < CLASS_COUNT ? kClasses[c].words : "unknown";
}

static int accepted(const json_t *record, const char *key) {
  const json_t *versions = json_object_get(record, "versions");
  return str_is(json_object_get(versions, key), "verdict", "accepted");
}

enum endpoint_class explain_class(const json_t *record) {
  const char *status = explain_str(record, "status");
  if (status == NULL || strcmp(status, "invalid") == 0) {
    return CLASS_INVALID;
  }
  if (strcmp(status, "unreachable") == 0) {
    return CLASS_UNREACHABLE;
  }
  if (strcmp(status, "dns_error") == 0) {
    return CLASS_DNS_ERROR;
  }
  if (strcmp(status, "blocked") == 0) {
    return CLASS_BLOCKED;
  }
  if (strcmp(status, "ok") != 0) {
    return CLASS_INVALID;
  }
  int any = 0;
  for (int i = 0; i < EXPLAIN_VERSIONS; i++) {
    any |= accepted(record, kExplainVersionKeys[i]);
  }
  if (!any) {
    return CLASS_NO_TLS;
  }
  if (accepted(record, "ssl3")) {
    return CLASS_LEGACY;
  }
  if (accepted(record, "tls1.0") || accepted(record, "tls1.1")) {
    /* legacy_app is false only when every confirmed legacy version was
     * refused or failed: what a retiring service looks like. */
    return json_is_false(json_object_get(record, "legacy_app")) ? CLASS_LEGACY_REFUSED
                                                                 : CLASS_LEGACY;
  }
  return CLASS_MODERN;
}

/* ---- cells -------------------------------------------------------------------- */

const char *cell_verdict_name(enum cell_verdict v) {
  switch (v) {
    case CELL_NOT_PROBED: return "";
    case CELL_ACCEPTED: return "accepted";
    case CELL_REJECTED: return "rejected";
    case CELL_TIMEOUT: return "timeout";
    case CELL_ERROR: return "error";
    case CELL_SKIPPED: return "skipped";
  }
  return "";
}

static enum cell_app app_of(const json_t *confirm) {
  const char *hs = explain_str(confirm, "handshake");
  if (hs == NULL || strcmp(hs, "unsupported") == 0) {
    return CELL_APP_NONE;
  }
  if (strcmp(hs, "ok") != 0) {
    return CELL_APP_FAILED;
  }
  const char *app = explain_str(confirm, "app");
  if (app == NULL || strcmp(app, "ok") == 0 || strcmp(app, "unchecked") == 0) {
    return CELL_APP_OK;
  }
  return strcmp(app, "refused") == 0 ? CELL_APP_REFUSED : CELL_APP_OTHER;
}

void explain_cell(const json_t *record, const char *key, struct explain_cell *out) {
  memset(out, 0, sizeof(*out));
  const json_t *v = json_object_get(json_object_get(record, "versions"), key);
  const char *verdict = explain_str(v, "verdict");
  if (verdict == NULL) {
    return;
  }
  static const struct {
    const char *name;
    enum cell_verdict verdict;
  } kVerdicts[] = {
      {"accepted", CELL_ACCEPTED}, {"rejected", CELL_REJECTED}, {"timeout", CELL_TIMEOUT},
      {"error", CELL_ERROR},       {"skipped", CELL_SKIPPED},
  };
  out->verdict = CELL_ERROR;
  for (size_t i = 0; i < sizeof(kVerdicts) / sizeof(kVerdicts[0]); i++) {
    if (strcmp(verdict, kVerdicts[i].name) == 0) {
      out->verdict = kVerdicts[i].verdict;
    }
  }
  const json_t *confirm = json_object_get(v, "confirm");
  out->app = app_of(confirm);
  const json_t *rep = json_object_get(confirm, "repeat");
  if (json_is_object(rep)) {
    out->runs = uint_of(rep, "n");
    out->handshake_ok = uint_of(rep, "handshake_ok");
    out->app_ok = uint_of(rep, "app_ok");
    out->app_refused = uint_of(rep, "app_refused");
  }
}

/* ---- words -------------------------------------------------------------------- */

static int put(struct outbuf *out, const char *s) { return s == NULL || outbuf_puts(out, s); }

/* quoted appends "s" when |s| is a non-empty string. */
static int quoted(struct outbuf *out, const char *lead, const char *s) {
  if (s == NULL || s[0] == '\0') {
    return 1;
  }
  return put(out, lead) && put(out, "\"") && put(out, s) && put(out, "\"");
}

/* A rejection's reason as a phrase; unknown reasons are shown as named. */
static const struct {
  const char *reason, *words;
} kReasons[] = {
    {"alert", "refused with an alert"},
    {"closed", "connection closed before an answer"},
    {"reset", "connection reset before an answer"},
    {"version_mismatch", "the server chose another version"},
    {"not_tls", "not TLS"},
    {"malformed", "a broken TLS answer"},
    {"starttls_unsupported", "STARTTLS not offered"},
    {"starttls_refused", "STARTTLS refused"},
    {"greeting_refused", "the server refused the connection in its greeting"},
    {"starttls_too_long", "a STARTTLS reply too long to read"},
    {"starttls_protocol_error", "the STARTTLS dialogue broke"},
};

static const char *reason_words(const char *reason) {
  for (size_t i = 0; i < sizeof(kReasons) / sizeof(kReasons[0]); i++) {
    if (strcmp(reason, kReasons[i].reason) == 0) {
      return kReasons[i].words;
    }
  }
  return NULL;
}

static int explain_rejection(const json_t *v, struct outbuf *out) {
  const char *reason = explain_str(v, "reason");
  if (reason == NULL) {
    return put(out, "rejected");
  }
  const char *words = reason_words(reason);
  int ok = 1;
  if (strcmp(reason, "alert") == 0) {
    const json_t *alert = json_object_get(v, "alert");
    char num[24] = "";
    if (json_is_integer(alert)) {
      snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(alert));
    }
    ok = put(out, "refused: alert ") &&
         put(out, json_is_string(alert) ? json_string_value(alert) : num);
  } else if (strcmp(reason, "version_mismatch") == 0) {
    const char *sv = explain_str(v, "server_version");
    ok = put(out, "the server chose ") && put(out, sv != NULL ? sv : "another version") &&
         put(out, " instead");
  } else if (strncmp(reason, "not_", 4) == 0 && strcmp(reason, "not_tls") != 0) {
    /* A dialogue's greeting was another protocol: not_smtp, not_imap... */
    ok = put(out, "not ") && put(out, reason + 4) && put(out, ": the greeting was something else");
  } else {
    ok = put(out, words != NULL ? words : reason);
  }
  const char *stage = explain_str(v, "stage");
  if (ok && stage != NULL) {
    ok = put(out, " (at ") && put(out, stage) && put(out, ")");
  }
  const char *malformed = explain_str(v, "malformed");
  if (ok && malformed != NULL) {
    ok = put(out, ": ") && put(out, malformed);
  }
  ok = ok && quoted(out, ": the server sent ", explain_str(v, "first_bytes"));
  ok = ok && quoted(out, ": ", explain_str(v, "reply"));
  return ok;
}

int explain_version(const json_t *v, struct outbuf *out) {
  const char *verdict = explain_str(v, "verdict");
  if (verdict == NULL) {
    return put(out, "not probed");
  }
  int ok = 1;
  if (strcmp(verdict, "accepted") == 0) {
    ok = put(out, "accepted");
    /* The suite a real client gets is the confirmation's; the probe's is
     * only its pick from an offer ordered to be cheap ("cipher" in files
     * written before it was named probe_cipher). */
    const json_t *confirm = json_object_get(v, "confirm");
    const char *cipher = confirm != NULL ? explain_str(confirm, "cipher") : NULL;
    if (cipher == NULL) {
      cipher = explain_str(v, "probe_cipher");
    }
    if (cipher == NULL) {
      cipher = explain_str(v, "cipher");
    }
    const char *group = explain_str(v, "group");
    if (ok && cipher != NULL) {
      ok = put(out, ", ") && put(out, cipher);
    }
    if (ok && group != NULL) {
      ok = put(out, " with ") && put(out, group);
    }
    if (ok && str_is(v, "intolerant", "hello_shape")) {
      ok = put(out, ", but only the minimal hello");
    }
  } else if (strcmp(verdict, "rejected") == 0) {
    ok = explain_rejection(v, out);
  } else if (strcmp(verdict, "timeout") == 0 || strcmp(verdict, "error") == 0) {
    const char *stage = explain_str(v, "stage"), *error = explain_str(v, "error");
    ok = put(out, strcmp(verdict, "timeout") == 0 ? "no answer in time" : "failed");
    if (ok && stage != NULL) {
      ok = put(out, " at ") && put(out, stage);
    }
    if (ok && error != NULL) {
      ok = put(out, ": ") && put(out, error);
    }
  } else if (strcmp(verdict, "skipped") == 0) {
    ok = put(out, "not tried (the host did not answer)");
  } else {
    ok = put(out, verdict);
  }
  return ok;
}

/* app_words is a confirmation's application result as a phrase. */
static const char *app_words(const char *app) {
  if (strcmp(app, "ok") == 0) return "application ok";
  if (strcmp(app, "refused") == 0) return "application refused";
  if (strcmp(app, "unchecked") == 0) return "no application check";
  if (strcmp(app, "closed") == 0) return "the service closed the connection";
  if (strcmp(app, "pending") == 0) return "the service did not answer in time";
  if (strcmp(app, "too_long") == 0) return "the service's answer was too long";
  if (strcmp(app, "protocol_error") == 0) return "the service answered nonsense";
  return NULL;
}

int explain_confirm(const json_t *c, struct outbuf *out) {
  const char *hs = explain_str(c, "handshake");
  if (hs == NULL) {
    return 1;
  }
  if (strcmp(hs, "unsupported") == 0) {
    return put(out, "not confirmed (no full handshake for this version)");
  }
  int ok;
  if (strcmp(hs, "ok") == 0) {
    const char *app = explain_str(c, "app");
    const char *words = app != NULL ? app_words(app) : NULL;
    ok = put(out, "handshake ok, ");
    if (words != NULL) {
      ok = ok && put(out, words);
    } else {
      ok = ok && put(out, "application: ") && put(out, app != NULL ? app : "unknown");
    }
    ok = ok && quoted(out, ": ", explain_str(c, "app_message"));
  } else {
    const char *reason = explain_str(c, "reason");
    const char *alert = explain_str(c, "alert"), *error = explain_str(c, "error");
    ok = put(out, "handshake failed");
    if (ok && reason != NULL) {
      ok = put(out, ": ") && put(out, reason);
    }
    if (ok && alert != NULL) {
      ok = put(out, " ") && put(out, alert);
    }
    if (ok && error != NULL) {
      ok = put(out, " (") && put(out, error) && put(out, ")");
    }
    ok = ok && quoted(out, ": ", explain_str(c, "reply"));
  }
  const json_t *rep = json_object_get(c, "repeat");
  if (ok && json_is_object(rep)) {
    char buf[128];
    snprintf(buf, sizeof(buf), " (%llu runs: %llu handshakes, %llu refused)",
             (unsigned long long)uint_of(rep, "n"),
             (unsigned long long)uint_of(rep, "handshake_ok"),
             (unsigned long long)uint_of(rep, "app_refused"));
    ok = put(out, buf);
  }
  return ok;
}

/* ---- findings ----------------------------------------------------------------- */

static const struct finding_info kFindings[FINDING_COUNT] = {
    [FINDING_SSL3] = {"ssl3", "SSLv3 accepted",
                      "Switch SSLv3 off: it is broken (RFC 7568) and no current client needs it.",
                      SEVERITY_CRITICAL},
    [FINDING_LEGACY_APP] = {"legacy_app", "TLS 1.0/1.1 work",
                            "Switch TLS 1.0 and 1.1 off (RFC 8996) and move the clients that "
                            "still use them to TLS 1.2 or later.",
                            SEVERITY_CRITICAL},
    [FINDING_LEGACY] = {"legacy", "TLS 1.0/1.1 accepted",
                        "Switch TLS 1.0 and 1.1 off (RFC 8996) once no client needs them.",
                        SEVERITY_WARNING},
    [FINDING_LEGACY_REFUSED] = {"legacy_refused", "TLS 1.0/1.1 refused after the handshake",
                                "Switch TLS 1.0 and 1.1 off in the TLS configuration too, so "
                                "old clients fail at once with a clear error.",
                                SEVERITY_WARNING},
    [FINDING_NO_TLS12] = {"no_tls12", "no TLS 1.2",
                          "Enable TLS 1.2 and 1.3: current clients will not use what this "
                          "endpoint offers.",
                          SEVERITY_CRITICAL},
    [FINDING_CERT_EXPIRED] = {"cert_expired", "certificate expired",
                              "Renew the certificate now: clients refuse an expired one.",
                              SEVERITY_CRITICAL},
    [FINDING_CERT_EXPIRING] = {"cert_expiring", "certificate expires within 30 days",
                               "Renew the certificate before it expires (or check that its "
                               "automatic renewal works).",
                               SEVERITY_WARNING},
    [FINDING_CERT_UNTRUSTED] = {"cert_untrusted", "certificate not trusted",
                                "Serve a chain that ends at a CA the clients trust, with every "
                                "intermediate certificate included.",
                                SEVERITY_WARNING},
    [FINDING_CERT_NAME] = {"cert_name", "certificate name mismatch",
                           "Use a certificate whose names include the host name clients "
                           "connect to.",
                           SEVERITY_WARNING},
    [FINDING_WEAK_KEY] = {"weak_key", "key under 2048 bits",
                          "Replace the key with RSA of 2048 bits or more, or ECDSA P-256.",
                          SEVERITY_WARNING},
    [FINDING_NO_FALLBACK_SCSV] = {"no_fallback_scsv", "downgrade not refused",
                                  "Update the TLS library: it ignores TLS_FALLBACK_SCSV (RFC "
                                  "7507), so a forced downgrade goes unnoticed.",
                                  SEVERITY_WARNING},
    [FINDING_NO_STARTTLS] = {"no_starttls", "no STARTTLS",
                             "Offer STARTTLS and let it succeed: without it this service talks "
                             "in clear text.",
                             SEVERITY_WARNING},
    [FINDING_NOT_TLS] = {"not_tls", "not TLS on this port",
                         "Check the port and protocol in the target list: something other than "
                         "TLS answers here.",
                         SEVERITY_INFO},
    [FINDING_HELLO_SHAPE] = {"hello_shape", "large hellos dropped",
                             "Update the server or the middlebox in front of it: it drops "
                             "ClientHellos that modern clients send.",
                             SEVERITY_INFO},
    [FINDING_UNSOLICITED_EXT] = {"unsolicited_extensions", "unsolicited extensions",
                                 "Update the TLS library: it answers with extensions the client "
                                 "never offered, which strict clients refuse.",
                                 SEVERITY_INFO},
    [FINDING_NO_TLS13] = {"no_tls13", "no TLS 1.3",
                          "Enable TLS 1.3 where the server software supports it.",
                          SEVERITY_INFO},
};

const struct finding_info *finding_info(enum finding f) {
  return f < FINDING_COUNT ? &kFindings[f] : NULL;
}

int explain_parse_time(const char *s, time_t *out) {
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  const char *end = s != NULL ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
  if (end == NULL || *end != '\0') {
    return 0;
  }
  *out = timegm(&tm);
  return 1;
}

int explain_cert_expiry(const json_t *record, time_t *out) {
  return explain_parse_time(explain_str(json_object_get(record, "cert"), "not_after"), out);
}

void explain_cert_name(const json_t *record, char *out, size_t cap) {
  const json_t *cert = json_object_get(record, "cert");
  const char *subject = explain_str(cert, "subject");
  out[0] = '\0';
  if (subject == NULL) {
    return;
  }
  /* RFC 2253 order: "CN=name,O=org"; a CN with an escaped comma is rare
   * enough to show cut at the backslash. */
  const char *cn = strstr(subject, "CN=");
  if (cn != NULL && (cn == subject || cn[-1] == ',')) {
    size_t len = strcspn(cn + 3, ",\\");
    snprintf(out, cap, "%.*s", (int)len, cn + 3);
    return;
  }
  const char *san = json_string_value(json_array_get(json_object_get(cert, "san"), 0));
  snprintf(out, cap, "%s", san != NULL ? san : subject);
}

/* any_version says whether some version's entry has |key| == |value|
 * (|value| NULL: has |key| at all). */
static int any_version(const json_t *record, const char *key, const char *value) {
  const json_t *versions = json_object_get(record, "versions");
  for (int i = 0; i < EXPLAIN_VERSIONS; i++) {
    const json_t *v = json_object_get(versions, kExplainVersionKeys[i]);
    if (value == NULL ? json_object_get(v, key) != NULL : str_is(v, key, value)) {
      return 1;
    }
  }
  return 0;
}

static uint32_t cert_findings(const json_t *cert, time_t now) {
  uint32_t f = 0;
  time_t after;
  if (json_is_true(json_object_get(cert, "expired"))) {
    f |= 1u << FINDING_CERT_EXPIRED;
  } else if (explain_parse_time(explain_str(cert, "not_after"), &after) &&
             after - now < (time_t)EXPLAIN_EXPIRING_DAYS * 86400) {
    f |= 1u << (after < now ? FINDING_CERT_EXPIRED : FINDING_CERT_EXPIRING);
  }
  if (json_is_false(json_object_get(cert, "chain_verifies"))) {
    f |= 1u << FINDING_CERT_UNTRUSTED;
  }
  if (json_is_false(json_object_get(cert, "name_matches"))) {
    f |= 1u << FINDING_CERT_NAME;
  }
  const json_t *key = json_object_get(cert, "key");
  const char *type = explain_str(key, "type");
  uint64_t bits = uint_of(key, "bits");
  if (type != NULL && (strcmp(type, "RSA") == 0 || strcmp(type, "DSA") == 0) && bits > 0 &&
      bits < 2048) {
    f |= 1u << FINDING_WEAK_KEY;
  }
  return f;
}

uint32_t explain_findings(const json_t *record, time_t now) {
  if (!str_is(record, "status", "ok")) {
    return 0;
  }
  uint32_t f = 0;
  enum endpoint_class c = explain_class(record);
  if (accepted(record, "ssl3")) {
    f |= 1u << FINDING_SSL3;
  }
  if (accepted(record, "tls1.0") || accepted(record, "tls1.1")) {
    const json_t *app = json_object_get(record, "legacy_app");
    f |= 1u << (json_is_true(app)    ? FINDING_LEGACY_APP
                : json_is_false(app) ? FINDING_LEGACY_REFUSED
                                     : FINDING_LEGACY);
  }
  if (c != CLASS_NO_TLS && !accepted(record, "tls1.2") && !accepted(record, "tls1.3")) {
    f |= 1u << FINDING_NO_TLS12;
  }
  if (c != CLASS_NO_TLS && !accepted(record, "tls1.3") &&
      json_object_get(json_object_get(record, "versions"), "tls1.3") != NULL) {
    f |= 1u << FINDING_NO_TLS13;
  }
  if (any_version(record, "reason", "starttls_unsupported") ||
      any_version(record, "reason", "starttls_refused")) {
    f |= 1u << FINDING_NO_STARTTLS;
  }
  if (c == CLASS_NO_TLS && any_version(record, "reason", "not_tls")) {
    f |= 1u << FINDING_NOT_TLS;
  }
  if (any_version(record, "intolerant", "hello_shape")) {
    f |= 1u << FINDING_HELLO_SHAPE;
  }
  if (any_version(record, "unsolicited_extensions", NULL)) {
    f |= 1u << FINDING_UNSOLICITED_EXT;
  }
  if (json_is_false(json_object_get(json_object_get(record, "fallback_scsv"), "protection"))) {
    f |= 1u << FINDING_NO_FALLBACK_SCSV;
  }
  const json_t *cert = json_object_get(record, "cert");
  if (json_is_object(cert)) {
    f |= cert_findings(cert, now);
  }
  return f;
}
