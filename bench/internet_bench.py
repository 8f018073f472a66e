#!/usr/bin/env python3
"""bench/internet_bench.py: tlssweep against an internet-like population.

Runs inside a private network namespace (`unshare -n`, made by
bench/internet_bench.sh). bench/population plays a different host at each
address 127.a.b.c:443 (see bench/population.c): hosts that answer after two
round trips of an RTT drawn per address (log-normal, median 80 ms, sigma 0.6,
clipped to 20-300 ms by default), hosts that reset after the hello, hosts that
accept and never answer, and, through nftables rules in the namespace, hosts
whose SYNs are dropped (a connect times out) and hosts where nobody listens
(the SYN is answered with a reset: connection refused). The answering hosts
answer each version as the bench responder does (policy (b*256+c) % 8,
scan_bench.py). The class of each address is a hash of the address and the
seed, computed here exactly as population.c computes it, so every record can
be checked.

It scans N targets (bare addresses, port 443: tlssweep's defaults for
everything: all five versions, confirmations on, --timeout 5s, --retries 1,
--per-host 1, one engine thread per core) once per -c of --concurrency
(a sweep), and with --no-confirm as well when asked, and reports for each
run: targets per hour, version probes per second (targets x 5 / wall),
connections per second (the probes tlssweep counted: retries and shape
retries included), client CPU, the peak RSS of tlssweep alone (os.wait4),
the population's CPU, records (each target exactly once, by its text) and
verdicts that differ from the truth. Targets per hour are given over the
whole run and between the moments the 10% and 90% marks of the records were
written (the steady rate, without the ramp and without the tail: a silent
host holds its slot for three timeouts of each version, 75 s at the
defaults, which a small N cannot amortise). The headline is the targets per
hour of the largest -c whose peak RSS stayed within --rss-limit-mib (1 GiB),
next to the goal of 5 million targets per hour. Registered files count against
RLIMIT_NOFILE (its hard limit is the bound on -c per engine thread: the
script raises the soft limit to it).

The population cannot complete a handshake (it answers a ServerHello and
closes), so every confirmation fails: the probes' verdicts still stand, and
the confirmations still cost what they cost (a connection each, and its
wait). --no-confirm-too runs each -c once more without them.

  bench/internet_bench.py --tlssweep PATH --population PATH [--targets 1000000]
      [--concurrency 1000,2500,5000,10000,20000] [--no-confirm-too]
      [--mix answer=80,drop=8,refuse=6,reset=4,silent=2] [--seed 1]
      [--rtt lognormal:80:0.6] [--rtt-min-ms 20] [--rtt-max-ms 300]
      [--json FILE] [--write bench/RESULTS.md]
"""
import argparse
import collections
import datetime
import json
import os
import resource
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scan_bench  # noqa: E402  (the responder's policy, shared by population.c)

CLASSES = ("answer", "drop", "refuse", "reset", "silent")
DEFAULT_MIX = "answer=80,drop=8,refuse=6,reset=4,silent=2"
M64 = (1 << 64) - 1
GOAL_PER_HOUR = 5_000_000


def mix64(z):
    """splitmix64's finaliser, as population.c's mix64."""
    z = (z + 0x9e3779b97f4a7c15) & M64
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M64
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M64
    return z ^ (z >> 31)


def parse_mix(text):
    """[(class, tenths of a per cent)] in the order given; must sum to 100%."""
    out = []
    for part in text.split(","):
        name, _, pct = part.partition("=")
        if name not in CLASSES or any(n == name for n, _ in out):
            sys.exit(f"internet_bench: bad --mix entry {part!r}")
        out.append((name, round(float(pct) * 10)))
    if sum(p for _, p in out) != 1000:
        sys.exit("internet_bench: --mix must sum to 100")
    return out


def addr_int(addr):
    a, b, c, d = (int(x) for x in addr.split("."))
    return a << 24 | b << 16 | c << 8 | d


def class_of(addr, mix, seed):
    u = mix64(addr_int(addr) ^ ((seed << 32) & M64)) % 1000
    acc = 0
    for name, share in mix:
        acc += share
        if u < acc:
            return name
    return "answer"


def wrong_versions(rec, cls):
    """How many of the record's five versions differ from the truth of a
    host of class |cls| (5 when the record's status is wrong)."""
    if cls == "refuse":
        return 0 if rec.get("status") == "unreachable" else 5
    if cls == "drop":
        # A dark host: no connection through every retry is one finding for
        # the target, not five version timeouts (the engine stops after the
        # first version's connects time out).
        ok = (rec.get("status") == "unreachable"
              and rec.get("error") == "connect: Connection timed out")
        return 0 if ok else 5
    if rec.get("status") != "ok":
        return 5
    wrong = 0
    for v in scan_bench.VERSIONS:
        x = rec.get("versions", {}).get(v, {})
        if cls == "answer":
            e = scan_bench.expected(rec["ip"], v)
            ok = x.get("verdict") == e[0]
            if ok and e[0] == "rejected":
                ok = x.get("reason") == e[1] and (len(e) < 3 or x.get("server_version") == e[2])
        elif cls == "reset":
            ok = x.get("verdict") == "rejected" and x.get("reason") == "reset"
        else:  # silent
            ok = x.get("verdict") == "timeout" and x.get("stage") == "recv"
        wrong += not ok
    return wrong


def check(path, truth):
    """Records, targets seen exactly once, duplicates, missing, unknown
    targets, wrong versions (in all, by class) and a few wrong records."""
    seen = collections.Counter()
    wrong = 0
    by_class = collections.Counter()
    examples = []
    unknown = 0
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            t = rec.get("target")
            seen[t] += 1
            cls = truth.get(t)
            if cls is None:
                unknown += 1
                continue
            if seen[t] == 1:
                w = wrong_versions(rec, cls)
                wrong += w
                by_class[cls] += w
                if w and len(examples) < 5:
                    examples.append(dict(truth=cls, record=rec))
    records = sum(seen.values())
    once = sum(1 for t in truth if seen.get(t) == 1)
    dup = sum(1 for n in seen.values() if n > 1)
    missing = sum(1 for t in truth if t not in seen)
    return dict(records=records, once=once, duplicates=dup, missing=missing, unknown=unknown,
                wrong=wrong, wrong_by_class=dict(by_class), wrong_examples=examples)


def netns_setup(port, drop, refuse):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    for kv in ("net.core.somaxconn=65535", "net.ipv4.tcp_max_syn_backlog=65535",
               "net.ipv4.ip_local_port_range=1024 65535", "net.ipv4.tcp_tw_reuse=1"):
        subprocess.run(["sysctl", "-qw", kv], check=False)
    rules = [
        "table inet popbench {",
        "  set drop4 { type ipv4_addr; }",
        "  set refuse4 { type ipv4_addr; }",
        "  chain input {",
        "    type filter hook input priority 0; policy accept;",
        f"    tcp dport {port} ip daddr @drop4 drop",
        f"    tcp dport {port} ip daddr @refuse4 reject with tcp reset",
        "  }",
        "}",
    ]
    for name, addrs in (("drop4", drop), ("refuse4", refuse)):
        for k in range(0, len(addrs), 5000):
            rules.append(f"add element inet popbench {name} {{ {', '.join(addrs[k:k + 5000])} }}")
    p = subprocess.run(["nft", "-f", "-"], input="\n".join(rules) + "\n", text=True,
                       capture_output=True)
    if p.returncode != 0:
        sys.exit(f"internet_bench: nft: {p.stderr.strip()[:500]}")


def proc_cpu(pid):
    try:
        return scan_bench.proc_cpu(pid)
    except OSError:
        return 0.0


def run_scan(a, tfile, out, meta, c, confirm):
    """One tlssweep scan with default options (but -c and --no-confirm);
    returns its figures, or None when it failed to start (e.g. the ring or
    the registered files refused at this -c)."""
    cmd = [a.tlssweep, "scan", "-q", "-i", tfile, "-o", out, "--metadata", meta]
    if c is not None:
        cmd += ["-c", str(c)]
    if not confirm:
        cmd.append("--no-confirm")
    cmd += a.scan_arg
    errpath = out + ".err"
    start = time.monotonic()
    with open(errpath, "w") as errf:
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errf, start_new_session=True)
    # Records as they are written: the steady rate is taken between the 10%
    # and 90% marks, away from the ramp at the start and the tail of slow
    # hosts at the end (a silent host holds its slot for three timeouts per
    # version).
    marks, lines, timed_out = {}, 0, False
    status = ru = None
    with open(out, "ab+") as f:
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            chunk = f.read()
            lines += chunk.count(b"\n")
            now = time.monotonic() - start
            for frac in (0.1, 0.9):
                if frac not in marks and lines >= frac * a.targets:
                    marks[frac] = now
            if pid != 0:
                break
            if now > a.run_timeout and not timed_out:
                os.killpg(p.pid, signal.SIGKILL)
                timed_out = True
            time.sleep(0.2)
    wall = time.monotonic() - start
    rc = os.waitstatus_to_exitcode(status)
    with open(errpath) as errf:
        err = errf.read()
    fig = dict(cmd=" ".join(cmd[1:]), c=c, confirm=confirm, rc=rc, wall=wall,
               cpu=ru.ru_utime + ru.ru_stime, rss_kib=ru.ru_maxrss,
               timed_out=timed_out, stderr=err[-400:])
    if 0.1 in marks and 0.9 in marks and marks[0.9] > marks[0.1]:
        fig["steady_per_hour"] = 0.8 * a.targets / (marks[0.9] - marks[0.1]) * 3600
    try:
        with open(meta) as f:
            m = json.load(f)
        fig["connections"] = m.get("probes")
        fig["concurrency"] = m.get("options", {}).get("concurrency")
        fig["threads"] = m.get("options", {}).get("threads")
    except (OSError, ValueError):
        pass
    return fig


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tlssweep", required=True)
    ap.add_argument("--population", required=True)
    ap.add_argument("--targets", type=int, default=1_000_000)
    ap.add_argument("--concurrency", default="default,2500,5000,10000,20000",
                    help="-c values to sweep ('default': tlssweep's own)")
    ap.add_argument("--no-confirm-too", action="store_true")
    ap.add_argument("--mix", default=DEFAULT_MIX)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rtt", default="lognormal:80:0.6")
    ap.add_argument("--rtt-min-ms", default="20")
    ap.add_argument("--rtt-max-ms", default="300")
    ap.add_argument("--round-trips", default="2")
    ap.add_argument("--population-procs", type=int, default=3,
                    help="population processes on one port (SO_REUSEPORT)")
    ap.add_argument("--port", type=int, default=443)
    ap.add_argument("--rss-limit-mib", type=float, default=1024)
    ap.add_argument("--run-timeout", type=int, default=4 * 3600, help="seconds per scan")
    ap.add_argument("--scan-arg", action="append", default=[],
                    help="one more tlssweep argument (repeatable), e.g. --timeout=2s")
    ap.add_argument("--workdir", default="/tmp")
    ap.add_argument("--json")
    ap.add_argument("--write")
    a = ap.parse_args()
    if a.port != 443:
        a.scan_arg = ["-p", str(a.port)] + a.scan_arg
    mix = parse_mix(a.mix)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    truth = {}
    for i in range(a.targets):
        addr = scan_bench.target_addr(i)
        truth[addr] = class_of(addr, mix, a.seed)
    counts = collections.Counter(truth.values())
    netns_setup(a.port, [t for t, k in truth.items() if k == "drop"],
                [t for t, k in truth.items() if k == "refuse"])
    tfile = os.path.join(a.workdir, "internet_targets.txt")
    with open(tfile, "w") as f:
        f.write("".join(f"{t}\n" for t in truth))

    pops = []
    pop_cmd = [a.population, "--port", str(a.port), "--mix", a.mix, "--seed", str(a.seed),
               "--rtt", a.rtt, "--rtt-min-ms", a.rtt_min_ms, "--rtt-max-ms", a.rtt_max_ms,
               "--round-trips", a.round_trips, "--duration", str(24 * 3600)]
    results = []
    pop_stats = []
    try:
        for k in range(a.population_procs):
            err = open(os.path.join(a.workdir, f"population{k}.err"), "w+")
            pops.append((subprocess.Popen(pop_cmd, stdout=subprocess.PIPE, stderr=err, text=True),
                         err))
        deadline = time.monotonic() + 10
        for p, err in pops:
            while True:
                err.seek(0)
                if "listening" in err.read():
                    break
                if p.poll() is not None or time.monotonic() > deadline:
                    err.seek(0)
                    sys.exit(f"internet_bench: population did not start: {err.read()[-300:]}")
                time.sleep(0.05)
        sweep = [None if x == "default" else int(x) for x in a.concurrency.split(",")]
        modes = [True, False] if a.no_confirm_too else [True]
        for confirm in modes:
            for c in sweep:
                out = os.path.join(a.workdir, "internet_out.jsonl")
                meta = os.path.join(a.workdir, "internet_meta.json")
                for path in (out, meta):
                    if os.path.exists(path):
                        os.unlink(path)
                p0 = sum(proc_cpu(p.pid) for p, _ in pops)
                print(f"internet_bench: {a.targets} targets, -c {c or 'default'}"
                      f"{'' if confirm else ', --no-confirm'}...", file=sys.stderr)
                fig = run_scan(a, tfile, out, meta, c, confirm)
                fig["population_cpu"] = sum(proc_cpu(p.pid) for p, _ in pops) - p0
                if fig["rc"] == 0 and os.path.exists(out):
                    fig.update(check(out, truth))
                if fig.get("wrong") or fig["rc"] != 0:
                    # Kept for a look; a run that checked out is overwritten.
                    keep = os.path.join(a.workdir, f"internet_out_c{c or 'default'}_"
                                                   f"{'confirm' if confirm else 'noconfirm'}.jsonl")
                    if os.path.exists(out):
                        os.replace(out, keep)
                    fig["kept_output"] = keep
                results.append(fig)
                print(f"internet_bench: rc {fig['rc']}, {fig['wall']:.1f} s, "
                      f"{a.targets / fig['wall'] * 3600:,.0f} targets/h, rss "
                      f"{fig['rss_kib'] / 1024:.0f} MiB, wrong {fig.get('wrong')}, "
                      f"records {fig.get('records')}", file=sys.stderr)
                # TIME_WAIT and half-closed sockets of this run out of the way
                # of the next one's figures.
                time.sleep(2)
    finally:
        for p, _ in pops:
            p.terminate()
        for p, err in pops:
            try:
                out, _ = p.communicate(timeout=10)
                pop_stats.append(json.loads(out) if out.strip() else {})
            except (subprocess.TimeoutExpired, ValueError):
                p.kill()
            err.close()

    lines = report(a, counts, results, pop_stats)
    print("\n".join(lines))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(targets=a.targets, classes=dict(counts), runs=results,
                           population=pop_stats), f, indent=1)
    if a.write:
        section = (f"<!-- internet:begin -->\n## An internet-like population "
                   f"(bench/internet_bench.py, {scan_bench.machine()})\n\n"
                   "Reproduce: `bench/internet_bench.sh` (runs inside `unshare -n`).\n\n"
                   + "\n".join(lines) + "\n<!-- internet:end -->")
        scan_bench.write_section(a.write, "internet", section)
    ok = all(r["rc"] == 0 and r.get("wrong") == 0 and r.get("once") == a.targets
             and r.get("records") == a.targets for r in results)
    ok = ok and all(s.get("unexpected", 0) == 0 for s in pop_stats)
    sys.exit(0 if ok else 1)


def report(a, counts, results, pop_stats):
    n = a.targets
    lines = [
        f"targets: {n:,}, port {a.port}; classes (seed {a.seed}): "
        + ", ".join(f"{k} {counts.get(k, 0):,}" for k in CLASSES),
        f"answering and resetting hosts: RTT {a.rtt} ms clipped to {a.rtt_min_ms}-{a.rtt_max_ms} "
        f"ms, the answer {a.round_trips} RTTs after accept; drop and refuse by nftables",
        f"tlssweep options: defaults"
        + (f" plus {' '.join(a.scan_arg)}" if a.scan_arg else "") + "; -c per engine thread",
        "",
        "| confirm | -c | threads | wall s | targets/h | targets/h, 10-90% | version probes/s | "
        "connections/s | client CPU s | peak RSS MiB | population CPU s | records once / targets "
        "| wrong versions |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        c = r.get("concurrency") or r["c"]
        if r["rc"] != 0:
            lines.append(f"| {'on' if r['confirm'] else 'off'} | {c} | {r.get('threads', '')} | "
                         f"failed (exit {r['rc']}{', timed out' if r['timed_out'] else ''}): "
                         f"{r['stderr'].strip().splitlines()[-1] if r['stderr'].strip() else ''} "
                         "| | | | | | | | | |")
            continue
        conns = r.get("connections")
        cps = "" if conns is None else f"{conns / r['wall']:,.0f}"
        lines.append(
            f"| {'on' if r['confirm'] else 'off'} | {c} | {r.get('threads', '')} | {r['wall']:.1f} | "
            f"{n / r['wall'] * 3600:,.0f} | {r.get('steady_per_hour', 0):,.0f} | "
            f"{n * 5 / r['wall']:,.0f} | "
            f"{cps} | {r['cpu']:.1f} | "
            f"{r['rss_kib'] / 1024:.0f} | {r['population_cpu']:.1f} | "
            f"{r.get('once', 0):,} / {n:,} | {r.get('wrong', '')} |")
    for confirm in (True, False):
        rows = [r for r in results if r["confirm"] == confirm and r["rc"] == 0]
        within = [r for r in rows if r["rss_kib"] / 1024 <= a.rss_limit_mib]
        if not within:
            continue
        best = max(within, key=lambda r: r.get("concurrency") or 0)
        rate = n / best["wall"] * 3600
        steady = best.get("steady_per_hour", 0)
        lines.append(
            f"\nConfirmations {'on' if confirm else 'off'}: the largest -c within "
            f"{a.rss_limit_mib:.0f} MiB was {best.get('concurrency')} per thread "
            f"(peak RSS {best['rss_kib'] / 1024:.0f} MiB): **{rate:,.0f} targets per hour** "
            f"with all five versions over the whole run ({rate / GOAL_PER_HOUR:.2f} of the goal "
            f"of {GOAL_PER_HOUR:,}), {steady:,.0f} between the 10% and 90% marks "
            f"({steady / GOAL_PER_HOUR:.2f} of the goal).")
    for r in results:
        if r.get("wrong"):
            lines.append(f"\nWrong verdicts at -c {r.get('concurrency') or r['c']}, confirmations "
                         f"{'on' if r['confirm'] else 'off'}: by class {r['wrong_by_class']} "
                         f"(records kept in {r['kept_output']}).")
    bad = [s for s in pop_stats if s.get("unexpected") or s.get("no_slot")]
    if bad:
        lines.append(f"\nPopulation trouble: {bad}")
    return lines


if __name__ == "__main__":
    main()
