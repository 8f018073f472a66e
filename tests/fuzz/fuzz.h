/* tests/fuzz/fuzz.h: what every fuzz target here shares: the entry point
 * libFuzzer and replay_main.c call, and CHECK, which aborts when an
 * invariant of the code under test does not hold, so that libFuzzer keeps
 * the input as a crash (assert() would vanish under NDEBUG). */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
  do {              \
    if (!(cond)) {  \
      abort();      \
    }               \
  } while (0)

#endif /* TESTS_FUZZ_FUZZ_H */
