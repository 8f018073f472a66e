#!/usr/bin/env python3
"""packaging/gen-docs.py: the man page tlssweep(1) and the bash completion,
both generated from what the binary itself prints (`tlssweep --help`,
`tlssweep bench --help`, `tlssweep --version`), so neither can drift from the
options the binary really takes.

    gen-docs.py TLSSWEEP [--man OUT.1] [--completion OUT] [--date YYYY-MM-DD]

A help text is read as the binary lays it out: blocks separated by blank
lines. A block is the "usage:" line, a paragraph, or a section whose first
line is "name: ..." at column 0; in a section, an indented line that starts
with a dash (or, under "commands:", any line at two spaces) starts an entry,
and a line indented well right of that entry's head continues it. Sections become the man page's headings and entries its .TP items; an
option's metavariable decides what the completion offers after it: file
names after FILE, the words of a description such as "jsonl or csv", the
items of a LIST's comma-separated default.
"""
import argparse
import re
import subprocess
import sys

SECTION_RE = re.compile(r"^([a-z][a-z ]*?)(?: \(([^)]*)\))?:(?:\s+(.*))?$")
ENTRY_RE = re.compile(r"^(\s+)(\S.*?)(?:\s{2,}(\S.*))?$")
CHOICES_RE = re.compile(
    r"^((?:[a-z0-9][a-z0-9.-]*, )*[a-z0-9][a-z0-9.-]* or [a-z0-9][a-z0-9.-]*) ")
LIST_DEFAULT_RE = re.compile(r"\[([a-z0-9.-]+(?:,[a-z0-9.-]+)+)\]\s*$")


class Entry:
    """A command or an option: its head ("-i, --input FILE") and its text."""

    def __init__(self, head, text, indent):
        self.head = head
        self.lines = [text] if text else []
        self.indent = indent

    def continued_by(self, indent):
        """Whether a line at |indent| continues this entry's text: wrapped
        lines sit well right of any entry's head (the help aligns them with
        the descriptions, at column 24 or more)."""
        return indent >= self.indent + 8

    @property
    def text(self):
        return " ".join(self.lines)


class Block:
    """A blank-line-separated part of a help text."""

    def __init__(self, kind, name=None, note=None):
        self.kind = kind  # "usage", "paragraph", "section"
        self.name = name
        self.note = note
        self.lines = []    # text lines (a paragraph, or a section's prose)
        self.entries = []  # a section's commands or options


def run(binary, *args):
    out = subprocess.run([binary, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, check=False)
    return out.stdout.decode("utf-8")


def parse_help(text):
    blocks = []
    for raw in re.split(r"\n\s*\n", text.strip("\n")):
        lines = raw.split("\n")
        first = lines[0]
        if first.startswith("usage:"):
            b = Block("usage")
            b.lines = [first[len("usage:"):].strip()]
            blocks.append(b)
            continue
        m = SECTION_RE.match(first)
        if m:
            b = Block("section", m.group(1), m.group(2))
            if m.group(3):
                b.lines.append(m.group(3))
            body = lines[1:]
        elif first.startswith(" "):
            b, body = Block("section"), lines  # entries with no heading (bench's)
        else:
            b = Block("paragraph")
            b.lines = [ln.strip() for ln in lines]
            blocks.append(b)
            continue
        for line in body:
            m = ENTRY_RE.match(line)
            last = b.entries[-1] if b.entries else None
            indent = len(m.group(1)) if m else 0
            if last and last.continued_by(indent):
                last.lines.append(line.strip())
            elif m and (m.group(2).startswith("-") or (b.name == "commands" and indent == 2)):
                b.entries.append(Entry(m.group(2), m.group(3), indent))
            else:
                b.lines.append(line.strip())
        blocks.append(b)
    return blocks


def option_words(head):
    """The options an entry head names, each with its metavariable or None:
    '-i, --input FILE' gives [('-i', 'FILE'), ('--input', 'FILE')]."""
    out = []
    for alt in re.split(r",\s+|\s+/\s+", head):
        words = alt.split()
        if not words or not words[0].startswith("-"):
            continue
        meta = words[1] if len(words) > 1 and not words[1].startswith("[") else None
        out.append([words[0], meta])
    for i in range(len(out) - 1):  # "-i, --input FILE": -i takes FILE too
        if out[i][1] is None and re.fullmatch(r"-\w", out[i][0]) and out[i + 1][0][:2] == "--":
            out[i][1] = out[i + 1][1]
    return [tuple(o) for o in out]


def value_choices(entry, meta):
    """The words the completion offers for an option's value."""
    m = CHOICES_RE.match(entry.text + " ")
    if m:
        return re.split(r", | or ", m.group(1))
    m = LIST_DEFAULT_RE.search(entry.text)
    if m and meta == "LIST":
        return m.group(1).split(",")
    return []


# --- the man page ----------------------------------------------------------

def esc(text):
    """Text made safe for roff: backslashes, a leading dot or quote, and a
    dash that starts a word (an option, a minus) as \\-."""
    text = text.replace("\\", "\\e")
    text = re.sub(r"(?<![\w.])-", r"\\-", text)
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def roff_head(head):
    """An entry head: options in bold, metavariables in italics."""
    parts = []
    for token in re.split(r"(,?\s+/?\s*)", head):
        if not token.strip() or token.strip() in (",", "/"):
            parts.append(esc(token))
        elif token.startswith("-"):
            parts.append("\\fB" + esc(token) + "\\fR")
        elif re.fullmatch(r"[A-Z][A-Z0-9_,\[\]:/.]*", token):
            parts.append("\\fI" + esc(token) + "\\fR")
        else:
            parts.append(esc(token))
    return "".join(parts)


def roff_block(out, b):
    if b.kind == "paragraph":
        out.extend([".PP", esc(" ".join(b.lines))])
        return
    if b.note:
        out.extend([".PP", esc(b.note[0].upper() + b.note[1:] + ".")])
    if b.lines:
        # A list of examples keeps its lines; prose is refilled.
        if not b.entries and any("  " in ln for ln in b.lines):
            out.extend([".PP", ".nf"] + [esc(ln) for ln in b.lines] + [".fi"])
        else:
            out.extend([".PP", esc(" ".join(b.lines))])
    for e in b.entries:
        out.extend([".TP", roff_head(e.head)] + ([esc(e.text)] if e.text else []))


EXAMPLES = [
    ("Scan three endpoints, one JSON line each:",
     "tlssweep scan 192.0.2.10 imaps://mail.example.com https://[2001:db8::1]:8443"),
    ("Scan a file of targets through a given resolver, records to a file:",
     "tlssweep scan -i targets.txt -o results.jsonl --resolver 127.0.0.1:5353"),
    ("One verdict per customer from a list of mail domains:",
     "tlssweep tenants -i /etc/tlssweep/tenants.txt -o sweep.jsonl"),
    ("Part 2 of 8 of a sharded scan, resumable after a crash:",
     "tlssweep scan -i targets.txt --shard 2/8 --seed 7 -o part-2.jsonl --resume part-2.ckpt"),
    ("The built-in lab on loopback, to see tlssweep at work:", "tlssweep lab"),
]

FILES = [
    ("/usr/lib/systemd/system/tlssweep-sweep.timer",
     "Starts tlssweep-sweep.service weekly once enabled "
     "(systemctl enable --now tlssweep-sweep.timer)."),
    ("/etc/tlssweep/tenants.txt",
     "The weekly sweep's tenants, one mail domain per line (domain [label=NAME]); "
     "the service does not start without it."),
    ("/etc/default/tlssweep",
     "TLSSWEEP_OPTS: more options for the weekly sweep (a resolver, a rate limit, a blocklist)."),
    ("/var/lib/tlssweep/",
     "The weekly sweep's records, sweep-DATE.jsonl, and its metadata, sweep-DATE.meta.json."),
]


def man_page(binary, date):
    version_line = run(binary, "--version").split("\n")[0]
    version = version_line.split()[1] if version_line.startswith("tlssweep ") else "unknown"
    main_blocks = parse_help(run(binary, "--help"))
    bench_blocks = parse_help(run(binary, "bench", "--help"))
    out = [
        '.\\" Generated from `tlssweep --help` by packaging/gen-docs.py; do not edit.',
        '.TH TLSSWEEP 1 "%s" "tlssweep %s" "User Commands"' % (date, version),
        ".SH NAME",
        "tlssweep \\- find which TLS versions each of very many endpoints accepts",
        ".SH SYNOPSIS",
    ]
    commands = next(b for b in main_blocks if b.name == "commands")
    for e in commands.entries:
        words = e.head.split()
        out.extend([".B tlssweep " + esc(words[0])] + [esc(" ".join(words[1:]))] + [".br"])
    out.extend([".B tlssweep \\-\\-help", ".br", ".B tlssweep \\-\\-version", ".SH DESCRIPTION"])
    sections_started = False
    for b in main_blocks:
        if b.kind == "usage":
            continue
        if b.kind == "section":
            sections_started = True
            title = b.name
            if title.endswith(" options"):
                title = "options"
            out.append(".SH " + esc(title.upper()))
        elif sections_started:
            out.append(".SH NOTES")
        roff_block(out, b)
        if b.kind == "paragraph" and not sections_started:
            out.extend([".PP", "Every target yields exactly one record; "
                        "/usr/share/doc/tlssweep/README.md.gz explains the records, "
                        "confirmations, tenant verdicts, shards and resume in full."])
    out.append(".SH BENCH")
    for b in bench_blocks:
        if b.kind == "usage":
            out.extend([".PP", ".B " + esc(b.lines[0])])
        else:
            roff_block(out, b)
    out.append(".SH FILES")
    for path, what in FILES:
        out.extend([".TP", ".I " + esc(path), esc(what)])
    out.append(".SH EXAMPLES")
    for what, cmd in EXAMPLES:
        out.extend([".PP", esc(what), ".PP", ".RS", ".nf", esc(cmd), ".fi", ".RE"])
    out.extend([".SH SEE ALSO",
                "/usr/share/doc/tlssweep/README.md.gz, /usr/share/doc/tlssweep/examples/"])
    return "\n".join(out) + "\n"


# --- the bash completion ---------------------------------------------------

def option_table(entries):
    """(option names, those taking a FILE, those taking another value,
    {option: [choices]}) of a list of option entries."""
    names, files, values, choices = [], [], [], {}
    for e in entries:
        for name, meta in option_words(e.head):
            names.append(name)
            if meta is None:
                continue
            (files if meta == "FILE" else values).append(name)
            c = value_choices(e, meta) if meta != "FILE" else []
            if c:
                choices[name] = c
    return names, files, values, choices


def completion(binary):
    main_blocks = parse_help(run(binary, "--help"))
    commands = next(b for b in main_blocks if b.name == "commands")
    scan_entries = [e for b in main_blocks if b.name and b.name.endswith(" options")
                    for e in b.entries]
    bench_entries = [e for b in parse_help(run(binary, "bench", "--help")) for e in b.entries]
    versions = list(dict.fromkeys(v for e in scan_entries for _, m in option_words(e.head)
                                  if m == "LIST" for v in value_choices(e, m)))
    per_command = {}
    for c in commands.entries:
        name = c.head.split()[0]
        entries = {"bench": bench_entries}.get(name, scan_entries if "[options]" in c.head else [])
        names, files, values, choices = option_table(entries)
        # Options named in the command's own description ("--dry-run prints
        # ...", "--preset exchange-online adds ..."), with their value.
        for m in re.finditer(r"(--[a-z][a-z0-9-]*)(?: ([a-z][a-z0-9.-]*-[a-z0-9.-]+))?", c.text):
            if m.group(1) not in names:
                names.append(m.group(1))
                if m.group(2):
                    values.append(m.group(1))
                    choices[m.group(1)] = [m.group(2)]
        per_command[name] = (names, files, values, choices)
    lines = [
        "# bash completion for tlssweep(1): generated from `tlssweep --help` by",
        "# packaging/gen-docs.py; do not edit.",
        "_tlssweep()",
        "{",
        "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}",
        "    local opts files values",
        "    COMPREPLY=()",
        '    if [ "$COMP_CWORD" -eq 1 ]; then',
        '        COMPREPLY=($(compgen -W "%s --help --version" -- "$cur"))' % " ".join(per_command),
        "        return",
        "    fi",
        '    case "${COMP_WORDS[1]}" in',
    ]
    for name, (names, files, values, choices) in per_command.items():
        lines.append("    %s)" % name)
        lines.append('        opts="%s"' % " ".join(names))
        lines.append('        files=" %s "' % " ".join(files))
        lines.append('        values=" %s "' % " ".join(values))
        if choices:
            lines.append('        case "$prev" in')
            for opt, words in choices.items():
                lines.append('        %s) COMPREPLY=($(compgen -W "%s" -- "$cur")); return ;;'
                             % (opt, " ".join(words)))
            lines.append("        esac")
        if name == "hello" and versions:
            lines.append('        if [ "$COMP_CWORD" -eq 2 ]; then')
            lines.append('            COMPREPLY=($(compgen -W "%s" -- "$cur")); return'
                         % " ".join(versions))
            lines.append("        fi")
        lines.append("        ;;")
    lines.extend([
        "    *) return ;;",
        "    esac",
        '    if [[ "$files" == *" $prev "* ]]; then',
        "        compopt -o filenames 2>/dev/null",
        '        COMPREPLY=($(compgen -f -- "$cur"))',
        "        return",
        "    fi",
        '    [[ "$values" == *" $prev "* ]] && return',
        '    if [[ "$cur" == -* ]]; then',
        '        COMPREPLY=($(compgen -W "$opts" -- "$cur"))',
        "    fi",
        "}",
        "complete -F _tlssweep tlssweep",
    ])
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description="tlssweep(1) and its bash completion from --help")
    ap.add_argument("tlssweep", help="the binary")
    ap.add_argument("--man", help="write the man page here")
    ap.add_argument("--completion", help="write the bash completion here")
    ap.add_argument("--date", default="1970-01-01", help="the man page's date")
    a = ap.parse_args()
    if a.man:
        with open(a.man, "w", encoding="utf-8") as f:
            f.write(man_page(a.tlssweep, a.date))
    if a.completion:
        with open(a.completion, "w", encoding="utf-8") as f:
            f.write(completion(a.tlssweep))
    return 0


if __name__ == "__main__":
    sys.exit(main())
