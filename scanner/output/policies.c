/* scanner/output/policies.c: the compliance policies as data, and their
 * judgement of a record (see policies.h).
 *
 * Each rule cites where it comes from. Where a document leaves room (a
 * "should not", a profile among several), the rule takes the strict
 * reading a compliance team is audited against, and says so in its
 * source:
 *   rfc8996               RFC 8996 (March 2021), with RFC 7568 for SSLv3.
 *   nist-sp800-52r2       NIST SP 800-52 Rev. 2 (August 2019), the profile of
 *                         government-only servers.
 *   pci-dss-4.0           PCI DSS v4.0 (March 2022): Requirement 4.2.1,
 *                         Appendix A2 and the glossary's strong cryptography.
 *   bsi-tr-02102-2        BSI TR-02102-2 (version 2024-01), the suites it
 *                         recommends without the PSK ones.
 *   mozilla-modern,       Mozilla's Server Side TLS guidelines, version 5.7
 *   mozilla-intermediate  (https://wiki.mozilla.org/Security/Server_Side_TLS).
 * What a rule cannot settle from the record is said as unknown, never
 * guessed (policies.h). */
#include "scanner/output/policies.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tlsparse/suites.h"

enum rule_kind {
  RULE_VERSION_FORBIDDEN, /* |version| must not be accepted */
  RULE_VERSION_REQUIRED,  /* |version| must be accepted */
  RULE_SUITES,            /* every accepted suite passes |suites| */
  RULE_CERT_KEY,          /* the certificate's key: |rsa_min|, |ec_min| */
  RULE_CERT_SIGNATURE,    /* the certificate is not signed with SHA-1 or MD5 */
  RULE_CERT_VALID,        /* not expired, and the chain verifies */
};

/* What an accepted suite may be: no flag of |flags_forbidden|, and its key
 * exchange, authentication, cipher, mode and MAC among those allowed (bit
 * masks of the tlsparse enums; 0 allows any). */
struct suite_test {
  uint32_t flags_forbidden;
  uint32_t kx, auth, enc, mode, mac;
};

struct rule {
  enum rule_kind kind;
  const char *source;
  const char *version; /* the record's key: "tls1.0" */
  struct suite_test suites;
  uint32_t rsa_min, ec_min; /* bits; rsa_min 0: RSA keys not allowed */
  int other_keys;           /* keys neither RSA nor EC are allowed */
};

struct policy {
  const char *name;
  const char *title;
  const struct rule *rules;
  size_t nrules;
};

#define F(x) (1u << TP_SUITE_##x)
#define KX(x) (1u << TP_KX_##x)
#define AU(x) (1u << TP_AUTH_##x)
#define EN(x) (1u << TP_ENC_##x)
#define MO(x) (1u << TP_MODE_##x)
#define MA(x) (1u << TP_MAC_##x)

/* Never acceptable anywhere: no encryption, no authentication, export
 * grade, RC4, single DES. */
#define BROKEN (F(NULL) | F(ANON) | F(EXPORT) | F(RC4) | F(DES))

static const struct rule kRfc8996[] = {
    {.kind = RULE_VERSION_FORBIDDEN,
     .source = "RFC 7568 section 4: SSLv3 MUST NOT be used",
     .version = "ssl3"},
    {.kind = RULE_VERSION_FORBIDDEN,
     .source = "RFC 8996 section 4: TLS 1.0 MUST NOT be used",
     .version = "tls1.0"},
    {.kind = RULE_VERSION_FORBIDDEN,
     .source = "RFC 8996 section 5: TLS 1.1 MUST NOT be used",
     .version = "tls1.1"},
};

static const struct rule kNist[] = {
    {.kind = RULE_VERSION_FORBIDDEN,
     .source = "SP 800-52r2 section 3.1: SSL 3.0 shall not be supported",
     .version = "ssl3"},
    {.kind = RULE_VERSION_FORBIDDEN,
     .source = "SP 800-52r2 section 3.1: government-only servers shall not use TLS 1.0",
     .version = "tls1.0"},
    {.kind = RULE_VERSION_FORBIDDEN,
     .source = "SP 800-52r2 section 3.1: government-only servers should not use TLS 1.1",
     .version = "tls1.1"},
    {.kind = RULE_VERSION_REQUIRED,
     .source = "SP 800-52r2 section 3.1: servers shall support TLS 1.2",
     .version = "tls1.2"},
    {.kind = RULE_VERSION_REQUIRED,
     .source = "SP 800-52r2 section 3.1: servers shall support TLS 1.3 by January 1, 2024",
     .version = "tls1.3"},
    {.kind = RULE_SUITES,
     .source = "SP 800-52r2 sections 3.3.1.1 and 3.3.1.2: ephemeral ECDHE or DHE, RSA or ECDSA "
               "certificates, AES in GCM, CCM or CBC mode; TLS 1.3's AES suites",
     .suites = {BROKEN | F(3DES) | F(BLOCK64) | F(MD5_MAC), KX(ECDHE) | KX(DHE) | KX(ANY),
                AU(RSA) | AU(ECDSA) | AU(ANY), EN(AES), MO(GCM) | MO(CCM) | MO(CCM_8) | MO(CBC),
                0}},
    {.kind = RULE_CERT_KEY,
     .source = "SP 800-52r2 section 3.2.1: RSA keys of 2048 bits or more, ECDSA P-256 or P-384",
     .rsa_min = 2048,
     .ec_min = 256},
    {.kind = RULE_CERT_SIGNATURE,
     .source = "SP 800-52r2 section 3.2.1: certificates signed with SHA-256 or better"},
};

static const struct rule kPci[] = {
    {.kind = RULE_VERSION_FORBIDDEN,
     .source = "PCI DSS v4.0 Appendix A2: SSL is not strong cryptography",
     .version = "ssl3"},
    {.kind = RULE_VERSION_FORBIDDEN,
     .source = "PCI DSS v4.0 Appendix A2: early TLS (1.0) is not strong cryptography",
     .version = "tls1.0"},
    {.kind = RULE_SUITES,
     .source =
         "PCI DSS v4.0 Requirement 4.2.1 and glossary (strong cryptography, 112 bits of effective "
         "strength): no NULL, anonymous, export, RC4, DES, 3DES or other 64-bit block ciphers, no "
         "MD5",
     .suites = {BROKEN | F(3DES) | F(BLOCK64) | F(MD5_MAC), 0, 0, 0, 0, 0}},
    {.kind = RULE_CERT_KEY,
     .source = "PCI DSS v4.0 glossary (strong cryptography: RSA 2048 bits, ECC 224 bits or more)",
     .rsa_min = 2048,
     .ec_min = 224,
     .other_keys = 1},
    {.kind = RULE_CERT_SIGNATURE,
     .source = "PCI DSS v4.0 Requirement 4.2.1 and glossary: no SHA-1 or MD5 signatures"},
    {.kind = RULE_CERT_VALID,
     .source = "PCI DSS v4.0 Requirement 4.2.1: certificates are valid and not expired"},
};

static const struct rule kBsi[] = {
    {.kind = RULE_VERSION_FORBIDDEN,
     .source = "TR-02102-2 section 3.2: SSL is not recommended",
     .version = "ssl3"},
    {.kind = RULE_VERSION_FORBIDDEN,
     .source = "TR-02102-2 section 3.2: TLS 1.0 is not recommended",
     .version = "tls1.0"},
    {.kind = RULE_VERSION_FORBIDDEN,
     .source = "TR-02102-2 section 3.2: TLS 1.1 is not recommended",
     .version = "tls1.1"},
    {.kind = RULE_SUITES,
     .source =
         "TR-02102-2 sections 3.3.1 and 3.4.4: ECDHE or DHE, AES in CBC (SHA-256/384), GCM or CCM; "
         "TLS 1.3's AES-GCM and AES-CCM suites",
     .suites = {BROKEN | F(3DES) | F(BLOCK64) | F(MD5_MAC) | F(SHA1_MAC),
                KX(ECDHE) | KX(DHE) | KX(ANY), AU(RSA) | AU(ECDSA) | AU(DSS) | AU(ANY), EN(AES),
                MO(CBC) | MO(GCM) | MO(CCM), MA(SHA256) | MA(SHA384) | MA(AEAD)}},
    {.kind = RULE_CERT_KEY,
     .source =
         "TR-02102-2 section 3.6 with TR-02102-1: RSA keys of 3000 bits or more, ECDSA 250 or more",
     .rsa_min = 3000,
     .ec_min = 250},
    {.kind = RULE_CERT_SIGNATURE,
     .source = "TR-02102-2 section 3.6 with TR-02102-1 section 4: no SHA-1 signatures"},
};

static const struct rule kMozillaModern[] = {
    {.kind = RULE_VERSION_FORBIDDEN,
     .source = "Server Side TLS 5.7, modern: TLS 1.3 only",
     .version = "ssl3"},
    {.kind = RULE_VERSION_FORBIDDEN,
     .source = "Server Side TLS 5.7, modern: TLS 1.3 only",
     .version = "tls1.0"},
    {.kind = RULE_VERSION_FORBIDDEN,
     .source = "Server Side TLS 5.7, modern: TLS 1.3 only",
     .version = "tls1.1"},
    {.kind = RULE_VERSION_FORBIDDEN,
     .source = "Server Side TLS 5.7, modern: TLS 1.3 only",
     .version = "tls1.2"},
    {.kind = RULE_VERSION_REQUIRED,
     .source = "Server Side TLS 5.7, modern: TLS 1.3 only",
     .version = "tls1.3"},
    {.kind = RULE_SUITES,
     .source = "Server Side TLS 5.7, modern: TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, "
               "TLS_CHACHA20_POLY1305_SHA256",
     .suites = {BROKEN, 0, 0, EN(AES) | EN(CHACHA20), MO(GCM) | MO(POLY1305), 0}},
    {.kind = RULE_CERT_KEY,
     .source = "Server Side TLS 5.7, modern: ECDSA (P-256) certificates",
     .rsa_min = 0,
     .ec_min = 256},
    {.kind = RULE_CERT_SIGNATURE,
     .source = "Server Side TLS 5.7, modern: ecdsa-with-SHA256 signatures"},
};

static const struct rule kMozillaIntermediate[] = {
    {.kind = RULE_VERSION_FORBIDDEN,
     .source = "Server Side TLS 5.7, intermediate: TLS 1.2 and 1.3",
     .version = "ssl3"},
    {.kind = RULE_VERSION_FORBIDDEN,
     .source = "Server Side TLS 5.7, intermediate: TLS 1.2 and 1.3",
     .version = "tls1.0"},
    {.kind = RULE_VERSION_FORBIDDEN,
     .source = "Server Side TLS 5.7, intermediate: TLS 1.2 and 1.3",
     .version = "tls1.1"},
    {.kind = RULE_SUITES,
     .source = "Server Side TLS 5.7, intermediate: ECDHE or DHE with AES-GCM or ChaCha20-Poly1305; "
               "TLS 1.3's AES-GCM and ChaCha20 suites",
     .suites = {BROKEN, KX(ECDHE) | KX(DHE) | KX(ANY), AU(RSA) | AU(ECDSA) | AU(ANY),
                EN(AES) | EN(CHACHA20), MO(GCM) | MO(POLY1305), 0}},
    {.kind = RULE_CERT_KEY,
     .source = "Server Side TLS 5.7, intermediate: RSA (2048 bits) or ECDSA (P-256) certificates",
     .rsa_min = 2048,
     .ec_min = 256},
    {.kind = RULE_CERT_SIGNATURE,
     .source = "Server Side TLS 5.7, intermediate: SHA-256 signatures"},
};

#define RULES(r) r, sizeof(r) / sizeof((r)[0])

static const struct policy kPolicies[POLICY_COUNT] = {
    {"rfc8996", "RFC 8996", RULES(kRfc8996)},
    {"nist-sp800-52r2", "NIST SP 800-52 Rev. 2", RULES(kNist)},
    {"pci-dss-4.0", "PCI DSS v4.0", RULES(kPci)},
    {"bsi-tr-02102-2", "BSI TR-02102-2", RULES(kBsi)},
    {"mozilla-modern", "Mozilla modern", RULES(kMozillaModern)},
    {"mozilla-intermediate", "Mozilla intermediate", RULES(kMozillaIntermediate)},
};

const char *policy_name(unsigned i) { return i < POLICY_COUNT ? kPolicies[i].name : NULL; }

const char *policy_title(unsigned i) { return i < POLICY_COUNT ? kPolicies[i].title : NULL; }

int policies_parse(const char *list, uint32_t *mask, char *bad, size_t badcap) {
  *mask = 0;
  const char *p = list;
  for (;;) {
    const char *comma = strchr(p, ',');
    size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
    unsigned i = 0;
    if (n == 3 && strncmp(p, "all", 3) == 0) {
      *mask |= (1u << POLICY_COUNT) - 1;
    } else {
      for (; i < POLICY_COUNT; i++) {
        if (strlen(kPolicies[i].name) == n && strncmp(p, kPolicies[i].name, n) == 0) {
          *mask |= 1u << i;
          break;
        }
      }
    }
    if (i == POLICY_COUNT) {
      snprintf(bad, badcap, "%.*s", (int)(n > 64 ? 64 : n), p);
      return 0;
    }
    if (comma == NULL) {
      return 1;
    }
    p = comma + 1;
  }
}

/* ---- reading the record ------------------------------------------------------ */

/* A judgement being made: its lists. */
struct judgement {
  json_t *violations;
  json_t *unknown;
  json_t *sources;  /* what the broken rules cite */
};

/* note appends |text| to |list| unless it is there already (a rule that
 * several versions break says so once). */
static void note(json_t *list, const char *text) {
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    if (strcmp(json_string_value(v), text) == 0) {
      return;
    }
  }
  json_array_append_new(list, json_string(text));
}

/* violate notes a violation of |rule|, and the section it cites. */
static void violate(struct judgement *j, const struct rule *rule, const char *text) {
  note(j->violations, text);
  note(j->sources, rule->source);
}

static const char *str(const json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

/* The versions a record may hold, oldest first. */
static const char *const kVersionKeys[] = {"ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"};
#define NVERSIONS (sizeof(kVersionKeys) / sizeof(kVersionKeys[0]))

static void judge_version(const struct rule *rule, const json_t *versions, struct judgement *j) {
  const json_t *v = json_object_get(versions, rule->version);
  const char *verdict = str(v, "verdict");
  char text[96];
  if (verdict == NULL) {
    snprintf(text, sizeof(text), "%s not probed", rule->version);
    note(j->unknown, text);
    return;
  }
  int accepted = strcmp(verdict, "accepted") == 0;
  if (!accepted && strcmp(verdict, "rejected") != 0) {
    snprintf(text, sizeof(text), "%s not determined (%.32s)", rule->version, verdict);
    note(j->unknown, text);
    return;
  }
  if (accepted && rule->kind == RULE_VERSION_FORBIDDEN) {
    snprintf(text, sizeof(text), "accepts %s", rule->version);
    violate(j, rule, text);
  } else if (!accepted && rule->kind == RULE_VERSION_REQUIRED) {
    snprintf(text, sizeof(text), "does not accept %s", rule->version);
    violate(j, rule, text);
  }
}

/* suite_fault names what in suite |name| the test forbids ("3des",
 * "key exchange RSA"), or returns NULL when the suite passes. |buf| holds
 * a composed answer. */
static const char *suite_fault(const struct suite_test *t, const struct tp_suite_info *s, char *buf,
                               size_t cap) {
  for (unsigned f = 0; f < TP_SUITE_FLAG_COUNT; f++) {
    if (t->flags_forbidden & s->flags & (1u << f)) {
      return tp_suite_flag_name((enum tp_suite_flag)f);
    }
  }
  if (t->kx != 0 && !(t->kx & (1u << s->kx))) {
    snprintf(buf, cap, "key exchange %s", tp_kx_name(s->kx));
  } else if (t->auth != 0 && !(t->auth & (1u << s->auth))) {
    snprintf(buf, cap, "authentication %s", tp_auth_name(s->auth));
  } else if (t->enc != 0 && !(t->enc & (1u << s->enc))) {
    snprintf(buf, cap, "cipher %s", tp_enc_name(s->enc));
  } else if (t->mode != 0 && !(t->mode & (1u << s->mode))) {
    snprintf(buf, cap, "mode %s", tp_mode_name(s->mode));
  } else if (t->mac != 0 && !(t->mac & (1u << s->mac))) {
    snprintf(buf, cap, "MAC %s", tp_mac_name(s->mac));
  } else {
    return NULL;
  }
  return buf;
}

static void judge_suite(const struct rule *rule, const char *name, struct judgement *j) {
  struct tp_suite_info s;
  char text[192], why[64];
  if (name == NULL) {
    return;
  }
  if (!tp_suite_classify(name, &s)) {
    snprintf(text, sizeof(text), "suite %.64s not classified", name);
    note(j->unknown, text);
    return;
  }
  const char *fault = suite_fault(&rule->suites, &s, why, sizeof(why));
  if (fault != NULL) {
    snprintf(text, sizeof(text), "accepts %.96s (%s)", name, fault);
    violate(j, rule, text);
  }
}

/* judge_suites tests every suite the record shows accepted: the whole set
 * of a complete enumeration, else the probe's and the confirmation's. */
static void judge_suites(const struct rule *rule, const json_t *versions, struct judgement *j) {
  int enumerated = 0, partial = 0;
  for (size_t i = 0; i < NVERSIONS; i++) {
    const json_t *v = json_object_get(versions, kVersionKeys[i]);
    const char *verdict = str(v, "verdict");
    if (verdict == NULL || strcmp(verdict, "accepted") != 0) {
      continue;
    }
    judge_suite(rule, str(v, "probe_cipher"), j);
    judge_suite(rule, str(v, "cipher"), j);
    judge_suite(rule, str(json_object_get(v, "confirm"), "cipher"), j);
    const json_t *c = json_object_get(v, "ciphers");
    const json_t *suites = json_object_get(c, "suites");
    size_t k;
    const json_t *one;
    json_array_foreach(suites, k, one) { judge_suite(rule, str(one, "name"), j); }
    if (c == NULL) {
      partial = 1;
    } else if (!json_is_true(json_object_get(c, "complete"))) {
      char text[96];
      snprintf(text, sizeof(text), "cipher suites of %s not fully enumerated", kVersionKeys[i]);
      note(j->unknown, text);
    } else {
      enumerated = 1;
    }
  }
  if (partial) {
    note(j->unknown, enumerated ? "cipher suites of some versions not enumerated"
                                : "cipher suites not enumerated (use --ciphers)");
  }
}

static void judge_cert(const struct rule *rule, const json_t *record, struct judgement *j) {
  const json_t *cert = json_object_get(record, "cert");
  char text[160];
  if (!json_is_object(cert)) {
    note(j->unknown, "certificate not read (no confirmed handshake; drop --no-confirm)");
    return;
  }
  if (rule->kind == RULE_CERT_VALID) {
    if (json_is_true(json_object_get(cert, "expired"))) {
      violate(j, rule, "certificate expired");
    }
    if (json_is_false(json_object_get(cert, "chain_verifies"))) {
      violate(j, rule, "certificate chain does not verify");
    }
    return;
  }
  if (rule->kind == RULE_CERT_SIGNATURE) {
    const char *sig = str(cert, "signature");
    if (sig == NULL) {
      note(j->unknown, "certificate signature not known");
    } else if (strcasestr(sig, "sha1") != NULL || strcasestr(sig, "md5") != NULL ||
               strcasestr(sig, "md2") != NULL) {
      snprintf(text, sizeof(text), "certificate signed with %.64s", sig);
      violate(j, rule, text);
    }
    return;
  }
  const json_t *key = json_object_get(cert, "key");
  const char *type = str(key, "type");
  const json_t *bits = json_object_get(key, "bits");
  if (type == NULL || !json_is_integer(bits)) {
    note(j->unknown, "certificate key not known");
    return;
  }
  json_int_t n = json_integer_value(bits);
  int rsa = strcmp(type, "RSA") == 0, ec = strcmp(type, "EC") == 0;
  if ((rsa && rule->rsa_min == 0) || (!rsa && !ec && !rule->other_keys)) {
    snprintf(text, sizeof(text), "certificate key %.32s not allowed", type);
    violate(j, rule, text);
  } else if ((rsa && n < rule->rsa_min) || (ec && n < rule->ec_min)) {
    snprintf(text, sizeof(text), "certificate key %s %lld bits (fewer than %u)", type, (long long)n,
             rsa ? rule->rsa_min : rule->ec_min);
    violate(j, rule, text);
  }
}

static json_t *judge(const struct policy *p, const json_t *record) {
  struct judgement j = {json_array(), json_array(), json_array()};
  json_t *o = json_object();
  if (o == NULL || j.violations == NULL || j.unknown == NULL || j.sources == NULL) {
    json_decref(o);
    json_decref(j.violations);
    json_decref(j.unknown);
    json_decref(j.sources);
    return NULL;
  }
  const char *status = str(record, "status");
  if (status == NULL || strcmp(status, "ok") != 0) {
    char text[96];
    snprintf(text, sizeof(text), "no TLS answer to judge (%.32s)", status ? status : "no status");
    note(j.unknown, text);
  } else {
    const json_t *versions = json_object_get(record, "versions");
    for (size_t i = 0; i < p->nrules; i++) {
      const struct rule *rule = &p->rules[i];
      switch (rule->kind) {
        case RULE_VERSION_FORBIDDEN:
        case RULE_VERSION_REQUIRED: judge_version(rule, versions, &j); break;
        case RULE_SUITES: judge_suites(rule, versions, &j); break;
        case RULE_CERT_KEY:
        case RULE_CERT_SIGNATURE:
        case RULE_CERT_VALID: judge_cert(rule, record, &j); break;
      }
    }
  }
  json_t *compliant = json_array_size(j.violations) > 0 ? json_false()
                      : json_array_size(j.unknown) > 0  ? json_null()
                                                        : json_true();
  json_object_set_new(o, "compliant", compliant);
  json_object_set_new(o, "violations", j.violations);
  json_object_set_new(o, "unknown", j.unknown);
  if (json_array_size(j.sources) > 0) {
    json_object_set_new(o, "sources", j.sources);
  } else {
    json_decref(j.sources);
  }
  return o;
}

json_t *policies_json(const json_t *record, uint32_t mask) {
  json_t *o = json_object();
  for (unsigned i = 0; o != NULL && i < POLICY_COUNT; i++) {
    if (mask & (1u << i)) {
      json_t *one = judge(&kPolicies[i], record);
      if (one == NULL || json_object_set_new(o, kPolicies[i].name, one) != 0) {
        json_decref(o);
        return NULL;
      }
    }
  }
  return o;
}

int policy_verdict(const json_t *judgement) {
  const json_t *c = json_object_get(judgement, "compliant");
  return json_is_true(c) ? 1 : json_is_false(c) ? 0 : -1;
}
