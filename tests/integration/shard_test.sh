#!/bin/bash
# tests/integration/shard_test.sh: --shard I/N with one --seed splits a scan
# into N disjoint parts whose union is the whole; a bad line is reported by
# exactly one part; the order is a permutation (not the input's order); the
# same seed gives the same order; --metadata describes each part; and
# --shard without --seed is refused.
#
# The targets are closed ports (every probe is refused at once, no server
# needed): a /24 and a /28 of 127.35.x, a few single addresses and a bad line.
set -u
TLSSWEEP="$1"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
PORT=$((20000 + RANDOM % 12500))
{
  echo "127.35.1.0/24:$PORT"
  echo "127.35.2.16/28:$PORT"
  for i in 1 2 3 4 5; do echo "127.35.3.$i:$PORT label=single-$i"; done
  echo "127.35.4.1:99999 # a bad line"
} >"$TMP/targets.txt"
N=3
for i in 0 1 2; do
  "$TLSSWEEP" scan -i "$TMP/targets.txt" -o "$TMP/part$i.jsonl" --shard "$i/$N" --seed 7 \
    -V tls1.2 --timeout 1s -q --metadata "$TMP/meta$i.json" 2>/dev/null
  rc=$?
  [ "$rc" -le 1 ] || fail "part $i exited $rc"
done
"$TLSSWEEP" scan -i "$TMP/targets.txt" -o "$TMP/again0.jsonl" --shard 0/$N --seed 7 \
  -V tls1.2 -q --threads 1 -c 1 2>/dev/null
"$TLSSWEEP" scan -i "$TMP/targets.txt" -o "$TMP/again1.jsonl" --shard 0/$N --seed 7 \
  -V tls1.2 -q --threads 1 -c 1 2>/dev/null
"$TLSSWEEP" scan -i "$TMP/targets.txt" -o "$TMP/x.jsonl" --shard 1/2 -q 2>"$TMP/err.txt" &&
  fail "--shard without --seed was accepted"
grep -q -- "--shard needs --seed" "$TMP/err.txt" || fail "no clear message: $(cat "$TMP/err.txt")"

python3 - "$TMP" "$N" <<'PYEOF' || fail "parts"
import collections, json, sys
d, n = sys.argv[1], int(sys.argv[2])
parts = [[json.loads(l) for l in open(f"{d}/part{i}.jsonl")] for i in range(n)]
key = lambda r: (r["target"], r.get("ip"))
allkeys = collections.Counter(key(r) for p in parts for r in p)
dups = [k for k, c in allkeys.items() if c > 1]
assert not dups, f"in two parts: {dups[:5]}"
ips = {r["ip"] for p in parts for r in p if "ip" in r}
want = {f"127.35.1.{i}" for i in range(256)} | {f"127.35.2.{i}" for i in range(16, 32)} \
     | {f"127.35.3.{i}" for i in range(1, 6)}
assert ips == want, (len(ips), sorted(want - ips)[:5], sorted(ips - want)[:5])
invalid = [r for p in parts for r in p if r["status"] == "invalid"]
assert len(invalid) == 1 and invalid[0]["line"] == 8, invalid
sizes = [len(p) for p in parts]
assert sum(sizes) == 256 + 16 + 5 + 1 and min(sizes) > 40, sizes
for p in parts:
    assert all(r["status"] in ("unreachable", "invalid") for r in p)
for i in range(n):
    m = json.load(open(f"{d}/meta{i}.json"))
    assert m["options"]["shard"] == [i, n] and m["options"]["seed"] == 7, m["options"]
    assert m["targets"]["done"] == sizes[i], (m["targets"], sizes[i])
    assert m["status"]["unreachable"] + m["status"]["invalid"] == sizes[i], m["status"]
# Same seed, one connection at a time: the same order, and not the input's order.
a = [r["target"] + r.get("ip", "") for r in map(json.loads, open(f"{d}/again0.jsonl"))]
b = [r["target"] + r.get("ip", "") for r in map(json.loads, open(f"{d}/again1.jsonl"))]
assert a == b, "same seed, different order"
ordered = [x for x in a if x.startswith("127.35.1.0/24")]
assert ordered != sorted(ordered, key=lambda x: int(x.rsplit(".", 1)[1])), "block walked in order"
print("parts", sizes, "disjoint and complete")
PYEOF
echo PASS
