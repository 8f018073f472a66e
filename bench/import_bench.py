#!/usr/bin/env python3
"""bench/import_bench.py: `tlssweep import` of many records, in bounded memory.

Makes a JSON Lines file of N records by replicating the records of a real
run (the built-in lab's 16, with confirmations and certificates), each copy
with a host and address of its own (10.x.y.z), so every record is a new
endpoint and a new row, then imports it into a new database and reports
records per second and the importer's peak RSS (getrusage of the child).
With --again, a second import of the same file must add nothing.

Usage: bench/import_bench.py --tlssweep PATH [--records N] [--dir DIR]
                             [--write bench/RESULTS.md]
"""
import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time


def lab_records(tlssweep, tmp):
    out = os.path.join(tmp, "lab.jsonl")
    subprocess.run([tlssweep, "lab", "-q", "-o", out], check=True, stderr=subprocess.DEVNULL)
    return [l for l in open(out, encoding="utf-8").read().splitlines() if l]


def generate(templates, n, path):
    # Each template split around its host, so a copy is a join.
    parts = []
    for t in templates:
        host = json.loads(t).get("host")
        parts.append(t.split(host) if host else [t])
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as f:
        for i in range(n):
            p = parts[i % len(parts)]
            k = i // len(parts) + 1
            host = f"10.{(k >> 16) & 255}.{(k >> 8) & 255}.{k & 255}" if k < 1 << 24 else f"h{k}"
            f.write(host.join(p) if len(p) > 1 else p[0])
            f.write("\n")


def run_import(tlssweep, db, path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.monotonic()
    r = subprocess.run([tlssweep, "import", "--db", db, path], stderr=subprocess.PIPE, text=True)
    secs = time.monotonic() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if r.returncode != 0:
        sys.exit(f"import exited {r.returncode}: {r.stderr}")
    return secs, max(peak, before), r.stderr.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tlssweep", required=True)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--write", default=None)
    ap.add_argument("--again", action="store_true", help="import a second time: adds nothing")
    ap.add_argument("--keep", default=None, help="keep the generated file here (reused if present)")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(dir=a.dir)
    try:
        path = a.keep or os.path.join(tmp, "records.jsonl")
        if not (a.keep and os.path.exists(path)):
            generate(lab_records(a.tlssweep, tmp), a.records, path)
        size = os.path.getsize(path)
        db = os.path.join(tmp, "history.db")
        secs, peak_kib, said = run_import(a.tlssweep, db, path)
        m = re.search(r"(\d+) records", said)
        stored = int(m.group(1)) if m else -1
        if stored != a.records:
            sys.exit(f"unexpected: {said}")
        again = "not run"
        if a.again:
            secs2, _, said2 = run_import(a.tlssweep, db, path)
            m2 = re.search(r"(\d+) records .* (\d+) already there", said2)
            if not m2 or int(m2.group(1)) != 0 or int(m2.group(2)) != a.records:
                sys.exit(f"unexpected: {said2}")
            again = f"{secs2:.0f} s, 0 added"
        dbsize = os.path.getsize(db)
        rate = a.records / secs
        load = os.getloadavg()[0]
        print(f"{a.records} records ({size / 1e9:.2f} GB of JSON Lines): {secs:.0f} s, "
              f"{rate:,.0f} records/s, peak RSS {peak_kib / 1024:.0f} MiB, database "
              f"{dbsize / 1e9:.2f} GB; again: {again}; load average {load:.1f} on "
              f"{os.cpu_count()} cores")
        if a.write:
            section = (
                "## Import into the history database\n\n"
                f"`bench/import_bench.py --tlssweep bazel-bin/scanner/tlssweep --records {a.records}"
                " --write bench/RESULTS.md`: the built-in lab's 16 records (with confirmations"
                " and certificates) replicated, each copy with a host and address of its own,"
                f" into one JSON Lines file of {size / 1e9:.2f} GB, imported into a new"
                " database by `tlssweep import`.\n\n"
                "| records | seconds | records/s | peak RSS | database | second import |"
                " load average at the end |\n"
                "| ---: | ---: | ---: | ---: | ---: | --- | ---: |\n"
                f"| {a.records:,} | {secs:.0f} | {rate:,.0f} | {peak_kib / 1024:.0f} MiB |"
                f" {dbsize / 1e9:.2f} GB | {again} | {load:.1f} on {os.cpu_count()} cores |\n\n"
                "Memory is bounded: lines are read into a fixed 1 MiB buffer, committed 50,000 a"
                " transaction, and SQLite's page cache is 32 MiB; peak RSS does not grow with"
                " the file. A second import (--again) finds every record's identity already in"
                " the run and adds nothing.\n")
            text = open(a.write, encoding="utf-8").read() if os.path.exists(a.write) else ""
            start = text.find("## Import into the history database")
            if start >= 0:
                end = text.find("\n## ", start + 1)
                text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
            else:
                text = text.rstrip("\n") + "\n\n" + section
            open(a.write, "w", encoding="utf-8").write(text)
    finally:
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
