/* tests/fuzz/fuzz_policies.c: libFuzzer target for the compliance policies.
 *
 * The input is a record as a results file may hold it (any JSON, or not
 * JSON at all). Whatever jansson reads is judged by every policy.
 * Invariants (a violation aborts):
 * - every policy gives a judgement, whatever the record holds;
 * - "compliant" is false exactly when there are violations, null exactly
 *   when there are none but something is unknown, true otherwise;
 * - every violation and unknown is a string, and violations come with the
 *   sections they break ("sources"). */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "tests/fuzz/fuzz.h"
#include "scanner/output/policies.h"

static int all_strings(const json_t *a) {
  size_t i;
  const json_t *v;
  json_array_foreach(a, i, v) {
    if (!json_is_string(v)) {
      return 0;
    }
  }
  return json_is_array(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_t *record = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
  if (record == NULL) {
    return 0;
  }
  json_t *all = policies_json(record, (1u << POLICY_COUNT) - 1);
  CHECK(all != NULL && json_object_size(all) == POLICY_COUNT);
  for (unsigned i = 0; i < POLICY_COUNT; i++) {
    const json_t *one = json_object_get(all, policy_name(i));
    const json_t *violations = json_object_get(one, "violations");
    const json_t *unknown = json_object_get(one, "unknown");
    CHECK(all_strings(violations) && all_strings(unknown));
    int verdict = policy_verdict(one);
    CHECK(verdict == (json_array_size(violations) > 0 ? 0 : json_array_size(unknown) > 0 ? -1 : 1));
    CHECK((json_array_size(violations) > 0) == all_strings(json_object_get(one, "sources")));
  }
  json_decref(all);
  json_decref(record);
  return 0;
}
