/* scanner/output/policies.h: compliance verdicts (--policy), one per policy
 * and record.
 *
 * A policy is data: a const table of rules in policies.c, each citing the
 * section of the document it comes from. Rules are of six kinds: a version
 * the endpoint must not accept, a version it must accept, a test every
 * accepted suite must pass (flags it must not have, the key exchanges,
 * authentications, ciphers, modes and MACs it may use), the certificate's
 * key (type and size), its signature's hash, and its validity. A record is
 * judged from what it says, read as explain.h reads it (a record from a
 * file is trusted for nothing):
 *
 *   "policy":{"pci-dss-4.0":{"compliant":false,
 *              "violations":["accepts tls1.0","accepts TLS_RSA_WITH_3DES_EDE_CBC_SHA (3des)"],
 *              "unknown":[],
 *              "sources":["PCI DSS v4.0 Appendix A2: early TLS (1.0) is not ...", ...]}}
 *
 * ("sources": what the broken rules cite, present with violations only.)
 * A rule the record cannot settle is "unknown", never guessed: the suites
 * of an accepted version without a complete --ciphers enumeration (the
 * suites the probe and the confirmation got are facts, and a bad one among
 * them is a violation all the same), the certificate when no handshake
 * completed (--no-confirm), a version whose probe timed out or was not
 * run. "compliant" is false with any violation, else null with anything
 * unknown, else true. */
#ifndef SCANNER_OUTPUT_POLICIES_H
#define SCANNER_OUTPUT_POLICIES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* How many policies there are; masks are 1u << index. */
#define POLICY_COUNT 6

/* policy_name is the index's name as --policy and records spell it
 * ("pci-dss-4.0"); policy_title the document's ("PCI DSS v4.0"). */
const char *policy_name(unsigned i);
const char *policy_title(unsigned i);

/* policies_parse reads --policy's "NAME[,NAME]..." ("all": every policy)
 * into |*mask|. Returns 1, or 0 with the name it does not know in |bad|. */
int policies_parse(const char *list, uint32_t *mask, char *bad, size_t badcap);

/* policies_json judges |record| by every policy in |mask|: an object keyed
 * by policy name, as above. NULL when memory is short. */
json_t *policies_json(const json_t *record, uint32_t mask);

/* policy_verdict reads one policy's judgement back: 1 compliant, 0 not,
 * -1 unknown (or not a judgement). */
int policy_verdict(const json_t *judgement);

#endif /* SCANNER_OUTPUT_POLICIES_H */
