/* scanner/targets/resume.c: the done set and checkpoint files (see resume.h).
 *
 * A checkpoint is a small text file, so that a person can read what a
 * stopped scan had done:
 *
 *   tlssweep-resume 1
 *   identity 9f1c...          hash of the command line
 *   seed 1234                 the order's seed
 *   output_bytes 81234        output length the done set describes
 *   done_below 4096           every position below is done
 *   done 4100 4107 ...        the positions done above it (several lines)
 *   end
 */
#include "scanner/targets/resume.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void done_set_init(struct done_set *d) { memset(d, 0, sizeof(*d)); }

void done_set_free(struct done_set *d) {
  free(d->words);
  memset(d, 0, sizeof(*d));
}

/* word_at returns the ring slot of window word |w|. */
static uint64_t *word_at(const struct done_set *d, size_t w) {
  return &d->words[(d->first + w) % d->nwords];
}

/* grow makes the window hold at least |need| words, unrolling the ring. */
static int grow(struct done_set *d, size_t need) {
  size_t n = d->nwords ? d->nwords : 16;
  while (n < need) {
    if (n > SIZE_MAX / 2 / sizeof(uint64_t)) {
      return 0;
    }
    n *= 2;
  }
  uint64_t *w = calloc(n, sizeof(*w));
  if (w == NULL) {
    return 0;
  }
  for (size_t i = 0; i < d->nwords; i++) {
    w[i] = *word_at(d, i);
  }
  free(d->words);
  d->words = w;
  d->nwords = n;
  d->first = 0;
  return 1;
}

int done_set_add(struct done_set *d, uint64_t pos) {
  if (done_set_has(d, pos)) {
    return 1;
  }
  uint64_t off = pos - d->low;
  size_t w = (size_t)(off / 64);
  if (off / 64 >= SIZE_MAX / 2 || (w >= d->nwords && !grow(d, w + 1))) {
    return 0;
  }
  *word_at(d, w) |= (uint64_t)1 << (off % 64);
  d->count++;
  /* Slide the window over every word that is full: the low mark stays a
   * multiple of 64, below which everything is done. */
  while (*word_at(d, 0) == UINT64_MAX) {
    *word_at(d, 0) = 0;
    d->first = (d->first + 1) % d->nwords;
    d->low += 64;
  }
  return 1;
}

int done_set_has(const struct done_set *d, uint64_t pos) {
  if (pos < d->low) {
    return 1;
  }
  uint64_t off = pos - d->low;
  if (off / 64 >= d->nwords) {
    return 0;
  }
  return (int)((*word_at(d, (size_t)(off / 64)) >> (off % 64)) & 1);
}

void done_set_above(const struct done_set *d, void (*fn)(void *ctx, uint64_t pos), void *ctx) {
  for (size_t w = 0; w < d->nwords; w++) {
    uint64_t bits = *word_at(d, w);
    while (bits != 0) {
      unsigned b = (unsigned)__builtin_ctzll(bits);
      fn(ctx, d->low + 64 * (uint64_t)w + b);
      bits &= bits - 1;
    }
  }
}

int done_set_copy(struct done_set *dst, const struct done_set *src) {
  done_set_free(dst);
  if (src->nwords > 0) {
    dst->words = malloc(src->nwords * sizeof(*dst->words));
    if (dst->words == NULL) {
      return 0;
    }
    memcpy(dst->words, src->words, src->nwords * sizeof(*dst->words));
  }
  dst->low = src->low;
  dst->nwords = src->nwords;
  dst->first = src->first;
  dst->count = src->count;
  return 1;
}

uint64_t checkpoint_identity(int argc, char *const *argv) {
  uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */
  for (int i = 0; i < argc; i++) {
    for (const char *p = argv[i];; p++) {
      h = (h ^ (uint8_t)*p) * 0x100000001b3u;
      if (*p == '\0') {
        break;
      }
    }
  }
  return h;
}

struct writer_ctx {
  FILE *f;
  int column;
};

static void write_pos(void *ctx, uint64_t pos) {
  struct writer_ctx *w = ctx;
  if (w->column == 0) {
    fputs("done", w->f);
  }
  fprintf(w->f, " %" PRIu64, pos);
  if (++w->column == 16) {
    fputc('\n', w->f);
    w->column = 0;
  }
}

int checkpoint_write(const char *path, const struct checkpoint *cp) {
  char tmp[4096];
  if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
    return ENAMETOOLONG;
  }
  FILE *f = fopen(tmp, "w");
  if (f == NULL) {
    return errno;
  }
  fprintf(f, "tlssweep-resume 1\nidentity %016" PRIx64 "\nseed %" PRIu64 "\noutput_bytes %" PRIu64
          "\ndone_below %" PRIu64 "\n",
          cp->identity, cp->seed, cp->output_bytes, cp->done.low);
  struct writer_ctx w = {f, 0};
  done_set_above(&cp->done, write_pos, &w);
  if (w.column != 0) {
    fputc('\n', f);
  }
  fputs("end\n", f);
  int err = 0;
  if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
    err = errno;
  }
  if (fclose(f) != 0 && err == 0) {
    err = errno;
  }
  if (err == 0 && rename(tmp, path) != 0) {
    err = errno;
  }
  if (err != 0) {
    unlink(tmp);
  }
  return err;
}

int checkpoint_read(const char *path, struct checkpoint *cp, char *err, size_t errcap) {
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    if (errno == ENOENT) {
      return 0;
    }
    snprintf(err, errcap, "cannot read %s: %s", path, strerror(errno));
    return -1;
  }
  char line[1024];
  int version = 0, ended = 0, lineno = 0;
  int rc = 1;
  while (rc == 1 && fgets(line, sizeof(line), f) != NULL) {
    lineno++;
    uint64_t v;
    if (lineno == 1) {
      if (sscanf(line, "tlssweep-resume %d", &version) != 1 || version != 1) {
        snprintf(err, errcap, "%s is not a tlssweep checkpoint", path);
        rc = -1;
      }
    } else if (sscanf(line, "identity %" SCNx64, &v) == 1) {
      cp->identity = v;
    } else if (sscanf(line, "seed %" SCNu64, &v) == 1) {
      cp->seed = v;
    } else if (sscanf(line, "output_bytes %" SCNu64, &v) == 1) {
      cp->output_bytes = v;
    } else if (sscanf(line, "done_below %" SCNu64, &v) == 1) {
      if (v % 64 != 0) {
        snprintf(err, errcap, "%s line %d: done_below is not a multiple of 64", path, lineno);
        rc = -1;
      }
      cp->done.low = v;
    } else if (strncmp(line, "done ", 5) == 0) {
      char *p = line + 4;
      while (rc == 1 && *p != '\0' && *p != '\n') {
        char *end;
        errno = 0;
        unsigned long long pos = strtoull(p, &end, 10);
        if (end == p || errno != 0) {
          snprintf(err, errcap, "%s line %d: bad position", path, lineno);
          rc = -1;
        } else if (!done_set_add(&cp->done, pos)) {
          snprintf(err, errcap, "%s: out of memory", path);
          rc = -1;
        }
        p = end;
      }
    } else if (strcmp(line, "end\n") == 0) {
      ended = 1;
    } else {
      snprintf(err, errcap, "%s line %d: not understood", path, lineno);
      rc = -1;
    }
  }
  fclose(f);
  if (rc == 1 && !ended) {
    snprintf(err, errcap, "%s is cut short (no 'end' line)", path);
    rc = -1;
  }
  if (rc == 1) {
    /* Positions below the mark were never listed: count them as done. */
    cp->done.count += cp->done.low;
  }
  return rc;
}
