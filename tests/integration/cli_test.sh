#!/bin/bash
# tests/integration/cli_test.sh: the command line's contract: --version names
# the allocator, bad flags exit 1 with a message naming the flag, --help
# documents every long option the parser accepts, and `hello` prints a
# parseable record.
set -u
T="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }
# Release builds run on jemalloc; sanitizer builds (TLSSWEEP_SANITIZED, set by
# --config=asan) on the sanitizer's malloc, and --version must say which.
if [ "${TLSSWEEP_SANITIZED:-0}" = 1 ]; then
  "$T" --version | grep -qE '^tlssweep [0-9.]+ \(allocator: system malloc' || fail "--version: $("$T" --version)"
else
  "$T" --version | grep -qE '^tlssweep [0-9.]+ \(allocator: jemalloc [0-9]' || fail "--version does not name jemalloc"
fi
for bad in "-c 0" "--timeout 5x" "-V tls9" "-p 70000" "--format xml" "--retries -1" "--bogus"; do
  # shellcheck disable=SC2086
  out=$("$T" scan $bad 127.0.0.1 2>&1 </dev/null); rc=$?
  [ "$rc" -eq 1 ] || fail "'$bad' exited $rc, expected 1"
  flag=${bad%% *}
  echo "$out" | grep -q -- "${flag#-}" || echo "$out" | grep -q "unrecognized" || fail "'$bad' message does not name the flag: $out"
done
help="$("$T" --help; "$T" bench --help)"
# Every long option the parsers know (read from main.c's option tables) must
# be documented in --help (or, for the bench's own, in bench --help).
MAIN_C="$(dirname "$0")/../../scanner/cli/main.c"
[ -f "$MAIN_C" ] || MAIN_C="$TEST_SRCDIR/$TEST_WORKSPACE/scanner/cli/main.c"
opts=$(sed -n 's/.*{"\([a-z0-9-]*\)", \(no\|required\)_argument.*/\1/p' "$MAIN_C" | sort -u)
[ "$(echo "$opts" | wc -l)" -gt 40 ] || fail "could not read the option table from $MAIN_C"
for opt in $opts; do
  echo "$help" | grep -q -- "--$opt" || fail "--help does not document --$opt"
done
hex=$("$T" hello tls1.2 example.com | tr -d '\n')
[ "${hex:0:6}" = "160301" ] || fail "hello does not start with a handshake record: ${hex:0:10}"
[ "${#hex}" -ge 1034 ] || fail "hello shorter than 517 bytes"
"$T" hello tls9 >/dev/null 2>&1 && fail "hello accepted a bad version"
echo PASS
