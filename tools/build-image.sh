#!/bin/bash
# tools/build-image.sh: builds the container image tlssweep:VERSION as an OCI
# image, offline: nothing is pulled from any registry, there is no base
# image. umoci writes it from a root made here:
#
#   the files of the Debian package (tools/build-deb.sh: /usr/bin/tlssweep
#     with its RUNPATH, the man page, the docs)
#   every library ldd resolves for tlssweep, dash and mkdir, at the path the
#     loader looks for it (merged /usr: /lib, /lib64, /bin are links into it),
#     with the loader itself; the files are the machine's, from the very
#     Debian packages the .deb Depends on
#   /bin/sh (dash) and mkdir: what deploy/run-part.sh needs, in PATH as
#     /usr/local/bin/run-part.sh, so the Kubernetes Job can run it
#   /etc/ssl/certs/ca-certificates.crt (the certificate report's trust store),
#     /etc/passwd and /etc/group (root, nobody), an empty /tmp
#
#   tools/build-image.sh [--binary PATH | --deb FILE] [--out DIR]
#
# writes DIR/tlssweep-VERSION.oci (an OCI image layout, reference VERSION)
# and DIR/tlssweep-VERSION.oci.tar (the same as an oci-archive); the
# entrypoint is /usr/bin/tlssweep, so `podman run tlssweep:VERSION lab` runs
# the lab. To run or push it (README, "In production"):
#   podman load -i tlssweep-VERSION.oci.tar             # now tlssweep:VERSION
#   podman run --rm --network=none --security-opt seccomp=unconfined tlssweep:VERSION lab
#   podman push tlssweep:VERSION docker://REGISTRY/tlssweep:VERSION
#   skopeo copy oci-archive:tlssweep-VERSION.oci.tar docker://REGISTRY/tlssweep:VERSION
# (The default seccomp profile refuses io_uring: unconfined, or a profile
# that adds io_uring_setup, io_uring_enter and io_uring_register.)
set -euo pipefail
TOP="$(cd "$(dirname "$0")/.." && pwd)"
BIN=""
DEB=""
OUT="$TOP"
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) BIN="$2"; shift 2 ;;
    --deb) DEB="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "usage: tools/build-image.sh [--binary PATH | --deb FILE] [--out DIR]" >&2; exit 1 ;;
  esac
done
die() { echo "build-image: $*" >&2; exit 1; }
for tool in umoci dpkg-deb tar unshare; do
  command -v "$tool" >/dev/null || die "$tool is missing: run tools/install-deps.sh"
done
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
if [ -z "$DEB" ]; then
  "$TOP/tools/build-deb.sh" ${BIN:+--binary "$BIN"} --out "$STAGE/deb" >"$STAGE/deb.log" 2>&1 ||
    { cat "$STAGE/deb.log" >&2; die "tools/build-deb.sh failed"; }
  DEB=$(ls "$STAGE"/deb/tlssweep_*_amd64.deb)
fi
VERSION=$(dpkg-deb -f "$DEB" Version)
ROOT="$STAGE/root"
mkdir -p "$ROOT/usr/bin" "$ROOT/usr/lib/x86_64-linux-gnu" "$ROOT/usr/local/bin" "$ROOT/usr/sbin" \
  "$ROOT/etc/ssl/certs" "$ROOT/data" "$ROOT/proc"
for d in bin sbin lib; do ln -s "usr/$d" "$ROOT/$d"; done
ln -s usr/lib64 "$ROOT/lib64"
mkdir -p "$ROOT/usr/lib64"
install -d -m 1777 "$ROOT/tmp"
dpkg-deb -x "$DEB" "$ROOT"

# copy_libs ELF (as it lies in the root): each library the loader resolves,
# at the path it resolves it by (through the root's /lib -> usr/lib links),
# with the real file's bytes.
copy_libs() {
  local lib dir
  for lib in $(ldd "$1" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^\s*\(\/[^ ]*\) (.*/\1/p'); do
    dir=$(readlink -f "$(dirname "$lib")")
    mkdir -p "$ROOT$dir"
    [ -e "$ROOT$dir/$(basename "$lib")" ] || cp -L "$lib" "$ROOT$dir/$(basename "$lib")"
  done
}
copy_libs "$ROOT/usr/bin/tlssweep"
cp -L /bin/dash "$ROOT/usr/bin/dash" && ln -s dash "$ROOT/usr/bin/sh"
cp -L /bin/mkdir "$ROOT/usr/bin/mkdir"
copy_libs "$ROOT/usr/bin/dash"
copy_libs "$ROOT/usr/bin/mkdir"
install -m 0755 "$TOP/deploy/run-part.sh" "$ROOT/usr/local/bin/run-part.sh"
cp -L /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' \
  >"$ROOT/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOT/etc/group"
# in_root CMD...: CMD in the root, with /proc as a container has it (a mount
# namespace of its own: the mount goes with it).
in_root() {
  unshare --mount --propagation private --fork -- /bin/sh -c \
    'mount -t proc proc "$1/proc" && r=$1 && shift && exec chroot "$r" "$@"' sh "$ROOT" "$@"
}
in_root /usr/bin/tlssweep --version >/dev/null || die "tlssweep does not run in the image's root"
in_root /bin/sh -c 'mkdir -p /tmp/x' || die "sh and mkdir do not run in the image's root"
rmdir "$ROOT/tmp/x"

LAYOUT="$OUT/tlssweep-$VERSION.oci"
mkdir -p "$OUT"
rm -rf "$LAYOUT"
umoci init --layout "$LAYOUT"
umoci new --image "$LAYOUT:$VERSION"
umoci unpack --image "$LAYOUT:$VERSION" "$STAGE/bundle" >/dev/null
rmdir "$STAGE/bundle/rootfs" && mv "$ROOT" "$STAGE/bundle/rootfs"
umoci repack --image "$LAYOUT:$VERSION" --history.created_by "tools/build-image.sh" "$STAGE/bundle"
umoci config --image "$LAYOUT:$VERSION" --os linux --architecture amd64 \
  --config.entrypoint /usr/bin/tlssweep --config.cmd --help \
  --config.env PATH=/usr/local/bin:/usr/bin:/bin --config.workingdir /data \
  --config.label org.opencontainers.image.title=tlssweep \
  --config.label org.opencontainers.image.version="$VERSION" \
  --config.label org.opencontainers.image.description="which TLS versions each endpoint accepts" \
  --history.created_by "tools/build-image.sh: entrypoint, environment"
umoci gc --layout "$LAYOUT"
# The reference inside is tlssweep:VERSION, the name podman load gives it.
umoci tag --image "$LAYOUT:$VERSION" "tlssweep:$VERSION"
umoci rm --image "$LAYOUT:$VERSION"
tar -C "$LAYOUT" --sort=name -cf "$OUT/tlssweep-$VERSION.oci.tar" .
echo "build-image: $LAYOUT"
echo "build-image: $OUT/tlssweep-$VERSION.oci.tar (load with: podman load -i ...)"
