#!/usr/bin/env python3
"""bench/handshake_bench.py: full TLS handshakes per second, `tlssweep bench`
against openssl s_time, in one run, on one nginx.

nginx (Debian's, OpenSSL 3, one worker, RSA 2048, TLS 1.0-1.2 at
SECLEVEL=0, no session cache or tickets) listens on 127.41.0.1. For TLS 1.0
and for TLS 1.2, one after the other:
  - openssl s_time -new: --s-time-procs processes in parallel (s_time is
    sequential, so one process would measure its own latency, not the
    server), 8 s each;
  - tlssweep bench --json: 32 handshakes in flight, 8 s, one thread.
Neither sends anything after the handshake. Reports handshakes per second
for each and the ratio tlssweep / s_time, with the CPU of client and server
over the same interval: the server's share of one core shows that the
server, not the client, is the one saturated. Writes its section of
bench/RESULTS.md with --write.

  bench/handshake_bench.py --tlssweep PATH [--s-time-procs 4] [--write bench/RESULTS.md]
"""
import argparse
import datetime
import json
import os
import re
import resource
import shutil
import subprocess
import tempfile
import time

NGINX_CONF = """daemon off; master_process off; worker_processes 1;
pid {d}/nginx.pid; error_log {d}/error.log;
events {{ worker_connections 4096; }}
http {{ access_log off; client_body_temp_path {d}; proxy_temp_path {d};
  fastcgi_temp_path {d}; uwsgi_temp_path {d}; scgi_temp_path {d};
  server {{ listen 127.41.0.1:{port} ssl; ssl_certificate {d}/cert.pem;
    ssl_certificate_key {d}/key.pem; ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    ssl_ciphers ALL:@SECLEVEL=0; ssl_session_cache off; ssl_session_tickets off;
    return 200 'bench'; }}
}}
"""


def cpu_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def s_time(port, flag, seconds, procs):
    cmd = ["openssl", "s_time", "-connect", f"127.41.0.1:{port}", "-new", "-time", str(seconds),
           flag, "-cipher", "ALL:@SECLEVEL=0"]
    before = children_cpu()
    start = time.monotonic()
    ps = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
          for _ in range(procs)]
    done = 0
    for p in ps:
        out = p.communicate()[0]
        # "N connections in T real seconds": wall time. (The line before it,
        # "N connections in Xs;", gives the client's user CPU seconds.)
        m = re.search(r"(\d+) connections in ([\d.]+) real seconds", out)
        if m:
            done += int(m.group(1))
    wall = time.monotonic() - start
    return done / wall, wall, children_cpu() - before


def tlssweep(binary, port, version, seconds):
    start = time.monotonic()
    out = subprocess.run([binary, "bench", f"127.41.0.1:{port}", "--version", version, "-c", "32",
                          "--duration", str(seconds), "--json"], check=True, capture_output=True,
                         text=True, stdin=subprocess.DEVNULL).stdout
    wall = time.monotonic() - start
    r = json.loads(out)
    errors = sum(r["errors"].values())
    return r["handshakes_per_sec"], wall, r["client_cpu_s"], r["handshakes"], errors, r["latency_ms"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tlssweep", required=True)
    ap.add_argument("--s-time-procs", type=int, default=4)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--write")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    port = 20000 + os.getpid() % 30000
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-keyout", f"{tmp}/key.pem", "-out", f"{tmp}/cert.pem", "-subj", "/CN=bench"],
                       check=True, capture_output=True)
        open(f"{tmp}/nginx.conf", "w").write(NGINX_CONF.format(d=tmp, port=port))
        nginx = subprocess.Popen(["timeout", "300", shutil.which("nginx") or "/usr/sbin/nginx",
                                  "-c", f"{tmp}/nginx.conf", "-p", tmp])
        time.sleep(0.5)
        server_pid = int(subprocess.run(["pgrep", "-f", f"{tmp}/nginx.conf"], capture_output=True,
                                        text=True).stdout.split()[-1])
        rows = []
        for version, flag in (("tls1.0", "-tls1"), ("tls1.2", "-tls1_2")):
            s0 = cpu_of(server_pid)
            st_rate, st_wall, st_cpu = s_time(port, flag, a.seconds, a.s_time_procs)
            s1 = cpu_of(server_pid)
            tw_rate, tw_wall, tw_cpu, n, errors, lat = tlssweep(a.tlssweep, port, version, a.seconds)
            s2 = cpu_of(server_pid)
            rows.append((version, st_rate, st_cpu, (s1 - s0) / st_wall, tw_rate, tw_cpu,
                         (s2 - s1) / tw_wall, n, errors, lat))
        nginx.terminate()
        nginx.wait(timeout=10)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    lines = [f"| version | s_time x{a.s_time_procs} (handshakes/s) | its CPU s | server busy "
             "| tlssweep bench (handshakes/s) | its CPU s | server busy | p50 / p99 ms "
             "| ratio tlssweep / s_time |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for v, st, stc, sts, tw, twc, tws, n, errors, lat in rows:
        lines.append(f"| {v} | {st:,.0f} | {stc:.2f} | {sts:.0%} | {tw:,.0f} ({n:,} done, {errors} "
                     f"errors) | {twc:.2f} | {tws:.0%} | {lat['p50']:.1f} / {lat['p99']:.1f} "
                     f"| **{tw / st:.2f}** |")
    print("\n".join(lines))
    if a.write:
        section = ("<!-- handshake:begin -->\n## Full handshakes per second (bench/handshake_bench.py, "
                   f"{datetime.date.today()})\n\nnginx, one worker, RSA 2048, no session cache, on "
                   f"loopback; {a.s_time_procs} `openssl s_time -new` processes, then `tlssweep bench` "
                   f"(32 in flight, one thread), {a.seconds} s each, in one run. \"server busy\" is "
                   "the nginx worker's CPU over the interval, as a share of one core: at 100% the "
                   "server, not the client, sets the rate.\n\n" + "\n".join(lines)
                   + "\n<!-- handshake:end -->")
        text = open(a.write).read()
        pat = re.compile(r"<!-- handshake:begin -->.*?<!-- handshake:end -->", re.S)
        text = pat.sub(lambda m: section, text) if pat.search(text) else text.rstrip("\n") + "\n\n" + section + "\n"
        open(a.write, "w").write(text)


if __name__ == "__main__":
    main()
