/* scanner/engine/ring.h: setting up an io_uring the way tlssweep's loops use it.
 *
 * Each ring belongs to one thread that both submits and reaps, so it asks
 * the kernel for IORING_SETUP_SINGLE_ISSUER and IORING_SETUP_COOP_TASKRUN
 * with IORING_SETUP_TASKRUN_FLAG (5.19+): completion work waits for the
 * loop's next entry into the kernel instead of interrupting it. Not
 * IORING_SETUP_DEFER_TASKRUN: with it, the cancellation of a linked timeout
 * whose receive had completed reached the ring 0.1 to 1 s late under ten
 * thousand idle connections (Linux 6.18), and each slot waited for it; the
 * internet-like benchmark ran at half the rate (bench/RESULTS.md). Older
 * kernels refuse the flags, and the ring is made without them. */
#ifndef SCANNER_RING_H
#define SCANNER_RING_H

#include <liburing.h>

/* ring_setup makes |ring| with |entries| submission and |cq_entries|
 * completion entries. Returns 0 or -errno. */
int ring_setup(struct io_uring *ring, unsigned entries, unsigned cq_entries);

#endif /* SCANNER_RING_H */
