#!/bin/sh
# tools/install-deps.sh: installs the Debian 12 packages tlssweep needs to
# build, run, test and benchmark (the peer tools sslscan, testssl.sh and nmap
# are in the list: the peers test runs them), to package it (dpkg-dev,
# patchelf, lintian, man-db; debootstrap for the package test's fresh root;
# umoci, podman, runc, skopeo and docker-registry for the container image
# and its push to a registry) and to run the deploy scripts
# on a real one-node Slurm cluster (slurmctld, slurmd, slurm-client, munge),
# and promtool (prometheus: the --metrics file is checked with it),
# and nothing else. Idempotent: it asks dpkg what is
# missing first, and says nothing when nothing is. Both README commands and
# .ci/run start here. Needs root (or sudo) only when something is missing.
set -u

PACKAGES="
bazel-bootstrap
gcc
clang
libclang-rt-14-dev
android-libboringssl-dev
libssl-dev
openssl
dnsmasq-base
liburing-dev
libjemalloc-dev
libc-ares-dev
libcmocka-dev
libjansson-dev
libsqlite3-dev
sqlite3
valgrind
python3
nginx-core
libnginx-mod-mail
dovecot-imapd
dovecot-pop3d
postfix
sslscan
testssl.sh
nmap
libwolfssl-dev
libmbedtls-dev
libgnutls28-dev
gnutls-bin
vsftpd
slapd
ldap-utils
prosody
postgresql
nftables
chromium
fonts-dejavu-core
dpkg-dev
patchelf
lintian
man-db
debootstrap
umoci
podman
runc
skopeo
docker-registry
slurmctld
slurmd
slurm-client
munge
prometheus
"

missing=""
for p in $PACKAGES; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done

[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: need root (or sudo) to install:$missing" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# Servers (nginx, and the mail servers of the STARTTLS tests) are started by
# the tests themselves with their own configs: keep the packages from
# starting system-wide daemons on install (policy-rc.d, exit 101 = "no").
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
  made_policy=1
fi
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
rc=$?
[ -n "$made_policy" ] && $SUDO rm -f "$policy"
[ "$rc" -eq 0 ] || { echo "install-deps: apt-get install failed" >&2; exit 1; }
echo "install-deps: done" >&2
