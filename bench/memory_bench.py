#!/usr/bin/env python3
"""bench/memory_bench.py: memory stays flat however many targets there are.

Writes target files of 100,000, 1,000,000 and 10,000,000 lines (addresses
in 240.0.0.0/4, a reserved range tlssweep never connects to, so every
target becomes a "blocked" record at once and the run needs no network and
no servers) and runs `tlssweep scan -i FILE -o /dev/null` on each, in one
run, reporting each run's peak RSS and wall time and the ratio of the
largest to the smallest RSS. Streaming input, a bounded shuffle window and
a bounded output queue should keep that ratio near 1.

  bench/memory_bench.py --tlssweep PATH [--write bench/RESULTS.md] [--max 10000000]
"""
import argparse
import datetime
import os
import re
import resource
import subprocess
import tempfile
import time


def write_targets(path, n):
    with open(path, "w") as f:
        for i in range(n):
            f.write(f"240.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}:{443 + (i >> 24)}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tlssweep", required=True)
    ap.add_argument("--write")
    ap.add_argument("--max", type=int, default=10_000_000)
    a = ap.parse_args()
    sizes = [n for n in (100_000, 1_000_000, 10_000_000) if n <= a.max]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = os.path.join(tmp, f"t{n}.txt")
            write_targets(path, n)
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            start = time.monotonic()
            p = subprocess.run([a.tlssweep, "scan", "-i", path, "-o", "/dev/null", "-q"],
                               stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            wall = time.monotonic() - start
            rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            if p.returncode != 0:
                raise SystemExit(f"tlssweep exited {p.returncode}: {p.stderr[-500:]}")
            # ru_maxrss of children is the largest so far; sizes grow, so a
            # smaller later peak would show as the earlier one (noted below).
            rows.append((n, max(rss, before), wall))
            os.unlink(path)
    base = rows[0][1]
    lines = ["| targets | peak RSS (MiB) | wall (s) | targets/s |", "| ---: | ---: | ---: | ---: |"]
    for n, rss, wall in rows:
        lines.append(f"| {n:,} | {rss / 1024:.1f} | {wall:.1f} | {n / wall:,.0f} |")
    ratio = rows[-1][1] / base
    lines.append("")
    lines.append(f"Peak RSS at {rows[-1][0]:,} targets / at {rows[0][0]:,}: **{ratio:.2f}**"
                 " (measured in this run).")
    print("\n".join(lines))
    if a.write:
        section = (f"<!-- memory:begin -->\n## Memory against input size (bench/memory_bench.py, "
                   f"{datetime.date.today()})\n\n"
                   "Targets in 240.0.0.0/4 (always blocked: no network needed), one per line, "
                   "`tlssweep scan -i FILE -o /dev/null`; the RSS is the process's peak (getrusage "
                   "of children, which only grows, so a row can only show a larger peak than the "
                   "one before it, never hide one).\n\n" + "\n".join(lines) + "\n<!-- memory:end -->")
        text = open(a.write).read() if os.path.exists(a.write) else "# Benchmark results\n"
        pat = re.compile(r"<!-- memory:begin -->.*?<!-- memory:end -->", re.S)
        text = pat.sub(lambda m: section, text) if pat.search(text) else text.rstrip("\n") + "\n\n" + section + "\n"
        open(a.write, "w").write(text)


if __name__ == "__main__":
    main()
