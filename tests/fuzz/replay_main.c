/* tests/fuzz/replay_main.c: runs a fuzz target over files, without libFuzzer.
 *
 * Linked with a target's LLVMFuzzerTestOneInput, it replays every file named
 * on the command line (directories are walked one level), so each seed
 * corpus runs as an ordinary test in every `bazel test`, sanitizers
 * included. It exits 1 when a file cannot be read or none was found. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    return 0;
  }
  static uint8_t buf[1 << 20];
  size_t n = fread(buf, 1, sizeof(buf), f);
  fclose(f);
  LLVMFuzzerTestOneInput(buf, n);
  return 1;
}

int main(int argc, char **argv) {
  size_t files = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      perror(argv[i]);
      return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
      if (!replay_file(argv[i])) {
        return 1;
      }
      files++;
      continue;
    }
    DIR *d = opendir(argv[i]);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.') {
        continue;
      }
      char path[4096];
      snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
      if (!replay_file(path)) {
        closedir(d);
        return 1;
      }
      files++;
    }
    if (d != NULL) {
      closedir(d);
    }
  }
  printf("replayed %zu inputs\n", files);
  return files > 0 ? 0 : 1;
}
