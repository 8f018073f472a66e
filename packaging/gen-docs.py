#!/usr/bin/env python3
"""packaging/gen-docs.py: the man page tlssweep(1) and the bash completion,
both made from what the binary prints out of its option table
(scanner/cli/options.c), so neither can drift from the options the binary
really takes:

    gen-docs.py TLSSWEEP [--man OUT.1] [--completion OUT] [--date YYYY-MM-DD]

- `tlssweep --help`: the commands, the description, the exit status;
- `tlssweep CMD --help` (rendered from the table): a command's usage line,
  its text, each option's head ("-i, --input FILE"), help and default, and
  the text after the options;
- `tlssweep CMD --list-options` (the table's dump for tests): each option's
  long and short name and whether it takes a value.

A help text is read as the binary lays it out: blocks separated by blank
lines; a block is the "usage:" line, a paragraph, or a section whose first
line is "name: ..." at column 0. In a section, an indented line that starts
with a dash (or, under "commands:", any line at two spaces) starts an entry,
and a line indented well right of the entry's head continues it.

The man page lists the commands (their usage and text), then every option
once, naming the commands that take it (an option whose help or default
differs between commands gets one item per variant). The completion offers
commands, each command's options, file names after a FILE, and the words of
a description such as "jsonl or csv" or a LIST's default.
"""
import argparse
import re
import subprocess
import sys

SECTION_RE = re.compile(r"^([a-z][a-z ]*?)(?: \(([^)]*)\))?:(?:\s+(.*))?$")
ENTRY_RE = re.compile(r"^(\s+)(\S.*?)(?:\s{2,}(\S.*))?$")
CHOICES_RE = re.compile(
    r"^((?:[a-z0-9][a-z0-9.-]*, )*[a-z0-9][a-z0-9.-]* or [a-z0-9][a-z0-9.-]*) ")
NAMED_CHOICE_RE = re.compile(r": ([a-z0-9][a-z0-9.-]*-[a-z0-9.-]+) \(")
LIST_DEFAULT_RE = re.compile(r"\[([a-z0-9.-]+(?:,[a-z0-9.-]+)+)\]\s*$")


class Entry:
    """A command or an option: its head ("-i, --input FILE") and its text."""

    def __init__(self, head, text, indent):
        self.head = head
        self.lines = [text] if text else []
        self.indent = indent

    def continued_by(self, indent):
        """Wrapped lines sit well right of any entry's head (the help aligns
        them with the descriptions, at column 24 or more)."""
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
        if not m:
            b = Block("paragraph")
            b.lines = [ln.strip() for ln in lines]
            blocks.append(b)
            continue
        b = Block("section", m.group(1), m.group(2))
        if m.group(3):
            b.lines.append(m.group(3))
        for line in lines[1:]:
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


class Command:
    """One command as the binary describes it."""

    def __init__(self, binary, name, summary):
        self.name = name
        self.summary = summary
        blocks = parse_help(run(binary, name, "--help"))
        usage = next(b for b in blocks if b.kind == "usage").lines[0]
        self.synopsis = usage.split(" ", 2)[2] if usage.count(" ") >= 2 else ""
        i = next(i for i, b in enumerate(blocks) if b.name == "options")
        self.about = [b for b in blocks[:i] if b.kind != "usage"]
        self.options = blocks[i].entries
        self.after = blocks[i + 1:]
        # From the table's dump: name, short name, whether a value follows.
        self.listed = []
        for line in run(binary, name, "--list-options").splitlines():
            long_name, short, value = line.split(" ", 2)
            self.listed.append((long_name, None if short == "-" else short, value != "-"))


def commands_of(binary):
    blocks = parse_help(run(binary, "--help"))
    table = next(b for b in blocks if b.name == "commands")
    return blocks, [Command(binary, e.head, e.text) for e in table.entries]


def option_words(head):
    """The options an entry head names, each with its metavariable or None:
    '-i, --input FILE' gives [('-i', 'FILE'), ('--input', 'FILE')]."""
    out = []
    for alt in re.split(r",\s+|\s+/\s+", head):
        words = alt.split()
        if words and words[0].startswith("-"):
            out.append([words[0], words[1] if len(words) > 1 else None])
    for i in range(len(out) - 1):  # "-i, --input FILE": -i takes FILE too
        if out[i][1] is None and re.fullmatch(r"-\w", out[i][0]) and out[i + 1][0][:2] == "--":
            out[i][1] = out[i + 1][1]
    return [tuple(o) for o in out]


def value_choices(entry, meta):
    """The words the completion offers for an option's value."""
    m = CHOICES_RE.match(entry.text + " ")
    if m:
        return re.split(r", | or ", m.group(1))
    m = NAMED_CHOICE_RE.search(entry.text)
    if m and meta == "NAME":
        return [m.group(1)]
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
    """A paragraph, or a section's prose: a list of examples (lines with
    runs of spaces) keeps its lines, prose is refilled."""
    lines = list(b.lines)
    if b.kind == "section" and b.name:
        lines[0:1] = [b.name + ": " + lines[0]] if lines else []
    if any("  " in ln for ln in lines[1:]):
        out.extend([".PP", ".nf"] + [esc(ln) for ln in lines] + [".fi"])
    elif lines:
        out.extend([".PP", esc(" ".join(lines))])


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
     "The weekly sweep's records, sweep-DATE.jsonl, its metadata, sweep-DATE.meta.json, and "
     "its figures for Prometheus, tlssweep-sweep.prom."),
    ("/var/lib/prometheus/node-exporter/tlssweep-sweep.prom",
     "The same figures, published where Debian's prometheus-node-exporter reads textfiles, "
     "when that directory exists."),
]


def man_page(binary, date):
    version_line = run(binary, "--version").split("\n")[0]
    version = version_line.split()[1] if version_line.startswith("tlssweep ") else "unknown"
    main_blocks, commands = commands_of(binary)
    out = [
        '.\\" Generated by packaging/gen-docs.py from the option table, as the binary',
        '.\\" prints it (tlssweep CMD --help, --list-options); do not edit.',
        '.TH TLSSWEEP 1 "%s" "tlssweep %s" "User Commands"' % (date, version),
        ".nh",
        ".ad l",
        ".SH NAME",
        "tlssweep \\- find which TLS versions each of very many endpoints accepts",
        ".SH SYNOPSIS",
    ]
    for c in commands:
        out.extend([".B tlssweep " + esc(c.name), esc(c.synopsis), ".br"])
    out.extend([".B tlssweep \\-\\-help", ".br", ".B tlssweep \\-\\-version", ".SH DESCRIPTION"])
    for b in main_blocks:
        if b.kind == "paragraph":
            roff_block(out, b)
    out.extend([".PP", "Every target yields exactly one record; "
                "/usr/share/doc/tlssweep/README.md.gz explains the records, confirmations, "
                "tenant verdicts, shards and resume in full."])
    out.append(".SH COMMANDS")
    for c in commands:
        out.extend([".SS " + esc("tlssweep %s %s" % (c.name, c.synopsis)).replace('"', "")])
        for b in c.about + [b for b in c.after if b.name != "exit status"]:
            roff_block(out, b)
    # Every option once; one item per distinct head and text, naming the
    # commands that share it.
    items = {}
    for c in commands:
        for e in c.options:
            items.setdefault((e.head, e.text), []).append(c.name)
    out.extend([".SH OPTIONS", "Defaults are in brackets; each item names the commands "
                "that take the option."])
    for (head, text), names in items.items():
        out.extend([".TP", roff_head(head), esc(text + " (" + ", ".join(names) + ")")])
    out.append(".SH EXIT STATUS")
    for c in commands:
        for b in c.after:
            if b.name == "exit status":
                out.extend([".PP", esc("tlssweep %s: %s" % (c.name, " ".join(b.lines)))])
    for b in main_blocks:
        if b.name == "exit status":
            out.extend([".PP", esc("Other commands: " + " ".join(b.lines))])
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

def completion(binary):
    _, commands = commands_of(binary)
    versions = []
    lines = [
        "# bash completion for tlssweep(1): generated by packaging/gen-docs.py from",
        "# the option table, as the binary prints it; do not edit.",
        "_tlssweep()",
        "{",
        "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}",
        "    local opts files values",
        "    COMPREPLY=()",
        '    if [ "$COMP_CWORD" -eq 1 ]; then',
        '        COMPREPLY=($(compgen -W "%s --help --version" -- "$cur"))'
        % " ".join(c.name for c in commands),
        "        return",
        "    fi",
        '    case "${COMP_WORDS[1]}" in',
    ]
    blocks = []
    for c in commands:
        names, files, values, choices = [], [], [], {}
        for long_name, short, takes_value in c.listed:
            names.extend([long_name] + ([short] if short else []))
            if takes_value:
                values.extend([long_name] + ([short] if short else []))
        for e in c.options:
            for name, meta in option_words(e.head):
                if meta == "FILE":
                    files.append(name)
                elif meta and value_choices(e, meta):
                    choices[name] = value_choices(e, meta)
                    if meta == "LIST" and not versions:
                        versions = choices[name]
        blocks.append((c.name, names, files, values, choices))
    for name, names, files, values, choices in blocks:
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
            # tlssweep hello VERSION: the first operand is a version.
            lines.append('        if [ "$COMP_CWORD" -eq 2 ] && [[ "$cur" != -* ]]; then')
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
    ap = argparse.ArgumentParser(description="tlssweep(1) and its bash completion")
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
