/* scanner/targets/resume.h: checkpoints, so a scan that dies goes on where it was.
 *
 * Every target the feed hands out gets a position, pseq, in the scan's own
 * deterministic order (same input, same options, same seed: same order).
 * Records complete out of order, so what is done is a set of positions: all
 * below a low-water mark, plus a scattered few above it (those that finished
 * while an older target was still in flight). struct done_set keeps exactly
 * that: the mark and a bitmap of the window above it, which slides forward as
 * the mark advances, so its size follows the spread of targets in flight,
 * never the number of targets.
 *
 * The writer thread is the only one that knows which records are really in
 * the output file: after each successful write it adds their positions and,
 * at most once a second and at the end, writes a checkpoint: the scan's
 * identity, the output's length at that moment and the done set. The file is
 * written beside the checkpoint and renamed over it, so a checkpoint is never
 * half written. A resumed scan truncates the output to the checkpoint's
 * length (dropping records written after it, and any torn last line) and
 * skips the positions in the done set; the dropped records' targets are
 * probed again and written once. So every target appears in the output
 * exactly once, whatever moment the previous run died at. */
#ifndef SCANNER_RESUME_H
#define SCANNER_RESUME_H

#include <stddef.h>
#include <stdint.h>

struct done_set {
  uint64_t low;        /* every position below is done */
  uint64_t *words;     /* bit i of the window: position low + i is done */
  size_t nwords;       /* allocated words */
  size_t first;        /* ring start: the word holding position low */
  uint64_t count;      /* positions done in all */
};

void done_set_init(struct done_set *d);
void done_set_free(struct done_set *d);
/* done_set_add marks |pos| done. Returns 1, or 0 when memory is short. */
int done_set_add(struct done_set *d, uint64_t pos);
int done_set_has(const struct done_set *d, uint64_t pos);
/* done_set_copy makes |dst| (initialised, empty) a copy of |src|. Returns
 * 1, or 0 when memory is short. */
int done_set_copy(struct done_set *dst, const struct done_set *src);
/* done_set_above calls |fn| for each done position above the low mark, in
 * increasing order. */
void done_set_above(const struct done_set *d, void (*fn)(void *ctx, uint64_t pos), void *ctx);

struct checkpoint {
  uint64_t identity;      /* hash of the command line */
  uint64_t seed;          /* the permutation seed the scan used */
  uint64_t output_bytes;  /* length of the output the done set describes */
  struct done_set done;
};

/* checkpoint_identity hashes the arguments that define a scan. */
uint64_t checkpoint_identity(int argc, char *const *argv);

/* checkpoint_write writes |cp| to |path| atomically (a temporary file beside
 * it, then rename). Returns 0 or an errno value. */
int checkpoint_write(const char *path, const struct checkpoint *cp);

/* checkpoint_read loads |path| into |cp| (initialised by the caller).
 * Returns 1 when read, 0 when the file does not exist (a fresh start), -1
 * when it exists but cannot be used, with the reason in |err|. */
int checkpoint_read(const char *path, struct checkpoint *cp, char *err, size_t errcap);

#endif /* SCANNER_RESUME_H */
