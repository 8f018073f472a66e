#!/bin/bash
# tests/integration/burst_test.sh: a burst of connects larger than the
# engine's send buffers. Hellos are built into at most SENDBUFS_MAX (1,024)
# buffers per engine; when more connections become ready at once, the rest
# wait in order for a buffer to come back (scanner/engine/probe.c). Against
# the bench responder (every connect answered at once) in a network namespace
# of the test's own, 6,000 targets at -c 6000 on one thread, two versions
# each: every target must have one record and every verdict the responder's
# policy (bench/scan_bench.py computes it from the address). A probe left
# waiting would end as a missing record or the scan's timeout.
set -u
TLSSWEEP="$1" RESPONDER="$2" SCAN_BENCH="$3"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (a network namespace)"
python3 - "$TMP/targets.txt" <<'PYEOF'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(6000):
        n = (1 << 16) + i
        f.write(f"127.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}:4433\n")
PYEOF
cat >"$TMP/run.sh" <<SHEOF
ip link set lo up
"$RESPONDER" --port 4433 --duration 120 >/dev/null 2>&1 &
R=\$!
for _ in \$(seq 50); do (exec 3<>/dev/tcp/127.1.0.0/4433) 2>/dev/null && break; sleep 0.1; done
ulimit -n 20000 2>/dev/null
timeout 60 "$TLSSWEEP" scan -q --no-confirm --threads 1 -c 6000 --retries 0 --timeout 5s \
  -V tls1.2,tls1.3 -i "$TMP/targets.txt" -o "$TMP/out.jsonl"
rc=\$?
kill \$R
exit \$rc
SHEOF
timeout 180 unshare -n bash "$TMP/run.sh" 2>"$TMP/err" || fail "scan failed: $(head -c 2000 "$TMP/err")"
python3 - "$TMP/out.jsonl" "$SCAN_BENCH" <<'PYEOF' || fail "records"
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("scan_bench", sys.argv[2])
sb = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sb)
seen, wrong = {}, []
for line in open(sys.argv[1]):
    r = json.loads(line)
    seen[r["ip"]] = seen.get(r["ip"], 0) + 1
    for v in ("tls1.2", "tls1.3"):
        x = r["versions"][v]
        e = sb.expected(r["ip"], v)
        ok = x["verdict"] == e[0] and (e[0] == "accepted" or x.get("reason") == e[1])
        if not ok:
            wrong.append((r["ip"], v, x, e))
assert len(seen) == 6000 and all(n == 1 for n in seen.values()), (len(seen), max(seen.values()))
assert not wrong, (len(wrong), wrong[:3])
print("6,000 targets at -c 6000: one record each, every verdict the responder's")
PYEOF
