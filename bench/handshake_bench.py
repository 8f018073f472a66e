#!/usr/bin/env python3
"""bench/handshake_bench.py: full TLS handshakes per second, tlssweep's
confirmation path against openssl s_time, in one run, on one nginx.

nginx (Debian's, OpenSSL 3, one worker, RSA 2048, TLS 1.0-1.2 at
SECLEVEL=0) listens on 127.41.0.1. For TLS 1.0 and for TLS 1.2:
  - openssl s_time -new: two processes in parallel (s_time is sequential, so
    one process would measure its own latency, not the server), 8 s each;
  - tlssweep: 40 targets naming the same endpoint, each confirmed 255 times
    (--repeat 255 --confirm-all, 32 connections at once, one thread), so
    10,200 full handshakes through BoringSSL in the io_uring loop, plus the
    HTTP HEAD tlssweep's application check sends after each (s_time sends
    nothing: tlssweep does a little more work per handshake).
Reports handshakes per second for each, the ratio tlssweep / s_time, and
the CPU of client and server, and writes its section of bench/RESULTS.md.

  bench/handshake_bench.py --tlssweep PATH [--write bench/RESULTS.md]
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


def s_time(port, flag, seconds=8, procs=2):
    cmd = ["openssl", "s_time", "-connect", f"127.41.0.1:{port}", "-new", "-time", str(seconds),
           flag, "-cipher", "ALL:@SECLEVEL=0"]
    before = children_cpu()
    ps = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
          for _ in range(procs)]
    total = 0
    for p in ps:
        out = p.communicate()[0]
        # "N connections in T real seconds": wall time. (The line before it,
        # "N connections in Xs;", gives the client's user CPU seconds.)
        m = re.search(r"(\d+) connections in ([\d.]+) real seconds", out)
        if m:
            total += int(m.group(1)) / float(m.group(2))
    return total, children_cpu() - before


def tlssweep(binary, port, version, tmp):
    targets = [f"https://127.41.0.1:{port} label=t{i}" for i in range(40)]
    meta = os.path.join(tmp, "meta.json")
    before = children_cpu()
    start = time.monotonic()
    subprocess.run([binary, "scan", "-q", "-V", version, "--confirm-all", "--repeat", "255",
                    "--per-host", "32", "-c", "32", "--threads", "1", "--no-shape-retry",
                    "--timeout", "10s", "--metadata", meta, "-o", os.path.join(tmp, "o.jsonl")]
                   + targets, check=True, stdin=subprocess.DEVNULL)
    wall = time.monotonic() - start
    runs = ok = 0
    for line in open(os.path.join(tmp, "o.jsonl")):
        c = json.loads(line)["versions"][version]["confirm"]
        runs += c["repeat"]["n"]
        ok += c["repeat"]["handshake_ok"]
    return ok / wall, ok, runs, children_cpu() - before


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tlssweep", required=True)
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
            st_rate, st_cpu = s_time(port, flag)
            s1 = cpu_of(server_pid)
            tw_rate, ok, runs, tw_cpu = tlssweep(a.tlssweep, port, version, tmp)
            s2 = cpu_of(server_pid)
            rows.append((version, st_rate, st_cpu, s1 - s0, tw_rate, tw_cpu, s2 - s1, ok, runs))
        nginx.terminate()
        nginx.wait(timeout=10)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    lines = ["| version | s_time x2 (handshakes/s) | client cpu s | server cpu s | tlssweep (handshakes/s) "
             "| client cpu s | server cpu s | ratio tlssweep / s_time |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for v, st, stc, sts, tw, twc, tws, ok, runs in rows:
        lines.append(f"| {v} | {st:,.0f} | {stc:.2f} | {sts:.2f} | {tw:,.0f} ({ok}/{runs} ok) | "
                     f"{twc:.2f} | {tws:.2f} | **{tw / st:.2f}** |")
    print("\n".join(lines))
    if a.write:
        section = ("<!-- handshake:begin -->\n## Full handshakes per second (bench/handshake_bench.py, "
                   f"{datetime.date.today()})\n\nnginx, one worker, RSA 2048, on loopback; two `openssl "
                   "s_time -new` processes against tlssweep's confirmation path (BoringSSL over memory "
                   "BIOs in the io_uring loop, one thread, 32 at once; each handshake followed by an HTTP "
                   "HEAD). Measured in one run.\n\n" + "\n".join(lines) + "\n<!-- handshake:end -->")
        text = open(a.write).read()
        pat = re.compile(r"<!-- handshake:begin -->.*?<!-- handshake:end -->", re.S)
        text = pat.sub(lambda m: section, text) if pat.search(text) else text.rstrip("\n") + "\n\n" + section + "\n"
        open(a.write, "w").write(text)


if __name__ == "__main__":
    main()
