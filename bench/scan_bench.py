#!/usr/bin/env python3
"""bench/scan_bench.py: tlssweep scan throughput against the bench responder.

Runs inside a private network namespace (`unshare -n`, made by bench/scan_bench.sh),
where the responder listens on 0.0.0.0 and every 127.a.b.c reaches it while
nothing outside can. In one run it measures:

  1. the floor: `tlssweep scan --connect-only` (TCP connect + close through the
     same engine, same concurrency) over the same targets;
  2. the scan: `tlssweep scan` over N distinct targets x 5 versions;
  3. the same targets as smtp:// URLs against the responder's SMTP port, so
     each probe first runs the STARTTLS dialogue (ratio to the implicit scan);
  4. memory per connection: peak RSS with 10,000 probes in flight minus peak RSS
     with 10, over 10,000 targets at one version;

and reports probes per second, the ratio scan/floor, CPU seconds per 1,000
probes (client and responder), heap allocations per probe (jemalloc counts with
the thread cache off), and checks every verdict against the responder's policy.
Writes a dated section to bench/RESULTS.md when --write is given.
"""
import argparse
import datetime
import json
import os
import re
import resource
import subprocess
import sys
import time

VERSIONS = ["ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"]
WIRE = {"ssl3": 0x0300, "tls1.0": 0x0301, "tls1.1": 0x0302, "tls1.2": 0x0303, "tls1.3": 0x0304}
NAME = {v: k for k, v in WIRE.items()}
# Must match bench/responder.c: policy index (b*256+c) % 8 for 127.a.b.c.
POLICIES = [(0x0301, 0x0301), (0x0301, 0x0302), (0x0301, 0x0303), (0x0301, 0x0304),
            (0x0303, 0x0303), (0x0303, 0x0304), (0x0304, 0x0304), (0x0302, 0x0303)]


def target_addr(i):
    # 127.1.0.0 upwards: distinct addresses, never 127.0.0.x.
    n = (1 << 16) + i
    return f"127.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def expected(addr, version):
    """What the responder answers: ('accepted',) or ('rejected', reason, detail)."""
    _, _, b, c = (int(x) for x in addr.split("."))
    lo, hi = POLICIES[(b * 256 + c) % 8]
    want = WIRE[version]
    if version == "ssl3":
        return ("rejected", "alert")
    if lo <= want <= hi:
        return ("accepted",)
    if want > hi and want <= 0x0303 and hi <= 0x0303:
        return ("rejected", "version_mismatch", NAME[hi])
    return ("rejected", "alert")


def check(path):
    """Counts records and verdicts that differ from the responder's policy."""
    wrong = 0
    seen = 0
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            seen += 1
            for v in VERSIONS:
                x = rec.get("versions", {}).get(v, {"verdict": "missing"})
                e = expected(rec.get("ip", "0.0.0.0"), v)
                ok = x["verdict"] == e[0]
                if ok and e[0] == "rejected":
                    ok = x.get("reason") == e[1] and (len(e) < 3 or x.get("server_version") == e[2])
                wrong += not ok
    return seen, wrong


def run(cmd, env=None, stdin=None):
    """Runs |cmd| and returns (process, wall s, cpu s, peak RSS KiB) of that
    child alone: wait4 reports its own rusage, where RUSAGE_CHILDREN's peak
    would be the largest of every child so far. A run that fails stops the
    benchmark: its figures would measure nothing."""
    start = time.monotonic()
    p = subprocess.Popen(cmd, env=env, stdin=stdin, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    p.stderr = err
    wall = time.monotonic() - start
    if p.returncode != 0:
        sys.exit(f"scan_bench: {' '.join(cmd)} exited {p.returncode}: {err[-500:]}")
    return p, wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def proc_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tlssweep", required=True)
    ap.add_argument("--responder", required=True)
    ap.add_argument("--targets", type=int, default=100000)
    ap.add_argument("--concurrency", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--port", type=int, default=4433)
    ap.add_argument("--write", help="append results to this RESULTS.md")
    ap.add_argument("--workdir", default="/tmp")
    a = ap.parse_args()

    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["sysctl", "-qw", "net.core.somaxconn=65535"], check=False)
    subprocess.run(["sysctl", "-qw", "net.ipv4.tcp_max_syn_backlog=65535"], check=False)
    subprocess.run(["sysctl", "-qw", "net.ipv4.ip_local_port_range=1024 65535"], check=False)
    subprocess.run(["sysctl", "-qw", "net.ipv4.tcp_tw_reuse=1"], check=False)

    tfile = os.path.join(a.workdir, "bench_targets.txt")
    with open(tfile, "w") as f:
        for i in range(a.targets):
            f.write(f"{target_addr(i)}:{a.port}\n")

    resp = subprocess.Popen([a.responder, "--port", str(a.port), "--duration", "900"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    env = dict(os.environ, MALLOC_CONF="tcache:false")
    # The probe engine alone: confirmations (full handshakes, which the fake
    # responder cannot complete) are another benchmark (handshake_bench.py).
    common = [a.tlssweep, "scan", "-i", tfile, "-q", "--timeout", "5s", "--retries", "0",
              "-c", str(a.concurrency), "--threads", str(a.threads), "--no-confirm"]
    results = {}
    try:
        r0 = proc_cpu(resp.pid)
        p, wall, cpu, _ = run(common + ["--connect-only", "-o", "/dev/null"], env=env)
        r1 = proc_cpu(resp.pid)
        floor_probes = a.targets * 5
        results["floor"] = dict(wall=wall, cpu=cpu, resp_cpu=r1 - r0, pps=floor_probes / wall)

        out = os.path.join(a.workdir, "bench_out.jsonl")
        p, wall, cpu, _ = run(common + ["-o", out, "--alloc-stats"], env=env)
        r2 = proc_cpu(resp.pid)
        probes = a.targets * 5
        allocs = None
        for line in p.stderr.splitlines():
            if line.startswith("alloc-stats:"):
                allocs = float(line.split()[-3])
        results["scan"] = dict(wall=wall, cpu=cpu, resp_cpu=r2 - r1, pps=probes / wall,
                               allocs_per_probe=allocs)

        seen, wrong = check(out)
        results["scan"].update(records=seen, wrong=wrong)

        sfile = os.path.join(a.workdir, "bench_targets_smtp.txt")
        with open(sfile, "w") as f:
            for i in range(a.targets):
                f.write(f"smtp://{target_addr(i)}:{a.port + 1}\n")
        sout = os.path.join(a.workdir, "bench_out_smtp.jsonl")
        smtp_cmd = [x if x != tfile else sfile for x in common]
        r3 = proc_cpu(resp.pid)
        p, wall, cpu, _ = run(smtp_cmd + ["-o", sout], env=env)
        r4 = proc_cpu(resp.pid)
        seen, wrong = check(sout)
        results["smtp"] = dict(wall=wall, cpu=cpu, resp_cpu=r4 - r3, pps=probes / wall,
                               records=seen, wrong=wrong)

        # Memory per connection: peak RSS with 10,000 probes in flight minus
        # peak RSS with 10, over the same 10,000 targets (one version each).
        mfile = os.path.join(a.workdir, "bench_targets_10k.txt")
        with open(mfile, "w") as f:
            for i in range(10000):
                f.write(f"{target_addr(i)}:{a.port}\n")
        rss = {}
        for c in (10, 10000):
            p, wall, cpu, maxrss = run([a.tlssweep, "scan", "-i", mfile, "-q", "--timeout", "5s",
                                        "--retries", "0", "-c", str(c), "--threads", "1",
                                        "--no-confirm", "-V", "tls1.2", "-o", "/dev/null"],
                                       )
            rss[c] = maxrss
        results["rss"] = rss
    finally:
        resp.terminate()
        resp.wait(timeout=10)

    f, s, m = results["floor"], results["scan"], results["smtp"]
    ratio = s["pps"] / f["pps"]
    lines = [
        f"targets: {a.targets} x 5 versions, concurrency {a.concurrency}, threads {a.threads}",
        f"floor (connect+close): {f['pps']:.0f} conn/s, wall {f['wall']:.2f}s, client cpu {f['cpu']:.2f}s, responder cpu {f['resp_cpu']:.2f}s",
        f"scan: {s['pps']:.0f} probes/s, wall {s['wall']:.2f}s, client cpu {s['cpu']:.2f}s, responder cpu {s['resp_cpu']:.2f}s",
        f"ratio scan/floor: {ratio:.2f} (target >= 0.70)",
        f"client cpu per 1,000 probes: {1000 * s['cpu'] / (a.targets * 5):.3f}s",
        f"heap allocations per probe: {s['allocs_per_probe']}",
        f"peak RSS with 10,000 probes in flight: {results['rss'][10000] / 1024:.1f} MiB, with 10: "
        f"{results['rss'][10] / 1024:.1f} MiB; per connection "
        f"{(results['rss'][10000] - results['rss'][10]) / 9990:.2f} KiB (target <= 2)",
        f"records: {s['records']} of {a.targets}; verdicts differing from the responder's policy: {s['wrong']}",
        f"STARTTLS (smtp://): {m['pps']:.0f} probes/s, wall {m['wall']:.2f}s, client cpu {m['cpu']:.2f}s, responder cpu {m['resp_cpu']:.2f}s",
        f"ratio STARTTLS/implicit: {m['pps'] / s['pps']:.2f}; records {m['records']}, verdicts differing: {m['wrong']}",
    ]
    print("\n".join(lines))
    if a.write:
        cpu = ""
        with open("/proc/cpuinfo") as c:
            for l in c:
                if l.startswith("model name"):
                    cpu = l.split(":", 1)[1].strip()
                    break
        section = (f"<!-- scan:begin -->\n## Scan engine vs floor ({datetime.date.today()}, "
                   f"{os.cpu_count()} cores, {cpu})\n\n"
                   "Reproduce: `bench/scan_bench.sh` (runs inside `unshare -n`).\n\n```\n"
                   + "\n".join(lines) + "\n```\n<!-- scan:end -->")
        text = open(a.write).read() if os.path.exists(a.write) else "# Benchmark results\n"
        pattern = re.compile(r"<!-- scan:begin -->.*?<!-- scan:end -->", re.S)
        if pattern.search(text):
            text = pattern.sub(lambda m: section, text)
        else:
            text = text.rstrip("\n") + "\n\n" + section + "\n"
        with open(a.write, "w") as w:
            w.write(text)
    ok = (s["wrong"] == 0 and s["records"] == a.targets and m["wrong"] == 0
          and m["records"] == a.targets)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
