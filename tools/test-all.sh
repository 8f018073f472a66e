#!/bin/bash
# tools/test-all.sh: builds everything and runs every test tlssweep has:
#   1. bazel test //...                 (unit, interop, integration, fuzz corpus replay)
#   2. bazel test --config=asan //...   (the same under AddressSanitizer + UBSan)
#   3. each libFuzzer target for FUZZ_SECONDS (default 60) on the seed corpus
# and ends with one line "N passed, N failed" counting Bazel test targets
# and fuzz runs. Exit status 0 only when nothing failed.
set -u
cd "$(dirname "$0")/.."

FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
log_dir="$(mktemp -d)"
trap 'rm -rf "$log_dir"' EXIT
passed=0
failed=0

# count_bazel LOG: adds the PASSED / FAILED lines of a bazel test summary.
count_bazel() {
  local p f
  p=$(grep -cE '^//[^ ]+ +(\(cached\) )?PASSED' "$1")
  f=$(grep -cE '^//[^ ]+ +(\(cached\) )?(FAILED|TIMEOUT|NO STATUS|FLAKY|INCOMPLETE)' "$1")
  passed=$((passed + p))
  failed=$((failed + f))
  echo "test-all: $2: $p passed, $f failed"
}

run_bazel_tests() { # NAME ARGS...
  local name="$1"; shift
  local log="$log_dir/$name.log"
  bazel test "$@" //... 2>&1 | grep -v 'linux-sandbox' | tee "$log"
  local rc=${PIPESTATUS[0]}
  count_bazel "$log" "$name"
  # A build failure has no per-test lines: count it so it cannot pass.
  if [ "$rc" -ne 0 ] && ! grep -qE '^//[^ ]+ +.*(FAILED|TIMEOUT|NO STATUS)' "$log"; then
    echo "test-all: $name: bazel exited $rc before running tests" >&2
    failed=$((failed + 1))
  fi
}

run_bazel_tests default
run_bazel_tests asan --config=asan

if [ -x tests/fuzz/run.sh ]; then
  fuzz_log="$log_dir/fuzz.log"
  tests/fuzz/run.sh "$FUZZ_SECONDS" 2>&1 | tee "$fuzz_log"
  fuzz_rc=${PIPESTATUS[0]}
  p=$(grep -cE '^fuzz: .* ok' "$fuzz_log")
  f=$(grep -cE '^fuzz: .* (FAILED|CRASH)' "$fuzz_log")
  if [ "$fuzz_rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p))
  failed=$((failed + f))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
