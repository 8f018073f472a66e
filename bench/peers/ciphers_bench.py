#!/usr/bin/env python3
"""bench/peers/ciphers_bench.py: what a full cipher-suite enumeration costs,
tlssweep --ciphers against sslscan's and nmap ssl-enum-ciphers', on the same
five real servers in one run.

The servers are enumerate_test's (tests/integration/enumerate_test.sh), in a
network namespace of this script's own (unshare -n: gnutls-serv listens on
every interface): openssl s_server with legacy suites at SECLEVEL=0, nginx
in server order, an ECDSA-only s_server, gnutls-serv with 3DES and RC4, and
tests/servers/boringssl_server. In front of each, tests/integration/
tls_proxy.py in watch mode logs every connection a tool opens, so
connections are counted at the server's door, whatever the tool does with
them (probes, confirmations, retries).

Each tool enumerates each endpoint alone, one run per endpoint, in turn:
  - tlssweep scan --ciphers (its default: probes of every version, a full
    handshake for TLS 1.0/1.1 and the highest version, then enumeration);
  - tlssweep scan --ciphers --no-confirm (probes and enumeration only);
  - sslscan with the extras off (no certificate, Heartbleed, renegotiation,
    compression, fallback or groups checks): the cipher scan alone;
  - nmap -Pn -n --script ssl-enum-ciphers.
Connections are counted through the proxies; wall time is measured on a
second run straight to the servers (the proxy's own cost left out), best of
--rounds. Suites found are compared, so a cheap tool that misses suites
shows it. Output: a Markdown table, and --json FILE for the figures.

  bench/peers/ciphers_bench.py --tlssweep PATH --boringssl-server PATH
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
PROXY = os.path.join(HERE, "..", "..", "tests", "integration", "tls_proxy.py")

# label, server address, port; each proxy listens on 127.66.0.x, port + 20000
# (gnutls-serv holds its port on every address)
SERVERS = [
    ("legacy", "127.64.0.1", 4431),
    ("order", "127.64.0.2", 4432),
    ("ecdsa", "127.64.0.3", 4433),
    ("gnutls", "127.64.0.4", 4434),
    ("boring", "127.64.0.5", 4435),
]


def proxy_addr(addr):
    return addr.replace("127.64.", "127.66.")


def wait_listening(addr, port):
    import socket
    for _ in range(100):
        try:
            socket.create_connection((addr, port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("nothing listens on %s:%d" % (addr, port))


def start_servers(tmp, boring, procs):
    def run(args, log, env=None):
        procs.append(subprocess.Popen(args, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, env=env))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    tmp + "/key.pem", "-out", tmp + "/cert.pem", "-days", "2", "-subj",
                    "/CN=bench"], capture_output=True, check=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", tmp + "/eckey.pem", "-out",
                    tmp + "/eccert.pem", "-days", "2", "-subj", "/CN=ecdsa"],
                   capture_output=True, check=True)
    run(["openssl", "s_server", "-accept", "127.64.0.1:4431", "-cert", tmp + "/cert.pem", "-key",
         tmp + "/key.pem", "-www", "-quiet", "-min_protocol", "TLSv1", "-no_tls1_1", "-cipher",
         "AES128-SHA:AES256-SHA256:NULL-SHA256:ADH-AES128-SHA:CAMELLIA128-SHA:"
         "DHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
         "-ciphersuites", "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"],
        tmp + "/legacy.log")
    with open(tmp + "/nginx.conf", "w") as f:
        f.write("daemon off; master_process off; pid %s/nginx.pid; error_log %s/error.log;\n"
                "events { worker_connections 256; }\n"
                "http { access_log off; client_body_temp_path %s; proxy_temp_path %s;\n"
                "  fastcgi_temp_path %s; uwsgi_temp_path %s; scgi_temp_path %s;\n"
                "  server { listen 127.64.0.2:4432 ssl; ssl_protocols TLSv1.2 TLSv1.3;\n"
                "    ssl_certificate %s/cert.pem; ssl_certificate_key %s/key.pem;\n"
                "    ssl_ciphers 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:"
                "AES128-GCM-SHA256:AES256-SHA';\n"
                "    ssl_prefer_server_ciphers on; return 200 'order'; }\n}\n"
                % ((tmp,) * 9))
    run([shutil.which("nginx") or "/usr/sbin/nginx", "-c", tmp + "/nginx.conf", "-p", tmp, "-e",
         tmp + "/error.log"], tmp + "/nginx.out")
    run(["openssl", "s_server", "-accept", "127.64.0.3:4433", "-cert", tmp + "/eccert.pem",
         "-key", tmp + "/eckey.pem", "-www", "-quiet", "-min_protocol", "TLSv1.2", "-cipher",
         "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-CHACHA20-POLY1305"],
        tmp + "/ecdsa.log")
    run(["gnutls-serv", "--port", "4434", "--x509certfile", tmp + "/cert.pem", "--x509keyfile",
         tmp + "/key.pem", "--priority",
         "NONE:+VERS-TLS1.0:+VERS-TLS1.2:+AES-128-CBC:+3DES-CBC:+ARCFOUR-128:+AES-128-GCM:+RSA:"
         "+ECDHE-RSA:+SHA1:+AEAD:+SIGN-ALL:+GROUP-ALL:+COMP-NULL:%SERVER_PRECEDENCE"],
        tmp + "/gnutls.log", env=dict(os.environ, GNUTLS_SYSTEM_PRIORITY_FILE="/dev/null"))
    run([boring, "--addr", "127.64.0.5", "--port", "4435", "--cert", tmp + "/cert.pem", "--key",
         tmp + "/key.pem", "--min", "1.0", "--max", "1.3", "--server-order", "1", "--seconds",
         "3600", "--ciphers",
         "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:AES128-SHA:DES-CBC3-SHA"],
        tmp + "/boring.log")
    for _, addr, port in SERVERS:
        wait_listening(addr, port)


def accepted(log):
    """Connections the proxy has accepted so far (its "accept" lines)."""
    with open(log, encoding="utf-8") as f:
        return sum(1 for line in f if '"event": "accept"' in line)


def tool_commands(tool, tlssweep, addr, port, out):
    if tool == "tlssweep":
        return [tlssweep, "scan", "--ciphers", "--timeout", "3s", "-q", "-o", out,
                "%s:%d" % (addr, port)]
    if tool == "tlssweep-no-confirm":
        return [tlssweep, "scan", "--ciphers", "--no-confirm", "--timeout", "3s", "-q", "-o", out,
                "%s:%d" % (addr, port)]
    if tool == "sslscan":
        return ["sslscan", "--no-colour", "--no-check-certificate", "--no-heartbleed",
                "--no-renegotiation", "--no-compression", "--no-fallback", "--no-groups",
                "--xml=" + out, "%s:%d" % (addr, port)]
    return ["nmap", "-Pn", "-n", "-p", str(port), "--script", "ssl-enum-ciphers", "-oX", out, addr]


def suites_found(tool, out):
    """The set of (version, suite name) a tool reported."""
    found = set()
    try:
        if tool.startswith("tlssweep"):
            rec = json.loads(open(out, encoding="utf-8").readline())
            for v, d in rec.get("versions", {}).items():
                for s in d.get("ciphers", {}).get("suites", []):
                    found.add((v, int(s["code"], 16)))
        elif tool == "sslscan":
            names = {"TLSv1.0": "tls1.0", "TLSv1.1": "tls1.1", "TLSv1.2": "tls1.2",
                     "TLSv1.3": "tls1.3"}
            for c in ET.parse(out).iter("cipher"):
                if c.get("sslversion") in names:
                    found.add((names[c.get("sslversion")], int(c.get("id"), 16)))
        else:
            for table in ET.parse(out).iter("table"):
                v = {"TLSv1.0": "tls1.0", "TLSv1.1": "tls1.1", "TLSv1.2": "tls1.2",
                     "TLSv1.3": "tls1.3"}.get(table.get("key"))
                for e in table.iter("elem") if v else []:
                    if e.get("key") == "name":
                        found.add((v, e.text.replace("TLS_AKE_WITH_", "TLS_")))
    except (OSError, ValueError, ET.ParseError):
        pass
    return found


def version_string(tool):
    try:
        if tool == "sslscan":
            out = subprocess.run(["sslscan", "--version"], capture_output=True, text=True).stdout
            m = re.search(r"(\d+\.\d+\.\d+)", out)
        elif tool == "nmap":
            out = subprocess.run(["nmap", "--version"], capture_output=True, text=True).stdout
            m = re.search(r"version (\S+)", out)
        else:
            return ""
        return " " + m.group(1) if m else ""
    except OSError:
        return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tlssweep", required=True)
    ap.add_argument("--boringssl-server", required=True)
    ap.add_argument("--rounds", type=int, default=3, help="timed runs per tool and endpoint")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    if os.environ.get("CIPHERS_BENCH_NETNS") is None:
        os.execvp("unshare", ["unshare", "-n", "env", "CIPHERS_BENCH_NETNS=1", sys.executable]
                  + sys.argv)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    tlssweep = os.path.abspath(args.tlssweep)
    tmp = tempfile.mkdtemp(prefix="ciphers_bench.")
    os.chmod(tmp, 0o711)
    procs = []
    tools = ["tlssweep", "tlssweep-no-confirm"] + [t for t in ("sslscan", "nmap")
                                                   if shutil.which(t)]
    rows = {t: {"connections": 0, "wall_s": 0.0, "per_endpoint": {}} for t in tools}
    try:
        start_servers(tmp, os.path.abspath(args.boringssl_server), procs)
        for label, addr, port in SERVERS:
            log = "%s/%s.proxy.jsonl" % (tmp, label)
            procs.append(subprocess.Popen([sys.executable, PROXY, proxy_addr(addr),
                                           str(port + 20000), addr, str(port), "watch", "3600",
                                           log],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            wait_listening(proxy_addr(addr), port + 20000)
        # The connections the readiness checks made are not any tool's.
        time.sleep(0.5)
        for label, addr, port in SERVERS:
            log = "%s/%s.proxy.jsonl" % (tmp, label)
            for tool in tools:
                before = accepted(log)
                out = "%s/%s.%s.out" % (tmp, label, tool)
                subprocess.run(tool_commands(tool, tlssweep, proxy_addr(addr), port + 20000, out),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
                conns = accepted(log) - before
                best = None
                for _ in range(args.rounds):
                    t0 = time.monotonic()
                    subprocess.run(tool_commands(tool, tlssweep, addr, port, out + ".direct"),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   timeout=600)
                    took = time.monotonic() - t0
                    best = took if best is None else min(best, took)
                found = suites_found(tool, out + ".direct")
                proxied = suites_found(tool, out)
                rows[tool]["connections"] += conns
                rows[tool]["wall_s"] += best
                rows[tool]["per_endpoint"][label] = {"connections": conns, "wall_s": best,
                                                     "suites": len(found),
                                                     "suites_proxied": len(proxied)}
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    n = len(SERVERS)
    print("| tool | connections per endpoint | wall s per endpoint | per endpoint: connections/suites |")
    print("| --- | ---: | ---: | --- |")
    for tool in tools:
        r = rows[tool]
        per = ", ".join("%s %d/%d%s" % (k, v["connections"], v["suites"],
                                         "" if v["suites_proxied"] == v["suites"]
                                         else " (%d proxied)" % v["suites_proxied"])
                        for k, v in r["per_endpoint"].items())
        print("| %s%s | %.1f | %.2f | %s |" % (tool, version_string(tool), r["connections"] / n,
                                               r["wall_s"] / n, per))
    base = rows["tlssweep"]
    for tool in tools[1:]:
        print("%s / tlssweep: connections %.2fx, wall time %.2fx" % (
            tool, rows[tool]["connections"] / max(base["connections"], 1),
            rows[tool]["wall_s"] / max(base["wall_s"], 1e-9)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
