#!/bin/bash
# tests/integration/starttls_daemons_test.sh TLSSWEEP DAEMON: tlssweep against
# real FTP, LDAP, XMPP and PostgreSQL daemons, one daemon per run:
#   vsftpd:   AUTH TLS (ftp://) and implicit FTPS (ftps://); OpenSSL, its
#             version range from an OPENSSL_CONF of the test's own;
#   slapd:    LDAP StartTLS (ldap://) and ldaps://; GnuTLS, its range from
#             TLSCipherSuite (a GnuTLS priority string);
#   prosody:  XMPP <starttls/> (xmpp://); LuaSec over OpenSSL, its range from
#             the ssl protocol and options;
#   postgres: PostgreSQL 15's SSLRequest (postgres://), run as the postgres
#             user on a data directory made here; ssl_min/max_protocol_version.
# Each daemon runs twice, legacy only (TLS 1.0-1.1, SECLEVEL=0) and modern
# (TLS 1.2-1.3), plus once without TLS, all from configs in the test's temp
# dir, inside a network namespace of the test's own (unshare -n: loopback
# only, so no name a daemon looks up at start can leave the machine), on
# 127.61.x.y and one random high port. openssl s_client first confirms each
# configured range (-starttls ftp|ldap|xmpp|postgres, or plain for implicit
# TLS), so a failure says whether the server or the scanner is wrong. Then
# one tlssweep scan (ssl3 to tls1.3, --confirm-all) must accept exactly what
# s_client accepted, reject the rest, and for every accepted version
# complete a BoringSSL handshake at that version whose application check
# recognises the protocol's first exchange (FEAT or the greeting, "Who am
# I?", the restarted stream's features, the StartupMessage's authentication
# request): "app":"ok", with the code and text each daemon gives. The
# daemon without TLS must fail the dialogue with its reason on every
# version. Bounded: every daemon is under timeout, the scan under 3 s per
# step, the whole run well under a minute.
set -u
if [ "${TLSSWEEP_IN_NETNS:-}" != 1 ]; then
  if ! unshare -n true 2>/dev/null; then
    echo "FAIL: cannot make a network namespace (unshare -n); run as root" >&2
    exit 1
  fi
  TLSSWEEP_IN_NETNS=1 exec unshare -n -- "$BASH" "$0" "$@"
fi
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
DAEMON="$2"
# shellcheck source=tests/integration/servers.sh
. "$(dirname "$0")/servers.sh"
ip link set lo up
servers_setup daemons-test
logs() {
  for f in "$TMP"/*/*.log "$TMP"/*/*.out "$TMP/out.jsonl"; do
    [ -s "$f" ] && { echo "=== $f" >&2; tail -n 40 "$f" >&2; }
  done
}
fail() { echo "FAIL: $*" >&2; logs; exit 1; }
# as USER CMD...: becomes CMD run as USER (PostgreSQL refuses root, Prosody
# warns and stops) for at most 60 s. It execs, so that "as ... &" leaves in
# $! the pid that cleanup must signal, not a subshell's; in the foreground
# it runs in a subshell of its own.
as() {
  local user="$1"
  shift
  exec timeout -k 5 60 setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
}

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
  -days 2 -subj "/CN=daemons.scan.test" >/dev/null 2>&1 || fail "cannot make a certificate"
chmod 644 "$TMP/cert.pem"
PORT=$((20000 + RANDOM % 12500))
# own_key USER DIR: a copy of the key its daemon may read and nobody else.
own_key() {
  cp "$TMP/key.pem" "$2/key.pem"
  chown "$1" "$2/key.pem"
  chmod 600 "$2/key.pem"
}
LEGACY_CIPHERS='ALL:@SECLEVEL=0'

# TARGETS: label, URL, then either the versions the configuration accepts
# (comma-separated) or the dialogue's failure reason on every version, the
# app_code every confirmation must show (- for none), and the start of its
# app_message (- for none).
case "$DAEMON" in
vsftpd)
  command -v vsftpd >/dev/null || fail "vsftpd not installed (tools/install-deps.sh)"
  TARGETS="
ftp10       ftp://127.61.1.1:$PORT   tls1.0,tls1.1 211 211-Features:
ftps10      ftps://127.61.1.2:$PORT  tls1.0,tls1.1 220 220
ftp12       ftp://127.61.1.3:$PORT   tls1.2,tls1.3 211 211-Features:
ftps12      ftps://127.61.1.4:$PORT  tls1.2,tls1.3 220 220
ftp-no-tls  ftp://127.61.1.5:$PORT   starttls_refused - -
"
  # vsftpd has no protocol setting beyond TLS 1.0 on or off: OpenSSL's
  # system_default section, from an OPENSSL_CONF of its own, sets the range.
  # vsftpd_start NAME ADDRESS MIN MAX CIPHERS SSL IMPLICIT
  vsftpd_start() {
    local dir="$TMP/vsftpd-$1"
    mkdir -p "$dir/empty"
    cat >"$dir/openssl.cnf" <<EOF
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = $3
${4:+MaxProtocol = $4}
CipherString = $5
EOF
    cat >"$dir/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=$2
listen_port=$PORT
background=NO
seccomp_sandbox=NO
secure_chroot_dir=$dir/empty
nopriv_user=nobody
anonymous_enable=YES
anon_root=$dir/empty
ftp_username=nobody
local_enable=NO
allow_anon_ssl=YES
xferlog_enable=NO
ssl_enable=$6
implicit_ssl=$7
rsa_cert_file=$TMP/cert.pem
rsa_private_key_file=$dir/key.pem
ssl_ciphers=$5
EOF
    own_key root "$dir"
    OPENSSL_CONF="$dir/openssl.cnf" timeout -k 5 60 vsftpd "$dir/vsftpd.conf" >"$dir/vsftpd.out" 2>&1 &
    PIDS+=($!)
  }
  vsftpd_start ftp10 127.61.1.1 TLSv1 TLSv1.1 "$LEGACY_CIPHERS" YES NO
  vsftpd_start ftps10 127.61.1.2 TLSv1 TLSv1.1 "$LEGACY_CIPHERS" YES YES
  vsftpd_start ftp12 127.61.1.3 TLSv1.2 "" HIGH:!aNULL YES NO
  vsftpd_start ftps12 127.61.1.4 TLSv1.2 "" HIGH:!aNULL YES YES
  vsftpd_start plain 127.61.1.5 TLSv1.2 "" HIGH:!aNULL NO NO
  ;;
slapd)
  command -v slapd >/dev/null || fail "slapd not installed (tools/install-deps.sh)"
  TARGETS="
ldap10       ldap://127.61.2.1:$PORT   tls1.0,tls1.1 - -
ldaps10      ldaps://127.61.2.2:$PORT  tls1.0,tls1.1 - -
ldap12       ldap://127.61.2.3:$PORT   tls1.2,tls1.3 - -
ldaps12      ldaps://127.61.2.4:$PORT  tls1.2,tls1.3 - -
ldap-no-tls  ldap://127.61.2.5:$PORT   starttls_unsupported - -
"
  # slapd_start NAME "URLS" PRIORITY: no database, only the root DSE, which
  # is all StartTLS and "Who am I?" need. PRIORITY empty: no TLS at all.
  slapd_start() {
    local dir="$TMP/slapd-$1"
    mkdir -p "$dir"
    own_key root "$dir"
    {
      echo "include /etc/ldap/schema/core.schema"
      echo "pidfile $dir/slapd.pid"
      echo "argsfile $dir/slapd.args"
      if [ -n "$3" ]; then
        echo "TLSCertificateFile $TMP/cert.pem"
        echo "TLSCertificateKeyFile $dir/key.pem"
        echo "TLSCipherSuite $3"
      fi
    } >"$dir/slapd.conf"
    timeout -k 5 60 slapd -d 0 -f "$dir/slapd.conf" -h "$2" >"$dir/slapd.out" 2>&1 &
    PIDS+=($!)
  }
  slapd_start 10 "ldap://127.61.2.1:$PORT/ ldaps://127.61.2.2:$PORT/" \
    "NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0"
  slapd_start 12 "ldap://127.61.2.3:$PORT/ ldaps://127.61.2.4:$PORT/" \
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
  slapd_start plain "ldap://127.61.2.5:$PORT/" ""
  ;;
prosody)
  command -v prosody >/dev/null || fail "prosody not installed (tools/install-deps.sh)"
  TARGETS="
xmpp10       xmpp://127.61.3.1:$PORT   tls1.0,tls1.1 - <stream:features>
xmpp12       xmpp://127.61.3.2:$PORT   tls1.2,tls1.3 - <stream:features>
xmpp-no-tls  xmpp://127.61.3.3:$PORT   starttls_unsupported - -
"
  # prosody_start NAME ADDRESS SSL [VHOST]: one c2s listener for VirtualHost
  # VHOST, "localhost" by default (the stream's "to" when a scan names no
  # host). SSL is the body of Prosody's ssl table; empty: no mod_tls, and
  # streams without encryption allowed (else Prosody ends the stream, having
  # no features).
  prosody_start() {
    local dir="$TMP/prosody-$1"
    mkdir -p "$dir/data"
    own_key prosody "$dir"
    cat >"$dir/prosody.cfg.lua" <<EOF
pidfile = "$dir/prosody.pid"
data_path = "$dir/data"
daemonize = false
interfaces = { "$2" }
c2s_ports = { $PORT }
c2s_direct_tls_ports = { }
s2s_ports = { }
http_ports = { }
https_ports = { }
modules_enabled = { $([ -n "$3" ] && echo "\"tls\"; ")"saslauth"; "disco" }
modules_disabled = { "s2s"; "offline"; "c2s_direct_tls" }
authentication = "internal_hashed"
c2s_require_encryption = $([ -n "$3" ] && echo true || echo false)
log = { info = "$dir/prosody.log" }
$([ -n "$3" ] && echo "ssl = { certificate = \"$TMP/cert.pem\"; key = \"$dir/key.pem\"; $3 }")
VirtualHost "${4:-localhost}"
EOF
    chown -R prosody "$dir"
    as prosody prosody --config "$dir/prosody.cfg.lua" -F >"$dir/prosody.out" 2>&1 &
    PIDS+=($!)
  }
  prosody_start 10 127.61.3.1 \
    "protocol = \"tlsv1+\"; options = { \"no_tlsv1_2\", \"no_tlsv1_3\" }; ciphers = \"$LEGACY_CIPHERS\";"
  prosody_start 12 127.61.3.2 'protocol = "tlsv1_2+";'
  prosody_start plain 127.61.3.3 ""
  # A server that serves only its own domain, found by name: the stream's
  # "to" must be that name on both sides of STARTTLS. dnsmasq on loopback
  # answers for it (the test never asks the system's resolver).
  prosody_start named 127.61.3.4 'protocol = "tlsv1_2+";' chat.scan.test
  mkdir -p "$TMP/dns"
  timeout -k 5 60 dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
    --bind-interfaces --listen-address=127.61.3.53 --port=53 \
    --address=/chat.scan.test/127.61.3.4 --pid-file="$TMP/dns/pid" \
    >"$TMP/dns/dnsmasq.log" 2>&1 &
  PIDS+=($!)
  ;;
postgres)
  PGBIN=/usr/lib/postgresql/15/bin
  [ -x "$PGBIN/postgres" ] || fail "postgresql-15 not installed (tools/install-deps.sh)"
  TARGETS="
pg10       postgres://127.61.4.1:$PORT   tls1.0,tls1.1 10 SCRAM-SHA-256
pg12       postgres://127.61.4.2:$PORT   tls1.2,tls1.3 10 SCRAM-SHA-256
pg-no-tls  postgres://127.61.4.3:$PORT   starttls_unsupported - -
"
  # One initdb, copied per instance. Connections come from 127.0.0.1 (the
  # loopback's own address); nobody can log in, but the server asks, over
  # TLS, for SCRAM.
  mkdir -p "$TMP/pg-init"
  chown postgres "$TMP/pg-init"
  (as postgres "$PGBIN/initdb" -D "$TMP/pg-init/data" -A reject -U postgres --no-sync) \
    >"$TMP/pg-init/initdb.out" 2>&1 || fail "initdb: $(tail -5 "$TMP/pg-init/initdb.out")"
  # pg_start NAME ADDRESS SETTINGS...
  pg_start() {
    local dir="$TMP/pg-$1" address="$2"
    shift 2
    mkdir -p "$dir"
    cp -a "$TMP/pg-init/data" "$dir/data"
    echo "hostssl all all 127.0.0.0/8 scram-sha-256" >"$dir/data/pg_hba.conf"
    echo "host all all 127.0.0.0/8 scram-sha-256" >>"$dir/data/pg_hba.conf"
    own_key postgres "$dir"
    chown postgres "$dir"
    as postgres "$PGBIN/postgres" -D "$dir/data" -c listen_addresses="$address" -c port="$PORT" \
      -c unix_socket_directories="$dir" -c shared_buffers=1MB -c max_connections=20 \
      -c fsync=off -c ssl_cert_file="$TMP/cert.pem" -c ssl_key_file="$dir/key.pem" "$@" \
      >"$dir/postgres.log" 2>&1 &
    PIDS+=($!)
  }
  pg_start 10 127.61.4.1 -c ssl=on -c ssl_min_protocol_version=TLSv1 \
    -c ssl_max_protocol_version=TLSv1.1 -c ssl_ciphers="$LEGACY_CIPHERS"
  pg_start 12 127.61.4.2 -c ssl=on -c ssl_min_protocol_version=TLSv1.2
  pg_start plain 127.61.4.3 -c ssl=off
  # A server listens before it accepts sessions ("the database system is
  # starting up"): wait, bounded, until each says it accepts them.
  for name in 10 12 plain; do
    for _ in $(seq 100); do
      "$PGBIN/pg_isready" -q -h "$TMP/pg-$name" -p "$PORT" && continue 2
      sleep 0.1
    done
    fail "postgres $name does not accept sessions"
  done
  ;;
*)
  fail "usage: $0 TLSSWEEP vsftpd|slapd|prosody|postgres"
  ;;
esac

addr=$(servers_listening "$TARGETS" "$PORT") || fail "nothing listens on $addr"

# The oracle: openssl s_client pinned to each version. Its accepted versions
# must be the configured ones before the scanner is judged.
while read -r label url expect _; do
  [ -z "$label" ] && continue
  case "$expect" in tls1.*) ;; *) continue ;; esac
  got=$(s_client_versions "${url#*://}" "${url%%://*}")
  got=${got// /,}
  [ "$got" = "$expect" ] || fail "openssl s_client: $label accepts '$got', configured '$expect'"
done <<<"$TARGETS"

servers_targets "$TARGETS"
"$TLSSWEEP" scan -V ssl3,tls1.0,tls1.1,tls1.2,tls1.3 --confirm-all --timeout 3s --retries 0 -q \
  "${TARGET_ARGS[@]}" >"$TMP/out.jsonl" </dev/null || fail "scan exited $?"

python3 - "$TMP/out.jsonl" "$TARGETS" <<'PYEOF' || fail "records"
import json, sys
want = {}
for line in sys.argv[2].strip().splitlines():
    label, _url, expect, code, message = line.split()
    want[label] = (expect, code, message)
recs = [json.loads(l) for l in open(sys.argv[1])]
labels = sorted(r.get("label") for r in recs)
assert labels == sorted(want), f"labels {labels}, targets {sorted(want)}"
everything = ["ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"]
errors = []
for r in sorted(recs, key=lambda r: r["label"]):
    label = r["label"]
    expect, code, message = want[label]
    versions = r.get("versions", {})
    if r["status"] != "ok" or sorted(versions) != everything:
        errors.append(f"{label}: {r}")
        continue
    if not expect.startswith("tls1."):
        x = versions["tls1.2"]
        print(f"{label}: {x.get('reason')} {x.get('reply', '')!r}")
        for v, x in versions.items():
            if x["verdict"] != "rejected" or x.get("reason") != expect:
                errors.append(f"{label}: {v} {x}, expected {expect}")
        continue
    accepted = [v for v in everything if versions[v]["verdict"] == "accepted"]
    if accepted != expect.split(","):
        errors.append(f"{label}: accepted {accepted}, configured and s_client {expect}")
    for v in everything:
        x = versions[v]
        if v not in accepted:
            print(f"{label}: {v} {x['verdict']} {x.get('reason')} {x.get('alert', '')}")
            if x["verdict"] != "rejected":
                errors.append(f"{label}: {v} {x}, expected a rejection")
            continue
        c = x.get("confirm", {})
        print(f"{label}: {v} accepted {x.get('cipher')}; confirmed {c.get('handshake')} "
              f"{c.get('version')} {c.get('cipher')}; app {c.get('app')} "
              f"{c.get('app_code', '')} {c.get('app_message', '')[:40]!r}")
        if c.get("handshake") != "ok" or c.get("version") != v or c.get("app") != "ok":
            errors.append(f"{label}: {v} confirmation {c}")
        if (str(c.get("app_code", "-")) != code or
                (message != "-" and not c.get("app_message", "").startswith(message))):
            errors.append(f"{label}: {v} app_code/app_message {c}, expected {code} {message}")
for e in errors:
    print("MISMATCH", e)
sys.exit(1 if errors else 0)
PYEOF
if [ "$DAEMON" = prosody ]; then
  # xmpp:// by name: s_client with that name as the stream's domain, then a
  # scan that resolves it through dnsmasq.
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.61.3.4/"$PORT") 2>/dev/null && break; sleep 0.1; done
  echo | timeout 10 openssl s_client -connect "127.61.3.4:$PORT" -starttls xmpp \
    -xmpphost chat.scan.test -tls1_2 >"$TMP/named-s_client.out" 2>&1 ||
    fail "openssl s_client cannot reach chat.scan.test: $(tail -5 "$TMP/named-s_client.out")"
  "$TLSSWEEP" scan -V tls1.2,tls1.3 --confirm-all --timeout 3s --retries 0 -q \
    --resolver 127.61.3.53 "xmpp://chat.scan.test:$PORT" >"$TMP/named.jsonl" </dev/null ||
    fail "scan of xmpp://chat.scan.test exited $?"
  python3 - "$TMP/named.jsonl" <<'PYEOF' || fail "xmpp by name"
import json, sys
r = json.loads(open(sys.argv[1]).read())
assert r["ip"] == "127.61.3.4", r
for v in ("tls1.2", "tls1.3"):
    x = r["versions"][v]
    assert x["verdict"] == "accepted", (v, x)
    assert x["confirm"]["handshake"] == "ok" and x["confirm"]["app"] == "ok", (v, x)
print("xmpp://chat.scan.test: the stream's domain is the target's name before and after TLS")
PYEOF
fi
echo PASS
