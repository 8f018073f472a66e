/* bench/answer.h: what the bench's fake TLS servers (responder.c and
 * population.c) answer to one ClientHello record, given the version range
 * an address stands for: a ServerHello of the pinned version when the range
 * holds it; a lower one (the range's top) to a TLS 1.0-1.2 hello above the
 * range, with RFC 8446's downgrade sentinel when the range reaches 1.3; a
 * protocol_version alert otherwise. The answer does not depend on the
 * hello's key share: a TLS 1.3 hello with an empty one gets a ServerHello,
 * not a HelloRetryRequest (tlssweep reads either as accepted). */
#ifndef BENCH_ANSWER_H
#define BENCH_ANSWER_H

#include <stddef.h>
#include <stdint.h>

/* bench_answer writes the answer to the hello at |in| into |out|. Returns 1
 * and |*out_len|, or 0 when |cap| is too small. */
int bench_answer(const uint8_t *in, size_t in_len, uint16_t lo, uint16_t hi, uint8_t *out,
                 size_t cap, size_t *out_len);

#endif /* BENCH_ANSWER_H */
