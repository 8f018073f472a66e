#!/bin/bash
# tests/integration/internet_bench_test.sh: bench/internet_bench.py on 500
# targets of the internet-like population (bench/population), in a network
# namespace of its own, with --timeout 1s so that the dropped and silent
# hosts time out soon: once with tlssweep's defaults (confirmations on, which
# fail against the population) and once with --no-confirm. It checks the
# harness, not the speed: every class of host is in the mix, every target
# has exactly one record, every verdict equals the truth the script computes
# from the address (the same hash as population.c), and no connection reached
# the population for an address the nftables rules drop or refuse. No timing
# is asserted.
set -u
TLSSWEEP="$1" POPULATION="$2" SCRIPT="$3"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (a network namespace, nftables)"
command -v nft >/dev/null || fail "nft not installed (nftables, tools/install-deps.sh)"
timeout 300 unshare -n python3 "$SCRIPT" --tlssweep "$TLSSWEEP" --population "$POPULATION" \
  --targets 500 --concurrency default --no-confirm-too --scan-arg=--timeout=1s \
  --workdir "$TMP" --json "$TMP/r.json" >"$TMP/report.md" 2>"$TMP/err"
rc=$?
cat "$TMP/report.md"
[ "$rc" -eq 0 ] || { cat "$TMP/err" >&2; fail "script exited $rc"; }
python3 - "$TMP/r.json" <<'PYEOF' || fail "results"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["targets"] == 500, r["targets"]
assert set(r["classes"]) == {"answer", "drop", "refuse", "reset", "silent"}, r["classes"]
assert [x["confirm"] for x in r["runs"]] == [True, False], r["runs"]
for x in r["runs"]:
    assert x["rc"] == 0 and not x["timed_out"], x
    assert x["records"] == 500 and x["once"] == 500, x
    assert x["duplicates"] == 0 and x["missing"] == 0 and x["unknown"] == 0, x
    assert x["wrong"] == 0, x
assert r["population"] and all(p["unexpected"] == 0 and p["no_slot"] == 0
                               for p in r["population"]), r["population"]
print("500 targets exactly once, every verdict as the population's truth, with and without "
      "confirmations")
PYEOF
echo PASS
