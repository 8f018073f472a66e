#!/bin/bash
# tests/integration/starttls_servers_test.sh: tlssweep scan of STARTTLS and
# implicit-TLS mail endpoints served by real Debian servers, each started here
# from a config in a temp dir, each listener on its own 127.30.x.y address and
# one random port:
#   dovecot, twice (ssl_min_protocol TLSv1 with SECLEVEL=0, and TLSv1.2):
#     IMAP STARTTLS, IMAPS, POP3 STLS, POP3S;
#   postfix (an isolated master: own config, queue and data directories):
#     smtpd listeners with STARTTLS for >=TLSv1, for TLS 1.1-1.2, a
#     submission port that demands TLS >=1.2, and one that offers no STARTTLS;
#   nginx's mail proxy: IMAP, POP3 and SMTP with STARTTLS, IMAPS and SMTPS,
#     each with its own ssl_protocols.
# openssl s_client first confirms every configured range (so a failure says
# whether the server or the scanner is wrong); then the accepted versions of
# every endpoint must be exactly that range, and the dialogue failures (no
# STARTTLS offered, a server that speaks another protocol) must carry their
# reason on every version, with exactly one valid JSON record per target.
# Last, tlssweep bench runs full handshakes through four of the dialogues.
# Versions outside a range are refused with an alert (postfix, nginx) or, by
# dovecot, with a bare close. The "speaks another protocol" cases use mail
# servers on the wrong scheme: an HTTP server never speaks first, so as an
# imap:// target it would only time out.
set -u
TLSSWEEP="$1"
# shellcheck source=tests/integration/servers.sh
. "$(dirname "$0")/servers.sh"
# Postfix's and dovecot's unix sockets, and postfix's unprivileged
# processes, need the short, reachable path servers_setup makes.
servers_setup starttls-test
logs() {
  for f in "$TMP"/dovecot-*/dovecot.log "$TMP"/postfix/maillog "$TMP"/postfix/master.out \
    "$TMP"/nginx/error.log "$TMP"/out.jsonl; do
    [ -s "$f" ] && { echo "=== $f" >&2; tail -n 60 "$f" >&2; }
  done
}
fail() { echo "FAIL: $*" >&2; logs; exit 1; }
for tool in dovecot nginx openssl python3 /usr/lib/postfix/sbin/master \
  /usr/lib/nginx/modules/ngx_mail_module.so; do
  command -v "$tool" >/dev/null || [ -e "$tool" ] ||
    fail "$tool not installed (tools/install-deps.sh)"
done

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
  -days 2 -subj "/CN=mail.scan.test" >/dev/null 2>&1 || fail "cannot make a certificate"
PORT=$((20000 + RANDOM % 12500))

# label, URL, and either the accepted versions or the reason every version
# must be rejected with. OpenSSL 3 needs SECLEVEL=0 for TLS 1.0 and 1.1.
TARGETS="
dovecot10-imap      imap://127.30.1.1:$PORT   tls1.0 tls1.1 tls1.2 tls1.3
dovecot10-imaps     imaps://127.30.1.2:$PORT  tls1.0 tls1.1 tls1.2 tls1.3
dovecot10-pop3      pop3://127.30.1.3:$PORT   tls1.0 tls1.1 tls1.2 tls1.3
dovecot10-pop3s     pop3s://127.30.1.4:$PORT  tls1.0 tls1.1 tls1.2 tls1.3
dovecot12-imap      imap://127.30.1.11:$PORT  tls1.2 tls1.3
dovecot12-imaps     imaps://127.30.1.12:$PORT tls1.2 tls1.3
dovecot12-pop3      pop3://127.30.1.13:$PORT  tls1.2 tls1.3
dovecot12-pop3s     pop3s://127.30.1.14:$PORT tls1.2 tls1.3
postfix10-smtp      smtp://127.30.2.1:$PORT   tls1.0 tls1.1 tls1.2 tls1.3
postfix11-12-smtp   smtp://127.30.2.2:$PORT   tls1.1 tls1.2
postfix12-submission submission://127.30.2.3:$PORT tls1.2 tls1.3
postfix-no-starttls smtp://127.30.2.4:$PORT   starttls_unsupported
nginx11-12-imap     imap://127.30.3.1:$PORT   tls1.1 tls1.2
nginx10-11-pop3     pop3://127.30.3.2:$PORT   tls1.0 tls1.1
nginx12-13-smtp     smtp://127.30.3.3:$PORT   tls1.2 tls1.3
nginx13-imaps       imaps://127.30.3.4:$PORT  tls1.3
nginx10-12-smtps    smtps://127.30.3.5:$PORT  tls1.0 tls1.1 tls1.2
smtp-as-imap        imap://127.30.2.1:$PORT   not_imap
imap-as-smtp        smtp://127.30.1.1:$PORT   not_smtp
pop3-as-imap        imap://127.30.1.3:$PORT   not_imap
"

# dovecot_start NAME MIN_PROTOCOL CIPHERS IMAP IMAPS POP3 POP3S: one instance in
# the foreground, its listeners on the four given addresses. Nobody can log
# in (an empty passwd-file), but the login processes need an auth service.
dovecot_start() {
  local dir="$TMP/dovecot-$1"
  mkdir -p "$dir" && : >"$dir/passwd"
  chmod 644 "$dir/passwd"
  cat >"$dir/dovecot.conf" <<EOF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
protocols = imap pop3
listen = $4
default_login_user = dovenull
default_internal_user = dovecot
ssl = yes
ssl_cert = <$TMP/cert.pem
ssl_key = <$TMP/key.pem
ssl_min_protocol = $2
ssl_cipher_list = $3
auth_mechanisms = plain
passdb {
  driver = passwd-file
  args = $dir/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$dir/home
}
mail_location = maildir:$dir/mail
service imap-login {
  inet_listener imap {
    address = $4
    port = $PORT
  }
  inet_listener imaps {
    address = $5
    port = $PORT
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = $6
    port = $PORT
  }
  inet_listener pop3s {
    address = $7
    port = $PORT
    ssl = yes
  }
}
EOF
  timeout 120 dovecot -F -c "$dir/dovecot.conf" >"$dir/dovecot.out" 2>&1 &
  PIDS+=($!)
}
dovecot_start 10 TLSv1 'ALL:@SECLEVEL=0' 127.30.1.1 127.30.1.2 127.30.1.3 127.30.1.4
dovecot_start 12 TLSv1.2 'DEFAULT' 127.30.1.11 127.30.1.12 127.30.1.13 127.30.1.14

# postfix: the master in the foreground (-d), leaving by itself after 120 s
# (-e), with the directories postfix-script would create, owned as it wants
# them. Only smtpd, anvil, tlsmgr and postlogd run; nothing is ever queued.
PF="$TMP/postfix"
mkdir -p "$PF/conf" "$PF/queue/pid" "$PF/queue/private" "$PF/queue/public" "$PF/data"
chown postfix "$PF/queue/private" "$PF/queue/public" "$PF/data"
chmod 700 "$PF/queue/private"
cat >"$PF/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
mail_owner = postfix
myhostname = mail.scan.test
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
inet_interfaces = loopback-only
inet_protocols = ipv4
maillog_file_prefixes = $PF
maillog_file = $PF/maillog
smtpd_client_connection_count_limit = 0
smtpd_tls_cert_file = $TMP/cert.pem
smtpd_tls_key_file = $TMP/key.pem
smtpd_tls_security_level = may
smtpd_tls_protocols = >=TLSv1
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_loglevel = 1
tls_medium_cipherlist = ALL:@SECLEVEL=0
EOF
cat >"$PF/conf/master.cf" <<EOF
127.30.2.1:$PORT inet n - n - - smtpd
127.30.2.2:$PORT inet n - n - - smtpd -o { smtpd_tls_protocols = >=TLSv1.1, <=TLSv1.2 }
127.30.2.3:$PORT inet n - n - - smtpd -o smtpd_tls_security_level=encrypt
127.30.2.4:$PORT inet n - n - - smtpd -o smtpd_tls_security_level=none
anvil unix - - n - 1 anvil
tlsmgr unix - - n 1000? 1 tlsmgr
postlog unix-dgram n - n - 1 postlogd
EOF
timeout 130 /usr/lib/postfix/sbin/master -c "$PF/conf" -d -e 120 >"$PF/master.out" 2>&1 &
PIDS+=($!)

# nginx: the mail proxy, and the auth_http endpoint it insists on (never asked:
# nobody logs in).
NG="$TMP/nginx"
mkdir -p "$NG"
cat >"$NG/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_mail_module.so;
daemon off; master_process off; pid $NG/nginx.pid; error_log $NG/error.log info;
events { worker_connections 256; }
http { access_log off; client_body_temp_path $NG; proxy_temp_path $NG;
  fastcgi_temp_path $NG; uwsgi_temp_path $NG; scgi_temp_path $NG;
  server { listen 127.30.3.9:$PORT; add_header Auth-Status "no logins here" always; return 204; }
}
mail {
  server_name mail.scan.test;
  auth_http 127.30.3.9:$PORT/auth;
  ssl_certificate $TMP/cert.pem; ssl_certificate_key $TMP/key.pem;
  ssl_ciphers ALL:@SECLEVEL=0;
  server { listen 127.30.3.1:$PORT; protocol imap; starttls on; ssl_protocols TLSv1.1 TLSv1.2; }
  server { listen 127.30.3.2:$PORT; protocol pop3; starttls on; ssl_protocols TLSv1 TLSv1.1; }
  server { listen 127.30.3.3:$PORT; protocol smtp; starttls on; ssl_protocols TLSv1.2 TLSv1.3; }
  server { listen 127.30.3.4:$PORT ssl; protocol imap; ssl_protocols TLSv1.3; }
  server { listen 127.30.3.5:$PORT ssl; protocol smtp; ssl_protocols TLSv1 TLSv1.1 TLSv1.2; }
}
EOF
timeout 120 nginx -c "$NG/nginx.conf" -p "$NG" -e "$NG/error.log" >"$NG/nginx.out" 2>&1 &
PIDS+=($!)

addr=$(servers_listening "$TARGETS" "$PORT") || fail "nothing listens on $addr"

# The oracle: openssl s_client, pinned to each version, must agree with the
# table before the scanner is judged.
while read -r label url expect; do
  [ -z "$label" ] && continue
  case "$expect" in tls1.*) ;; *) continue ;; esac
  got=$(s_client_versions "${url#*://}" "${url%%://*}")
  [ "$got" = "$expect" ] || fail "openssl s_client: $label accepts '$got', configured '$expect'"
done <<<"$TARGETS"

servers_targets "$TARGETS"
"$TLSSWEEP" scan --timeout 3s --retries 0 -q "${TARGET_ARGS[@]}" >"$TMP/out.jsonl" </dev/null ||
  fail "scan exited $?"

python3 - "$TMP/out.jsonl" "$TARGETS" <<'PYEOF' || fail "records"
import json, sys
want = {}
for line in sys.argv[2].strip().splitlines():
    label, _url, *expect = line.split()
    want[label] = expect
recs = [json.loads(l) for l in open(sys.argv[1])]
labels = sorted(r.get("label") for r in recs)
assert labels == sorted(want), f"labels {labels}, targets {sorted(want)}"
errors = []
for r in sorted(recs, key=lambda r: r["label"]):
    label, expect = r["label"], want[r["label"]]
    versions = r.get("versions", {})
    if r["status"] != "ok" or sorted(versions) != ["ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"]:
        errors.append(f"{label}: {r}")
        continue
    if expect[0].startswith("tls1."):
        acc = sorted(v for v, x in versions.items() if x["verdict"] == "accepted")
        print(f"{label}: accepted {acc}")
        if acc != expect:
            errors.append(f"{label}: accepted {acc}, configured {expect}")
        # dovecot closes the connection without flushing OpenSSL's alert
        refusals = ("closed",) if label.startswith("dovecot") else ("alert", "version_mismatch")
        for v, x in versions.items():
            if v not in expect and (x["verdict"] != "rejected" or x.get("reason") not in refusals):
                errors.append(f"{label}: {v} {x}, expected a rejection by {refusals}")
    else:
        print(f"{label}: {versions['tls1.2'].get('reason')} {versions['tls1.2'].get('reply', '')!r}")
        for v, x in versions.items():
            if x["verdict"] != "rejected" or x.get("reason") != expect[0]:
                errors.append(f"{label}: {v} {x}, expected {expect[0]}")
for e in errors:
    print("MISMATCH", e)
sys.exit(1 if errors else 0)
PYEOF

# tlssweep bench through STARTTLS: every handshake runs the dialogue first.
# In range, each completes; outside it (dovecot12 at TLS 1.0), none does, the
# failures are counted, and the exit status is 2.
for case in "imap://127.30.1.1:$PORT tls1.0" "pop3://127.30.1.3:$PORT tls1.3" \
  "smtp://127.30.2.2:$PORT tls1.1" "submission://127.30.2.3:$PORT tls1.2"; do
  read -r url v <<<"$case"
  "$TLSSWEEP" bench "$url" --version "$v" --handshakes 40 -c 4 --timeout 3s --json \
    >"$TMP/bench.json" </dev/null || fail "bench $url $v exited $?"
  python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["handshakes"] == 40 and sum(r["errors"].values()) == 0 and r["resumed"] == 0, r
' "$TMP/bench.json" || fail "bench $url $v: $(cat "$TMP/bench.json")"
done
"$TLSSWEEP" bench "imap://127.30.1.11:$PORT" --version tls1.0 --handshakes 10 -c 2 --timeout 3s \
  --json >"$TMP/bench.json" </dev/null
rc=$?
[ "$rc" -eq 2 ] || fail "bench of TLS 1.0 against a TLS 1.2+ dovecot exited $rc, expected 2"
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["handshakes"] == 0 and sum(r["errors"].values()) >= 1, r
' "$TMP/bench.json" || fail "bench outside the range: $(cat "$TMP/bench.json")"
echo PASS
