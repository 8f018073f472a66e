#!/bin/bash
# tests/integration/image_test.sh: tools/build-image.sh builds the OCI image
# tlssweep:VERSION offline from the tested binary, and the image runs.
#
#   1. The layout: one manifest, reference tlssweep:VERSION, os linux, arch
#      amd64, entrypoint /usr/bin/tlssweep, PATH with run-part.sh; its one
#      layer unpacked holds the binary, every library ldd resolves for it
#      (at the path the loader asks for), the loader, sh, mkdir, run-part.sh
#      and the CA bundle, and nothing from the build machine's /etc beyond
#      passwd, group and the bundle.
#   2. From the unpacked root with chroot (no container runtime): --version,
#      `tlssweep lab` (16 of 16 as configured) and run-part.sh as the
#      Kubernetes Job runs it (JOB_COMPLETION_INDEX, PARTS=1) over closed
#      ports on 127.63.20.0/28.
#   3. With podman (rootful, its own storage in the test's temp dir, vfs):
#      `podman load` names it tlssweep:VERSION; `podman run --rm
#      --network=none tlssweep:VERSION lab` and the Job's run-part.sh with a
#      volume at /data. The default seccomp profile refuses io_uring
#      (io_uring_setup: ENOSYS), asserted; the runs use that profile plus
#      the three io_uring calls and nothing else. On this machine podman runs
#      with runc (crun refuses the hybrid cgroup layout: cgroup2 has the
#      hugetlb controller) and with the rlimits set to what the machine
#      allows (podman's defaults raise them, and root here lacks
#      CAP_SYS_RESOURCE). Without podman the test says so and passes on 1-2.
#   4. deploy/kubernetes/tlssweep-job.yaml names tlssweep:VERSION and runs
#      Unconfined.
#   5. The push the Job's comment describes: `skopeo copy oci-archive:...`
#      and `podman push` to Debian's docker-registry on 127.63.20.100 (its
#      storage in the temp dir), pulled back with podman and run.
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
BUILD_IMAGE="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
JOB="$3"
TMP="$(mktemp -d)"
PODMAN=()
REGISTRY_PID=""
cleanup() {
  [ -n "$REGISTRY_PID" ] && kill "$REGISTRY_PID" 2>/dev/null
  if [ ${#PODMAN[@]} -gt 0 ]; then
    "${PODMAN[@]}" rm --all --force >/dev/null 2>&1
    "${PODMAN[@]}" system reset --force >/dev/null 2>&1
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
VERSION=$("$TLSSWEEP" --version | sed -n 's/^tlssweep \([^ ]*\) .*/\1/p')

# 1. The layout.
"$BUILD_IMAGE" --binary "$TLSSWEEP" --out "$TMP/out" >"$TMP/build.log" 2>&1 ||
  { cat "$TMP/build.log" >&2; fail "build-image.sh exited $?"; }
LAYOUT="$TMP/out/tlssweep-$VERSION.oci"
ARCHIVE="$TMP/out/tlssweep-$VERSION.oci.tar"
[ -d "$LAYOUT" ] && [ -s "$ARCHIVE" ] || fail "no layout or archive"
umoci raw unpack --image "$LAYOUT:tlssweep:$VERSION" "$TMP/rootfs" >/dev/null 2>&1 ||
  fail "umoci cannot unpack tlssweep:$VERSION"
python3 - "$LAYOUT" "$VERSION" <<'PYEOF' || fail "the image's index, manifest or config"
import json, sys
lay, version = sys.argv[1], sys.argv[2]
def blob(d):
    return json.load(open(f"{lay}/blobs/{d.replace(':', '/')}"))
index = json.load(open(f"{lay}/index.json"))
assert len(index["manifests"]) == 1, index
m = index["manifests"][0]
assert m["annotations"]["org.opencontainers.image.ref.name"] == f"tlssweep:{version}", m
manifest = blob(m["digest"])
assert len(manifest["layers"]) == 1, manifest["layers"]
cfg = blob(manifest["config"]["digest"])
assert cfg["os"] == "linux" and cfg["architecture"] == "amd64", cfg
c = cfg["config"]
assert c["Entrypoint"] == ["/usr/bin/tlssweep"], c
assert "PATH=/usr/local/bin:/usr/bin:/bin" in c["Env"], c
assert c["Labels"]["org.opencontainers.image.version"] == version, c
print(f"image: tlssweep:{version}, entrypoint {c['Entrypoint']}, one layer of "
      f"{manifest['layers'][0]['size']} bytes")
PYEOF
R="$TMP/rootfs"
for f in usr/bin/tlssweep usr/bin/sh usr/bin/mkdir usr/local/bin/run-part.sh \
  etc/ssl/certs/ca-certificates.crt usr/share/man/man1/tlssweep.1.gz; do
  [ -e "$R/$f" ] || fail "the image lacks /$f"
done
[ -x "$R/usr/local/bin/run-part.sh" ] || fail "run-part.sh is not executable"
n=0
for lib in $(ldd "$R/usr/bin/tlssweep" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^\s*\(\/[^ ]*\) (.*/\1/p'); do
  [ -e "$R$lib" ] || fail "the image lacks $lib, which ldd lists for tlssweep"
  cmp -s "$(readlink -f "$lib")" "$R$lib" || fail "the image's $lib differs from the machine's"
  n=$((n + 1))
done
[ "$n" -ge 10 ] || fail "ldd listed only $n libraries"
[ "$(ls "$R/etc")" = "$(printf 'group\npasswd\nssl')" ] || fail "/etc holds $(ls "$R/etc" | tr '\n' ' ')"
echo "image: /usr/bin/tlssweep and all $n libraries ldd lists, sh, mkdir, run-part.sh, the CA bundle"

# 2. From the unpacked root, without a container runtime: chroot, with /proc
# mounted as a container has it, in a mount namespace of its own.
in_root() {
  timeout 120 unshare --mount --propagation private --fork -- /bin/sh -c \
    'mount -t proc proc "$1/proc" && r=$1 && shift && exec chroot "$r" "$@"' sh "$R" "$@"
}
in_root /usr/bin/tlssweep --version | grep -q "^tlssweep $VERSION " || fail "chroot --version"
in_root /usr/bin/tlssweep lab -o /tmp/lab.jsonl >/dev/null 2>"$TMP/lab.err" </dev/null ||
  { cat "$TMP/lab.err" >&2; fail "chroot lab exited $?"; }
grep -qE '^lab: ([0-9]+) of \1 endpoints answered as configured' "$TMP/lab.err" || fail "chroot lab"
echo "chroot: $(grep '^lab: .* answered' "$TMP/lab.err")"
PORT=$((20000 + RANDOM % 12500))
mkdir -p "$R/data"
echo "127.63.20.0/28:$PORT" >"$R/data/targets.txt"
in_root /bin/sh -c 'export PATH=/usr/local/bin:/usr/bin:/bin TARGETS=/data/targets.txt \
  OUT=/data/out SEED=5 PARTS=1 JOB_COMPLETION_INDEX=0; exec run-part.sh -V tls1.2 --timeout 1s -q' \
  </dev/null || fail "chroot run-part.sh exited $?"
[ "$(wc -l <"$R/data/out/part-0.jsonl")" -eq 16 ] || fail "chroot run-part.sh: $(wc -l <"$R/data/out/part-0.jsonl") records"
echo "chroot: run-part.sh as the Job runs it: 16 records"

# 4 (before 3, which may stop early). The Job's image and seccomp.
grep -q "^ *image: tlssweep:$VERSION\$" "$JOB" || fail "the Job's image is not tlssweep:$VERSION"
grep -A1 'seccompProfile:' "$JOB" | grep -q 'type: Unconfined' || fail "the Job does not allow io_uring"

# 3. podman.
if ! command -v podman >/dev/null; then
  echo "image_test: podman is not installed (tools/install-deps.sh): the image was not run in a container"
  echo PASS
  exit 0
fi
RUNTIME=$(command -v runc || command -v crun)
PODMAN=(podman --root "$TMP/storage" --runroot "$TMP/run" --tmpdir "$TMP/ptmp" --storage-driver vfs
  --cgroup-manager cgroupfs --events-backend file --runtime "$RUNTIME")
"${PODMAN[@]}" load -i "$ARCHIVE" >"$TMP/load.txt" 2>&1 || { cat "$TMP/load.txt" >&2; fail "podman load"; }
grep -q "Loaded image: localhost/tlssweep:$VERSION" "$TMP/load.txt" || fail "podman load: $(cat "$TMP/load.txt")"
# The default seccomp profile plus the three io_uring calls.
python3 - /usr/share/containers/seccomp.json "$TMP/seccomp.json" <<'PYEOF' || fail "seccomp profile"
import json, sys
p = json.load(open(sys.argv[1]))
names = {n for s in p["syscalls"] if s["action"] == "SCMP_ACT_ALLOW" for n in s.get("names", [])}
assert not names & {"io_uring_setup", "io_uring_enter", "io_uring_register"}, "default allows io_uring"
p["syscalls"].append({"names": ["io_uring_setup", "io_uring_enter", "io_uring_register"],
                      "action": "SCMP_ACT_ALLOW"})
json.dump(p, open(sys.argv[2], "w"))
PYEOF
RUN=(run --rm --network=none --ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
timeout 120 "${PODMAN[@]}" "${RUN[@]}" "tlssweep:$VERSION" lab -q >/dev/null 2>"$TMP/default.err"
rc=$?
grep -q 'cannot set up io_uring: Function not implemented' "$TMP/default.err" ||
  { cat "$TMP/default.err" >&2; fail "with the default seccomp profile: exit $rc, not io_uring's ENOSYS"; }
echo "podman: the default seccomp profile refuses io_uring (ENOSYS), as the Job's comment says"
RUN+=(--security-opt "seccomp=$TMP/seccomp.json")
timeout 120 "${PODMAN[@]}" "${RUN[@]}" "tlssweep:$VERSION" lab >"$TMP/plab.jsonl" 2>"$TMP/plab.err" ||
  { cat "$TMP/plab.err" >&2; fail "podman run tlssweep:$VERSION lab exited $?"; }
grep -qE '^lab: ([0-9]+) of \1 endpoints answered as configured' "$TMP/plab.err" || fail "podman lab"
[ "$(wc -l <"$TMP/plab.jsonl")" -eq 16 ] || fail "podman lab: $(wc -l <"$TMP/plab.jsonl") records"
echo "podman: $(grep '^lab: .* answered' "$TMP/plab.err")"
mkdir -p "$TMP/data"
echo "127.63.20.16/28:$PORT" >"$TMP/data/targets.txt"
timeout 120 "${PODMAN[@]}" "${RUN[@]}" -v "$TMP/data:/data" -e TARGETS=/data/targets.txt \
  -e OUT=/data/out -e SEED=5 -e PARTS=2 -e JOB_COMPLETION_INDEX=1 --entrypoint run-part.sh \
  "tlssweep:$VERSION" -V tls1.2 --timeout 1s -q </dev/null || fail "podman run-part.sh exited $?"
# 5. Pushed to a registry, as deploy/kubernetes/tlssweep-job.yaml says: Debian's
# docker-registry on 127.63.20.100 (its storage in the temp dir), skopeo copy of
# the archive and podman push of the loaded image, then pulled back and run.
if command -v docker-registry >/dev/null && command -v skopeo >/dev/null; then
  RPORT=$((PORT + 1))
  REG="127.63.20.100:$RPORT"
  printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
    "$TMP/registry" "$REG" >"$TMP/registry.yml"
  timeout 120 docker-registry serve "$TMP/registry.yml" >"$TMP/registry.log" 2>&1 &
  REGISTRY_PID=$!
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.63.20.100/$RPORT") 2>/dev/null && break; sleep 0.1; done
  timeout 60 skopeo copy --dest-tls-verify=false "oci-archive:$ARCHIVE" "docker://$REG/tlssweep:$VERSION" \
    >"$TMP/push.log" 2>&1 || { cat "$TMP/push.log" >&2; fail "skopeo copy to the registry"; }
  timeout 60 "${PODMAN[@]}" push --tls-verify=false "tlssweep:$VERSION" "$REG/tlssweep:$VERSION-podman" \
    >"$TMP/push.log" 2>&1 || { cat "$TMP/push.log" >&2; fail "podman push"; }
  "${PODMAN[@]}" rmi "tlssweep:$VERSION" >/dev/null 2>&1
  timeout 60 "${PODMAN[@]}" pull --tls-verify=false "$REG/tlssweep:$VERSION" >"$TMP/pull.log" 2>&1 ||
    { cat "$TMP/pull.log" >&2; fail "podman pull from the registry"; }
  "${PODMAN[@]}" "${RUN[@]}" "$REG/tlssweep:$VERSION" --version | grep -q "^tlssweep $VERSION " ||
    fail "the image pulled from the registry does not run"
  tags=$(skopeo list-tags --tls-verify=false "docker://$REG/tlssweep" | tr -d ' \n')
  [[ "$tags" == *"\"$VERSION\""* && "$tags" == *"\"$VERSION-podman\""* ]] || fail "registry tags: $tags"
  kill "$REGISTRY_PID"
  wait "$REGISTRY_PID" 2>/dev/null
  echo "registry: skopeo copy and podman push to $REG, pulled back and run"
else
  echo "image_test: docker-registry or skopeo is not installed (tools/install-deps.sh): no push"
fi
python3 - "$TMP/data/out" <<'PYEOF' || fail "podman run-part.sh's records"
import json, os, sys
d = sys.argv[1]
recs = [json.loads(l) for l in open(f"{d}/part-1.jsonl")]
assert 0 < len(recs) < 16 and all(r["status"] == "unreachable" for r in recs), recs
assert os.path.exists(f"{d}/part-1.ckpt") and os.path.exists(f"{d}/part-1.meta.json")
print(f"podman: run-part.sh as the Job runs it: part 1 of 2, {len(recs)} records, checkpoint, metadata")
PYEOF
echo PASS
