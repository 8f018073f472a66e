#!/usr/bin/env python3
"""tests/integration/enumerate_check.py: the judge of enumerate_test.sh.

  enumerate_check.py TMP SERVERS_TABLE

For each server of the table ("label addr port oracle order"), the suites
tlssweep --ciphers enumerated per version (TMP/out.jsonl) must equal the set
derived independently by the oracle named in the table:

  s_client  one `openssl s_client -cipher X` (TLS 1.3: -ciphersuites X) per
            candidate suite OpenSSL knows, at each version; a suite is
            accepted when that handshake completes with X
  gnutls    `gnutls-cli --list --priority P` with the server's priority
            (TMP/LABEL.priority): the suites GnuTLS itself says it enables,
            at the versions from their minimum up
  boring    the "suite CODE NAME MIN MAX" lines boringssl_server printed
            from BoringSSL's own configuration (TMP/LABEL.log), and for TLS
            1.3 the three suites BoringSSL fixes

and agree with sslscan's (TMP/LABEL.sslscan.xml) and nmap ssl-enum-ciphers'
(TMP/LABEL.nmap.xml) enumerations of the same server where those ran. The
order column says what tlssweep must report as the server's order at TLS 1.2
("-" when not judged). Prints what it compared; exits 1 on any difference.
"""
import concurrent.futures
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

VERSIONS = {"tls1.0": "-tls1", "tls1.1": "-tls1_1", "tls1.2": "-tls1_2", "tls1.3": "-tls1_3"}
SSLSCAN = {"TLSv1.0": "tls1.0", "TLSv1.1": "tls1.1", "TLSv1.2": "tls1.2", "TLSv1.3": "tls1.3"}
TLS13 = {
    "TLS_AES_128_GCM_SHA256": 0x1301, "TLS_AES_256_GCM_SHA384": 0x1302,
    "TLS_CHACHA20_POLY1305_SHA256": 0x1303, "TLS_AES_128_CCM_SHA256": 0x1304,
    "TLS_AES_128_CCM_8_SHA256": 0x1305,
}
BORING13 = {0x1301, 0x1302, 0x1303}


def openssl_candidates():
    """(OpenSSL name, code, lowest version) of every pre-1.3 suite OpenSSL
    offers at SECLEVEL=0, but PSK and SRP ones: s_client cannot complete
    them without credentials, and no server here has any (tlssweep would
    still report one it found, and the sets would differ)."""
    out = subprocess.run(["openssl", "ciphers", "-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"],
                         capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        m = re.match(r"\s*0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)\s+(\S+)", line)
        if m and m.group(4) != "TLSv1.3" and "PSK" not in m.group(3) and "SRP" not in m.group(3):
            low = "tls1.2" if m.group(4) == "TLSv1.2" else "tls1.0"
            rows.append((m.group(3), int(m.group(1) + m.group(2), 16), low))
    return rows


def handshake(addr, port, version, flag, name, any_suite=False):
    """Whether an s_client offering only `name` at `version` completes (with
    any_suite, offering the list `name` and completing with any suite)."""
    args = ["openssl", "s_client", "-connect", "%s:%s" % (addr, port), VERSIONS[version]]
    args += [flag, name if flag == "-ciphersuites" else name + ":@SECLEVEL=0"]
    try:
        p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=10)
    except subprocess.TimeoutExpired:
        return False
    want = r"[A-Z][-A-Z0-9_]*" if any_suite else re.escape(name)
    return re.search(r"Cipher is %s\b" % want, p.stdout) is not None


def oracle_s_client(addr, port, pool):
    # A version no handshake offering every candidate completes at has no
    # suite to look for (one s_client instead of one per candidate).
    speaks = {v for v in ("tls1.0", "tls1.1", "tls1.2")
              if handshake(addr, port, v, "-cipher", "ALL:COMPLEMENTOFALL", any_suite=True)}
    jobs = {}
    for version in sorted(speaks):
        for name, code, low in CANDIDATES:
            if version >= low:
                jobs[pool.submit(handshake, addr, port, version, "-cipher", name)] = (version, code)
    for name, code in TLS13.items():
        jobs[pool.submit(handshake, addr, port, "tls1.3", "-ciphersuites", name)] = ("tls1.3", code)
    found = {}
    for job, (version, code) in jobs.items():
        if job.result():
            found.setdefault(version, set()).add(code)
    return found


def oracle_gnutls(tmp, label, versions):
    priority = open("%s/%s.priority" % (tmp, label), encoding="utf-8").read().strip()
    out = subprocess.run(["gnutls-cli", "--list", "--priority", priority], capture_output=True,
                         text=True, check=True, env={"GNUTLS_SYSTEM_PRIORITY_FILE": "/dev/null"}).stdout
    found = {}
    for m in re.finditer(r"0x([0-9a-f]{2}), 0x([0-9a-f]{2})\s+(TLS1\.\d)", out):
        code, low = int(m.group(1) + m.group(2), 16), "tls" + m.group(3)[3:]
        for version in versions:
            if version >= low and (version == "tls1.3") == (code >> 8 == 0x13):
                found.setdefault(version, set()).add(code)
    return found


def oracle_boring(tmp, label):
    found = {"tls1.3": set(BORING13)}
    names = {0x0301: "tls1.0", 0x0302: "tls1.1", 0x0303: "tls1.2"}
    for line in open("%s/%s.log" % (tmp, label), encoding="utf-8"):
        parts = line.split()
        if len(parts) == 5 and parts[0] == "suite":
            code, low, high = int(parts[1], 16), int(parts[3], 16), int(parts[4], 16)
            for wire, version in names.items():
                if low <= wire <= high:
                    found.setdefault(version, set()).add(code)
    return found


def sslscan_sets(path):
    found = {}
    for c in ET.parse(path).iter("cipher"):
        version = SSLSCAN.get(c.get("sslversion"))
        if version:
            found.setdefault(version, set()).add(int(c.get("id"), 16))
    return found


def nmap_sets(path, by_name):
    found = {}
    for table in ET.parse(path).iter("table"):
        version = {"TLSv1.0": "tls1.0", "TLSv1.1": "tls1.1", "TLSv1.2": "tls1.2",
                   "TLSv1.3": "tls1.3"}.get(table.get("key"))
        if not version:
            continue
        for elem in table.iter("elem"):
            if elem.get("key") == "name":
                name = elem.text.replace("TLS_AKE_WITH_", "TLS_")
                found.setdefault(version, set()).add(by_name.get(name, name))
    return found


def main():
    tmp, table = sys.argv[1], sys.argv[2]
    records = {}
    for line in open(tmp + "/out.jsonl", encoding="utf-8"):
        r = json.loads(line)
        records[r.get("label")] = r
    bad = []
    pool = concurrent.futures.ThreadPoolExecutor(6)
    for row in table.strip().splitlines():
        label, addr, port, oracle, order = row.split()
        rec = records.get(label)
        if rec is None or rec.get("status") != "ok":
            bad.append("%s: no ok record: %s" % (label, rec))
            continue
        got, by_name = {}, {}
        for version, v in rec["versions"].items():
            c = v.get("ciphers")
            if v.get("verdict") != "accepted":
                continue
            if c is None or not c.get("complete"):
                bad.append("%s %s: enumeration missing or incomplete: %s" % (label, version, c))
                continue
            got[version] = {int(s["code"], 16) for s in c["suites"]}
            by_name.update({s["name"]: int(s["code"], 16) for s in c["suites"]})
            if version == "tls1.2" and order != "-" and c.get("order") != order:
                bad.append("%s: order %s, expected %s" % (label, c.get("order"), order))
        if oracle == "s_client":
            want = oracle_s_client(addr, port, pool)
        elif oracle == "gnutls":
            want = oracle_gnutls(tmp, label, list(got))
        else:
            want = oracle_boring(tmp, label)
        # A version the oracle finds no suite for must not be accepted either.
        want = {v: s for v, s in want.items() if s}
        print("%s: tlssweep %s" % (label, {v: sorted(map(hex, s)) for v, s in sorted(got.items())}))
        if got != want:
            bad.append("%s: tlssweep %s, %s oracle %s" % (label, got, oracle, want))
        for tool, reader in (("sslscan", sslscan_sets), ("nmap", lambda p: nmap_sets(p, by_name))):
            try:
                theirs = reader("%s/%s.%s.xml" % (tmp, label, tool))
            except (OSError, ET.ParseError):
                print("%s: no %s output, not compared" % (label, tool))
                continue
            print("%s: %s agrees: %s" % (label, tool, theirs == got))
            if theirs != got:
                bad.append("%s: tlssweep %s, %s %s" % (label, got, tool, theirs))
    pool.shutdown()
    for b in bad:
        print("FAIL:", b)
    return 1 if bad else 0


CANDIDATES = openssl_candidates()

if __name__ == "__main__":
    sys.exit(main())
