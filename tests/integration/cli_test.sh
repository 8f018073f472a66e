#!/bin/bash
# tests/integration/cli_test.sh: the command line's contract: --version names
# the allocator; bad flags exit 1 with a message naming the flag and the
# value; the option table (each command's hidden --list-options) agrees with
# what each command documents and accepts, and no command accepts an option
# the table does not give it; the file limit is raised, and a concurrency
# it cannot hold is lowered with a message; `hello` prints a parseable record.
set -u
T="$1"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
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
  echo "$out" | grep -q -- "^tlssweep: $flag: " || fail "'$bad' message does not name the flag: $out"
done
out=$("$T" scan -c x 127.0.0.1 2>&1 </dev/null)
[ "$(echo "$out" | head -1)" = "tlssweep: -c: concurrency must be 1-1000000, not 'x'" ] ||
  fail "-c x: $out"
out=$("$T" scan --conc 5 127.0.0.1 2>&1 </dev/null) && fail "an abbreviated option was accepted"
echo "$out" | grep -q -- "--concurrency" || fail "--conc: $out"

# The general usage lists every command; each command's --help comes from
# the table: every option it lists is in the help's option column, and is
# accepted (with the value it lists) by the long and the short name.
usage=$("$T" --help) || fail "--help exited $?"
COMMANDS="scan lab tenants bench hello report check import diff history"
for cmd in $COMMANDS; do
  echo "$usage" | grep -qE "^  $cmd +[a-z]" || fail "--help does not list '$cmd'"
  "$T" "$cmd" --list-options >"$TMP/$cmd.list" || fail "$cmd --list-options exited $?"
  [ -s "$TMP/$cmd.list" ] || fail "$cmd --list-options printed nothing"
  "$T" "$cmd" --help >"$TMP/$cmd.help" || fail "$cmd --help exited $?"
  head -1 "$TMP/$cmd.help" | grep -q "^usage: tlssweep $cmd " || fail "$cmd --help: $(head -1 "$TMP/$cmd.help")"
  while read -r long short value; do
    # The option column: "  -c, --concurrency N" or "      --sni / --no-sni".
    grep -qE -- "^  (-., |    )(--[a-z0-9-]+ / )*$long( |$)" "$TMP/$cmd.help" ||
      fail "$cmd --help does not document $long"
    if [ "$short" != - ]; then
      grep -qE -- "^  $short, $long( |$)" "$TMP/$cmd.help" || fail "$cmd --help: $short is not $long"
    fi
    for name in $long $([ "$short" != - ] && echo "$short"); do
      args=("$name")
      [ "$value" != - ] && args+=("$value")
      "$T" "$cmd" "${args[@]}" --help >/dev/null 2>"$TMP/err" </dev/null ||
        fail "$cmd does not accept '${args[*]}': $(cat "$TMP/err")"
    done
  done <"$TMP/$cmd.list"
done
# No command accepts an option the table gives only to others.
cat "$TMP"/*.list | awk '{print $1; if ($2 != "-") print $2}' | sort -u >"$TMP/all"
[ "$(wc -l <"$TMP/all")" -gt 50 ] || fail "too few options in the table: $(wc -l <"$TMP/all")"
for cmd in $COMMANDS; do
  awk '{print $1; if ($2 != "-") print $2}' "$TMP/$cmd.list" | sort -u >"$TMP/mine"
  for name in $(comm -23 "$TMP/all" "$TMP/mine"); do
    "$T" "$cmd" "$name" --help >/dev/null 2>"$TMP/err" </dev/null && fail "$cmd accepts $name"
    grep -q -- "$name: not an option of 'tlssweep $cmd'" "$TMP/err" || fail "$cmd $name: $(cat "$TMP/err")"
  done
done

# The soft file limit is raised to the hard one at start (liburing raises it
# only as far as one ring's registered files need). The scan waits on a FIFO
# for its targets meanwhile; its limits are read from /proc.
mkfifo "$TMP/fifo"
(ulimit -Sn 256 && ulimit -Hn 2048 && exec "$T" scan -q -c 10 -o /dev/null <"$TMP/fifo") &
pid=$!
exec 3>"$TMP/fifo"
soft=
for _ in $(seq 50); do
  soft=$(awk '/^Max open files/ {print $4}' "/proc/$pid/limits" 2>/dev/null)
  [ "$soft" = 2048 ] && break
  sleep 0.1
done
exec 3>&-
wait "$pid" || fail "the scan of no targets exited $?"
[ "$soft" = 2048 ] || fail "the soft file limit is $soft, not raised to the hard limit 2048"
# A hard limit too low for -c: said, and the scan runs with what fits.
(ulimit -n 1024 &&
  "$T" scan -q -c 3000 --threads 2 -V tls1.2 --timeout 500ms -o /dev/null 127.0.0.1:1 \
    </dev/null 2>"$TMP/fit.err") || fail "a scan with -c lowered failed: $(cat "$TMP/fit.err")"
grep -qE '^tlssweep: -c 3000 needs about [0-9]+ file descriptors; the hard limit is 1024: running with -c [0-9]+$' \
  "$TMP/fit.err" || fail "no clear message for the file limit: $(cat "$TMP/fit.err")"
# The default -c is fitted to that limit without a word (nothing typed was
# changed), and the metadata says what the scan ran with.
(ulimit -n 1024 &&
  "$T" scan -q --threads 2 -V tls1.2 --timeout 500ms --metadata "$TMP/fit.json" -o /dev/null \
    127.0.0.1:1 </dev/null 2>"$TMP/fit.err") || fail "a scan with the default -c failed under 1024"
[ ! -s "$TMP/fit.err" ] || fail "the default -c, fitted, printed: $(cat "$TMP/fit.err")"
opt_c() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["options"]["concurrency"])' "$1"; }
c=$(opt_c "$TMP/fit.json")
[ "$c" -ge 500 ] && [ "$c" -lt 1024 ] || fail "the default -c under a limit of 1024 ran as $c"
"$T" scan -q -V tls1.2 --timeout 500ms --metadata "$TMP/def.json" -o /dev/null 127.0.0.1:1 \
  </dev/null 2>/dev/null || fail "a scan with the default -c failed"
c=$(opt_c "$TMP/def.json")
[ "$c" = 10000 ] || fail "the default -c is $c, not 10000"

hex=$("$T" hello tls1.2 example.com | tr -d '\n')
[ "${hex:0:6}" = "160301" ] || fail "hello does not start with a handshake record: ${hex:0:10}"
[ "${#hex}" -ge 1034 ] || fail "hello shorter than 517 bytes"
"$T" hello tls9 >/dev/null 2>&1 && fail "hello accepted a bad version"
echo PASS
