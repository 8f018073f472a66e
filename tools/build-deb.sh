#!/bin/bash
# tools/build-deb.sh: builds the Debian package tlssweep_VERSION_amd64.deb
# with dpkg-deb from the Bazel-built binary, and checks it with lintian.
#
#   tools/build-deb.sh [--binary PATH] [--out DIR]
#
# Without --binary it runs `bazel build -c opt //scanner:tlssweep`: the
# flags every test and benchmark uses (-O2, LTO, PIE, RELRO, BIND_NOW) plus
# the release mode's _FORTIFY_SOURCE (the code has no assert() for NDEBUG to
# remove), without moving the tree's bazel-bin link. The package holds:
#   /usr/bin/tlssweep      stripped as dh_strip does; its RUNPATH cut down to
#                          /usr/lib/x86_64-linux-gnu/android, where Debian's
#                          android-libboringssl keeps libssl.so.0 (Bazel's
#                          $ORIGIN/../_solib_k8 entries mean nothing once installed)
#   /usr/share/man/man1/tlssweep.1.gz and
#   /usr/share/bash-completion/completions/tlssweep
#                          generated from the binary's own --help by
#                          packaging/gen-docs.py, so they cannot drift
#   /usr/lib/systemd/system/tlssweep-sweep.{service,timer}
#                          a weekly `tlssweep tenants` sweep, not enabled on install
#   /usr/share/doc/tlssweep/  README, copyright, changelog, examples (tenants.txt,
#                          /etc/default/tlssweep, the deploy/ scripts)
# Depends is computed by dpkg-shlibdeps from the binary's NEEDED libraries
# (the packages' shlibs files), then checked: every library ldd resolves must
# belong to a package Depends names. The version comes from
# `tlssweep --version` and must head packaging/changelog.
#
# lintian runs at the end and the build fails on any error or warning. Tags
# that remain are explained in packaging/lintian-overrides (shipped as the
# package's override file), each with its reason. A binary from Bazel's
# default mode (--binary bazel-bin/scanner/tlssweep, as deb_test passes) also
# shows the info tag hardening-no-fortify-functions: that mode compiles with
# -U_FORTIFY_SOURCE; -c opt, the default here, fortifies.
set -euo pipefail
TOP="$(cd "$(dirname "$0")/.." && pwd)"
BIN=""
OUT="$TOP"
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) BIN="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "usage: tools/build-deb.sh [--binary PATH] [--out DIR]" >&2; exit 1 ;;
  esac
done
die() { echo "build-deb: $*" >&2; exit 1; }
if [ -z "$BIN" ]; then
  (cd "$TOP" && bazel build -c opt --symlink_prefix=/ //scanner:tlssweep) || die "bazel build failed"
  BIN="$(cd "$TOP" && bazel info -c opt bazel-bin 2>/dev/null)/scanner/tlssweep"
fi
[ -x "$BIN" ] || die "no binary at $BIN"
for tool in dpkg-deb dpkg-shlibdeps patchelf python3 gzip; do
  command -v "$tool" >/dev/null || die "$tool is missing: run tools/install-deps.sh"
done

VERSION=$("$BIN" --version | sed -n 's/^tlssweep \([^ ]*\) .*/\1/p')
[ -n "$VERSION" ] || die "could not read the version from $BIN --version"
CHANGELOG_VERSION=$(dpkg-parsechangelog -l "$TOP/packaging/changelog" -S Version)
[ "$CHANGELOG_VERSION" = "$VERSION" ] ||
  die "packaging/changelog's latest entry is $CHANGELOG_VERSION, the binary is $VERSION: add an entry"
# Every date in the package is the changelog's, so two builds of one tree
# give the same bytes (reproducible builds).
SOURCE_DATE_EPOCH=$(date -d "$(dpkg-parsechangelog -l "$TOP/packaging/changelog" -S Date)" +%s)
export SOURCE_DATE_EPOCH
DAY=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
ROOT="$STAGE/root"
DOC="$ROOT/usr/share/doc/tlssweep"
install -d "$ROOT/DEBIAN" "$DOC/examples/deploy" "$ROOT/usr/share/man/man1" \
  "$ROOT/usr/share/bash-completion/completions" "$ROOT/usr/lib/systemd/system" \
  "$ROOT/usr/share/lintian/overrides"

install -D -m 0755 "$BIN" "$ROOT/usr/bin/tlssweep"
patchelf --set-rpath /usr/lib/x86_64-linux-gnu/android "$ROOT/usr/bin/tlssweep"
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$ROOT/usr/bin/tlssweep"
"$ROOT/usr/bin/tlssweep" --version >/dev/null || die "the staged binary does not run"

python3 "$TOP/packaging/gen-docs.py" "$ROOT/usr/bin/tlssweep" --date "$DAY" \
  --man "$STAGE/tlssweep.1" --completion "$ROOT/usr/share/bash-completion/completions/tlssweep"
gzip -9n <"$STAGE/tlssweep.1" >"$ROOT/usr/share/man/man1/tlssweep.1.gz"
gzip -9n <"$TOP/README.md" >"$DOC/README.md.gz"
gzip -9n <"$TOP/packaging/changelog" >"$DOC/changelog.gz"
install -m 0644 "$TOP/packaging/copyright" "$DOC/copyright"
install -m 0644 "$TOP/packaging/examples/tenants.txt" "$TOP/packaging/examples/tlssweep.default" \
  "$DOC/examples/"
install -m 0644 "$TOP/deploy/run-part.sh" "$TOP/deploy/slurm/tlssweep-array.sh" \
  "$TOP/deploy/kubernetes/tlssweep-job.yaml" "$DOC/examples/deploy/"
install -m 0644 "$TOP/packaging/systemd/tlssweep-sweep.service" \
  "$TOP/packaging/systemd/tlssweep-sweep.timer" "$ROOT/usr/lib/systemd/system/"
install -m 0644 "$TOP/packaging/lintian-overrides" "$ROOT/usr/share/lintian/overrides/tlssweep"
install -m 0755 "$TOP/packaging/postinst" "$TOP/packaging/postrm" "$ROOT/DEBIAN/"

# Depends: dpkg-shlibdeps reads a debian/control, so give it a minimal one.
mkdir -p "$STAGE/src/debian"
printf 'Source: tlssweep\n\nPackage: tlssweep\nArchitecture: amd64\n' >"$STAGE/src/debian/control"
DEPENDS=$(cd "$STAGE/src" && dpkg-shlibdeps -O "$ROOT/usr/bin/tlssweep" 2>"$STAGE/shlibdeps.err" |
  sed -n 's/^shlibs:Depends=//p') || { cat "$STAGE/shlibdeps.err" >&2; die "dpkg-shlibdeps failed"; }
[ -n "$DEPENDS" ] || { cat "$STAGE/shlibdeps.err" >&2; die "dpkg-shlibdeps found no dependencies"; }
# owner PATH: the package that installed PATH, under the name the loader
# gave, its real path, or that path without /usr (dpkg knows the files of a
# merged /usr by the names the packages shipped).
owner() {
  local real p
  real=$(readlink -f "$1")
  for p in "$1" "$real" "${real#/usr}"; do
    dpkg -S "$p" 2>/dev/null | head -1 | cut -d: -f1 | grep . && return 0
  done
  return 1
}
# The check: every library the loader resolves belongs to a package Depends names.
for lib in $(ldd "$ROOT/usr/bin/tlssweep" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p'); do
  pkg=$(owner "$lib") || die "$lib belongs to no package"
  case ", $DEPENDS," in
    *", $pkg "* | *", $pkg,"*) ;;
    *) die "$lib comes from $pkg, which Depends ($DEPENDS) does not name" ;;
  esac
done

find "$ROOT" -path "$ROOT/DEBIAN" -prune -o -type f -printf '%P\0' | sort -z |
  (cd "$ROOT" && xargs -0 md5sum) >"$ROOT/DEBIAN/md5sums"
INSTALLED_SIZE=$(du -k -s --exclude=DEBIAN "$ROOT" | cut -f1)
cat >"$ROOT/DEBIAN/control" <<EOF
Package: tlssweep
Version: $VERSION
Architecture: amd64
Maintainer: tlssweep maintainers <maintainers@tlssweep.example>
Installed-Size: $INSTALLED_SIZE
Depends: $DEPENDS
Section: net
Priority: optional
Description: mass TLS version scanner: which TLS versions each endpoint accepts
 tlssweep finds, for very many endpoints, which TLS versions (SSLv3, TLS
 1.0, 1.1, 1.2, 1.3) each one really accepts, with version-pinned probes
 over io_uring, one JSON line per target. Accepted legacy versions are
 confirmed with full BoringSSL handshakes and the protocol's first exchange
 (HTTPS, SMTP, IMAP, POP3, FTP, LDAP, XMPP, PostgreSQL, STARTTLS included).
 .
 tlssweep tenants turns a list of customers' mail domains into one verdict
 per tenant; the package ships a weekly systemd timer that runs such a sweep.
EOF
find "$ROOT" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
DEB="$OUT/tlssweep_${VERSION}_amd64.deb"
mkdir -p "$OUT"
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$DEB" >/dev/null
echo "build-deb: $DEB"
echo "build-deb: Depends: $DEPENDS"

if command -v lintian >/dev/null; then
  # --fail-on warning: errors and warnings fail the build; info tags are shown.
  rc=0
  lintian --fail-on error,warning --display-info "$DEB" >"$STAGE/lintian.txt" 2>&1 || rc=$?
  grep -v 'running with root privileges' "$STAGE/lintian.txt" || true
  [ "$rc" -eq 0 ] || die "lintian found errors or warnings in $DEB"
else
  echo "build-deb: lintian is not installed (tools/install-deps.sh): package not checked" >&2
  exit 1
fi
