#!/bin/bash
# tests/integration/db_fail_test.sh: a --db database that cannot be used
# never costs a record of the output. A corrupt file, a read-only file (a
# read-only bind mount in a mount namespace of our own: root ignores file
# modes) and a disk that fills up during the scan (a 192 KiB tmpfs) each give
# a clear message on stderr, a complete JSON Lines output, and exit status 5;
# the full disk's run is never marked complete.
set -u
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Closed ports: every target is settled at once as unreachable.
PORT=$((20000 + RANDOM % 12500))
for i in $(seq 0 2999); do echo "127.36.$((i / 250)).$((i % 250 + 1)):$PORT"; done >"$TMP/targets.txt"
head -20 "$TMP/targets.txt" >"$TMP/few.txt"
SCAN=(scan -V tls1.2 --timeout 1s --retries 0 -q)

check_output() { # FILE N
  [ "$(wc -l <"$1")" -eq "$2" ] || fail "$1 has $(wc -l <"$1") lines, expected $2"
  python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$1" || fail "$1 is not JSON Lines"
}

# A corrupt file.
head -c 16384 /dev/urandom >"$TMP/corrupt.db"
"$TLSSWEEP" "${SCAN[@]}" -i "$TMP/few.txt" -o "$TMP/out1.jsonl" --db "$TMP/corrupt.db" 2>"$TMP/err1.txt"
rc=$?
cat "$TMP/err1.txt"
[ "$rc" -eq 5 ] || fail "corrupt database: exit $rc, expected 5"
grep -q -- "--db $TMP/corrupt.db: opening the database: file is not a database; the scan goes on" \
  "$TMP/err1.txt" || fail "no clear message for a corrupt database"
check_output "$TMP/out1.jsonl" 20

# A valid database, read-only.
mkdir "$TMP/ro"
"$TLSSWEEP" "${SCAN[@]}" -i "$TMP/few.txt" -o /dev/null --db "$TMP/ro/h.db" || fail "first run"
if unshare -m true 2>/dev/null; then
  unshare -m bash -c '
    mount --bind "$1/ro" "$1/ro" && mount -o remount,bind,ro "$1/ro" || exit 77
    "$2" scan -V tls1.2 --timeout 1s --retries 0 -q -i "$1/few.txt" -o "$1/out2.jsonl" \
      --db "$1/ro/h.db" 2>"$1/err2.txt"' _ "$TMP" "$TLSSWEEP"
  rc=$?
  cat "$TMP/err2.txt"
  if [ "$rc" -ne 77 ]; then
    [ "$rc" -eq 5 ] || fail "read-only database: exit $rc, expected 5"
    grep -q "the database file is read-only; the scan goes on without it" "$TMP/err2.txt" ||
      fail "no clear message for a read-only database"
    check_output "$TMP/out2.jsonl" 20
  else
    echo "read-only bind mount not possible here: skipped"
  fi

  # A disk that fills up while the scan writes: 3,000 records do not fit.
  mkdir "$TMP/full"
  unshare -m bash -c '
    mount -t tmpfs -o size=192k tmpfs "$1/full" || exit 77
    "$2" scan -V tls1.2 --timeout 1s --retries 0 -q -i "$1/targets.txt" -o "$1/out3.jsonl" \
      --db "$1/full/h.db" 2>"$1/err3.txt"
    rc=$?
    sqlite3 "$1/full/h.db" "SELECT state FROM runs" >"$1/state3.txt" 2>&1
    exit $rc' _ "$TMP" "$TLSSWEEP"
  rc=$?
  cat "$TMP/err3.txt"
  if [ "$rc" -ne 77 ]; then
    [ "$rc" -eq 5 ] || fail "full disk: exit $rc, expected 5"
    grep -q "database or disk is full; the database is no longer written (the run stays marked incomplete); records still go to the output" \
      "$TMP/err3.txt" || fail "no clear message for a full disk"
    check_output "$TMP/out3.jsonl" 3000
    state=$(cat "$TMP/state3.txt")
    echo "the full disk's run: $state"
    [ "$state" != complete ] || fail "a run whose records did not all fit is marked complete"
  else
    echo "tmpfs not possible here: skipped"
  fi
else
  echo "no mount namespace here: read-only and full-disk cases skipped"
fi

# --resume reads the output back into the database: it must be JSON Lines.
"$TLSSWEEP" "${SCAN[@]}" -i "$TMP/few.txt" -o "$TMP/x.csv" --format csv --resume "$TMP/ck" \
  --db "$TMP/x.db" 2>"$TMP/err4.txt"
[ $? -eq 1 ] && grep -q "needs --format jsonl" "$TMP/err4.txt" || fail "--db --resume --format csv"
echo PASS
