#!/bin/bash
# tests/integration/text_view_test.sh: the terminal view, and JSON Lines
# everywhere else.
#
# Three endpoints on 127.43.0.0/24: openssl s_server (TLS 1.2-1.3), a server
# whose banner is markup and terminal escapes (fake_servers.py
# hostile-banner), and an SMTP server that refuses STARTTLS with a hostile
# reply; one target's label is markup too. The same scan runs
#   - through a pipe: JSON Lines, the same records as with -o FILE and as
#     with --format jsonl under a terminal (timings aside);
#   - under a pseudo-terminal (script -qec): the text view in colour, where
#     every escape sequence is one of the view's own colours and the
#     server's escapes show as text; with NO_COLOR set: no escape at all;
#     with -o FILE: nothing on the terminal, JSON Lines in the file;
#   - and with the status line on the same terminal (400 closed ports at 200
#     connections a second, so it lasts two seconds or more): the line is
#     taken off before records are written and drawn again after them, so
#     no record is written onto it.
set -u
T="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HERE="$(cd "$(dirname "$0")" && pwd)"
FAKES="$HERE/fake_servers.py"
[ -f "$FAKES" ] || FAKES="$TEST_SRCDIR/$TEST_WORKSPACE/tests/integration/fake_servers.py"
TMP="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v script >/dev/null || fail "script(1) (bsdutils) is missing"
P=$((20000 + RANDOM % 12500))
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -subj "/CN=view.test" >/dev/null 2>&1 || fail "cert"
timeout 60 openssl s_server -accept "127.43.0.1:$P" -cert "$TMP/cert.pem" -key "$TMP/key.pem" \
  -www -quiet -min_protocol TLSv1.2 >/dev/null 2>&1 </dev/null &
PIDS+=($!)
timeout 60 python3 "$FAKES" hostile-banner 127.43.0.2 "$P" 55 &
PIDS+=($!)
timeout 60 python3 "$FAKES" smtp-hostile 127.43.0.3 "$P" 55 &
PIDS+=($!)
for a in 1 2 3; do
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.43.0.$a/$P") 2>/dev/null && break; sleep 0.1; done
done
# One argument per target: the fields ride in the argument with it.
ARGS=("127.43.0.1:$P label=modern" "127.43.0.2:$P label=<img/src=x/onerror=alert(1)>"
      "smtp://127.43.0.3:$P label=hostile-smtp")
SCAN=("$T" scan -q --timeout 2s --retries 0 --no-shape-retry)

"${SCAN[@]}" "${ARGS[@]}" </dev/null | cat >"$TMP/pipe.jsonl" || fail "piped scan"
"${SCAN[@]}" -o "$TMP/file.jsonl" "${ARGS[@]}" </dev/null || fail "scan -o"

# The pseudo-terminal's command line: script runs it through sh -c.
q() { printf "'%s' " "$@"; }
script -qec "$(q "${SCAN[@]}" "${ARGS[@]}") </dev/null" /dev/null >"$TMP/tty.txt" </dev/null ||
  fail "scan under a terminal exited $?"
NO_COLOR=1 script -qec "$(q "${SCAN[@]}" "${ARGS[@]}") </dev/null" /dev/null \
  >"$TMP/tty-nocolor.txt" </dev/null || fail "NO_COLOR scan"
script -qec "$(q "${SCAN[@]}" --format jsonl "${ARGS[@]}") </dev/null" /dev/null \
  >"$TMP/tty.jsonl" </dev/null || fail "--format jsonl under a terminal"
script -qec "$(q "${SCAN[@]}" -o "$TMP/tty-file.jsonl" "${ARGS[@]}") </dev/null" /dev/null \
  >"$TMP/tty-o.txt" </dev/null || fail "-o under a terminal"

for i in $(seq 400); do echo "127.43.1.$((i % 250 + 1)):$((9 + i / 250))"; done >"$TMP/closed.txt"
script -qec "$(q "$T" scan --status -r 200 -V tls1.2 -i "$TMP/closed.txt") </dev/null" /dev/null \
  >"$TMP/tty-status.txt" </dev/null || fail "scan with a status line under a terminal"

python3 - "$TMP" "$P" <<'PYEOF' || fail "views"
import json, re, sys
d, port = sys.argv[1], sys.argv[2]

def records(path, cr=False):
    text = open(path, "rb").read().decode()
    if cr:
        text = text.replace("\r\n", "\n")
    out = []
    for line in text.splitlines():
        r = json.loads(line)
        r.pop("scan_ms", None)
        for v in r.get("versions", {}).values():
            v.pop("ms", None)
        out.append(json.dumps(r, sort_keys=True))
    return sorted(out)

pipe = records(f"{d}/pipe.jsonl")
assert len(pipe) == 3, pipe
assert pipe == records(f"{d}/file.jsonl"), "piped records differ from -o FILE's"
assert pipe == records(f"{d}/tty.jsonl", cr=True), "--format jsonl on a terminal differs"
assert pipe == records(f"{d}/tty-file.jsonl"), "-o FILE under a terminal differs"
assert open(f"{d}/tty-o.txt", "rb").read().strip() == b"", "-o FILE wrote to the terminal"

raw = open(f"{d}/tty.txt", "rb").read()
text = raw.decode("utf-8")
assert not text.lstrip().startswith("{"), "JSON on a terminal: " + text[:200]
# Every escape is one of the view's own colours (SGR: ESC [ digits m).
for m in re.finditer("\x1b", text):
    assert re.match(r"\x1b\[[0-9;]*m", text[m.start():]), repr(text[m.start():m.start() + 20])
assert "\x1b[" in text, "no colour on a terminal"
for bad in ("\x07", "\x9b", "\u202e", "\x1b]", "\x1b[2J", "\x1b[31m"):
    assert bad not in text, f"raw {bad!r} reached the terminal"
plain = re.sub(r"\x1b\[[0-9;]*m", "", text).replace("\r\n", "\n")
assert f"127.43.0.1:{port}  [modern]  modern TLS only" in plain, plain
assert "  TLS 1.2  accepted" in plain and "  TLS 1.3  accepted" in plain, plain
assert "  TLS 1.0  refused: alert protocol_version" in plain, plain
assert "[<img/src=x/onerror=alert(1)>]  no TLS version accepted" in plain, plain
# The banner's escapes are shown as text.
assert "<script>document.title='pwned'</script>\\u{009b}\\x1b[2J" in plain, plain
assert "STARTTLS refused" in plain and "\\x1b]0;pwned\\x07\\x1b[31m\\u{202e}\u00ff\u00fe" in plain, plain
assert "findings" in plain and "cert     view.test, expires" in plain, plain

nocolor = open(f"{d}/tty-nocolor.txt", "rb").read().decode()
assert "\x1b" not in nocolor, "NO_COLOR: escapes remain"
assert re.sub(r"\x1b\[[0-9;]*m", "", text).count("\n") == nocolor.count("\n")

# The status line and the records on one terminal: after each drawing of
# the line comes a carriage return (the line taken off, or drawn anew),
# never a record.
both = open(f"{d}/tty-status.txt", "rb").read().decode()
lines = list(re.finditer(r"\x1b\[K[0-9]+/~?[0-9]+ targets, [^\r\n]*? legacy, [0-9]+s", both))
assert lines, "no status line: " + repr(both[:300])
for m in lines:
    assert both[m.end():m.end() + 1] in ("\r", ""), repr(both[m.start():m.end() + 40])
assert both.count("unreachable") >= 400, "records missing under the status line"
print("text view:", plain.count("\n"), "lines;", len(lines), "status lines among the records")
PYEOF
echo PASS
