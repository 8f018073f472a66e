/* scanner/engine/ring.c: io_uring set-up (see ring.h). */
#include "scanner/engine/ring.h"

#include <errno.h>
#include <string.h>

int ring_setup(struct io_uring *ring, unsigned entries, unsigned cq_entries) {
  struct io_uring_params p;
  memset(&p, 0, sizeof(p));
  p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN |
            IORING_SETUP_TASKRUN_FLAG;
  p.cq_entries = cq_entries;
  int rc = io_uring_queue_init_params(entries, ring, &p);
  if (rc == -EINVAL) {
    memset(&p, 0, sizeof(p));
    p.flags = IORING_SETUP_CQSIZE;
    p.cq_entries = cq_entries;
    rc = io_uring_queue_init_params(entries, ring, &p);
  }
  return rc;
}
