#!/usr/bin/env python3
"""bench/peers/peers_bench.py: tlssweep side by side with the tools a user
would pick instead, doing the same job (which TLS versions does each endpoint
accept?) against the same loopback fleet of real servers, in one run.

The fleet, started here from configs in a temp dir, each listener on a
standard port so every tool recognises the service without being told:
  - nginx (HTTPS, port 443) on --https distinct addresses 127.50.x.y, each
    with one of seven version sets (TLS 1.0-1.3, 1.2-1.3, 1.3, 1.2, 1.0-1.2,
    1.0-1.1, 1.1-1.2), at SECLEVEL=0 so that OpenSSL 3 allows 1.0 and 1.1;
  - dovecot, twice (ssl_min_protocol TLSv1 and TLSv1.2): IMAP STARTTLS (143)
    and POP3 STLS (110) on 127.51.x.y;
  - postfix: SMTP STARTTLS (25) on 127.52.0.y with four version sets.
So the truth of every target is known from its config, and each tool's
answers are compared with it on TLS 1.0, 1.1, 1.2 and 1.3 (no server here
speaks SSLv3).

The tools, all Debian packages, each run as its documentation suggests for
many targets:
  - tlssweep scan (defaults: probes of all five versions, and a full
    BoringSSL handshake plus the protocol's first exchange for TLS 1.0/1.1
    and the highest version), and tlssweep scan --no-confirm (probes only,
    the peers' job exactly) as "tlssweep-probes"; the headline uses the
    default;
  - sslscan --targets, protocol checks only (one run per STARTTLS protocol);
  - testssl.sh -p --file --parallel (mass testing);
  - nmap --script ssl-enum-ciphers (one run over every port);
  - openssl s_client, one per target and version, under xargs -P 64, with
    -cipher ALL:@SECLEVEL=0 (without it, TLS 1.0/1.1 read as a false "no").
Slow tools run on a sample of the fleet (a seeded random subset covering
every version set), and their rate is taken on the sample; the table says so.

With --rtt-ms 50 (the default runs 0 and 50), the same tools run again through
bench/peers/delayproxy, which listens on 127.60-62.x.y (same ports) and adds
half the RTT to every chunk each way before forwarding to the real servers:
loopback hides the latency that makes sequential tools slow on the internet.
(The TCP handshake to the proxy is not delayed, so a real connection costs
one RTT more than here, for every tool.)

Before any tool is timed, one connection to every target at once makes the
servers spawn their worker processes, so the first tool does not pay for
them. For each tool: wall time, targets per second, client CPU (user+system
of the tool and all its children), peak RSS (summed over the tool's process
tree, sampled every 20 ms for the first second, then every 100 ms), the
servers' CPU over the same interval and per target, and agreement (targets
whose accepted versions are exactly the truth). The headlines, at each RTT:
tlssweep's targets per second over the best peer's that agreed with the
truth, and what a target costs the servers under tlssweep's probes
(--no-confirm) over what it costs them under sslscan's protocol checks.

Then, at 0 ms, a head-to-head on the all-versions nginx fleet: --allv more
nginx addresses (127.53.x.y, as many as --https unless told), every one
accepting TLS 1.0-1.3, so that every probe of those versions is accepted and
costs the server its full answer (the case where a probe's cost to servers
shows most). sslscan and tlssweep --no-confirm scan it in turn, --h2h-rounds
times, the order reversed every other round; reported: the wall-time ratio
sslscan / tlssweep --no-confirm and the ratio of their server CPU per
target, each round's and the median.

  bench/peers/peers_bench.py --tlssweep PATH --delayproxy PATH
      [--https 1000] [--mail 300] [--allv N] [--h2h-rounds 2] [--rtt-ms 0,50]
      [--sample TOOL=N ...] [--only TOOL,...] [--write bench/RESULTS.md]

Needs root (ports below 1024, postfix) and the packages of
tools/install-deps.sh.
"""
import argparse
import datetime
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

VERSIONS = ("tls1.0", "tls1.1", "tls1.2", "tls1.3")
ALL = frozenset(VERSIONS)
PORTS = {"https": 443, "imap": 143, "pop3": 110, "smtp": 25}

# nginx ssl_protocols, and what it accepts.
HTTPS_SETS = [
    ("TLSv1 TLSv1.1 TLSv1.2 TLSv1.3", ALL),
    ("TLSv1.2 TLSv1.3", {"tls1.2", "tls1.3"}),
    ("TLSv1.3", {"tls1.3"}),
    ("TLSv1.2", {"tls1.2"}),
    ("TLSv1 TLSv1.1 TLSv1.2", {"tls1.0", "tls1.1", "tls1.2"}),
    ("TLSv1 TLSv1.1", {"tls1.0", "tls1.1"}),
    ("TLSv1.1 TLSv1.2", {"tls1.1", "tls1.2"}),
]
# postfix smtpd_tls_protocols, and what it accepts.
SMTP_SETS = [
    (">=TLSv1", ALL),
    (">=TLSv1.2", {"tls1.2", "tls1.3"}),
    (">=TLSv1.1, <=TLSv1.2", {"tls1.1", "tls1.2"}),
    ("<=TLSv1.1", {"tls1.0", "tls1.1"}),
]
TOOLS = ("tlssweep", "tlssweep-probes", "sslscan", "testssl", "nmap", "s_client")


class Target:
    def __init__(self, proto, addr, truth, group):
        self.proto, self.addr, self.truth, self.group = proto, addr, frozenset(truth), group
        self.port = PORTS[proto]

    def key(self):
        return (self.addr, self.port)

    def via(self, rtt):
        """The same target as seen through the delay proxy (127.5x -> 127.6x)."""
        if not rtt:
            return self
        a = self.addr.split(".")
        return Target(self.proto, f"127.{int(a[1]) + 10}.{a[2]}.{a[3]}", self.truth, self.group)


def allv_fleet(n):
    """The head-to-head's nginx fleet: every address accepts TLS 1.0-1.3."""
    return [Target("https", f"127.53.{i // 250}.{i % 250 + 1}", ALL, f"nginx:{HTTPS_SETS[0][0]}")
            for i in range(n)]


def fleet(n_https, n_mail):
    ts = []
    for i in range(n_https):
        ts.append(Target("https", f"127.50.{i // 250}.{i % 250 + 1}", HTTPS_SETS[i % 7][1],
                         f"nginx:{HTTPS_SETS[i % 7][0]}"))
    # Mail: a third postfix, a third dovecot IMAP, a third dovecot POP3; the two
    # dovecot instances alternate.
    per = max(1, n_mail // 3)
    for i in range(per):
        lo = i % 2 == 0
        ts.append(Target("imap", f"127.51.{0 if lo else 2}.{i // 2 + 1}",
                         ALL if lo else {"tls1.2", "tls1.3"}, f"dovecot imap:{'1.0' if lo else '1.2'}+"))
        ts.append(Target("pop3", f"127.51.{1 if lo else 3}.{i // 2 + 1}",
                         ALL if lo else {"tls1.2", "tls1.3"}, f"dovecot pop3:{'1.0' if lo else '1.2'}+"))
        ts.append(Target("smtp", f"127.52.{i // 250}.{i % 250 + 1}", SMTP_SETS[i % 4][1],
                         f"postfix:{SMTP_SETS[i % 4][0]}"))
    return ts


# ---------------------------------------------------------------- servers

def write(path, text):
    with open(path, "w") as f:
        f.write(text)


class Servers:
    """nginx, two dovecots and postfix for the fleet, each in a session of its
    own so their CPU (live processes and reaped children) can be summed."""

    def __init__(self, tmp, targets):
        self.tmp, self.targets, self.procs = tmp, targets, []

    def start(self):
        t = self.tmp
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-keyout", f"{t}/key.pem", "-out", f"{t}/cert.pem", "-subj", "/CN=peers.test"],
                       check=True, capture_output=True)
        os.chmod(f"{t}/key.pem", 0o644)
        self._nginx()
        self._dovecot("10", "TLSv1", "ALL:@SECLEVEL=0", "127.51.0.", "127.51.1.")
        self._dovecot("12", "TLSv1.2", "DEFAULT", "127.51.2.", "127.51.3.")
        self._postfix()
        self._wait_listening()

    def _spawn(self, name, cmd):
        log = open(f"{self.tmp}/{name}.out", "w")
        self.procs.append((name, subprocess.Popen(["timeout", "7200"] + cmd, stdout=log, stderr=log,
                                                  stdin=subprocess.DEVNULL, start_new_session=True)))

    def _nginx(self):
        d = f"{self.tmp}/nginx"
        os.makedirs(d)
        servers = "".join(
            f"  server {{ listen {x.addr}:443 ssl; ssl_protocols {x.group.split(':')[1]}; return 200 'peers'; }}\n"
            for x in self.targets if x.proto == "https")
        write(f"{d}/nginx.conf", f"""daemon off; worker_processes 2; pid {d}/nginx.pid;
error_log {d}/error.log; worker_rlimit_nofile 65536;
events {{ worker_connections 16384; }}
http {{ access_log off; client_body_temp_path {d}; proxy_temp_path {d};
  fastcgi_temp_path {d}; uwsgi_temp_path {d}; scgi_temp_path {d};
  ssl_certificate {self.tmp}/cert.pem; ssl_certificate_key {self.tmp}/key.pem;
  ssl_ciphers ALL:@SECLEVEL=0; default_type text/plain;
{servers}}}
""")
        self._spawn("nginx", [shutil.which("nginx") or "/usr/sbin/nginx", "-c", f"{d}/nginx.conf",
                              "-p", d])

    def _dovecot(self, name, minproto, ciphers, imap_net, pop3_net):
        d = f"{self.tmp}/dovecot-{name}"
        os.makedirs(d)
        write(f"{d}/passwd", "")
        imap = " ".join(x.addr for x in self.targets if x.addr.startswith(imap_net))
        pop3 = " ".join(x.addr for x in self.targets if x.addr.startswith(pop3_net))
        # Login processes in "high-performance" mode (service_count = 0): one
        # process serves many clients, instead of a process per connection
        # capped at 100, which would make dovecot, not the tools, the subject.
        login = "service_count = 0\n    process_min_avail = 2\n    client_limit = 4096"
        write(f"{d}/dovecot.conf", f"""base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
default_login_user = dovenull
default_internal_user = dovecot
default_client_limit = 8192
ssl = yes
ssl_cert = <{self.tmp}/cert.pem
ssl_key = <{self.tmp}/key.pem
ssl_min_protocol = {minproto}
ssl_cipher_list = {ciphers}
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = {d}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={d}/home
}}
mail_location = maildir:{d}/mail
service anvil {{
  client_limit = 20000
}}
service imap-login {{
  inet_listener imap {{
    address = {imap}
    port = 143
  }}
  inet_listener imaps {{
    port = 0
  }}
  {login}
}}
service pop3-login {{
  inet_listener pop3 {{
    address = {pop3}
    port = 110
  }}
  inet_listener pop3s {{
    port = 0
  }}
  {login}
}}
""")
        self._spawn(f"dovecot-{name}", ["dovecot", "-F", "-c", f"{d}/dovecot.conf"])

    def _postfix(self):
        pf = f"{self.tmp}/postfix"
        for sub in ("conf", "queue/pid", "queue/private", "queue/public", "data"):
            os.makedirs(f"{pf}/{sub}")
        for sub in ("queue/private", "queue/public", "data"):
            shutil.chown(f"{pf}/{sub}", "postfix")
        os.chmod(f"{pf}/queue/private", 0o700)
        write(f"{pf}/conf/main.cf", f"""compatibility_level = 3.6
queue_directory = {pf}/queue
data_directory = {pf}/data
mail_owner = postfix
myhostname = mail.peers.test
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
inet_interfaces = loopback-only
inet_protocols = ipv4
maillog_file_prefixes = {pf}
maillog_file = {pf}/maillog
default_process_limit = 256
max_idle = 3600
max_use = 100000
smtpd_peername_lookup = no
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_tls_cert_file = {self.tmp}/cert.pem
smtpd_tls_key_file = {self.tmp}/key.pem
smtpd_tls_security_level = may
smtpd_tls_loglevel = 0
tls_medium_cipherlist = ALL:@SECLEVEL=0
""")
        lines = []
        for x in self.targets:
            if x.proto == "smtp":
                lines.append(f"{x.addr}:25 inet n - n - - smtpd -o {{ smtpd_tls_protocols = "
                             f"{x.group.split(':', 1)[1]} }}")
        lines += ["anvil unix - - n - 1 anvil", "tlsmgr unix - - n 1000? 1 tlsmgr",
                  "postlog unix-dgram n - n - 1 postlogd"]
        write(f"{pf}/conf/master.cf", "\n".join(lines) + "\n")
        self._spawn("postfix", ["/usr/lib/postfix/sbin/master", "-c", f"{pf}/conf", "-d"])

    def _wait_listening(self):
        want = {f"{x.addr}:{x.port}" for x in self.targets}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            out = subprocess.run(["ss", "-Hltn"], capture_output=True, text=True).stdout
            have = {line.split()[3] for line in out.splitlines() if len(line.split()) > 3}
            missing = want - have
            if not missing:
                return
            for name, p in self.procs:
                if p.poll() is not None:
                    sys.exit(f"peers: {name} exited ({p.returncode}); see {self.tmp}/{name}.out")
            time.sleep(0.2)
        sys.exit(f"peers: {len(missing)} fleet listeners never came up, e.g. {sorted(missing)[:3]}")

    def warm_up(self):
        """One connection to every target at once, mail greetings read: the
        servers spawn their worker processes (postfix's smtpd, one per
        connection, kept by max_idle) before any tool is timed, so the first
        tool measured does not pay for them."""
        import socket
        socks = []
        for x in self.targets:
            c = socket.socket()
            c.settimeout(5)
            try:
                c.connect((x.addr, x.port))
            except OSError as e:
                sys.exit(f"peers: warm-up: cannot connect to {x.addr}:{x.port}: {e}")
            socks.append((x, c))
        for x, c in socks:
            try:
                if x.proto != "https":
                    c.recv(512)
            except OSError:
                pass
            c.close()

    def sessions(self):
        return {p.pid for _, p in self.procs}

    def cpu(self):
        return session_stat(self.sessions())[0]

    def cpu_by_server(self):
        """The same CPU split by server (nginx, dovecot-10, dovecot-12,
        postfix), to say which dialogue a difference comes from."""
        return {name: session_stat({p.pid})[0] for name, p in self.procs}

    def stop(self):
        for _, p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for _, p in self.procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def session_stat(sids):
    """CPU seconds (own and reaped children) and resident bytes of every
    process in the given sessions."""
    cpu = rss = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[3]) not in sids:
                continue
            cpu += sum(int(x) for x in fields[11:15]) / TICK
            rss += int(fields[21]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return cpu, rss


def passive_opens():
    """Connections accepted by every listener on the machine (Tcp
    PassiveOpens): over one tool's run, the connections it made to the fleet
    (through the delay proxy, each is counted twice)."""
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Tcp:")]
    return int(rows[1][rows[0].index("PassiveOpens")])


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def measure(cmd, servers, timeout, stdout=subprocess.DEVNULL, cwd=None):
    """Runs one tool to the end (or to timeout), sampling its process tree."""
    c0, s0, t0 = children_cpu(), servers.cpu(), time.monotonic()
    by0, o0 = servers.cpu_by_server(), passive_opens()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                         start_new_session=True, cwd=cwd)
    peak, timed_out = 0, False
    while True:
        try:
            # Often at first, so that a tool done in a tenth of a second still
            # has its memory seen.
            p.wait(timeout=0.02 if time.monotonic() - t0 < 1 else 0.1)
            break
        except subprocess.TimeoutExpired:
            peak = max(peak, session_stat({p.pid})[1])
            if time.monotonic() - t0 > timeout:
                os.killpg(p.pid, signal.SIGKILL)
                timed_out = True
    wall = time.monotonic() - t0
    by = servers.cpu_by_server()
    return {"wall": wall, "cpu": children_cpu() - c0, "rss": peak, "server_cpu": servers.cpu() - s0,
            "server_cpu_by": {k: v - by0.get(k, 0.0) for k, v in by.items()},
            "connections": passive_opens() - o0, "rc": p.returncode, "timed_out": timed_out}


# ---------------------------------------------------------------- the tools
# Each takes (targets, tmp, run) where run(cmd, ...) is measure() bound to the
# servers, and returns (measurement, {key: set of accepted versions}).

def tool_tlssweep(targets, tmp, run, binary, extra=()):
    with open(f"{tmp}/tlssweep.txt", "w") as f:
        for x in targets:
            f.write(f"{x.proto}://{x.addr}:{x.port}\n")
    m = run([binary, "scan", "-q", "-i", f"{tmp}/tlssweep.txt", "-o", f"{tmp}/tlssweep.jsonl"]
            + list(extra))
    seen = {}
    for line in open(f"{tmp}/tlssweep.jsonl"):
        r = json.loads(line)
        seen[(r["ip"], r["port"])] = {v for v in VERSIONS
                                      if r.get("versions", {}).get(v, {}).get("verdict") == "accepted"}
    return m, seen


SSLSCAN_QUIET = ["--no-ciphersuites", "--no-fallback", "--no-renegotiation", "--no-compression",
                 "--no-heartbleed", "--no-groups", "--no-cipher-details", "--no-check-certificate",
                 "--no-colour"]


def tool_sslscan(targets, tmp, run):
    """sslscan takes one STARTTLS mode per run: one run per protocol, in turn,
    as a user would script it; the figures are summed."""
    total, seen = None, {}
    for proto in PORTS:
        group = [x for x in targets if x.proto == proto]
        if not group:
            continue
        write(f"{tmp}/sslscan-{proto}.txt", "".join(f"{x.addr}:{x.port}\n" for x in group))
        flag = [] if proto == "https" else [f"--starttls-{proto}"]
        out = f"{tmp}/sslscan-{proto}.xml"
        m = run(["sslscan", f"--targets={tmp}/sslscan-{proto}.txt", f"--xml={out}"] + flag + SSLSCAN_QUIET)
        total = add(total, m)
        try:
            root = ET.parse(out).getroot()
        except (ET.ParseError, OSError):
            continue
        for t in root.iter("ssltest"):
            acc = set()
            for p in t.iter("protocol"):
                v = f"tls{p.get('version')}"
                if p.get("type") == "tls" and v in VERSIONS and p.get("enabled") == "1":
                    acc.add(v)
            seen[(t.get("host"), int(t.get("port")))] = acc
    return total, seen


def tool_testssl(targets, tmp, run):
    lines = []
    for x in targets:
        lines.append(("" if x.proto == "https" else f"-t {x.proto} ") + f"{x.addr}:{x.port}")
    write(f"{tmp}/testssl.txt", "\n".join(lines) + "\n")
    out = f"{tmp}/testssl-out"
    os.makedirs(out)
    m = run(["testssl", "--quiet", "--color", "0", "--warnings", "off", "--nodns", "none", "-p",
             "--parallel", "--file", f"{tmp}/testssl.txt", "--csvfile", out], cwd=tmp)
    seen = {}
    ids = {"TLS1": "tls1.0", "TLS1_1": "tls1.1", "TLS1_2": "tls1.2", "TLS1_3": "tls1.3"}
    import csv
    for name in os.listdir(out):
        with open(os.path.join(out, name), newline="") as f:
            for row in csv.reader(f):
                if len(row) < 5 or row[0] not in ids:
                    continue
                ip = row[1].split("/")[-1]
                acc = seen.setdefault((ip, int(row[2])), set())
                if row[4].startswith("offered"):
                    acc.add(ids[row[0]])
    return m, seen


def tool_nmap(targets, tmp, run):
    write(f"{tmp}/nmap.txt", "".join(f"{a}\n" for a in sorted({x.addr for x in targets})))
    ports = ",".join(str(p) for p in sorted({x.port for x in targets}))
    out = f"{tmp}/nmap.xml"
    # -Pn -n: the hosts are known to be up, and no DNS; the rest is nmap's default.
    m = run(["nmap", "-Pn", "-n", "-p", ports, "--script", "ssl-enum-ciphers", "-iL",
             f"{tmp}/nmap.txt", "-oX", out])
    seen = {}
    try:
        root = ET.parse(out).getroot()
    except (ET.ParseError, OSError):
        return m, seen
    for host in root.iter("host"):
        addr = host.find("address").get("addr")
        for port in host.iter("port"):
            acc = set()
            for script in port.iter("script"):
                if script.get("id") != "ssl-enum-ciphers":
                    continue
                for table in script.findall("table"):
                    k = table.get("key", "")
                    if k.startswith("TLSv1."):
                        acc.add("tls" + k[4:])
            seen[(addr, int(port.get("portid")))] = acc & ALL
    return m, seen


S_CLIENT_JOB = r"""
v="$4"; flag="-tls1"; [ "$v" = tls1.0 ] || flag="-tls1_$(echo "$v" | cut -c6)"
st=""; [ "$3" = https ] || st="-starttls $3"
if timeout 15 openssl s_client -connect "$1:$2" $st $flag -cipher 'ALL:@SECLEVEL=0' \
     </dev/null >/dev/null 2>&1; then echo "$1 $2 $v yes"; else echo "$1 $2 $v no"; fi
"""


def tool_s_client(targets, tmp, run):
    write(f"{tmp}/s_client.txt", "".join(f"{x.addr} {x.port} {x.proto} {v}\n"
                                         for x in targets for v in VERSIONS))
    with open(f"{tmp}/s_client.out", "w") as out:
        m = run(["sh", "-c", f"xargs -P 64 -L 1 sh -c '{S_CLIENT_JOB.strip()}' _ < {tmp}/s_client.txt"],
                stdout=out)
    seen = {}
    for line in open(f"{tmp}/s_client.out"):
        a, p, v, ok = line.split()
        acc = seen.setdefault((a, int(p)), set())
        if ok == "yes":
            acc.add(v)
    return m, seen


def add(a, b):
    if a is None:
        return dict(b)
    return {"wall": a["wall"] + b["wall"], "cpu": a["cpu"] + b["cpu"], "rss": max(a["rss"], b["rss"]),
            "server_cpu": a["server_cpu"] + b["server_cpu"],
            "server_cpu_by": {k: a["server_cpu_by"].get(k, 0.0) + v for k, v in b["server_cpu_by"].items()},
            "connections": a["connections"] + b["connections"], "rc": a["rc"] or b["rc"],
            "timed_out": a["timed_out"] or b["timed_out"]}


def sample(targets, n, seed=7):
    """A seeded subset of exactly n targets, in the fleet's order: each
    protocol's share rounded down, the rest drawn from what is left."""
    if n >= len(targets):
        return targets
    rng = random.Random(seed)
    out = []
    for proto in PORTS:
        group = [x for x in targets if x.proto == proto]
        out += rng.sample(group, len(group) * n // len(targets))
    chosen = {id(x) for x in out}
    out += rng.sample([x for x in targets if id(x) not in chosen], n - len(out))
    keys = {id(x) for x in out}
    return [x for x in targets if id(x) in keys]


# ---------------------------------------------------------------- report

def agreement(targets, seen):
    exact = wrong_versions = missing = 0
    for x in targets:
        got = seen.get(x.key())
        if got is None:
            missing += 1
            wrong_versions += len(VERSIONS)
            continue
        diff = got ^ x.truth
        wrong_versions += len(diff)
        exact += not diff
    return exact, wrong_versions, missing


def versions_of():
    def first(cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
            return (out.stdout + out.stderr)
        except (OSError, subprocess.TimeoutExpired):
            return ""
    def pkg(name):
        return first(["dpkg-query", "-W", "-f=${Version}", name]).strip() or "?"
    return {"sslscan": pkg("sslscan"), "testssl": pkg("testssl.sh"), "nmap": pkg("nmap"),
            "s_client": pkg("openssl")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tlssweep", required=True)
    ap.add_argument("--delayproxy")
    ap.add_argument("--https", type=int, default=1000)
    ap.add_argument("--mail", type=int, default=300)
    ap.add_argument("--allv", type=int, help="all-versions nginx addresses for the head-to-head "
                    "(default: as many as --https; 0: no head-to-head)")
    ap.add_argument("--h2h-rounds", type=int, default=2)
    ap.add_argument("--rtt-ms", default="0,50")
    ap.add_argument("--sample", action="append", default=[],
                    help="TOOL=N or TOOL@RTT=N: run TOOL on N targets only")
    ap.add_argument("--only", default=",".join(TOOLS))
    ap.add_argument("--tool-timeout", type=float, default=1200)
    ap.add_argument("--json", help="write the raw figures here")
    ap.add_argument("--write")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("peers: needs root (ports 25/110/143/443, postfix's master)")
    rtts = [int(x) for x in a.rtt_ms.split(",")]
    if any(rtts) and not a.delayproxy:
        sys.exit("peers: --rtt-ms above 0 needs --delayproxy")
    only = [t for t in TOOLS if t in a.only.split(",")]
    need = {"tlssweep": [], "tlssweep-probes": [], "sslscan": ["sslscan"], "testssl": ["testssl"], "nmap": ["nmap"],
            "s_client": ["openssl", "xargs"]}
    missing = [c for t in only for c in need[t] if not shutil.which(c)]
    missing += [c for c in ("nginx", "dovecot", "openssl") if not shutil.which(c)]
    if missing:
        sys.exit(f"peers: not installed: {' '.join(missing)} (tools/install-deps.sh)")
    samples = {}
    for s in a.sample:
        k, _, n = s.partition("=")
        samples[k] = int(n)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    targets = fleet(a.https, a.mail)
    allv = allv_fleet(a.https if a.allv is None else a.allv) if 0 in rtts else []
    tmp = tempfile.mkdtemp(prefix="peers.")
    os.chmod(tmp, 0o755)
    servers = Servers(tmp, targets + allv)
    proxy = None
    results = []
    try:
        servers.start()
        servers.warm_up()
        print(f"peers: fleet up: {len(targets)} targets ({a.https} nginx, "
              f"{len(targets) - a.https} dovecot/postfix)", file=sys.stderr)
        if any(rtts):
            rtt = max(rtts)
            mapf = f"{tmp}/delay.map"
            write(mapf, "".join(f"{x.via(rtt).addr}:{x.port} {x.addr}:{x.port}\n" for x in targets))
            plog = open(f"{tmp}/delayproxy.err", "w+")
            proxy = subprocess.Popen([a.delayproxy, "--map", mapf, "--delay-ms", str(rtt // 2),
                                      "--duration", "7200"], stderr=plog, start_new_session=True)
            deadline = time.monotonic() + 30
            while "listening" not in open(f"{tmp}/delayproxy.err").read():
                if proxy.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"peers: delayproxy did not start: {open(f'{tmp}/delayproxy.err').read()}")
                time.sleep(0.1)
        for rtt in rtts:
            if rtt and rtt != max(rtts):
                sys.exit("peers: one RTT above 0 per run (the proxy has one delay)")
            for tool in only:
                n = samples.get(f"{tool}@{rtt}", samples.get(tool, len(targets)))
                part = [x.via(rtt) for x in sample(targets, n)]
                work = f"{tmp}/{tool}-{rtt}"
                os.makedirs(work)
                run = lambda cmd, **kw: measure(cmd, servers, a.tool_timeout, **kw)  # noqa: E731
                print(f"peers: rtt {rtt} ms: {tool} on {len(part)} targets...", file=sys.stderr)
                proxy_cpu = session_stat({proxy.pid})[0] if rtt else 0.0
                if tool == "tlssweep":
                    m, seen = tool_tlssweep(part, work, run, a.tlssweep)
                elif tool == "tlssweep-probes":
                    m, seen = tool_tlssweep(part, work, run, a.tlssweep, ["--no-confirm"])
                else:
                    m, seen = globals()[f"tool_{tool}"](part, work, run)
                exact, wrong, lost = agreement(part, seen)
                m["proxy_cpu"] = session_stat({proxy.pid})[0] - proxy_cpu if rtt else 0.0
                row = dict(m, tool=tool, rtt=rtt, n=len(part), exact=exact, wrong_versions=wrong,
                           missing=lost, rate=len(part) / m["wall"], phase="fleet")
                results.append(row)
                print(f"peers: {tool}: {row['wall']:.1f} s, {row['rate']:.1f} targets/s, "
                      f"{exact}/{len(part)} exact, cpu {row['cpu']:.1f} s, server cpu "
                      f"{row['server_cpu']:.1f} s ("
                      + ", ".join(f"{k} {v:.2f}" for k, v in row["server_cpu_by"].items())
                      + f"), {row['connections']} connections, rss {row['rss'] / 2**20:.0f} MiB"
                      + (" (timed out)" if m["timed_out"] else ""), file=sys.stderr)
        results += head_to_head(allv, tmp, servers, a)
    finally:
        if proxy:
            proxy.terminate()
            proxy.wait(timeout=10)
        servers.stop()
        if os.environ.get("PEERS_KEEP"):
            print(f"peers: kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    report(results, targets, a, rtts)


def head_to_head(allv, tmp, servers, a):
    """sslscan and tlssweep --no-confirm in turn on the all-versions nginx
    fleet at 0 ms, --h2h-rounds times, order reversed every other round."""
    rows = []
    if not allv or a.h2h_rounds < 1:
        return rows
    tools = [("sslscan", lambda work, run: tool_sslscan(allv, work, run)),
             ("tlssweep-probes",
              lambda work, run: tool_tlssweep(allv, work, run, a.tlssweep, ["--no-confirm"]))]
    for r in range(a.h2h_rounds):
        for tool, go in (tools if r % 2 == 0 else tools[::-1]):
            work = f"{tmp}/h2h-{tool}-{r}"
            os.makedirs(work)
            run = lambda cmd, **kw: measure(cmd, servers, a.tool_timeout, **kw)  # noqa: E731
            m, seen = go(work, run)
            exact, wrong, lost = agreement(allv, seen)
            row = dict(m, tool=tool, rtt=0, n=len(allv), exact=exact, wrong_versions=wrong,
                       missing=lost, rate=len(allv) / m["wall"], phase="allv", round=r)
            rows.append(row)
            print(f"peers: all-versions fleet, round {r + 1}: {tool}: {row['wall']:.1f} s, "
                  f"server cpu {row['server_cpu']:.2f} s, {exact}/{len(allv)} exact",
                  file=sys.stderr)
    return rows


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def spread(xs, fmt):
    if len(xs) == 1:
        return fmt.format(xs[0])
    return f"{fmt.format(median(xs))} ({', '.join(fmt.format(x) for x in xs)})"


def ms_per_target(r):
    return 1000 * r["server_cpu"] / r["n"]


def report_h2h(rows):
    """The head-to-head's table and its two ratios."""
    if not rows:
        return []
    n = rows[0]["n"]
    lines = [f"\n**All-versions nginx fleet, RTT 0 ms**: {n} nginx addresses, each accepting "
             "TLS 1.0-1.3; sslscan and tlssweep --no-confirm in turn, order reversed every "
             "other round.\n",
             "| round | tool | wall s | server CPU s | server CPU ms / target | exact / targets |",
             "| ---: | --- | ---: | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r['round'] + 1} | {r['tool']} | {r['wall']:.2f} | {r['server_cpu']:.2f} | "
                     f"{ms_per_target(r):.2f} | {r['exact']}/{r['n']} |")
    walls, costs = [], []
    for k in sorted({r["round"] for r in rows}):
        pair = {r["tool"]: r for r in rows if r["round"] == k}
        if len(pair) == 2:
            walls.append(pair["sslscan"]["wall"] / pair["tlssweep-probes"]["wall"])
            s_cost = ms_per_target(pair["sslscan"])
            if s_cost > 0:
                costs.append(ms_per_target(pair["tlssweep-probes"]) / s_cost)
    if walls:
        cost = spread(costs, "{:.2f}") if costs else "n/a (below the clock tick)"
        lines.append(f"\nHeadline, all-versions nginx fleet: sslscan wall / tlssweep --no-confirm "
                     f"wall = **{spread(walls, '{:.2f}')}x** (goal >= 1.5); server CPU per target, "
                     f"tlssweep --no-confirm / sslscan = **{cost}** (goal <= 0.5).")
    return lines


def report(results, targets, a, rtts):
    vers = versions_of()
    lines = []
    for rtt in rtts:
        rows = [r for r in results if r["rtt"] == rtt and r["phase"] == "fleet"]
        if not rows:
            continue
        lines += [f"\n**RTT {rtt} ms**" + (" (through bench/peers/delayproxy)" if rtt else " (direct)") + "\n",
                  "| tool | targets | wall s | targets/s | client CPU s | peak RSS MiB | server CPU s "
                  "| server CPU ms / target | connections / target "
                  + ("| delayproxy CPU s " if rtt else "") + "| exact / targets | wrong versions |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
                  + (" ---: |" if rtt else "")]
        for r in rows:
            name = r["tool"] + (f" {vers[r['tool']]}" if r["tool"] in vers else "")
            n = f"{r['n']}" + (" (sample)" if r["n"] < len(targets) else "")
            lines.append(f"| {name} | {n} | {r['wall']:.1f}{' (timed out)' if r['timed_out'] else ''} "
                         f"| {r['rate']:.1f} | {r['cpu']:.1f} | {r['rss'] / 2**20:.0f} | "
                         f"{r['server_cpu']:.1f} | {ms_per_target(r):.2f} | "
                         f"{r['connections'] / r['n'] / (2 if rtt else 1):.1f} | "
                         + (f"{r['proxy_cpu']:.1f} | " if rtt else "")
                         + f"{r['exact']}/{r['n']} | {r['wrong_versions']} |")
        ours = [r for r in rows if r["tool"] == "tlssweep"]
        peers = [r for r in rows if not r["tool"].startswith("tlssweep") and r["exact"] == r["n"]]
        anyp = [r for r in rows if not r["tool"].startswith("tlssweep")]
        if ours and anyp:
            best = max(peers or anyp, key=lambda r: r["rate"])
            probes = [r for r in rows if r["tool"] == "tlssweep-probes"]
            lines.append(f"\nHeadline, RTT {rtt} ms: tlssweep / best peer ({best['tool']}"
                         f"{'' if peers else ', though it disagreed with the truth'}) = "
                         f"**{ours[0]['rate'] / best['rate']:.1f}x** targets per second"
                         + (f" (probes only, the peers' job exactly: "
                            f"{probes[0]['rate'] / best['rate']:.1f}x)" if probes else "") + ".")
        probes = [r for r in rows if r["tool"] == "tlssweep-probes"]
        sslscan = [r for r in rows if r["tool"] == "sslscan"]
        if probes and sslscan:
            ours_ms, theirs_ms = ms_per_target(probes[0]), ms_per_target(sslscan[0])
            ratio = f"{ours_ms / theirs_ms:.2f}" if theirs_ms > 0 else "n/a (below the clock tick)"
            lines.append(f"\nServer cost, RTT {rtt} ms: server CPU per target, tlssweep --no-confirm "
                         f"/ sslscan = **{ratio}** ({ours_ms:.2f} ms against {theirs_ms:.2f} ms; "
                         "goal <= 0.5). By server, CPU s: "
                         + "; ".join(f"{t['tool']}: " + ", ".join(f"{k} {v:.2f}" for k, v in
                                                                   t["server_cpu_by"].items())
                                     for t in (probes[0], sslscan[0])) + ".")
    lines += report_h2h([r for r in results if r["phase"] == "allv"])
    text = "\n".join(lines)
    print(text)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    if a.write:
        section = ("<!-- peers:begin -->\n## tlssweep and the tools people use today "
                   f"(bench/peers/peers_bench.py, {datetime.date.today()})\n\n"
                   f"{a.https} nginx HTTPS targets with seven version sets and {len(targets) - a.https} "
                   "dovecot/postfix STARTTLS targets (IMAP, POP3, SMTP), on loopback, each tool doing "
                   "the same job in one run: which of TLS 1.0-1.3 each target accepts. \"exact\" counts "
                   "targets whose answer equals the configured truth; \"server CPU\" is the servers' "
                   "CPU over the tool's run (nginx, dovecot, postfix and their workers).\n" + text
                   + "\n<!-- peers:end -->")
        body = open(a.write).read()
        pat = re.compile(r"<!-- peers:begin -->.*?<!-- peers:end -->", re.S)
        body = pat.sub(lambda m: section, body) if pat.search(body) else body.rstrip("\n") + "\n\n" + section + "\n"
        write(a.write, body)


if __name__ == "__main__":
    main()
