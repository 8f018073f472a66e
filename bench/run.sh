#!/bin/bash
# bench/run.sh: the tlsparse micro-benchmark. Builds bench:micro_bench and,
# for each operation (build, template, parse), counts instructions per
# operation with valgrind's callgrind (the difference between 1,000 and
# 11,000 iterations, divided by 10,000, so start-up cancels out; repeatable
# on a noisy machine) and takes ns per operation from a plain run. Writes
# the table between the "micro" markers of bench/RESULTS.md and prints it.
set -eu
cd "$(dirname "$0")/.."
bazel build //bench:micro_bench >/dev/null 2>&1 || { bazel build //bench:micro_bench; exit 1; }
bin="$(bazel info bazel-bin 2>/dev/null)/bench/micro_bench"
command -v valgrind >/dev/null || { echo "bench/run.sh: valgrind is missing (tools/install-deps.sh)" >&2; exit 1; }

instructions() { # OP N -> total instructions of one run
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 >/dev/null |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

declare -A aim=([build]=1500 [template]=1500 [parse]=800)
declare -A what=(
  [build]="ClientHello from scratch (TLS 1.2, SNI, broad ciphers, padded to 512)"
  [template]="the same hello from a template: SNI, random, session id patched (per probe)"
  [parse]="reader init + feed of a TLS 1.3 ServerHello record + verdict"
)
table="| operation | what | instructions/op | aim | ns/op |
| --- | --- | ---: | ---: | ---: |"
for op in build template parse; do
  a=$(instructions "$op" 1000)
  b=$(instructions "$op" 11000)
  per=$(( (b - a) / 10000 ))
  ns=$("$bin" "$op" 2000000 | sed -n 's/.*, \([0-9.]*\) ns\/op/\1/p')
  table="$table
| $op | ${what[$op]} | $per | < ${aim[$op]} | $ns |"
done
echo "$table"

results=bench/RESULTS.md
[ -f "$results" ] || printf '# Benchmark results\n' >"$results"
section="<!-- micro:begin -->
## tlsparse micro-benchmark (bench/run.sh)

Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(gcc -dumpfullversion 2>/dev/null | sed 's/^/gcc /'), -O3 with
link-time optimisation. Instructions from callgrind (repeatable); ns from one plain run (noisy).

$table
<!-- micro:end -->"
python3 - "$results" "$section" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2]
text = open(path).read()
pattern = re.compile(r"<!-- micro:begin -->.*?<!-- micro:end -->", re.S)
text = pattern.sub(lambda m: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section + "\n"
open(path, "w").write(text)
PY
