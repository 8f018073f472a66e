#!/usr/bin/env python3
"""bench/scan_bench.py: tlssweep scan throughput against the bench responder.

Runs inside a private network namespace (`unshare -n`, made by bench/scan_bench.sh),
where the responder listens on 0.0.0.0 and every 127.a.b.c reaches it while
nothing outside can. In one run it measures:

  1. the connect floor: `tlssweep scan --connect-only` (TCP connect + close
     through the same engine, same concurrency) over the same targets;
  2. the probe floor: bench/probe_floor (a probe's own requests, socket,
     connect, send of a hello of the real size, receive of the one-record
     answer, close, through a ring set up as the engine's, and nothing else)
     over the same targets x 5 versions at the same concurrency;
  3. the scan: `tlssweep scan` over N distinct targets x 5 versions;
  4. the same targets as smtp:// URLs against the responder's SMTP port, so
     each probe first runs the STARTTLS dialogue (ratio to the implicit scan);
  5. memory per connection: peak RSS with 10,000 probes in flight minus peak RSS
     with 10, over 10,000 targets at one version;

and reports probes per second, the ratios scan/probe floor and scan/connect
floor, CPU seconds per 1,000 probes (client and responder), heap allocations
per probe (jemalloc counts with the thread cache off), and checks every verdict
against the responder's policy. With --rounds R, steps 1-3 run R times, the
order reversed every other round, and each figure is the median with its range.

--floor-ab NAME=FLAGS (repeatable; "--floor-ab candidates" for the kernel
features worth trying) runs probe_floor with FLAGS against the engine's set-up,
each variant run between two baseline runs, --ab-rounds times, and reports
each variant's probes/s and CPU per probe (client and responder) against the
mean of its two neighbouring baseline runs, with the runs it was faster (and
cheaper) in and a one-sided sign test of them: on a shared machine the wall
time drifts with the neighbours' load, so only a variant that wins nearly
every run is a win. --ab-only skips everything else.

Writes a dated section to bench/RESULTS.md when --write is given (the A/B
table in a section of its own).
"""
import argparse
import datetime
import json
import math
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


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def spread(xs, fmt="{:.0f}"):
    """The median, and the range when there is more than one figure."""
    if len(xs) == 1:
        return fmt.format(xs[0])
    return f"{fmt.format(median(xs))} ({fmt.format(min(xs))}-{fmt.format(max(xs))})"


# Kernel features to try in the probe floor against the engine's own set-up
# (bench/probe_floor.c says what each does).
CANDIDATES = [
    ("chain", "--chain"),
    ("send-fixed", "--send fixed"),
    ("send-zc-fixed", "--send zc-fixed"),
    ("defer-taskrun", "--setup defer"),
    ("sqpoll", "--setup sqpoll"),
    ("no-taskrun-flags", "--setup plain"),
    ("wait-16", "--wait-nr 16"),
    ("wait-64-min-50us", "--wait-nr 64 --min-wait-us 50"),
    ("wait-64-min-500us", "--wait-nr 64 --min-wait-us 500"),
    ("ring-fd", "--ring-fd"),
    ("close-reset", "--close reset"),
    ("slot-order", "--order slot"),
    ("enobufs-resubmit", "--enobufs resubmit"),
]


def probe_floor(a, flags=()):
    """One probe_floor run over the bench's targets; its JSON line plus the
    child's own CPU and wall, or None when the kernel refused a feature
    (exit 3)."""
    cmd = [a.probe_floor, "--targets", str(a.targets), "--port", str(a.port),
           "--concurrency", str(a.concurrency), "--timeout-ms", "5000"] + list(flags)
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - start
    rc = os.waitstatus_to_exitcode(status)
    if rc == 3:
        return None
    if rc != 0:
        sys.exit(f"scan_bench: {' '.join(cmd)} exited {rc}")
    r = json.loads(out)
    if r["answers"] != a.targets * 5:
        sys.exit(f"scan_bench: probe_floor {' '.join(flags)}: {r['answers']} answers of "
                 f"{a.targets * 5} probes: {out}")
    r.update(wall=wall, cpu=ru.ru_utime + ru.ru_stime, pps=a.targets * 5 / wall)
    return r


def proc_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def write_section(path, name, section):
    """Replaces (or appends) the <!-- name:begin --> ... <!-- name:end -->
    section of |path|."""
    text = open(path).read() if os.path.exists(path) else "# Benchmark results\n"
    pattern = re.compile(rf"<!-- {name}:begin -->.*?<!-- {name}:end -->", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda m: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(path, "w") as w:
        w.write(text)


def machine():
    cpu = ""
    with open("/proc/cpuinfo") as c:
        for line in c:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{datetime.date.today()}, {os.cpu_count()} cores, {cpu}, Linux {os.uname().release}"


def sign_test(wins, n):
    """One-sided sign test: the chance of |wins| or more wins in |n| rounds
    if the variant were no better than the baseline."""
    return sum(math.comb(n, k) for k in range(wins, n + 1)) / 2 ** n


def floor_ab(a, variants, resp_pid):
    """Each variant of the probe floor against the engine's set-up. On a
    shared machine the wall time drifts with the neighbours' load, so every
    variant run sits between two baseline runs (B V1 B V2 B ... Vn B, the
    variants' order reversed every other round) and is judged against the
    mean of those two, by probes/s and by the CPU the client and the
    responder spent per probe. Returns the report lines."""
    runs = {name: [] for name, _ in [("baseline", "")] + variants}
    refused = set()

    def one(name, flags, r):
        r0 = proc_cpu(resp_pid)
        res = probe_floor(a, flags.split())
        if res is None:
            return None
        res["resp_cpu"] = proc_cpu(resp_pid) - r0
        res["us_per_probe"] = 1e6 * (res["cpu"] + res["resp_cpu"]) / (a.targets * 5)
        print(f"scan_bench: floor A/B round {r + 1}: {name}: {res['pps']:.0f} probes/s, "
              f"{res['us_per_probe']:.1f} us cpu per probe", file=sys.stderr)
        return res

    pairs = {name: [] for name, _ in variants}
    for r in range(a.ab_rounds):
        order = variants if r % 2 == 0 else variants[::-1]
        before = one("baseline", "", r)
        runs["baseline"].append(before)
        for name, flags in order:
            if name in refused:
                continue
            res = one(name, flags, r)
            if res is None:
                refused.add(name)
                continue
            after = one("baseline", "", r)
            runs["baseline"].append(after)
            runs[name].append(res)
            pairs[name].append((res, before, after))
            before = after
    lines = [f"targets: {a.targets} x 5 versions, concurrency {a.concurrency}, "
             f"{a.ab_rounds} rounds, each variant run between two baseline runs",
             "",
             "| variant | flags | probes/s | CPU us / probe (client + responder) | "
             "probes/s / neighbouring baselines' | CPU / neighbouring baselines' | "
             "runs faster (sign test p) | runs cheaper (sign test p) |",
             "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |"]
    for name, flags in [("baseline", "(the engine's set-up)")] + variants:
        xs = runs[name]
        if name in refused:
            lines.append(f"| {name} | `{flags}` | | | | | refused by this kernel | |")
            continue
        pps = [x["pps"] for x in xs]
        cpu = [x["us_per_probe"] for x in xs]
        if name == "baseline":
            lines.append(f"| {name} | {flags} | {spread(pps)} | {spread(cpu, '{:.1f}')} | | | | |")
            continue
        ratios = [v["pps"] * 2 / (b["pps"] + c["pps"]) for v, b, c in pairs[name]]
        cpu_ratios = [v["us_per_probe"] * 2 / (b["us_per_probe"] + c["us_per_probe"])
                      for v, b, c in pairs[name]]
        n = len(ratios)
        faster = sum(q > 1 for q in ratios)
        cheaper = sum(q < 1 for q in cpu_ratios)
        lines.append(f"| {name} | `{flags}` | {spread(pps)} | {spread(cpu, '{:.1f}')} | "
                     f"{spread(ratios, '{:.2f}')} | {spread(cpu_ratios, '{:.2f}')} | "
                     f"{faster} of {n} (p {sign_test(faster, n):.3f}) | "
                     f"{cheaper} of {n} (p {sign_test(cheaper, n):.3f}) |")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tlssweep", required=True)
    ap.add_argument("--responder", required=True)
    ap.add_argument("--probe-floor", required=True, help="bench/probe_floor's binary")
    ap.add_argument("--targets", type=int, default=100000)
    ap.add_argument("--concurrency", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--port", type=int, default=4433)
    ap.add_argument("--rounds", type=int, default=1,
                    help="runs of connect floor, probe floor and scan (medians and ranges)")
    ap.add_argument("--floor-ab", action="append", default=[], metavar="NAME=FLAGS",
                    help="a probe_floor variant to measure against the engine's set-up; "
                         "'candidates' for the standard list")
    ap.add_argument("--ab-rounds", type=int, default=3)
    ap.add_argument("--ab-only", action="store_true", help="only the floor A/B")
    ap.add_argument("--write", help="append results to this RESULTS.md")
    ap.add_argument("--workdir", default="/tmp")
    a = ap.parse_args()
    variants = []
    for v in a.floor_ab:
        if v == "candidates":
            variants += CANDIDATES
        else:
            name, _, flags = v.partition("=")
            variants.append((name, flags))

    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["sysctl", "-qw", "net.core.somaxconn=65535"], check=False)
    subprocess.run(["sysctl", "-qw", "net.ipv4.tcp_max_syn_backlog=65535"], check=False)
    subprocess.run(["sysctl", "-qw", "net.ipv4.ip_local_port_range=1024 65535"], check=False)
    subprocess.run(["sysctl", "-qw", "net.ipv4.tcp_tw_reuse=1"], check=False)

    tfile = os.path.join(a.workdir, "bench_targets.txt")
    with open(tfile, "w") as f:
        for i in range(a.targets):
            f.write(f"{target_addr(i)}:{a.port}\n")

    resp = subprocess.Popen([a.responder, "--port", str(a.port), "--duration", "7200"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    env = dict(os.environ, MALLOC_CONF="tcache:false")
    # The probe engine alone: confirmations (full handshakes, which the fake
    # responder cannot complete) are another benchmark (handshake_bench.py).
    common = [a.tlssweep, "scan", "-i", tfile, "-q", "--timeout", "5s", "--retries", "0",
              "-c", str(a.concurrency), "--threads", str(a.threads), "--no-confirm"]
    probes = a.targets * 5
    out = os.path.join(a.workdir, "bench_out.jsonl")
    steps = {"connect": [], "probe": [], "scan": []}

    def step(name):
        r0 = proc_cpu(resp.pid)
        if name == "connect":
            p, wall, cpu, _ = run(common + ["--connect-only", "-o", "/dev/null"], env=env)
            fig = dict(wall=wall, cpu=cpu, pps=probes / wall)
        elif name == "probe":
            fig = probe_floor(a)
            if fig is None:
                sys.exit("scan_bench: probe_floor: the kernel refused the engine's own set-up")
        else:
            p, wall, cpu, _ = run(common + ["-o", out, "--alloc-stats"], env=env)
            allocs = None
            for line in p.stderr.splitlines():
                if line.startswith("alloc-stats:"):
                    allocs = float(line.split()[-3])
            seen, wrong = check(out)
            fig = dict(wall=wall, cpu=cpu, pps=probes / wall, allocs_per_probe=allocs,
                       records=seen, wrong=wrong)
        fig["resp_cpu"] = proc_cpu(resp.pid) - r0
        steps[name].append(fig)
        print(f"scan_bench: {name}: {fig['pps']:.0f}/s, wall {fig['wall']:.2f}s", file=sys.stderr)

    results = {}
    ab_lines = []
    try:
        if not a.ab_only:
            for r in range(a.rounds):
                order = ["connect", "probe", "scan"]
                for name in (order if r % 2 == 0 else order[::-1]):
                    step(name)

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
                p, wall, cpu, maxrss = run([a.tlssweep, "scan", "-i", mfile, "-q", "--timeout",
                                            "5s", "--retries", "0", "-c", str(c), "--threads", "1",
                                            "--no-confirm", "-V", "tls1.2", "-o", "/dev/null"])
                rss[c] = maxrss
            results["rss"] = rss
        if variants:
            ab_lines = floor_ab(a, variants, resp.pid)
    finally:
        resp.terminate()
        resp.wait(timeout=10)

    ok = True
    if not a.ab_only:
        f, pf, s, m = steps["connect"], steps["probe"], steps["scan"], results["smtp"]

        def col(xs, key):
            return [x[key] for x in xs]

        def us(xs):
            return [1e6 * (x["cpu"] + x["resp_cpu"]) / probes for x in xs]

        cpu_ratio = [p / q for p, q in zip(us(pf), us(s))]
        per_round_probe = [s[k]["pps"] / pf[k]["pps"] for k in range(a.rounds)]
        per_round_connect = [s[k]["pps"] / f[k]["pps"] for k in range(a.rounds)]
        scan_pps = median(col(s, "pps"))
        records = col(s, "records")
        wrong = sum(col(s, "wrong"))
        lines = [
            f"targets: {a.targets} x 5 versions, concurrency {a.concurrency}, threads {a.threads}"
            + (f"; {a.rounds} rounds (median, range), order reversed every other round"
               if a.rounds > 1 else ""),
            f"connect floor (tlssweep --connect-only): {spread(col(f, 'pps'))} conn/s, wall "
            f"{spread(col(f, 'wall'), '{:.2f}')}s, client cpu {spread(col(f, 'cpu'), '{:.2f}')}s, "
            f"responder cpu {spread(col(f, 'resp_cpu'), '{:.2f}')}s",
            f"probe floor (bench/probe_floor): {spread(col(pf, 'pps'))} probes/s, wall "
            f"{spread(col(pf, 'wall'), '{:.2f}')}s, client cpu {spread(col(pf, 'cpu'), '{:.2f}')}s, "
            f"responder cpu {spread(col(pf, 'resp_cpu'), '{:.2f}')}s",
            f"scan: {spread(col(s, 'pps'))} probes/s, wall {spread(col(s, 'wall'), '{:.2f}')}s, "
            f"client cpu {spread(col(s, 'cpu'), '{:.2f}')}s, responder cpu "
            f"{spread(col(s, 'resp_cpu'), '{:.2f}')}s",
            f"ratio scan/probe floor: {spread(per_round_probe, '{:.2f}')} (goal >= 0.90)",
            f"ratio scan/connect floor: {spread(per_round_connect, '{:.2f}')}",
            f"client cpu per 1,000 probes: scan {spread([1000 * x / probes for x in col(s, 'cpu')], '{:.3f}')}s, "
            f"probe floor {spread([1000 * x / probes for x in col(pf, 'cpu')], '{:.3f}')}s",
            f"cpu per probe, client + responder: scan {spread(us(s), '{:.1f}')} us, probe floor "
            f"{spread(us(pf), '{:.1f}')} us, connect floor {spread(us(f), '{:.1f}')} us; "
            f"probe floor / scan: {spread(cpu_ratio, '{:.2f}')} (the ratio scan/probe floor "
            "where the two cores are the limit and nothing else runs)",
            f"heap allocations per probe: {s[0]['allocs_per_probe']}",
            f"peak RSS with 10,000 probes in flight: {results['rss'][10000] / 1024:.1f} MiB, with 10: "
            f"{results['rss'][10] / 1024:.1f} MiB; per connection "
            f"{(results['rss'][10000] - results['rss'][10]) / 9990:.2f} KiB (target <= 2)",
            f"records: {min(records)} of {a.targets}; verdicts differing from the responder's "
            f"policy: {wrong}",
            f"STARTTLS (smtp://): {m['pps']:.0f} probes/s, wall {m['wall']:.2f}s, client cpu "
            f"{m['cpu']:.2f}s, responder cpu {m['resp_cpu']:.2f}s",
            f"ratio STARTTLS/implicit: {m['pps'] / scan_pps:.2f}; records {m['records']}, "
            f"verdicts differing: {m['wrong']}",
        ]
        print("\n".join(lines))
        if a.write:
            write_section(a.write, "scan",
                          f"<!-- scan:begin -->\n## Scan engine vs floors ({machine()})\n\n"
                          "Reproduce: `bench/scan_bench.sh` (runs inside `unshare -n`).\n\n```\n"
                          + "\n".join(lines) + "\n```\n<!-- scan:end -->")
        ok = (wrong == 0 and all(x == a.targets for x in records) and m["wrong"] == 0
              and m["records"] == a.targets)
    if ab_lines:
        print("\n".join(ab_lines))
        if a.write:
            write_section(a.write, "floor",
                          f"<!-- floor:begin -->\n## Probe floor: the kernel's options, A/B "
                          f"({machine()})\n\nReproduce: `bench/scan_bench.sh --ab-only "
                          "--floor-ab candidates`. Each variant of bench/probe_floor against "
                          "the engine's own ring set-up, in the same rounds.\n\n"
                          + "\n".join(ab_lines) + "\n<!-- floor:end -->")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
