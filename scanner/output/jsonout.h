/* scanner/output/jsonout.h: a jansson tree written as compact JSON text.
 *
 * The same bytes json_dumpb(v, ..., JSON_COMPACT) writes for the trees a
 * record is made of (objects in insertion order, arrays, strings that hold
 * valid UTF-8, integers, true, false, null), at a fraction of the cost:
 * jansson 2.14 guards every object and array it dumps against reference
 * loops by printing the node's address with snprintf("%p") into a hash
 * table, which was a third of a probe-only scan's user time in the engine
 * thread (bench/RESULTS.md). A record's tree is built by us and has no
 * loops. */
#ifndef SCANNER_OUTPUT_JSONOUT_H
#define SCANNER_OUTPUT_JSONOUT_H

#include <jansson.h>

#include "scanner/base/outbuf.h"

/* How deep containers may nest (a record's tree is four levels deep). */
#define JSONOUT_MAX_DEPTH 32

/* jsonout_compact appends |v| as compact JSON to |out|. Returns 1, or 0 when
 * memory ran out or the tree nests deeper than JSONOUT_MAX_DEPTH (|out| is
 * then as it was). A real number is written by jansson itself. */
int jsonout_compact(const json_t *v, struct outbuf *out);

#endif /* SCANNER_OUTPUT_JSONOUT_H */
