/* scanner/engine/ring.h: setting up an io_uring the way tlssweep's loops use it.
 *
 * Each ring belongs to one thread that both submits and reaps, so it asks
 * the kernel for IORING_SETUP_SINGLE_ISSUER and IORING_SETUP_DEFER_TASKRUN
 * (6.1+): completion work then runs when the loop waits, in its own context,
 * instead of interrupting it (bench/RESULTS.md has the difference). Older
 * kernels refuse the flags, and the ring is made without them. */
#ifndef SCANNER_RING_H
#define SCANNER_RING_H

#include <liburing.h>

/* ring_setup makes |ring| with |entries| submission and |cq_entries|
 * completion entries. Returns 0 or -errno. */
int ring_setup(struct io_uring *ring, unsigned entries, unsigned cq_entries);

#endif /* SCANNER_RING_H */
