#!/bin/bash
# tests/integration/deb_test.sh: tools/build-deb.sh makes a lintian-clean
# package of the tested binary, and the package works on a Debian root that
# holds nothing but minbase and the packages its Depends names:
#
#   1. build-deb.sh builds tlssweep_VERSION_amd64.deb (it fails on any lintian
#      error or warning, and when a library ldd resolves is not in Depends);
#   2. a fresh bookworm root (debootstrap --variant=minbase --include=<the
#      Depends>) gets it by `dpkg -i`; there, with /proc mounted, `tlssweep
#      --version` and `tlssweep lab` (16 of 16 endpoints as configured) run:
#      the computed Depends are enough;
#   3. `man --warnings -l` renders the man page without a warning; it has a
#      section for every command `tlssweep --help` lists, and the page and
#      the bash completion name every option of every command's
#      --list-options (the option table's dump); the completion completes
#      commands, options, files and values;
#   4. the systemd units pass `systemd-analyze verify`; the service's own
#      ExecStart line runs in the root, with /etc/tlssweep/tenants.txt and
#      TLSSWEEP_OPTS (a resolver) from /etc/default/tlssweep, against dnsmasq
#      and an openssl s_server on 127.63.10.0/24, and leaves the dated records
#      (one tenant summary, verdict modern), metadata and metrics in
#      /var/lib/tlssweep; its ExecStartPost publishes the metrics (promtool
#      checks them) in node_exporter's textfile directory.
#
# The root: debootstrap needs the Debian mirror apt's sources name (about 90 s
# on this machine). Its result is kept, untouched, in $TLSSWEEP_TEST_CACHE
# (/var/cache/tlssweep-tests), one directory per set of Depends; each run
# mounts an overlay over it in a mount namespace of its own, so the run's
# changes vanish with the namespace and a later run starts from the same
# fresh root in a second. When debootstrap cannot run (no mirror), the test
# says why and installs with `dpkg -i` on this machine instead, then purges
# the package (only if tlssweep was not installed before).
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
BUILD_DEB="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
CACHE="${TLSSWEEP_TEST_CACHE:-/var/cache/tlssweep-tests}"
TMP="$(mktemp -d)"
PIDS=()
HOST_INSTALLED=""
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ -n "$HOST_INSTALLED" ] && dpkg --purge tlssweep >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. The package.
"$BUILD_DEB" --binary "$TLSSWEEP" --out "$TMP/out" >"$TMP/build.log" 2>&1 ||
  { cat "$TMP/build.log" >&2; fail "build-deb.sh exited $?"; }
cat "$TMP/build.log"
DEB=$(ls "$TMP"/out/tlssweep_*_amd64.deb 2>/dev/null | head -1)
[ -n "$DEB" ] || fail "no .deb"
VERSION=$("$TLSSWEEP" --version | sed -n 's/^tlssweep \([^ ]*\) .*/\1/p')
[ "$(basename "$DEB")" = "tlssweep_${VERSION}_amd64.deb" ] || fail "named $(basename "$DEB")"
dpkg-deb -c "$DEB" | awk '{print $6}' >"$TMP/contents.txt"
for f in ./usr/bin/tlssweep ./usr/share/man/man1/tlssweep.1.gz \
  ./usr/share/bash-completion/completions/tlssweep ./usr/share/doc/tlssweep/copyright \
  ./usr/share/doc/tlssweep/README.md.gz ./usr/share/doc/tlssweep/changelog.gz \
  ./usr/lib/systemd/system/tlssweep-sweep.service ./usr/lib/systemd/system/tlssweep-sweep.timer \
  ./usr/share/doc/tlssweep/examples/tenants.txt; do
  grep -qx "$f" "$TMP/contents.txt" || fail "the package lacks $f"
done
DEPENDS=$(dpkg-deb -f "$DEB" Depends)
# A sanitizer build (TLSSWEEP_SANITIZED, --config=asan) runs on the
# sanitizer's malloc, not jemalloc: its package rightly does without it.
WANT="android-libboringssl liburing2 libc-ares2 libjansson4 libc6"
[ "${TLSSWEEP_SANITIZED:-0}" = 1 ] || WANT="$WANT libjemalloc2"
for p in $WANT; do
  [[ ", $DEPENDS," == *", $p "* ]] || fail "Depends ($DEPENDS) lacks $p"
done
INCLUDE=$(echo "$DEPENDS" | sed 's/ *([^)]*)//g; s/ *, */,/g')

# 2. A fresh root.
ROOT_CACHE=""
KEY=$(printf 'bookworm minbase %s' "$INCLUDE" | sha256sum | cut -c1-16)
if [ -d "$CACHE/bookworm-minbase-$KEY" ]; then
  ROOT_CACHE="$CACHE/bookworm-minbase-$KEY"
else
  MIRROR=$(apt-get indextargets --format '$(REPO_URI)' 'Codename: bookworm' \
    'Identifier: Packages' 2>/dev/null | head -1)
  mkdir -p "$CACHE"
  NEW=$(mktemp -d "$CACHE/.new-XXXXXX")
  if [ -n "$MIRROR" ] && command -v debootstrap >/dev/null &&
    timeout 600 debootstrap --variant=minbase --include="$INCLUDE" bookworm "$NEW" "$MIRROR" \
      >"$TMP/debootstrap.log" 2>&1; then
    mv -T "$NEW" "$CACHE/bookworm-minbase-$KEY" 2>/dev/null || rm -rf "$NEW"
    ROOT_CACHE="$CACHE/bookworm-minbase-$KEY"
  else
    echo "deb_test: debootstrap could not make a root (mirror '${MIRROR:-none}'):" >&2
    tail -3 "$TMP/debootstrap.log" >&2 2>/dev/null
    rm -rf "$NEW"
  fi
fi

# in_root CMD...: runs CMD in the fresh root (an overlay over the cached one,
# /proc mounted, both gone when the namespace ends), or on this machine.
mkdir -p "$TMP/upper" "$TMP/work" "$TMP/root"
in_root() {
  if [ -n "$ROOT_CACHE" ]; then
    unshare --mount --propagation private --fork -- /bin/sh -c '
      mount -t overlay overlay -o "lowerdir=$1,upperdir=$2,workdir=$3" "$4" &&
      mount -t proc proc "$4/proc" && root=$4 && shift 4 && exec chroot "$root" "$@"' \
      sh "$ROOT_CACHE" "$TMP/upper" "$TMP/work" "$TMP/root" "$@"
  else
    "$@"
  fi
}
if [ -n "$ROOT_CACHE" ]; then
  echo "deb_test: installing into a fresh bookworm minbase root with: $INCLUDE"
  mkdir -p "$TMP/upper/tmp"
  cp "$DEB" "$TMP/upper/tmp/tlssweep.deb"
  in_root dpkg -i /tmp/tlssweep.deb >"$TMP/dpkg.log" 2>&1 || { cat "$TMP/dpkg.log" >&2; fail "dpkg -i"; }
  FILES="$TMP/upper"
else
  dpkg -s tlssweep >/dev/null 2>&1 && fail "tlssweep is installed on this machine: not touching it"
  echo "deb_test: installing on this machine with dpkg -i (purged at the end)"
  HOST_INSTALLED=1
  dpkg -i "$DEB" >"$TMP/dpkg.log" 2>&1 || { cat "$TMP/dpkg.log" >&2; fail "dpkg -i"; }
  FILES=""
fi
in_root dpkg -s tlssweep 2>/dev/null | grep -qx 'Status: install ok installed' || fail "not installed"
in_root /usr/bin/tlssweep --version >"$TMP/version.txt" 2>&1 || fail "--version: $(cat "$TMP/version.txt")"
grep -q "^tlssweep $VERSION (allocator: " "$TMP/version.txt" || fail "--version: $(cat "$TMP/version.txt")"
in_root timeout 120 /usr/bin/tlssweep lab -o /tmp/lab.jsonl </dev/null >/dev/null 2>"$TMP/lab.err" ||
  { cat "$TMP/lab.err" >&2; fail "lab from the package exited $?"; }
grep -qE '^lab: ([0-9]+) of \1 endpoints answered as configured' "$TMP/lab.err" ||
  { cat "$TMP/lab.err" >&2; fail "lab summary"; }
echo "deb_test: $(grep '^lab: .* answered' "$TMP/lab.err") (from the installed package)"

# 3. The man page and the completion, against the binary's own --help.
MAN="$FILES/usr/share/man/man1/tlssweep.1.gz"
COMPLETION="$FILES/usr/share/bash-completion/completions/tlssweep"
MANWIDTH=80 man --warnings -l -Tutf8 "$MAN" 2>"$TMP/man.err" | col -b >"$TMP/man.txt"
[ -s "$TMP/man.err" ] && { cat "$TMP/man.err" >&2; fail "man --warnings"; }
for h in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" FILES EXAMPLES; do
  grep -q "^$h" "$TMP/man.txt" || fail "the man page has no $h section"
done
grep -q "tlssweep $VERSION" "$TMP/man.txt" || fail "the man page does not name version $VERSION"
COMMANDS=$("$TLSSWEEP" --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
[ "$(echo $COMMANDS)" = "scan lab tenants bench hello report check import diff history" ] || fail "commands: $(echo $COMMANDS)"
for c in $COMMANDS; do
  grep -q "^\.SS \"\?tlssweep $c " <(zcat "$MAN") || fail "the man page has no section for $c"
  "$TLSSWEEP" "$c" --list-options | cut -d' ' -f1
done | sort -u >"$TMP/help-opts.txt"
[ "$(wc -l <"$TMP/help-opts.txt")" -gt 40 ] || fail "only $(wc -l <"$TMP/help-opts.txt") options"
while read -r opt; do
  grep -q -- "$opt" "$TMP/man.txt" || fail "the man page lacks $opt"
  grep -qE -- "[\" ]$opt[\" ]" "$COMPLETION" || fail "the completion lacks $opt"
done <"$TMP/help-opts.txt"
# complete WORDS...: what the completion offers for the last word.
complete_words() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _tlssweep;
           [ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' sh "$COMPLETION" "$@" | sort | tr '\n' ' '
}
mkdir -p "$TMP/cwd" && touch "$TMP/cwd/targets.txt"
[ "$(complete_words tlssweep te)" = "tenants " ] || fail "complete 'te': $(complete_words tlssweep te)"
[ "$(complete_words tlssweep scan --res)" = "--resolver --resume " ] ||
  fail "complete '--res': $(complete_words tlssweep scan --res)"
[ "$(complete_words tlssweep scan --format '')" = "csv jsonl text " ] || fail "complete --format"
[ "$(complete_words tlssweep diff --format '')" = "jsonl text " ] || fail "complete diff --format"
[ "$(complete_words tlssweep tenants --preset '')" = "exchange-online " ] || fail "complete --preset"
[ "$(complete_words tlssweep bench --version tls1.)" = "tls1.0 tls1.1 tls1.2 tls1.3 " ] ||
  fail "complete bench --version"
[ "$(cd "$TMP/cwd" && complete_words tlssweep scan -i tar)" = "targets.txt " ] || fail "complete -i FILE"
[ -z "$(complete_words tlssweep scan --rate '')" ] || fail "complete --rate offered something"

# 4. The systemd units, and the service's command in the root.
UNITS="$FILES/usr/lib/systemd/system"
systemd-analyze verify --man=no "$UNITS/tlssweep-sweep.service" "$UNITS/tlssweep-sweep.timer" \
  >"$TMP/verify.txt" 2>&1
[ -s "$TMP/verify.txt" ] && { cat "$TMP/verify.txt" >&2; fail "systemd-analyze verify"; }
grep -q '^WantedBy=timers.target' "$UNITS/tlssweep-sweep.timer" || fail "the timer is not for timers.target"
grep -q '^OnCalendar=Mon ' "$UNITS/tlssweep-sweep.timer" || fail "the timer is not weekly"
if [ -z "$ROOT_CACHE" ]; then
  echo "deb_test: the service's command was not run (no fresh root: it would write /etc and /var/lib)"
  echo PASS
  exit 0
fi
EXEC=$(sed -n 's/^ExecStart=//p' "$UNITS/tlssweep-sweep.service" | sed 's/\$\$/$/g; s/%%/%/g')
POST=$(sed -n 's/^ExecStartPost=+//p' "$UNITS/tlssweep-sweep.service" | sed 's/\$\$/$/g; s/%%/%/g')
[ -n "$EXEC" ] && [ -n "$POST" ] || fail "no ExecStart or ExecStartPost"
DNS_PORT=$((20000 + RANDOM % 12500))
P=$((DNS_PORT + 1))
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -subj "/CN=box.a.test" >/dev/null 2>&1 || fail "cert"
timeout 120 dnsmasq -k --port="$DNS_PORT" --listen-address=127.0.0.1 --bind-interfaces \
  --no-resolv --no-hosts --conf-file=/dev/null --user=root --group=root --local=/test/ \
  --srv-host=_imaps._tcp.a.test,box.a.test,$P,0,0 --host-record=box.a.test,127.63.10.1 \
  --pid-file="$TMP/dnsmasq.pid" --log-facility="$TMP/dnsmasq.log" &
PIDS+=($!)
timeout 120 openssl s_server -accept "127.63.10.1:$P" -cert "$TMP/cert.pem" -key "$TMP/key.pem" \
  -quiet -min_protocol TLSv1.2 >/dev/null 2>&1 </dev/null &
PIDS+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.63.10.1/$P") 2>/dev/null && break; sleep 0.1; done
mkdir -p "$TMP/upper/etc/tlssweep" "$TMP/upper/etc/default" "$TMP/upper/var/lib/tlssweep" \
  "$TMP/upper/var/lib/prometheus/node-exporter"
echo "a.test label=tenant-a" >"$TMP/upper/etc/tlssweep/tenants.txt"
echo "TLSSWEEP_OPTS=\"--resolver 127.0.0.1:$DNS_PORT --timeout 2s --retries 0\"" \
  >"$TMP/upper/etc/default/tlssweep"
# As systemd would: the EnvironmentFile's variables exported, then ExecStart.
in_root timeout 120 /bin/sh -c "set -a; . /etc/default/tlssweep; set +a; $EXEC" \
  >"$TMP/sweep.out" 2>&1 || { cat "$TMP/sweep.out" >&2; fail "the service's command exited $?"; }
in_root /bin/sh -c "$POST" || fail "the service's ExecStartPost exited $?"
PUBLISHED="$TMP/upper/var/lib/prometheus/node-exporter/tlssweep-sweep.prom"
cmp -s "$PUBLISHED" "$TMP/upper/var/lib/tlssweep/tlssweep-sweep.prom" ||
  fail "the metrics were not published for node_exporter"
[ -e "$PUBLISHED.tmp" ] || [ -e "${PUBLISHED%/*}/.tlssweep-sweep.prom.tmp" ] && fail "a .tmp was left"
if command -v promtool >/dev/null; then
  promtool check metrics <"$PUBLISHED" >/dev/null 2>&1 || fail "promtool check metrics"
fi
grep -q '^tlssweep_targets{tenant="tenant-a",proto="imaps",status="ok"} 1$' "$PUBLISHED" ||
  fail "the published metrics: $(head -5 "$PUBLISHED")"
python3 - "$TMP/upper/var/lib/tlssweep" <<'PYEOF' || fail "the sweep's records"
import glob, json, os, re, sys
d = sys.argv[1]
names = sorted(os.listdir(d))
assert len(names) == 3 and re.fullmatch(r"sweep-\d{4}-\d\d-\d\d\.jsonl", names[0]), names
day = names[0][len("sweep-"):-len(".jsonl")]
assert names[1:] == [f"sweep-{day}.meta.json", "tlssweep-sweep.prom"], names
recs = [json.loads(l) for l in open(f"{d}/sweep-{day}.jsonl")]
sums = [r for r in recs if "tenant" in r and "verdict" in r]
assert [(s["tenant"], s["label"], s["verdict"]) for s in sums] == [("a.test", "tenant-a", "modern")], sums
eps = [r for r in recs if "verdict" not in r]
assert len(eps) == 1 and eps[0]["ip"] == "127.63.10.1", eps
meta = json.load(open(f"{d}/sweep-{day}.meta.json"))
assert meta["tool"] == "tlssweep" and "tenants" in meta["command"], meta
print(f"the service's sweep: sweep-{day}.jsonl with tenant a.test modern, its metadata and metrics")
PYEOF
echo PASS
