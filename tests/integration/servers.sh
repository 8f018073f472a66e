# shellcheck shell=bash
# tests/integration/servers.sh: what the tests that start real servers share,
# sourced by them: a temp dir the servers' own users can reach, the pids to
# stop at exit, and openssl s_client as the oracle of which TLS versions a
# server accepts.

# servers_setup NAME: makes $TMP, /tmp/NAME.XXXXXX (a short path: unix
# socket paths stay under 108 bytes; searchable by the servers' users, which
# Bazel's TEST_TMPDIR is not), and at exit stops every pid in $PIDS and
# removes $TMP.
servers_setup() {
  TMP="$(mktemp -d "/tmp/$1.XXXXXX")"
  chmod 711 "$TMP"
  PIDS=()
  trap servers_cleanup EXIT
}

servers_cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$TMP"
}

# servers_targets TABLE: the scan's arguments for a table whose lines start
# "label URL": "URL label=label" each, in the array TARGET_ARGS.
servers_targets() {
  local label url
  TARGET_ARGS=()
  while read -r label url _; do
    [ -z "$label" ] && continue
    TARGET_ARGS+=("$url label=$label")
  done <<<"$1"
}

# servers_listening TABLE PORT: waits, 10 s at most for each, until every
# address of the table's URLs listens on PORT. Returns 1 and prints the first
# that does not.
servers_listening() {
  local addr addrs
  addrs=$(sed -n 's|.*://\([0-9.]*\):.*|\1|p' <<<"$1" | sort -u)
  for addr in $addrs; do
    for _ in $(seq 100); do
      (exec 3<>"/dev/tcp/$addr/$2") 2>/dev/null && continue 2
      sleep 0.1
    done
    echo "$addr:$2"
    return 1
  done
}

# s_client_starttls SCHEME: s_client's options for the dialogue of a
# tlssweep scheme, none for implicit TLS. XMPP names the "localhost" domain,
# as tlssweep does when the target names no host.
s_client_starttls() {
  case "$1" in
  imap) echo "-starttls imap" ;;
  pop3) echo "-starttls pop3" ;;
  smtp | submission) echo "-starttls smtp" ;;
  ftp) echo "-starttls ftp" ;;
  ldap) echo "-starttls ldap" ;;
  xmpp) echo "-starttls xmpp -xmpphost localhost" ;;
  postgres) echo "-starttls postgres" ;;
  esac
}

# s_client_versions HOSTPORT SCHEME: the versions from tls1.0 to tls1.3 at
# which s_client completes a handshake, each pinned and with any cipher
# OpenSSL 3 has (SECLEVEL=0 lets TLS 1.0 and 1.1 through), space-separated.
# Each attempt is bounded to 10 s.
s_client_versions() {
  local v flag got=""
  for v in tls1.0 tls1.1 tls1.2 tls1.3; do
    flag="-tls${v#tls}"
    flag=${flag/./_}
    flag=${flag/-tls1_0/-tls1}
    # shellcheck disable=SC2046 # the dialogue's options are several words or none
    if timeout 10 openssl s_client -brief -connect "$1" $(s_client_starttls "$2") "$flag" \
      -cipher 'ALL:@SECLEVEL=0' </dev/null 2>&1 | grep -q '^Protocol version'; then
      got="$got $v"
    fi
  done
  echo "${got# }"
}
